"""Proposals the AOT translator does not compile, refused up front with their name
(instead of a decoder error about an unknown section or opcode)."""

from __future__ import annotations

from wasmbed.errors import WasmbedError
from wasmbed.model.leb128 import read_u as _leb  # raises an IndexError at the end

TAG_SECTION = 13
TAG_KIND = 4


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


def check(data: bytes) -> None:
    """Raise a WasmbedError naming what the AOT translator cannot compile. (memory64,
    table64, multi-memory and the threads proposal are compiled: wasmbed/aot/emit_mem.py;
    SIMD: emit_simd.py, except v128 values in tail calls or exception payloads and relaxed
    SIMD, which the translator refuses by name.)"""
    # legacy exception handling (tags, try/catch/throw/rethrow/delegate) is compiled
    # (emit_ctl.py): uses_exceptions() only tells the compiler to look at it first
