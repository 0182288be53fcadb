"""`wasmbed bench --module X.wasm --export NAME --n N1,N2`: any module's export, every mode.

The export must be `int64 NAME(int32 n)`. Each running mode counts the instructions of
one call at n=N1 and one at n=N2; the difference is reported, so what does not depend
on n (start-up, loading, compiling, instantiating, the call's own set-up) cancels out.
The checksum is the i64 result of the N2 call.

Modes are runners in two tables, one per place they run:

    HOST_MODES[mode](job, ns)  -> [Count per n]   callgrind on this machine
    BOARD_MODES[mode](job, ns) -> [Count per n]   a QEMU board under -icount shift=0

Adding a mode (aot, fast-interp) is one function and one dict entry (see
/work/notes/bench-modes.md for the contract).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from wasmbed import ROOT
from wasmbed.report import bench
from wasmbed.errors import WasmbedError
from wasmbed.model import leb128

NATIVE_DRIVER = ROOT / "bench" / "native_one.c"


@dataclass(frozen=True)
class ModuleJob:
    """What a runner gets."""

    wasm: Path                 # the module
    export: str                # int64 NAME(int32)
    source: Path | None        # the module's C source (the native modes need it)
    build_dir: Path            # where runners build (each under build_dir / <mode>)
    board: str | None = None   # None: host; else a QEMU board
    firmware: Path | None = None           # board: boot this firmware instead of building
    features: list[str] | None = None      # board: feature keys of the firmware build
    timeout: float = 600.0                 # board: seconds per call


@dataclass(frozen=True)
class Count:
    instructions: int
    checksum: int    # the i64 result, signed


#: A runner: one call of job.export(n) per n, in order.
Runner = Callable[[ModuleJob, Sequence[int]], list[Count]]


@dataclass
class ModeResult:
    mode: str
    ns: tuple[int, int]
    counts: list[Count]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def instructions(self) -> int:
        """Instructions of the N2 call minus those of the N1 call."""
        return self.counts[1].instructions - self.counts[0].instructions

    @property
    def checksum(self) -> int:
        return self.counts[1].checksum

    def to_json(self) -> dict[str, Any]:
        return {"instructions": self.instructions, "checksum": self.checksum,
                "n": list(self.ns), "counts": [c.instructions for c in self.counts],
                **self.extra}


# ---- host runners (callgrind) -------------------------------------------------------------

def _counted(cmd: list[str | Path], out: Path, what: str) -> Count:
    instructions, checksum = bench.callgrind(cmd, out, what)
    return Count(instructions, checksum)


def host_interp(job: ModuleJob, ns: Sequence[int]) -> list[Count]:
    """The classic interpreter (release -O2 runtime, bench/host_bench.c) under callgrind."""
    exe = bench.build_host_bench(job.build_dir / "interp")
    return [_counted([exe, job.wasm, job.export, str(n)],
                     job.build_dir / "callgrind" / f"interp.{job.export}.{n}",
                     f"interp {job.export}({n})") for n in ns]


FAST_INTERP_FLAGS = ("-DWB_FEATURE_FAST_INTERP=1",)
_CODE_BYTES_RE = re.compile(r"^code_bytes interp (\d+) fast-interp (\d+) fallback (\d+)$", re.M)


def wasm_code_bytes(wasm: Path) -> int:
    """Size of the module's code section (id 10) in bytes (0 if it has none)."""
    data = wasm.read_bytes()
    pos = 8
    while pos < len(data):
        sid = data[pos]
        size, pos = leb128.read_u(data, pos + 1)
        if sid == 10:
            return size
        pos += size
    return 0


def code_bytes(exe: Path, job: ModuleJob) -> tuple[int, int, int]:
    """(classic code bytes, fast-interp code bytes, functions left to the classic
    interpreter) of the module, from one uncounted n=0 run of a fast-interp host_bench."""
    out = bench._run([exe, job.wasm, job.export, "0"], f"fast-interp {job.export}(0)")
    match = _CODE_BYTES_RE.search(out)
    if not match:
        raise WasmbedError(f"fast-interp host_bench printed no code_bytes line:\n{out[-300:]}")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def host_fast_interp(job: ModuleJob, ns: Sequence[int]) -> list[Count]:
    """fast-interp (docs/fast-interp.md): the same runtime and embedder built with the
    fast-interp feature, whose instances run in that mode, under callgrind. Also prints the
    module's compiled code per wasm code byte in both modes (memory per module)."""
    exe = bench.build_host_bench(job.build_dir / "fast-interp", extra_flags=FAST_INTERP_FLAGS)
    classic, fast, fallback = code_bytes(exe, job)
    wasm = wasm_code_bytes(job.wasm) or 1
    print(f"code bytes per wasm code byte ({wasm} B): interp {classic / wasm:.2f} "
          f"({classic} B), fast-interp {fast / wasm:.2f} ({fast} B); functions left to "
          f"the classic interpreter: {fallback}")
    return [_counted([exe, job.wasm, job.export, str(n)],
                     job.build_dir / "callgrind" / f"fast-interp.{job.export}.{n}",
                     f"fast-interp {job.export}({n})") for n in ns]


def build_native_one(source: Path, export: str, out_dir: Path) -> Path:
    """source (gcc -O2, as the kernels are built natively) + bench/native_one.c."""
    if not source.is_file():
        raise WasmbedError(f"--source {source}: no such file")
    out_dir.mkdir(parents=True, exist_ok=True)
    exe = out_dir / f"native-{source.stem}-{export}"
    stamp = out_dir / f"{exe.name}.export"
    if bench._up_to_date(exe, [source, NATIVE_DRIVER]) and stamp.exists() \
            and stamp.read_text() == export:
        return exe
    gcc = bench.tool("gcc")
    obj = out_dir / f"{source.stem}.o"
    includes = [f"-I{source.parent}", f"-I{bench.KERNEL_DIR}"]
    bench._run([gcc, *bench.NATIVE_KERNEL_FLAGS, *includes, "-c", source, "-o", obj],
               f"compiling {source.name} natively")
    bench._run([gcc, "-O2", *bench.OWN_FLAGS, f"-DBENCH_FN={export}", NATIVE_DRIVER, obj,
                "-o", exe], f"linking {exe.name}")
    stamp.write_text(export)
    return exe


def host_native(job: ModuleJob, ns: Sequence[int]) -> list[Count]:
    """The module's C source compiled natively (gcc -O2) under callgrind."""
    if job.source is None:
        raise WasmbedError("mode native needs the module's C source",
                           hint="add --source X.c (built with gcc -O2, export NAME callable "
                                "as int64_t NAME(int32_t))")
    exe = build_native_one(job.source, job.export, job.build_dir / "native")
    return [_counted([exe, str(n)], job.build_dir / "callgrind" / f"native.{job.export}.{n}",
                     f"native {job.export}({n})") for n in ns]


def build_host_aot_bench(out_dir: Path) -> Path:
    """bench/host_bench.c on a runtime with the aot feature (it loads .aot files)."""
    out = out_dir / "host_bench_aot"
    srcs = [*bench.runtime_sources(), bench.HOST_PORT,
            bench.RUNTIME_SRC / "port" / "host" / "port_host_code.c",
            bench.BENCH_SRC / "host_bench.c"]
    if bench._up_to_date(out, [*srcs, *bench._headers()]):
        return out
    out_dir.mkdir(parents=True, exist_ok=True)
    bench._run([bench.tool("gcc"), *bench.RUNTIME_HOST_FLAGS, "-DWB_FEATURE_AOT=1", "-g",
                *bench._includes(), *srcs, "-o", out], "building the AOT host benchmark")
    return out


def host_aot(job: ModuleJob, ns: Sequence[int]) -> list[Count]:
    """The module compiled ahead of time (wasmbed aot, host gcc -O2) under callgrind."""
    from wasmbed.aot import compiler

    exe = build_host_aot_bench(job.build_dir / "aot")
    aot = job.build_dir / "aot" / f"{job.wasm.stem}.aot"
    aot.write_bytes(compiler.compile_cached(job.wasm.read_bytes(), compiler.target_for("host")))
    return [_counted([exe, aot, job.export, str(n)],
                     job.build_dir / "callgrind" / f"aot.{job.export}.{n}",
                     f"aot {job.export}({n})") for n in ns]


# ---- board runners (QEMU -icount) -----------------------------------------------------------

def board_interp(job: ModuleJob, ns: Sequence[int]) -> list[Count]:
    """The board's firmware (agent + interpreter) under QEMU -icount shift=0: the agent
    times each call itself, and one guest instruction is one virtual nanosecond."""
    from wasmbed.commands.qemu import firmware_for, log_path
    from wasmbed.run.qemu import QemuTarget
    from wasmbed.report.qemu_bench import invoke_counted

    assert job.board is not None
    firmware = firmware_for(job.board, job.features, job.firmware)
    with QemuTarget(job.board, firmware, icount=True, log=log_path(job.board, None)) as target:
        target.start()
        # a first call (discarded) pays what only the first call of a module does (the
        # agent's value stack, the dispatch table), which would not cancel out otherwise
        counts = invoke_counted(target, job.wasm, job.export, [ns[0], *ns], job.timeout)[1:]
    return [Count(i, c) for i, c in counts]


def board_fast_interp(job: ModuleJob, ns: Sequence[int]) -> list[Count]:
    """As board_interp, on firmware built with the fast-interp feature (its agent runs every
    instance in fast-interp); --firmware is the interp mode's and is not used here."""
    from dataclasses import replace

    from wasmbed.commands.spec import fast_interp_features

    assert job.board is not None
    return board_interp(replace(job, firmware=None,
                                features=fast_interp_features(job.board, job.features)), ns)


def board_aot(job: ModuleJob, ns: Sequence[int]) -> list[Count]:
    """As board_interp, with the module compiled ahead of time for the board (wasmbed aot,
    the board's compiler) and pushed as an .aot file to firmware built with the aot feature."""
    from dataclasses import replace

    from wasmbed.aot import compiler
    from wasmbed.commands.spec import aot_features

    assert job.board is not None
    aot = job.build_dir / "aot" / job.board / f"{job.wasm.stem}.aot"
    aot.parent.mkdir(parents=True, exist_ok=True)
    aot.write_bytes(compiler.compile_cached(job.wasm.read_bytes(),
                                            compiler.target_for(job.board)))
    return board_interp(replace(job, wasm=aot, features=aot_features(job.board, job.features)),
                        ns)


@dataclass(frozen=True)
class _BoardKernel:   # what qemu_bench.build_native needs of a kernel
    name: str
    source: Path
    default_n: int


def board_native(job: ModuleJob, ns: Sequence[int]) -> list[Count]:
    """The module's C source compiled for the board (as run-on-qemu --bench builds the
    kernels), timed by the port's timer under QEMU -icount shift=0."""
    from wasmbed.report import qemu_bench

    assert job.board is not None
    if job.source is None:
        raise WasmbedError("mode native needs the module's C source", hint="add --source X.c")
    m = re.match(r"^bench_(\w+)$", job.export)
    if not m:
        raise WasmbedError(f"mode native on a board needs an export named bench_<name>, "
                           f"not {job.export!r}", hint="rename the function, or run the "
                                                       "native mode on the host")
    kernels = [_BoardKernel(m.group(1), job.source.resolve(), n) for n in ns]
    image = qemu_bench.build_native(job.board, kernels,
                                    job.build_dir / "board-native" / job.board)
    lines = qemu_bench.native_lines(job.board, image, job.timeout * len(ns))
    if [n for _, n, _, _ in lines] != list(ns):
        raise WasmbedError(f"the native image on {job.board} printed {len(lines)} of "
                           f"{len(ns)} result lines")
    return [Count(instr, checksum) for _, _, instr, checksum in lines]


HOST_MODES: dict[str, Runner] = {
    "interp": host_interp,
    "native": host_native,
    "aot": host_aot,
    "fast-interp": host_fast_interp,
}
BOARD_MODES: dict[str, Runner] = {
    "interp": board_interp,
    "native": board_native,
    "fast-interp": board_fast_interp,
    "aot": board_aot,
}


# ---- the measurement ------------------------------------------------------------------------

_EXPORT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_ns(text: str) -> tuple[int, int]:
    """'N1,N2' -> (N1, N2), N1 < N2, both >= 0."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise WasmbedError(f"--n {text!r}: expected two counts N1,N2 (e.g. --n 10,20)")
    n1, n2 = int(parts[0]), int(parts[1])
    if n1 >= n2:
        raise WasmbedError(f"--n {text!r}: N1 must be smaller than N2")
    if n2 > 0x7FFFFFFF:
        raise WasmbedError(f"--n {text!r}: n is an int32")
    return n1, n2


def modes_for(board: str | None) -> dict[str, Runner]:
    return BOARD_MODES if board else HOST_MODES


def check_modes(names: Sequence[str], board: str | None) -> list[str]:
    known = modes_for(board)
    where = f"on board {board}" if board else "on the host"
    for name in names:
        if name not in known:
            near = difflib.get_close_matches(name, list(known), n=1)
            hint = f"did you mean '{near[0]}'?" if near else f"modes {where}: {', '.join(known)}"
            raise WasmbedError(f"unknown bench mode '{name}' {where}", hint=hint)
    return list(names)


def default_modes(board: str | None, source: Path | None) -> list[str]:
    """Every mode that can run: native only with a source, and only where it runs."""
    return [m for m in modes_for(board) if m != "native" or source is not None]


def check_module(wasm: Path, export: str) -> None:
    if not wasm.is_file():
        raise WasmbedError(f"--module {wasm}: no such file")
    if wasm.read_bytes()[:4] != b"\0asm":
        raise WasmbedError(f"--module {wasm}: not a binary WebAssembly module (no \\0asm)")
    if not _EXPORT_RE.match(export):
        raise WasmbedError(f"--export {export!r}: expected a C identifier")


def measure(job: ModuleJob, modes: Sequence[str], ns: tuple[int, int],
            progress: Callable[[str], None] = lambda _: None) -> list[ModeResult]:
    """Run every mode at both n; the results in the order of modes."""
    check_module(job.wasm, job.export)
    runners = modes_for(job.board)
    results = []
    for mode in check_modes(modes, job.board):
        progress(f"{mode}: {job.export}({ns[0]}) and {job.export}({ns[1]})")
        counts = runners[mode](job, list(ns))
        if len(counts) != 2:
            raise WasmbedError(f"bench mode {mode} returned {len(counts)} counts for 2 runs")
        results.append(ModeResult(mode, ns, counts))
    return results


def to_json(job: ModuleJob, results: Sequence[ModeResult]) -> str:
    return json.dumps({
        "module": str(job.wasm), "export": job.export, "board": job.board or "host",
        "method": ("qemu -icount shift=0; agent-timed call, guest us x 1000" if job.board
                   else "callgrind, instructions of one call (toggle-collect=bench_run)"),
        "n": list(results[0].ns) if results else [],
        "modes": {r.mode: r.to_json() for r in results},
    }, indent=2) + "\n"
