"""Soak samples: spec passes on one agent with identical pool statistics, then invocations
(the full soak — the core suite three times and a million invocations — is
`wasmbed soak --board qemu-riscv64`, reported in the closing notes)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wasmbed.run import soak

FILES = "i32.wast,br_table.wast,memory_grow.wast,call_indirect.wast"
#: without the memory.grow checks that need more than mps2's 16 MiB (known, see the board)
SMALL_RAM_FILES = "i32.wast,br_table.wast,memory.wast,int_exprs.wast"


def _soak(board: str, tmp_path: Path, invokes: int, files: str = FILES) -> dict:
    out = tmp_path / "soak.json"
    r = subprocess.run([sys.executable, "-m", "wasmbed.cli", "soak", "--board", board,
                        "--passes", "2", "--files", files, "--invokes", str(invokes),
                        "--block", str(invokes // 4), "--json", str(out),
                        "--slowdown", "0"],  # speed is a benchmark's business, not a test's
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(out.read_text())


def test_soak_on_the_host_agent(tmp_path: Path) -> None:
    rep = _soak("host", tmp_path, 40000)
    assert rep["ok"] and len(rep["passes"]) == 2
    assert rep["passes"][0]["passed"] > 800
    assert rep["passes"][0]["pool_used"] == rep["passes"][1]["pool_used"]
    assert rep["invocations"]["count"] == 40000 and rep["invocations"]["wrong"] == 0


@pytest.mark.qemu
@pytest.mark.parametrize("board,qemu,invokes,files", [
    ("qemu-riscv64", "qemu-system-riscv64", 8000, FILES),
    ("mps2-an386", "qemu-system-arm", 2000, SMALL_RAM_FILES),  # CMSDK UART: ~130 calls/s
])
def test_soak_under_qemu(board: str, qemu: str, invokes: int, files: str,
                         tmp_path: Path) -> None:
    if shutil.which(qemu) is None:
        pytest.skip(f"{qemu} not installed")
    rep = _soak(board, tmp_path, invokes, files)
    assert rep["ok"], rep["problems"]
    assert rep["passes"][1]["restarts"] == 0


def test_judge_names_a_leak_a_restart_and_a_slowdown() -> None:
    p1 = soak.Pass(10, 0, 1, 0, 1.0, 1000)
    p2 = soak.Pass(10, 0, 1, 1, 1.0, 1064)
    inv = soak.Invocations(100, 0, 1.0, 50, rates=[1000.0, 400.0], pool_used=[5, 5])
    problems = soak.judge([p1, p2], inv)
    assert any("a leak" in p for p in problems)
    assert any("restart" in p for p in problems)
    assert any("slowed down" in p for p in problems)
    assert soak.judge([p1, p1], soak.Invocations(100, 0, 1.0, 50, [900.0, 1000.0], [5, 5])) == []
