"""Instructions per iteration of bench/aot_control.wat's kernels (tail calls, try, throw)
in AOT code and in the interpreter, callgrind on the host (docs/aot.md, "Proposals in AOT
code"). `wasmbed bench --module` builds its host runtime without tail-call and legacy
exception handling; this builds bench/host_bench.c with both.

    .venv/bin/python bench/aot_control.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from wasmbed.aot import compiler
from wasmbed.report import bench

HERE = Path(__file__).resolve().parent
KERNELS = ("tail", "call", "try", "throw")
N1, N2 = 10_000, 20_000
FLAGS = ("-DWB_FEATURE_AOT=1", "-DWB_FEATURE_TAIL_CALL=1",
         "-DWB_FEATURE_LEGACY_EXCEPTION_HANDLING=1")


def instructions(cmd: list[str], out: Path) -> int:
    return bench.callgrind_program(cmd, out, " ".join(cmd))


def main() -> None:
    wasm = subprocess.run([str(Path(sys.executable).parent / "wat2wasm"), str(HERE / "aot_control.wat"),
                           "--output=-"], capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        exe = d / "host_bench"
        srcs = [*bench.runtime_sources(), bench.HOST_PORT,
                bench.RUNTIME_SRC / "port" / "host" / "port_host_code.c",
                bench.BENCH_SRC / "host_bench.c"]
        subprocess.run([bench.tool("gcc"), *bench.RUNTIME_HOST_FLAGS, *FLAGS, *bench._includes(),
                        *map(str, srcs), "-o", str(exe)], check=True)
        (d / "k.wasm").write_bytes(wasm)
        (d / "k.aot").write_bytes(compiler.compile_cached(wasm, compiler.target_for("host")))
        for k in KERNELS:
            for mode in ("aot", "wasm"):
                a, b = (instructions([str(exe), str(d / f"k.{mode}"), f"bench_{k}", str(n)],
                                     d / "cg.out") for n in (N1, N2))
                name = "aot" if mode == "aot" else "interp"
                print(f"{k:6} {name:6} {(b - a) / (N2 - N1):7.1f} instructions per iteration")


if __name__ == "__main__":
    main()
