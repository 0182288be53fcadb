"""Generated C -> position-independent code image, with the board's own compiler.

The C file is compiled with -fPIC and linked twice by the board's linker (with libgcc for
the helpers the compiler calls, e.g. 64-bit division on 32-bit CPUs) at two base
addresses. Every word that differs between the two images by exactly the difference of
the bases is an absolute address: the loader adds its load address to it. Any other
difference is an address split across instruction fields that the loader cannot patch,
and compilation stops with an error naming the offset. Everything PC-relative is already
resolved by the linker, so the loader needs no per-architecture relocation code.
"""

from __future__ import annotations

import io
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wasmbed.errors import WasmbedError
from wasmbed.model.toolchains import Toolchain

COMPILE_TIMEOUT = 900
#: C sources larger than this compile at -O1: GCC's -O2 passes grow faster than linearly on
#: the spec suite's giant generated functions, and such modules are tests, not hot code
BIG_SOURCE = 200_000

BASE_A = 0x10000000
BASE_B = 0x20000000

# -fno-optimize-sibling-calls: a tail call reuses its frame, so endless wasm recursion
# (call.wast's runaway) would loop forever instead of exhausting the stack
CFLAGS = ("-O2", "-fPIC", "-ffreestanding", "-fno-builtin", "-fno-stack-protector",
          "-fno-asynchronous-unwind-tables", "-fno-unwind-tables", "-ffp-contract=off",
          "-fno-math-errno", "-fno-optimize-sibling-calls",
          "-fno-strict-aliasing", "-fvisibility=hidden", "-fno-common", "-w")

LINKER_SCRIPT = """
ENTRY(wbaot_image)
SECTIONS {{
  . = {base:#x};
  wbaot_image = .;
  .text : {{ {library_text} *(.text.unlikely .text.unlikely.*) *(.text .text.* .gnu.linkonce.t.*) }}
  .rodata : {{ *(.rodata .rodata.* .srodata .srodata.* .gnu.linkonce.r.*) }}
  .data : {{ *(.data.rel.ro .data.rel.ro.*) *(.data .data.* .sdata .sdata.*)
            *(.got .got.* .got.plt) }}
  _gp = ALIGN(16) + 0x7ff0;
  .bss : {{ *(.sbss .sbss.* .bss .bss.* COMMON) }}
  wbaot_end = .;
  /DISCARD/ : {{ *(.comment) *(.note .note.*) *(.eh_frame .eh_frame_hdr) *(.ARM.exidx*)
                *(.ARM.extab*) *(.gnu.attributes) }}
}}
"""


#: Xtensa: compiler-rt's objects keep their literal pools in `.literal` sections (the
#: generated code's are inline), placed right below the library's code: `l32r` only reaches
#: backwards, 256 KiB
XTENSA_LIBRARY = "*(.literal .literal.*) *libwbrt.a:*(.text .text.*)"


#: zig links its compiler-rt as one object of ~280 KiB (f128 trigonometry and all):
#: --gc-sections keeps what the module's code (kept whole) reaches
ZIG_KEEP = "KEEP(*module.o(.text .text.*))"


def arch_flags(cpu_flags: tuple[str, ...]) -> list[str]:
    """Per-CPU switches that make the code position independent where the board's own
    flags turned that off (MIPS boards build the firmware with -mno-abicalls)."""
    if "-mno-abicalls" in cpu_flags:
        return ["-mabicalls"]
    return []


@dataclass
class Image:
    data: bytes
    relocs: list[int]
    syms: dict[str, int]
    align: int = 16


#: load-address alignment the code relies on: AArch64's ADRP addresses 4 KiB pages
#: relative to the PC's page, so the image must keep its page offset (the two-link diff
#: cannot see this: both bases are page aligned)
PAGE_RELATIVE = {"EM_AARCH64": 4096}

#: switches that ask for position-independent code (targets that get none: is_xtensa,
#: is_mips32)
PIC_FLAGS = ("-fPIC", "-mabicalls")

#: relocation kinds, in the low 2 bits of a relocation's offset (format version 2; code
#: and pointer words are 4-aligned): the loader adds the load delta to ...
RELOC_WORD = 0   # ... a pointer-sized word
RELOC_HI16 = 1   # ... the upper half of the address in a MIPS `lui` (the image is loaded
                 #     64 KiB aligned, so the %lo halves never change)
RELOC_J26 = 2    # ... the word index of a MIPS `j`/`jal` (the image stays inside one
                 #     256 MiB segment, which the loader checks)

#: 32-bit MIPS links its second image at a base that differs in bits 16..27 too (a
#: multiple of 64 KiB, inside the same 256 MiB segment as BASE_A), so `lui` upper halves
#: and `j`/`jal` fields differ between the two links and the diff sees them
MIPS_BASE_B = 0x11010000
MIPS_ALIGN = 65536
_MIPS_LUI, _MIPS_J, _MIPS_JAL = 0x0F, 0x02, 0x03


def _run(cmd: list[str], what: str) -> None:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT)
    except OSError as err:
        raise WasmbedError(f"AOT {what}: cannot run {cmd[0]}: {err}") from None
    except subprocess.TimeoutExpired:
        raise WasmbedError(f"AOT {what}: {cmd[0]} took more than {COMPILE_TIMEOUT} s") from None
    if r.returncode:
        tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-15:])
        raise WasmbedError(f"AOT {what} failed ({' '.join(cmd[:6])} ...):\n{tail}")


def _flat(elf_path: Path) -> tuple[bytes, dict[str, int], int, str, str]:
    from elftools.elf.elffile import ELFFile
    from elftools.elf.sections import SymbolTableSection

    with open(elf_path, "rb") as fh:
        elf = ELFFile(io.BytesIO(fh.read()))
    syms: dict[str, int] = {}
    start = end = None
    for sec in elf.iter_sections():
        if isinstance(sec, SymbolTableSection):
            for s in sec.iter_symbols():
                if s.name:
                    syms[s.name] = s["st_value"]
    start, end = syms.get("wbaot_image"), syms.get("wbaot_end")
    if start is None or end is None:
        raise WasmbedError(f"AOT link: {elf_path} has no wbaot_image/wbaot_end symbols")
    img = bytearray(end - start)
    for sec in elf.iter_sections():
        if not sec["sh_flags"] & 2 or sec["sh_type"] == "SHT_NOBITS":  # SHF_ALLOC
            continue
        addr = sec["sh_addr"]
        if addr < start or addr + sec["sh_size"] > end:
            if sec["sh_size"]:
                raise WasmbedError(f"AOT link: section {sec.name} lies outside the image")
            continue
        img[addr - start:addr - start + sec["sh_size"]] = sec.data()
    endian = "<" if elf.little_endian else ">"
    return bytes(img), {k: v - start for k, v in syms.items() if start <= v < end}, \
        elf.elfclass, endian, elf["e_machine"]


def is_mips32(triple: str, cpu_flags: tuple[str, ...]) -> bool:
    """32-bit bare-metal MIPS (the board builds with -mno-abicalls), compiled without PIC:
    -mabicalls images derive $gp from $t9 at every entry and zig's compiler-rt brings
    HI16/LO16 pairs anyway, so non-PIC code with HI16 and J26 relocations (found by the
    diff) is the route that works. MIPS Linux boards keep -fPIC: their code memory comes
    from mmap, page aligned, not the 64 KiB these images ask for."""
    return triple.split("-", 1)[0] in ("mips", "mipsel") and "-mno-abicalls" in cpu_flags


def is_xtensa(tc: Toolchain) -> bool:
    """clang-22's Xtensa back end: assembled by llvm-mc, linked by GNU ld (build/xtensa.py)."""
    return tc.family == "clang" and bool(tc.assembler) and bool(tc.linker)


def _xtensa_object(tc: Toolchain, flags: list[str], src: Path, obj: Path) -> None:
    """clang -S, literal pools inline before each function, llvm-mc: clang-22's Xtensa
    back end has no PIC (it crashes on -fPIC), and needs none here: code reaches its
    constants and callees through `l32r` literal words (PC-relative loads of whole 32-bit
    words), so every absolute address is a plain pointer word the two-link diff finds."""
    from wasmbed.build import xtensa

    asm = obj.with_suffix(".s")
    _run([*tc.cc, "-S", *flags, str(src), "-o", str(asm)], "compile")
    asm.write_text(xtensa.move_literals(asm.read_text(), inline=True))
    _run([*tc.assembler, str(asm), "-o", str(obj)], "assemble")


def _xtensa_link(tc: Toolchain, flags: list[str], script: Path, obj: Path, out: Path,
                 wd: Path) -> None:
    """GNU ld (no relaxation: both links must lay out the same bytes) with compiler-rt's
    builtins in place of libgcc (Debian ships no Xtensa libgcc)."""
    from wasmbed.build import xtensa

    lib = xtensa.builtins_archive(tc, flags, wd / "compiler-rt")
    _run([*tc.linker, "-nostdlib", "-static", "--no-relax", "--build-id=none", f"-T{script}",
          str(obj), "--start-group", str(lib), "--end-group", "-o", str(out)], "link")


def build_image(c_source: str, tc: Toolchain, cpu_flags: tuple[str, ...],
                workdir: Path | None = None, triple: str = "") -> Image:
    tmp_ctx = tempfile.TemporaryDirectory(prefix="wbaot-") if workdir is None else None
    wd = Path(tmp_ctx.name) if tmp_ctx else workdir
    assert wd is not None
    wd.mkdir(parents=True, exist_ok=True)
    try:
        src = wd / "module.c"
        src.write_text(c_source)
        obj = wd / "module.o"
        flags = [f if f != "-O2" or len(c_source) < BIG_SOURCE else "-O1" for f in CFLAGS]
        xtensa = is_xtensa(tc)
        mips = is_mips32(triple, cpu_flags)
        base_b = MIPS_BASE_B if mips else BASE_B
        if xtensa or mips:
            flags = [f for f in flags if f not in PIC_FLAGS]
        else:
            flags = [*flags, *arch_flags(cpu_flags)]
        if xtensa:
            _xtensa_object(tc, [*tc.cflags, *cpu_flags, *flags], src, obj)
        else:
            _run([*tc.cc, *tc.cflags, *cpu_flags, *flags, "-c", str(src), "-o", str(obj)],
                 "compile")
        images = []
        for base in (BASE_A, base_b):
            ld = wd / f"link{base:x}.ld"
            ld.write_text(LINKER_SCRIPT.format(
                base=base, library_text=XTENSA_LIBRARY if xtensa else
                ZIG_KEEP if tc.family == "zig" else ""))
            out = wd / f"module{base:x}.elf"
            if xtensa:
                _xtensa_link(tc, [*tc.cflags, *cpu_flags], ld, obj, out, wd)
            else:
                pie = ["-no-pie"] if tc.family in ("host", "gcc") else \
                    ["-Wl,--gc-sections"] if tc.family == "zig" else []
                _run([*tc.cc, *tc.cflags, *cpu_flags, *pie, "-nostdlib", "-static",
                      "-Wl,--build-id=none", f"-Wl,-T,{ld}", str(obj), "-lgcc", "-o", str(out)],
                     "link")
            images.append(_flat(out))
        (a, syms, cls, endian, machine), (b, _, _, _, _) = images
        return Image(a, diff_relocs(a, b, base_b - BASE_A, cls, endian, mips=mips), syms,
                     MIPS_ALIGN if mips else PAGE_RELATIVE.get(machine, 16))
    finally:
        if tmp_ctx:
            tmp_ctx.cleanup()


def diff_relocs(a: bytes, b: bytes, delta: int, bits: int, endian: str,
                mips: bool = False) -> list[int]:
    """Offsets of the pointer-sized words that differ by exactly `delta` (and with mips,
    of the `lui` and `j`/`jal` words whose fields differ by delta's part), each with its
    kind (RELOC_*) in the low 2 bits."""
    if len(a) != len(b):
        raise WasmbedError("AOT link: the two links gave images of different sizes")
    width = bits // 8
    fmt = endian + ("Q" if width == 8 else "I")
    relocs = []
    mask = (1 << bits) - 1
    i = 0
    n = len(a)
    while i < n:
        if a[i] == b[i]:
            i += 1
            continue
        w = i - i % width
        if w + width <= n:
            x = struct.unpack_from(fmt, a, w)[0]
            y = struct.unpack_from(fmt, b, w)[0]
            if (y - x) & mask == delta:
                relocs.append(w | RELOC_WORD)
                i = w + width
                continue
            kind = _mips_kind(x, y, delta) if mips and width == 4 else None
            if kind is not None:
                relocs.append(w | kind)
                i = w + width
                continue
        raise WasmbedError(f"AOT link: the code image has an address at offset 0x{i:x} that is "
                           "not a plain pointer word (an absolute address split into "
                           "instruction fields); this target needs position-independent code")
    return relocs


def _mips_kind(x: int, y: int, delta: int) -> int | None:
    """RELOC_HI16 / RELOC_J26 when the words x (first link) and y (second) are the same
    MIPS `lui` or `j`/`jal` but for the address field, which moved by delta's part."""
    op = x >> 26
    if op != y >> 26:
        return None
    if op == _MIPS_LUI and x >> 16 == y >> 16 and not delta & 0xFFFF \
            and (y - x) & 0xFFFF == (delta >> 16) & 0xFFFF:
        return RELOC_HI16
    if op in (_MIPS_J, _MIPS_JAL) and not delta & 3 and delta >> 28 == 0 \
            and (y - x) & 0x3FFFFFF == (delta >> 2) & 0x3FFFFFF:
        return RELOC_J26
    return None
