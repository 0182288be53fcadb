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

#define F64_QNAN 0x0008000000000000ull
#define F64_INF 0x7FF0000000000000ull

#define F32_SIGN 0x80000000u
#define F32_FRAC 0x007FFFFFu
#define F32_IMPLICIT 0x00800000u

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

/* A significand with its leading one at the `implicit` bit: a subnormal one (*e == 0) is
 * shifted up and *e lowered to match, counting from 1; a normal one gets the implicit bit. */
static uint64_t significand(uint64_t m, int *e, uint64_t implicit)
{
    if (*e != 0)
        return m | implicit;
    *e = 1;
    while (!(m & implicit)) {
        m <<= 1;
        (*e)--;
    }
    return m;
}

/* x / y on the bit patterns of an IEEE 754 binary format with `fb` fraction bits and `eb`
 * exponent bits (double: 52, 11; float: 23, 8), rounded to nearest even. */
static uint64_t div_bits(uint64_t x, uint64_t y, int fb, int eb)
{
    const uint64_t frac = (1ull << fb) - 1u, implicit = 1ull << fb, qnan = 1ull << (fb - 1);
    const uint64_t sign_bit = 1ull << (fb + eb);
    const int emax = (1 << eb) - 1;
    const uint64_t inf = (uint64_t)emax << fb;
    uint64_t sign = (x ^ y) & sign_bit, ma = x & frac, mb = y & frac, q = 0, mant;
    int ea = (int)((x >> fb) & (uint64_t)emax), ey = (int)((y >> fb) & (uint64_t)emax), e, i;

    if (ea == emax && ma)
        return x | qnan;
    if (ey == emax && mb)
        return y | qnan;
    if (ea == emax)
        return ey == emax ? (inf | qnan) : (sign | inf);
    if (ey == emax)
        return sign;
    if (!(x & ~sign_bit))
        return (y & ~sign_bit) ? sign : (inf | qnan);
    if (!(y & ~sign_bit))
        return sign | inf;

    ma = significand(ma, &ea, implicit);
    mb = significand(mb, &ey, implicit);
    e = ea - ey + (emax >> 1);
    if (ma < mb) {
        ma <<= 1;
        e--;
    }
    /* fb + 3 quotient bits: the leading one, the fraction bits, guard and round */
    for (i = 0; i < fb + 3; i++) {
        q <<= 1;
        if (ma >= mb) {
            ma -= mb;
            q |= 1u;
        }
        ma <<= 1;
    }
    if (e >= 1) {
        mant = round_shift(q, 2, ma != 0);
        if (mant >> (fb + 1)) {
            mant >>= 1;
            e++;
        }
        if (e >= emax)
            return sign | inf;
        return sign | ((uint64_t)e << fb) | (mant & frac);
    }
    /* subnormal: 1 - e more bits go below the unit; a carry into the implicit bit makes
     * the smallest normal number, which the encoding gives for free */
    return sign | round_shift(q, 2 + (1 - e), ma != 0);
}

double __divdf3(double a, double b)
{
    wb_f64 x, y;
    x.f = a;
    y.f = b;
    return f64_of(div_bits(x.u, y.u, 52, 11));
}

float __divsf3(float a, float b)
{
    wb_f32 x, y;
    x.f = a;
    y.f = b;
    return f32_of((uint32_t)div_bits(x.u, y.u, 23, 8));
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
        m = significand(m, &e, F32_IMPLICIT) & F32_FRAC;
    }
    return f64_of(sign | ((uint64_t)(e - 127 + 1023) << 52) | (m << 29));
}
