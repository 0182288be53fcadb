"""Decoder of the WebAssembly binary format: just what the AOT translator needs.

It reads types, imports, the function/table/memory/global index spaces and the code
bodies. Segments, exports and the start function are left to the runtime's own loader,
which reads them from the module copy inside the AOT file (see `strip_code`). The module
is validated before translation by the runtime's validator (`validate.py`), so this
decoder only checks what it must to stay safe.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from wasmbed.errors import WasmbedError
from wasmbed.model import leb128

I32, I64, F32, F64, V128, FUNCREF, EXTERNREF = 0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F
VALTYPES = (I32, I64, F32, F64, V128, FUNCREF, EXTERNREF)
MAGIC = b"\0asm\x01\0\0\0"


class DecodeError(WasmbedError):
    pass


class Reader:
    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def eof(self) -> bool:
        return self.pos >= self.end

    def u8(self) -> int:
        if self.pos >= self.end:
            raise DecodeError("unexpected end of module")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def bytes(self, n: int) -> bytes:
        if self.pos + n > self.end:
            raise DecodeError("unexpected end of module")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def uleb(self) -> int:
        try:
            value, self.pos = leb128.read_u(self.data, self.pos, self.end)
        except leb128.Truncated:
            raise DecodeError("unexpected end of module") from None
        return value

    def sleb(self, bits: int) -> int:
        try:
            value, self.pos = leb128.read_s(self.data, self.pos, bits, self.end)
        except leb128.Truncated:
            raise DecodeError("unexpected end of module") from None
        return value

    def name(self) -> bytes:
        return self.bytes(self.uleb())

    def f32(self) -> int:
        return struct.unpack("<I", self.bytes(4))[0]

    def f64(self) -> int:
        return struct.unpack("<Q", self.bytes(8))[0]


@dataclass
class FuncType:
    params: tuple[int, ...]
    results: tuple[int, ...]


@dataclass
class Body:
    locals: list[int]   # declared locals (not the parameters)
    start: int          # offset of the first instruction in Module.data
    end: int            # one past the final `end`


@dataclass
class Module:
    data: bytes
    types: list[FuncType] = field(default_factory=list)
    func_types: list[int] = field(default_factory=list)       # type index per function
    nfunc_imports: int = 0
    table_types: list[int] = field(default_factory=list)      # element reftype per table
    nmems: int = 0
    mem_mins: list[int] = field(default_factory=list)         # declared minimum, in pages
    mem64: list[bool] = field(default_factory=list)           # memory64: i64 addresses
    table64: list[bool] = field(default_factory=list)         # table64: i64 indices
    global_types: list[int] = field(default_factory=list)
    tag_types: list[int] = field(default_factory=list)       # type index per tag (legacy EH)
    bodies: list[Body] = field(default_factory=list)
    code_section: tuple[int, int] | None = None              # (header, end) of the section


def _limits(r: Reader, wide: list[bool] | None = None) -> int:
    """Skip a limits entry; its minimum. Flag 0x04 (memory64 / table64: i64 addresses
    or indices) is appended to `wide`."""
    flags = r.uleb()
    low = r.uleb()
    if flags & 1:
        r.uleb()
    if wide is not None:
        wide.append(bool(flags & 4))
    return low


def _skip_cexpr(r: Reader) -> None:
    while True:
        op = r.u8()
        if op == 0x0B:
            return
        if op == 0x41:
            r.sleb(32)
        elif op == 0x42:
            r.sleb(64)
        elif op == 0x43:
            r.bytes(4)
        elif op == 0x44:
            r.bytes(8)
        elif op in (0x23, 0xD2):
            r.uleb()
        elif op == 0xD0:
            r.u8()
        elif op == 0xFD and r.uleb() == 0x0C:
            r.bytes(16)  # v128.const
        elif op in (0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E):
            pass  # extended-const: i32/i64 add, sub, mul (the runtime evaluates them)
        else:
            raise DecodeError(f"unsupported constant expression opcode 0x{op:02x}")


def decode(data: bytes) -> Module:
    if data[:8] != MAGIC:
        raise DecodeError("not a WebAssembly binary module (bad magic or version)")
    m = Module(data)
    r = Reader(data, 8)
    while not r.eof():
        hdr = r.pos
        sid = r.u8()
        size = r.uleb()
        start = r.pos
        s = Reader(data, start, start + size)
        r.pos = start + size
        if sid == 1:
            for _ in range(s.uleb()):
                if s.u8() != 0x60:
                    raise DecodeError("bad function type")
                params = tuple(s.u8() for _ in range(s.uleb()))
                results = tuple(s.u8() for _ in range(s.uleb()))
                m.types.append(FuncType(params, results))
        elif sid == 2:
            for _ in range(s.uleb()):
                s.name()
                s.name()
                kind = s.u8()
                if kind == 0:
                    m.func_types.append(s.uleb())
                    m.nfunc_imports += 1
                elif kind == 1:
                    m.table_types.append(s.u8())
                    _limits(s, m.table64)
                elif kind == 2:
                    m.mem_mins.append(_limits(s, m.mem64))
                    m.nmems += 1
                elif kind == 3:
                    m.global_types.append(s.u8())
                    s.u8()
                elif kind == 4:  # tag: attribute 0, type index
                    s.u8()
                    m.tag_types.append(s.uleb())
                else:
                    raise DecodeError(f"bad import kind {kind}")
        elif sid == 3:
            m.func_types.extend(s.uleb() for _ in range(s.uleb()))
        elif sid == 4:
            for _ in range(s.uleb()):
                m.table_types.append(s.u8())
                _limits(s, m.table64)
        elif sid == 5:
            for _ in range(s.uleb()):
                m.mem_mins.append(_limits(s, m.mem64))
                m.nmems += 1
        elif sid == 6:
            for _ in range(s.uleb()):
                m.global_types.append(s.u8())
                s.u8()
                _skip_cexpr(s)
        elif sid == 13:  # tags (legacy exception handling)
            for _ in range(s.uleb()):
                s.u8()
                m.tag_types.append(s.uleb())
        elif sid == 10:
            m.code_section = (hdr, start + size)
            for _ in range(s.uleb()):
                bsize = s.uleb()
                bstart = s.pos
                b = Reader(data, bstart, bstart + bsize)
                locs: list[int] = []
                for _ in range(b.uleb()):
                    n = b.uleb()
                    t = b.u8()
                    if n > 50000:
                        raise DecodeError("too many locals")
                    locs.extend([t] * n)
                m.bodies.append(Body(locs, b.pos, bstart + bsize))
                s.pos = bstart + bsize
    if len(m.bodies) != len(m.func_types) - m.nfunc_imports:
        raise DecodeError("function and code section have inconsistent lengths")
    return m


def strip_code(m: Module) -> bytes:
    """The module with every function body replaced by `unreachable`: what the runtime's
    loader reads for types, imports, exports and segments of an AOT module."""
    if m.code_section is None:
        return m.data
    hdr, end = m.code_section
    body = bytes([0x03, 0x00, 0x00, 0x0B])
    payload = leb128.encode_u(len(m.bodies)) + body * len(m.bodies)
    return m.data[:hdr] + bytes([10]) + leb128.encode_u(len(payload)) + payload + m.data[end:]
