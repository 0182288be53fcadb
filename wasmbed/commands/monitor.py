"""`wasmbed monitor [--board B] [--port P] [--baud N] [--log FILE]`: a board's console."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Callable, Iterator

NAME = "monitor"
HELP = ("show a board's serial console (Ctrl-R resets the board, Ctrl-] quits); a "
        "WASMBED FAULT line is followed by its function and file:line from firmware.elf")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--boards-dir", action="append", metavar="DIR",
                        help="search DIR for board descriptors before the built-in ones")
    parser.add_argument("--board", "-b", help="board name: its USB ids find the port, its "
                        "firmware.elf and toolchain name fault addresses, its flash.reset "
                        "line resets it")
    parser.add_argument("--port", "-p", help="serial device or pyserial URL (default: "
                        "$WASMBED_PORT, else the one attached port with the board's USB ids)")
    parser.add_argument("--baud", type=int, help="baud rate (default: the board's console "
                        "baud, else 115200)")
    parser.add_argument("--log", type=Path, metavar="FILE", help="also append the console "
                        "(and fault translations) to FILE")
    parser.add_argument("--elf", type=Path, metavar="FILE", help="firmware to read fault "
                        "addresses with (default: build/<board>/firmware.elf)")
    parser.add_argument("--duration", type=float, metavar="S",
                        help="stop after S seconds (default: until Ctrl-])")


@contextlib.contextmanager
def _keys() -> Iterator[Callable[[], bytes] | None]:
    """Keys typed on the terminal, unbuffered; None when stdin is not a terminal."""
    if not sys.stdin.isatty():
        yield None
        return
    import select
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)

    def read() -> bytes:
        if select.select([fd], [], [], 0)[0]:
            return os.read(fd, 64)
        return b""
    try:
        yield read
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def run(args: argparse.Namespace) -> int:
    from wasmbed.run import monitor as mon
    from wasmbed.model.descriptors import load_board, prepend_boards_path
    from wasmbed.build.devices import serial_line
    from wasmbed.errors import WasmbedError

    prepend_boards_path(args.boards_dir)
    board = load_board(args.board) if args.board else None
    port, baud = serial_line(board, args.port, args.baud,
                             "no serial port given: pass --port /dev/ttyUSB0 (or --board B "
                             "to find the board's port by its USB ids)")
    symbolizer = None
    if board is not None or args.elf is not None:
        elf = args.elf
        if elf is None:
            from wasmbed.build.flash import _variant
            elf = _variant(board, None) / "firmware.elf"
        if board is None:
            raise WasmbedError("--elf needs --board (its toolchain's addr2line reads the ELF)")
        symbolizer = mon.Symbolizer(board, elf) if elf.is_file() or args.elf else None
        if symbolizer is None:
            print(f"wasmbed: {elf} not built: fault lines are shown without file:line",
                  file=sys.stderr)
    ser = mon.open_port(port, baud)
    reset = board.flash.get("reset") if board is not None else None
    log = open(args.log, "a", encoding="utf-8") if args.log else None
    try:
        monitor = mon.Monitor(out=lambda t: (sys.stdout.write(t), sys.stdout.flush()),
                              symbolizer=symbolizer, log=log)
        print(f"--- {port} at {baud} baud; Ctrl-] quits"
              + (f", Ctrl-R resets ({reset.upper()})" if reset else "") + " ---",
              file=sys.stderr)
        with _keys() as keys:
            why = mon.run(ser, monitor, keys=keys, reset_line=reset, duration=args.duration)
    finally:
        ser.close()
        if log is not None:
            log.close()
    return 0 if why in ("exit", "timeout") else 1
