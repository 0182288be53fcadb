"""128-bit SIMD (0xFD prefix) in AOT code.

A v128 is one C variable of type `wbv` (two uint64_t: bytes 0..7 and 8..15 as
little-endian numbers, the interpreter's two slots, wb_simd.h), so locals, parameters,
results, block values and select carry it like any scalar; it takes two slots where
values travel in slot arrays (calls, trampolines, globals). Every SIMD instruction is
one call of the runtime service ctx->ctl->simd, which runs the interpreter's own code
(wb_ext_simd, wb_simd.c) on a small slot array: the 236 instructions and their bounds
checks are written once. v128.const and the bitwise operations are inline C.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wasmbed.aot import emit_mem
from wasmbed.aot.decode import Reader

if TYPE_CHECKING:
    from wasmbed.aot.emit import FuncEmitter

PRELUDE = r"""
typedef struct { uint64_t lo, hi; } wbv;
static inline wbv wbv_of(uint64_t lo, uint64_t hi) { wbv v; v.lo = lo; v.hi = hi; return v; }
"""

_LOADS = set(range(0x00, 0x0B)) | {0x5C, 0x5D}
_LANE_MEM = set(range(0x54, 0x5C))
_TO_I32 = {0x53, 0x63, 0x64, 0x83, 0x84, 0xA3, 0xA4, 0xC3, 0xC4}
_SHIFTS = {0x6B, 0x6C, 0x6D, 0x8B, 0x8C, 0x8D, 0xAB, 0xAC, 0xAD, 0xCB, 0xCC, 0xCD}
_UNARY = ({0x4D, 0x5E, 0x5F, 0x60, 0x61, 0x62, 0x67, 0x68, 0x69, 0x6A, 0x74, 0x75, 0x7A,
           0x7C, 0x7D, 0x7E, 0x7F, 0x80, 0x81, 0x94, 0xA0, 0xA1, 0xC0, 0xC1,
           0xE0, 0xE1, 0xE3, 0xEC, 0xED, 0xEF}
          | set(range(0x87, 0x8B)) | set(range(0xA7, 0xAB)) | set(range(0xC7, 0xCB))
          | set(range(0xF8, 0x100)))
# splat: scalar type; extract_lane: result type; replace_lane: lane type
_SPLAT = {0x0F: "i", 0x10: "i", 0x11: "i", 0x12: "l", 0x13: "f", 0x14: "d"}
_EXTRACT = {0x15: "i", 0x16: "i", 0x18: "i", 0x19: "i", 0x1B: "i", 0x1D: "l", 0x1F: "f",
            0x21: "d"}
_REPLACE = {0x17: "i", 0x1A: "i", 0x1C: "i", 0x1E: "l", 0x20: "f", 0x22: "d"}
_INLINE_BIN = {0x4E: "&", 0x50: "|", 0x51: "^"}


def skip(r: Reader) -> None:
    """Advance past a SIMD instruction's sub-opcode and immediates (dead code)."""
    sub = r.uleb()
    if sub in _LOADS or sub == 0x0B or sub in _LANE_MEM:
        emit_mem.memarg(r)
        if sub in _LANE_MEM:
            r.u8()
    elif sub in (0x0C, 0x0D):
        r.bytes(16)
    elif sub in _EXTRACT or sub in _REPLACE:
        r.u8()


def _words(b: bytes) -> list[int]:
    return [int.from_bytes(b[i:i + 4], "little") for i in range(0, 16, 4)]


def _bits(tc: str, v: str) -> str:
    return {"i": f"(uint64_t){v}", "l": v, "f": f"(uint64_t)fb({v})", "d": f"db({v})",
            "v": ""}[tc]


def _unbits(tc: str, v: str) -> str:
    return {"i": f"(uint32_t){v}", "l": v, "f": f"bf((uint32_t){v})", "d": f"bd({v})"}[tc]


def op(fe: "FuncEmitter", r: Reader) -> None:
    sub = r.uleb()
    e = fe.emit
    imm: list[int] = []
    if sub == 0x0C:  # v128.const
        w = r.bytes(16)
        lo, hi = int.from_bytes(w[:8], "little"), int.from_bytes(w[8:], "little")
        e(f"{fe.push('v')} = wbv_of(0x{lo:016x}ull, 0x{hi:016x}ull);")
        return
    if sub in _INLINE_BIN:
        b = fe.pop()
        a = fe.top()
        o = _INLINE_BIN[sub]
        e(f"{a}.lo {o}= {b}.lo; {a}.hi {o}= {b}.hi;")
        return
    if sub == 0x4D:  # v128.not
        a = fe.top()
        e(f"{a}.lo = ~{a}.lo; {a}.hi = ~{a}.hi;")
        return
    if sub in _LOADS or sub == 0x0B or sub in _LANE_MEM:
        mem, off = emit_mem.memarg(r)
        imm = [off & 0xFFFFFFFF, mem, off >> 32]
        if sub in _LANE_MEM:
            imm.append(r.u8())
        ins = 1 if sub in _LOADS else 2
        res = "" if sub == 0x0B or sub >= 0x58 and sub in _LANE_MEM else "v"
    elif sub == 0x0D:
        imm = _words(r.bytes(16))
        ins, res = 2, "v"
    elif sub in _SPLAT:
        ins, res = 1, "v"
    elif sub in _EXTRACT:
        imm = [r.u8()]
        ins, res = 1, _EXTRACT[sub]
    elif sub in _REPLACE:
        imm = [r.u8()]
        ins, res = 2, "v"
    elif sub == 0x52:
        ins, res = 3, "v"
    elif sub in _TO_I32:
        ins, res = 1, "i"
    elif sub in _UNARY:
        ins, res = 1, "v"
    elif sub in _SHIFTS or 0x0E <= sub <= 0xFF:
        ins, res = 2, "v"
    else:
        from wasmbed.aot.emit import TranslateError
        raise TranslateError(f"function {fe.idx}: SIMD instruction 0xfd {sub} is not "
                             "compiled by the AOT compiler (relaxed SIMD)")
    operands = [fe.stack[len(fe.stack) - ins + k] for k in range(ins)]
    args = [fe.pop() for _ in range(ins)][::-1]
    stores, k = [], 0
    for tc, a in zip(operands, args):
        if tc == "v":
            stores.append(f"vs[{k}] = {a}.lo; vs[{k + 1}] = {a}.hi;")
            k += 2
        else:
            stores.append(f"vs[{k}] = {_bits(tc, a)};")
            k += 1
    fe.calls = True
    im = ""
    if imm:
        im = "static const uint32_t im[] = {" + ", ".join(f"{x}u" for x in imm) + "}; "
    e("{ uint64_t vs[6]; " + im + " ".join(stores)
      + f" c->ctl->simd(c, {sub}u, {'im' if imm else '0'}, vs, {k}u); CHK();")
    if res == "v":
        e(f"  {fe.push('v')} = wbv_of(vs[0], vs[1]); }}")
    elif res:
        e(f"  {fe.push(res)} = {_unbits(res, 'vs[0]')}; }}")
    else:
        e("}")
