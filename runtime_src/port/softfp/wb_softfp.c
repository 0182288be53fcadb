/* Soft-float helpers of our own for cores without an FPU (linked on Xtensa next to
 * compiler-rt's builtins, see wasmbed/xtensa.py).
 *
 * - __divdf3 / __divsf3: IEEE 754 division, round to nearest even, subnormal results
 *   rounded correctly. compiler-rt's (the PyPI sources) flush subnormal quotients to zero,
 *   which 20 assertions of the spec suite's f64.wast catch.
 * - __extendsfdf2: float -> double; a signalling NaN comes out quiet, as every FPU does it
 *   (compiler-rt's keeps it signalling: conversions.wast expects an arithmetic NaN).
 *
 * Plain C11 on 32/64-bit integers; no libc. */
#include <stdint.h>

double __divdf3(double a, double b);
float __divsf3(float a, float b);
double __extendsfdf2(float a);

typedef union {
    double f;
    uint64_t u;
} wb_f64;

typedef union {
    float f;
    uint32_t u;
} wb_f32;

#define F64_SIGN 0x8000000000000000ull
#define F64_FRAC 0x000FFFFFFFFFFFFFull
#define F64_IMPLICIT 0x0010000000000000ull
#define F64_QNAN 0x0008000000000000ull
#define F64_INF 0x7FF0000000000000ull

#define F32_SIGN 0x80000000u
#define F32_FRAC 0x007FFFFFu
#define F32_IMPLICIT 0x00800000u
#define F32_QNAN 0x00400000u
#define F32_INF 0x7F800000u

static double f64_of(uint64_t u)
{
    wb_f64 v;
    v.u = u;
    return v.f;
}

static float f32_of(uint32_t u)
{
    wb_f32 v;
    v.u = u;
    return v.f;
}

/* Round `q` (a quotient whose last `shift` bits are below the result's unit) to nearest
 * even; `sticky` says whether anything non-zero lies below q. */
static uint64_t round_shift(uint64_t q, int shift, int sticky)
{
    uint64_t keep, rest, half;
    if (shift >= 64)
        return 0; /* far below the smallest subnormal: rounds to zero */
    keep = q >> shift;
    rest = q & ((1ull << shift) - 1u);
    half = 1ull << (shift - 1);
    if (rest > half || (rest == half && (sticky || (keep & 1u))))
        keep++;
    return keep;
}

double __divdf3(double a, double b)
{
    wb_f64 x, y;
    uint64_t sign, ma, mb, q = 0, mant;
    int ea, eb, e, i;
    x.f = a;
    y.f = b;
    sign = (x.u ^ y.u) & F64_SIGN;
    ea = (int)((x.u >> 52) & 0x7FF);
    eb = (int)((y.u >> 52) & 0x7FF);
    ma = x.u & F64_FRAC;
    mb = y.u & F64_FRAC;

    if (ea == 0x7FF && ma)
        return f64_of(x.u | F64_QNAN);
    if (eb == 0x7FF && mb)
        return f64_of(y.u | F64_QNAN);
    if (ea == 0x7FF)
        return f64_of(eb == 0x7FF ? (F64_INF | F64_QNAN) : (sign | F64_INF));
    if (eb == 0x7FF)
        return f64_of(sign);
    if (!(x.u & ~F64_SIGN))
        return f64_of((y.u & ~F64_SIGN) ? sign : (F64_INF | F64_QNAN));
    if (!(y.u & ~F64_SIGN))
        return f64_of(sign | F64_INF);

    /* significands with the leading one at bit 52, subnormals normalised */
    if (ea == 0) {
        ea = 1;
        while (!(ma & F64_IMPLICIT)) {
            ma <<= 1;
            ea--;
        }
    } else {
        ma |= F64_IMPLICIT;
    }
    if (eb == 0) {
        eb = 1;
        while (!(mb & F64_IMPLICIT)) {
            mb <<= 1;
            eb--;
        }
    } else {
        mb |= F64_IMPLICIT;
    }
    e = ea - eb + 1023;
    if (ma < mb) {
        ma <<= 1;
        e--;
    }
    /* 55 quotient bits: the leading one, 52 fraction bits, guard and round */
    for (i = 0; i < 55; i++) {
        q <<= 1;
        if (ma >= mb) {
            ma -= mb;
            q |= 1u;
        }
        ma <<= 1;
    }
    if (e >= 1) {
        mant = round_shift(q, 2, ma != 0);
        if (mant >> 53) {
            mant >>= 1;
            e++;
        }
        if (e >= 0x7FF)
            return f64_of(sign | F64_INF);
        return f64_of(sign | ((uint64_t)e << 52) | (mant & F64_FRAC));
    }
    /* subnormal: 1 - e more bits go below the unit; a carry into bit 52 makes the
     * smallest normal number, which the encoding gives for free */
    mant = round_shift(q, 2 + (1 - e), ma != 0);
    return f64_of(sign | mant);
}

float __divsf3(float a, float b)
{
    wb_f32 x, y;
    uint32_t sign, ma, mb, q = 0, mant;
    int ea, eb, e, i;
    x.f = a;
    y.f = b;
    sign = (x.u ^ y.u) & F32_SIGN;
    ea = (int)((x.u >> 23) & 0xFF);
    eb = (int)((y.u >> 23) & 0xFF);
    ma = x.u & F32_FRAC;
    mb = y.u & F32_FRAC;

    if (ea == 0xFF && ma)
        return f32_of(x.u | F32_QNAN);
    if (eb == 0xFF && mb)
        return f32_of(y.u | F32_QNAN);
    if (ea == 0xFF)
        return f32_of(eb == 0xFF ? (F32_INF | F32_QNAN) : (sign | F32_INF));
    if (eb == 0xFF)
        return f32_of(sign);
    if (!(x.u & ~F32_SIGN))
        return f32_of((y.u & ~F32_SIGN) ? sign : (F32_INF | F32_QNAN));
    if (!(y.u & ~F32_SIGN))
        return f32_of(sign | F32_INF);

    if (ea == 0) {
        ea = 1;
        while (!(ma & F32_IMPLICIT)) {
            ma <<= 1;
            ea--;
        }
    } else {
        ma |= F32_IMPLICIT;
    }
    if (eb == 0) {
        eb = 1;
        while (!(mb & F32_IMPLICIT)) {
            mb <<= 1;
            eb--;
        }
    } else {
        mb |= F32_IMPLICIT;
    }
    e = ea - eb + 127;
    if (ma < mb) {
        ma <<= 1;
        e--;
    }
    for (i = 0; i < 26; i++) {
        q <<= 1;
        if (ma >= mb) {
            ma -= mb;
            q |= 1u;
        }
        ma <<= 1;
    }
    if (e >= 1) {
        mant = (uint32_t)round_shift(q, 2, ma != 0);
        if (mant >> 24) {
            mant >>= 1;
            e++;
        }
        if (e >= 0xFF)
            return f32_of(sign | F32_INF);
        return f32_of(sign | ((uint32_t)e << 23) | (mant & F32_FRAC));
    }
    mant = (uint32_t)round_shift(q, 2 + (1 - e), ma != 0);
    return f32_of(sign | mant);
}

double __extendsfdf2(float a)
{
    wb_f32 x;
    uint64_t sign, m;
    int e;
    x.f = a;
    sign = (uint64_t)(x.u & F32_SIGN) << 32;
    e = (int)((x.u >> 23) & 0xFF);
    m = x.u & F32_FRAC;
    if (e == 0xFF)
        return f64_of(sign | F64_INF | (m ? F64_QNAN | (m << 29) : 0u));
    if (e == 0) {
        if (!m)
            return f64_of(sign);
        e = 1;
        while (!(m & F32_IMPLICIT)) {
            m <<= 1;
            e--;
        }
        m &= F32_FRAC;
    }
    return f64_of(sign | ((uint64_t)(e - 127 + 1023) << 52) | (m << 29));
}
