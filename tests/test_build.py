"""Real builds through SCons: cross boards, build.json, no-op rebuilds, clean failures."""

from __future__ import annotations

import json
import subprocess

import pytest

from wasmbed import ROOT
from wasmbed.build.driver import build, scons_command
from wasmbed.errors import WasmbedError
from wasmbed.build.sconsbuild import parse_arguments, variant_dir
from wasmbed.model.descriptors import load_board

pytestmark = pytest.mark.build


def _elf_machine(path):
    data = path.read_bytes()[:20]
    assert data[:4] == b"\x7fELF"
    order = "little" if data[5] == 1 else "big"
    return int.from_bytes(data[18:20], order), order


@pytest.mark.parametrize("board,machine,order", [
    ("qemu-riscv64", 243, "little"),   # EM_RISCV
    ("mps2-an386", 40, "little"),      # EM_ARM
    ("qemu-aarch64", 183, "little"),   # EM_AARCH64
])
def test_cross_build(board, machine, order, tmp_path):
    out = tmp_path / board
    r = build(board, build_dir=out)
    assert r.variant_dir == out.resolve()
    assert r.firmware == out.resolve() / "firmware.elf"
    assert _elf_machine(r.firmware) == (machine, order)
    bj = json.loads((out / "build.json").read_text())
    assert bj == r.build_json
    assert bj["board"] == board and bj["status"] == "built"
    assert bj["triple"] == load_board(board).triple
    assert bj["sizes"]["text"] > 10_000
    assert bj["runtime"]["text"] > 10_000
    assert {"loader", "interp", "agent", "port"} <= set(bj["components"])
    assert bj["fits"] is True and bj["memory"]
    assert (out / "firmware.map").stat().st_size > 0
    cdb = json.loads((out / "compile_commands.json").read_text())
    assert any(e["file"].endswith("wb_interp.c") for e in cdb)
    # a no-op rebuild does nothing: scons --question says "up to date" (build once more
    # first: other work may have edited runtime_src/ while the first build ran)
    build(board, build_dir=out)
    q = subprocess.run(scons_command() + ["-C", str(ROOT), "-q", f"board={board}",
                                          f"build_dir={out}"], capture_output=True, text=True)
    assert q.returncode == 0, q.stdout + q.stderr


def test_raw_image_for_boards_that_flash_one(tmp_path):
    r = build("mps2-an385", build_dir=tmp_path / "an385")
    assert r.build_json["images"] == [str((tmp_path / "an385").resolve() / "firmware.bin")]
    assert (tmp_path / "an385" / "firmware.bin").stat().st_size > 10_000


def test_host_build_runs_and_other_features_get_their_own_dir():
    r = build("host")
    assert r.variant_dir == ROOT / "build" / "host"
    banner = subprocess.run([str(r.firmware)], input=b"", capture_output=True, timeout=30)
    assert b"WASMBED READY" in banner.stdout
    b = load_board("host")
    other = variant_dir(b, ["global-heap-pool", "interp", "libc-builtin"])
    assert other.name.startswith("host-") and other != r.variant_dir


def test_image_that_does_not_fit_fails(tmp_path):
    too_big = max(r.length for r in load_board("mps2-an386").memory) + (1 << 20)
    with pytest.raises(WasmbedError) as err:
        build("mps2-an386", heap_size=too_big, build_dir=tmp_path / "big")
    text = str(err.value).lower()
    assert "does not fit" in text or "overflow" in text or "too small" in text


def test_missing_toolchain_stops_cleanly(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no cross compiler, no llvm-size
    with pytest.raises(WasmbedError) as err:
        build("qemu-riscv64", build_dir=tmp_path / "x")
    assert "gcc-riscv64-unknown-elf" in str(err.value)
    assert not (tmp_path / "x" / "obj").exists()


def test_without_sdk_board_reports_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("NUTTX_DIR", raising=False)
    r = build("qemu-aarch64-nuttx", build_dir=tmp_path / "nuttx")
    assert r.firmware is None
    assert r.build_json["status"] == "built-without-sdk"
    assert "NuttX" in r.build_json["missing"]
    assert (tmp_path / "nuttx" / "gen" / "integration" / "nuttx" / "Kconfig").exists()


def test_bad_arguments_are_clear():
    with pytest.raises(WasmbedError, match="did you mean board="):
        parse_arguments({"bord": "host"})
    with pytest.raises(WasmbedError, match="unknown board 'hots'"):
        build("hots")
    with pytest.raises(WasmbedError, match="sanitize works on x86_64 Linux"):
        build("qemu-riscv64", mode="sanitize")


def test_matrix_rows_for_each_kind_of_outcome(tmp_path):
    from wasmbed.build import matrix

    m = matrix.run(["host", "qemu-aarch64-nuttx", "arc-em"], parallel=2)
    rows = m["boards"]
    assert rows["host"]["status"] == "built" and rows["host"]["text"] > 10_000
    assert rows["qemu-aarch64-nuttx"]["status"] == "built-without-sdk"
    assert "NuttX" in rows["qemu-aarch64-nuttx"]["error"]
    assert rows["arc-em"]["status"] == "no-toolchain" and "ARC" in rows["arc-em"]["error"]
    assert m["summary"]["by_triple"]["built"] == 1
    matrix.write(m, tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["boards"].keys() == rows.keys()


def test_sanitize_mode_on_host(tmp_path):
    r = build("host", mode="sanitize", build_dir=tmp_path / "asan")
    assert r.build_json["mode"] == "sanitize"
    out = subprocess.run([str(r.firmware)], input=b"", capture_output=True, timeout=60)
    assert b"WASMBED READY" in out.stdout


@pytest.mark.parametrize("board", [
    "esp32",           # clang-22, Xtensa
    "malta-mips",      # zig, big-endian MIPS
    "windows-x86_64",  # zig, PE/COFF
    "android-x86_64",  # zig against a surrogate libc (built-without-sdk)
    "mps2-an385",      # Debian arm-none-eabi-gcc
])
def test_warning_free_with_werror(board, tmp_path):
    """Each toolchain family compiles the runtime, agent and port warning-free (the matrix
    builds every board this way: werror=1 turns a warning into a failed row)."""
    out = tmp_path / board
    r = build(board, build_dir=out, werror=True)
    assert r.build_json["status"] in ("built", "built-without-sdk")
    cdb = json.loads((out / "compile_commands.json").read_text())
    c_files = [e for e in cdb if e["file"].endswith(".c")]
    assert c_files and all("-Werror" in e["command"] for e in c_files)
