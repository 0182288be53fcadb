"""AOT on the boards without position-independent code (docs/aot.md, "Non-PIC images"):
Xtensa (qemu-xtensa, and the ESP32's static image) and big-endian MIPS (malta-mips).
A small sample of the spec suite per board; the full runs are `run-on-qemu B --mode aot`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent_helpers import wat
from aot_helpers import aot_sample_on_qemu
from test_aot import HELLO, PROGRAM
from wasmbed.aot import compiler, fileformat
from wasmbed.errors import WasmbedError

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
XTENSA_TOOLS = ("clang-22", "llvm-mc-22", "xtensa-lx106-elf-ld")


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (ci/setup.sh installs them)")


# ---- Xtensa ------------------------------------------------------------------------------

@pytest.mark.build
def test_xtensa_image_is_plain_words_with_relocations() -> None:
    """No -fPIC (clang-22's Xtensa back end has none): the addresses are l32r literal
    words and jump-table entries, which the two-link diff finds."""
    _need(*XTENSA_TOOLS)
    for board in ("qemu-xtensa", "esp32"):
        info = fileformat.describe(compiler.compile_module(wat(PROGRAM),
                                                           compiler.target_for(board)))
        assert info["crc_ok"] and info["abi"] == "p32-le"
        assert info["relocations"] > 0 and info["functions"] == 17


@pytest.mark.build
@pytest.mark.qemu
@pytest.mark.spec
def test_spec_sample_in_aot_mode_on_qemu_xtensa(tmp_path: Path) -> None:
    _need(*XTENSA_TOOLS, "qemu-system-xtensa")
    aot_sample_on_qemu("qemu-xtensa", ["i64.wast", "call_indirect.wast"], tmp_path)


@pytest.mark.build
@pytest.mark.qemu
def test_static_link_hello_on_qemu_xtensa(tmp_path: Path) -> None:
    """scons board=qemu-xtensa features=aot,libc-builtin app=hello.wasm werror=1 boots,
    prints and exits with the program's code."""
    _need(*XTENSA_TOOLS, "qemu-system-xtensa")
    firmware = _static_build("qemu-xtensa", tmp_path)
    run = subprocess.run([str(BIN / "run-on-qemu"), "qemu-xtensa", "--firmware", str(firmware)],
                         capture_output=True, text=True, timeout=600)
    assert "Hello from AOT on the board" in run.stdout
    assert run.returncode == 42, run.stdout + run.stderr


@pytest.mark.build
def test_static_aot_image_for_esp32(tmp_path: Path) -> None:
    """scons board=esp32 features=aot,libc-builtin app=hello.wasm: warning-free, the
    translated functions in IRAM, and an ESP image the ROM loader accepts."""
    _need(*XTENSA_TOOLS)
    from elftools.elf.elffile import ELFFile

    from wasmbed.build import flash
    from wasmbed.model.descriptors import load_board

    firmware = _static_build("esp32", tmp_path)
    board = load_board("esp32")
    iram = next(r for r in board.memory if r.name == "iram")
    with open(firmware, "rb") as fh:
        syms = {s.name: s["st_value"] for s in ELFFile(fh).get_section_by_name(".symtab")
                .iter_symbols()}
    tramps = [v for k, v in syms.items() if k.startswith("wbaot_t")]
    assert tramps and all(iram.origin <= v < iram.end for v in tramps)
    image = tmp_path / "firmware.bin"
    r = subprocess.run([sys.executable, "-m", "esptool", "--chip", "esp32", "elf2image",
                        "--flash-mode", "dio", "--use-segments", "-o", str(image),
                        str(firmware)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert flash.check_esp_image(board, image, firmware)


def _static_build(board: str, tmp_path: Path) -> Path:
    app = tmp_path / "hello.wasm"
    app.write_bytes(wat(HELLO))
    r = subprocess.run([str(BIN / "scons"), "-Q", "-j2", f"board={board}",
                        "features=aot,libc-builtin", f"app={app}", "werror=1",
                        f"build_dir={tmp_path / 'fw'}"],
                       cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "warning:" not in r.stdout + r.stderr
    firmware = next(tmp_path.rglob("firmware.elf"))
    assert json.loads((firmware.parent / "build.json").read_text())["static_app"] == str(app)
    return firmware


# ---- big-endian MIPS ---------------------------------------------------------------------

def test_mips_diff_finds_lui_and_jal_fields() -> None:
    """The two-link diff on non-PIC MIPS: `lui` upper halves and `j`/`jal` word indexes
    that moved with the base become HI16 / J26 relocations; anything else stops."""
    import struct

    from wasmbed.aot import link

    delta = link.MIPS_BASE_B - link.BASE_A
    lui_a = (0x0F << 26) | (4 << 16) | 0x1000            # lui a0, 0x1000
    jal_a = (0x03 << 26) | (0x10000040 >> 2)             # jal 0x10000040
    ptr_a = 0x10000123
    a = struct.pack(">III", lui_a, jal_a, ptr_a)
    b = struct.pack(">III", lui_a + (delta >> 16), jal_a + ((delta >> 2) & 0x3FFFFFF),
                    ptr_a + delta)
    assert link.diff_relocs(a, b, delta, 32, ">", mips=True) == [
        0 | link.RELOC_HI16, 4 | link.RELOC_J26, 8 | link.RELOC_WORD]
    with pytest.raises(WasmbedError, match="not a plain pointer word"):
        link.diff_relocs(a, b, delta, 32, ">")               # not MIPS: refused
    ori = (0x0D << 26) | 0x1000                              # ori: not an address field
    with pytest.raises(WasmbedError, match="offset 0x"):
        link.diff_relocs(struct.pack(">I", ori), struct.pack(">I", ori + 0x101), delta, 32, ">",
                         mips=True)


@pytest.mark.build
def test_mips_image_is_64k_aligned_non_pic() -> None:
    info = fileformat.describe(compiler.compile_module(wat(PROGRAM),
                                                       compiler.target_for("malta-mips")))
    assert info["version"] == 2 and info["abi"] == "p32-be-hf"
    assert info["align"] == 65536 and info["relocations"] > 0
    assert info["image_size"] < 16384    # zig's compiler-rt cut to what the code calls


@pytest.mark.build
@pytest.mark.qemu
@pytest.mark.spec
def test_spec_sample_in_aot_mode_on_malta_mips(tmp_path: Path) -> None:
    _need("qemu-system-mips")
    aot_sample_on_qemu("malta-mips", ["endianness.wast", "call_indirect.wast"], tmp_path)
