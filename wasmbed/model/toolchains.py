"""Target triple -> C compiler, archiver and size tool; a missing one names its package.

Each triple of the support table has a default here (Debian cross GCCs, `python -m
ziglang cc -target ...`, host gcc, clang-22 for Xtensa); a board's `toolchain:` section
or `toolchain=` on the command line overrides it (`gcc`, `zig`, `clang`, `host`, or
`zig:<zig target>` / `gcc:<prefix>`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from wasmbed.model.descriptors import Board, Platform
from wasmbed.errors import WasmbedError

ZIG_PACKAGE = "ziglang (PyPI: pip install ziglang)"

# triple -> (family, detail): gcc detail is the tool prefix, zig detail the zig target,
# clang detail the clang binary and target.
TRIPLES: dict[str, tuple[str, str]] = {
    "x86_64-pc-linux-gnu": ("host", ""),
    "i386-pc-linux-gnu": ("host-m32", "x86-linux-gnu"),
    "x86_64-none-linux-gnu": ("zig", "x86_64-linux-gnu"),
    "x86_64-apple-darwin": ("zig", "x86_64-macos"),
    "x86_64-pc-windows-msvc": ("zig", "x86_64-windows-gnu"),
    "x86_64-unknown-freebsd": ("zig", "x86_64-freebsd"),
    "x86_64-linux-android": ("zig", "x86_64-linux-android"),
    "aarch64-apple-ios": ("zig", "aarch64-ios"),
    "aarch64-unknown-nuttx-eabi": ("zig", "aarch64-freestanding-none"),
    "aarch64-none-elf": ("zig", "aarch64-freestanding-none"),
    "i386-wrs-vxworks": ("zig", "x86-freestanding-none"),
    "x86_64-wrs-vxworks": ("zig", "x86_64-freestanding-none"),
    "x86_64-linux-cosmo": ("cosmo", "cosmocc"),
    "arc-unknown-none-elf": ("none", "no ARC back end in Debian's GCC/LLVM or in zig; "
                                     "needs Synopsys' arc-elf32-gcc (not packaged)"),
    "riscv32-unknown-elf": ("gcc", "riscv64-unknown-elf-"),
    "riscv64-unknown-elf": ("gcc", "riscv64-unknown-elf-"),
    "riscv32-esp-elf": ("gcc", "riscv64-unknown-elf-"),
    "arm-none-eabi": ("gcc", "arm-none-eabi-"),
    "mips-unknown-elf": ("zig", "mips-freestanding-none"),
    "mips64-unknown-elf": ("zig", "mips64-freestanding-none"),
    "i386-unknown-elf": ("zig", "x86-freestanding-none"),
    "xtensa-esp32-elf": ("clang", "clang-22"),
    "xtensa-unknown-elf": ("clang", "clang-22"),
    # Linux on other CPUs: static musl executables, run here under qemu-user
    "aarch64-unknown-linux-musl": ("zig", "aarch64-linux-musl"),
    "riscv64-unknown-linux-musl": ("zig", "riscv64-linux-musl"),
    "s390x-unknown-linux-musl": ("zig", "s390x-linux-musl"),
    "mips-unknown-linux-musl": ("zig", "mips-linux-musleabi"),
}

GCC_PACKAGES = {
    "riscv64-unknown-elf-": "gcc-riscv64-unknown-elf (Debian: apt-get install gcc-riscv64-unknown-elf)",
    "arm-none-eabi-": "gcc-arm-none-eabi (Debian: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)",
    "": "gcc (Debian: apt-get install gcc binutils)",
}

ZIG_CPU = {"x86_64": "x86_64", "i386": "x86", "aarch64": "aarch64", "riscv64": "riscv64",
           "riscv32": "riscv32", "arm": "arm", "mips": "mips", "mips64": "mips64",
           "s390x": "s390x"}

# The ESP32's LX6 (the default when a board's `toolchain.features` names none).
XTENSA_FEATURES = ("+windowed", "+mul32", "+div32", "+fp", "+mul32high", "+nsa", "+minmax",
                   "+sext", "+loop", "+s32c1i", "+threadptr", "+bool")
# Options the startup code and drivers need (exception/interrupt registers, VECBASE,
# CCOUNT): they change no C code generation, only what inline and .S assembly may name.
XTENSA_SYSTEM_FEATURES = ("+exception", "+interrupt", "+highpriinterrupts", "+rvector",
                          "+timers1", "+debug", "+prid", "+miscsr", "+coprocessor")


@dataclass(frozen=True)
class Toolchain:
    """How to compile, archive, link and measure for one board."""

    family: str                     # gcc | zig | clang | host | none
    name: str                       # shown to people: "riscv64-unknown-elf-gcc 12.2.0"
    cc: tuple[str, ...]             # compiler command (also the link driver)
    ar: tuple[str, ...]
    objcopy: tuple[str, ...]
    size: tuple[str, ...]           # a Berkeley-format `size`
    cflags: tuple[str, ...] = ()    # target selection flags (before the board's cpu_flags)
    ldflags: tuple[str, ...] = ()
    linker: tuple[str, ...] = ()    # separate linker (clang for xtensa), else cc links
    assembler: tuple[str, ...] = () # separate assembler for preprocessed .S (xtensa), else cc
    package: str = ""               # what to install when it is missing
    missing: str = ""               # "" when found, else what is missing
    target: str = ""                # zig target / clang target / gcc prefix
    exe_suffix: str = ".elf"
    object_format: str = "elf"      # elf | macho | coff
    notes: tuple[str, ...] = field(default=())
    link_libgcc: bool = False       # bare metal: -lgcc from libgcc_dir() (clang/zig overrides)

    @property
    def found(self) -> bool:
        return not self.missing

    def require(self, board: str) -> "Toolchain":
        if self.missing:
            raise WasmbedError(f"board {board}: no compiler: {self.missing}",
                               hint=f"install {self.package}" if self.package else None)
        return self


def _python() -> str:
    return sys.executable


@lru_cache(maxsize=None)
def _zig_ok() -> bool:
    try:
        import ziglang  # noqa: F401
        return True
    except ImportError:
        return False


@lru_cache(maxsize=None)
def _version(cmd: tuple[str, ...]) -> str:
    try:
        out = subprocess.run([*cmd, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0] if first else ""


def _size_tool() -> tuple[tuple[str, ...], str]:
    for name in ("llvm-size", "llvm-size-22", "llvm-size-14"):
        if shutil.which(name):
            return (name,), ""
    return ("llvm-size",), "llvm-size (Debian: apt-get install llvm)"


@lru_cache(maxsize=None)
def _host_m32_ok() -> bool:
    if not shutil.which("gcc"):
        return False
    try:
        r = subprocess.run(["gcc", "-m32", "-x", "c", "-", "-o", "/dev/null"],
                           input="int main(void){return 0;}", capture_output=True, text=True,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def gcc(prefix: str) -> Toolchain:
    cc = f"{prefix}gcc"
    size, size_missing = _size_tool()
    package = GCC_PACKAGES.get(prefix, f"{prefix}gcc")
    missing = "" if shutil.which(cc) else f"{cc} not found"
    missing = missing or size_missing
    return Toolchain(
        family="host" if not prefix else "gcc",
        name=(_version((cc,)) or cc) if not missing else cc,
        cc=(cc,), ar=(f"{prefix}gcc-ar",) if shutil.which(f"{prefix}gcc-ar") else (f"{prefix}ar",),
        objcopy=(f"{prefix}objcopy",), size=size, package=package, missing=missing,
        target=prefix)


def zig(target: str) -> Toolchain:
    size, size_missing = _size_tool()
    py = _python()
    missing = "" if _zig_ok() else f"the zig compiler (python -m ziglang) is not installed in {py}"
    fmt = "macho" if ("macos" in target or "ios" in target) else \
        "coff" if "windows" in target else "elf"
    suffix = {"coff": ".exe", "macho": ".macho"}.get(fmt, ".elf")
    version = ""
    if not missing:
        try:
            import ziglang  # noqa: F401
            version = subprocess.run([py, "-m", "ziglang", "version"], capture_output=True,
                                     text=True, timeout=60).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            version = "?"
    return Toolchain(
        family="zig", name=f"zig {version} cc -target {target}",
        cc=(py, "-m", "ziglang", "cc", "-target", target),
        ar=(py, "-m", "ziglang", "ar"), objcopy=(py, "-m", "ziglang", "objcopy"), size=size,
        package=ZIG_PACKAGE, missing=missing or size_missing, target=target, exe_suffix=suffix,
        object_format=fmt)


def clang_xtensa(binary: str = "clang-22", features: tuple[str, ...] = XTENSA_FEATURES
                 ) -> Toolchain:
    """clang's Xtensa back end for a core given by its target features; llvm-mc assembles
    (clang's integrated assembler takes no target features for .S files), GNU ld links."""
    size, size_missing = _size_tool()
    ver = binary.rsplit("-", 1)[-1] if "-" in binary else ""
    ar = f"llvm-ar-{ver}" if ver else "llvm-ar"
    missing = "" if shutil.which(binary) else f"{binary} not found"
    if not missing and not shutil.which(ar):
        missing = f"{ar} not found"
    linker = "xtensa-lx106-elf-ld"
    notes = ()
    if not shutil.which(linker):
        notes = (f"{linker} (Debian binutils-xtensa-lx106) not found: objects only",)
    feats: list[str] = []
    every = tuple(dict.fromkeys([*features, *XTENSA_SYSTEM_FEATURES]))
    for f in every:
        feats += ["-Xclang", "-target-feature", "-Xclang", f]
    mc = f"llvm-mc-{ver}" if ver else "llvm-mc"
    if not missing and not shutil.which(mc):
        missing = f"{mc} not found"
    mattr = ",".join(every)
    return Toolchain(
        family="clang", name=(_version((binary,)) or binary) if not missing else binary,
        cc=(binary, "--target=xtensa"), ar=(ar,), objcopy=("llvm-objcopy",), size=size,
        cflags=("-ffreestanding", "-nostdlibinc", *feats), linker=(linker,),
        assembler=(mc, "-triple=xtensa", f"-mattr={mattr}", "-filetype=obj"),
        package=f"clang-{ver or '22'} (Debian: apt-get install clang-{ver or '22'} llvm-{ver or '22'} "
                "binutils-xtensa-lx106)",
        missing=missing or size_missing, target="xtensa", notes=notes)


def unavailable(triple: str, why: str, package: str = "") -> Toolchain:
    return Toolchain(family="none", name="none", cc=(), ar=(), objcopy=(), size=(),
                     package=package, missing=why, target=triple)


def xtensa_features(board: Board) -> tuple[str, ...]:
    """The board's `toolchain.features` (its core's options), else the ESP32's."""
    given = (board.toolchain or {}).get("features") or ()
    return tuple(given) or XTENSA_FEATURES


def for_triple(triple: str, features: tuple[str, ...] = XTENSA_FEATURES) -> Toolchain:
    family, detail = TRIPLES.get(triple, ("?", ""))
    if family == "host":
        return gcc("")
    if family == "host-m32":
        if _host_m32_ok():
            tc = gcc("")
            return replace(tc, cflags=("-m32",), ldflags=("-m32",))
        return zig(detail)  # gcc -m32 needs gcc-multilib; zig has the i386 glibc
    if family == "gcc":
        return gcc(detail)
    if family == "zig":
        return zig(detail)
    if family == "clang":
        return clang_xtensa(detail, features)
    if family == "cosmo":
        if shutil.which("cosmocc"):
            size, size_missing = _size_tool()
            return Toolchain(family="gcc", name="cosmocc", cc=("cosmocc",), ar=("cosmoar",),
                             objcopy=("objcopy",), size=size, missing=size_missing,
                             target="cosmocc", exe_suffix=".com")
        return unavailable(triple, "cosmocc (the Cosmopolitan toolchain) is not installed",
                           "cosmocc (not in Debian or PyPI)")
    if family == "none":
        return unavailable(triple, detail, "an ARC GCC (arc-elf32-gcc) from Synopsys")
    raise WasmbedError(f"no toolchain is known for triple {triple!r}",
                       hint="give the board a `toolchain:` section (family gcc|zig|clang|host)")


def parse_override(spec: str) -> dict:
    """`toolchain=` values: gcc, zig, clang, host, zig:<target>, gcc:<prefix>, clang:<binary>."""
    family, _, detail = spec.partition(":")
    if family not in ("gcc", "zig", "clang", "host"):
        raise WasmbedError(f"toolchain={spec!r}: expected gcc, zig, clang or host "
                           "(optionally zig:<target>, gcc:<prefix>, clang:<binary>)")
    out: dict = {"family": family}
    if detail:
        out["target" if family == "zig" else "cc" if family == "clang" else "prefix"] = detail
    return out


def zig_target_for(board: Board) -> str:
    """A zig target for the board's CPU when nothing more specific is known."""
    cpu = ZIG_CPU.get(board.arch)
    if cpu is None:
        raise WasmbedError(f"board {board.name}: zig has no back end for {board.arch}")
    return f"{cpu}-freestanding-none"


def for_board(board: Board, override: str | dict | None = None) -> Toolchain:
    """The toolchain for a board: `override` > the board's `toolchain:` > the triple's default."""
    spec = parse_override(override) if isinstance(override, str) else override
    spec = spec or (dict(board.toolchain) if board.toolchain else None)
    if not spec:
        tc = for_triple(board.triple, xtensa_features(board))
    else:
        family = spec["family"]
        if family == "host":
            tc = gcc("")
        elif family == "gcc":
            default = TRIPLES.get(board.triple, ("gcc", ""))
            if spec.get("prefix") or default[0] == "gcc":
                tc = gcc(spec.get("prefix") or default[1])
            else:  # the board's default is not GCC: a GCC for its CPU, not the host's
                tc = gcc_for_arch(board)
        elif family == "zig":
            default = TRIPLES.get(board.triple, ("", ""))
            target = spec.get("target") or (default[1] if default[0] == "zig"
                                            else zig_target_for_board(board))
            if board.memory and default[0] == "gcc" and not spec.get("target"):
                raise WasmbedError(
                    f"toolchain=zig cannot link board {board.name}'s firmware: its linker "
                    "script and start-up code are made for GNU ld, and zig links only with "
                    "its own lld and compiler-rt (measured: riscv64 compiler-rt cannot reach "
                    "0x80000000 with the medlow code model; lld misplaces .data on Cortex-M)",
                    hint=f"use toolchain=gcc (the default) or toolchain=clang (clang with "
                         f"{default[1]}ld)")
            tc = zig(target)
        elif board.arch != "xtensa":  # clang for the board's CPU, not Xtensa's back end
            tc = clang_for_arch(board, spec.get("cc") or "clang")
        else:
            tc = clang_xtensa(spec.get("cc") or "clang-22", xtensa_features(board))
        if spec.get("cflags") or spec.get("ldflags"):
            tc = replace(tc, cflags=tc.cflags + tuple(spec.get("cflags") or ()),
                         ldflags=tc.ldflags + tuple(spec.get("ldflags") or ()))
        if spec.get("package"):
            tc = replace(tc, package=spec["package"])
    return tc


# ---- toolchain= overrides: the right cross compiler, the board's CPU in its dialect ----------

#: gcc prefixes tried, in order, when `toolchain=gcc` overrides a board whose default is not gcc
GCC_PREFIXES = {"riscv64": ("riscv64-unknown-elf-", "riscv64-linux-gnu-"),
                "riscv32": ("riscv64-unknown-elf-", "riscv32-unknown-elf-"),
                "arm": ("arm-none-eabi-", "arm-linux-gnueabihf-"),
                "aarch64": ("aarch64-none-elf-", "aarch64-linux-gnu-"),
                "mips": ("mips-linux-gnu-", "mips-mti-elf-"),
                "mips64": ("mips64-linux-gnuabi64-",), "x86_64": ("",), "i386": ("",)}

#: clang --target= per arch for `toolchain=clang` on a board that is not Xtensa
CLANG_TARGETS = {"riscv64": "riscv64-unknown-elf", "riscv32": "riscv32-unknown-elf",
                 "arm": "arm-none-eabi", "aarch64": "aarch64-none-elf",
                 "mips": "mips-unknown-elf", "mips64": "mips64-unknown-elf",
                 "i386": "i386-unknown-elf", "x86_64": "x86_64-pc-linux-gnu"}


def gcc_for_arch(board: Board) -> Toolchain:
    """A GCC that targets the board's CPU (never the host's gcc for a foreign CPU)."""
    prefixes = GCC_PREFIXES.get(board.arch)
    if prefixes is None:
        return unavailable(board.triple, f"no GCC is known for {board.arch}")
    for prefix in prefixes:
        if shutil.which(f"{prefix}gcc"):
            tc = gcc(prefix)
            return replace(tc, cflags=("-m32",), ldflags=("-m32",)) if board.arch == "i386" \
                else tc
    tc = gcc(prefixes[0])
    return replace(tc, missing=f"no GCC for {board.arch} ({', '.join(p + 'gcc' for p in prefixes)}"
                               " not found)")


def clang_for_arch(board: Board, binary: str = "clang") -> Toolchain:
    """clang --target=<the board's CPU>, linked with ld.lld (family "llvm"; "clang" is the
    Xtensa toolchain of wasmbed.build.xtensa)."""
    target = CLANG_TARGETS.get(board.arch)
    if target is None:
        return unavailable(board.triple, f"no clang target is known for {board.arch}")
    size, size_missing = _size_tool()
    ver = binary.rsplit("-", 1)[-1] if "-" in binary else ""
    ar = next((a for a in ((f"llvm-ar-{ver}",) if ver else ()) + ("llvm-ar", "llvm-ar-22",
                                                                    "llvm-ar-14")
               if shutil.which(a)), "llvm-ar")
    missing = "" if shutil.which(binary) else f"{binary} not found"
    if not missing and not shutil.which(ar):
        missing = f"{ar} not found"
    if not missing and not shutil.which("ld.lld"):
        missing = "ld.lld not found"
    baremetal = bool(board.memory)
    cflags = ("-mno-relax",) if board.arch.startswith("riscv") else ()  # lld: no relaxation
    ldflags: tuple[str, ...] = ()
    if baremetal:  # GNU ld of the board's GCC when here: the linker scripts are made for it
        family, prefix = TRIPLES.get(board.triple, ("", ""))
        gnu_ld = shutil.which(f"{prefix}ld") if family == "gcc" else None
        ldflags = (f"--ld-path={gnu_ld}" if gnu_ld else "-fuse-ld=lld", *libgcc_dir(board))
    return Toolchain(
        family="llvm", name=(_version((binary,)) or binary) + f" --target={target}"
        if not missing else binary,
        cc=(binary, f"--target={target}"), ar=(ar,), objcopy=("llvm-objcopy",), size=size,
        cflags=cflags, ldflags=ldflags, link_libgcc=len(ldflags) > 1,
        package="clang lld llvm (Debian: apt-get install clang lld llvm)",
        missing=missing or size_missing, target=target)


def libgcc_dir(board: Board) -> tuple[str, ...]:
    """-L<dir> of the libgcc.a that the board's default GCC uses for its CPU (soft float,
    64-bit division) for a clang/zig override; () when that GCC is not here."""
    family, prefix = TRIPLES.get(board.triple, ("", ""))
    if family != "gcc" or not shutil.which(f"{prefix}gcc"):
        return ()
    try:
        out = subprocess.run([f"{prefix}gcc", *board.cpu_flags, "-print-libgcc-file-name"],
                             capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return (f"-L{Path(out).parent}",) if out and Path(out).is_file() else ()


def _riscv_march_to_zig(march: str) -> str:
    """-march=rv64imac -> -mcpu=generic_rv64+m+a+c (zig's CPU model and features)."""
    base, exts = march[:4], march[4:]
    feats = []
    for ch in exts.split("_")[0]:
        if ch == "g":
            feats += ["m", "a", "f", "d"]
        elif ch != "i":
            feats.append(ch)
    return f"-mcpu=generic_{base}" + "".join(f"+{f}" for f in dict.fromkeys(feats))


def cpu_flags_for(board: Board, tc: Toolchain) -> tuple[str, ...]:
    """The board's cpu_flags in the dialect of `tc`: descriptors write them for the board's
    default compiler (GCC: -march=rv64imac, -mcpu=cortex-m4; zig: -mcpu=cortex_a53)."""
    flags = list(board.cpu_flags)
    if tc.family == "zig":
        out = []
        for f in flags:
            if f.startswith("-march=rv"):
                out.append(_riscv_march_to_zig(f[len("-march="):]))
            elif f.startswith("-mcpu="):
                out.append("-mcpu=" + f[len("-mcpu="):].replace("-", "_"))
            elif f.startswith(("-mabi=", "-mfpu=", "-mfloat-abi=", "-mthumb")):
                continue  # zig takes these from the target triple and the CPU model
            else:
                out.append(f)
        return tuple(out)
    if tc.family in ("gcc", "host", "llvm"):
        out = []
        for f in flags:
            if f.startswith("-mcpu=") and "_" in f:  # zig's cortex_a53 -> GCC's cortex-a53
                out.append(f.replace("_", "-"))
            elif f.startswith("-mcpu=generic_rv"):
                out.append("-march=rv" + f[len("-mcpu=generic_rv"):].split("+")[0] + "i" +
                           "".join(f.split("+")[1:]))
            else:
                out.append(f)
        return tuple(out)
    return tuple(flags)


def zig_target_for_board(board: Board) -> str:
    """zig's target for a CPU given by gcc-style flags: thumb + eabihf for Cortex-M FPUs."""
    if board.arch == "arm" and "-mthumb" in board.cpu_flags:
        hard = "-mfloat-abi=hard" in board.cpu_flags
        return f"thumb-freestanding-eabi{'hf' if hard else ''}"
    return zig_target_for(board)


def surrogate_for(board: Board, platform: Platform) -> Toolchain | None:
    """For an OS whose SDK is missing: zig with the API headers we can have (musl, macOS)."""
    sdk = platform.sdk
    if sdk is None or not sdk.surrogate:
        return None
    cpu = ZIG_CPU.get(board.arch)
    if cpu is None:
        return None
    return zig(f"{cpu}-{sdk.surrogate}")


def describe(board: Board, override: str | dict | None = None) -> tuple[bool, str]:
    """(found, text) for `wasmbed boards`."""
    tc = for_board(board, override)
    if tc.found:
        return True, tc.name
    return False, f"missing: {tc.missing}" + (f" (install {tc.package})" if tc.package else "")


def exe_path(variant_dir: Path, tc: Toolchain) -> Path:
    return variant_dir / f"firmware{tc.exe_suffix}"
