"""The held-out kernels (bench/holdout/, never used to choose a superinstruction) give
wabt's reference result in both interpreters (and in the classic one's 32-bit-CPU
layout, forced here), so the fused forms are checked on code they were not written for. Counting them is bench/holdout.py (no timing here)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bench_helpers import reference_result
from wasmbed import ROOT
from wasmbed.report import bench, bench_module

_spec = importlib.util.spec_from_file_location("wasmbed_holdout", ROOT / "bench" / "holdout.py")
assert _spec and _spec.loader
holdout = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(holdout)

KERNELS = {k.name: k for k in holdout.holdout_kernels()}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("holdout")


@pytest.fixture(scope="module")
def runners(out_dir: Path) -> dict[str, Path]:
    """The two interpreters, and the classic one with the 32-bit cached top of stack of
    32-bit CPUs (WB_TOS32: i32 slots' high halves undefined) forced on this 64-bit host."""
    return {"interp": bench.build_host_bench(out_dir / "interp"),
            "fast-interp": bench.build_host_bench(out_dir / "fast-interp",
                                                  extra_flags=bench_module.FAST_INTERP_FLAGS),
            "interp-tos32": bench.build_host_bench(out_dir / "tos32",
                                                   extra_flags=("-DWB_TOS32=1",))}


def test_holdout_kernels_exist() -> None:
    assert {"sha256", "qsort", "hashmap", "mandel"} <= set(KERNELS)


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_both_interpreters_match_the_reference(name: str, out_dir: Path,
                                               runners: dict[str, Path]) -> None:
    kernel = KERNELS[name]
    n = max(1, kernel.default_n // 10)
    wasm = bench.build_wasm_kernel(kernel, out_dir)
    reference = reference_result(wasm, kernel.export, n)
    for mode, exe in runners.items():
        assert bench.run_interp(exe, wasm, kernel, n) == reference, mode
