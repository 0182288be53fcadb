"""`wasmbed spec`: run the WebAssembly spec testsuite on a board's agent."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from rich.console import Console

from wasmbed.errors import WasmbedError
from wasmbed.run.outcome import non_negative_int, positive_seconds

NAME = "spec"
HELP = "run the WebAssembly spec testsuite on a board (host agent, or a board over --port)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--board", default="host", help="board name (default: host)")
    parser.add_argument("--boards-dir", action="append", metavar="DIR",
                        help="search DIR for board descriptors first (also WASMBED_BOARDS_PATH)")
    parser.add_argument("--suite", default="core",
                        help="test suite: core = every top-level .wast except simd_* of the "
                             "WebAssembly testsuite (github.com/WebAssembly/testsuite) in "
                             "$WASMBED_TESTSUITE, default ../shared/wasm-testsuite beside "
                             "the checkout; a proposal (extended-const, tail-call, ...) = its "
                             "folder under proposals/, agent built with that feature")
    parser.add_argument("--files", help="comma-separated .wast names (or paths) instead of the whole suite")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the JSON report here")
    parser.add_argument("--junit", type=Path, metavar="PATH", help="write a JUnit XML report here")
    parser.add_argument("--mini-loader", action="store_true",
                        help="agent built with the mini loader: skip assert_invalid/assert_malformed")
    parser.add_argument("--features", help="comma-separated feature keys for the agent build")
    parser.add_argument("--firmware", type=Path, help="use this prebuilt host agent instead of building one")
    parser.add_argument("--mode", choices=("release", "debug", "sanitize", "aot", "aot-sanitize",
                                           "interp", "fast-interp", "fast-interp-sanitize"),
                        default="release",
                        help="host agent build mode; sanitize = AddressSanitizer + UBSan; aot = every "
                             "module compiled ahead of time for the board (wasmbed aot, cached under "
                             "build/aot-cache/) and loaded as .aot; aot-sanitize = both; interp = "
                             "release; fast-interp = agent built with the fast-interp feature, every "
                             "instance in that mode (docs/fast-interp.md); fast-interp-sanitize = "
                             "both (default release)")
    parser.add_argument("--port", help="serial port or URL of a board running the agent")
    parser.add_argument("--baud", type=int, default=115200, help="baud rate for --port (default 115200)")
    parser.add_argument("--timeout", type=positive_seconds, default=10.0,
                        help="base seconds per command, times the board's timeout factor (default 10)")
    parser.add_argument("--pipeline", type=int, metavar="N",
                        help="requests in flight at once (default: the target's; >1 needs flow control)")
    from wasmbed.run import fuel
    fuel.add_option(parser)
    parser.add_argument("--max-restarts", type=non_negative_int, default=50,
                        help="give up after this many agent restarts in the run (default 50)")


def agent_features(board: str, features: Optional[str], mini_loader: bool) -> Optional[list[str]]:
    """Feature list for the build, or None for the board's defaults."""
    if features:
        keys = [f.strip() for f in features.split(",") if f.strip()]
    elif mini_loader:
        keys = list(board_default_features(board))
    else:
        return None
    if mini_loader and "mini-loader" not in keys:
        keys.append("mini-loader")
    return keys


def with_suite_feature(features: Optional[list[str]], suite: str) -> Optional[list[str]]:
    """The agent build's feature request, plus the feature a proposal suite exercises
    (`+key`: added to the board's defaults when no --features was given)."""
    from wasmbed.run.wast import suite_feature

    keys = suite_feature(suite)
    if keys is None:
        return features
    items = list(features or [])
    for key in keys.split(","):
        if not any(i.strip().lstrip("+") == key for i in items):
            items.append(f"+{key}")
    return items


def board_default_features(board: str) -> list[str]:
    from wasmbed.model import descriptors

    return list(descriptors.load_board(board).features)


def aot_features(board: str, features: Optional[list[str]]) -> list[str]:
    keys = list(features if features is not None else board_default_features(board))
    return keys if "aot" in keys else keys + ["aot"]


def fast_interp_features(board: str, features: Optional[list[str]]) -> list[str]:
    """The agent's features for --mode fast-interp: fast-interp added (its instances default to it)."""
    keys = list(features if features is not None else board_default_features(board))
    return keys if "fast-interp" in keys else keys + ["fast-interp"]


def run(args: argparse.Namespace) -> int:
    from wasmbed.report import results as report
    from wasmbed.run.spec import FileResult, RunAborted, SpecRunner
    from wasmbed.run.target import open_target
    from wasmbed.run.wast import suite_files

    from wasmbed.model.descriptors import prepend_boards_path

    prepend_boards_path(args.boards_dir)
    files = suite_files(args.suite, args.files.split(",") if args.files else None)
    if not files:
        raise WasmbedError("no .wast files selected")
    console = report.console(stderr=True)
    aot = None
    features = agent_features(args.board, args.features, args.mini_loader)
    from wasmbed.run import fuel
    features = fuel.with_metering(features, args.fuel)
    features = with_suite_feature(features, args.suite)
    mode = args.mode
    if mode.startswith("aot"):
        from wasmbed.aot.spec_mode import AotModules

        aot = AotModules(args.board, features=features)
        features = aot_features(args.board, features)
        mode = "sanitize" if mode == "aot-sanitize" else "release"
    elif mode.startswith("fast-interp"):
        features = fast_interp_features(args.board, features)
        mode = "sanitize" if mode == "fast-interp-sanitize" else "release"
    elif mode == "interp":
        mode = "release"
    target = open_target(
        args.board,
        port=args.port,
        baud=args.baud,
        firmware=args.firmware,
        features=features,
        mode=mode,
    )
    if args.pipeline is not None:
        if args.pipeline < 1:
            raise WasmbedError("--pipeline must be at least 1")
        target.pipeline_depth = args.pipeline
    results = []
    aborted: Optional[str] = None
    with target:
        client = target.start()
        info = client.info
        # an agent built with the mini loader validates nothing: say so once
        mini = args.mini_loader or (info is not None and "mini-loader" in info.features.split(","))
        loader = "mini" if mini else "full"
        console.print(
            f"agent {info.version if info else '?'} on {args.board}: features {info.features if info else '?'}, "
            f"{len(files)} files"
        )
        runner = SpecRunner(target, mini_loader=mini, base_timeout=args.timeout,
                            max_restarts=args.max_restarts, aot=aot, fuel=args.fuel)
        try:
            with report.progress(console) as bar:
                overall = bar.add_task("spec " + args.suite, total=len(files), status="")
                for path in files:
                    if aborted:
                        res = FileResult(path.name)
                        res.fail(0, f"not run: {aborted}")
                        results.append(res)
                        continue
                    task = bar.add_task(path.name, total=None, status="")
                    try:
                        res = runner.run_file(path, on_command=lambda: bar.advance(task))
                    except RunAborted as err:
                        aborted = str(err)
                        res = runner.result
                        res.fail(0, aborted)
                    results.append(res)
                    bar.update(task, total=res.passed + res.failed + res.skipped,
                               completed=res.passed + res.failed + res.skipped,
                               status=f"[green]{res.passed}[/] [red]{res.failed}[/] [dim]{res.skipped}[/]")
                    if not res.failed:
                        bar.remove_task(task)
                    bar.advance(overall)
        except KeyboardInterrupt:  # what finished goes to --json/--junit, marked interrupted
            report.write_partial(args.json, args.junit, results, files, board=args.board,
                                 suite=args.suite, loader=loader)
            raise
    data = report.to_json(results, board=args.board, suite=args.suite, loader=loader,
                          extra={"agent": info.__dict__ if info else None})
    if args.json:
        report.write_json(args.json, data)
    if args.junit:
        report.write_junit(args.junit, results, board=args.board, suite=args.suite)
    build = f", {args.mode} build" if args.mode != "release" else ""  # sanitize says so
    console.print(report.summary_table(
        results, title=f"spec {args.suite} on {args.board} ({loader} loader{build})"))
    t = data["totals"]
    if aot is not None:
        print(aot.summary(), file=sys.stdout)
    print(f"spec {args.suite} on {args.board}: {t['passed']} passed, {t['failed']} failed, "
          f"{t['skipped']} skipped, {data['restarts']} restarts", file=sys.stdout)
    return 1 if t["failed"] else 0
