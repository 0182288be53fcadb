#!/usr/bin/env bash
# Build every board with its default features (2 builds at a time) and write
# build/matrix.json: per board its triple, tier, status (built | built-without-sdk |
# no-toolchain | failed) and text/data/bss. Exit 1 when a board failed to build.
# Extra arguments go to `wasmbed matrix` (e.g. --boards host,qemu-riscv64).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
exec .venv/bin/python -m wasmbed.cli matrix --json build/matrix.json "$@"
