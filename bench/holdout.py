"""Held-out kernels: programs that were never used to choose a superinstruction.

The five kernels in bench/kernels/ picked the fused forms of both interpreters
(docs/fast-interp.md). The kernels here (bench/holdout/) check that what was
gained there carries over to code nobody tuned for: SHA-256, quicksort, a hash
map, Mandelbrot in doubles. Each is counted like `wasmbed bench --module`
(callgrind, the difference of the calls at n/4 and n) in every mode asked for.

    .venv/bin/python bench/holdout.py [--modes interp,fast-interp,native] [--json F]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from wasmbed.report import bench, bench_module

HOLDOUT_DIR = Path(__file__).resolve().parent / "holdout"


def holdout_kernels() -> list[bench.Kernel]:
    return bench.kernels(HOLDOUT_DIR)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="interp,fast-interp,native")
    parser.add_argument("--kernels", default="", help="comma-separated (default: all)")
    parser.add_argument("--build-dir", type=Path, default=bench.DEFAULT_BUILD_DIR / "holdout")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    wanted = {k for k in args.kernels.split(",") if k}
    rows: dict[str, dict[str, dict[str, int]]] = {}
    for kernel in holdout_kernels():
        if wanted and kernel.name not in wanted:
            continue
        wasm = bench.build_wasm_kernel(kernel, args.build_dir)
        job = bench_module.ModuleJob(wasm, kernel.export, kernel.source, args.build_dir)
        ns = (max(1, kernel.default_n // 4), kernel.default_n)
        results = bench_module.measure(job, modes, ns)
        sums = {r.checksum for r in results}
        if len(sums) != 1:
            raise SystemExit(f"{kernel.name}: the modes disagree on the checksum: "
                             + ", ".join(f"{r.mode} {r.checksum}" for r in results))
        rows[kernel.name] = {r.mode: {"instructions": r.instructions, "checksum": r.checksum}
                             for r in results}
        line = "  ".join(f"{r.mode} {r.instructions:,}" for r in results)
        print(f"{kernel.name} (n={ns[0]},{ns[1]}): {line}", flush=True)
    if "native" in modes:
        for mode in (m for m in modes if m != "native"):
            ratios = [row[mode]["instructions"] / row["native"]["instructions"]
                      for row in rows.values()]
            print(f"{mode}/native: " + ", ".join(f"{k} {r:.2f}x" for k, r in zip(rows, ratios))
                  + f"; geomean {bench.geomean(ratios):.2f}x")
    if "interp" in modes and "fast-interp" in modes:
        ups = [row["interp"]["instructions"] / row["fast-interp"]["instructions"]
               for row in rows.values()]
        print("fast-interp speed-up over interp: "
              + ", ".join(f"{k} {u:.2f}x" for k, u in zip(rows, ups))
              + f"; geomean {bench.geomean(ups):.2f}x")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
