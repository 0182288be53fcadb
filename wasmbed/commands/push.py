"""`wasmbed push app.wasm --board B [--port P]` / `wasmbed push --list --port P`: the A/B app
store (docs/appstore.md) of a running agent over its serial line (STORE_* frames), or of a
flash image file with `--image` (a QEMU pflash file, a dump for a programmer)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

NAME = "push"
HELP = ("store a module in the A/B app store of a board (over its serial port) or of a flash "
        "image (--image): two slots, header written last; --list shows the slots")

_SIZE = re.compile(r"^(0x[0-9a-fA-F]+|\d+)\s*([kKmM])?(i?[bB])?$")


def size(text: str) -> int:
    m = _SIZE.match(text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"expected a size like 512K, 0x40000 or 4096, got "
                                          f"{text!r}")
    value = int(m.group(1), 0)
    return value * {None: 1, "k": 1024, "m": 1 << 20}[m.group(2).lower() if m.group(2)
                                                         else None]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("module", nargs="?", type=Path, help="the .wasm to store")
    parser.add_argument("--list", action="store_true", help="show what each slot holds")
    parser.add_argument("--board", help="the board (its `app_store:` region, its port by USB "
                        "id, its console baud)")
    parser.add_argument("--port", help="serial port of the board running the agent "
                        "(/dev/ttyUSB0, socket://host:N, ...; default: $WASMBED_PORT, else "
                        "the one attached port with the board's USB ids)")
    parser.add_argument("--baud", type=int, help="baud rate (default: the board's console)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds to wait for each reply of the agent (default 10)")
    parser.add_argument("--image", type=Path, help="flash image file holding the store "
                        "instead of a board")
    parser.add_argument("--offset", type=size, help="where the store starts in the image "
                        "(default: the board's app_store.offset, else 0)")
    parser.add_argument("--size", type=size, help="store size: two slots (default: the "
                        "board's app_store.length)")
    parser.add_argument("--sector", type=size, help="erase block size (default: the board's "
                        "app_store.sector)")
    parser.add_argument("--name", help="app name kept in the header (default: the file's "
                        "stem)")
    parser.add_argument("--json", action="store_true", help="--list as JSON")
    parser.add_argument("--boards-dir", action="append", type=Path, help=argparse.SUPPRESS)


def show(slots: list, boot: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"slots": [s.as_json() for s in slots],
                          "boot": boot.label if boot else None}, indent=2))
        return
    for s in slots:
        mark = "*" if boot is not None and s.index == boot.index else " "
        if s.valid:
            print(f"{mark}{s.label}: version {s.version} {s.format} {s.name!r} "
                  f"{s.length} bytes crc {s.crc:#010x}")
        else:
            print(f"{mark}{s.label}: invalid: {s.why}")


def _module(args: argparse.Namespace) -> bytes | None:
    """The module's bytes, validated on the host (the target's loader may not validate)."""
    from wasmbed.build import appstore as st
    from wasmbed.errors import WasmbedError

    if args.list:
        return None
    if args.module is None:
        raise WasmbedError("give the module to push (or --list)")
    return st.validate_module(args.module)


def run(args: argparse.Namespace) -> int:
    from wasmbed.model.descriptors import load_board, prepend_boards_path

    prepend_boards_path(args.boards_dir)
    board = load_board(args.board) if args.board else None
    if args.image is not None:
        return _to_image(args, board)
    return _to_agent(args, board)


def _to_image(args: argparse.Namespace, board: Any) -> int:
    from wasmbed.build import appstore as st
    from wasmbed.errors import WasmbedError

    store = board.app_store if board is not None else None
    if board is not None and store is None:
        raise WasmbedError(f"board {board.name} reserves no app store region (no `app_store:` "
                           f"in {board.path.name})", hint="give --offset, --size and --sector")
    length = args.size or (store.length if store else None)
    sector = args.sector or (store.sector if store else None)
    offset = args.offset if args.offset is not None else (store.offset if store else 0)
    if length is None or sector is None:
        raise WasmbedError("--image needs the store's place: --board B (its app_store: "
                           "field) or --size and --sector (e.g. --size 512K --sector 256K)")
    layout = st.Layout(size=length, sector=sector)
    module = _module(args)
    try:
        data = bytearray(args.image.read_bytes())
    except OSError as err:
        raise WasmbedError(f"cannot read {args.image}: {err.strerror}") from None
    end = offset + layout.size
    if end > len(data):
        raise WasmbedError(f"{args.image} is {len(data)} bytes: no store of {layout.size} "
                           f"bytes at {offset:#x}")
    region = bytearray(data[offset:end])
    if module is not None:
        target, writes = st.push_plan(layout, bytes(region), module,
                                      name=args.name or args.module.stem)
        for write in writes:
            st.apply(region, write)
        data[offset:end] = region
        args.image.write_bytes(bytes(data))
        print(f"{args.module} -> slot {'AB'[target]} of {args.image} ({len(module)} bytes)")
    slots = st.read_store(layout, bytes(region))
    show(slots, st.boot_slot(slots), args.json)
    return 0


def _to_agent(args: argparse.Namespace, board: Any) -> int:
    """Over the serial line: the running agent writes its own flash (STORE_* frames)."""
    from wasmbed.build.devices import serial_line
    from wasmbed.errors import WasmbedError
    from wasmbed.run import monitor as mon
    from wasmbed.run import store
    from wasmbed.run.protocol import Client, LinkError, RemoteError
    from wasmbed.run.qemu import SerialStream, TrafficLog

    if board is not None and board.app_store is None:
        raise WasmbedError(f"board {board.name} has no app store (no `app_store:` in "
                           f"{board.path.name})", hint="boards with one: wasmbed boards; "
                           "docs/appstore.md")
    module = _module(args)      # before touching the port: a bad module never gets there
    port, baud = serial_line(board, args.port, args.baud,
                             "no serial port given: pass --port /dev/ttyUSB0 (or a pyserial "
                             "URL such as socket://localhost:4000), or --board B to find "
                             "the board's port by its USB ids",
                             hint="or write a flash image: --image FILE --board B")
    ser = mon.open_port(port, baud)
    try:
        client = Client(SerialStream(ser, TrafficLog(None)), timeout=args.timeout)
        try:
            client.flush(settle=0.3, limit=args.timeout)
            hello = client.hello()
        except LinkError as err:
            raise WasmbedError(f"no wasmbed agent answered on {port}: {err.message}",
                               hint="is the board running the agent firmware (wasmbed "
                                    "flash), at this baud rate?") from None
        if board is not None and hello.board != board.name:
            raise WasmbedError(f"the agent on {port} runs on board {hello.board}, not "
                               f"{board.name}", hint=f"--board {hello.board}, or the port "
                               f"of {board.name}")
        if "app-store" not in hello.features.split(","):
            raise WasmbedError(f"the agent on {port} ({hello.board}) is built without the "
                               "app-store feature",
                               hint=f"build and flash it with features=+app-store (wasmbed "
                                    f"build --board {hello.board} --features +app-store)")
        try:
            if module is not None:
                name = args.name or args.module.stem
                slot, version = store.push(client, module, name=name)
                print(f"{args.module} -> slot {'AB'[slot]} (version {version}, "
                      f"{len(module)} bytes) of {hello.board} on {port}; it runs at the "
                      "next reset")
            found = store.listing(client)
        except RemoteError as err:
            raise WasmbedError(f"the agent on {port} refused: {err}") from None
        except LinkError as err:
            raise WasmbedError(f"the line to {port} failed during the push: {err.message}",
                               hint="the slot being written stays invalid; the previous "
                                    "app still boots") from None
        show(found.slots, found.boot, args.json)
    finally:
        ser.close()
    if not args.json:
        sys.stdout.flush()
    return 0
