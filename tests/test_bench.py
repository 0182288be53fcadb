"""Benchmark kernels, drivers and the code-size build (no timing assertions).

Tests that need the runtime build it from runtime_src/ and fail with the
compiler's message when it does not build: they are never skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench_helpers import reference_result
from wasmbed import cli
from wasmbed.report import bench
from wasmbed.errors import WasmbedError
from wasmbed.model import leb128

pytestmark = pytest.mark.xdist_group("bench")

KERNEL_NAMES = [k.name for k in bench.kernels()]


def _section_ids(module: bytes) -> list[int]:
    assert module[:8] == b"\0asm\1\0\0\0"
    ids, pos = [], 8
    while pos < len(module):
        sid = module[pos]
        size, pos = leb128.read_u(module, pos + 1)
        ids.append(sid)
        pos += size
    return ids


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def native(out_dir: Path) -> Path:
    return bench.build_native(out_dir)


@pytest.fixture(scope="module")
def host_bench(out_dir: Path) -> Path:
    try:
        return bench.build_host_bench(out_dir)
    except WasmbedError as err:
        pytest.fail(f"the runtime does not build for the host benchmark: {err}")


def test_every_kernel_has_a_default_n() -> None:
    assert {"fib", "sieve", "matmul", "crc32", "nbody"} <= set(KERNEL_NAMES)
    assert all(k.default_n > 0 for k in bench.kernels())


def test_unknown_kernel_gets_a_suggestion() -> None:
    with pytest.raises(WasmbedError) as err:
        bench.select_kernels(["fbi"])
    assert "fbi" in str(err.value) and "fib" in str(err.value)


def test_cli_rejects_unknown_kernel(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bench", "--kernels", "sieve,matmull"]) == 2
    assert "did you mean 'matmul'" in capsys.readouterr().err


@pytest.mark.parametrize("name", KERNEL_NAMES)
def test_wasm_kernel_is_standalone(name: str, out_dir: Path) -> None:
    wasm = bench.build_wasm_kernel(bench.select_kernels([name])[0], out_dir)
    ids = _section_ids(wasm.read_bytes())
    assert 2 not in ids, "a kernel must import nothing"
    assert 7 in ids and 10 in ids


@pytest.mark.parametrize("name", KERNEL_NAMES)
def test_native_checksum_matches_reference_interpreter(name: str, out_dir: Path,
                                                       native: Path) -> None:
    """The kernel itself is deterministic: gcc's build and wabt's wasm-interp agree."""
    kernel = bench.select_kernels([name])[0]
    n = max(1, kernel.default_n // 8) if name != "fib" else 20
    wasm = bench.build_wasm_kernel(kernel, out_dir)
    assert bench.run_native(native, kernel, n) == reference_result(wasm, kernel.export, n)


@pytest.mark.parametrize("name", KERNEL_NAMES)
def test_interpreter_checksum_matches_native(name: str, out_dir: Path, native: Path,
                                             host_bench: Path) -> None:
    kernel = bench.select_kernels([name])[0]
    wasm = bench.build_wasm_kernel(kernel, out_dir)
    expected = bench.run_native(native, kernel, kernel.default_n)
    assert bench.run_interp(host_bench, wasm, kernel, kernel.default_n) == expected


def test_callgrind_counts_one_kernel_call(out_dir: Path, native: Path, host_bench: Path) -> None:
    kernel = bench.select_kernels(["fib"])[0]
    wasm = bench.build_wasm_kernel(kernel, out_dir)
    n_instr, n_sum = bench.callgrind([native, "fib", "15"], out_dir / "cg.native", "native")
    i_instr, i_sum = bench.callgrind([host_bench, wasm, kernel.export, "15"],
                                     out_dir / "cg.interp", "interp")
    assert n_sum == i_sum == 610
    assert 0 < n_instr < i_instr


MAP_SNIPPET = """\
Discarded input sections

 .text.unused   0x00000000       0x40 obj/runtime_src/core/wb_x.o

Linker script and memory map

.text           0x00008000     0x1234
 .text.wb_call  0x00008000       0x80 obj/runtime_src/core/wb_interp.o
 .text.a_very_long_function_name_that_wraps
                0x00008080       0x20 obj/runtime_src/core/wb_load.o
 .rodata.tbl    0x000080a0       0x10 obj/runtime_src/libc/libc_builtin.o
.data           0x20000000        0x8
 .data.x        0x20000000        0x8 obj/runtime_src/mem/wb_pool.o
 .bss.y         0x20000008        0x0 obj/runtime_src/mem/wb_pool.o
"""


def test_parse_map_keeps_only_linked_sections() -> None:
    rows = bench.parse_map(MAP_SNIPPET)
    assert rows == [(".text.wb_call", 0x80, "obj/runtime_src/core/wb_interp.o"),
                    (".text.a_very_long_function_name_that_wraps", 0x20,
                     "obj/runtime_src/core/wb_load.o"),
                    (".rodata.tbl", 0x10, "obj/runtime_src/libc/libc_builtin.o"),
                    (".data.x", 8, "obj/runtime_src/mem/wb_pool.o")]
    assert bench.component_of("runtime_src/core/wb_load.c") == "loader"
    assert bench.component_of("runtime_src/core/wb_interp.c") == "interpreter"


@pytest.mark.build
def test_size_build_links(out_dir: Path) -> None:
    try:
        report = bench.build_size(out_dir / "size")
    except WasmbedError as err:
        pytest.fail(f"the Cortex-M4 size build does not link: {err}")
    assert report.elf.exists()
    for name in bench.RUNTIME_COMPONENTS:
        assert report.components[name].text > 0, name
    data = json.loads(json.dumps(report.to_json()))
    assert data["runtime_text_data"] == report.runtime.text + report.runtime.data


CALLGRIND_SNIPPET = """\
events: Ir
fl=runtime_src/core/wb_interp.c
fn=wb_interp_call
10 100
11 50
fi=runtime_src/core/wb_internal.h
5 7
fn=other
10 3
calls=1 20
12 9999
totals: 160
"""


def test_hotspots_sum_self_cost_per_source_line(tmp_path: Path) -> None:
    out = tmp_path / "callgrind.out"
    out.write_text(CALLGRIND_SNIPPET)
    rows = bench.hotspots(out, top=3)
    assert [cost for cost, _ in rows] == [103, 50, 7]   # the call's 9999 is inclusive
    assert rows[0][1].startswith("runtime_src/core/wb_interp.c:10")
    assert rows[2][1].startswith("runtime_src/core/wb_internal.h:5")
    assert bench.callgrind_total(out) == 160


def test_geomean() -> None:
    assert bench.geomean([10.0, 40.0]) == pytest.approx(20.0)


def test_size_configuration_runs_the_kernels(out_dir: Path, native: Path) -> None:
    """The configuration the size report measures (-Os, mini loader, heap pool,
    libc-builtin) is a working runtime, not just one that links."""
    try:
        host = bench.build_host_bench(out_dir / "Os", extra_flags=bench.host_runtime_flags("Os"))
    except WasmbedError as err:
        pytest.fail(f"the runtime does not build in the size configuration: {err}")
    for kernel in bench.kernels():
        n = max(1, kernel.default_n // 4) if kernel.name != "fib" else 22
        wasm = bench.build_wasm_kernel(kernel, out_dir)
        assert bench.run_interp(host, wasm, kernel, n) == bench.run_native(native, kernel, n)


def test_cli_rejects_a_malformed_n_override(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bench", "--n", "fib"]) == 2
    assert "expected KERNEL=N" in capsys.readouterr().err
