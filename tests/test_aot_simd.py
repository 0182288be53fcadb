"""AOT: 128-bit SIMD compiled by the translator (wasmbed/aot/emit_simd.py, docs/aot.md
"SIMD in AOT code"): a v128 is one C struct of two uint64_t, each SIMD instruction one
call of the runtime service that runs the interpreter's wb_simd.c. A sample of the simd
suite in `--mode aot` on the host; the whole suite is a command run by hand (docs/aot.md
has the counts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmbed.cli import main
from wasmbed.run import wast

# v128 params/results/locals/globals, lanes, every memory access kind (bounds traps),
# bitwise ops (inline C), imports/exports of v128 globals between modules
SAMPLE = ["simd_lane", "simd_address", "simd_load16_lane", "simd_store32_lane",
          "simd_load_zero", "simd_bitwise", "simd_linking"]


@pytest.mark.spec
def test_simd_sample_in_aot(tmp_path: Path) -> None:
    out = tmp_path / "simd.json"
    code = main(["spec", "--board", "host", "--suite", "simd",
                 "--mode", "aot", "--files", ",".join(SAMPLE), "--json", str(out)])
    data = json.loads(out.read_text())
    failed = {k: v for k, v in data["files"].items() if v["failed"]}
    assert data["totals"]["failed"] == 0, failed
    assert code == 0
    assert data["totals"]["passed"] >= 670, data["totals"]  # 679 at the time of writing


def test_simd_translation() -> None:
    """v128 code translates: the struct type, inline v128.const and bitwise ops, the
    runtime service for the rest; a module without v128 gets none of it."""
    from wasmbed.aot import decode, emit

    root = wast.testsuite_dir()
    s = wast.convert(root / "simd_lane.wast")
    c_src = emit.translate(decode.decode(s.module_bytes(s.commands[0]["filename"])))
    assert "typedef struct { uint64_t lo, hi; } wbv;" in c_src
    assert "c->ctl->simd(c, 21u" in c_src  # i8x16.extract_lane_s
    plain = wast.convert(root / "address.wast")
    c_src = emit.translate(decode.decode(plain.module_bytes(plain.commands[0]["filename"])))
    assert "wbv" not in c_src.replace(emit.ABI_HEADER.read_text(), "")
