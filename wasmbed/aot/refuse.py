"""Proposals the AOT translator does not compile, refused up front with their name
(instead of a decoder error about an unknown section or opcode)."""

from __future__ import annotations

from wasmbed.errors import WasmbedError

TAG_SECTION = 13
TAG_KIND = 4


def _leb(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise IndexError(pos)
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, pos


def _name(data: bytes, pos: int) -> int:
    n, pos = _leb(data, pos)
    return pos + n


def uses_exceptions(data: bytes) -> bool:
    """Does the module declare, import or export a tag (legacy exception handling)?"""
    pos = 8
    try:
        while pos < len(data):
            sid = data[pos]
            size, pos = _leb(data, pos + 1)
            end = pos + size
            if sid == TAG_SECTION:
                return True
            if sid in (2, 7):  # import / export: look for kind 4 (tag)
                count, p = _leb(data, pos)
                for _ in range(count):
                    if sid == 2:
                        p = _name(data, _name(data, p))
                        kind = data[p]
                        if kind == TAG_KIND:
                            # attribute 0 and a type index inside the section; else the
                            # module is malformed (binary.wast: "malformed import kind")
                            # and the decoder says so
                            if p + 1 >= end or data[p + 1] != 0:
                                return False
                            return _leb(data, p + 2)[1] <= end
                        p += 1
                        if kind == 0:
                            _, p = _leb(data, p)
                        elif kind == 1:
                            p += 1
                            flags, p = _leb(data, p)
                            _, p = _leb(data, p)
                            if flags & 1:
                                _, p = _leb(data, p)
                        elif kind == 2:
                            flags, p = _leb(data, p)
                            _, p = _leb(data, p)
                            if flags & 1:
                                _, p = _leb(data, p)
                        elif kind == 3:
                            p += 2
                        else:
                            break
                    else:
                        p = _name(data, p)
                        if data[p] == TAG_KIND:
                            return _leb(data, p + 1)[1] <= end
                        _, p = _leb(data, p + 1)
            pos = end
    except IndexError:
        return False  # malformed: the decoder reports it
    return False


def _limits_flags(data: bytes, p: int) -> tuple[int, int]:
    """A limits entry at p: its flags and the position after it."""
    flags, p = _leb(data, p)
    _, p = _leb(data, p)
    if flags & 1:
        _, p = _leb(data, p)
    return flags, p


def memory_proposal(data: bytes) -> str | None:
    """memory64 / multi-memory use (the translator addresses one 32-bit memory 0): a
    description, or None. Limits flag 0x04 marks an i64 memory or table (table64)."""
    pos, memories, wide = 8, 0, False
    try:
        while pos < len(data):
            sid = data[pos]
            size, pos = _leb(data, pos + 1)
            end = pos + size
            if sid in (2, 4, 5):
                count, p = _leb(data, pos)
                for _ in range(count):
                    kind = {4: 1, 5: 2}.get(sid)
                    if sid == 2:
                        p = _name(data, _name(data, p))
                        kind = data[p]
                        p += 1
                    if kind == 0:
                        _, p = _leb(data, p)
                    elif kind in (1, 2):
                        if kind == 1:
                            p += 1  # reftype
                        flags, p = _limits_flags(data, p)
                        wide = wide or bool(flags & 4)
                        memories += kind == 2
                    elif kind == 3:
                        p += 2
                    else:
                        break
            pos = end
    except IndexError:
        return None  # malformed: the decoder reports it
    if wide:
        return "memory64 (i64 memory addresses or table indices)"
    if memories > 1:
        return f"multi-memory ({memories} memories)"
    return None


def check(data: bytes) -> None:
    """Raise a WasmbedError naming what the AOT translator cannot compile."""
    memory = memory_proposal(data)
    if memory:
        raise WasmbedError(
            f"the module uses {memory}; the AOT translator addresses one 32-bit memory 0",
            hint="run it interpreted: an agent built with features memory64 / multi-memory "
                 "(wasmbed run --features +memory64,+multi-memory app.wasm)")
    if uses_exceptions(data):
        raise WasmbedError(
            "the module uses exception handling (tags, try/catch/throw: "
            "legacy-exception-handling), which the AOT translator does not compile",
            hint="run it interpreted: an agent built with feature legacy-exception-handling "
                 "(wasmbed run --features +legacy-exception-handling app.wasm)")
