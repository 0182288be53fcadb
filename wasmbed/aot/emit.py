"""WebAssembly -> C translation for the AOT compiler.

Every wasm function becomes one C function. The operand stack disappears: the value at
stack depth d of C type t lives in the C variable `s<d><t>`, locals in `l<i>`, so the C
compiler's register allocator sees plain scalar code. Blocks become labels and gotos.
The semantics WebAssembly demands and C does not give are written out: bounds checks on
every memory access (64-bit sums, no guard pages), traps on division by zero/overflow,
call-depth and native-stack checks at every function entry, IEEE bit-exact float sign
operations, and the rounding/min/max/trunc helpers of the runtime (wb_numeric.c).
A trap sets ctx->trap and returns; every caller checks ctx->trap after a call, so the
code needs no setjmp/longjmp and runs on every CPU a C compiler targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wasmbed.aot.decode import (EXTERNREF, F32, F64, FUNCREF, I32, I64, V128, DecodeError,
                                Module, Reader)
from wasmbed.aot import emit_ctl
from wasmbed.aot import emit_mem
from wasmbed.aot import emit_simd
from wasmbed.errors import WasmbedError

ABI_HEADER = Path(__file__).resolve().parents[2] / "runtime_src" / "core" / "wb_aot_abi.h"

CTYPE = {"i": "uint32_t", "l": "uint64_t", "f": "float", "d": "double", "r": "uintptr_t",
         "v": "wbv"}
TC = {I32: "i", I64: "l", F32: "f", F64: "d", FUNCREF: "r", EXTERNREF: "r", V128: "v"}

PRELUDE = r"""
typedef union { float f; uint32_t u; } wbx_fu;
typedef union { double d; uint64_t u; } wbx_du;
static inline uint32_t fb(float x) { wbx_fu v; v.f = x; return v.u; }
static inline float bf(uint32_t x) { wbx_fu v; v.u = x; return v.f; }
static inline uint64_t db(double x) { wbx_du v; v.d = x; return v.u; }
static inline double bd(uint64_t x) { wbx_du v; v.u = x; return v.d; }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE16(x) __builtin_bswap16(x)
#define LE32(x) __builtin_bswap32(x)
#define LE64(x) __builtin_bswap64(x)
#else
#define LE16(x) (x)
#define LE32(x) (x)
#define LE64(x) (x)
#endif
/* WebAssembly accesses may be misaligned. Where the CPU has no (fast) misaligned loads the
 * compiler expands a memcpy into byte accesses (RISC-V: 4 lbu, 3 shifts, 3 ors for one
 * i32), so an aligned address takes one plain access after a test of its low bits. */
#if (defined(__riscv) && !defined(__riscv_misaligned_fast)) || defined(__mips__) || \
    defined(__xtensa__) || (defined(__arm__) && !defined(__ARM_FEATURE_UNALIGNED))
#define ALIGNED(p, n) __builtin_expect(((uintptr_t)(p) & ((n) - 1u)) == 0u, 1)
#else
#define ALIGNED(p, n) 0
#endif
/* A 32-bit address widened for the bounds tests. RV64 keeps 32-bit values sign-extended
 * in registers and rv64imac has no zext.w (zero-extension is two shifts), so there the
 * tests take the sign-extended address, which is free: an address with bit 31 set becomes
 * huge, fails the fast test and goes to the exact zero-extended check; where a fast test
 * passes, both extensions are equal. Elsewhere the zero-extension is free. */
#if defined(__riscv) && __riscv_xlen == 64
#define AX(a) ((uint64_t)(int64_t)(int32_t)(a))
#else
#define AX(a) ((uint64_t)(uint32_t)(a))
#endif
typedef uint16_t __attribute__((may_alias, aligned(2))) wbx_a16;
typedef uint32_t __attribute__((may_alias, aligned(4))) wbx_a32;
typedef uint64_t __attribute__((may_alias, aligned(8))) wbx_a64;
static inline uint32_t ld8(const uint8_t *p) { return *p; }
static inline uint32_t ld16(const uint8_t *p) {
    uint16_t v; if (ALIGNED(p, 2)) v = *(const wbx_a16 *)p; else __builtin_memcpy(&v, p, 2);
    return LE16(v);
}
static inline uint32_t ld32(const uint8_t *p) {
    uint32_t v; if (ALIGNED(p, 4)) v = *(const wbx_a32 *)p; else __builtin_memcpy(&v, p, 4);
    return LE32(v);
}
static inline uint64_t ld64(const uint8_t *p) {
    uint64_t v; if (ALIGNED(p, 8)) v = *(const wbx_a64 *)p; else __builtin_memcpy(&v, p, 8);
    return LE64(v);
}
static inline void st8(uint8_t *p, uint32_t v) { *p = (uint8_t)v; }
static inline void st16(uint8_t *p, uint32_t v) {
    uint16_t x = LE16((uint16_t)v);
    if (ALIGNED(p, 2)) *(wbx_a16 *)p = x; else __builtin_memcpy(p, &x, 2);
}
static inline void st32(uint8_t *p, uint32_t v) {
    v = LE32(v);
    if (ALIGNED(p, 4)) *(wbx_a32 *)p = v; else __builtin_memcpy(p, &v, 4);
}
static inline void st64(uint8_t *p, uint64_t v) {
    v = LE64(v);
    if (ALIGNED(p, 8)) *(wbx_a64 *)p = v; else __builtin_memcpy(p, &v, 8);
}
static inline uint32_t clz32(uint32_t x) {
    uint32_t n = 0;
    if (!x) return 32;
    if (!(x & 0xFFFF0000u)) { n += 16; x <<= 16; }
    if (!(x & 0xFF000000u)) { n += 8; x <<= 8; }
    if (!(x & 0xF0000000u)) { n += 4; x <<= 4; }
    if (!(x & 0xC0000000u)) { n += 2; x <<= 2; }
    if (!(x & 0x80000000u)) { n += 1; }
    return n;
}
static inline uint32_t popcnt32(uint32_t x) {
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    return (((x + (x >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24;
}
static inline uint32_t ctz32(uint32_t x) { return x ? popcnt32((x & (0u - x)) - 1u) : 32; }
static inline uint64_t clz64(uint64_t x) {
    return (x >> 32) ? clz32((uint32_t)(x >> 32)) : 32u + clz32((uint32_t)x);
}
static inline uint64_t ctz64(uint64_t x) {
    return (uint32_t)x ? ctz32((uint32_t)x) : 32u + ctz32((uint32_t)(x >> 32));
}
static inline uint64_t popcnt64(uint64_t x) { return popcnt32((uint32_t)x) + popcnt32((uint32_t)(x >> 32)); }
static inline uint32_t rotl32(uint32_t a, uint32_t b) { b &= 31u; return (a << b) | (a >> ((32u - b) & 31u)); }
static inline uint32_t rotr32(uint32_t a, uint32_t b) { b &= 31u; return (a >> b) | (a << ((32u - b) & 31u)); }
static inline uint64_t rotl64(uint64_t a, uint64_t b) { b &= 63u; return (a << b) | (a >> ((64u - b) & 63u)); }
static inline uint64_t rotr64(uint64_t a, uint64_t b) { b &= 63u; return (a >> b) | (a << ((64u - b) & 63u)); }
/* Opaque constants and demotions: C compilers assume NaNs are never signaling and fold
 * x-0, x*1, x/1, x*-1, -0-x and (float)(double)x to x or -x, which keeps a signaling NaN
 * where WebAssembly requires an arithmetic (quiet) one. An empty asm hides the value. */
static inline float fk(uint32_t b) { __asm__("" : "+r"(b)); return bf(b); }
static inline double dk(uint64_t b) { __asm__("" : "+r"(b)); return bd(b); }
static inline float demote(double d) { return (float)dk(db(d)); }
/* sqrt is one correctly rounded instruction where the FPU has it (IEEE 754 requires
 * correct rounding, so it equals wb_numeric.c's result); elsewhere the runtime's helper */
#if defined(__x86_64__) || defined(__aarch64__) || \
    (defined(__riscv) && defined(__riscv_fdiv) && defined(__riscv_flen) && __riscv_flen >= 64)
#define SQRT32(x) __builtin_sqrtf(x)
#define SQRT64(x) __builtin_sqrt(x)
#elif defined(__riscv) && defined(__riscv_fdiv) && defined(__riscv_flen)
#define SQRT32(x) __builtin_sqrtf(x)
#define SQRT64(x) bd(c->rt->f64_sqrt(db(x)))
#else
#define SQRT32(x) bf(c->rt->f32_sqrt(fb(x)))
#define SQRT64(x) bd(c->rt->f64_sqrt(db(x)))
#endif
#define TRAP(n) do { c->trap = (n); goto T; } while (0)
#define CHK() do { if (__builtin_expect(c->trap != 0u, 0)) goto T; } while (0)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
"""

# opcode -> (operand types, result type, C expression over a, b)
SIMPLE: dict[int, tuple[str, str, str]] = {}


def _def(ops: str, res: str, table: dict[int, str]) -> None:
    for op, expr in table.items():
        SIMPLE[op] = (ops, res, expr)


_CMP = {"eq": "{a} == {b}", "ne": "{a} != {b}"}
_def("i", "i", {0x45: "{a} == 0u"})
_def("ii", "i", {0x46: "{a} == {b}", 0x47: "{a} != {b}",
                 0x48: "(int32_t){a} < (int32_t){b}", 0x49: "{a} < {b}",
                 0x4A: "(int32_t){a} > (int32_t){b}", 0x4B: "{a} > {b}",
                 0x4C: "(int32_t){a} <= (int32_t){b}", 0x4D: "{a} <= {b}",
                 0x4E: "(int32_t){a} >= (int32_t){b}", 0x4F: "{a} >= {b}"})
_def("l", "i", {0x50: "{a} == 0u"})
_def("ll", "i", {0x51: "{a} == {b}", 0x52: "{a} != {b}",
                 0x53: "(int64_t){a} < (int64_t){b}", 0x54: "{a} < {b}",
                 0x55: "(int64_t){a} > (int64_t){b}", 0x56: "{a} > {b}",
                 0x57: "(int64_t){a} <= (int64_t){b}", 0x58: "{a} <= {b}",
                 0x59: "(int64_t){a} >= (int64_t){b}", 0x5A: "{a} >= {b}"})
_def("ff", "i", {0x5B: "{a} == {b}", 0x5C: "{a} != {b}", 0x5D: "{a} < {b}",
                 0x5E: "{a} > {b}", 0x5F: "{a} <= {b}", 0x60: "{a} >= {b}"})
_def("dd", "i", {0x61: "{a} == {b}", 0x62: "{a} != {b}", 0x63: "{a} < {b}",
                 0x64: "{a} > {b}", 0x65: "{a} <= {b}", 0x66: "{a} >= {b}"})
_def("i", "i", {0x67: "clz32({a})", 0x68: "ctz32({a})", 0x69: "popcnt32({a})"})
_def("ii", "i", {0x6A: "{a} + {b}", 0x6B: "{a} - {b}", 0x6C: "{a} * {b}",
                 0x71: "{a} & {b}", 0x72: "{a} | {b}", 0x73: "{a} ^ {b}",
                 0x74: "{a} << ({b} & 31u)", 0x75: "(uint32_t)((int32_t){a} >> ({b} & 31u))",
                 0x76: "{a} >> ({b} & 31u)", 0x77: "rotl32({a}, {b})", 0x78: "rotr32({a}, {b})"})
_def("l", "l", {0x79: "clz64({a})", 0x7A: "ctz64({a})", 0x7B: "popcnt64({a})"})
_def("ll", "l", {0x7C: "{a} + {b}", 0x7D: "{a} - {b}", 0x7E: "{a} * {b}",
                 0x83: "{a} & {b}", 0x84: "{a} | {b}", 0x85: "{a} ^ {b}",
                 0x86: "{a} << ({b} & 63u)", 0x87: "(uint64_t)((int64_t){a} >> ({b} & 63u))",
                 0x88: "{a} >> ({b} & 63u)", 0x89: "rotl64({a}, {b})", 0x8A: "rotr64({a}, {b})"})
_def("f", "f", {0x8B: "bf(fb({a}) & 0x7FFFFFFFu)", 0x8C: "bf(fb({a}) ^ 0x80000000u)",
                0x8D: "bf(c->rt->f32_round(fb({a}), 2))", 0x8E: "bf(c->rt->f32_round(fb({a}), 1))",
                0x8F: "bf(c->rt->f32_round(fb({a}), 3))", 0x90: "bf(c->rt->f32_round(fb({a}), 0))",
                0x91: "SQRT32({a})"})
_def("ff", "f", {0x92: "{a} + {b}", 0x93: "{a} - {b}", 0x94: "{a} * {b}", 0x95: "{a} / {b}",
                 0x96: "bf(c->rt->f32_minmax(fb({a}), fb({b}), 0))",
                 0x97: "bf(c->rt->f32_minmax(fb({a}), fb({b}), 1))",
                 0x98: "bf((fb({a}) & 0x7FFFFFFFu) | (fb({b}) & 0x80000000u))"})
_def("d", "d", {0x99: "bd(db({a}) & 0x7FFFFFFFFFFFFFFFull)",
                0x9A: "bd(db({a}) ^ 0x8000000000000000ull)",
                0x9B: "bd(c->rt->f64_round(db({a}), 2))", 0x9C: "bd(c->rt->f64_round(db({a}), 1))",
                0x9D: "bd(c->rt->f64_round(db({a}), 3))", 0x9E: "bd(c->rt->f64_round(db({a}), 0))",
                0x9F: "SQRT64({a})"})
_def("dd", "d", {0xA0: "{a} + {b}", 0xA1: "{a} - {b}", 0xA2: "{a} * {b}", 0xA3: "{a} / {b}",
                 0xA4: "bd(c->rt->f64_minmax(db({a}), db({b}), 0))",
                 0xA5: "bd(c->rt->f64_minmax(db({a}), db({b}), 1))",
                 0xA6: "bd((db({a}) & 0x7FFFFFFFFFFFFFFFull) | (db({b}) & 0x8000000000000000ull))"})
_def("l", "i", {0xA7: "(uint32_t){a}"})
_def("i", "l", {0xAC: "(uint64_t)(int64_t)(int32_t){a}", 0xAD: "(uint64_t){a}"})
_def("i", "f", {0xB2: "(float)(int32_t){a}", 0xB3: "(float){a}", 0xBE: "bf({a})"})
_def("l", "f", {0xB4: "(float)(int64_t){a}", 0xB5: "(float){a}"})
_def("d", "f", {0xB6: "demote({a})"})
_def("i", "d", {0xB7: "(double)(int32_t){a}", 0xB8: "(double){a}"})
_def("l", "d", {0xB9: "(double)(int64_t){a}", 0xBA: "(double){a}", 0xBF: "bd({a})"})
_def("f", "d", {0xBB: "(double){a}"})
_def("f", "i", {0xBC: "fb({a})"})
_def("d", "l", {0xBD: "db({a})"})
_def("i", "i", {0xC0: "(uint32_t)(int32_t)(int8_t){a}", 0xC1: "(uint32_t)(int32_t)(int16_t){a}"})
_def("l", "l", {0xC2: "(uint64_t)(int64_t)(int8_t){a}", 0xC3: "(uint64_t)(int64_t)(int16_t){a}",
                0xC4: "(uint64_t)(int64_t)(int32_t){a}"})

# trapping float -> int truncations: opcode -> (source, result, wb_trunc kind)
TRUNC = {0xA8: ("f", "i", 0), 0xA9: ("f", "i", 2), 0xAA: ("d", "i", 4), 0xAB: ("d", "i", 6),
         0xAE: ("f", "l", 1), 0xAF: ("f", "l", 3), 0xB0: ("d", "l", 5), 0xB1: ("d", "l", 7)}

# loads: opcode -> (result type, bytes, C expression over the address p)
LOADS = {0x28: ("i", 4, "ld32({p})"), 0x29: ("l", 8, "ld64({p})"), 0x2A: ("f", 4, "bf(ld32({p}))"),
         0x2B: ("d", 8, "bd(ld64({p}))"), 0x2C: ("i", 1, "(uint32_t)(int32_t)(int8_t)ld8({p})"),
         0x2D: ("i", 1, "ld8({p})"), 0x2E: ("i", 2, "(uint32_t)(int32_t)(int16_t)ld16({p})"),
         0x2F: ("i", 2, "ld16({p})"), 0x30: ("l", 1, "(uint64_t)(int64_t)(int8_t)ld8({p})"),
         0x31: ("l", 1, "(uint64_t)ld8({p})"), 0x32: ("l", 2, "(uint64_t)(int64_t)(int16_t)ld16({p})"),
         0x33: ("l", 2, "(uint64_t)ld16({p})"), 0x34: ("l", 4, "(uint64_t)(int64_t)(int32_t)ld32({p})"),
         0x35: ("l", 4, "(uint64_t)ld32({p})")}
# stores: opcode -> (value type, bytes, C statement over p and v)
STORES = {0x36: ("i", 4, "st32({p}, {v})"), 0x37: ("l", 8, "st64({p}, {v})"),
          0x38: ("f", 4, "st32({p}, fb({v}))"), 0x39: ("d", 8, "st64({p}, db({v}))"),
          0x3A: ("i", 1, "st8({p}, {v})"), 0x3B: ("i", 2, "st16({p}, {v})"),
          0x3C: ("l", 1, "st8({p}, (uint32_t){v})"), 0x3D: ("l", 2, "st16({p}, (uint32_t){v})"),
          0x3E: ("l", 4, "st32({p}, (uint32_t){v})")}


#: memory 0's base and size, and the last valid address of each access size (signed: a
#: memory smaller than the access gives a negative bound, which every address exceeds).
#: The base is at least 4-aligned (the runtime's pool and the C libraries' malloc give
#: 8), which lets the C compiler drop ALIGNED's test where it knows the address's low bits
RELOAD = ("m0 = (uint8_t *)__builtin_assume_aligned(c->mems[0]->data, 4); "
          "ms0 = (uint64_t)c->mems[0]->pages << 16; "
          "ms0_1 = (int64_t)ms0 - 1; ms0_2 = (int64_t)ms0 - 2; ms0_4 = (int64_t)ms0 - 4; "
          "ms0_8 = (int64_t)ms0 - 8;")
#: placeholder where a function returns (kept for hooks on function exit)
DEPTH_DEC = "@DEPTH_DEC@"
#: a leaf function with at most this many C locals skips the entry checks: it calls nothing,
#: so its frame is bounded and the callers' checks leave room for it
LEAF_LOCALS = 64
#: opcodes that end a straight-line run (control flow)
CONTROL = frozenset((0x00, 0x02, 0x03, 0x04, 0x05, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
                     0x06, 0x07, 0x08, 0x09, 0x12, 0x13, 0x18, 0x19))  # + try/tail (emit_ctl)
#: a straight-line run is translated at most this many instructions at a time (its fast
#: copy doubles its C)
RUN_OPS = 400


#: the address of an access, once checked
P = "(m0 + (uintptr_t)ea)"


def _span(addrs: set[tuple[int, int, int]]) -> int:
    """Bytes from the lowest constant to the highest end of accesses (c, offset, size)."""
    return max(c + off + size for c, off, size in addrs) - min(c for c, _, _ in addrs)


def _s32(k: int) -> int:
    k &= 0xFFFFFFFF
    return k - (1 << 32) if k & 0x80000000 else k


class TranslateError(WasmbedError):
    pass


def tc_of(t: int) -> str:
    try:
        return TC[t]
    except KeyError:
        raise TranslateError(f"unknown value type 0x{t:02x}") from None


def _no_v(tc: str) -> None:
    if tc == "v":
        raise TranslateError("the AOT compiler does not translate v128 values in tail calls "
                             "or exception payloads yet")


def to_bits(tc: str, v: str) -> str:
    _no_v(tc)
    return {"i": f"(uint64_t){v}", "l": v, "f": f"(uint64_t)fb({v})", "d": f"db({v})",
            "r": f"(uint64_t){v}"}[tc]


def from_bits(tc: str, v: str) -> str:
    _no_v(tc)
    return {"i": f"(uint32_t){v}", "l": v, "f": f"bf((uint32_t){v})", "d": f"bd({v})",
            "r": f"(uintptr_t){v}"}[tc]


def zero_of(tc: str) -> str:
    return "{0u, 0u}" if tc == "v" else "0"


def slot_offsets(types: list[str] | tuple[str, ...]) -> list[int]:
    """The first slot of each value: a v128 takes two (bytes 0..7, bytes 8..15), as in the
    interpreter (wb_simd.h)."""
    offs, k = [], 0
    for tc in types:
        offs.append(k)
        k += 2 if tc == "v" else 1
    return offs


def nslots(types: list[str] | tuple[str, ...]) -> int:
    return sum(2 if tc == "v" else 1 for tc in types)


def to_slot(tc: str, arr: str, k: int, v: str) -> str:
    """Statement storing variable v of type tc at arr[k] (and arr[k + 1] for a v128)."""
    if tc == "v":
        return f"{arr}[{k}] = {v}.lo; {arr}[{k + 1}] = {v}.hi;"
    return f"{arr}[{k}] = {to_bits(tc, v)};"


def from_slot(tc: str, arr: str, k: int) -> str:
    """Expression of type tc read from arr[k] (and arr[k + 1] for a v128)."""
    if tc == "v":
        return f"wbv_of({arr}[{k}], {arr}[{k + 1}])"
    return from_bits(tc, f"{arr}[{k}]")


@dataclass
class Frame:
    kind: str            # block | loop | if | func
    label: int
    params: tuple[str, ...]
    results: tuple[str, ...]
    height: int          # stack height below the params
    dead: bool = False
    has_else: bool = False


def skip_immediates(op: int, r: Reader) -> None:
    """Advance past the immediates of `op` (code skipped as unreachable)."""
    if op in (0x02, 0x03, 0x04, 0x06):
        _blocktype_raw(r)
    elif op in (0x07, 0x08, 0x09, 0x12, 0x18):  # catch throw rethrow return_call delegate
        r.uleb()
    elif op == 0x13:  # return_call_indirect
        r.uleb()
        r.uleb()
    elif op in (0x0C, 0x0D, 0x10, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0xD2):
        r.uleb()
    elif op == 0x0E:
        for _ in range(r.uleb() + 1):
            r.uleb()
    elif op == 0x11:
        r.uleb()
        r.uleb()
    elif op == 0x1C:
        for _ in range(r.uleb()):
            r.u8()
    elif 0x28 <= op <= 0x3E:
        a = r.uleb()
        if a & 0x40:
            r.uleb()
        r.uleb()
    elif op in (0x3F, 0x40):
        r.uleb()
    elif op == 0xD0:
        r.u8()
    elif op == 0x41:
        r.sleb(32)
    elif op == 0x42:
        r.sleb(64)
    elif op == 0x43:
        r.bytes(4)
    elif op == 0x44:
        r.bytes(8)
    elif op == 0xFC:
        sub = r.uleb()
        if sub in (8, 12, 14):
            r.uleb()
            r.uleb()
        elif sub in (9, 11, 13, 15, 16, 17):
            r.uleb()
        elif sub == 10:
            r.uleb()
            r.uleb()
    elif op == 0xFD:
        emit_simd.skip(r)
    elif op == 0xFE:
        emit_mem.skip_atomic(r)


def _blocktype_raw(r: Reader) -> int | None:
    b = r.data[r.pos] if r.pos < r.end else 0
    if b == 0x40:
        r.pos += 1
        return None
    if b in (I32, I64, F32, F64, V128, FUNCREF, EXTERNREF):
        r.pos += 1
        return -b
    return r.sleb(33)


class FuncEmitter(emit_ctl.ControlMixin):
    def __init__(self, mod: Module, idx: int) -> None:
        self.ctl_init()
        self.mod = mod
        self.idx = idx
        self.type = mod.types[mod.func_types[idx]]
        self.body = mod.bodies[idx - mod.nfunc_imports]
        self.params = [tc_of(t) for t in self.type.params]
        self.results = [tc_of(t) for t in self.type.results]
        self.locals = self.params + [tc_of(t) for t in self.body.locals]
        self.out: list[str] = []
        self.stack: list[str] = []
        self.vars: set[str] = set()
        self.frames: list[Frame] = []
        self.labels = 0
        self.has_mem = mod.nmems > 0
        # straight-line runs (see run()): symbolic i32 values (local, constant) meaning
        # "the local's value at the start of the run + constant" (mod 2^32), or ("#", k)
        self.syms: dict[int, tuple[object, int] | None] = {}
        self.lsyms: dict[int, tuple[object, int] | None] = {}
        self.op_pos = 0
        self.members: dict[int, tuple[int, int, int, int]] = {}  # pos -> local, c, off, size
        self.fast: dict[int, tuple[str, int]] = {}   # local -> (C base t, lowest c)
        self.group = True
        self.kpoints: set[int] = set()               # runs with a group test
        self.checked: list[str] = []                 # the checked copy of the body
        self.mem_min = mod.mem_mins[0] if mod.mem_mins else 0
        self.calls = False

    # -- helpers ---------------------------------------------------------------
    def var(self, depth: int, tc: str) -> str:
        name = f"s{depth}{tc}"
        self.vars.add(name)
        return name

    def push(self, tc: str) -> str:
        self.stack.append(tc)
        self.syms[len(self.stack) - 1] = None
        return self.var(len(self.stack) - 1, tc)

    def sym(self, k: int = 0) -> tuple[object, int] | None:
        """The symbolic value of the k-th stack slot from the top (before popping)."""
        return self.syms.get(len(self.stack) - 1 - k)

    def set_sym(self, v: tuple[object, int] | None) -> None:
        self.syms[len(self.stack) - 1] = v

    def pop(self) -> str:
        tc = self.stack.pop()
        return self.var(len(self.stack), tc)

    def top(self, k: int = 0) -> str:
        d = len(self.stack) - 1 - k
        return self.var(d, self.stack[d])

    def emit(self, line: str) -> None:
        self.out.append("    " + (self.route(line) if self.try_body else line))

    def blocktype(self, r: Reader) -> tuple[tuple[str, ...], tuple[str, ...]]:
        bt = _blocktype_raw(r)
        if bt is None:
            return (), ()
        if bt < 0:
            return (), (tc_of(-bt),)
        if bt >= len(self.mod.types):
            raise TranslateError(f"function {self.idx}: unknown block type {bt}")
        t = self.mod.types[bt]
        return tuple(tc_of(x) for x in t.params), tuple(tc_of(x) for x in t.results)

    def copy_to(self, height: int, types: tuple[str, ...]) -> list[str]:
        n = len(types)
        base = len(self.stack) - n
        lines = []
        for k, tc in enumerate(types):
            if base + k != height + k:
                lines.append(f"{self.var(height + k, tc)} = {self.var(base + k, tc)};")
        return lines

    def branch_lines(self, depth: int) -> list[str]:
        f = self.frames[-1 - depth]
        if f.kind == "func":
            return self.return_lines()
        if f.kind == "loop":
            return self.copy_to(f.height, f.params) + [f"goto L{f.label};"]
        return self.copy_to(f.height, f.results) + [f"goto B{f.label};"]

    def return_lines(self) -> list[str]:
        n = len(self.results)
        base = len(self.stack) - n
        if n == 0:
            return [DEPTH_DEC, "return;"]
        if n == 1:
            return [DEPTH_DEC, f"return {self.var(base, self.results[0])};"]
        offs = slot_offsets(self.results)
        lines = [to_slot(tc, "out", offs[k], self.var(base + k, tc))
                 for k, tc in enumerate(self.results)]
        return lines + [DEPTH_DEC, "return;"]

    def bounds(self, size: int, off: int, a: str) -> str:
        """`ea` for an access of `size` bytes at address `a` + `off`, and its check. Memory
        never shrinks below its declared minimum, so below that (a constant) an access
        needs no look at the current size: the C compiler sees the constant and drops the
        check wherever it can prove the address smaller (loops with constant bounds), and
        elsewhere the first compare is against an immediate. The fast test takes the
        address widened by AX (sign-extended on RV64, where that is free): it passes only
        for addresses below 2^31, where both extensions agree; every other address takes
        the exact test on the zero-extended address against the current size."""
        exact = (f"uint64_t ea = (uint64_t){a} + {off}u; "
                 f"if (UNLIKELY((int64_t)ea > ms0_{size})) TRAP(2u);")
        low = self.mem_min * 65536 - size - off
        if low < 0:
            return exact
        return (f"uint64_t ea = AX({a}) + {off}u; "
                f"if (UNLIKELY(AX({a}) > {low}ull)) {{ {exact[len('uint64_t '):]} }}")

    def reload(self) -> None:
        if self.has_mem:
            self.emit(RELOAD + emit_mem.reload(self.mod))

    def call_args(self, type_idx: int) -> tuple[list[str], list[str], int]:
        t = self.mod.types[type_idx]
        np_, nr = len(t.params), len(t.results)
        base = len(self.stack) - np_
        args = [self.var(base + k, tc_of(p)) for k, p in enumerate(t.params)]
        del self.stack[base:]
        res = [tc_of(x) for x in t.results]
        return args, res, base

    def slot_call(self, type_idx: int, call: str) -> None:
        self.calls = True
        t = self.mod.types[type_idx]
        ptc = [tc_of(p) for p in t.params]
        args, res, base = self.call_args(type_idx)
        n = max(nslots(ptc), nslots(res), 1)
        self.emit("{")
        self.emit(f"    uint64_t cs[{n}];")
        offs = slot_offsets(ptc)
        for k, (a, tc) in enumerate(zip(args, ptc)):
            self.emit(f"    {to_slot(tc, 'cs', offs[k], a)}")
        self.emit(f"    {call.format(cs='cs')};")
        self.emit("    CHK();")
        offs = slot_offsets(res)
        for k, tc in enumerate(res):
            self.emit(f"    {self.push(tc)} = {from_slot(tc, 'cs', offs[k])};")
        self.emit("}")
        self.reload()

    # -- translation -------------------------------------------------------------
    def translate(self) -> list[str]:
        """The function's C. When some run got grouped checks (see run()), the body is
        translated a second time with a check at every access (the checked copy), entered
        only where a grouped test fails, at the label K<position> of that run; it never
        jumps back, so what the C compiler knows in the fast copy stays intact."""
        self.body_pass(group=True)
        if self.kpoints:
            fast = self.out
            self.out, self.stack, self.frames = [], [], []
            self.body_pass(group=False)
            self.checked = self.out
            self.out = fast
        return self.finish()

    def body_pass(self, group: bool) -> None:
        self.group = group
        m = self.mod
        r = Reader(m.data, self.body.start, self.body.end)
        self.frames.append(Frame("func", 0, (), tuple(self.results), 0))
        while self.frames:
            f = self.frames[-1]
            if f.dead:
                self.skip_dead(r)
            if self.has_mem and r.data[r.pos] not in CONTROL:
                self.run(r)
                continue
            self.op_pos = r.pos
            op = r.u8()
            self.op(op, r)
        if r.pos != self.body.end:
            raise TranslateError(f"function {self.idx}: code after the final end")

    def run_ops(self, r: Reader) -> None:
        n = 0
        while r.pos < r.end and r.data[r.pos] not in CONTROL and n < RUN_OPS:
            self.op_pos = r.pos
            op = r.u8()
            self.op(op, r)
            n += 1

    def run(self, r: Reader) -> None:
        """A straight-line run (no branch in or out), its bounds checks grouped.

        Accesses that address `local + constant` off the same local's value at the start
        of the run (two or more different addresses) get one test at the start of the run
        that all of them are in bounds without 32-bit wrap-around; then each needs no check
        and its address is a constant displacement from one base. When a test fails, the
        code jumps to the same place in the checked copy of the function (label
        K<position>), which checks every access on its own, so a trap happens exactly
        where, and after exactly the stores, it would without the grouping. Memory only
        grows, so a call or memory.grow inside the run keeps the test true (addresses use
        the reloaded base). The run is translated twice: once to find the accesses, once
        to emit."""
        start = r.pos
        if not self.group:
            if start in self.kpoints:
                self.emit(f"K{start}:;")
            self.run_ops(r)
            return
        mark = len(self.out)
        stack = list(self.stack)
        self.syms, self.lsyms, self.members = {}, {}, {}
        self.run_ops(r)
        groups: dict[int, set[tuple[int, int, int]]] = {}
        for loc, c, off, size in self.members.values():
            groups.setdefault(loc, set()).add((c, off, size))
        # one address: the C compiler merges its checks already; a span of more than a
        # page is not worth a test
        groups = {k: v for k, v in groups.items() if len(v) >= 2 and _span(v) <= 65536}
        if not groups:
            return
        end, end_stack = r.pos, list(self.stack)
        del self.out[mark:]
        self.stack, self.syms, self.lsyms = stack, {}, {}
        self.fast = {}
        conds = []
        for loc, addrs in sorted(groups.items()):
            lo = min(c for c, _, _ in addrs)
            self.fast[loc] = (f"(uint32_t)(g{loc} + 0x{lo & 0xFFFFFFFF:x}u)", lo)
            conds.append(self.group_test(loc, addrs))
        self.emit("{ uint32_t " + ", ".join(f"g{k} = l{k}" for k in sorted(groups)) + ";")
        self.emit(f"if (UNLIKELY(!({' && '.join(conds)}))) goto K{start};")
        self.kpoints.add(start)
        r.pos = start
        try:
            self.run_ops(r)
        finally:
            self.fast = {}
        if r.pos != end or self.stack != end_stack:
            raise TranslateError(f"function {self.idx}: internal error: a run translated "
                                 "differently the second time")
        self.emit("}")

    def group_test(self, loc: int, addrs: set[tuple[int, int, int]]) -> str:
        """With t = (uint32)(local + lowest c), every address is t + (c - lowest c) without
        wrap-around and in bounds when t + span <= memory size (span: from the lowest c
        to the highest end). Against the declared minimum first (a constant the C compiler
        can fold where it knows the local's range), then the current size."""
        t, _ = self.fast[loc]
        span = _span(addrs)
        low = self.mem_min * 65536 - span
        # t widened by AX: sign-extended on RV64, where an address with bit 31 set fails
        # both compares (the sign test keeps AX(t) + span from wrapping) and so takes the
        # checked copy, which is exact
        cond = f"((int64_t)AX({t}) >= 0 && AX({t}) + {span}u <= ms0)"
        return f"(AX({t}) <= {low}ull || {cond})" if low >= 0 else f"({cond})"

    def access(self, size: int, off: int, a: str, asym: tuple[object, int] | None) -> str:
        """The check of one access and its address `ea` (no check under a group test)."""
        if asym is not None and isinstance(asym[0], int):
            self.members[self.op_pos] = (asym[0], asym[1], off, size)
            if asym[0] in self.fast:
                t, lo = self.fast[asym[0]]
                return f"uint64_t ea = AX({t}) + {asym[1] - lo + off}u;"
        return self.bounds(size, off, a)

    def skip_dead(self, r: Reader) -> None:
        depth = 0
        while True:
            pos = r.pos
            op = r.u8()
            if op in (0x02, 0x03, 0x04, 0x06):
                depth += 1
            elif op in (0x0B, 0x18):  # end, delegate (ends a try)
                if depth == 0:
                    r.pos = pos
                    return
                depth -= 1
            elif op in (0x05, 0x07, 0x19) and depth == 0:  # else, catch, catch_all
                r.pos = pos
                return
            skip_immediates(op, r)

    def kill(self) -> None:
        f = self.frames[-1]
        f.dead = True
        del self.stack[f.height:]

    def op(self, op: int, r: Reader) -> None:  # noqa: C901 - one dispatch
        e = self.emit
        if op in SIMPLE:
            ops, res, expr = SIMPLE[op]
            if len(ops) == 2:
                sa, sb = self.sym(1), self.sym()
                b = self.pop()
                a = self.pop()
                e(f"{self.push(res)} = {expr.format(a=a, b=b)};")
                if op in (0x6A, 0x6B) and sa is not None and sb is not None:
                    if sb[0] == "#":
                        self.set_sym((sa[0], _s32(sa[1] + sb[1] if op == 0x6A else sa[1] - sb[1])))
                    elif sa[0] == "#" and op == 0x6A:
                        self.set_sym((sb[0], _s32(sa[1] + sb[1])))
            else:
                a = self.pop()
                e(f"{self.push(res)} = {expr.format(a=a)};")
            return
        if op in LOADS:
            tc, size, expr = LOADS[op]
            mem, off = emit_mem.memarg(r)
            if emit_mem.generic(self.mod, mem):
                emit_mem.load(self, mem, off, tc, size, expr)
                return
            asym = self.sym()
            a = self.pop()
            d = self.push(tc)
            chk = self.access(size, off, a, asym)
            e(f"{{ {chk} {d} = {expr.format(p=P)}; }}")
            return
        if op in STORES:
            tc, size, stmt = STORES[op]
            mem, off = emit_mem.memarg(r)
            if emit_mem.generic(self.mod, mem):
                emit_mem.store(self, mem, off, size, stmt)
                return
            asym = self.sym(1)
            v = self.pop()
            a = self.pop()
            chk = self.access(size, off, a, asym)
            e(f"{{ {chk} {stmt.format(p=P, v=v)}; }}")
            return
        if op in TRUNC:
            src, res, kind = TRUNC[op]
            a = self.pop()
            bits = f"(uint64_t)fb({a})" if src == "f" else f"db({a})"
            d = self.push(res)
            e(f"{d} = ({CTYPE[res]})c->rt->trunc(c, {bits}, {kind}u); CHK();")
            return
        if op in (0x6D, 0x6E, 0x6F, 0x70, 0x7F, 0x80, 0x81, 0x82):
            self.divrem(op)
            return
        handler = getattr(self, f"op_{op:02x}", None)
        if handler is None:
            raise TranslateError(f"function {self.idx}: opcode 0x{op:02x} is not supported by "
                                 "the AOT compiler")
        handler(r)

    def divrem(self, op: int) -> None:
        w = 32 if op < 0x7F else 64
        k = (op - 0x6D) if w == 32 else (op - 0x7F)  # 0 div_s 1 div_u 2 rem_s 3 rem_u
        tc = "i" if w == 32 else "l"
        u, s = ("uint32_t", "int32_t") if w == 32 else ("uint64_t", "int64_t")
        mn = "0x80000000u" if w == 32 else "0x8000000000000000ull"
        m1 = "0xFFFFFFFFu" if w == 32 else "0xFFFFFFFFFFFFFFFFull"
        b = self.pop()
        a = self.pop()
        d = self.push(tc)
        chk = f"if (UNLIKELY({b} == 0u)) TRAP(3u);"
        if k == 0:
            self.emit(f"{chk} if (UNLIKELY({a} == {mn} && {b} == {m1})) TRAP(4u); "
                      f"{d} = ({u})(({s}){a} / ({s}){b});")
        elif k == 1:
            self.emit(f"{chk} {d} = {a} / {b};")
        elif k == 2:
            self.emit(f"{chk} {d} = {b} == {m1} ? 0u : ({u})(({s}){a} % ({s}){b});")
        else:
            self.emit(f"{chk} {d} = {a} % {b};")

    # control
    def op_00(self, r: Reader) -> None:
        self.emit("TRAP(1u);")
        self.kill()

    def op_01(self, r: Reader) -> None:
        pass

    def _open(self, kind: str, r: Reader) -> Frame:
        params, results = self.blocktype(r)
        self.labels += 1
        f = Frame(kind, self.labels, params, results, len(self.stack) - len(params))
        return f

    def op_02(self, r: Reader) -> None:
        self.frames.append(self._open("block", r))

    def op_03(self, r: Reader) -> None:
        f = self._open("loop", r)
        self.frames.append(f)
        self.emit(f"L{f.label}:;")

    def op_04(self, r: Reader) -> None:
        cond = self.pop()
        f = self._open("if", r)
        self.frames.append(f)
        self.emit(f"if (!{cond}) goto E{f.label};")

    def op_05(self, r: Reader) -> None:
        f = self.frames[-1]
        if not f.dead:
            for line in self.copy_to(f.height, f.results):
                self.emit(line)
            self.emit(f"goto B{f.label};")
        self.emit(f"E{f.label}:;")
        f.has_else = True
        f.dead = False
        del self.stack[f.height:]
        for tc in f.params:
            self.push(tc)

    def op_0b(self, r: Reader) -> None:
        f = self.frames.pop()
        if f.kind == "try":
            self.end_try(f)
            return
        if f.kind == "func":
            if not f.dead:
                for line in self.return_lines():
                    self.emit(line)
            return
        if not f.dead:
            for line in self.copy_to(f.height, f.results):
                self.emit(line)
        if f.kind == "if" and not f.has_else:
            self.emit(f"E{f.label}:;")
        if f.kind != "loop":
            self.emit(f"B{f.label}:;")
        del self.stack[f.height:]
        for tc in f.results:
            self.push(tc)

    def op_0c(self, r: Reader) -> None:
        for line in self.branch_lines(r.uleb()):
            self.emit(line)
        self.kill()

    def op_0d(self, r: Reader) -> None:
        depth = r.uleb()
        cond = self.pop()
        self.emit(f"if ({cond}) {{ " + " ".join(self.branch_lines(depth)) + " }")

    def op_0e(self, r: Reader) -> None:
        n = r.uleb()
        targets = [r.uleb() for _ in range(n)]
        default = r.uleb()
        idx = self.pop()
        self.emit(f"switch ({idx}) {{")
        for k, t in enumerate(targets):
            self.emit(f"case {k}u: {{ " + " ".join(self.branch_lines(t)) + " }")
        self.emit("default: { " + " ".join(self.branch_lines(default)) + " }")
        self.emit("}")
        self.kill()

    def op_0f(self, r: Reader) -> None:
        for line in self.return_lines():
            self.emit(line)
        self.kill()

    def op_10(self, r: Reader) -> None:
        fi = r.uleb()
        self.calls = True
        ti = self.mod.func_types[fi]
        if fi < self.mod.nfunc_imports:
            self.slot_call(ti, f"c->rt->call(c, {fi}u, {{cs}})")
            return
        args, res, base = self.call_args(ti)
        self.direct_call(f"wf{fi}(c", args, res)  # emit_ctl: the check runs tail calls
        self.reload()

    def op_11(self, r: Reader) -> None:
        ti = r.uleb()
        table = r.uleb()
        idx = emit_mem.narrow(self.pop())
        self.slot_call(ti, f"c->rt->call_indirect(c, {table}u, {ti}u, {idx}, {{cs}})")

    def op_1a(self, r: Reader) -> None:
        self.pop()

    def op_1b(self, r: Reader) -> None:
        cond = self.pop()
        b = self.pop()
        a = self.top()
        self.emit(f"{a} = {cond} ? {a} : {b};")
        self.set_sym(None)

    def op_1c(self, r: Reader) -> None:
        for _ in range(r.uleb()):
            r.u8()
        self.op_1b(r)

    def op_20(self, r: Reader) -> None:
        i = r.uleb()
        self.emit(f"{self.push(self.locals[i])} = l{i};")
        if self.locals[i] == "i":
            self.set_sym(self.lsyms.get(i, (i, 0)))

    def op_21(self, r: Reader) -> None:
        i = r.uleb()
        self.lsyms[i] = self.sym()
        self.emit(f"l{i} = {self.pop()};")

    def op_22(self, r: Reader) -> None:
        i = r.uleb()
        self.lsyms[i] = self.sym()
        self.emit(f"l{i} = {self.top()};")

    def op_23(self, r: Reader) -> None:
        g = r.uleb()
        tc = tc_of(self.mod.global_types[g])
        self.emit(f"{self.push(tc)} = {from_slot(tc, f'c->globals[{g}]', 0)};")

    def op_24(self, r: Reader) -> None:
        g = r.uleb()
        tc = tc_of(self.mod.global_types[g])
        self.emit(to_slot(tc, f"c->globals[{g}]", 0, self.pop()))

    def op_25(self, r: Reader) -> None:
        t = r.uleb()
        i = emit_mem.narrow(self.pop())
        self.emit(f"{self.push('r')} = c->rt->table_get(c, {t}u, {i}); CHK();")

    def op_26(self, r: Reader) -> None:
        t = r.uleb()
        v = self.pop()
        i = emit_mem.narrow(self.pop())
        self.emit(f"c->rt->table_set(c, {t}u, {i}, {v}); CHK();")

    def op_3f(self, r: Reader) -> None:
        mem = r.uleb()
        if emit_mem.generic(self.mod, mem):
            emit_mem.memory_size(self, mem)
            return
        self.emit(f"{self.push('i')} = (uint32_t)(ms0 >> 16);")

    def op_40(self, r: Reader) -> None:
        mem = r.uleb()
        if emit_mem.generic(self.mod, mem):
            emit_mem.memory_grow(self, mem)
            return
        a = self.pop()
        self.emit(f"{self.push('i')} = (uint32_t)c->rt->memory_grow(c, 0u, {a});")
        self.reload()

    def op_41(self, r: Reader) -> None:
        v = r.sleb(32) & 0xFFFFFFFF
        self.emit(f"{self.push('i')} = 0x{v:x}u;")
        self.set_sym(("#", _s32(v)))

    def op_42(self, r: Reader) -> None:
        v = r.sleb(64) & 0xFFFFFFFFFFFFFFFF
        self.emit(f"{self.push('l')} = 0x{v:x}ull;")

    def op_43(self, r: Reader) -> None:
        v = r.f32()
        fn = "fk" if v & 0x7FFFFFFF in (0, 0x3F800000) else "bf"
        self.emit(f"{self.push('f')} = {fn}(0x{v:x}u);")

    def op_44(self, r: Reader) -> None:
        v = r.f64()
        fn = "dk" if v & 0x7FFFFFFFFFFFFFFF in (0, 0x3FF0000000000000) else "bd"
        self.emit(f"{self.push('d')} = {fn}(0x{v:x}ull);")

    def op_d0(self, r: Reader) -> None:
        r.u8()
        self.emit(f"{self.push('r')} = 0u;")

    def op_d1(self, r: Reader) -> None:
        a = self.pop()
        self.emit(f"{self.push('i')} = {a} == 0u;")

    def op_d2(self, r: Reader) -> None:
        fi = r.uleb()
        self.emit(f"{self.push('r')} = c->funcs[{fi}];")

    def op_fc(self, r: Reader) -> None:  # noqa: C901
        sub = r.uleb()
        e = self.emit
        if sub <= 7:
            src = "d" if sub & 2 else "f"
            res = "l" if sub >= 4 else "i"
            kind = (1 if sub >= 4 else 0) | ((sub & 1) << 1) | ((sub & 2) << 1) | 8
            a = self.pop()
            bits = f"(uint64_t)fb({a})" if src == "f" else f"db({a})"
            e(f"{self.push(res)} = ({CTYPE[res]})c->rt->trunc(c, {bits}, {kind}u);")
        elif sub == 8:
            seg = r.uleb()
            mem = r.uleb()
            if emit_mem.generic(self.mod, mem):
                emit_mem.memory_init(self, seg, mem)
                return
            n, s, d = self.pop(), self.pop(), self.pop()
            e(f"c->rt->memory_init(c, {seg}u, {d}, {s}, {n}); CHK();")
        elif sub == 9:
            e(f"c->rt->data_drop(c, {r.uleb()}u);")
        elif sub == 10:
            dm = r.uleb()
            sm = r.uleb()
            if emit_mem.generic(self.mod, dm) or emit_mem.generic(self.mod, sm):
                emit_mem.memory_copy(self, dm, sm)
                return
            n, s, d = self.pop(), self.pop(), self.pop()
            e(f"c->rt->memory_copy(c, {d}, {s}, {n}); CHK();")
        elif sub == 11:
            mem = r.uleb()
            if emit_mem.generic(self.mod, mem):
                emit_mem.memory_fill(self, mem)
                return
            n, v, d = self.pop(), self.pop(), self.pop()
            e(f"c->rt->memory_fill(c, {d}, {v}, {n}); CHK();")
        elif sub == 12:
            seg = r.uleb()
            t = r.uleb()
            n, s, d = self.pop(), self.pop(), self.pop()
            d = emit_mem.narrow(d)
            e(f"c->rt->table_init(c, {t}u, {seg}u, {d}, {s}, {n}); CHK();")
        elif sub == 13:
            e(f"c->rt->elem_drop(c, {r.uleb()}u);")
        elif sub == 14:
            dt = r.uleb()
            st = r.uleb()
            n, s, d = (emit_mem.narrow(x) for x in (self.pop(), self.pop(), self.pop()))
            e(f"c->rt->table_copy(c, {dt}u, {st}u, {d}, {s}, {n}); CHK();")
        elif sub == 15:
            t = r.uleb()
            n, v = emit_mem.narrow(self.pop()), self.pop()
            tc, x = emit_mem.table_result(self.mod, t, f"c->rt->table_grow(c, {t}u, {v}, {n})",
                                          signed=True)
            e(f"{self.push(tc)} = {x};")
        elif sub == 16:
            t = r.uleb()
            tc, x = emit_mem.table_result(self.mod, t, f"c->rt->table_size(c, {t}u)", signed=False)
            e(f"{self.push(tc)} = {x};")
        elif sub == 17:
            t = r.uleb()
            n, v, d = self.pop(), self.pop(), self.pop()
            n, d = emit_mem.narrow(n), emit_mem.narrow(d)
            e(f"c->rt->table_fill(c, {t}u, {d}, {v}, {n}); CHK();")
        else:
            raise TranslateError(f"function {self.idx}: opcode 0xfc {sub} is not supported")

    def op_fd(self, r: Reader) -> None:
        emit_simd.op(self, r)

    def op_fe(self, r: Reader) -> None:
        emit_mem.atomic(self, r)

    # -- assembly ------------------------------------------------------------------
    def finish(self) -> list[str]:
        head = [self.signature() + " {"]
        for i in range(len(self.params), len(self.locals)):
            head.append(f"    {CTYPE[self.locals[i]]} l{i} = {zero_of(self.locals[i])};")
        for v in sorted(self.vars):
            head.append(f"    {CTYPE[v[-1]]} {v} = {zero_of(v[-1])};")
        head.extend(self.ctl_decls())
        if self.has_mem:
            head.append("    uint8_t *m0; uint64_t ms0; int64_t ms0_1, ms0_2, ms0_4, ms0_8;"
                        + emit_mem.decls(self.mod))
        zero = "" if len(self.results) != 1 else \
            " wbv_of(0u, 0u)" if self.results[0] == "v" else " 0"
        leaf = not self.calls and len(self.locals) + len(self.vars) <= LEAF_LOCALS
        if not leaf:
            # recursion is bounded by the native stack the runtime grants (one compare;
            # a depth counter in memory cost 7 instructions per call, docs/aot.md)
            head.append("    if (UNLIKELY((uintptr_t)__builtin_frame_address(0) < c->stack_limit)) "
                        "{ c->trap = 10u; return" + zero + "; }")
        self.out = [line.replace(DEPTH_DEC + " ", "").replace(DEPTH_DEC, "")
                    for line in self.out]
        if self.has_mem:
            head.append("    " + RELOAD + emit_mem.reload(self.mod))
        tail = ["T:", f"    return{zero};"]
        checked = [line.replace(DEPTH_DEC + " ", "").replace(DEPTH_DEC, "")
                   for line in self.checked]
        return head + self.out + tail + checked + ["}"]

    def uses_v128(self) -> bool:
        return "v" in self.locals or "v" in self.results or any(v[-1] == "v" for v in self.vars)

    def signature(self) -> str:
        rt = "void" if len(self.results) != 1 else CTYPE[self.results[0]]
        params = ["wb_aot_ctx *c"] + [f"{CTYPE[tc]} l{k}" for k, tc in enumerate(self.params)]
        if len(self.results) > 1:
            params.append("uint64_t *out")
        return f"static {rt} wf{self.idx}({', '.join(params)})"

    def trampoline(self) -> list[str]:
        offs = slot_offsets(self.params)
        args = ["c"] + [from_slot(tc, "s", offs[k]) for k, tc in enumerate(self.params)]
        lines = [f"void wbaot_t{self.idx}(wb_aot_ctx *c, uint64_t *s) {{"]
        if len(self.results) == 1:
            lines.append(f"    {CTYPE[self.results[0]]} r = wf{self.idx}({', '.join(args)});")
            lines.append(f"    {to_slot(self.results[0], 's', 0, 'r')}")
        elif not self.results:
            lines.append(f"    wf{self.idx}({', '.join(args)});")
        else:
            lines.append(f"    wf{self.idx}({', '.join(args + ['s'])});")
        lines.append("}")
        return lines


def translate(mod: Module) -> str:
    """C source for every defined function of `mod`, with trampolines `wbaot_t<index>`."""
    header = ABI_HEADER.read_text()
    parts = ["/* generated by wasmbed aot: do not edit */", header, PRELUDE, emit_ctl.CTL_PRELUDE,
             emit_mem.prelude(mod)]
    simd_at = len(parts)  # emit_simd's prelude goes here when some code uses a v128
    emitters = []
    for idx in range(mod.nfunc_imports, len(mod.func_types)):
        try:
            fe = FuncEmitter(mod, idx)
            parts.append(fe.signature() + ";")
            emitters.append(fe)
        except (IndexError, DecodeError) as err:
            raise TranslateError(f"function {idx}: {err}") from None
    bodies = []
    for fe in emitters:
        try:
            bodies.append(fe.translate())
        except (IndexError, KeyError) as err:
            raise TranslateError(f"function {fe.idx}: malformed code ({err!r})") from None
    if any(fe.uses_v128() for fe in emitters) or V128 in mod.global_types:
        parts.insert(simd_at, emit_simd.PRELUDE)
    # tail calls (emit_ctl): the call sites' TAILED() and the loop that runs them
    tail = any(fe.tail for fe in emitters)
    if tail:
        parts.append("static void wbx_tail(wb_aot_ctx *c); static int wbx_tailed(wb_aot_ctx *c);")
        parts.append("#define TAILED() wbx_tailed(c)")
    else:
        parts.append(emit_ctl.NO_TAIL)
    for fe, body in zip(emitters, bodies):
        parts.extend(body)
        if tail:
            parts.extend(emit_ctl.tail_trampoline(fe, emit_ctl.tail_slots(mod)))
        else:
            parts.extend(fe.trampoline())
    if tail:
        parts.extend(emit_ctl.tail_support(emitters))
    return "\n".join(parts) + "\n"
