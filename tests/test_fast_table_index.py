"""fast-interp's byte-indexed table lookups (runtime_src/core/wb_fastc.c tld8/tld8x,
F_TLD8/F_TLD8X in wb_fast.c): tests/wast/fast_table_index.wast, whose functions each
translate to one of them (a CRC-32 loop, masks, offsets, wrapping address arithmetic,
the carry out of address + offset, traps at the byte load and at the table load), in
fast-interp and in the classic interpreter (the expected values are the unfused
instructions'). On a board by hand:
`run-on-qemu qemu-xtensa --mode fast-interp --files $PWD/tests/wast/fast_table_index.wast`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmbed.cli import main

WAST = Path(__file__).resolve().parent / "wast" / "fast_table_index.wast"

pytestmark = pytest.mark.spec


@pytest.mark.parametrize("mode", ["fast-interp", "interp"])
def test_table_index_lookups_on_host(tmp_path: Path, mode: str) -> None:
    out = tmp_path / "r.json"
    code = main(["spec", "--board", "host", "--mode", mode, "--files", str(WAST),
                 "--json", str(out)])
    totals = json.loads(out.read_text())["totals"]
    assert totals["failed"] == 0 and totals["skipped"] == 0, totals
    assert totals["passed"] == 30, totals
    assert code == 0
