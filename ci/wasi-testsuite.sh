#!/usr/bin/env bash
# The official WASI testsuite (wasm32-wasip1: 72 tests) on a board's agent, through the
# official runner and our adapter (ci/wasi_adapter.py).
#
#   ci/wasi-testsuite.sh [--board B] [--json FILE]
#
# B is host (default) or a QEMU board / architecture as run-on-qemu takes it (riscv64,
# qemu-riscv64, ...). On a QEMU board the agent is built with the board's features plus
# libc-wasi, and only the tests that need no file system run (args, environ, clocks,
# random, stdout, exit codes: the tests without a "root" directory); the rest are left
# out and counted as skipped in the closing line.
#
# Tests write into the *.dir folders beside them, so the suites are copied to
# build/wasi-testsuite/<board>/ first. The suite comes from ../shared/wasi-testsuite
# (override: WASI_TESTSUITE=DIR). Ends with the line "N passed, N failed"; exits 1 when a
# test failed. Report: build/reports/wasi-<board>.json (the runner's JSON).
set -euo pipefail
cd "$(dirname "$0")/.."

board=host
json=""
while [ $# -gt 0 ]; do
  case "$1" in
    --board) board=$2; shift 2 ;;
    --board=*) board=${1#*=}; shift ;;
    --json) json=$2; shift 2 ;;
    *) echo "usage: ci/wasi-testsuite.sh [--board B] [--json FILE]" >&2; exit 2 ;;
  esac
done

[ -f .venv/.wasmbed-installed ] || ci/setup.sh
suite=${WASI_TESTSUITE:-../shared/wasi-testsuite}
if [ ! -d "$suite/test-runner" ]; then
  echo "wasi-testsuite: no runner in $suite (set WASI_TESTSUITE=DIR)" >&2
  exit 2
fi
json=${json:-build/reports/wasi-$board.json}
mkdir -p "$(dirname "$json")"

scratch=build/wasi-testsuite/$board
rm -rf "$scratch"
mkdir -p "$scratch"
dirs=()
left_out=0
for lang in c rust assemblyscript; do
  src=$suite/tests/$lang/testsuite/wasm32-wasip1
  [ -d "$src" ] || continue
  cp -r "$src" "$scratch/$lang"
  chmod -R u+w "$scratch/$lang"
  if [ "$board" != host ]; then  # bare metal: no file system, so no test that needs one
    for cfg in "$scratch/$lang"/*.json; do
      if grep -q '"root"' "$cfg"; then
        rm -f "${cfg%.json}.wasm" "$cfg"
        left_out=$((left_out + 1))
      fi
    done
  fi
  dirs+=("$scratch/$lang")
done

export WASMBED_FIRMWARE
if [ "$board" = host ]; then
  # one build of the host agent (default features include libc-wasi), reused by every test
  WASMBED_FIRMWARE=$(.venv/bin/python -c \
    'from wasmbed.run.target import host_firmware; print(host_firmware())' | tail -n 1)
else
  board=$(.venv/bin/python -c 'import sys; from wasmbed.commands.qemu import resolve_board
print(resolve_board(sys.argv[1]))' "$board" | tail -n 1)
  WASMBED_FIRMWARE=$(.venv/bin/python -c 'import sys
from wasmbed.build import driver as build
from wasmbed.model.descriptors import load_board
b = load_board(sys.argv[1])
print(build.build(b.name, [*b.features, "libc-wasi"], build_dir=build.ROOT / "build" / f"wasi-{b.name}").firmware)' \
    "$board" | tail -n 1)
  export WASMBED_RUNNER=run-on-qemu
  export WASMBED_WASI_TIMEOUT=${WASMBED_WASI_TIMEOUT:-1200}
fi
export WASMBED_BOARD=$board
status=0
.venv/bin/python ci/wasi_runner.py "$suite" --disable-colors \
  -t "${dirs[@]}" -r ci/wasi_adapter.py --json-output-location "$json" || status=$?

.venv/bin/python - "$json" "$left_out" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
passed = failed = 0
skipped = int(sys.argv[2])  # tests that need a file system, on a board without one
for suite in data["results"]:
    passed += suite["passed"] + suite["xfailed"]
    failed += suite["failed"] + suite["xpassed"]
    skipped += suite["skipped"]
    for t in suite["tests"]:
        if t["outcome"] in ("FAILED", "failed", "fail"):
            print(f"FAILED {suite['name']}: {t['name']}")
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
PY
