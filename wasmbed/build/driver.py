"""build(board, features, ...) -> BuildResult: runs the venv's SCons as a subprocess."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from wasmbed import ROOT
from wasmbed.model.descriptors import load_board
from wasmbed.errors import WasmbedError
from wasmbed.build.sconsbuild import MODES, resolve_features, variant_dir

TAIL_LINES = 25


@dataclass(frozen=True)
class BuildResult:
    board: str
    variant_dir: Path
    firmware: Path | None         # None for "built-without-sdk" (objects and libraries only)
    build_json: dict


def scons_command() -> list[str]:
    """The SCons next to this Python (the venv's), else `python -m SCons`."""
    exe = Path(sys.executable).with_name("scons")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "SCons"]


def scons_args(board: str, features: list[str] | None, *, heap_size: int | None, mode: str,
               build_dir: Path | None, toolchain: str | None,
               sdk: str | Path | None = None, werror: bool = False,
               opt: str | None = None) -> list[str]:
    args = [f"board={board}"] + (["werror=1"] if werror else [])
    if features is not None:
        args.append(f"features={','.join(features)}")
    if heap_size is not None:
        args.append(f"heap_size={heap_size}")
    if mode != "release":
        args.append(f"mode={mode}")
    if build_dir is not None:
        args.append(f"build_dir={Path(build_dir).resolve()}")
    if toolchain:
        args.append(f"toolchain={toolchain}")
    if sdk:
        args.append(f"sdk={Path(sdk).expanduser().resolve()}")
    if opt:
        args.append(f"opt={opt}")
    return args


def _tail(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    # the compiler's own words matter most: keep error lines and what follows them
    keep = lines[-TAIL_LINES:]
    return "\n".join("  " + ln for ln in keep)


def build(board: str, features: list[str] | None = None, *, heap_size: int | None = None,
          mode: str = "release", build_dir: Path | None = None, jobs: int | None = None,
          toolchain: str | None = None, quiet: bool = True, sdk: str | Path | None = None,
          werror: bool = False, opt: str | None = None,
          echo: Callable[[str], None] | None = None) -> BuildResult:
    """Build one board; raise WasmbedError with the tail of the compiler's output."""
    if mode not in MODES:
        raise WasmbedError(f"mode {mode!r}: expected one of {', '.join(MODES)}")
    b = load_board(board)
    keys = resolve_features(b, features)
    variant = variant_dir(b, keys, heap_size=heap_size, mode=mode, toolchain=toolchain,
                          build_dir=build_dir, opt=opt)
    cmd = scons_command() + ["-C", str(ROOT), f"-j{jobs or 2}", "-Q"]
    cmd += scons_args(board, features, heap_size=heap_size, mode=mode, build_dir=build_dir,
                      toolchain=toolchain, sdk=sdk, werror=werror, opt=opt)
    env = dict(os.environ)
    variant.mkdir(parents=True, exist_ok=True)
    # one SCons at a time per variant dir (tests and matrix runs may ask for the same board)
    with open(variant / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        except OSError as err:
            raise WasmbedError(f"cannot run SCons ({cmd[0]}): {err.strerror}",
                               hint="pip install scons") from None
    output = proc.stdout + proc.stderr
    if echo is not None:
        echo(output)
    elif not quiet:
        sys.stdout.write(output)
    if proc.returncode != 0:
        marker = "wasmbed: error: "
        if marker in output and proc.returncode == 2 and "scons: building" not in output:
            message = output.rsplit(marker, 1)[1]
            message = "\n".join(ln for ln in message.splitlines()
                                if ln.strip() and not ln.startswith("scons:"))
            raise WasmbedError(message)
        raise WasmbedError(f"build of {board} failed (scons exit {proc.returncode}):\n"
                           f"{_tail(output)}")
    bj_path = variant / "build.json"
    try:
        data = json.loads(bj_path.read_text())
    except (OSError, ValueError) as err:
        raise WasmbedError(f"build of {board} finished without a readable {bj_path}: {err}")
    firmware = Path(data["firmware"]) if data.get("firmware") else None
    if firmware is not None and not firmware.is_absolute():
        firmware = ROOT / firmware
    return BuildResult(board=board, variant_dir=variant, firmware=firmware, build_json=data)
