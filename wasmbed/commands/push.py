"""`wasmbed push app.wasm --image FLASH.img ...` / `wasmbed push --list --image ...`: the A/B
app store (docs/appstore.md) in a flash image file (a QEMU pflash file, a flash dump)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

NAME = "push"
HELP = ("store a module in the A/B app store of a flash image (two slots, header written "
        "last), or list the slots (--list)")

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
    parser.add_argument("--image", type=Path, help="flash image file holding the store")
    parser.add_argument("--offset", type=size, default=0, help="where the store starts in "
                        "the image (default 0)")
    parser.add_argument("--size", type=size, help="store size: two slots (e.g. 512K)")
    parser.add_argument("--sector", type=size, help="erase block size (e.g. 256K)")
    parser.add_argument("--name", help="app name kept in the header (default: the file's "
                        "stem)")
    parser.add_argument("--json", action="store_true", help="--list as JSON")


def run(args: argparse.Namespace) -> int:
    from wasmbed.build import appstore as st
    from wasmbed.errors import WasmbedError

    if args.image is None:
        raise WasmbedError("pushing to a board over its serial port is not built yet: the "
                           "agent has no PUSH command (docs/appstore.md)",
                           hint="write a flash image instead: --image FILE --size 512K "
                                "--sector 256K [--offset N]")
    if args.size is None or args.sector is None:
        raise WasmbedError("--image needs the store's --size and --sector (e.g. --size 512K "
                           "--sector 256K)")
    layout = st.Layout(size=args.size, sector=args.sector)
    try:
        data = bytearray(args.image.read_bytes())
    except OSError as err:
        raise WasmbedError(f"cannot read {args.image}: {err.strerror}") from None
    end = args.offset + layout.size
    if end > len(data):
        raise WasmbedError(f"{args.image} is {len(data)} bytes: no store of {layout.size} "
                           f"bytes at {args.offset:#x}")
    store = bytearray(data[args.offset:end])
    if not args.list:
        if args.module is None:
            raise WasmbedError("give the module to push (or --list)")
        module = st.validate_module(args.module)
        target, writes = st.push_plan(layout, bytes(store), module,
                                      name=args.name or args.module.stem)
        for write in writes:
            st.apply(store, write)
        data[args.offset:end] = store
        args.image.write_bytes(bytes(data))
        print(f"{args.module} -> slot {'AB'[target]} of {args.image} ({len(module)} bytes)")
    slots = st.read_store(layout, bytes(store))
    boot = st.boot_slot(slots)
    if args.json:
        print(json.dumps({"slots": [s.as_json() for s in slots],
                          "boot": boot.label if boot else None}, indent=2))
        return 0
    for s in slots:
        mark = "*" if boot is not None and s.index == boot.index else " "
        if s.valid:
            print(f"{mark}{s.label}: version {s.version} {s.format} {s.name!r} "
                  f"{s.length} bytes crc {s.crc:#010x}")
        else:
            print(f"{mark}{s.label}: invalid: {s.why}")
    return 0
