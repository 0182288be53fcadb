#!/usr/bin/env bash
# Every figure of docs/benchmarks.md, into build/bench/*.json and *.md:
# instruction ratios (-O2 release build, -Os size build) and Cortex-M4 code
# sizes (-Os, -Os with the fast interpreter paths, -O2).
set -euo pipefail
cd "$(dirname "$0")/.."
W=".venv/bin/python -m wasmbed.cli bench"
out=build/bench
$W --profile --json $out/bench-O2.json --markdown $out/bench-O2.md
$W --opt Os --json $out/bench-Os.json --markdown $out/bench-Os.md
$W --opt Os -D WB_SMALL=0 --json $out/bench-Os-fast.json --markdown $out/bench-Os-fast.md
$W --size --json $out/size-Os.json --markdown $out/size-Os.md
$W --size -D WB_SMALL=0 --json $out/size-Os-fast.json --markdown $out/size-Os-fast.md
$W --size --opt O2 --json $out/size-O2.json --markdown $out/size-O2.md
