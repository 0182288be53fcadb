"""Shared fixtures: the host agent build and a HostTarget on it (tests/agent_helpers.py)."""

from agent_helpers import host_agent, target  # noqa: F401 (fixtures, found by name)
from sdk_helpers import sdk_env  # noqa: F401,E402 (RTOS trees from ../shared/sdk)
