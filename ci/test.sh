#!/usr/bin/env bash
# The test command (README, .ci/run): install what is missing, then run every test:
# unit, builds, the host spec suite (full core), and the spec suite under QEMU.
# Extra arguments go to pytest (e.g. `ci/test.sh -m "not qemu"`).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
mkdir -p build/reports
exec .venv/bin/python -m pytest -n 2 --dist loadgroup -ra \
  --junitxml=build/reports/pytest.xml "$@"
