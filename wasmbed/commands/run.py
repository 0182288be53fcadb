"""`wasmbed run`: run a WebAssembly application on a board's agent."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

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


def read_app(app: Path) -> bytes:
    try:
        return app.read_bytes()
    except OSError as err:
        raise WasmbedError(f"cannot read {app}: {err.strerror}") from None


def run_app_on(target: Any, app: Path, module: bytes, timeout: float) -> int:
    """Load `module` on the target's agent, run its _start/main with the output on
    stdout, return its exit code. Load errors, traps and a failed link are
    WasmbedErrors naming the app (and what the target knows of a crash)."""
    from wasmbed.protocol import LinkError, RemoteError

    with target:
        client = target.start()
        try:
            client.reset()
            handle = client.load(module, timeout=30.0 * target.timeout_factor)
        except RemoteError as err:
            raise WasmbedError(f"{app}: {err}") from None
        except LinkError as err:
            raise WasmbedError(f"{app}: the agent failed while loading: {err}") from None
        try:
            return int(client.run(handle, _write, timeout=timeout * target.timeout_factor))
        except RemoteError as err:
            sys.stdout.flush()
            raise WasmbedError(f"{app}: {err}") from None
        except LinkError as err:
            describe = getattr(target, "describe", None)
            where = f" [{describe()}]" if describe else ""
            raise WasmbedError(f"{app}: the agent failed while running: {err}{where}") from None


def run(args: argparse.Namespace) -> int:
    from wasmbed.target import open_target

    module = read_app(args.app)
    features = [f.strip() for f in args.features.split(",")] if args.features else None
    target = open_target(args.board, port=args.port, baud=args.baud, firmware=args.firmware, features=features)
    return run_app_on(target, args.app, module, args.timeout)
