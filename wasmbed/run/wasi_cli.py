"""What a WASI program sees when `wasmbed run` / `run-on-qemu BOARD app.wasm` starts it:
arguments after `--`, `--env KEY=VALUE` and `--dir HOST[:GUEST]` preopened directories,
sent to the agent in WASI frames (docs/protocol.md) just before RUN."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Optional

from wasmbed.errors import WasmbedError


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("program_args", nargs="*", metavar="ARG",
                        help="arguments for a WASI program (argv[1:]; put them after --)")
    parser.add_argument("--dir", action="append", default=[], metavar="HOST[:GUEST]",
                        help="preopen host directory HOST for a WASI program, named GUEST "
                             "inside it (default: the same name); repeatable")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="an environment variable for a WASI program; repeatable")


def parse_dir(spec: str) -> tuple[str, str]:
    """`HOST[:GUEST]` -> (guest name, absolute host path); the directory must exist."""
    host, sep, guest = spec.partition(":")
    if not host:
        raise WasmbedError(f"--dir {spec!r}: no host directory", hint="--dir HOST[:GUEST]")
    path = Path(host).expanduser()
    if not path.is_dir():
        raise WasmbedError(f"--dir {spec!r}: {host} is not a directory on this machine")
    return (guest if sep and guest else host), str(path.resolve())


def parse_env(spec: str) -> str:
    key, sep, _ = spec.partition("=")
    if not sep or not key:
        raise WasmbedError(f"--env {spec!r}: expected KEY=VALUE")
    return spec


def setup(client: Any, app: Path, args: Optional[argparse.Namespace]) -> None:
    """Send the program's argv/env/preopens when the agent has libc-wasi; refuse the
    options when it has not."""
    dirs = [parse_dir(d) for d in getattr(args, "dir", None) or []]
    env = [parse_env(e) for e in getattr(args, "env", None) or []]
    program_args = list(getattr(args, "program_args", None) or [])
    info = getattr(client, "info", None)
    features = set((info.features if info else "").split(","))
    if "libc-wasi" not in features:
        if dirs or env or program_args:
            raise WasmbedError(
                f"{app}: program arguments, --env and --dir need an agent built with "
                f"libc-wasi (this one has: {info.features if info else 'unknown'})",
                hint="add the feature: --features interp,libc-builtin,libc-wasi")
        return
    client.wasi_setup([app.name, *program_args], env, dirs)
