#!/usr/bin/env bash
# Fuzz the runtime with libFuzzer (clang -fsanitize=fuzzer,address,undefined):
#   ci/fuzz.sh SECONDS [fuzz_load|fuzz_mini|fuzz_exec ...]   (default: all three, 60 s each)
#   ci/fuzz.sh replay                                        (regression corpus + seeds, once)
# Harnesses: fuzz/fuzz_*.c; seeds: the spec suite's binary modules; crashes land in
# build/fuzz/crashes/<harness>/, the report in build/reports/fuzz.json; the last line is
# `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
if [ "${1:-}" = "replay" ]; then
  exec .venv/bin/python fuzz/run.py replay
fi
exec .venv/bin/python fuzz/run.py run "${1:-60}" "${@:2}"
