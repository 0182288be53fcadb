"""Triple -> toolchain; a missing compiler is an error that names what to install."""

from __future__ import annotations

import pytest

from wasmbed.model import descriptors
from wasmbed.model import toolchains
from wasmbed.errors import WasmbedError


def test_every_board_triple_has_a_rule():
    for b in descriptors.all_boards():
        tc = toolchains.for_board(b)
        assert tc.found or tc.missing, b.name
        if not tc.found:
            assert tc.package, f"{b.name}: a missing toolchain must name a package"


def test_known_defaults():
    assert toolchains.TRIPLES["riscv32-unknown-elf"] == ("gcc", "riscv64-unknown-elf-")
    assert toolchains.TRIPLES["arm-none-eabi"] == ("gcc", "arm-none-eabi-")
    assert toolchains.TRIPLES["mips-unknown-elf"] == ("zig", "mips-freestanding-none")
    assert toolchains.TRIPLES["xtensa-esp32-elf"][0] == "clang"


def test_missing_cross_gcc_names_the_debian_package(monkeypatch):
    monkeypatch.setattr(toolchains.shutil, "which",
                        lambda name: None if "riscv64-unknown-elf" in name else f"/usr/bin/{name}")
    tc = toolchains.for_board(descriptors.load_board("qemu-riscv64"))
    assert not tc.found
    with pytest.raises(WasmbedError) as err:
        tc.require("qemu-riscv64")
    text = str(err.value)
    assert "riscv64-unknown-elf-gcc not found" in text
    assert "gcc-riscv64-unknown-elf" in text and "apt-get install" in text


def test_missing_zig_names_the_pypi_package(monkeypatch):
    monkeypatch.setattr(toolchains, "_zig_ok", lambda: False)
    tc = toolchains.for_board(descriptors.load_board("qemu-aarch64"))
    with pytest.raises(WasmbedError, match=r"(?s)python -m ziglang.*pip install ziglang"):
        tc.require("qemu-aarch64")


def test_missing_clang22_names_the_package(monkeypatch):
    real = toolchains.shutil.which
    monkeypatch.setattr(toolchains.shutil, "which",
                        lambda name: None if name == "clang-22" else real(name))
    tc = toolchains.for_board(descriptors.load_board("esp32"))
    with pytest.raises(WasmbedError, match=r"(?s)clang-22 not found.*apt-get install clang-22"):
        tc.require("esp32")


def test_arc_has_no_compiler_and_says_why():
    tc = toolchains.for_board(descriptors.load_board("arc-em"))
    assert not tc.found
    with pytest.raises(WasmbedError, match="no ARC back end"):
        tc.require("arc-em")


def test_override_spec():
    b = descriptors.load_board("qemu-riscv64")
    tc = toolchains.for_board(b, "zig:riscv64-freestanding-none")
    assert tc.family == "zig" and tc.target == "riscv64-freestanding-none"
    assert toolchains.for_board(b, "gcc").cc == ("riscv64-unknown-elf-gcc",)
    with pytest.raises(WasmbedError, match="toolchain='msvc'"):
        toolchains.for_board(b, "msvc")


def test_board_toolchain_section_is_used():
    b = descriptors.load_board("malta-mips")
    tc = toolchains.for_board(b)
    assert tc.target == "mips-freestanding-none"
    assert "-Wl,-e,_start" in tc.ldflags


def test_surrogate_for_sdk_less_os():
    b = descriptors.load_board("qemu-aarch64-nuttx")
    sur = toolchains.surrogate_for(b, descriptors.platform_of(b))
    assert sur is not None and sur.target == "aarch64-linux-musl"
    host = descriptors.load_board("host")
    assert toolchains.surrogate_for(host, descriptors.platform_of(host)) is None


# ---- Xtensa: the core's options, literal pools (wasmbed/build/xtensa.py) ----------------------------

def test_xtensa_boards_compile_for_their_core():
    esp32 = toolchains.for_board(descriptors.load_board("esp32"))
    de233 = toolchains.for_board(descriptors.load_board("qemu-xtensa"))
    assert esp32.family == de233.family == "clang" and esp32.linker == ("xtensa-lx106-elf-ld",)
    assert "+fp" in esp32.cflags and "+mul32high" in esp32.cflags
    # QEMU's de233_fpu has the ESP32's FPU but no MULUH/MULSH: code for them would trap
    assert "+fp" in de233.cflags and "+mul32high" not in de233.cflags
    assert "+windowed" in de233.cflags and "+div32" in de233.cflags
    mattr = next(a for a in de233.assembler if a.startswith("-mattr="))
    assert "+windowed" in mattr and "+rvector" in mattr and "+mul32high" not in mattr


def test_xtensa_literal_pools_move_before_their_function():
    from wasmbed.build.xtensa import move_literals

    text = ("\t.literal_position\n\t.literal .LCPI0_0, g\n\t.literal .LCPI0_1, 305419896\n"
            "\t.section\t.text.f,\"ax\",@progbits\n\t.p2align\t2\n\t.type\tf,@function\nf:\n"
            "\tl32r\ta8, .LCPI0_0\n\tretw\n"
            "\t.literal_position\n\t.literal .LCPI1_0, h\n\t.section\t.rodata.t,\"a\",@progbits\n"
            "\t.section\t.text.k,\"ax\",@progbits\n\t.type\tk,@function\nk:\n\tretw\n")
    out = move_literals(text)
    assert ".literal_position" not in out and "\t.literal " not in out
    first = out.index(".pushsection .literal.f,")
    assert out.index(".LCPI0_0:\n\t.long g") > first and out.index("\t.long 305419896") > first
    assert out.index(".p2align 2", first) < out.index(".LCPI0_0:")
    assert out.index(".pushsection .literal.k,") < out.index(".LCPI1_0:\n\t.long h") < out.index("k:")
    assert out.count(".popsection") == 2


def test_xtensa_inline_literal_pools_sit_right_before_their_function():
    """AOT images (wasmbed/aot/link.py): pools in the function's own section, below it."""
    from wasmbed.build.xtensa import move_literals

    text = ("\t.literal_position\n\t.literal .LCPI0_0, g\n\t.text\n\t.p2align\t2\n"
            "\t.type\tf,@function\nf:\n\tl32r\ta8, .LCPI0_0\n\tretw\n")
    out = move_literals(text, inline=True)
    assert ".pushsection" not in out and ".literal_position" not in out
    assert out.index("\t.text") < out.index(".LCPI0_0:\n\t.long g") < out.index("f:")


def test_aot_on_esp32_needs_the_static_route_and_qemu_xtensa_loads_files():
    """The ESP32's heap is DRAM (no code runs there): features=aot only with app=; the
    qemu-xtensa RAM executes, so its agent loads .aot files."""
    from wasmbed.build.sconsbuild import parse_arguments, plan

    with pytest.raises(WasmbedError, match=r"cannot execute") as err:
        plan(parse_arguments({"board": "esp32", "features": "aot,libc-builtin"}))
    assert "app=" in str(err.value.hint)
    assert "aot" in plan(parse_arguments({"board": "qemu-xtensa",
                                          "features": "aot,libc-builtin"})).keys
