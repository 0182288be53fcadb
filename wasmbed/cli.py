"""Command-line front door: `wasmbed <command>` and `run-on-qemu`.

Each subcommand lives in wasmbed/commands/<name>.py and defines NAME, HELP,
configure(parser) and run(args) -> int. Errors raised as WasmbedError are
printed as one message and exit with their exit_code (wasmbed.run.outcome: 2 for usage and
configuration errors, 3..6 for a program's trap, load error, timeout, target failure);
nothing else is caught.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from wasmbed.run import outcome
from wasmbed.errors import WasmbedError

COMMANDS = [
    "boards",
    "features",
    "build",
    "matrix",
    "spec",
    "aot",
    "run",
    "qemu",
    "bench",
    "docs",
    "flash",
    "devices",
    "monitor",
    "push",
    "clean",
    "doctor",
    "soak",
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wasmbed", description=__doc__.splitlines()[0],
                                     epilog=outcome.epilog(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"wasmbed.commands.{name}")
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP,
                           epilog=outcome.epilog(),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Positionals anywhere among the options (`run-on-qemu riscv64 --app-timeout 5
    app.wasm`), where the parser allows it (no REMAINDER positionals)."""
    try:
        return parser.parse_intermixed_args(argv)
    except TypeError:
        return parser.parse_args(argv)


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(name)
    return None


def _invoke(run, args: argparse.Namespace) -> int:
    try:
        return int(run(args) or 0)
    except WasmbedError as err:
        print(f"wasmbed: error: {err}", file=sys.stderr)
        return int(getattr(err, "exit_code", 2))
    except KeyboardInterrupt:
        print("wasmbed: interrupted", file=sys.stderr)
        return outcome.INTERRUPTED


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    sub = _subparser(parser, argv[0]) if argv and not argv[0].startswith("-") else None
    if sub is not None:
        args = _parse(sub, argv[1:])
        args.command = argv[0]
    else:
        args = parser.parse_args(argv)
    return _invoke(args._run, args)


def run_on_qemu_main(argv: Sequence[str] | None = None) -> int:
    """`run-on-qemu ARCH|BOARD [app.wasm] ...`: same as `wasmbed qemu ...`."""
    module = importlib.import_module("wasmbed.commands.qemu")
    parser = argparse.ArgumentParser(prog="run-on-qemu", description=module.HELP,
                                     epilog=outcome.epilog(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    module.configure(parser)
    args = _parse(parser, list(sys.argv[1:] if argv is None else argv))
    return _invoke(module.run, args)


if __name__ == "__main__":
    sys.exit(main())
