"""The whole core spec suite, as the issues count it: on the host agent (full loader,
mini loader, AddressSanitizer + UBSan build) and under QEMU on qemu-riscv64 and
mps2-an386, through the same commands a user types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmbed.cli import main, run_on_qemu_main
from wasmbed.run.spec import SKIP_MINI, SKIP_TEXT

pytestmark = pytest.mark.spec
MIN_PASS_RATE = 0.995


def _report(path: Path) -> dict:
    data = json.loads(path.read_text())
    totals = data["totals"]
    assert totals["passed"] > 25000, totals  # the whole suite ran, not a part of it
    return data


def _skip_reasons(data: dict) -> set[str]:
    return set(data["skip_reasons"])


def _pass_rate(totals: dict) -> float:
    return totals["passed"] / (totals["passed"] + totals["failed"])


def test_host_core_suite_full_loader(tmp_path: Path) -> None:
    out = tmp_path / "host.json"
    code = main(["spec", "--board", "host", "--suite", "core", "--json", str(out)])
    data = _report(out)
    assert data["loader"] == "full"
    assert code == (1 if data["totals"]["failed"] else 0)
    assert _pass_rate(data["totals"]) >= MIN_PASS_RATE, data["totals"]
    # the only skips: text-format modules (a binary runtime has no text parser)
    assert _skip_reasons(data) <= {SKIP_TEXT}, _skip_reasons(data)
    assert 550 <= data["totals"]["skipped"] <= 600


def test_host_core_suite_mini_loader_has_no_failure(tmp_path: Path) -> None:
    out = tmp_path / "mini.json"
    assert main(["spec", "--board", "host", "--suite", "core", "--mini-loader",
                 "--json", str(out)]) == 0
    data = _report(out)
    assert data["loader"] == "mini" and data["totals"]["failed"] == 0
    assert _skip_reasons(data) <= {SKIP_TEXT, SKIP_MINI}


@pytest.mark.build
def test_host_core_suite_under_sanitizers_has_no_failure(tmp_path: Path) -> None:
    """ASan + UBSan abort the agent on any report (-fno-sanitize-recover=all); the
    runner would record that as a guest crash, so no failure means no report."""
    out = tmp_path / "san.json"
    assert main(["spec", "--board", "host", "--suite", "core", "--mode", "sanitize",
                 "--json", str(out)]) == 0
    data = _report(out)
    assert data["totals"]["failed"] == 0 and data["restarts"] == 0


@pytest.mark.qemu
@pytest.mark.slow
@pytest.mark.parametrize("arch,board", [("riscv64", "qemu-riscv64"), ("cortex-m4", "mps2-an386")])
def test_core_suite_under_qemu(arch: str, board: str, tmp_path: Path) -> None:
    out, junit = tmp_path / f"{arch}.json", tmp_path / f"{arch}.xml"
    run_on_qemu_main([arch, "--json", str(out), "--junit", str(junit)])
    data = _report(out)
    assert data["board"] == board and data["guest_resets"] == 0
    assert _pass_rate(data["totals"]) >= MIN_PASS_RATE, data["totals"]
    assert _skip_reasons(data) <= {SKIP_TEXT}
    assert junit.read_text().count("<testcase") == len(data["files"])


SAMPLE = "i32.wast,i64.wast,f32.wast,f64.wast,conversions.wast,call_indirect.wast,br_table.wast,memory_grow.wast,bulk.wast,ref_func.wast,linking.wast"


@pytest.mark.qemu
@pytest.mark.build
@pytest.mark.parametrize("arch,ram_limited", [("riscv32", 0), ("aarch64", 0), ("cortex-m3", 3),
                                              ("mips", 0), ("mips64", 0), ("i386", 0),
                                              ("xtensa", 0)])
def test_every_qemu_board_passes_a_sample_of_the_suite(arch: str, ram_limited: int,
                                                       tmp_path: Path) -> None:
    """The other QEMU boards (both endiannesses, 32 and 64 bit, Xtensa's windowed ABI with
    soft float): a sample of the suite
    covering integer and float semantics, tables, memory growth, bulk memory and linking.
    mps2 boards have 16 MiB of RAM for the pool: the commands that grow a memory past
    it fail (memory.grow returns -1) and nothing else may."""
    out = tmp_path / f"{arch}.json"
    # Xtensa's dc233c has no FPU: f32/f64 run through soft float, the slowest guest by far;
    # two guests keep it near the others' time
    jobs = ["--jobs", "2"] if arch == "xtensa" else []
    run_on_qemu_main([arch, "--files", SAMPLE, "--json", str(out), *jobs])
    data = json.loads(out.read_text())
    assert data["totals"]["passed"] > 7000, data["totals"]
    assert data["totals"]["failed"] == ram_limited, data["files"]
    failing = {name for name, f in data["files"].items() if f["failed"]}
    assert failing <= {"memory_grow.wast", "call_indirect.wast"}, failing
