"""`wasmbed aot`: compile a WebAssembly module ahead of time for a board."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from wasmbed.errors import WasmbedError

NAME = "aot"
HELP = "compile a .wasm module ahead of time for a board (an .aot file the aot runtime loads)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("module", type=Path, help="the .wasm module (or, with --info, an .aot file)")
    parser.add_argument("--board", default="host", help="board whose CPU and compiler to use (default: host)")
    parser.add_argument("-o", "--output", type=Path, help="output file (default: MODULE with suffix .aot)")
    parser.add_argument("--emit-c", type=Path, metavar="PATH", help="also write the generated C here")
    parser.add_argument("--info", action="store_true", help="print the header of an .aot file and exit")


def run(args: argparse.Namespace) -> int:
    from wasmbed.aot import compiler, fileformat

    if not args.module.is_file():
        raise WasmbedError(f"{args.module}: no such file")
    data = args.module.read_bytes()
    if args.info:
        print(json.dumps(fileformat.describe(data), indent=2))
        return 0
    target = compiler.target_for(args.board)
    t0 = time.monotonic()
    if args.emit_c:
        _, source = compiler.translate(data)
        args.emit_c.write_text(source)
    try:
        out = compiler.compile_module(data, target)
    except compiler.InvalidModule as err:
        raise WasmbedError(f"{args.module}: {err}") from None
    dest = args.output or args.module.with_suffix(".aot")
    dest.write_bytes(out)
    info = fileformat.describe(out)
    print(f"{dest}: {len(out)} bytes for {target.triple} ({target.abi}, {target.tc.name}): "
          f"{info['functions']} functions, code image {info['image_size']} bytes, "
          f"{info['relocations']} relocations, from {len(data)} bytes of wasm in "
          f"{time.monotonic() - t0:.2f} s", file=sys.stdout)
    return 0
