"""`wasmbed soak`: the spec suite several times on one agent, then many invocations."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from wasmbed.errors import WasmbedError
from wasmbed.run.outcome import non_negative_int, positive_int

NAME = "soak"
HELP = ("run the core spec suite several times on one agent without restarting it, then many "
        "small invocations: no leak (pool statistics), no restart, no slowdown")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--board", default="host",
                        help="board: host, a process board, a QEMU board, or any board with --port")
    parser.add_argument("--port", help="serial port or URL of a board running the agent")
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument("--features", help="feature keys for the agent build (+k/-k/only:...)")
    parser.add_argument("--passes", type=positive_int, default=3, help="spec passes (default 3)")
    parser.add_argument("--files", help="only these .wast files (comma-separated; default: core)")
    parser.add_argument("--invokes", type=non_negative_int, default=1_000_000,
                        help="small invocations after the passes (default 1,000,000)")
    parser.add_argument("--block", type=positive_int, default=10_000,
                        help="invocations between pool checks (default 10,000)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per command")
    parser.add_argument("--slowdown", type=float, default=1.5, metavar="FACTOR",
                        help="a problem when the last block of invocations runs FACTOR times "
                             "slower than the first (default 1.5; 0: not judged, e.g. on a "
                             "shared machine)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the report as JSON")


def run(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from wasmbed.report import results as report
    from wasmbed.run import soak
    from wasmbed.model.descriptors import load_board
    from wasmbed.run.spec import SpecRunner
    from wasmbed.run.wast import suite_files

    files = suite_files("core", args.files.split(",") if args.files else None)
    if not files:
        raise WasmbedError("no .wast files selected")
    features = [f.strip() for f in args.features.split(",")] if args.features else None
    console = report.console(stderr=True)
    board = load_board(args.board)
    if board.qemu and not args.port:
        from wasmbed.commands.qemu import firmware_for
        from wasmbed.run.qemu import QemuTarget

        firmware = firmware_for(board.name, features, None, console)
        target = QemuTarget(board.name, firmware, command_timeout=args.timeout)
    else:
        from wasmbed.run.target import open_target

        target = open_target(board.name, port=args.port, baud=args.baud, features=features)
    with target:
        client = target.start()
        runner = SpecRunner(target, base_timeout=args.timeout, max_restarts=5)  # each one is a problem
        with console.status("soak") as status:
            def progress(text: str) -> None:
                status.update(text)

            passes = soak.spec_passes(runner, lambda: runner.client or target.start(), files,
                                      args.passes, progress)
            client = runner.client or client
            inv = soak.invocations(client, args.invokes, args.block, progress) \
                if args.invokes else None
    rep = soak.SoakReport(board.name, passes, inv, soak.judge(passes, inv, slowdown=args.slowdown))
    for i, p in enumerate(passes):
        console.print(f"pass {i + 1}: {p.passed} passed, {p.failed} failed, {p.skipped} skipped, "
                      f"{p.restarts} restarts, {p.seconds} s, pool in use {p.pool_used:,} B")
    if inv is not None:
        console.print(f"invocations: {inv.count:,} in {inv.seconds} s, {inv.wrong} wrong, "
                      f"rate first/last block {inv.rates[0]:,.0f}/{inv.rates[-1]:,.0f} per s, "
                      f"pool in use {min(inv.pool_used):,}..{max(inv.pool_used):,} B")
    for problem in rep.problems:
        console.print(f"[red]problem:[/] {escape(problem)}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rep.to_json(), indent=1) + "\n")
    print(f"soak on {board.name}: {'ok' if rep.ok else 'FAILED'}")
    return 0 if rep.ok else 1
