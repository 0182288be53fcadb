#!/usr/bin/env bash
# The official WASI testsuite (wasm32-wasip1: 72 tests) on a board's agent, through the
# official runner and our adapter (ci/wasi_adapter.py).
#
#   ci/wasi-testsuite.sh [--board B] [--json FILE]
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
for lang in c rust assemblyscript; do
  src=$suite/tests/$lang/testsuite/wasm32-wasip1
  [ -d "$src" ] || continue
  cp -r "$src" "$scratch/$lang"
  chmod -R u+w "$scratch/$lang"
  dirs+=("$scratch/$lang")
done

if [ "$board" = host ]; then
  # one build of the host agent (default features include libc-wasi), reused by every test
  export WASMBED_FIRMWARE
  WASMBED_FIRMWARE=$(.venv/bin/python -c \
    'from wasmbed.target import host_firmware; print(host_firmware())' | tail -n 1)
fi
export WASMBED_BOARD=$board
status=0
.venv/bin/python ci/wasi_runner.py "$suite" --disable-colors \
  -t "${dirs[@]}" -r ci/wasi_adapter.py --json-output-location "$json" || status=$?

.venv/bin/python - "$json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
passed = failed = skipped = 0
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
