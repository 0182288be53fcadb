"""Which serial port is which board: USB ids from the descriptors' `usb:` lists.

`attached()` lists the serial ports pyserial sees (with their USB vendor/product ids and
serial number); `matches()` says whether a port is one a board descriptor names;
`resolve_port()` turns `--port` (absent, or "auto") into the one attached port that
matches the board, or a clear error listing what is attached.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Sequence

from wasmbed.model.descriptors import Board, all_boards
from wasmbed.errors import WasmbedError

AUTO = "auto"
PORT_ENV = "WASMBED_PORT"


@dataclass(frozen=True)
class Port:
    """One serial port as pyserial's list_ports reports it."""

    device: str
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None
    description: str = ""
    manufacturer: str | None = None
    location: str | None = None

    @property
    def usb_id(self) -> str:
        return f"{self.vid:04x}:{self.pid:04x}" if self.vid is not None and \
            self.pid is not None else "-"

    def shown(self) -> str:
        parts = [self.device, self.usb_id if self.vid is not None else "no USB id"]
        if self.serial_number:
            parts.append(f"serial {self.serial_number}")
        if self.description and self.description != "n/a":
            parts.append(self.description)
        return " ".join(parts[:1]) + " (" + ", ".join(parts[1:]) + ")"

    def as_json(self) -> dict:
        return {"device": self.device, "vid": self.vid, "pid": self.pid,
                "usb_id": None if self.vid is None else self.usb_id,
                "serial_number": self.serial_number, "description": self.description,
                "manufacturer": self.manufacturer, "location": self.location}


def attached() -> list[Port]:
    """The serial ports of this machine, sorted by device name."""
    from serial.tools import list_ports

    ports = [Port(device=p.device, vid=p.vid, pid=p.pid, serial_number=p.serial_number,
                  description=p.description or "", manufacturer=p.manufacturer,
                  location=p.location) for p in list_ports.comports()]
    return sorted(ports, key=lambda p: p.device)


def usb_ids(board: Board) -> str:
    """The board's USB ids for messages: "303a:1001, 10c4:ea60"."""
    return ", ".join(f"{u.vid:04x}:{u.pid:04x}" + (f" serial ~ {u.serial}" if u.serial else "")
                     for u in board.usb)


def matches(board: Board, port: Port) -> bool:
    """True when the port's USB ids (and serial number, if the entry has a pattern) are one
    of the board's `usb:` entries."""
    if port.vid is None or port.pid is None:
        return False
    for entry in board.usb:
        if entry.vid != port.vid or entry.pid != port.pid:
            continue
        if entry.serial and not re.search(entry.serial, port.serial_number or ""):
            continue
        return True
    return False


def boards_for(port: Port, boards: Sequence[Board]) -> list[str]:
    return [b.name for b in boards if matches(b, port)]


@dataclass(frozen=True)
class Listing:
    port: Port
    boards: tuple[str, ...]


def listing(boards: Sequence[Board] | None = None) -> list[Listing]:
    """Every attached port with the boards whose `usb:` ids it matches."""
    boards = list(all_boards()) if boards is None else list(boards)
    return [Listing(p, tuple(boards_for(p, boards))) for p in attached()]


def _attached_text(ports: list[Port]) -> str:
    if not ports:
        return "no serial ports are attached to this machine"
    return "attached serial ports: " + "; ".join(p.shown() for p in ports)


def resolve_port(board: Board, port: str | None) -> str:
    """`port` itself when one is given; otherwise (None, "" or "auto", after $WASMBED_PORT)
    the one attached port whose USB ids the board lists, else a clear error."""
    port = port or os.environ.get(PORT_ENV) or None
    if port and port != AUTO:
        return port
    return find_port(board, "no serial port given" if port is None else "--port auto")


def serial_line(board: Board | None, port: str | None, baud: int | None, missing: str,
                hint: str | None = None) -> tuple[str, int]:
    """(port, baud) for a command that may name a board: with one, resolve_port and the
    board's console baud; without, `port` or $WASMBED_PORT, else WasmbedError(missing).
    A given `baud` wins; 115200 by default."""
    if board is not None:
        port = resolve_port(board, port)
    else:
        port = port or os.environ.get(PORT_ENV)
        if not port or port == AUTO:
            raise WasmbedError(missing, hint=hint)
    return port, baud or ((board.console or {}).get("baud") if board else None) or 115200


def find_port(board: Board, label: str) -> str:
    """The one attached port with the board's USB ids; errors start with `label`."""
    how = ("pass --port /dev/ttyUSB0 (or a pyserial URL such as rfc2217://host:4000) or "
           f"set {PORT_ENV}")
    ports = attached()
    if not board.usb:
        raise WasmbedError(f"{label}: {how}",
                           hint=f"{board.name} lists no USB ids (`usb:` in its descriptor), "
                                f"so its port cannot be found; {_attached_text(ports)}")
    found = [p for p in ports if matches(board, p)]
    if len(found) == 1:
        return found[0].device
    if not found:
        raise WasmbedError(
            f"{label}: no attached serial port matches {board.name} (USB {usb_ids(board)}); "
            f"{how}",
            hint=f"{_attached_text(ports)}; is the board plugged in (USB cable with data "
                 "lines)?")
    raise WasmbedError(
        f"{len(found)} attached serial ports match {board.name} (USB {usb_ids(board)}): "
        + "; ".join(p.shown() for p in found),
        hint=f"choose one with --port, e.g. --port {found[0].device}")
