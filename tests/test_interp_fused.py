"""The classic interpreter's fused instructions and 32-bit bounds checks
(runtime_src/core/wb_compile.c WB_FUSE2, wb_interp.c OOB): tests/wast/interp_fused.wast
on the host agent, whose functions each compile to one fused instruction, checked
against the results of the unfused instructions (wrapping addresses, shift counts,
bounds at the end of memory, a carry out of address + offset, a 0-page memory).
On a 32-bit board by hand: `run-on-qemu mps2-an386 --files $PWD/tests/wast/interp_fused.wast`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmbed.cli import main

WAST = Path(__file__).resolve().parent / "wast" / "interp_fused.wast"

pytestmark = pytest.mark.spec


def test_fused_instructions_on_host(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    code = main(["spec", "--board", "host", "--files", str(WAST), "--json", str(out)])
    totals = json.loads(out.read_text())["totals"]
    assert totals["failed"] == 0 and totals["skipped"] == 0, totals
    assert totals["passed"] == 40, totals
    assert code == 0
