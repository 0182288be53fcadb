"""`run-on-qemu ARCH|BOARD [app.wasm]` (also `wasmbed qemu`): build, boot under QEMU, test.

Without an app it runs the spec suite through the agent (wasmbed.run.spec); with an app
it loads it, runs `_start`/`main`, streams the output and exits with its exit code.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Optional

from wasmbed import ROOT
from wasmbed.commands.run import add_app_options
from wasmbed.errors import WasmbedError
from wasmbed.run.outcome import non_negative_int, positive_int, positive_seconds

NAME = "qemu"
HELP = "build the agent for a QEMU board, boot it and run the spec suite or an app"

#: serial logs kept per board under build/<board>/logs/: the newest KEEP_LOGS files, and
#: only as many of those as fit in LOG_BUDGET bytes (a full suite logs about 6.4 MB)
KEEP_LOGS = 40
LOG_BUDGET = 32 << 20

#: arch names people type -> the QEMU board that runs them
ALIASES = {
    "riscv64": "qemu-riscv64", "riscv32": "qemu-riscv32", "rv64": "qemu-riscv64",
    "rv32": "qemu-riscv32", "cortex-m4": "mps2-an386", "cortex-m4f": "mps2-an386",
    "arm": "mps2-an386", "thumb": "mps2-an386", "cortex-m3": "mps2-an385",
    "aarch64": "qemu-aarch64", "arm64": "qemu-aarch64", "mips": "malta-mips",
    "mips32": "malta-mips", "mips64": "malta-mips64", "i386": "qemu-i386", "x86": "qemu-i386",
    "xtensa": "qemu-xtensa",
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="ARCH|BOARD",
                        help="an arch (riscv64, riscv32, cortex-m4, cortex-m3, arm, aarch64, mips, "
                             "mips64, i386, xtensa) or a board with a qemu: section")
    parser.add_argument("app", nargs="?", type=Path, help="a .wasm application to run instead of the spec suite")
    parser.add_argument("--boards-dir", action="append", metavar="DIR",
                        help="search DIR for board descriptors before the built-in ones "
                             "(also WASMBED_BOARDS_PATH, os.pathsep-separated)")
    parser.add_argument("--spec", "--suite", dest="spec", default="core", metavar="SUITE",
                        help="spec suite to run (default: core, from the WebAssembly testsuite "
                             "in $WASMBED_TESTSUITE, default ../shared/wasm-testsuite)")
    parser.add_argument("--files", help="comma-separated .wast names instead of the whole suite")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report here")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report here")
    parser.add_argument("--features", help="comma-separated feature keys for the agent build")
    parser.add_argument("--firmware", type=Path, help="boot this prebuilt firmware instead of building")
    parser.add_argument("--log", type=Path, metavar="FILE",
                        help="serial traffic log (default: build/<board>/logs/run-<timestamp>.log)")
    parser.add_argument("--jobs", "-j", type=positive_int, default=1,
                        help="split the spec files across this many QEMU guests (default 1)")
    parser.add_argument("--icount", action="store_true",
                        help="run QEMU with -icount shift=0 (deterministic; guest time = instructions)")
    parser.add_argument("--timeout", type=positive_seconds, default=10.0,
                        help="base seconds per command, times the board's timeout factor (default 10)")
    parser.add_argument("--app-timeout", type=positive_seconds, default=120.0,
                        help="seconds an app may run, times the board's timeout factor (default 120)")
    parser.add_argument("--max-restarts", type=non_negative_int, default=50,
                        help="give up after this many guest resets per guest (default 50)")
    parser.add_argument("--mini-loader", action="store_true",
                        help="agent built with the mini loader: skip assert_invalid/assert_malformed")
    parser.add_argument("--mode", choices=("interp", "aot", "fast-interp"), default="interp",
                        help="aot: compile every module of the suite ahead of time on the host for "
                             "the board (cached under build/aot-cache/) and push .aot files to an "
                             "agent built with the aot feature; fast-interp: agent built with the "
                             "fast-interp feature, every instance in that mode (default interp)")
    parser.add_argument("--bench", action="store_true",
                        help="guest instruction counts of bench/kernels: interpreter vs native")
    add_app_options(parser)


# ---- board resolution ----------------------------------------------------------------------


def resolve_board(name: str) -> str:
    """An arch alias or board name -> a board with a qemu: section (nearest name on a typo)."""
    from wasmbed.model.descriptors import board_names, load_board

    board = ALIASES.get(name.lower(), name)
    names = board_names()
    if board not in names:
        qemu_boards = [n for n in names if _has_qemu(n)]
        near = difflib.get_close_matches(name, list(ALIASES) + qemu_boards, n=1, cutoff=0.5)
        hint = f"did you mean {near[0]}?" if near else \
            "known: " + ", ".join(sorted(set(ALIASES)) + qemu_boards)
        raise WasmbedError(f"unknown arch or board {name!r}", hint=hint)
    if not load_board(board).qemu:
        qemu_boards = [n for n in names if _has_qemu(n)]
        raise WasmbedError(f"board {board} has no qemu: section, so it cannot run under QEMU",
                           hint="QEMU boards: " + ", ".join(qemu_boards))
    return board


def _has_qemu(name: str) -> bool:
    from wasmbed.model.descriptors import load_board

    try:
        return bool(load_board(name).qemu)
    except WasmbedError:
        return False


def _features(args: argparse.Namespace, board: str) -> Optional[list[str]]:
    from wasmbed.commands.spec import agent_features

    return agent_features(board, args.features, args.mini_loader)


def firmware_for(board: str, features: Optional[list[str]], prebuilt: Optional[Path],
                 console: Any = None) -> Path:
    """The firmware to boot: the prebuilt one, or a (re)build when stale (SCons decides)."""
    if prebuilt is not None:
        if not prebuilt.is_file():
            raise WasmbedError(f"firmware not found: {prebuilt}")
        return prebuilt
    from wasmbed.build import driver as build_mod

    output: list[str] = []
    if console is not None:  # a transient spinner; a line only when something was rebuilt
        with console.status(f"checking the agent build for {board} ..."):
            result = build_mod.build(board, features, jobs=2, echo=output.append)
        compiled = rebuilt_count("".join(output))
        if compiled:
            console.print(f"built the agent for {board}: {compiled} step(s) rebuilt")
    else:
        result = build_mod.build(board, features, jobs=2)
    if result.firmware is None:
        raise WasmbedError(f"the build for {board} produced no firmware image")
    return Path(result.firmware)


def rotate_logs(logs: Path, keep: int = KEEP_LOGS, budget: int = LOG_BUDGET) -> None:
    """Delete the oldest run-*.log files beyond `keep` files or `budget` bytes in all."""
    if not logs.is_dir():
        return
    newest_first = sorted(logs.glob("run-*.log"), key=lambda p: (p.stat().st_mtime, p.name),
                          reverse=True)
    total = 0
    for i, path in enumerate(newest_first):
        total += path.stat().st_size
        if i >= keep or (i > 0 and total > budget):
            path.unlink(missing_ok=True)


def rebuilt_count(scons_output: str) -> int:
    """How many compile/link steps SCons ran (its -Q output: `cc     file`, `link   file`)."""
    steps = ("cc ", "as ", "ar ", "link ")
    return sum(1 for line in scons_output.splitlines() if line.startswith(steps))


def log_path(board: str, given: Optional[Path], job: int = 0) -> Path:
    """The serial log of a run (job N > 0: the N+1th guest's, next to the first)."""
    if given is None:
        logs = ROOT / "build" / board / "logs"
        rotate_logs(logs)
        given = logs / f"run-{time.strftime('%Y%m%d-%H%M%S')}.log"
    return given if job == 0 else given.with_name(f"{given.stem}-job{job + 1}{given.suffix}")


# ---- run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from wasmbed.run.qemu import install_cleanup

    install_cleanup()  # from the main thread: SIGTERM/SIGHUP end every guest
    from wasmbed.report.results import console as make_console

    console = make_console(stderr=True)
    from wasmbed.commands.run import read_app
    from wasmbed.model.descriptors import prepend_boards_path

    prepend_boards_path(args.boards_dir)
    module = read_app(args.app) if args.app is not None and not args.bench else None
    board = resolve_board(args.target)
    if args.firmware is not None and module is None and static_app_of(args.firmware):
        return run_static(board, args.firmware, args)
    from wasmbed.run import fuel
    features = fuel.with_metering(_features(args, board), args.fuel)
    if module is None and not args.bench:
        from wasmbed.commands.spec import with_suite_feature

        features = with_suite_feature(features, args.spec)
    if getattr(args, "mode", "interp") == "aot":
        from wasmbed.commands.spec import aot_features

        features = aot_features(board, features)
    elif getattr(args, "mode", "interp") == "fast-interp":
        from wasmbed.commands.spec import fast_interp_features

        features = fast_interp_features(board, features)
    if args.bench:
        from wasmbed.report.qemu_bench import run_bench

        return run_bench(board, features, args, console)
    firmware = firmware_for(board, features, args.firmware, console)
    if module is not None:
        return run_app(board, firmware, args, console, module)
    return run_spec(board, firmware, args, console)


def static_app_of(firmware: Path) -> Optional[str]:
    """The app a firmware was built with (`scons ... app=X.wasm`), from its build.json."""
    import json

    info = Path(firmware).parent / "build.json"
    try:
        return json.loads(info.read_text()).get("static_app")
    except (OSError, ValueError):
        return None


def run_static(board: str, firmware: Path, args: argparse.Namespace) -> int:
    """Boot an image whose AOT-compiled app is linked in: its console is the app's output,
    and the program's exit code is ours."""
    from wasmbed.model.descriptors import load_board
    from wasmbed.run.qemu import boot_raw, firmware_exit_code

    desc = load_board(board)
    limit = args.app_timeout * desc.qemu.timeout_factor
    text, status = boot_raw(desc, firmware, done=lambda out: False, timeout=limit)
    sys.stdout.write(text.decode("utf-8", errors="replace"))
    sys.stdout.flush()
    code = firmware_exit_code(desc, status, text[-200:])
    if code is None:
        raise WasmbedError(f"{firmware}: the app did not end within {limit:.0f} s "
                           f"(QEMU status {status})")
    return code


def run_app(board: str, firmware: Path, args: argparse.Namespace, console: Any,
            module: bytes) -> int:
    from wasmbed.commands.run import run_app_on
    from wasmbed.run.qemu import QemuTarget

    log = log_path(board, args.log)
    console.print(f"serial log: {log}")
    return run_app_on(QemuTarget(board, firmware, icount=args.icount, log=log), args.app, module,
                      args.app_timeout, args=args, timeout_option="--app-timeout")


def split_files(files: list[Path], jobs: int) -> list[list[Path]]:
    """Balance the files over `jobs` groups by size (largest first, to the lightest group)."""
    groups: list[list[Path]] = [[] for _ in range(max(1, jobs))]
    weights = [0] * len(groups)
    for path in sorted(files, key=lambda p: p.stat().st_size, reverse=True):
        i = weights.index(min(weights))
        groups[i].append(path)
        weights[i] += path.stat().st_size
    return [g for g in groups if g]


def run_spec(board: str, firmware: Path, args: argparse.Namespace, console: Any) -> int:
    from wasmbed.report import results as report
    from wasmbed.model.descriptors import load_board
    from wasmbed.run.wast import suite_files

    files = suite_files(args.spec, args.files.split(",") if args.files else None)
    if not files:
        raise WasmbedError("no .wast files selected")
    desc = load_board(board)
    groups = split_files(files, args.jobs)
    started = time.monotonic()
    first_log = log_path(board, args.log)
    logs = [log_path(board, first_log, job) for job in range(len(groups))]
    console.print(f"{board}: {desc.qemu.binary} -M {desc.qemu.machine}, {len(files)} files on "
                  f"{len(groups)} guest(s); serial log {logs[0]}")
    with report.progress(console) as bar:
        overall = bar.add_task(f"spec {args.spec} on {board}", total=len(files), status="")
        lock = threading.Lock()
        done: list[Any] = []  # finished files of every guest, for a report on Ctrl-C

        def one(job: int) -> dict[str, Any]:
            return _spec_guest(board, firmware, groups[job], args, logs[job], bar, overall, lock,
                               done)

        pool = ThreadPoolExecutor(max_workers=len(groups)) if len(groups) > 1 else None
        try:
            if pool is None:
                parts = [one(0)]
            else:
                futures = [pool.submit(one, job) for job in range(len(groups))]
                parts = [f.result() for f in futures]
        except KeyboardInterrupt:
            from wasmbed.run.qemu import shutdown_all

            shutdown_all()  # every guest ends now; the workers fail fast and return
            with lock:
                finished = list(done)
            write_partial_reports(args, finished, files, board=board, console=console)
            raise
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
    by_name = {r.name: r for part in parts for r in part["results"]}
    results = [by_name[p.name] for p in files if p.name in by_name]
    outcome = parts[0]
    wall = round(time.monotonic() - started, 2)
    data = report.to_json(results, board=board, suite=args.spec,
                          loader="mini" if args.mini_loader else "full",
                          extra={
                              "qemu_machine": desc.qemu.machine,
                              "qemu_command": outcome["command"],
                              "wall_seconds": wall,
                              "guest_resets": sum(p["resets"] for p in parts),
                              "guests": len(groups),
                              "icount": bool(args.icount),
                              "agent": outcome["agent"],
                              "logs": [str(p) for p in logs],
                          })
    if args.json:
        report.write_json(args.json, data)
    if args.junit:
        report.write_junit(args.junit, results, board=board, suite=args.spec)
    console.print(report.summary_table(results, title=f"spec {args.spec} on {board} under QEMU"))
    t = data["totals"]
    print(f"spec {args.spec} on {board} (QEMU {desc.qemu.machine}): {t['passed']} passed, "
          f"{t['failed']} failed, {t['skipped']} skipped, {data['guest_resets']} guest resets, "
          f"{wall}s", file=sys.stdout)
    return 1 if t["failed"] else 0


def write_partial_reports(args: argparse.Namespace, finished: list[Any], files: list[Path], *,
                          board: str, console: Any) -> None:
    """On Ctrl-C: --json/--junit with the files that finished, marked interrupted."""
    from wasmbed.report import results as report

    if not (args.json or args.junit):
        return
    order = {p.name: i for i, p in enumerate(files)}
    results = sorted(finished, key=lambda r: order.get(r.name, len(order)))
    report.write_partial(args.json, args.junit, results, files, board=board, suite=args.spec,
                         loader="mini" if args.mini_loader else "full")
    console.print(f"interrupted: partial report of {len(results)}/{len(files)} files written")


def _spec_guest(board: str, firmware: Path, files: list[Path], args: argparse.Namespace, log: Path,
                bar: Any, overall: Any, lock: threading.Lock,
                done: Optional[list[Any]] = None) -> dict[str, Any]:
    """One QEMU guest running `files`; always ends its QEMU."""
    from wasmbed.run.protocol import LinkError
    from wasmbed.run.qemu import QemuTarget
    from wasmbed.run.spec import FileResult, RunAborted, SpecRunner

    results: list[Any] = []
    agent: Optional[dict[str, Any]] = None
    with QemuTarget(board, firmware, icount=args.icount, log=log,
                    command_timeout=args.timeout) as target:
        aborted: Optional[str] = None
        try:
            client = target.start()
            agent = client.info.__dict__ if client.info else None
        except LinkError as err:
            aborted = f"the guest did not boot: {err}"
        aot = None
        if getattr(args, "mode", "interp") == "aot":
            from wasmbed.aot.spec_mode import AotModules

            from wasmbed.run.wast import suite_feature

            # the validator accepts the proposals the agent was built with
            aot = AotModules(board, features=",".join(
                filter(None, (args.features, suite_feature(args.spec)))))
        runner = SpecRunner(target, mini_loader=args.mini_loader, base_timeout=args.timeout,
                            max_restarts=args.max_restarts, aot=aot, fuel=args.fuel)
        for path in files:
            if aborted:
                res = FileResult(path.name)
                res.fail(0, f"not run: {aborted}")
            else:
                with lock:
                    task = bar.add_task(path.name, total=None, status="")
                try:
                    res = runner.run_file(path, on_command=_advance(bar, task, lock))
                except RunAborted as err:
                    aborted = str(err)
                    res = runner.result
                    res.fail(0, aborted)
                with lock:
                    bar.remove_task(task)
            results.append(res)
            with lock:
                bar.advance(overall)
                if done is not None:
                    done.append(res)
        command = " ".join(target.command)
        resets = target.resets
        if aot is not None:
            with lock:
                print(aot.summary(), file=sys.stdout)
    return {"results": results, "agent": agent, "command": command, "resets": resets}


def _advance(bar: Any, task: Any, lock: threading.Lock) -> Callable[[], None]:
    def step() -> None:
        with lock:
            bar.advance(task)
    return step
