"""Exit codes of wasmbed's commands, kept apart from a program's own exit code.

`wasmbed run` and `run-on-qemu BOARD app.wasm` pass the program's exit code through
by default (`--exit-status program`); with `--exit-status runner` they exit like a
test runner (0 passed, 1 the program returned non-zero, 3..6 what went wrong) and
the program's code is printed and written to --json/--junit. Every other failure
uses the codes below in both modes (README "Exit codes").
"""

from __future__ import annotations

import argparse
from typing import Optional

from wasmbed.errors import WasmbedError

OK = 0           # success: program returned 0, every spec check passed
FAILED = 1       # spec checks failed; --exit-status runner: the program returned non-zero
USAGE = 2        # bad option, unknown board, build or configuration error
TRAP = 3         # the program trapped (or ran out of stack / memory)
LOAD = 4         # the module did not load: malformed, invalid, unknown import, no entry point
TIMEOUT = 5      # no answer in time (the message names the seconds and the board multiplier)
TARGET = 6       # the agent, QEMU or the serial line failed
INTERRUPTED = 130  # Ctrl-C (128 + SIGINT); 128+N for other signals

TABLE = (
    (OK, "success (program returned 0; every spec check passed)"),
    (FAILED, "spec checks failed; with --exit-status runner: the program returned non-zero"),
    (USAGE, "usage, configuration or build error"),
    (TRAP, "the program trapped (or exhausted its stack or memory)"),
    (LOAD, "the module did not load or link (malformed, invalid, unknown import)"),
    (TIMEOUT, "timed out"),
    (TARGET, "the agent, QEMU or the serial line failed"),
    (INTERRUPTED, "interrupted (Ctrl-C)"),
)

EXIT_STATUS_MODES = ("program", "runner")


def epilog() -> str:
    """The exit-code table for --help."""
    lines = ["exit codes (wasmbed run / run-on-qemu with an app pass the program's own code "
             "through unless --exit-status runner):"]
    lines += [f"  {code:>3}  {text}" for code, text in TABLE]
    return "\n".join(lines)


class AppTrap(WasmbedError):
    exit_code = TRAP


class AppLoadError(WasmbedError):
    exit_code = LOAD


class AppTimeout(WasmbedError):
    exit_code = TIMEOUT


class TargetFailure(WasmbedError):
    exit_code = TARGET


def outcome_name(code: int) -> str:
    return {OK: "passed", FAILED: "failed", USAGE: "error", TRAP: "trap", LOAD: "load-error",
            TIMEOUT: "timeout", TARGET: "target-failure", INTERRUPTED: "interrupted"}.get(
                code, "error")


def timeout_text(base: float, factor: float, what: str = "--app-timeout") -> str:
    """`timed out after 20 s (--app-timeout 5 s x board multiplier x4)`."""
    total = base * factor
    if factor == 1.0:
        return f"timed out after {total:g} s ({what} {base:g} s)"
    return f"timed out after {total:g} s ({what} {base:g} s x board multiplier x{factor:g})"


# ---- argparse types: reject 0 and negatives where they make no sense --------------------

def _whole_number(text: str, least: int, too_small: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"{text} {too_small}")
    return value


def positive_int(text: str) -> int:
    return _whole_number(text, 1, "must be at least 1")


def non_negative_int(text: str) -> int:
    return _whole_number(text, 0, "must not be negative")


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a positive number of seconds")
    return value


def exit_status(mode: str, program_code: Optional[int], runner_code: int) -> int:
    """The process exit status: the program's code (mode program, when it ran to its end)
    or the runner's (0/1 for a finished program, else 3..6)."""
    if program_code is None:
        return runner_code
    if mode == "program":
        return program_code
    return OK if program_code == 0 else FAILED
