"""Shared by test_agent_host.py and test_spec_host.py: the host agent and wat2wasm."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from wasmbed.run.target import HostTarget


def host_agent_path() -> Path:
    """$WASMBED_HOST_AGENT, else the host agent from the build system."""
    override = os.environ.get("WASMBED_HOST_AGENT")
    if override:
        return Path(override)
    try:
        from wasmbed.build import driver as build
    except ImportError:
        pytest.skip("wasmbed.build.driver is not available (set WASMBED_HOST_AGENT to a built agent)")
    return Path(build.build("host").firmware)


@pytest.fixture(scope="session")
def host_agent() -> Path:
    return host_agent_path()


def running(agent: Path) -> Iterator[HostTarget]:
    """A HostTarget on `agent`, started, stopped after the test (a fixture body:
    `yield from running(exe)`)."""
    t = HostTarget(agent)
    t.start()
    try:
        yield t
    finally:
        t.stop()


@pytest.fixture
def target(host_agent: Path) -> Iterator[HostTarget]:
    yield from running(host_agent)


def wat(text: str, *, check: bool = True) -> bytes:
    """Assemble a module with wabt's wat2wasm (from the venv's wabt package);
    check=False keeps invalid modules (for validation tests)."""
    tool = Path(sys.executable).parent / "wat2wasm"
    exe = str(tool) if tool.is_file() else shutil.which("wat2wasm")
    if not exe:
        pytest.skip("wat2wasm not available")
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "m.wat", Path(tmp) / "m.wasm"
        src.write_text(text)
        subprocess.run([exe, str(src), "-o", str(out), *([] if check else ["--no-check"])],
                       check=True, capture_output=True)
        return out.read_bytes()


def wasm32_clang() -> list[str]:
    """clang able to link wasm32 programs, or skip."""
    clang = shutil.which("clang")
    if not clang or not shutil.which("wasm-ld"):
        pytest.skip("clang + wasm-ld for wasm32 not installed")
    return [clang, "--target=wasm32", "-O2", "-nostdlib", "-Wl,--no-entry", "-Wl,--export=main",
            "-Wl,--allow-undefined"]
