"""128-bit SIMD (feature simd): the simd suite's mapping, v128 values over the
protocol, and a sample of the simd_*.wast scripts on the host agent built with simd
(loads/stores and lanes, constants, shuffles, integer and float arithmetic with NaN
lanes, conversions, v128 globals, locals, select, block params and calls)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmbed.cli import main, run_on_qemu_main
from wasmbed.run.protocol import Value
from wasmbed.run.spec import SKIP_TEXT, matches, parse_value
from wasmbed.run.wast import suite_feature, suite_files

#: a sample across the instruction groups (the whole suite: docs/simd.md)
SAMPLE = [
    "simd_address", "simd_const", "simd_lane", "simd_load_splat", "simd_load8_lane",
    "simd_store16_lane", "simd_load_zero", "simd_store", "simd_linking", "simd_bitwise",
    "simd_boolean", "simd_i8x16_arith2", "simd_i16x8_q15mulr_sat_s", "simd_i32x4_dot_i16x8",
    "simd_f32x4", "simd_f64x2_rounding", "simd_conversions", "simd_i64x2_extmul_i32x4",
    "simd_int_to_int_extend", "simd_splat",
]


def test_simd_suite_is_the_top_level_simd_scripts() -> None:
    files = suite_files("simd")
    assert len(files) >= 50 and all(p.name.startswith("simd_") for p in files)
    assert not any(p.name.startswith("simd_") for p in suite_files("core"))
    assert suite_feature("simd") == "simd"


def test_v128_constants_and_lane_matching() -> None:
    spec = {"type": "v128", "lane_type": "i16", "value": ["1", "65535", "0", "0", "0", "0",
                                                           "0", "2"]}
    v = parse_value(spec)
    assert v == Value("v128", 1 | 0xFFFF << 16 | 2 << 112)
    assert matches(spec, v)
    assert not matches(spec, Value("v128", v.bits ^ 1 << 112))
    nan = {"type": "v128", "lane_type": "f32",
           "value": ["nan:canonical", "nan:arithmetic", "0", "1065353216"]}
    got = Value("v128", 0x7FC00000 | 0xFFC00001 << 32 | 0x3F800000 << 96)
    assert matches(nan, got)
    assert not matches(nan, Value("v128", 0x7FC00001 | 0xFFC00001 << 32 | 0x3F800000 << 96))


@pytest.mark.spec
def test_host_simd_sample(tmp_path: Path) -> None:
    out = tmp_path / "simd.json"
    code = main(["spec", "--board", "host", "--suite", "simd", "--files", ",".join(SAMPLE),
                 "--json", str(out)])
    data = json.loads(out.read_text())
    totals = data["totals"]
    assert totals["failed"] == 0, data
    assert totals["passed"] >= 3700, totals  # 3,742 at the time of writing
    assert set(data["skip_reasons"]) <= {SKIP_TEXT}, data["skip_reasons"]
    assert "simd" in data["agent"]["features"].split(","), data["agent"]
    assert code == 0


@pytest.mark.build
@pytest.mark.qemu
@pytest.mark.spec
def test_big_endian_qemu_sample(tmp_path: Path) -> None:
    """malta-mips is big-endian: lanes in memory and v128 values on the wire stay
    little-endian (about 45 s with the agent build, 15 s without)."""
    out = tmp_path / "mips.json"
    run_on_qemu_main(["malta-mips", "--suite", "simd", "--files", "simd_address,simd_load16_lane",
                      "--json", str(out)])
    data = json.loads(out.read_text())
    assert data["totals"]["failed"] == 0 and data["totals"]["passed"] >= 80, data["totals"]
    assert "simd" in data["agent"]["features"].split(","), data["agent"]
