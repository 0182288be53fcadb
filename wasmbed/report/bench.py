"""Benchmarks: interpreter instructions against native instructions, and code size.

Kernels are plain C files in bench/kernels/ with one export
``int64_t bench_<name>(int32_t n)`` returning a checksum. Each is built twice:
natively (gcc -O2, and again with -fno-tree-vectorize for a scalar baseline,
driven by bench/native_bench.c) and to a wasm32 module
(clang + wasm-ld) that the runtime runs through bench/host_bench.c. valgrind's
callgrind counts the instructions of exactly one kernel call on each side
(``--toggle-collect=bench_run``), so process start-up, loading and
instantiation are excluded. ratio = interpreter instructions / native.

The size report cross-compiles the runtime (classic interpreter, mini loader,
libc-builtin, global heap pool) for a Cortex-M4 and links it with
--gc-sections against an entry that uses the embedding API; the linker map
gives text/data/bss per component.
"""

from __future__ import annotations

import difflib
import math
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Callable, Iterable, Sequence

from wasmbed import ROOT
from wasmbed.build import render
from wasmbed.errors import WasmbedError

BENCH_SRC = ROOT / "bench"
KERNEL_DIR = BENCH_SRC / "kernels"
RUNTIME_SRC = ROOT / "runtime_src"
DEFAULT_BUILD_DIR = ROOT / "build" / "bench"

#: The issue's target for the classic interpreter.
TARGET_RATIO = 20.0
#: Code-size aim for interpreter + mini loader + libc-builtin + pool (text + data).
SIZE_AIM = 28 * 1024

# Native kernels: -fno-math-errno so __builtin_sqrt is one instruction, no FMA
# contraction so doubles round exactly as in wasm, no loop -> memset rewrite.
NATIVE_KERNEL_FLAGS = ["-O2", "-fno-math-errno", "-ffp-contract=off",
                       "-fno-tree-loop-distribute-patterns"]
WASM_KERNEL_FLAGS = ["--target=wasm32", "-O2", "-nostdlib", "-Wl,--no-entry",
                     "-Wl,-z,stack-size=8192"]
WARN_FLAGS = ["-Wall", "-Wextra"]
#: Our own files (kernels, drivers, size entry) must build warning-free; the
#: runtime's warnings are collected and reported instead of failing the run.
OWN_FLAGS = [*WARN_FLAGS, "-Werror"]
RUNTIME_HOST_FLAGS = ["-std=c11", "-O2", "-DNDEBUG"]

SIZE_CFLAGS = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16",
               "-Os", "-ffunction-sections", "-fdata-sections", "-ffreestanding",
               "-std=c11", "-DNDEBUG"]
SIZE_FEATURES = ["-DWB_FEATURE_INTERP=1", "-DWB_FEATURE_MINI_LOADER=1",
                 "-DWB_FEATURE_LIBC_BUILTIN=1", "-DWB_FEATURE_GLOBAL_HEAP_POOL=1",
                 "-DWB_PORT_HAS_MALLOC=0"]
#: Optimization levels of the runtime: O2 (release, the default of the instruction
#: benchmark) and Os (the default of the size report). The host runtime built with
#: Os also takes the size report's features, so --opt Os pairs speed with size.
OPT_LEVELS = ("O2", "Os")


def host_runtime_flags(opt: str) -> list[str]:
    """Extra flags (after RUNTIME_HOST_FLAGS) of the host runtime for an --opt level."""
    if opt not in OPT_LEVELS:
        raise WasmbedError(f"unknown optimization level '{opt}'", hint="use O2 or Os")
    return [] if opt == "O2" else ["-Os", *SIZE_FEATURES]


def size_cflags(opt: str = "Os") -> list[str]:
    """The Cortex-M4 flags of the size build at an --opt level."""
    if opt not in OPT_LEVELS:
        raise WasmbedError(f"unknown optimization level '{opt}'", hint="use O2 or Os")
    return [f"-{opt}" if flag == "-Os" else flag for flag in SIZE_CFLAGS]

_N_RE = re.compile(r"wasmbed-bench:\s*n=(\d+)")
_CHECKSUM_RE = re.compile(r"^checksum (-?\d+)$", re.M)

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# ---- kernels -----------------------------------------------------------------

@dataclass(frozen=True)
class Kernel:
    name: str
    source: Path
    default_n: int

    @property
    def export(self) -> str:
        return f"bench_{self.name}"


def kernels(directory: Path = KERNEL_DIR) -> list[Kernel]:
    """Every kernel in bench/kernels/ (or another folder of them), in a fixed order
    (file name)."""
    found = []
    for path in sorted(directory.glob("*.c")):
        match = _N_RE.search(path.read_text())
        if not match:
            raise WasmbedError(f"{path}: no 'wasmbed-bench: n=<default>' line")
        found.append(Kernel(path.stem, path, int(match.group(1))))
    return found


def select_kernels(names: Sequence[str] | None) -> list[Kernel]:
    """Kernels by name (all when names is empty); unknown names get a suggestion."""
    known = {k.name: k for k in kernels()}
    if not names:
        return list(known.values())
    chosen = []
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(known)}"
            raise WasmbedError(f"unknown benchmark kernel '{name}'", hint=hint)
        chosen.append(known[name])
    return chosen


# ---- tools ---------------------------------------------------------------------

_PACKAGES = {
    "gcc": "gcc", "clang": "clang", "wasm-ld": "lld", "valgrind": "valgrind",
    "arm-none-eabi-gcc": "gcc-arm-none-eabi",
}


def tool(name: str) -> str:
    """Path of a host tool, or a WasmbedError naming the package to install."""
    path = shutil.which(name)
    if not path:
        package = _PACKAGES.get(name, name)
        raise WasmbedError(f"'{name}' not found on PATH",
                           hint=f"install it: apt-get install {package}")
    return path


def _run(cmd: Sequence[str | Path], what: str, *, warnings: list[str] | None = None) -> str:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        out = (proc.stderr or proc.stdout).strip().splitlines()
        tail = "\n".join(out[-25:])
        raise WasmbedError(f"{what} failed (exit {proc.returncode}):\n{tail}")
    if warnings is not None:
        warnings.extend(_strip_build_prefix(line.replace(str(ROOT) + "/", ""))
                        for line in proc.stderr.splitlines() if ": warning: " in line)
    return proc.stdout


def _strip_build_prefix(line: str) -> str:
    """build/bench/src/runtime_src/x.c -> runtime_src/x.c in messages."""
    return re.sub(r"\S*/src/(runtime_src|bench)/", r"\1/", line)


def _up_to_date(target: Path, sources: Iterable[Path]) -> bool:
    if not target.exists():
        return False
    stamp = target.stat().st_mtime
    return all(src.stat().st_mtime <= stamp for src in sources)


# ---- builds (host) ---------------------------------------------------------------

def build_wasm_kernel(kernel: Kernel, out_dir: Path) -> Path:
    """kernel.c -> <out_dir>/wasm/<name>.wasm (no imports, one exported function)."""
    out = out_dir / "wasm" / f"{kernel.name}.wasm"
    header = KERNEL_DIR / "bench_kernel.h"
    if _up_to_date(out, [kernel.source, header]):
        return out
    tool("wasm-ld")
    out.parent.mkdir(parents=True, exist_ok=True)
    _run([tool("clang"), *WASM_KERNEL_FLAGS, *OWN_FLAGS, f"-Wl,--export={kernel.export}",
          kernel.source, "-o", out], f"compiling {kernel.source.name} to wasm")
    return out


#: Native builds: the baseline (gcc -O2, which auto-vectorizes with SSE2 since
#: gcc 12) and a scalar one (-fno-tree-vectorize), the fair match for wasm
#: modules compiled without SIMD.
NATIVE_VARIANTS = {"o2": [], "scalar": ["-fno-tree-vectorize"]}


def build_native(out_dir: Path, variant: str = "o2") -> Path:
    """All kernels + bench/native_bench.c -> <out_dir>/native_bench[-<variant>]."""
    extra = NATIVE_VARIANTS[variant]
    out = out_dir / ("native_bench" if variant == "o2" else f"native_bench-{variant}")
    srcs = [k.source for k in kernels()]
    driver = BENCH_SRC / "native_bench.c"
    if _up_to_date(out, [*srcs, driver, KERNEL_DIR / "bench_kernel.h"]):
        return out
    gcc = tool("gcc")
    obj_dir = out_dir / f"native-{variant}"
    obj_dir.mkdir(parents=True, exist_ok=True)
    objs = []
    for src in srcs:
        obj = obj_dir / f"{src.stem}.o"
        _run([gcc, *NATIVE_KERNEL_FLAGS, *extra, *OWN_FLAGS, "-c", src, "-o", obj],
             f"compiling {src.name} natively")
        objs.append(obj)
    _run([gcc, "-O2", *OWN_FLAGS, driver, *objs, "-o", out], f"linking {out.name}")
    return out


def runtime_sources() -> list[Path]:
    """The runtime's core and pool allocator sources (raises if the core is missing)."""
    core = sorted((RUNTIME_SRC / "core").glob("*.c"))
    if not core:
        raise WasmbedError("the runtime core is not there yet: runtime_src/core/ has no .c files")
    return core + sorted((RUNTIME_SRC / "mem").glob("*.c"))


HOST_PORT = RUNTIME_SRC / "port" / "host" / "port_host.c"


def host_port() -> tuple[Path, str]:
    """The project's POSIX host port (its path, and as shown in reports)."""
    if not HOST_PORT.exists():
        raise WasmbedError(f"the host port is missing: {HOST_PORT.relative_to(ROOT)}")
    return HOST_PORT, str(HOST_PORT.relative_to(ROOT))


def _includes(runtime: Path = RUNTIME_SRC) -> list[str]:
    return [f"-I{runtime / sub}" for sub in ("include", "port", "core", "mem", "libc")]


def _snapshot(out_dir: Path, files: Sequence[Path]) -> Path:
    """Copy runtime_src/ and the given files to <out_dir>/src/ and build from there, so
    that source lines in a profile match the code that ran even while the tree changes."""
    snap = out_dir / "src"
    if snap.exists():
        shutil.rmtree(snap)
    shutil.copytree(RUNTIME_SRC, snap / "runtime_src")
    for src in files:
        dest = snap / src.relative_to(ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    return snap


def _headers() -> list[Path]:
    return sorted(RUNTIME_SRC.glob("*/*.h")) + sorted(RUNTIME_SRC.glob("*/*/*.h"))


def build_host_bench(out_dir: Path, *, extra_flags: Sequence[str] = ()) -> Path:
    """Runtime (release flags) + host port + bench/host_bench.c -> <out_dir>/host_bench."""
    out = out_dir / "host_bench"
    port, _ = host_port()
    srcs = [*runtime_sources(), port, BENCH_SRC / "host_bench.c"]
    stamp = out_dir / "host_bench.flags"
    flags = [*RUNTIME_HOST_FLAGS, *extra_flags]
    same_flags = stamp.exists() and stamp.read_text() == " ".join(flags)
    if same_flags and _up_to_date(out, [*srcs, *_headers()]):
        return out
    out_dir.mkdir(parents=True, exist_ok=True)
    gcc = tool("gcc")
    snap = _snapshot(out_dir, [s for s in srcs if not s.is_relative_to(RUNTIME_SRC)])
    # -g gives callgrind source lines for --profile; it does not change the code.
    warnings: list[str] = []
    _run([gcc, *flags, "-g", *WARN_FLAGS, *_includes(snap / "runtime_src"),
          *[snap / s.relative_to(ROOT) for s in srcs], "-o", out],
         "building the runtime for the host benchmark", warnings=warnings)
    stamp.write_text(" ".join(flags))
    (out_dir / "host_bench.warnings").write_text("".join(w + "\n" for w in warnings))
    return out


# ---- running -----------------------------------------------------------------------

def _checksum(output: str, what: str) -> int:
    match = _CHECKSUM_RE.search(output)
    if not match:
        raise WasmbedError(f"{what}: no checksum in its output:\n{output.strip()[-500:]}")
    return int(match.group(1))


def run_native(native: Path, kernel: Kernel, n: int) -> int:
    return _checksum(_run([native, kernel.name, str(n)], f"native {kernel.name}"),
                     f"native {kernel.name}")


def run_interp(host_bench: Path, wasm: Path, kernel: Kernel, n: int) -> int:
    return _checksum(_run([host_bench, wasm, kernel.export, str(n)],
                          f"interpreter {kernel.name}"), f"interpreter {kernel.name}")


def callgrind(cmd: Sequence[str | Path], out_file: Path, what: str) -> tuple[int, int]:
    """Run cmd under callgrind counting only bench_run(); (instructions, checksum)."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    stdout = _run([tool("valgrind"), "--tool=callgrind", f"--callgrind-out-file={out_file}",
                   "--collect-atstart=no", "--toggle-collect=bench_run", "--compress-pos=no",
                   "--compress-strings=no", *cmd], what)
    return callgrind_total(out_file), _checksum(stdout, what)


def callgrind_program(cmd: Sequence[str | Path], out_file: Path, what: str) -> int:
    """Instructions of the whole run of cmd under callgrind (set-up included: callers
    take the difference of two runs)."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    _run([tool("valgrind"), "--tool=callgrind", f"--callgrind-out-file={out_file}", *cmd], what)
    return callgrind_total(out_file)


def callgrind_total(out_file: Path) -> int:
    """Instructions (Ir) recorded in a callgrind output file."""
    text = out_file.read_text()
    match = re.search(r"^(?:totals|summary):\s+(\d+)", text, re.M)
    if not match:
        raise WasmbedError(f"{out_file}: no totals line (did callgrind finish?)")
    return int(match.group(1))


def hotspots(out_file: Path, top: int = 15) -> list[tuple[int, str]]:
    """The hottest source lines of a callgrind file (self cost): (Ir, "file:line  code").

    The interpreter is one big function, so lines (opcode handlers, dispatch)
    say more than functions. Needs a file written with --compress-pos=no
    --compress-strings=no (as callgrind() does)."""
    costs: dict[tuple[str, int], int] = {}
    file = func_file = ""
    skip = False
    for line in out_file.read_text().splitlines():
        if line.startswith("fl="):
            file = func_file = line[3:]
        elif line.startswith(("fi=", "fe=")):
            file = line[3:]   # inlined code; a new fn= returns to func_file
        elif line.startswith("fn="):
            file = func_file
        elif line.startswith("calls="):
            skip = True   # the next cost line is the call's inclusive cost
        elif line[:1].isdigit():
            if skip:
                skip = False
                continue
            parts = line.split()
            if len(parts) >= 2:
                key = (file, int(parts[0]))
                costs[key] = costs.get(key, 0) + int(parts[1])
    rows = []
    for (path, lineno), cost in sorted(costs.items(), key=lambda kv: -kv[1])[:top]:
        source = Path(path) if Path(path).is_absolute() else ROOT / path
        code = ""
        if source.is_file() and lineno > 0:
            text = source.read_text(errors="replace").splitlines()
            code = text[lineno - 1].strip() if lineno <= len(text) else ""
        rel = path[len(str(ROOT)) + 1:] if path.startswith(str(ROOT) + "/") else path
        for top_dir in ("runtime_src/", "bench/"):   # a snapshot under build/bench/src/
            if "/src/" + top_dir in rel:
                rel = rel[rel.index("/src/" + top_dir) + 5:]
        rows.append((cost, f"{rel}:{lineno}  {code}"))
    return rows


@dataclass
class BenchResult:
    kernel: str
    n: int
    native_instr: int        # gcc -O2
    interp_instr: int
    native_checksum: int
    interp_checksum: int
    scalar_instr: int = 0    # gcc -O2 -fno-tree-vectorize
    callgrind_file: str = ""
    hotspots: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.interp_instr / self.native_instr if self.native_instr else float("inf")

    @property
    def scalar_ratio(self) -> float:
        return self.interp_instr / self.scalar_instr if self.scalar_instr else float("inf")

    @property
    def checksum_ok(self) -> bool:
        return self.native_checksum == self.interp_checksum

    def to_json(self) -> dict:
        data = asdict(self)
        data["ratio"] = round(self.ratio, 2)
        data["scalar_ratio"] = round(self.scalar_ratio, 2)
        data["checksum_ok"] = self.checksum_ok
        data["hotspots"] = [{"instr": i, "line": where} for i, where in self.hotspots]
        return data


def host_build_dir(build_dir: Path, opt: str) -> Path:
    return build_dir if opt == "O2" else build_dir / opt


def run_bench(chosen: Sequence[Kernel], build_dir: Path = DEFAULT_BUILD_DIR, *,
              ns: dict[str, int] | None = None, profile: bool = False,
              opt: str = "O2", cflags: Sequence[str] = (),
              progress: Progress = _quiet) -> list[BenchResult]:
    """Build what is needed, then count each kernel natively and under the interpreter.

    opt "Os" runs the runtime as the size report builds it (-Os, mini loader, heap
    pool, libc-builtin) instead of the release build (-O2)."""
    progress("building native kernels")
    native = build_native(build_dir)
    scalar = build_native(build_dir, "scalar")
    progress(f"building the runtime (-{opt})")
    host = build_host_bench(host_build_dir(build_dir, opt),
                            extra_flags=[*host_runtime_flags(opt), *cflags])
    results = []
    for kernel in chosen:
        n = (ns or {}).get(kernel.name, kernel.default_n)
        wasm = build_wasm_kernel(kernel, build_dir)
        progress(f"{kernel.name}: native under callgrind")
        n_instr, n_sum = callgrind([native, kernel.name, str(n)],
                                   build_dir / "callgrind" / f"native.{kernel.name}",
                                   f"native {kernel.name} under callgrind")
        s_instr, s_sum = callgrind([scalar, kernel.name, str(n)],
                                   build_dir / "callgrind" / f"scalar.{kernel.name}",
                                   f"scalar native {kernel.name} under callgrind")
        if s_sum != n_sum:
            raise WasmbedError(f"{kernel.name}: the scalar native build computes {s_sum}, "
                               f"the -O2 build {n_sum}: the kernel is not deterministic")
        progress(f"{kernel.name}: interpreter under callgrind")
        tag = "-".join(["interp", *([] if opt == "O2" else [opt]),
                        *(re.sub(r"[^A-Za-z0-9_=]", "", f) for f in cflags)])
        interp_file = build_dir / "callgrind" / f"{tag}.{kernel.name}"
        i_instr, i_sum = callgrind([host, wasm, kernel.export, str(n)], interp_file,
                                   f"interpreter {kernel.name} under callgrind")
        where = interp_file.relative_to(ROOT) if interp_file.is_relative_to(ROOT) else interp_file
        result = BenchResult(kernel.name, n, n_instr, i_instr, n_sum, i_sum, s_instr, str(where))
        if profile:
            result.hotspots = hotspots(interp_file)
        results.append(result)
    return results


# ---- code size (Cortex-M4) ----------------------------------------------------------

#: Components of the runtime, by source file. First match wins; core files not
#: listed here count as the interpreter (execution, instances, numerics).
COMPONENT_RULES: list[tuple[str, str]] = [
    ("runtime_src/mem/*", "pool"),
    ("runtime_src/libc/*", "libc-builtin"),
    ("runtime_src/core/*load*", "loader"),
    ("runtime_src/core/*read*", "loader"),
    ("runtime_src/core/*leb*", "loader"),
    ("runtime_src/core/*decode*", "loader"),
    ("runtime_src/core/*valid*", "loader"),
    ("runtime_src/core/*compile*", "loader"),
    ("runtime_src/core/*module*", "loader"),
    ("runtime_src/core/*", "interpreter"),
    ("runtime_src/port/common/*", "memcpy & co"),
    ("bench/size/size_mem.c", "memcpy & co"),
    ("bench/size/*", "entry + port"),
    ("*libgcc*", "libgcc"),
]
RUNTIME_COMPONENTS = ("loader", "interpreter", "libc-builtin", "pool")
#: A runtime .bss section at least this big is the built-in heap pool buffer
#: (WB_GLOBAL_HEAP_SIZE), reported apart from the code.
HEAP_BUFFER_MIN = 16 * 1024


def component_of(path: str) -> str:
    rel = path
    root = str(ROOT) + "/"
    if rel.startswith(root):
        rel = rel[len(root):]
    for pattern, name in COMPONENT_RULES:
        if fnmatch(rel, pattern):
            return name
    return "other"


@dataclass
class SectionSize:
    text: int = 0
    data: int = 0
    bss: int = 0

    def add(self, kind: str, size: int) -> None:
        setattr(self, kind, getattr(self, kind) + size)


@dataclass
class SizeReport:
    elf: Path
    components: dict[str, SectionSize]
    objects: dict[str, SectionSize]
    heap_buffer: int
    mem_source: str
    warnings: list[str] = field(default_factory=list)
    cflags: list[str] = field(default_factory=lambda: list(SIZE_CFLAGS))

    @property
    def runtime(self) -> SectionSize:
        total = SectionSize()
        for name in RUNTIME_COMPONENTS:
            part = self.components.get(name, SectionSize())
            total.text += part.text
            total.data += part.data
            total.bss += part.bss
        return total

    def to_json(self) -> dict:
        rt = self.runtime
        return {
            "elf": str(self.elf),
            "cflags": self.cflags + SIZE_FEATURES,
            "components": {k: asdict(v) for k, v in self.components.items()},
            "objects": {k: asdict(v) for k, v in self.objects.items()},
            "runtime": asdict(rt),
            "runtime_text_data": rt.text + rt.data,
            "heap_pool_buffer_bss": self.heap_buffer,
            "aim": SIZE_AIM,
            "within_aim": rt.text + rt.data <= SIZE_AIM,
            "mem_source": self.mem_source,
            "warnings": self.warnings,
        }


def _section_kind(name: str) -> str | None:
    if name.startswith((".text", ".rodata", ".glue", ".ARM.ex", ".vfp11", ".v4_bx",
                        ".iplt", ".init", ".fini", ".ctors", ".dtors")):
        return "text"
    if name.startswith((".data", ".sdata", ".init_array", ".fini_array")):
        return "data"
    if name.startswith((".bss", ".sbss", "COMMON", ".tbss")):
        return "bss"
    return None


_MAP_FULL = re.compile(r"^ (\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
_MAP_NAME = re.compile(r"^ (\S+)$")
_MAP_CONT = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")


def parse_map(text: str) -> list[tuple[str, int, str]]:
    """Kept input sections of a GNU ld map: (section, size, object file)."""
    start = text.find("Linker script and memory map")
    lines = text[start:].splitlines() if start >= 0 else []
    rows = []
    pending = None
    for line in lines:
        full = _MAP_FULL.match(line)
        if full:
            rows.append((full.group(1), int(full.group(3), 16), full.group(4)))
            pending = None
            continue
        if pending:
            cont = _MAP_CONT.match(line)
            if cont:
                rows.append((pending, int(cont.group(2), 16), cont.group(3)))
            pending = None
            continue
        name = _MAP_NAME.match(line)
        if name:
            pending = name.group(1)
    return [r for r in rows if r[1] > 0 and _section_kind(r[0])]


def size_sources() -> tuple[list[Path], Path, str]:
    """(runtime sources incl. libc-builtin, memcpy source, its label) for the size build."""
    srcs = runtime_sources()
    libc = sorted((RUNTIME_SRC / "libc").glob("*.c"))
    if not libc:
        raise WasmbedError("libc-builtin is not there yet: runtime_src/libc/ has no .c files")
    common = RUNTIME_SRC / "port" / "common" / "mem.c"
    if common.exists():
        return srcs + libc, common, "runtime_src/port/common/mem.c"
    return srcs + libc, BENCH_SRC / "size" / "size_mem.c", "bench/size/size_mem.c"


def build_size(out_dir: Path = DEFAULT_BUILD_DIR / "size", opt: str = "Os",
               progress: Progress = _quiet, extra_cflags: Sequence[str] = ()) -> SizeReport:
    """Cross-compile the runtime for Cortex-M4 (-Os) and measure it from the link map."""
    cflags = [*size_cflags(opt), *extra_cflags]
    gcc = tool("arm-none-eabi-gcc")
    srcs, mem, mem_label = size_sources()
    entry = BENCH_SRC / "size" / "size_entry.c"
    out_dir.mkdir(parents=True, exist_ok=True)
    # The firmware's own <string.h>, not a C library's: the size build measures what the
    # firmware links and needs no newlib/picolibc headers.
    include = render.freestanding_include(out_dir / "include", "size-cortex-m4")
    objs = []
    warnings: list[str] = []
    own = {entry, BENCH_SRC / "size" / "size_mem.c"}
    for src in [*srcs, mem, entry]:
        rel = src.relative_to(ROOT)
        obj = out_dir / "obj" / rel.with_suffix(".o")
        obj.parent.mkdir(parents=True, exist_ok=True)
        progress(f"compiling {rel}")
        _run([gcc, *cflags, *SIZE_FEATURES, *(OWN_FLAGS if src in own else WARN_FLAGS),
              f"-I{include}", *_includes(), "-c", src, "-o", obj],
             f"compiling {rel} for cortex-m4",
             warnings=warnings)
        objs.append(obj)
    elf = out_dir / "wasmbed-size.elf"
    map_file = out_dir / "wasmbed-size.map"
    progress("linking")
    _run([gcc, *cflags, "-nostdlib", "-Wl,--gc-sections", "-Wl,-e,size_entry",
          f"-Wl,-Map={map_file}", *objs, "-lgcc", "-o", elf], "linking the size build")
    components: dict[str, SectionSize] = {}
    objects: dict[str, SectionSize] = {}
    heap = 0
    obj_root = str(out_dir / "obj") + "/"
    for section, size, obj in parse_map(map_file.read_text()):
        kind = _section_kind(section)
        assert kind is not None
        src = obj[len(obj_root):-2] + ".c" if obj.startswith(obj_root) else obj
        comp = component_of(src)
        if kind == "bss" and comp in RUNTIME_COMPONENTS and size >= HEAP_BUFFER_MIN:
            heap += size   # the static heap pool buffer: sized by heap_size, not code
            continue
        components.setdefault(comp, SectionSize()).add(kind, size)
        objects.setdefault(Path(src).name, SectionSize()).add(kind, size)
    return SizeReport(elf, components, objects, heap, mem_label, warnings, cflags)


def geomean(values: Sequence[float]) -> float:
    """Geometric mean (the usual summary of ratios); 0.0 for no values."""
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else 0.0


def flags_summary() -> dict[str, list[str]]:
    """The compiler flags of every build the benchmark makes (for reports)."""
    return {
        "native": ["gcc", *NATIVE_KERNEL_FLAGS],
        "native_scalar": ["gcc", *NATIVE_KERNEL_FLAGS, *NATIVE_VARIANTS["scalar"]],
        "wasm": ["clang", *WASM_KERNEL_FLAGS],
        "runtime": ["gcc", *RUNTIME_HOST_FLAGS],
        "runtime_Os": ["gcc", *RUNTIME_HOST_FLAGS, *host_runtime_flags("Os")],
        "size": ["arm-none-eabi-gcc", *SIZE_CFLAGS, *SIZE_FEATURES],
    }


# ---- formatting --------------------------------------------------------------------

def format_bench_markdown(results: Sequence[BenchResult]) -> str:
    lines = ["| kernel | n | native instr (-O2) | scalar native instr | interp instr "
             "| ratio vs -O2 | ratio vs scalar | checksum |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r.kernel} | {r.n} | {r.native_instr:,} | {r.scalar_instr:,} | "
                     f"{r.interp_instr:,} | {r.ratio:.1f}x | {r.scalar_ratio:.1f}x | "
                     f"{'same' if r.checksum_ok else 'DIFFERENT'} |")
    if len(results) > 1:
        lines.append(f"| geometric mean | | | | | {geomean([r.ratio for r in results]):.1f}x | "
                     f"{geomean([r.scalar_ratio for r in results]):.1f}x | |")
    return "\n".join(lines)


def format_size_markdown(report: SizeReport) -> str:
    lines = ["| component | text | data | bss |", "|---|---:|---:|---:|"]
    order = [*RUNTIME_COMPONENTS, "memcpy & co", "libgcc", "entry + port", "other"]
    for name in order:
        if name in report.components:
            s = report.components[name]
            lines.append(f"| {name} | {s.text:,} | {s.data:,} | {s.bss:,} |")
    rt = report.runtime
    lines.append(f"| **runtime (first {len(RUNTIME_COMPONENTS)} rows)** | **{rt.text:,}** | "
                 f"**{rt.data:,}** | **{rt.bss:,}** |")
    lines += ["", "| object | component | text | data | bss |", "|---|---|---:|---:|---:|"]
    for name, s in sorted(report.objects.items(), key=lambda kv: -kv[1].text):
        comp = component_of(_object_source(name))
        lines.append(f"| {name} | {comp} | {s.text:,} | {s.data:,} | {s.bss:,} |")
    return "\n".join(lines)


def _object_source(name: str) -> str:
    for sub in ("runtime_src/core", "runtime_src/mem", "runtime_src/libc",
                "runtime_src/port/common", "bench/size"):
        if (ROOT / sub / name).exists():
            return f"{sub}/{name}"
    return name
