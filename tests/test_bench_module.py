"""`wasmbed bench --module X.wasm --export NAME --n N1,N2`: modes, difference, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmbed import cli
from wasmbed.report import bench
from wasmbed.report import bench_module
from wasmbed.errors import WasmbedError

pytestmark = pytest.mark.xdist_group("bench")

FIB = next(k for k in bench.kernels() if k.name == "fib")


def test_n_pair_is_checked() -> None:
    assert bench_module.parse_ns("10,20") == (10, 20)
    for bad in ("10", "20,10", "a,b", "1,2,3", "1,4294967296"):
        with pytest.raises(WasmbedError, match="--n"):
            bench_module.parse_ns(bad)


def test_unknown_mode_gets_a_suggestion() -> None:
    with pytest.raises(WasmbedError, match="unknown bench mode 'intrp' on the host") as err:
        bench_module.check_modes(["intrp"], None)
    assert err.value.hint == "did you mean 'interp'?"
    with pytest.raises(WasmbedError, match="on board qemu-riscv64"):
        bench_module.check_modes(["jit"], "qemu-riscv64")


def test_modes_are_a_table_a_new_mode_is_one_entry(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    wasm = tmp_path / "m.wasm"
    wasm.write_bytes(b"\0asm\1\0\0\0")
    calls = []

    def fake(job: bench_module.ModuleJob, ns: list[int]) -> list[bench_module.Count]:
        calls.append((job.export, list(ns)))
        return [bench_module.Count(100 + 7 * n, n * n) for n in ns]

    monkeypatch.setitem(bench_module.HOST_MODES, "aot", fake)
    job = bench_module.ModuleJob(wasm, "f", None, tmp_path)
    [result] = bench_module.measure(job, ["aot"], (3, 5))
    assert calls == [("f", [3, 5])]
    assert (result.instructions, result.checksum) == (14, 25)
    data = json.loads(bench_module.to_json(job, [result]))
    assert data["modes"]["aot"]["instructions"] == 14 and data["modes"]["aot"]["checksum"] == 25
    assert bench_module.default_modes(None, None) == ["interp", "aot", "fast-interp"]  # native needs --source


def test_bad_module_and_arguments_are_clear(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "x.wasm"
    text.write_text("(module)")
    job = bench_module.ModuleJob(text, "f", None, tmp_path)
    with pytest.raises(WasmbedError, match="not a binary WebAssembly module"):
        bench_module.measure(job, ["interp"], (1, 2))
    assert cli.main(["bench", "--module", str(text), "--n", "1,2"]) == 2
    assert "--module needs --export" in capsys.readouterr().err
    assert cli.main(["bench", "--export", "f"]) == 2
    assert "go with --module" in capsys.readouterr().err


def test_host_interp_and_native_count_the_difference(tmp_path: Path) -> None:
    wasm = bench.build_wasm_kernel(FIB, tmp_path)
    out = tmp_path / "fib.json"
    rc = cli.main(["bench", "--module", str(wasm), "--export", "bench_fib", "--n", "12,16",
                   "--source", str(FIB.source), "--build-dir", str(tmp_path),
                   "--json", str(out)])
    assert rc == 0
    modes = json.loads(out.read_text())["modes"]
    assert {"interp", "native"} <= set(modes) <= {"interp", "native", "aot", "fast-interp"}
    for mode in modes.values():
        assert mode["checksum"] == 987   # fib(16)
        assert mode["instructions"] == mode["counts"][1] - mode["counts"][0] > 0


def test_board_interp_and_native_under_icount(tmp_path: Path) -> None:
    """qemu-riscv64: the agent times each call, the native image its kernel."""
    from wasmbed.build import driver as build

    firmware = build.build("qemu-riscv64").firmware
    wasm = bench.build_wasm_kernel(FIB, tmp_path)
    out = tmp_path / "fib-rv.json"
    rc = cli.main(["bench", "--module", str(wasm), "--export", "bench_fib", "--n", "12,16",
                   "--source", str(FIB.source), "--board", "riscv64", "--firmware",
                   str(firmware), "--build-dir", str(tmp_path), "--json", str(out),
                   "--mode", "interp,native"])
    assert rc == 0
    data = json.loads(out.read_text())
    assert data["board"] == "qemu-riscv64" and set(data["modes"]) == {"interp", "native"}
    assert {m["checksum"] for m in data["modes"].values()} == {987}
