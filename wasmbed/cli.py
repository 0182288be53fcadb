"""Command-line front door: `wasmbed <command>` and `run-on-qemu`.

Each subcommand lives in wasmbed/commands/<name>.py and defines NAME, HELP,
configure(parser) and run(args) -> int. Errors raised as WasmbedError are
printed as one message and exit with status 2; nothing else is caught.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from wasmbed.errors import WasmbedError

COMMANDS = [
    "boards",
    "features",
    "build",
    "matrix",
    "spec",
    "run",
    "qemu",
    "bench",
    "docs",
    "flash",
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wasmbed", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"wasmbed.commands.{name}")
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


def _invoke(run, args: argparse.Namespace) -> int:
    try:
        return int(run(args) or 0)
    except WasmbedError as err:
        print(f"wasmbed: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("wasmbed: interrupted", file=sys.stderr)
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return _invoke(args._run, args)


def run_on_qemu_main(argv: Sequence[str] | None = None) -> int:
    """`run-on-qemu ARCH|BOARD [app.wasm] ...`: same as `wasmbed qemu ...`."""
    module = importlib.import_module("wasmbed.commands.qemu")
    parser = argparse.ArgumentParser(prog="run-on-qemu", description=module.HELP)
    module.configure(parser)
    args = parser.parse_args(argv)
    return _invoke(module.run, args)


if __name__ == "__main__":
    sys.exit(main())
