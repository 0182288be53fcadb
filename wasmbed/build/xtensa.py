"""The Xtensa side of a bare-metal build (clang-22's back end, no vendor toolchain).

Three things differ from the GCC/zig boards, each for a measured reason:

- `.S` files are preprocessed by clang and assembled by llvm-mc with the core's options
  (`-mattr=`): clang's integrated assembler takes no target features for assembler
  input, so windowed instructions (entry/retw/rfwo/s32e, WINDOWBASE) are rejected there.
- GNU ld from Debian's binutils-xtensa-lx106 links (clang has no Xtensa linker driver and
  lld no Xtensa back end). The ELF relocations of LX6 windowed code are the same as the
  lx106's; `call4/8/12` resolve like `call0`.
- C is compiled to assembly, its literal pools are moved to sections of their own
  (`move_literals`), and llvm-mc assembles. clang-22 emits each function's pool before
  it switches to the function's section, so in an object the literals land, unaligned,
  at the end of whatever section came before (another function, or .rodata): `l32r`
  then points at misaligned words or forwards, and GNU ld rejects the image. GNU as puts
  `.literal` into `.literal.<function section>`; the filter does the same, and the linker
  script places every literal pool below the code (`l32r` only reaches backwards).
- 64-bit division and every float/double operation the core has no instruction for become
  calls (`__udivdi3`, `__adddf3`, ...). Debian ships no Xtensa library with them, so the
  build compiles LLVM compiler-rt's portable C builtins (PyPI
  `pythondata-software-compiler-rt` carries the sources) into `libwbrt.a`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from wasmbed import ROOT
from wasmbed.errors import WasmbedError

RT_PACKAGE = "pythondata-software-compiler-rt"

#: compiler-rt builtins the runtime needs on a core without a double-precision FPU (and,
#: with +fp absent, without a single-precision one): arithmetic, comparisons, conversions,
#: 64-bit integer division and bit counts. Found by linking and reading the undefined
#: symbols; files the linker does not need are left out of the image by the archive.
BUILTINS = (
    # double
    "adddf3", "subdf3", "muldf3", "negdf2", "comparedf2",
    "truncdfsf2",
    "fixdfsi", "fixunsdfsi", "fixdfdi", "fixunsdfdi",
    "floatsidf", "floatunsidf", "floatdidf", "floatundidf",
    # float
    "addsf3", "subsf3", "mulsf3", "negsf2", "comparesf2",
    "fixsfsi", "fixunssfsi", "fixsfdi", "fixunssfdi",
    "floatsisf", "floatunsisf", "floatdisf", "floatundisf",
    # 64-bit integers
    "udivdi3", "divdi3", "umoddi3", "moddi3", "udivmoddi4", "muldi3",
    "ashldi3", "ashrdi3", "lshrdi3",
    "clzsi2", "clzdi2", "ctzsi2", "ctzdi2", "popcountsi2", "popcountdi2",
)


#: ours instead of compiler-rt's (see the file): division with subnormal results,
#: float -> double that quiets signalling NaNs
OWN_SOFTFP = ROOT / "runtime_src" / "port" / "softfp" / "wb_softfp.c"


def check_features(board: Any, keys: list[str], app: str | None = None) -> None:
    """AOT on a board whose writable memory does not execute (the ESP32: code runs from
    IRAM, the heap is DRAM): a loaded .aot file would have nowhere to run, so only the
    static route (app=X.wasm, linked into IRAM by the firmware's linker) is built."""
    if "aot" in keys and app is None and not any(m.attrs == "rwx" for m in board.memory):
        raise WasmbedError(
            f"board {board.name}: features=aot without app= would load AOT files into the "
            "heap, which this board cannot execute (its writable memory is data-only: "
            + ", ".join(f"{m.name} {m.attrs}" for m in board.memory) + ")",
            hint="link the application in ahead of time: features=aot,libc-builtin "
                 "app=X.wasm (docs/aot.md, static linking)")


def builtins_dir() -> Path:
    """compiler-rt's lib/builtins from the PyPI package; a clear error when it is missing."""
    try:
        import pythondata_software_compiler_rt as rt  # type: ignore[import-not-found]
    except ImportError:
        raise WasmbedError(f"the Xtensa build needs LLVM compiler-rt's builtins ({RT_PACKAGE} "
                           "is not installed)",
                           hint=f"pip install {RT_PACKAGE} (ci/setup.sh installs it)") from None
    d = Path(rt.data_location) / "lib" / "builtins"
    missing = [f"{n}.c" for n in BUILTINS if not (d / f"{n}.c").is_file()]
    if missing:
        raise WasmbedError(f"{d}: compiler-rt builtins missing: {', '.join(missing)}",
                           hint=f"pip install --force-reinstall {RT_PACKAGE}")
    return d


def asppcom(tc: Any) -> str:
    """SCons' ASPPCOM for Xtensa: clang preprocesses, llvm-mc assembles."""
    import shlex

    mc = " ".join(shlex.quote(x) for x in tc.assembler)
    return ("$CC -E -P -x assembler-with-cpp $ASPPFLAGS $_CPPDEFFLAGS $_CPPINCFLAGS $SOURCE "
            f"-o ${{TARGET}}.s && {mc} ${{TARGET}}.s -o $TARGET")


def builtins_library(env: Any, variant: Path, opt: str) -> Any:
    """libwbrt.a from compiler-rt's C builtins, compiled with the board's compiler and core
    options, plus OWN_SOFTFP. compiler-rt is not our code: it is compiled at its own
    warning level (-w), so our -Wall -Wextra stays about runtime_src and the templates."""
    src = builtins_dir()
    e = env.Clone()
    flags = [f for f in e["CFLAGS"] if not f.startswith("-W") and not f.startswith("-O")
             and f != "-std=c11"]
    e.Replace(CFLAGS=[*flags, opt, "-w"], CPPDEFINES=[], CPPPATH=[str(src)])
    objs = []
    for name in BUILTINS:
        objs += e.Object(target=str(variant / "obj" / "compiler-rt" / f"{name}.o"),
                         source=str(src / f"{name}.c"))
    objs += env.Object(target=str(variant / "obj" / "port" / "softfp" / "wb_softfp.o"),
                       source=str(OWN_SOFTFP))   # our code: our warning flags
    return e.StaticLibrary(str(variant / "wbrt"), objs)


def link_env(env: Any, tc: Any, script: Path, mapfile: Path, libdir: Path) -> Any:
    """An env whose Program links with GNU ld: the rendered script, unused sections dropped,
    the runtime and the builtins in one group (the runtime calls into the builtins)."""
    import shlex

    e = env.Clone()
    ld = " ".join(shlex.quote(x) for x in tc.linker)
    e.Replace(LINK=ld, LINKFLAGS=["-nostdlib", "-static", f"-T{script}", "--gc-sections",
                                  f"-Map={mapfile}"],
              LIBPATH=[str(libdir)], LIBS=[],
              LINKCOM="$LINK $LINKFLAGS -o $TARGET $SOURCES $_LIBDIRFLAGS "
                      "--start-group -lwasmbed -lwbrt --end-group")
    return e


def cccom(tc: Any) -> str:
    """SCons' CCCOM for Xtensa: clang -S, literal pools moved (move_literals), llvm-mc."""
    import shlex

    mc = " ".join(shlex.quote(x) for x in tc.assembler)
    py = shlex.quote(sys.executable)
    return ("$CC -S -o ${TARGET}.s $CFLAGS $CCFLAGS $_CCCOMCOM $SOURCES && "
            f"{py} -m wasmbed.build.xtensa ${{TARGET}}.s && {mc} ${{TARGET}}.s -o $TARGET")


_SECTION = re.compile(r"^\s*\.section\s+([^,\s]+)")
_LITERAL = re.compile(r"^\s*\.literal\s+([^,\s]+)\s*,\s*(.+?)\s*$")
_FUNCTION = re.compile(r"^\s*\.type\s+[^,]+,\s*@function")
_CFI_AREG = re.compile(r"\ba(1[0-5]|[0-9])\b")


def _literal_section(section: str) -> str:
    if section == ".text":
        return ".literal"
    if section.startswith(".text."):
        return ".literal." + section[len(".text."):]
    return ".literal" + (section if section.startswith(".") else "." + section)


def move_literals(text: str, inline: bool = False) -> str:
    """clang's `.literal_position` / `.literal NAME, VALUE` pools -> aligned words in
    `.literal.<function section>`, emitted where the function they serve begins; CFI
    registers (with -g) by number, the only form llvm-mc's parser accepts.

    inline=True (AOT code images, wasmbed/aot/link.py): the words go into the function's
    own section right before its entry label instead, so every pool sits just below the
    code that reads it (`l32r` reaches 256 KiB backwards) without a linker script that
    knows the function sections."""
    out: list[str] = []
    pool: list[tuple[str, str]] = []
    section = ".text"

    def flush(into: str) -> None:
        if not pool:
            return
        if not inline:
            out.append(f"\t.pushsection {into},\"ax\",@progbits")
        out.append("\t.p2align 2")
        for name, value in pool:
            out.append(f"{name}:")
            out.append(f"\t.long {value}")
        if not inline:
            out.append("\t.popsection")
        pool.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if stripped == ".literal_position":
            continue
        if stripped.startswith(".cfi_"):
            # llvm-mc's parser takes CFI registers by DWARF number only (a0..a15 are 0..15)
            line = _CFI_AREG.sub(r"\1", line)
        lit = _LITERAL.match(line)
        if lit:
            pool.append((lit.group(1), lit.group(2)))
            continue
        sec = _SECTION.match(line)
        if sec:
            section = sec.group(1)
        elif stripped == ".text":
            section = ".text"
        out.append(line)
        if _FUNCTION.match(line):
            flush(_literal_section(section))
    flush(".literal")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    """python -m wasmbed.build.xtensa FILE.s: move_literals in place (the build's compile step)."""
    if len(argv) != 1:
        print("usage: python -m wasmbed.build.xtensa FILE.s", file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.write_text(move_literals(path.read_text()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))


# ---- the same steps outside SCons (run-on-qemu --bench's native image) ---------------------

def _run(cmd: list[str], what: str) -> None:
    import subprocess

    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except OSError as err:
        raise WasmbedError(f"{what}: cannot run {cmd[0]}: {err.strerror}") from None
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-20:])
        raise WasmbedError(f"{what} failed:\n{tail}")


def compile_object(tc: Any, flags: list[str], src: Path, obj: Path, what: str) -> None:
    """One C or .S file to an object, as the SCons build does it (cccom / asppcom)."""
    asm = Path(f"{obj}.s")
    if src.suffix == ".S":
        _run([*tc.cc, "-E", "-P", "-x", "assembler-with-cpp", *flags, str(src), "-o", str(asm)],
             what)
    else:
        _run([*tc.cc, "-S", *flags, str(src), "-o", str(asm)], what)
        asm.write_text(move_literals(asm.read_text()))
    _run([*tc.assembler, str(asm), "-o", str(obj)], what)


def builtins_archive(tc: Any, flags: list[str], out: Path) -> Path:
    """libwbrt.a (compiler-rt's builtins + OWN_SOFTFP) for a link outside SCons: made once
    per compiler, flags and sources under build/.wbrt/<hash>/ (45 files: seconds each time
    otherwise), `out` only holds the objects while it is made."""
    import hashlib
    import os
    import shutil

    src = builtins_dir()
    base = [f for f in flags if not f.startswith("-W") and not f.startswith("-O")
            and not f.startswith("-std=") and not f.startswith("-I")
            and not f.startswith("-isystem") and "/" not in f]
    key = hashlib.sha1(json_key(tc, base, src).encode()).hexdigest()[:16]
    cached = ROOT / "build" / ".wbrt" / key / "libwbrt.a"
    if cached.is_file():
        return cached
    out.mkdir(parents=True, exist_ok=True)
    objs = []
    for name in BUILTINS:
        obj = out / f"{name}.o"
        compile_object(tc, [*base, "-Os", "-w", f"-I{src}"], src / f"{name}.c", obj,
                       f"compiling compiler-rt {name}.c")
        objs.append(str(obj))
    obj = out / "wb_softfp.o"
    compile_object(tc, [*base, "-Os", "-std=c11", "-Wall", "-Wextra"], OWN_SOFTFP, obj,
                   "compiling wb_softfp.c")
    objs.append(str(obj))
    lib = out / "libwbrt.a"
    lib.unlink(missing_ok=True)
    _run([*tc.ar, "rcs", str(lib), *objs], "archiving libwbrt.a")
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(f"libwbrt.a.{os.getpid()}")
    shutil.copyfile(lib, tmp)
    os.replace(tmp, cached)   # atomic: a parallel maker ends with the same file
    return cached


def json_key(tc: Any, flags: list[str], src: Path) -> str:
    """What libwbrt.a depends on: the compiler, the flags, the sources' contents."""
    import hashlib
    import json

    files = [src / f"{n}.c" for n in BUILTINS] + [OWN_SOFTFP]
    sums = {f.name: hashlib.sha1(f.read_bytes()).hexdigest() for f in files}
    return json.dumps([tc.name, list(tc.cc), list(tc.assembler), flags, sums], sort_keys=True)


def link_image(tc: Any, flags: list[str], script: Path, objects: list[str], image: Path,
               workdir: Path) -> None:
    """GNU ld with the rendered script and the builtins, as link_env does it."""
    lib = builtins_archive(tc, flags, workdir / "compiler-rt")
    _run([*tc.linker, "-nostdlib", "-static", f"-T{script}", "--gc-sections", "-o", str(image),
          *objects, "--start-group", str(lib), "--end-group"], f"linking {image.name}")
