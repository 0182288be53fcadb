"""Cost of memory64, multi-memory and atomics in AOT code, callgrind on the host (docs/aot.md,
"Memories in AOT code"). One kernel (two passes over a 64 KiB memory, a load, a load at
offset 4 and a store per word) in three variants: memory 0, memory 1 of two
(multi-memory), an i64 memory (memory64); with memory declared at 1 page (the loop bound
comes from memory.size, so the C compiler cannot drop the checks) and at 0 pages grown by
the kernel (no declared-minimum shortcut: every access takes the exact test). Then an
atomic rmw.add per word against a plain load/add/store. `wasmbed bench --module` builds
its host runtime without these proposals; this builds bench/host_bench.c with them.

    .venv/bin/python bench/aot_memory.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from wasmbed.aot import compiler
from wasmbed.report import bench

N1, N2 = 2, 4
FLAGS = ("-DWB_FEATURE_AOT=1", "-DWB_FEATURE_MEMORY64=1", "-DWB_FEATURE_MULTI_MEMORY=1",
         "-DWB_FEATURE_SHARED_MEMORY=1", "-DWB_PORT_HAS_THREADS=1", "-pthread")

WALK = """(module {MEM}
 (func (export "bench") (param $n i32) (result i64)
   (local $i {A}) (local $s i64) (local $k i32) (local $lim {A})
   (if ({A}.eqz (memory.size {M})) (then (drop (memory.grow {M} ({A}.const 1)))))
   (local.set $lim ({A}.sub ({A}.shl (memory.size {M}) ({A}.const 16)) ({A}.const 8)))
   (loop $outer
     (local.set $i ({A}.const 0))
     (loop $inner
        (local.set $s (i64.add (local.get $s) (i64.load32_u {M} (local.get $i))))
        (i32.store {M} (local.get $i) (i32.add (i32.load {M} offset=4 (local.get $i)) (local.get $k)))
        (local.set $i ({A}.add (local.get $i) ({A}.const 4)))
        (br_if $inner ({A}.lt_u (local.get $i) (local.get $lim))))
     (local.set $k (i32.add (local.get $k) (i32.const 1)))
     (br_if $outer (i32.lt_u (local.get $k) (local.get $n))))
   (local.get $s)))"""

ATOMIC = """(module (memory 1 1 shared)
 (func (export "bench") (param $n i32) (result i64)
   (local $i i32) (local $k i32)
   (loop $outer
     (local.set $i (i32.const 0))
     (loop $inner
        {OP}
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $inner (i32.lt_u (local.get $i) (i32.const 65536))))
     (local.set $k (i32.add (local.get $k) (i32.const 1)))
     (br_if $outer (i32.lt_u (local.get $k) (local.get $n))))
   (i64.extend_i32_u (i32.load (i32.const 8)))))"""


def kernels() -> dict[str, str]:
    out = {}
    for pages in ("1", "0"):
        for name, mem, a, m in (("memory 0", f"(memory {pages})", "i32", ""),
                                ("memory 1 of 2", f"(memory $a 1) (memory $b {pages})", "i32", "$b"),
                                ("memory64", f"(memory i64 {pages})", "i64", "")):
            out[f"{name}, min {pages} page(s)"] = (WALK.replace("{MEM}", mem).replace("{A}", a)
                                                   .replace("{M}", m))
    plain = "(i32.store (local.get $i) (i32.add (i32.load (local.get $i)) (local.get $k)))"
    out["plain load/add/store"] = ATOMIC.replace("{OP}", plain)
    out["i32.atomic.rmw.add"] = ATOMIC.replace(
        "{OP}", "(drop (i32.atomic.rmw.add (local.get $i) (local.get $k)))")
    return out


def instructions(cmd: list[str], out: Path) -> int:
    return bench.callgrind_program(cmd, out, " ".join(cmd))


def main() -> None:
    wat2wasm = str(Path(sys.executable).parent / "wat2wasm")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        exe = d / "host_bench"
        srcs = [*bench.runtime_sources(), bench.HOST_PORT,
                bench.RUNTIME_SRC / "port" / "host" / "port_host_code.c",
                bench.RUNTIME_SRC / "port" / "host" / "port_host_thread.c",
                bench.BENCH_SRC / "host_bench.c"]
        subprocess.run([bench.tool("gcc"), *bench.RUNTIME_HOST_FLAGS, *FLAGS, *bench._includes(),
                        *map(str, srcs), "-o", str(exe)], check=True)
        for name, wat in kernels().items():
            (d / "k.wat").write_text(wat)
            subprocess.run([wat2wasm, "--enable-all", str(d / "k.wat"), "-o", str(d / "k.wasm")],
                           check=True)
            wasm = (d / "k.wasm").read_bytes()
            (d / "k.aot").write_bytes(compiler.compile_cached(wasm, compiler.target_for("host")))
            a, b = (instructions([str(exe), str(d / "k.aot"), "bench", str(n)], d / "cg.out")
                    for n in (N1, N2))
            print(f"{name:32} {b - a:9,} instructions ({(b - a) / (N2 - N1) / 16382:5.1f} per word)")


if __name__ == "__main__":
    main()
