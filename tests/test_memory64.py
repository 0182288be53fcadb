"""memory64 and multi-memory in the interpreter (docs/memory.md): samples of both proposal
suites on the host, and the 64-bit bounds checks on a 32-bit big-endian board under QEMU.
The whole suites are commands run by hand (`wasmbed spec --suite memory64`, docs/memory.md
has the counts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmbed.cli import main, run_on_qemu_main
from wasmbed.commands.spec import with_suite_feature
from wasmbed.run import wast

# i64 addresses and offsets, memory.size/grow/fill/copy/init on i64 memories, i64 table
# indices (table64), LEB128 limits, and a GC script that the runner skips
M64_SAMPLE = ["address64", "memory64", "memory_grow64", "load64", "memory_trap64",
              "float_memory64", "endianness64", "memory_redundancy64", "align64",
              "binary-leb128", "table_grow", "table_size", "table_fill", "table_get",
              "table_set", "table_copy_mixed", "call_indirect", "memory_fill", "struct"]
# memidx on every memory instruction, data segments and exports of memory k, imports
MM_SAMPLE = ["memory-multi", "load", "store", "data", "imports", "memory_copy1",
             "memory_fill0", "memory_init0", "memory_size1", "memory_grow", "memory_trap1",
             "linking1", "address1", "binary", "exports0", "start0"]


def _run(tmp_path: Path, argv: list[str]) -> tuple[int, dict]:
    out = tmp_path / "r.json"
    code = main(argv + ["--json", str(out)])
    return code, json.loads(out.read_text())


def test_memory64_suite_builds_the_wasm3_features() -> None:
    """The memory64 folder is the Wasm 3.0 suite: several memories, extended constants, tail
    calls and SIMD come with it; GC, exception-handling and SIMD scripts map to their rows
    (skipped whole by an agent without them)."""
    assert with_suite_feature(None, "memory64") == [
        "+memory64", "+multi-memory", "+extended-const", "+tail-call", "+simd",
        "+legacy-exception-handling"]
    assert with_suite_feature(None, "multi-memory") == ["+multi-memory", "+simd"]
    root = wast.testsuite_dir() / "proposals" / "memory64"
    assert wast.other_proposal(root / "array.wast") == "gc"
    assert wast.other_proposal(root / "throw.wast") == "exception-handling"
    assert wast.other_proposal(root / "simd_lane.wast") == "simd"
    assert wast.other_proposal(root / "address64.wast") is None
    assert wast.other_proposal(wast.testsuite_dir() / "address.wast") is None


@pytest.mark.spec
def test_host_memory64_sample(tmp_path: Path) -> None:
    code, data = _run(tmp_path, ["spec", "--board", "host", "--suite", "memory64",
                                 "--files", ",".join(M64_SAMPLE)])
    totals = data["totals"]
    assert totals["failed"] == 0, {k: v for k, v in data["files"].items() if v["failed"]}
    assert totals["passed"] >= 1300, totals  # 1,4xx at the time of writing
    assert code == 0
    # out-of-range i64 addresses trap, never wrap: every assert_trap of memory_trap64 ran
    assert data["files"]["memory_trap64.wast"]["passed"] >= 170, data["files"]["memory_trap64.wast"]
    assert data["skip_reasons"].get("needs feature gc (not in this build)") == 1, data["skip_reasons"]


@pytest.mark.spec
def test_host_multi_memory_sample(tmp_path: Path) -> None:
    code, data = _run(tmp_path, ["spec", "--board", "host", "--suite", "multi-memory",
                                 "--files", ",".join(MM_SAMPLE)])
    totals = data["totals"]
    assert totals["failed"] == 0, {k: v for k, v in data["files"].items() if v["failed"]}
    assert totals["passed"] >= 800, totals  # 8xx at the time of writing
    assert code == 0


@pytest.mark.qemu
@pytest.mark.spec
def test_malta_mips_memory64_bounds(tmp_path: Path) -> None:
    """A 32-bit big-endian board: i64 addresses above the memory's size trap (no
    truncation to 32 bits), little-endian values through the byte-wise accesses."""
    out = tmp_path / "q.json"
    code = run_on_qemu_main(["malta-mips", "--suite", "memory64", "--files",
                             "memory_trap64,address64,endianness64", "--json", str(out)])
    data = json.loads(out.read_text())
    totals = data["totals"]
    assert totals["failed"] == 0, data["files"]
    assert totals["passed"] >= 480, totals
    assert code == 0
