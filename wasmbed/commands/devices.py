"""`wasmbed devices [--board B] [--json]`: attached serial ports and the boards they match."""

from __future__ import annotations

import argparse
import json
import sys

NAME = "devices"
HELP = "list the attached serial ports and the boards whose USB ids they match"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--boards-dir", action="append", metavar="DIR",
                        help="search DIR for board descriptors before the built-in ones")
    parser.add_argument("--board", "-b", help="only say which port is this board's "
                        "(the port `--port auto` would pick)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from wasmbed.build import devices
    from wasmbed.model.descriptors import load_board, prepend_boards_path

    prepend_boards_path(args.boards_dir)
    if args.board:
        board = load_board(args.board)
        port = devices.find_port(board, f"no port for {board.name}")
        if args.json:
            print(json.dumps({"board": board.name, "port": port}))
        else:
            print(port)
        return 0
    rows = devices.listing()
    if args.json:
        print(json.dumps([{**r.port.as_json(), "boards": list(r.boards)} for r in rows],
                         indent=2))
        return 0
    if not rows:
        print("no serial ports are attached to this machine", file=sys.stderr)
        return 0
    width = max(len(r.port.device) for r in rows)
    for r in rows:
        boards = ", ".join(r.boards) if r.boards else "-"
        what = r.port.description if r.port.description not in ("", "n/a") else ""
        serial = f" serial={r.port.serial_number}" if r.port.serial_number else ""
        print(f"{r.port.device:<{width}}  {r.port.usb_id:<9}  boards: {boards}"
              f"{'  ' + what if what else ''}{serial}")
    return 0
