"""AOT: memory64, multi-memory, table64 and the threads proposal compiled by the
translator (wasmbed/aot/emit_mem.py, docs/aot.md "Memories in AOT code"):
a sample of each proposal suite in `--mode aot` on the host. The whole suites, on the
host and under QEMU, are commands run by hand (docs/aot.md has the counts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmbed.cli import main
from wasmbed.run import wast

# i64 addresses and offsets (above 4 GiB, wrapping sums), memory.size/grow on an i64
# memory, big-endian-independent values, table64 indices
M64_SAMPLE = ["address64", "memory_trap64", "memory_grow64", "load64", "endianness64",
              "table_size", "table_get", "call_indirect"]
# a memory index on loads, stores, memory.size/grow/copy/fill/init and data segments
MM_SAMPLE = ["memory-multi", "load0", "store0", "memory_copy0", "memory_fill0",
             "memory_init0", "memory_size0", "memory_trap0", "address0", "load", "store"]


def _run(tmp_path: Path, suite: str, files: list[str]) -> dict:
    out = tmp_path / f"{suite}.json"
    code = main(["spec", "--board", "host", "--suite", suite, "--mode", "aot",
                 "--files", ",".join(files), "--json", str(out)])
    data = json.loads(out.read_text())
    failed = {k: v for k, v in data["files"].items() if v["failed"]}
    assert data["totals"]["failed"] == 0, failed
    assert code == 0
    return data["totals"]


@pytest.mark.spec
def test_memory64_sample_in_aot(tmp_path: Path) -> None:
    totals = _run(tmp_path, "memory64", M64_SAMPLE)
    assert totals["passed"] >= 830, totals  # 83x at the time of writing


@pytest.mark.spec
def test_multi_memory_sample_in_aot(tmp_path: Path) -> None:
    totals = _run(tmp_path, "multi-memory", MM_SAMPLE)
    assert totals["passed"] >= 360, totals  # 36x at the time of writing


@pytest.mark.spec
def test_threads_atomics_in_aot(tmp_path: Path) -> None:
    """Every atomic op (rmw, cmpxchg, wait/notify on shared and unshared memory, fence,
    unaligned and out-of-bounds traps) through the runtime's wb_atomic_do."""
    totals = _run(tmp_path, "threads", ["atomic"])
    assert totals["passed"] >= 230, totals  # 23x at the time of writing


def test_translator_compiles_what_it_once_refused() -> None:
    """memory64, multi-memory and table64 modules are no longer refused by name: they
    translate, memory k > 0 through its own base `m<k>`, i64 addresses with 64-bit
    checks; a module with one 32-bit memory keeps emit.py's memory-0 path."""
    from wasmbed.aot import decode, emit

    root = wast.testsuite_dir()
    for script, marker in (("proposals/memory64/address64", "ea + 1u < s"),
                           ("proposals/multi-memory/memory-multi", "m1 = c->mems[1]->data"),
                           ("proposals/memory64/table_size", "(uint64_t)c->rt->table_size"),
                           ("proposals/threads/atomic", "c->rt->atomic(c, 0u")):
        s = wast.convert(root / f"{script}.wast")
        data = s.module_bytes(s.commands[0]["filename"])
        assert marker in emit.translate(decode.decode(data)), script
    plain = wast.convert(root / "address.wast")
    c_src = emit.translate(decode.decode(plain.module_bytes(plain.commands[0]["filename"])))
    assert "ms0_4" in c_src and "m1" not in c_src and "c->rt->atomic" not in c_src
