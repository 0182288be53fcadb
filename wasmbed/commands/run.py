"""`wasmbed run`: run a WebAssembly application on a board's agent."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wasmbed.errors import WasmbedError

NAME = "run"
HELP = "run app.wasm (its _start or main) on a board's agent and stream its output"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app", type=Path, help="the .wasm application")
    parser.add_argument("--board", default="host", help="board name (default: host)")
    parser.add_argument("--features", help="comma-separated feature keys for the agent build")
    parser.add_argument("--firmware", type=Path, help="use this prebuilt host agent instead of building one")
    parser.add_argument("--port", help="serial port or URL of a board running the agent")
    parser.add_argument("--baud", type=int, default=115200, help="baud rate for --port (default 115200)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds the app may run, times the board's timeout factor (default 60)")


def _write(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def run(args: argparse.Namespace) -> int:
    from wasmbed.protocol import LinkError, RemoteError
    from wasmbed.target import open_target

    try:
        module = args.app.read_bytes()
    except OSError as err:
        raise WasmbedError(f"cannot read {args.app}: {err.strerror}") from None
    features = [f.strip() for f in args.features.split(",")] if args.features else None
    target = open_target(args.board, port=args.port, baud=args.baud, firmware=args.firmware, features=features)
    with target:
        client = target.start()
        try:
            client.reset()
            handle = client.load(module, timeout=30.0 * target.timeout_factor)
        except RemoteError as err:
            raise WasmbedError(f"{args.app}: {err}") from None
        except LinkError as err:
            raise WasmbedError(f"{args.app}: the agent failed while loading: {err}") from None
        try:
            return client.run(handle, _write, timeout=args.timeout * target.timeout_factor)
        except RemoteError as err:
            sys.stdout.flush()
            raise WasmbedError(f"{args.app}: {err}") from None
        except LinkError as err:
            raise WasmbedError(f"{args.app}: the agent failed while running: {err}") from None
