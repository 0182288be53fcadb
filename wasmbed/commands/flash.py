"""`wasmbed flash --board B [--port P] [--dry-run | --image-only] [--check]`."""

from __future__ import annotations

import argparse
import sys

NAME = "flash"
HELP = "build when stale, make the board's flash image and write it to a real board"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--boards-dir", action="append", metavar="DIR",
                        help="search DIR for board descriptors before the built-in ones")
    parser.add_argument("--board", "-b", required=True, help="board name (see `wasmbed boards`)")
    parser.add_argument("--port", "-p", help="serial device or pyserial URL; `auto` or "
                        "absent: $WASMBED_PORT, else the one attached port with the board's "
                        "USB ids (see `wasmbed devices`)")
    parser.add_argument("--baud", type=int, help="flashing baud rate (default: the board's "
                        "flash.baud)")
    parser.add_argument("--features", "-f", help="comma-separated feature keys "
                        "(default: the board's own)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--dry-run", action="store_true",
                      help="print the exact commands, run nothing, touch no port")
    what.add_argument("--image-only", action="store_true",
                      help="stop once the image is written to build/<board>/")
    parser.add_argument("--check", action="store_true",
                        help="after writing, wait for the agent's READY banner and send HELLO")
    parser.add_argument("--ready-timeout", type=float, default=15.0, metavar="S",
                        help="seconds to wait for the banner with --check (15)")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    from wasmbed.model.descriptors import prepend_boards_path
    from wasmbed.build.flash import flash

    prepend_boards_path(args.boards_dir)
    features = [f.strip() for f in args.features.split(",") if f.strip()] \
        if args.features is not None else None
    err = Console(stderr=True)
    from wasmbed.model.descriptors import load_board

    issues = load_board(args.board).known_issues  # said before anything is written
    for issue in issues:
        err.print(f"[yellow]wasmbed: warning:[/] {args.board}: known issue: {escape(issue)}")
    with err.status(f"flash {args.board}") as spinner:
        def status(message: str) -> None:
            if message.startswith(("write", "check")):  # the tool prints its own progress
                spinner.stop()
                err.print(f"{args.board}: {message}")
            else:
                spinner.update(f"{args.board}: {message}")

        outcome = flash(args.board, port=args.port, baud=args.baud, features=features,
                        dry_run=args.dry_run, image_only=args.image_only, check=args.check,
                        echo=lambda text: (sys.stdout.write(text), sys.stdout.flush()),
                        status=status, ready_timeout=args.ready_timeout)
    plan = outcome.plan
    if args.dry_run:
        print(f"# {plan.board.name}: flash method {plan.board.flash.method}")
        for issue in issues:
            print(f"# known issue: {issue}")
        for note in plan.notes:
            print(f"# {note}")
        for step in plan.steps:
            print(f"# {step.kind}: {step.what}")
            if step.argv:
                print(step.shown())
        return 0
    if outcome.segments:
        segs = ", ".join(f"{a:#x}+{n:#x}" for a, n in outcome.segments)
        print(f"{plan.board.name}: image {plan.image} ({plan.image.stat().st_size} bytes; "
              f"segments {segs})", file=sys.stderr)
    if args.image_only:
        print(plan.image)
        return 0
    print(f"{plan.board.name}: flashed over {plan.port}", file=sys.stderr)
    hello = outcome.hello
    if hello is not None:
        print(f"agent {hello.version} on {hello.board}: features {hello.features}; "
              f"pool {hello.pool_size} bytes, max payload {hello.max_payload}")
    return 0
