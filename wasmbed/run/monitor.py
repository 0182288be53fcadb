"""A board's console: show it, log it, reset the board, and name the code of a fault.

The port layer prints one line when the CPU traps (templates/port/wb_port.c.j2):

    WASMBED FAULT <board> <what> name=0x... name=0x...

`parse_fault()` reads it; `Symbolizer` turns its code addresses (pc, mepc, epc, elr_el1,
eip, epc1; lr/ra as the caller) into function and file:line with the addr2line of the
board's toolchain and the board's firmware.elf. `Monitor` is the loop: bytes from the port
go to the screen and the log; after a fault line the translation follows.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable

from wasmbed.model.descriptors import Board
from wasmbed.errors import WasmbedError

FAULT_LINE = re.compile(r"WASMBED FAULT (?P<board>\S+) (?P<what>\S+)"
                        r"(?P<regs>(?: [A-Za-z0-9_]+=0x[0-9a-fA-F]+)*)")
#: registers that hold where the CPU was (first: the faulting instruction), per port
PC_REGS = ("pc", "mepc", "epc", "elr_el1", "eip", "epc1")
CALLER_REGS = ("lr", "ra")
LLVM_ADDR2LINE = ("llvm-addr2line", "llvm-addr2line-22", "llvm-addr2line-19",
                  "llvm-addr2line-16", "llvm-addr2line-14")
EXIT_KEY = b"\x1d"      # Ctrl-]
RESET_KEY = b"\x12"     # Ctrl-R


@dataclass(frozen=True)
class Fault:
    board: str
    what: str
    regs: dict[str, int]

    def code_addresses(self) -> list[tuple[str, int]]:
        """(register, address) of the registers that point at code, faulting one first."""
        return [(r, self.regs[r]) for r in PC_REGS + CALLER_REGS
                if r in self.regs and self.regs[r]]


def parse_fault(line: str) -> Fault | None:
    m = FAULT_LINE.search(line)
    if not m:
        return None
    regs = {k: int(v, 16) for k, v in re.findall(r"([A-Za-z0-9_]+)=(0x[0-9a-fA-F]+)",
                                                 m.group("regs"))}
    return Fault(m.group("board"), m.group("what"), regs)


def addr2line_for(board: Board) -> tuple[str, ...]:
    """The board toolchain's addr2line: `<gcc prefix>addr2line`, else llvm-addr2line
    (zig, clang), else a clear error naming the package."""
    from wasmbed.model.toolchains import for_board

    tc = for_board(board)
    if tc.family == "gcc" and tc.target:
        tool = f"{tc.target}addr2line"
        if shutil.which(tool):
            return (tool,)
    for tool in LLVM_ADDR2LINE:
        if shutil.which(tool):
            return (tool,)
    wanted = f"{tc.target}addr2line" if tc.family == "gcc" and tc.target else "llvm-addr2line"
    raise WasmbedError(f"{board.name}: no addr2line to read {board.name}'s firmware.elf "
                       f"({wanted} not found)",
                       hint=f"install {tc.package or 'binutils'} (or llvm for llvm-addr2line)")


@dataclass(frozen=True)
class Location:
    address: int
    function: str
    file: str
    line: int | None

    def shown(self) -> str:
        if self.file in ("??", "") or self.line is None:
            return (f"in {self.function} (no line information in the ELF: build it with "
                    "mode=debug, flash that and pass its firmware.elf with --elf)")
        return f"{self.function} at {self.file}:{self.line}"


class Symbolizer:
    """Addresses of one firmware.elf to function and file:line."""

    def __init__(self, board: Board, elf: Path) -> None:
        if not elf.is_file():
            raise WasmbedError(f"{board.name}: no firmware at {elf} to read faults with",
                               hint=f"wasmbed build --board {board.name} (or --elf FILE)")
        self.board = board
        self.elf = elf
        self.tool = addr2line_for(board)

    def locate(self, addresses: list[int]) -> list[Location]:
        if not addresses:
            return []
        argv = [*self.tool, "-f", "-C", "-e", str(self.elf), *(f"{a:#x}" for a in addresses)]
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise WasmbedError(f"cannot run {self.tool[0]}: {err}") from None
        if out.returncode != 0:
            raise WasmbedError(f"{self.tool[0]} failed on {self.elf}: {out.stderr.strip()}")
        lines = out.stdout.splitlines()
        found = []
        for i, address in enumerate(addresses):
            function = lines[2 * i] if 2 * i < len(lines) else "??"
            where = lines[2 * i + 1] if 2 * i + 1 < len(lines) else "??:0"
            where = where.split(" (discriminator")[0]
            file, _, line = where.rpartition(":")
            number = int(line) if line.isdigit() and int(line) > 0 else None
            found.append(Location(address, function, file or where, number))
        return found

    def explain(self, fault: Fault) -> list[str]:
        """Lines telling where the fault happened ("mepc=0x... in f at file.c:12")."""
        pairs = fault.code_addresses()
        out = []
        for (reg, addr), loc in zip(pairs, self.locate([a for _, a in pairs])):
            if loc.function == "??" and loc.file in ("??", ""):
                out.append(f"{reg}={addr:#x}: not in {self.elf.name} (no symbol)")
            else:
                out.append(f"{reg}={addr:#x}: {loc.shown()}")
        return out


# ---- opening the port -----------------------------------------------------------------------

def open_port(port: str, baud: int):  # -> serial.Serial
    """The port opened exclusively, or a WasmbedError saying why (missing, busy, not a
    serial port)."""
    import serial

    from wasmbed.build.flash import check_port

    port = check_port(port)
    try:
        if "://" in port:
            return serial.serial_for_url(port, baudrate=baud, timeout=0.05)
        return serial.Serial(port, baudrate=baud, timeout=0.05, exclusive=True)
    except serial.SerialException as err:
        text = str(err)
        if "lock" in text.lower() or "busy" in text.lower():
            raise WasmbedError(f"serial port {port} is busy: another program has it open "
                               f"({text})", hint="close the other monitor / flasher "
                               f"(fuser {port} names it)") from None
        if "ioctl" in text.lower() or "termios" in text.lower():
            raise WasmbedError(f"{port} is not a serial port ({text})",
                               hint="wasmbed devices lists the serial ports") from None
        raise WasmbedError(f"cannot open serial port {port}: {text}") from None


def pulse_reset(ser, line: str, seconds: float = 0.1) -> None:
    """Hold the board's reset line (RTS or DTR, as the descriptor says) for `seconds`."""
    setattr(ser, line, True)
    time.sleep(seconds)
    setattr(ser, line, False)


# ---- the loop -------------------------------------------------------------------------------

@dataclass
class Monitor:
    """Bytes from the port to `out` (and `log`); a fault line is followed by its place."""

    out: Callable[[str], None]
    symbolizer: Symbolizer | None = None
    log: IO[str] | None = None
    faults: list[Fault] = field(default_factory=list)
    _line: str = ""

    def feed(self, data: bytes) -> None:
        text = data.decode("utf-8", "replace")
        self.emit(text)
        self._line += text
        *done, self._line = self._line.split("\n")
        for line in done:
            fault = parse_fault(line)
            if fault is not None:
                self.faults.append(fault)
                self.emit("".join(f"[wasmbed] {s}\n" for s in self.describe(fault)))

    def describe(self, fault: Fault) -> list[str]:
        head = f"fault ({fault.what}) on {fault.board}"
        if self.symbolizer is None:
            return [f"{head}: no firmware.elf to name its code (pass --elf)"]
        try:
            return [head + ":"] + ["  " + s for s in self.symbolizer.explain(fault)]
        except WasmbedError as err:
            return [f"{head}: {err.message}"]

    def emit(self, text: str) -> None:
        self.out(text)
        if self.log is not None:
            self.log.write(text)
            self.log.flush()


def run(ser, monitor: Monitor, *, keys: Callable[[], bytes] | None = None,
        reset_line: str | None = None, duration: float | None = None) -> str:
    """Pump the port into `monitor` until the exit key, `duration` seconds, or the port
    closing; the reset key pulses `reset_line`. Returns why it stopped."""
    import serial

    end = None if duration is None else time.monotonic() + duration
    while end is None or time.monotonic() < end:
        try:
            data = ser.read(max(1, ser.in_waiting or 1))
        except serial.SerialException as err:
            monitor.emit(f"\n[wasmbed] port closed: {err}\n")
            return "closed"
        if data:
            monitor.feed(data)
        pressed = keys() if keys is not None else b""
        if EXIT_KEY in pressed:
            return "exit"
        if RESET_KEY in pressed:
            if reset_line is None:
                monitor.emit("\n[wasmbed] no reset line for this board (flash.reset in its "
                             "descriptor)\n")
            else:
                pulse_reset(ser, reset_line)
                monitor.emit(f"\n[wasmbed] reset ({reset_line.upper()} pulse)\n")
        rest = pressed.replace(RESET_KEY, b"")
        if rest:
            ser.write(rest)
    return "timeout"
