"""`wasmbed build --board X --features a,b`: the same build as `scons board=X features=a,b`."""

from __future__ import annotations

import argparse
import sys

from wasmbed.build.driver import build
from wasmbed.build.sconsbuild import MODES

NAME = "build"
HELP = "build the runtime and firmware for one board (runs SCons)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--boards-dir", action="append", metavar="DIR",
                        help="search DIR for board descriptors before the built-in ones")
    parser.add_argument("--board", "-b", required=True, help="board name (see `wasmbed boards`)")
    parser.add_argument("--features", "-f", help="comma-separated feature keys "
                        "(default: the board's own)")
    parser.add_argument("--heap-size", help="global heap pool size in bytes (e.g. 65536, 64K)")
    parser.add_argument("--mode", choices=MODES, default="release")
    parser.add_argument("--build-dir", help="output directory (default build/<board>[-hash])")
    parser.add_argument("--toolchain", help="gcc|zig|clang|host|zig:<target>|gcc:<prefix>")
    parser.add_argument("--sdk", metavar="PATH", help="the RTOS tree (default: the platform's "
                        "variable, e.g. NUTTX_DIR, RIOTBASE, RTT_ROOT)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel compiles (2)")
    parser.add_argument("--json", action="store_true", help="print build.json when done")


def _size(text: str | None) -> int | None:
    if text is None:
        return None
    from wasmbed.build.sconsbuild import _int
    return _int(text, "--heap-size")


def run(args: argparse.Namespace) -> int:
    from wasmbed.model.descriptors import prepend_boards_path

    prepend_boards_path(args.boards_dir)
    import json
    from pathlib import Path

    features = [f for f in args.features.split(",") if f.strip()] \
        if args.features is not None else None
    result = build(args.board, features, heap_size=_size(args.heap_size), mode=args.mode,
                   build_dir=Path(args.build_dir) if args.build_dir else None, jobs=args.jobs,
                   toolchain=args.toolchain, quiet=False, sdk=args.sdk)
    if args.json:
        print(json.dumps(result.build_json, indent=2))
    else:
        what = result.firmware or result.variant_dir
        status = result.build_json.get("status")
        print(f"{args.board}: {status}: {what}", file=sys.stderr)
    return 0
