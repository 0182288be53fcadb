#!/usr/bin/env bash
# The main job (README): install what is missing, build the firmware for a QEMU board,
# boot it and run the core spec suite over the serial line. Default: riscv64.
#   ci/qemu-spec.sh [ARCH|BOARD] [run-on-qemu options...]
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
arch=${1:-riscv64}; shift || true
mkdir -p build/reports
exec .venv/bin/run-on-qemu "$arch" --json "build/reports/spec-$arch.json" \
  --junit "build/reports/spec-$arch.xml" "$@"
