"""Boards whose agent is a process on this machine's stdio: Linux i386 and zig's x86_64
glibc build natively, Linux on aarch64/riscv64/s390x/mips under QEMU user-mode emulation
(`runner: {kind: qemu-user}`), Windows under Wine (`runner: {kind: wine}`); and boards of
other systems (macOS, FreeBSD) that say where they run instead of failing to exec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmbed.cli import main
from wasmbed.model.descriptors import load_board
from wasmbed.errors import WasmbedError
from wasmbed.run.target import check_runs_here, open_target

QEMU_USER = {"linux-aarch64": "qemu-aarch64", "linux-riscv64": "qemu-riscv64",
             "linux-s390x": "qemu-s390x", "linux-mips": "qemu-mips"}
# integer and float semantics, conversions, byte order of loads/stores, tables
SAMPLE = "i32.wast,i64.wast,f32.wast,f64.wast,conversions.wast,endianness.wast,memory.wast," \
         "call_indirect.wast"


@pytest.mark.parametrize("board,binary", sorted(QEMU_USER.items()))
def test_qemu_user_boards_name_their_runner(board: str, binary: str) -> None:
    b = load_board(board)
    assert b.runner == "qemu-user" and b.runner_command() == (binary,)
    assert b.qemu is None  # no QEMU system machine
    assert b.triple.endswith("-unknown-linux-musl") and b.platform == "linux"
    assert (b.endian == "big") == (board in ("linux-s390x", "linux-mips"))


def test_windows_runs_under_wine_and_native_boards_as_processes() -> None:
    assert load_board("windows-x86_64").runner_command() == ("wine",)
    for name in ("host-i386", "x86_64-none-linux", "macos-x86_64", "freebsd-x86_64"):
        assert load_board(name).runner == "process" and load_board(name).runner_command() == ()


def test_a_board_of_another_system_says_where_it_runs() -> None:
    with pytest.raises(WasmbedError) as err:
        check_runs_here("macos-x86_64", "darwin", "x86_64", system="linux", machine="x86_64")
    assert "macOS process" in err.value.message
    assert "wasmbed spec --board macos-x86_64" in (err.value.hint or "")
    # ... and on a Mac the same board is a process like the host (no Linux assumption)
    check_runs_here("macos-x86_64", "darwin", "x86_64", system="darwin", machine="x86_64")
    check_runs_here("freebsd-x86_64", "freebsd", "x86_64", system="freebsd14", machine="amd64")
    check_runs_here("host-i386", "linux", "i386", system="linux", machine="x86_64")
    with pytest.raises(WasmbedError, match="aarch64 executable: this machine is x86_64"):
        check_runs_here("b", "linux", "aarch64", system="linux", machine="x86_64")
    with pytest.raises(WasmbedError, match="macOS process"):
        open_target("macos-x86_64", firmware=Path(__file__))


def test_missing_runner_binary_names_its_package(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "emu.yaml").write_text(
        "name: emu\ndescription: test\ntier: C\ntriple: s390x-unknown-linux-musl\n"
        "arch: s390x\nendian: big\nplatform: linux\nfeatures: [interp]\nheap_size: 1M\n"
        "runner: {kind: qemu-user, binary: qemu-nonexistent-h16, package: qemu-user}\n")
    monkeypatch.setenv("WASMBED_BOARDS_PATH", str(tmp_path))
    with pytest.raises(WasmbedError) as err:
        open_target("emu", firmware=Path(__file__))
    assert "qemu-nonexistent-h16" in err.value.message and "qemu-user" in (err.value.hint or "")


@pytest.mark.build
@pytest.mark.spec
@pytest.mark.parametrize("board", ["host-i386", "x86_64-none-linux", *sorted(QEMU_USER),
                                   "windows-x86_64"])
def test_process_board_passes_a_sample_of_the_suite(board: str, tmp_path: Path) -> None:
    """Built with the board's own toolchain, run through its runner; the full suite is a
    command (`wasmbed spec --board BOARD`, figures in docs/evidence.json)."""
    out = tmp_path / f"{board}.json"
    code = main(["spec", "--board", board, "--files", SAMPLE, "--json", str(out)])
    data = json.loads(out.read_text())
    assert data["board"] == board and data["commit"] and data["measured_at"]
    failing = {name for name, f in data["files"].items() if f["failed"]}
    if board == "linux-mips":
        # soft float through compiler-rt: a signalling NaN promoted to f64 stays signalling
        # (2 checks of conversions.wast); the full suite: 27356/27368 (boards/linux-mips.yaml)
        assert failing <= {"conversions.wast"} and data["totals"]["failed"] <= 2, data["files"]
    else:
        assert data["totals"]["failed"] == 0 and code == 0, data["files"]
    assert data["totals"]["passed"] > 6500, data["totals"]  # 6825 of 6850 (25 text-format)
    assert data["restarts"] == 0
