/*
 * Floating-point helpers with exact WebAssembly semantics, done on bit
 * patterns so every target (hard float, soft float) agrees: rounding to
 * integral values, square root (software, correctly rounded, unless the
 * target certainly has a hardware instruction), min/max, truncation.
 * No libm.
 */
#include "wb_internal.h"

#define F32_QNAN 0x00400000u /* used by the software sqrt */
#define F64_QNAN 0x0008000000000000ull

uint64_t wb_f64_round(uint64_t b, int mode)
{
    uint64_t sign = b & 0x8000000000000000ull, m, n, frac, half, up = 0;
    int e = (int)((b >> 52) & 0x7FFu);
    if (e >= 1075)
        return (e == 0x7FF && (b << 12)) ? b | F64_QNAN : b;
    if (!(b << 1))
        return b;
    if (e < 1022) {
        n = 0;
        up = mode == 1 ? sign != 0 : mode == 2 ? sign == 0 : 0;
    } else {
        int fb = 1075 - e; /* 1..53 */
        m = (b & 0xFFFFFFFFFFFFFull) | 0x10000000000000ull;
        frac = m & ((1ull << fb) - 1u);
        half = 1ull << (fb - 1);
        n = m >> fb;
        if (frac) {
            if (mode == 0)
                up = frac > half || (frac == half && (n & 1u));
            else if (mode == 1)
                up = sign != 0;
            else if (mode == 2)
                up = sign == 0;
        }
    }
    n += up;
    return wb_b64((double)n) | sign;
}

/* f32 through f64: exact both ways for integral results and NaNs keep
 * their payload (quietened), so rounding in double is rounding in float. */
uint32_t wb_f32_round(uint32_t b, int mode)
{
    return wb_b32((float)wb_f64(wb_f64_round(wb_b64((double)wb_f32(b)), mode)));
}

/* ---- square root ------------------------------------------------------------ */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__aarch64__) || \
                          (defined(__riscv_flen) && __riscv_flen >= 64 &&  \
                           defined(__riscv_fdiv)) ||                        \
                          (defined(__mips_hard_float) && !defined(__mips_single_float)))
#define WB_HW_SQRT64 1
#endif
#if defined(__GNUC__) && defined(__ARM_FP) && (__ARM_FP & 4) && !defined(__aarch64__)
#define WB_HW_SQRT32_ARM 1
#endif

/* floor(sqrt(m << sh)) for the top `bits` result bits; rounds to nearest. */
static uint64_t isqrt_round(uint64_t m, unsigned sh, unsigned bits)
{
    uint64_t q = 0, rem = 0;
    int i;
    for (i = (int)bits - 1; i >= 0; i--) {
        unsigned at = 2u * (unsigned)i;
        uint64_t pair = at >= sh ? (m >> (at - sh)) & 3u
                                 : (at + 1u == sh ? (m << 1) & 2u : 0u);
        uint64_t t = (q << 2) | 1u;
        rem = (rem << 2) | pair;
        if (rem >= t) {
            rem -= t;
            q = (q << 1) | 1u;
        } else {
            q <<= 1;
        }
    }
    return q + (rem > q); /* ties cannot occur */
}

uint64_t wb_f64_sqrt(uint64_t b)
{
#ifdef WB_HW_SQRT64
    double d = wb_f64(b), r;
#if defined(__x86_64__)
    __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(d));
#elif defined(__aarch64__)
    __asm__("fsqrt %d0, %d1" : "=w"(r) : "w"(d));
#elif defined(__mips__)
    __asm__("sqrt.d %0, %1" : "=f"(r) : "f"(d));
#else
    __asm__("fsqrt.d %0, %1" : "=f"(r) : "f"(d));
#endif
    {
        uint64_t o = wb_b64(r);
        if ((o & 0x7FF0000000000000ull) == 0x7FF0000000000000ull && (o << 12) &&
            !((b & 0x7FF0000000000000ull) == 0x7FF0000000000000ull && (b << 12)))
            return 0x7FF8000000000000ull; /* generated NaN: canonical */
        return o;
    }
#else
    uint64_t m = b & 0xFFFFFFFFFFFFFull;
    int e = (int)((b >> 52) & 0x7FFu), E;
    if (e == 0x7FF)
        return m ? b | F64_QNAN : (b >> 63 ? 0x7FF8000000000000ull : b);
    if (!(b << 1))
        return b;
    if (b >> 63)
        return 0x7FF8000000000000ull;
    if (!e) {
        e = 1;
        while (!(m & 0x10000000000000ull)) {
            m <<= 1;
            e--;
        }
    } else {
        m |= 0x10000000000000ull;
    }
    E = e - 1023;
    if (E & 1) {
        m <<= 1;
        E--;
    }
    /* sqrt(m * 2^52) has 53 bits; the exponent field absorbs the carry */
    return ((uint64_t)(E / 2 + 1022) << 52) + isqrt_round(m, 52, 53);
#endif
}

uint32_t wb_f32_sqrt(uint32_t b)
{
#if defined(WB_HW_SQRT32_ARM)
    float f = wb_f32(b), r;
    uint32_t o;
    __asm__("vsqrt.f32 %0, %1" : "=t"(r) : "t"(f));
    o = wb_b32(r);
    if ((o & 0x7F800000u) == 0x7F800000u && (o << 9) &&
        !((b & 0x7F800000u) == 0x7F800000u && (b << 9)))
        return 0x7FC00000u;
    return o;
#else
    uint64_t m = b & 0x7FFFFFu;
    int e = (int)((b >> 23) & 0xFFu), E;
    if (e == 0xFF)
        return m ? b | F32_QNAN : (b >> 31 ? 0x7FC00000u : b);
    if (!(b << 1))
        return b;
    if (b >> 31)
        return 0x7FC00000u;
    if (!e) {
        e = 1;
        while (!(m & 0x800000u)) {
            m <<= 1;
            e--;
        }
    } else {
        m |= 0x800000u;
    }
    E = e - 127;
    if (E & 1) {
        m <<= 1;
        E--;
    }
    return ((uint32_t)(E / 2 + 126) << 23) + (uint32_t)isqrt_round(m, 23, 24);
#endif
}

/* ---- min / max ------------------------------------------------------------- */
uint64_t wb_f64_minmax(uint64_t a, uint64_t b, int max)
{
    double x = wb_f64(a), y = wb_f64(b);
    if (x != x || y != y)
        return ((x != x) ? a : b) | F64_QNAN;
    if (x == y)
        return max ? a & b : a | b;
    return (max ? x > y : x < y) ? a : b;
}

uint32_t wb_f32_minmax(uint32_t a, uint32_t b, int max)
{
    return wb_b32((float)wb_f64(wb_f64_minmax(wb_b64((double)wb_f32(a)),
                                              wb_b64((double)wb_f32(b)), max)));
}

/* ---- truncation -------------------------------------------------------------- */
uint64_t wb_trunc(uint64_t bits, unsigned kind, const char **err)
{
    int is64 = kind & 1, uns = (kind >> 1) & 1, sat = (kind >> 3) & 1;
    double x = (kind & 4) ? wb_f64(bits) : (double)wb_f32((uint32_t)bits);
    double lo, hi; /* exclusive bounds */
    *err = NULL;
    if (x != x) {
        if (sat)
            return 0;
        *err = "invalid conversion to integer";
        return 0;
    }
    if (uns) {
        lo = -1.0;
        hi = is64 ? 18446744073709551616.0 : 4294967296.0;
    } else {
        lo = is64 ? -9223372036854777856.0 : -2147483649.0;
        hi = is64 ? 9223372036854775808.0 : 2147483648.0;
    }
    if (!(x > lo && x < hi)) {
        if (!sat) {
            *err = "integer overflow";
            return 0;
        }
        if (x < 0)
            return uns ? 0 : is64 ? 0x8000000000000000ull : 0x80000000u;
        return uns ? (is64 ? ~0ull : 0xFFFFFFFFu)
                   : (is64 ? 0x7FFFFFFFFFFFFFFFull : 0x7FFFFFFFu);
    }
    if (uns)
        return is64 ? (uint64_t)x : (uint32_t)x;
    return is64 ? (uint64_t)(int64_t)x : (uint32_t)(int32_t)x;
}
