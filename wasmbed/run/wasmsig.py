"""The signature of a module's export, read from the .wasm, for `-f NAME --arg V`.

Only the type, import, function and export sections are read; values are typed by
the export's parameters and printed the way people write them (signed integers,
decimal floats).
"""

from __future__ import annotations

import math
import struct
from pathlib import Path
from typing import Sequence

from wasmbed.errors import WasmbedError
from wasmbed.model import leb128
from wasmbed.run.protocol import Value

VALTYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64", 0x70: "funcref",
            0x6F: "externref", 0x7B: "v128"}


class _Reader:
    def __init__(self, data: bytes, where: str) -> None:
        self.data, self.pos, self.where = data, 0, where

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise WasmbedError(f"{self.where}: truncated module")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def u32(self) -> int:
        try:
            value, self.pos = leb128.read_u(self.data, self.pos, max_bytes=6)
        except leb128.Truncated:
            raise WasmbedError(f"{self.where}: truncated module") from None
        except leb128.Malformed:
            raise WasmbedError(f"{self.where}: malformed LEB128") from None
        return value

    def name(self) -> str:
        n = self.u32()
        raw = self.data[self.pos:self.pos + n]
        self.pos += n
        return raw.decode("utf-8", "replace")

    def limits(self) -> None:
        flags = self.u32()
        self.u32()
        if flags & 1:
            self.u32()


def signatures(module: bytes, where: str = "module") -> dict[str, tuple[list[str], list[str]]]:
    """export name -> (param types, result types) for every exported function."""
    if module[:4] != b"\0asm":
        raise WasmbedError(f"{where}: not a WebAssembly module (no \\0asm magic)")
    r = _Reader(module, where)
    r.pos = 8
    types: list[tuple[list[str], list[str]]] = []
    funcs: list[int] = []
    exports: dict[str, int] = {}
    while r.pos < len(module):
        sid = r.byte()
        size = r.u32()
        end = r.pos + size
        if sid == 1:
            for _ in range(r.u32()):
                r.byte()  # 0x60
                params = [VALTYPES.get(r.byte(), "?") for _ in range(r.u32())]
                results = [VALTYPES.get(r.byte(), "?") for _ in range(r.u32())]
                types.append((params, results))
        elif sid == 2:
            for _ in range(r.u32()):
                r.name()
                r.name()
                kind = r.byte()
                if kind == 0:
                    funcs.append(r.u32())
                elif kind == 1:
                    r.byte()
                    r.limits()
                elif kind == 2:
                    r.limits()
                else:
                    r.byte()
                    r.byte()
        elif sid == 3:
            funcs += [r.u32() for _ in range(r.u32())]
        elif sid == 7:
            for _ in range(r.u32()):
                name = r.name()
                kind = r.byte()
                index = r.u32()
                if kind == 0:
                    exports[name] = index
        r.pos = end
    out = {}
    for name, index in exports.items():
        if index < len(funcs) and funcs[index] < len(types):
            out[name] = types[funcs[index]]
    return out


def parse_value(vtype: str, text: str) -> Value:
    t = text.strip().lower()
    try:
        if vtype in ("i32", "i64"):
            bits = 32 if vtype == "i32" else 64
            return Value(vtype, int(t, 0) & ((1 << bits) - 1))
        if vtype in ("f32", "f64"):
            x = float(t)
            if vtype == "f32":
                return Value(vtype, struct.unpack("<I", struct.pack("<f", x))[0])
            return Value(vtype, struct.unpack("<Q", struct.pack("<d", x))[0])
    except (ValueError, OverflowError):
        raise WasmbedError(f"--arg {text!r}: not a valid {vtype}") from None
    raise WasmbedError(f"--arg {text!r}: {vtype} parameters cannot be given on the command line")


def call_values(module: bytes, name: str, raw: Sequence[str], app: Path) -> list[Value]:
    """The typed arguments for `-f name --arg ...`, checked against the export's type."""
    sigs = signatures(module, str(app))
    if name not in sigs:
        import difflib
        near = difflib.get_close_matches(name, list(sigs), n=1)
        hint = f"did you mean {near[0]}?" if near else \
            "exported functions: " + (", ".join(sorted(sigs)) or "none")
        raise WasmbedError(f"{app}: no exported function {name!r}", hint=hint)
    params, _ = sigs[name]
    if len(raw) != len(params):
        raise WasmbedError(f"{app}: {name} takes {len(params)} argument(s) "
                           f"({', '.join(params) or 'none'}), {len(raw)} given with --arg")
    return [parse_value(t, v) for t, v in zip(params, raw)]


def show(v: Value) -> str:
    """i32:-1, f64:1.5 -> '-1', '1.5' (integers signed, floats as Python prints them)."""
    if v.is_ref or v.bits is None:
        return str(v)
    if v.type == "i32":
        return str(v.bits - (1 << 32) if v.bits & (1 << 31) else v.bits)
    if v.type == "i64":
        return str(v.bits - (1 << 64) if v.bits & (1 << 63) else v.bits)
    if v.type == "f32":
        x = struct.unpack("<f", struct.pack("<I", v.bits))[0]
    elif v.type == "f64":
        x = struct.unpack("<d", struct.pack("<Q", v.bits))[0]
    else:
        return str(v)
    return "nan" if math.isnan(x) else repr(x)
