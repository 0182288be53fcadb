"""The app store over the agent protocol (docs/protocol.md, STORE_* frames): push a module
into the slot that does not boot now, list both slots. The agent runs the same C store code
as the flash twin in wasmbed/build/appstore.py; the slots come back as its `Slot`s."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Callable, Optional

from wasmbed.build.appstore import FORMAT_IDS, FORMATS, NAME_SIZE, Slot, crc32
from wasmbed.errors import WasmbedError
from wasmbed.run.protocol import Client, FrameType, ProtocolError, _str16

#: erasing a slot (256 KiB CFI sectors under QEMU; seconds on a real NOR part)
ERASE_TIMEOUT = 60.0


@dataclass(frozen=True)
class Listing:
    slots: list[Slot]
    boot: Optional[Slot]
    capacity: int               # payload bytes one slot takes


def _check_name(name: str) -> bytes:
    raw = name.encode("utf-8")
    if len(raw) > NAME_SIZE or b"\0" in raw:
        raise WasmbedError(f"app name {name!r}: at most {NAME_SIZE} bytes, no NUL")
    return raw


def push(client: Client, module: bytes, *, name: str, fmt: str = "wasm",
         progress: Optional[Callable[[int, int], None]] = None) -> tuple[int, int]:
    """Stream `module` into the agent's app store: STORE_BEGIN (the agent erases the slot
    that does not boot now), STORE_CHUNKs in order, STORE_COMMIT with its CRC-32 (header and
    magic programmed last). Returns (slot index, version)."""
    raw = _check_name(name)
    begin = client.request(FrameType.STORE_BEGIN,
                           struct.pack("<IB", len(module), FORMAT_IDS[fmt]) + raw,
                           timeout=ERASE_TIMEOUT)
    try:
        slot, version, _capacity = struct.unpack_from("<BII", begin.payload, 0)
    except struct.error:
        raise ProtocolError("truncated STORE_BEGIN reply") from None
    step = max(4, (client.max_payload - 4) & ~3)    # whole flash words per chunk
    for off in range(0, len(module), step):
        client.request(FrameType.STORE_CHUNK, struct.pack("<I", off) + module[off:off + step])
        if progress is not None:
            progress(min(off + step, len(module)), len(module))
    done = client.request(FrameType.STORE_COMMIT, struct.pack("<I", crc32(module)))
    if not done.payload or done.payload[0] != slot:
        raise ProtocolError("STORE_COMMIT answered for another slot")
    return slot, version


def listing(client: Client) -> Listing:
    """What the agent reads in its two slots (STORE_LIST)."""
    p = client.request(FrameType.STORE_LIST).payload
    try:
        boot, capacity = struct.unpack_from("<BI", p, 0)
        pos, slots = 5, []
        for index in (0, 1):
            valid, version, fmt, length, crc = struct.unpack_from("<BIIII", p, pos)
            name, pos = _str16(p, pos + 17)
            why, pos = _str16(p, pos)
            if valid:
                slots.append(Slot(index, True, "", version, FORMATS.get(fmt, str(fmt)),
                                  length, crc, name))
            else:
                slots.append(Slot(index, False, why))
    except struct.error:
        raise ProtocolError("truncated STORE_LIST reply") from None
    return Listing(slots, slots[boot] if boot in (0, 1) else None, capacity)
