"""`wasmbed bench`: interpreter/native instruction ratios, or the runtime's code size."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from wasmbed.report import bench
from wasmbed.report import bench_module
from wasmbed.errors import WasmbedError

NAME = "bench"
HELP = ("count instructions of the benchmark kernels natively and under the interpreter "
        "(callgrind), or measure the runtime's code size (--size)")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kernels", metavar="A,B",
                        help="comma-separated kernels (default: all in bench/kernels/)")
    parser.add_argument("--n", action="append", default=[], metavar="KERNEL=N|N1,N2",
                        help="override a kernel's n (repeatable); with --module: the two n "
                             "to run, N1,N2 (their difference is reported)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the results as JSON")
    parser.add_argument("--markdown", type=Path, metavar="FILE",
                        help="write the result table as Markdown")
    parser.add_argument("--profile", action="store_true",
                        help="list the interpreter's hottest source lines (from callgrind)")
    parser.add_argument("--size", action="store_true",
                        help="code size of interpreter + mini loader + libc-builtin + pool "
                             "on Cortex-M4 instead of the instruction benchmark")
    parser.add_argument("--opt", choices=bench.OPT_LEVELS,
                        help="optimization level of the runtime: O2 (default of the "
                             "instruction benchmark) or Os (default of --size; for the "
                             "benchmark it also takes the size report's features)")
    parser.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME[=V]",
                        help="extra define for the runtime build (repeatable), e.g. "
                             "-D WB_SMALL=0")
    parser.add_argument("--build-dir", type=Path, default=bench.DEFAULT_BUILD_DIR,
                        help="where to build (default: build/bench)")
    module = parser.add_argument_group(
        "any module", "count an int64 NAME(int32) export of your own module at two n; "
        "--json FILE writes {\"modes\": {MODE: {\"instructions\": N, \"checksum\": C}}}")
    module.add_argument("--module", type=Path, metavar="X.wasm", help="the module")
    module.add_argument("--export", metavar="NAME", help="its int64 NAME(int32 n) export")
    module.add_argument("--mode", action="append", default=[], metavar="MODE[,MODE]",
                        help="running modes (host: " + ", ".join(bench_module.HOST_MODES)
                             + "; --board: " + ", ".join(bench_module.BOARD_MODES)
                             + "; default: all that can run)")
    module.add_argument("--source", type=Path, metavar="X.c",
                        help="the module's C source, for the native mode (gcc -O2)")
    module.add_argument("--board", metavar="BOARD",
                        help="count on a QEMU board (-icount) instead of the host (callgrind)")
    module.add_argument("--firmware", type=Path,
                        help="with --board: boot this firmware instead of building it")


def _overrides(items: list[str]) -> dict[str, int]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not value.isdigit():
            raise WasmbedError(f"--n {item!r}: expected KERNEL=N, e.g. fib=25")
        bench.select_kernels([name])  # unknown name -> error with a suggestion
        out[name] = int(value)
    return out


def _defines(args: argparse.Namespace) -> list[str]:
    for define in args.defines:
        if not define or not (define[0].isalpha() or define[0] == "_"):
            raise WasmbedError(f"-D {define!r}: expected NAME or NAME=VALUE")
    return [f"-D{d}" for d in args.defines]


def _run_instructions(args: argparse.Namespace, console: Console) -> int:
    names = [n.strip() for n in args.kernels.split(",") if n.strip()] if args.kernels else []
    chosen = bench.select_kernels(names)
    ns = _overrides(args.n)
    with console.status("benchmark") as status:
        results = bench.run_bench(chosen, args.build_dir, ns=ns, profile=args.profile,
                                  opt=args.opt or "O2", cflags=_defines(args),
                                  progress=lambda msg: status.update(msg))
    build = " ".join(["-Os, size features" if args.opt == "Os" else "-O2", *_defines(args)])
    table = Table(title=f"interpreter ({build}) vs native (target {bench.TARGET_RATIO:.0f}x)")
    for col in ("kernel", "n", "native instr", "interp instr", "ratio", "vs scalar",
                "checksum ok"):
        table.add_column(col, justify="left" if col in ("kernel", "checksum ok") else "right")
    for r in results:
        table.add_row(r.kernel, str(r.n), f"{r.native_instr:,}", f"{r.interp_instr:,}",
                      f"{r.ratio:.1f}x", f"{r.scalar_ratio:.1f}x", "yes" if r.checksum_ok else
                      f"NO ({r.native_checksum} != {r.interp_checksum})")
    if len(results) > 1:
        table.add_row("geomean", "", "", "", f"{bench.geomean([r.ratio for r in results]):.1f}x",
                      f"{bench.geomean([r.scalar_ratio for r in results]):.1f}x", "",
                      style="bold")
    console.print(table)
    _, port = bench.host_port()
    console.print("native: gcc -O2 (auto-vectorized); vs scalar: gcc -O2 -fno-tree-vectorize, "
                  "like the wasm kernels (no SIMD)")
    console.print(f"host port: {port}")
    warn_file = bench.host_build_dir(args.build_dir, args.opt or "O2") / "host_bench.warnings"
    _print_warnings(console, warn_file.read_text().splitlines() if warn_file.exists() else [])
    if args.profile:
        for r in results:
            console.print(f"[bold]{r.kernel}[/bold]: hottest interpreter source lines")
            for instr, func in r.hotspots:
                share = 100.0 * instr / r.interp_instr if r.interp_instr else 0.0
                console.print(f"  {share:5.1f}%  {instr:>14,}  {func}", markup=False,
                              highlight=False, soft_wrap=True)
    if args.json:
        from wasmbed.report.provenance import stamp

        _write(args.json, json.dumps({**stamp(), "board": "host",
                                      "target_ratio": bench.TARGET_RATIO,
                                      "host_port": port,
                                      "runtime_build": build,
                                      "flags": bench.flags_summary(),
                                      "geomean_ratio": round(bench.geomean(
                                          [r.ratio for r in results]), 2),
                                      "geomean_scalar_ratio": round(bench.geomean(
                                          [r.scalar_ratio for r in results]), 2),
                                      "results": [r.to_json() for r in results]}, indent=2))
    if args.markdown:
        _write(args.markdown, bench.format_bench_markdown(results) + "\n")
    return 0 if all(r.checksum_ok for r in results) else 1


def _run_size(args: argparse.Namespace, console: Console) -> int:
    with console.status("size build") as status:
        opt = args.opt or "Os"
        report = bench.build_size(args.build_dir / ("size" if opt == "Os" else f"size-{opt}"),
                                  opt, progress=lambda msg: status.update(msg),
                                  extra_cflags=_defines(args))
    table = Table(title=" ".join([f"runtime code size, cortex-m4 -{opt}", *_defines(args),
                                  "--gc-sections"]))
    for col in ("component", "text", "data", "bss"):
        table.add_column(col, justify="left" if col == "component" else "right")
    for name, s in report.components.items():
        table.add_row(name, f"{s.text:,}", f"{s.data:,}", f"{s.bss:,}")
    rt = report.runtime
    table.add_row("runtime total", f"{rt.text:,}", f"{rt.data:,}", f"{rt.bss:,}", style="bold")
    console.print(table)
    used = rt.text + rt.data
    verdict = "within" if used <= bench.SIZE_AIM else "over"
    console.print(f"runtime text+data {used:,} B = {used / 1024:.1f} KiB: {verdict} the "
                  f"{bench.SIZE_AIM // 1024} KiB aim (heap pool buffer of "
                  f"{report.heap_buffer:,} B bss not counted; memcpy from {report.mem_source})")
    _print_warnings(console, report.warnings)
    if args.json:
        _write(args.json, json.dumps(report.to_json(), indent=2))
    if args.markdown:
        _write(args.markdown, bench.format_size_markdown(report) + "\n")
    return 0


def _print_warnings(console: Console, warnings: list[str]) -> None:
    if warnings:
        console.print(f"[yellow]{len(warnings)} compiler warning(s) in the runtime:[/yellow]")
        for line in warnings[:5]:
            console.print(f"  {line}", markup=False, highlight=False)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _run_module(args: argparse.Namespace, console: Console) -> int:
    if not args.export:
        raise WasmbedError("--module needs --export NAME (an int64 NAME(int32) export)")
    if len(args.n) != 1:
        raise WasmbedError("--module needs one --n N1,N2 (e.g. --n 10,20)")
    ns = bench_module.parse_ns(args.n[0])
    if args.board:
        from wasmbed.commands.qemu import resolve_board
        args.board = resolve_board(args.board)
    modes = [m.strip() for item in args.mode for m in item.split(",") if m.strip()]
    modes = modes or bench_module.default_modes(args.board, args.source)
    job = bench_module.ModuleJob(wasm=args.module, export=args.export, source=args.source,
                                 build_dir=args.build_dir, board=args.board,
                                 firmware=args.firmware)
    with console.status("benchmark") as status:
        results = bench_module.measure(job, modes, ns, progress=lambda m: status.update(m))
    where = f"{args.board} (QEMU -icount shift=0)" if args.board else "host (callgrind)"
    table = Table(title=f"{args.export}({ns[1]}) - {args.export}({ns[0]}) on {where}")
    base = next((r for r in results if r.mode == "native"), results[0] if results else None)
    for col in ("mode", f"instr n={ns[0]}", f"instr n={ns[1]}", "difference", "checksum",
                f"vs {base.mode if base else '-'}"):
        table.add_column(col, justify="left" if col == "mode" else "right")
    first = base.instructions if base else 0
    for r in results:
        table.add_row(r.mode, f"{r.counts[0].instructions:,}", f"{r.counts[1].instructions:,}",
                      f"{r.instructions:,}", str(r.checksum),
                      f"{r.instructions / first:.2f}x" if first > 0 else "-")
    console.print(table)
    sums = {r.checksum for r in results}
    if len(sums) > 1:
        console.print("[red]the modes computed different checksums[/red]")
    if args.json:
        _write(args.json, bench_module.to_json(job, results))
    return 0 if len(sums) <= 1 and all(r.instructions > 0 for r in results) else 1


def run(args: argparse.Namespace) -> int:
    from wasmbed.report.results import console as make_console

    console = make_console()  # COLUMNS honoured; piped: numbers not cut to `27,082,…`
    if args.module is not None:
        return _run_module(args, console)
    if args.export or args.source or args.board or args.mode or args.firmware:
        raise WasmbedError("--export, --mode, --source, --board and --firmware go with "
                           "--module X.wasm")
    return _run_size(args, console) if args.size else _run_instructions(args, console)
