/*
 * The instructions whose meaning is one C expression (loads, stores, and the
 * numeric operations that cannot trap), one line each. Both interpreters
 * expand these tables (WB_MEMORY_OPS, WB_NUMERIC_OPS) with their own LOAD,
 * STORE, UN, BIN, FBIN, DBIN, FCMP and DCMP macros, and take their
 * computed-goto opcode lists from them (WB_MEMORY_OPNUMS, WB_NUMERIC_OPNUMS) (operand access is what differs: the classic one works on
 * its stack and cached top, fast-interp on frame slots named by the code).
 * LOAD(n, size, value at p), STORE(n, size, statement storing v at p),
 * UN/BIN(n, operand type, result type, expression of a [, b]),
 * FBIN/DBIN/FCMP/DCMP(n, expression of the f32/f64 operands a, b).
 */
#ifndef WB_OPSEM_H
#define WB_OPSEM_H

#include "wb_internal.h"

/* little-endian memory access and bit counts: what the expressions below use
 * (static inline in a header: no unused-function warning where a build does
 * not use them) */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE16(x) __builtin_bswap16(x)
#define LE32(x) __builtin_bswap32(x)
#define LE64(x) __builtin_bswap64(x)
#else
#define LE16(x) (x)
#define LE32(x) (x)
#define LE64(x) (x)
#endif

/* The builtin even under -ffreestanding (which implies -fno-builtin): a call to
 * memcpy per wasm load costs more than the rest of the load. */
#ifdef __GNUC__
#define WB_MEMCPY(d, s, n) __builtin_memcpy(d, s, n)
#else
#define WB_MEMCPY(d, s, n) memcpy(d, s, n)
#endif
/* CPUs whose compilers split a possibly misaligned access into bytes (RISC-V
 * without fast misaligned access, Xtensa): one aligned access when the address
 * is aligned, which is nearly always. */
#if defined(__GNUC__) && ((defined(__riscv) && !defined(__riscv_misaligned_fast)) || \
                          defined(__xtensa__))
#define WB_ALIGNED(p, n) (((uintptr_t)(p) & ((n) - 1u)) == 0)
#if defined(__clang__) && defined(__xtensa__)
/* clang (qemu-xtensa's compiler) merges the two branches of WB_LD/WB_ST into
 * one access of the smaller alignment: every load/store became bytes (11
 * instructions for an aligned 32-bit load instead of 1). There the aligned
 * access is spelled out (l16ui/l32i, s16i/s32i), which it cannot merge. */
#define WB_XT_M(p, n) (*(const uint8_t(*)[n])(const void *)(p))
static inline void wb_xt_ld(void *v, const uint8_t *p, unsigned n)
{
    uint32_t w[2];
    uint16_t h;
    if (n == 2) {
        __asm__("l16ui %0, %1, 0" : "=r"(h) : "r"(p), "m"(WB_XT_M(p, 2)));
        __builtin_memcpy(v, &h, 2);
        return;
    }
    __asm__("l32i %0, %1, 0" : "=r"(w[0]) : "r"(p), "m"(WB_XT_M(p, 4)));
    if (n == 8)
        __asm__("l32i %0, %1, 4" : "=r"(w[1]) : "r"(p), "m"(WB_XT_M(p, 8)));
    __builtin_memcpy(v, w, n);
}
static inline void wb_xt_st(uint8_t *p, const void *v, unsigned n)
{
    uint32_t w[2];
    uint16_t h;
    if (n == 2) {
        __builtin_memcpy(&h, v, 2);
        __asm__("s16i %1, %2, 0" : "=m"(*(uint8_t(*)[2])(void *)p) : "r"(h), "r"(p));
        return;
    }
    __builtin_memcpy(w, v, n);
    __asm__("s32i %1, %2, 0" : "=m"(*(uint8_t(*)[4])(void *)p) : "r"(w[0]), "r"(p));
    if (n == 8)
        __asm__("s32i %1, %2, 4" : "=m"(*(uint8_t(*)[8])(void *)p) : "r"(w[1]), "r"(p));
}
#define WB_LD_ALIGNED(v, p, n) wb_xt_ld(&(v), p, n)
#define WB_ST_ALIGNED(p, v, n) wb_xt_st(p, &(v), n)
#else
#define WB_LD_ALIGNED(v, p, n) __builtin_memcpy(&(v), __builtin_assume_aligned(p, n), n)
#define WB_ST_ALIGNED(p, v, n) __builtin_memcpy(__builtin_assume_aligned(p, n), &(v), n)
#endif
#define WB_LD(v, p, n)                                                    \
    do {                                                                  \
        if (WB_ALIGNED(p, n))                                             \
            WB_LD_ALIGNED(v, p, n);                                       \
        else                                                              \
            __builtin_memcpy(&(v), p, n);                                 \
    } while (0)
#define WB_ST(p, v, n)                                                    \
    do {                                                                  \
        if (WB_ALIGNED(p, n))                                             \
            WB_ST_ALIGNED(p, v, n);                                       \
        else                                                              \
            __builtin_memcpy(p, &(v), n);                                 \
    } while (0)
#else
#define WB_LD(v, p, n) WB_MEMCPY(&(v), p, n)
#define WB_ST(p, v, n) WB_MEMCPY(p, &(v), n)
#endif
static inline uint16_t ld16(const uint8_t *p) { uint16_t v; WB_LD(v, p, 2); return LE16(v); }
static inline uint32_t ld32(const uint8_t *p) { uint32_t v; WB_LD(v, p, 4); return LE32(v); }
static inline uint64_t ld64(const uint8_t *p) { uint64_t v; WB_LD(v, p, 8); return LE64(v); }
static inline void st16(uint8_t *p, uint16_t v) { v = LE16(v); WB_ST(p, v, 2); }
static inline void st32(uint8_t *p, uint32_t v) { v = LE32(v); WB_ST(p, v, 4); }
static inline void st64(uint8_t *p, uint64_t v) { v = LE64(v); WB_ST(p, v, 8); }

static inline uint32_t clz32(uint32_t x)
{
#ifdef __GNUC__
    return x ? (uint32_t)__builtin_clz(x) : 32u;
#else
    uint32_t n = 0;
    if (!x) return 32;
    while (!(x & 0x80000000u)) { x <<= 1; n++; }
    return n;
#endif
}
static inline uint32_t ctz32(uint32_t x)
{
#ifdef __GNUC__
    return x ? (uint32_t)__builtin_ctz(x) : 32u;
#else
    uint32_t n = 0;
    if (!x) return 32;
    while (!(x & 1u)) { x >>= 1; n++; }
    return n;
#endif
}
static inline uint32_t clz64(uint64_t x)
{
    return (x >> 32) ? clz32((uint32_t)(x >> 32)) : 32u + clz32((uint32_t)x);
}
static inline uint32_t ctz64(uint64_t x)
{
    return (uint32_t)x ? ctz32((uint32_t)x) : 32u + ctz32((uint32_t)(x >> 32));
}
static inline uint32_t popcnt32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    return (((x + (x >> 4)) & 0x0F0F0F0Fu) * 0x01010101u) >> 24;
}

#define WB_MEMORY_OPS WB_MEMORY_TABLE(LOAD, STORE)
#define WB_NUMERIC_OPS WB_NUMERIC_TABLE(UN, BIN, FBIN, DBIN, FCMP, DCMP)

#define WB_MEMORY_TABLE(LOAD, STORE)                   \
    LOAD(0x28, 4, ld32(p))                             \
    LOAD(0x29, 8, ld64(p))                             \
    LOAD(0x2A, 4, ld32(p))                             \
    LOAD(0x2B, 8, ld64(p))                             \
    LOAD(0x2C, 1, (uint32_t)(int32_t)(int8_t)p[0])     \
    LOAD(0x2D, 1, p[0])                                \
    LOAD(0x2E, 2, (uint32_t)(int32_t)(int16_t)ld16(p)) \
    LOAD(0x2F, 2, ld16(p))                             \
    LOAD(0x30, 1, (uint64_t)(int64_t)(int8_t)p[0])     \
    LOAD(0x31, 1, p[0])                                \
    LOAD(0x32, 2, (uint64_t)(int64_t)(int16_t)ld16(p)) \
    LOAD(0x33, 2, ld16(p))                             \
    LOAD(0x34, 4, (uint64_t)(int64_t)(int32_t)ld32(p)) \
    LOAD(0x35, 4, ld32(p))                             \
    STORE(0x36, 4, st32(p, (uint32_t)v))               \
    STORE(0x37, 8, st64(p, v))                         \
    STORE(0x38, 4, st32(p, (uint32_t)v))               \
    STORE(0x39, 8, st64(p, v))                         \
    STORE(0x3A, 1, p[0] = (uint8_t)v)                  \
    STORE(0x3B, 2, st16(p, (uint16_t)v))               \
    STORE(0x3C, 1, p[0] = (uint8_t)v)                  \
    STORE(0x3D, 2, st16(p, (uint16_t)v))               \
    STORE(0x3E, 4, st32(p, (uint32_t)v))

#define WB_NUMERIC_TABLE(UN, BIN, FBIN, DBIN, FCMP, DCMP)                               \
    UN(0x45, uint32_t, uint32_t, a == 0)                                                \
    BIN(0x46, uint32_t, uint32_t, a == b)                                               \
    BIN(0x47, uint32_t, uint32_t, a != b)                                               \
    BIN(0x48, uint32_t, uint32_t, (int32_t)a < (int32_t)b)                              \
    BIN(0x49, uint32_t, uint32_t, a < b)                                                \
    BIN(0x4A, uint32_t, uint32_t, (int32_t)a > (int32_t)b)                              \
    BIN(0x4B, uint32_t, uint32_t, a > b)                                                \
    BIN(0x4C, uint32_t, uint32_t, (int32_t)a <= (int32_t)b)                             \
    BIN(0x4D, uint32_t, uint32_t, a <= b)                                               \
    BIN(0x4E, uint32_t, uint32_t, (int32_t)a >= (int32_t)b)                             \
    BIN(0x4F, uint32_t, uint32_t, a >= b)                                               \
    UN(0x50, uint64_t, uint32_t, a == 0)                                                \
    BIN(0x51, uint64_t, uint32_t, a == b)                                               \
    BIN(0x52, uint64_t, uint32_t, a != b)                                               \
    BIN(0x53, uint64_t, uint32_t, (int64_t)a < (int64_t)b)                              \
    BIN(0x54, uint64_t, uint32_t, a < b)                                                \
    BIN(0x55, uint64_t, uint32_t, (int64_t)a > (int64_t)b)                              \
    BIN(0x56, uint64_t, uint32_t, a > b)                                                \
    BIN(0x57, uint64_t, uint32_t, (int64_t)a <= (int64_t)b)                             \
    BIN(0x58, uint64_t, uint32_t, a <= b)                                               \
    BIN(0x59, uint64_t, uint32_t, (int64_t)a >= (int64_t)b)                             \
    BIN(0x5A, uint64_t, uint32_t, a >= b)                                               \
    FCMP(0x5B, a == b)                                                                  \
    FCMP(0x5C, a != b)                                                                  \
    FCMP(0x5D, a < b)                                                                   \
    FCMP(0x5E, a > b)                                                                   \
    FCMP(0x5F, a <= b)                                                                  \
    FCMP(0x60, a >= b)                                                                  \
    DCMP(0x61, a == b)                                                                  \
    DCMP(0x62, a != b)                                                                  \
    DCMP(0x63, a < b)                                                                   \
    DCMP(0x64, a > b)                                                                   \
    DCMP(0x65, a <= b)                                                                  \
    DCMP(0x66, a >= b)                                                                  \
    UN(0x67, uint32_t, uint32_t, clz32(a))                                              \
    UN(0x68, uint32_t, uint32_t, ctz32(a))                                              \
    UN(0x69, uint32_t, uint32_t, popcnt32(a))                                           \
    BIN(0x6A, uint32_t, uint32_t, a + b)                                                \
    BIN(0x6B, uint32_t, uint32_t, a - b)                                                \
    BIN(0x6C, uint32_t, uint32_t, a * b)                                                \
    BIN(0x71, uint32_t, uint32_t, a & b)                                                \
    BIN(0x72, uint32_t, uint32_t, a | b)                                                \
    BIN(0x73, uint32_t, uint32_t, a ^ b)                                                \
    BIN(0x74, uint32_t, uint32_t, a << (b & 31u))                                       \
    BIN(0x75, uint32_t, uint32_t, (uint32_t)((int32_t)a >> (b & 31u)))                  \
    BIN(0x76, uint32_t, uint32_t, a >> (b & 31u))                                       \
    BIN(0x77, uint32_t, uint32_t, (a << (b & 31u)) | (a >> ((32u - b) & 31u)))          \
    BIN(0x78, uint32_t, uint32_t, (a >> (b & 31u)) | (a << ((32u - b) & 31u)))          \
    UN(0x79, uint64_t, uint64_t, clz64(a))                                              \
    UN(0x7A, uint64_t, uint64_t, ctz64(a))                                              \
    UN(0x7B, uint64_t, uint64_t, popcnt32((uint32_t)a) + popcnt32((uint32_t)(a >> 32))) \
    BIN(0x7C, uint64_t, uint64_t, a + b)                                                \
    BIN(0x7D, uint64_t, uint64_t, a - b)                                                \
    BIN(0x7E, uint64_t, uint64_t, a * b)                                                \
    BIN(0x83, uint64_t, uint64_t, a & b)                                                \
    BIN(0x84, uint64_t, uint64_t, a | b)                                                \
    BIN(0x85, uint64_t, uint64_t, a ^ b)                                                \
    BIN(0x86, uint64_t, uint64_t, a << (b & 63u))                                       \
    BIN(0x87, uint64_t, uint64_t, (uint64_t)((int64_t)a >> (b & 63u)))                  \
    BIN(0x88, uint64_t, uint64_t, a >> (b & 63u))                                       \
    BIN(0x89, uint64_t, uint64_t, (a << (b & 63u)) | (a >> ((64u - b) & 63u)))          \
    BIN(0x8A, uint64_t, uint64_t, (a >> (b & 63u)) | (a << ((64u - b) & 63u)))          \
    UN(0x8B, uint32_t, uint32_t, a & 0x7FFFFFFFu)                                       \
    UN(0x8C, uint32_t, uint32_t, a ^ 0x80000000u)                                       \
    UN(0x8D, uint32_t, uint32_t, wb_f32_round(a, 2))                                    \
    UN(0x8E, uint32_t, uint32_t, wb_f32_round(a, 1))                                    \
    UN(0x8F, uint32_t, uint32_t, wb_f32_round(a, 3))                                    \
    UN(0x90, uint32_t, uint32_t, wb_f32_round(a, 0))                                    \
    UN(0x91, uint32_t, uint32_t, wb_f32_sqrt(a))                                        \
    FBIN(0x92, a + b)                                                                   \
    FBIN(0x93, a - b)                                                                   \
    FBIN(0x94, a * b)                                                                   \
    FBIN(0x95, a / b)                                                                   \
    BIN(0x96, uint32_t, uint32_t, wb_f32_minmax(a, b, 0))                               \
    BIN(0x97, uint32_t, uint32_t, wb_f32_minmax(a, b, 1))                               \
    BIN(0x98, uint32_t, uint32_t, (a & 0x7FFFFFFFu) | (b & 0x80000000u))                \
    UN(0x99, uint64_t, uint64_t, a & 0x7FFFFFFFFFFFFFFFull)                             \
    UN(0x9A, uint64_t, uint64_t, a ^ 0x8000000000000000ull)                             \
    UN(0x9B, uint64_t, uint64_t, wb_f64_round(a, 2))                                    \
    UN(0x9C, uint64_t, uint64_t, wb_f64_round(a, 1))                                    \
    UN(0x9D, uint64_t, uint64_t, wb_f64_round(a, 3))                                    \
    UN(0x9E, uint64_t, uint64_t, wb_f64_round(a, 0))                                    \
    UN(0x9F, uint64_t, uint64_t, wb_f64_sqrt(a))                                        \
    DBIN(0xA0, a + b)                                                                   \
    DBIN(0xA1, a - b)                                                                   \
    DBIN(0xA2, a * b)                                                                   \
    DBIN(0xA3, a / b)                                                                   \
    BIN(0xA4, uint64_t, uint64_t, wb_f64_minmax(a, b, 0))                               \
    BIN(0xA5, uint64_t, uint64_t, wb_f64_minmax(a, b, 1))                               \
    UN(0xA7, uint64_t, uint32_t, a)                                                     \
    UN(0xAC, uint64_t, uint64_t, (uint64_t)(int64_t)(int32_t)(uint32_t)a)               \
    UN(0xAD, uint64_t, uint64_t, (uint32_t)a)                                           \
    UN(0xB2, uint32_t, uint32_t, wb_b32((float)(int32_t)a))                             \
    UN(0xB3, uint32_t, uint32_t, wb_b32((float)a))                                      \
    UN(0xB4, uint64_t, uint32_t, wb_b32((float)(int64_t)a))                             \
    UN(0xB5, uint64_t, uint32_t, wb_b32((float)a))                                      \
    UN(0xB6, uint64_t, uint32_t, wb_b32((float)F64(a)))                                 \
    UN(0xB7, uint32_t, uint64_t, wb_b64((double)(int32_t)a))                            \
    UN(0xB8, uint32_t, uint64_t, wb_b64((double)a))                                     \
    UN(0xB9, uint64_t, uint64_t, wb_b64((double)(int64_t)a))                            \
    UN(0xBA, uint64_t, uint64_t, wb_b64((double)a))                                     \
    UN(0xBB, uint32_t, uint64_t, wb_b64((double)F32(a)))                                \
    UN(0xBC, uint32_t, uint32_t, a)                                                     \
    UN(0xC0, uint32_t, uint32_t, (uint32_t)(int32_t)(int8_t)a)                          \
    UN(0xC1, uint32_t, uint32_t, (uint32_t)(int32_t)(int16_t)a)                         \
    UN(0xC2, uint64_t, uint64_t, (uint64_t)(int64_t)(int8_t)a)                          \
    UN(0xC3, uint64_t, uint64_t, (uint64_t)(int64_t)(int16_t)a)                         \
    UN(0xC4, uint64_t, uint64_t, (uint64_t)(int64_t)(int32_t)a)

/* The numeric opcodes 0x45..0xC4 that are not in the table (they can trap,
 * or do nothing): each interpreter writes their handlers itself. */
#define WB_NUMERIC_OTHER(X)                                                   \
    X(0x6D) X(0x6E) X(0x6F) X(0x70) X(0x7F) X(0x80) X(0x81) X(0x82) X(0xA6)   \
    X(0xA8) X(0xA9) X(0xAA) X(0xAB) X(0xAE) X(0xAF) X(0xB0) X(0xB1) X(0xBD)   \
    X(0xBE) X(0xBF)

/* X(n) for each opcode of the tables (the computed-goto tables of both
 * interpreters): every entry's macro is replaced by `X WB_OPNUM_`, which
 * turns the entry into `X (n)`, and the extra scan of WB_EXPAND_ calls X.
 * WB_NUMERIC_OPNUMS covers all of 0x45..0xC4. */
#define WB_OPNUM_(n, ...) (n)
#define WB_EXPAND_(...) __VA_ARGS__
#define WB_MEMORY_OPNUMS(X) WB_EXPAND_(WB_MEMORY_TABLE(X WB_OPNUM_, X WB_OPNUM_))
#define WB_NUMERIC_OPNUMS(X)                                                  \
    WB_EXPAND_(WB_NUMERIC_TABLE(X WB_OPNUM_, X WB_OPNUM_, X WB_OPNUM_,        \
                                X WB_OPNUM_, X WB_OPNUM_, X WB_OPNUM_))       \
    WB_NUMERIC_OTHER(X)

#endif
