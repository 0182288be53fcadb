/*
 * printf-style formatting over guest memory, for the printf family of
 * libc-builtin. Varargs follow the wasm32 C ABI: the caller passes a pointer
 * to an argument area in linear memory where each argument sits at its
 * natural alignment (int/long/pointer 4 bytes, long long/double 8 bytes,
 * long double 16 bytes).
 *
 * Conversions: d i u o x X c s p f F e E g G %, with flags "-+ #0", width,
 * precision ('*' too) and length modifiers hh h l ll j z t L. Floats are
 * formatted with double arithmetic (exact to about 15 significant digits).
 */
#include <string.h>

#include "libc_internal.h"

#define F_LEFT 1u
#define F_PLUS 2u
#define F_SPACE 4u
#define F_ALT 8u
#define F_ZERO 16u

#define MAX_FLOAT_PREC 64
#define MAX_SIG 17

typedef struct spec {
    unsigned flags;
    int width, prec; /* prec < 0: none */
    char conv;
} spec;

/* ---- varargs ------------------------------------------------------------ */

typedef struct va_cursor {
    guest *g;
    uint32_t at;
    int bad;
} va_cursor;

static const uint8_t *va_take(va_cursor *v, uint32_t size)
{
    uint32_t at = (v->at + size - 1u) & ~(size - 1u);
    if (at < v->at || !guest_ok(v->g, at, size)) {
        v->bad = 1;
        return NULL;
    }
    v->at = at + size;
    return v->g->mem + at;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint32_t va_u32(va_cursor *v)
{
    const uint8_t *p = va_take(v, 4);
    return p ? rd32(p) : 0;
}

static uint64_t va_u64(va_cursor *v)
{
    const uint8_t *p = va_take(v, 8);
    return p ? rd64(p) : 0;
}

static double bits_to_double(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* long double on wasm32 is IEEE binary128: keep sign, exponent and the top
 * 52 fraction bits. */
static uint64_t va_f128_as_f64(va_cursor *v)
{
    const uint8_t *p = va_take(v, 16);
    uint64_t lo, hi, sign, frac;
    int32_t exp;
    if (!p)
        return 0;
    lo = rd64(p);
    hi = rd64(p + 8);
    sign = hi & 0x8000000000000000ull;
    exp = (int32_t)((hi >> 48) & 0x7FFF);
    frac = (hi & 0xFFFFFFFFFFFFull) << 4 | lo >> 60;
    if (exp == 0x7FFF)
        return sign | 0x7FF0000000000000ull | (frac ? (frac | 1u) & 0xFFFFFFFFFFFFFull : 0);
    if (exp == 0)
        return sign; /* subnormal binary128 values are far below double's range */
    exp = exp - 16383 + 1023;
    if (exp >= 0x7FF)
        return sign | 0x7FF0000000000000ull;
    if (exp <= 0)
        return sign;
    return sign | (uint64_t)exp << 52 | frac;
}

/* ---- output helpers ---------------------------------------------------------- */

static void emit_n(fmt_out *o, char c, int n)
{
    while (n-- > 0)
        fmt_emit(o, c);
}

static void emit_s(fmt_out *o, const char *s, size_t n)
{
    while (n--)
        fmt_emit(o, *s++);
}

/* prefix (sign, 0x), then body; width padding with spaces or zeros. */
static void put_field(fmt_out *o, const spec *sp, const char *prefix,
                      size_t plen, const char *body, size_t blen, int zero_ok)
{
    int pad = sp->width - (int)(plen + blen);
    int zeros = zero_ok && (sp->flags & F_ZERO) && !(sp->flags & F_LEFT);
    if (!(sp->flags & F_LEFT) && !zeros)
        emit_n(o, ' ', pad);
    emit_s(o, prefix, plen);
    if (zeros)
        emit_n(o, '0', pad);
    emit_s(o, body, blen);
    if (sp->flags & F_LEFT)
        emit_n(o, ' ', pad);
}

/* ---- integers ------------------------------------------------------------------- */

static void put_int(fmt_out *o, const spec *sp, uint64_t v, int neg)
{
    char tmp[24], body[96], prefix[3];
    size_t n = 0, blen = 0, plen = 0;
    unsigned base = 10;
    const char *digits = "0123456789abcdef";
    int prec = sp->prec, nonzero = v != 0;
    switch (sp->conv) {
    case 'o': base = 8; break;
    case 'x': case 'p': base = 16; break;
    case 'X': base = 16; digits = "0123456789ABCDEF"; break;
    default: break;
    }
    while (v) {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    if (prec > (int)sizeof body - 2)
        prec = (int)sizeof body - 2;
    if (prec < 0)
        prec = 1;
    if (sp->conv == 'o' && (sp->flags & F_ALT) && prec <= (int)n)
        prec = (int)n + 1;
    while ((int)(n + blen) < prec)
        body[blen++] = '0';
    while (n)
        body[blen++] = tmp[--n];
    if (neg)
        prefix[plen++] = '-';
    else if ((sp->conv == 'd' || sp->conv == 'i') && (sp->flags & F_PLUS))
        prefix[plen++] = '+';
    else if ((sp->conv == 'd' || sp->conv == 'i') && (sp->flags & F_SPACE))
        prefix[plen++] = ' ';
    if (sp->conv == 'p' ||
        ((sp->flags & F_ALT) && nonzero && (sp->conv == 'x' || sp->conv == 'X'))) {
        prefix[plen++] = '0';
        prefix[plen++] = sp->conv == 'X' ? 'X' : 'x';
    }
    put_field(o, sp, prefix, plen, body, blen, sp->prec < 0);
}

/* ---- floats --------------------------------------------------------------------- */

static double pow10_(int n) /* 10^n for n >= 0, by squaring */
{
    double r = 1.0, b = 10.0;
    while (n) {
        if (n & 1)
            r *= b;
        b *= b;
        n >>= 1;
    }
    return r;
}

static const uint64_t p10u[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
    10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
    100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull,
    100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull};

/* Exact products without FMA (Dekker): a * b == *p + *e exactly, for
 * operands far from overflow. Lets the digit rounding below see the true
 * value of v * 10^k, so halfway cases round as printf does (ties to even on
 * the exact binary value: "%.1f" of 0.95 is "0.9"). */
static void split(double a, double *hi, double *lo)
{
    double c = 134217729.0 * a; /* 2^27 + 1 */
    *hi = c - (c - a);
    *lo = a - *hi;
}

static void two_prod(double a, double b, double *p, double *e)
{
    double ah, al, bh, bl;
    *p = a * b;
    split(a, &ah, &al);
    split(b, &bh, &bl);
    *e = ((ah * bh - *p) + ah * bl + al * bh) + al * bl;
}

/* Round p + e (0 <= p < 2^63, e the exact rest of a product) to an
 * integer, ties to even. */
static uint64_t round_exact(double p, double e)
{
    uint64_t u = (uint64_t)p, k;
    double t = (p - (double)u) + e, d; /* the value is u + t */
    if (t >= 1.0) {
        k = (uint64_t)t;
        u += k;
        t -= (double)k;
    } else if (t < 0.0) {
        k = (uint64_t)(-t) + 1u;
        if (k > u)
            k = u;
        u -= k;
        t += (double)k;
    }
    d = t - 0.5;
    if (d > 0.0 || (d == 0.0 && (u & 1u)))
        u++;
    return u;
}

/* The integer nearest v * 10^k (k may be negative); exact scaling when
 * 10^|k| is exactly representable, else one rounded step. */
static uint64_t scaled(double v, int k)
{
    double p, e, q, pw;
    if (k >= 0 && k <= 22 && v < 1e280) {
        two_prod(v, pow10_(k), &p, &e);
        return round_exact(p, e);
    }
    if (k < 0 && k >= -22) {
        pw = pow10_(-k);
        q = v / pw;
        two_prod(q, pw, &p, &e);
        return round_exact(q, ((v - p) - e) / pw);
    }
    if (k >= 0)
        return round_exact(k > 300 ? v * 1e300 * pow10_(k - 300) : v * pow10_(k), 0.0);
    return round_exact(k < -300 ? v / 1e300 / pow10_(-k - 300) : v / pow10_(-k), 0.0);
}

/* ndig (1..17) significant digits of v > 0, rounded; returns the decimal
 * exponent X with v ~ d0.d1d2... * 10^X. */
static int decompose(double v, int ndig, char *out)
{
    int x = 0, i, tries;
    double m = v;
    uint64_t u = 0;
    while (m >= 1e16) { m /= 1e16; x += 16; }
    while (m >= 10.0) { m /= 10.0; x++; }
    while (m < 1e-16) { m *= 1e16; x -= 16; }
    while (m < 1.0) { m *= 10.0; x--; }
    for (tries = 0; tries < 3; tries++) { /* the estimate of x may be one off */
        u = scaled(v, ndig - 1 - x);
        if (u >= p10u[ndig]) {
            if (u == p10u[ndig]) { /* rounding carried: 9.99 -> 10.0 */
                u /= 10u;
                x++;
                break;
            }
            x++;
        } else if (u < p10u[ndig - 1]) {
            x--;
        } else {
            break;
        }
    }
    for (i = ndig - 1; i >= 0; i--) {
        out[i] = (char)('0' + u % 10u);
        u /= 10u;
    }
    return x;
}

/* %e body: d.ddd e+XX */
static size_t body_e(char *b, double v, int prec, int upper, int alt)
{
    char dig[MAX_SIG];
    int nd = prec + 1 > MAX_SIG ? MAX_SIG : prec + 1, x = 0, i;
    size_t n = 0;
    unsigned ax;
    char e[4];
    int ne = 0;
    if (v != 0.0)
        x = decompose(v, nd, dig);
    else
        memset(dig, '0', sizeof dig);
    b[n++] = dig[0];
    if (prec > 0 || alt)
        b[n++] = '.';
    for (i = 1; i <= prec; i++)
        b[n++] = i < nd ? dig[i] : '0';
    b[n++] = upper ? 'E' : 'e';
    b[n++] = x < 0 ? '-' : '+';
    ax = (unsigned)(x < 0 ? -x : x);
    do {
        e[ne++] = (char)('0' + ax % 10u);
        ax /= 10u;
    } while (ax);
    if (ne < 2)
        e[ne++] = '0';
    while (ne)
        b[n++] = e[--ne];
    return n;
}

/* %f body: ddd.ddd. Exact while v * 10^prec stays below 2^63; beyond that
 * 17 significant digits, then zeros. */
static size_t body_f(char *b, double v, int prec, int alt)
{
    size_t n = 0;
    int i, nd = 0;
    char tmp[24];
    if (prec <= 22 && v * pow10_(prec) < 9.2e18) {
        uint64_t u = scaled(v, prec);
        do {
            tmp[nd++] = (char)('0' + u % 10u);
            u /= 10u;
        } while (u || nd <= prec);
        while (nd > prec)
            b[n++] = tmp[--nd];
        if (prec > 0 || alt)
            b[n++] = '.';
        while (nd)
            b[n++] = tmp[--nd];
        return n;
    }
    if (v < 1.0) { /* tiny with a huge precision: 17 digits at their place */
        char dig[MAX_SIG];
        int x = v == 0.0 ? -1 : decompose(v, MAX_SIG, dig);
        b[n++] = '0';
        if (prec > 0 || alt)
            b[n++] = '.';
        for (i = 1; i <= prec; i++) {
            int at = i - 1 + x + 1; /* digit index of 10^-i */
            b[n++] = v != 0.0 && at >= 0 && at < MAX_SIG ? dig[at] : '0';
        }
        return n;
    }
    {
        char dig[MAX_SIG];
        int x = decompose(v, MAX_SIG, dig);
        for (i = 0; i <= x; i++)
            b[n++] = i < MAX_SIG ? dig[i] : '0';
        if (prec > 0 || alt)
            b[n++] = '.';
        for (i = 0; i < prec; i++)
            b[n++] = i + x + 1 < MAX_SIG ? dig[i + x + 1] : '0';
    }
    return n;
}

static void put_float(fmt_out *o, const spec *sp, uint64_t bits)
{
    char body[400 + MAX_FLOAT_PREC], prefix[2];
    size_t n = 0, plen = 0;
    int upper = sp->conv == 'F' || sp->conv == 'E' || sp->conv == 'G';
    int prec = sp->prec < 0 ? 6 : sp->prec > MAX_FLOAT_PREC ? MAX_FLOAT_PREC : sp->prec;
    int alt = (sp->flags & F_ALT) != 0;
    char c = (char)(sp->conv | 0x20); /* lower case */
    double v = bits_to_double(bits & 0x7FFFFFFFFFFFFFFFull);
    if (bits >> 63)
        prefix[plen++] = '-';
    else if (sp->flags & F_PLUS)
        prefix[plen++] = '+';
    else if (sp->flags & F_SPACE)
        prefix[plen++] = ' ';
    if ((bits & 0x7FF0000000000000ull) == 0x7FF0000000000000ull) {
        const char *s = (bits & 0xFFFFFFFFFFFFFull) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
        put_field(o, sp, prefix, plen, s, 3, 0);
        return;
    }
    if (c == 'f') {
        n = body_f(body, v, prec, alt);
    } else if (c == 'e') {
        n = body_e(body, v, prec, upper, alt);
    } else { /* g */
        char dig[MAX_SIG];
        int p = prec == 0 ? 1 : prec, x = 0;
        if (v != 0.0)
            x = decompose(v, p > MAX_SIG ? MAX_SIG : p, dig);
        if (x < -4 || x >= p)
            n = body_e(body, v, p - 1, upper, alt);
        else
            n = body_f(body, v, p - 1 - x, alt);
        if (!alt) { /* drop trailing zeros of the fraction */
            size_t end = n, e = n, i;
            for (i = 0; i < n; i++)
                if (body[i] == 'e' || body[i] == 'E') {
                    e = i;
                    break;
                }
            end = e;
            for (i = 0; i < e && body[i] != '.'; i++)
                ;
            if (i < e) {
                while (end > i + 1 && body[end - 1] == '0')
                    end--;
                if (end == i + 1)
                    end = i;
                memmove(body + end, body + e, n - e);
                n = end + (n - e);
            }
        }
    }
    put_field(o, sp, prefix, plen, body, n, 1);
}

/* ---- the format loop ------------------------------------------------------------ */

static int atoi_(const uint8_t *s, uint32_t *i, uint32_t end)
{
    int v = 0;
    while (*i < end && s[*i] >= '0' && s[*i] <= '9') {
        if (v < 100000)
            v = v * 10 + (s[*i] - '0');
        (*i)++;
    }
    return v;
}

static wb_status put_string(fmt_out *o, const spec *sp, uint32_t addr)
{
    guest *g = o->g;
    uint32_t n = 0;
    if (addr == 0) {
        put_field(o, sp, "", 0, "(null)", sp->prec >= 0 && sp->prec < 6 ? (size_t)sp->prec : 6, 0);
        return WB_OK;
    }
    while (sp->prec < 0 || n < (uint32_t)sp->prec) {
        if (!guest_ok(g, addr + n, 1) || addr + n < addr)
            return wb_ctx_trap(g->ctx, "out of bounds memory access");
        if (!g->mem[addr + n])
            break;
        n++;
    }
    put_field(o, sp, "", 0, (const char *)g->mem + addr, n, 0);
    return WB_OK;
}

wb_status fmt_format(fmt_out *o, uint32_t fmt, uint32_t va)
{
    guest *g = o->g;
    int64_t flen = guest_strlen(g, fmt);
    const uint8_t *s;
    uint32_t i = 0, end;
    va_cursor v;
    if (flen < 0)
        return wb_ctx_trap(g->ctx, "out of bounds memory access");
    s = g->mem + fmt;
    end = (uint32_t)flen;
    v.g = g;
    v.at = va;
    v.bad = 0;
    while (i < end) {
        spec sp;
        int lng = 0; /* 0 int, 1 long long, 2 long double, -1 short, -2 char */
        uint8_t c = s[i++];
        if (c != '%') {
            fmt_emit(o, (char)c);
            continue;
        }
        sp.flags = 0;
        sp.width = 0;
        sp.prec = -1;
        for (; i < end; i++) {
            unsigned f = s[i] == '-' ? F_LEFT : s[i] == '+' ? F_PLUS : s[i] == ' ' ? F_SPACE
                       : s[i] == '#' ? F_ALT : s[i] == '0' ? F_ZERO : 0u;
            if (!f)
                break;
            sp.flags |= f;
        }
        if (i < end && s[i] == '*') {
            int w = (int32_t)va_u32(&v);
            i++;
            if (w < 0) {
                sp.flags |= F_LEFT;
                w = w == INT32_MIN ? 0 : -w;
            }
            sp.width = w > 100000 ? 100000 : w;
        } else {
            sp.width = atoi_(s, &i, end);
        }
        if (i < end && s[i] == '.') {
            i++;
            if (i < end && s[i] == '*') {
                int p = (int32_t)va_u32(&v);
                i++;
                sp.prec = p < 0 ? -1 : p > 100000 ? 100000 : p;
            } else {
                sp.prec = atoi_(s, &i, end);
            }
        }
        while (i < end && (s[i] == 'h' || s[i] == 'l' || s[i] == 'j' || s[i] == 'z' ||
                           s[i] == 't' || s[i] == 'L' || s[i] == 'q')) {
            if (s[i] == 'j' || s[i] == 'q' || (s[i] == 'l' && i + 1 < end && s[i + 1] == 'l')) {
                lng = 1;
                if (s[i] == 'l')
                    i++;
            } else if (s[i] == 'L') {
                lng = 2;
            } else if (s[i] == 'h') {
                lng = lng == -1 ? -2 : -1;
            }
            i++;
        }
        if (i >= end) {
            fmt_emit(o, '%');
            break;
        }
        sp.conv = (char)s[i++];
        switch (sp.conv) {
        case 'd':
        case 'i': {
            int64_t x = lng == 1 ? (int64_t)va_u64(&v) : (int64_t)(int32_t)va_u32(&v);
            if (lng == -1)
                x = (int16_t)x;
            else if (lng == -2)
                x = (int8_t)x;
            put_int(o, &sp, x < 0 ? 0u - (uint64_t)x : (uint64_t)x, x < 0);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            uint64_t x = lng == 1 ? va_u64(&v) : va_u32(&v);
            if (lng == -1)
                x = (uint16_t)x;
            else if (lng == -2)
                x = (uint8_t)x;
            put_int(o, &sp, x, 0);
            break;
        }
        case 'p':
            put_int(o, &sp, va_u32(&v), 0);
            break;
        case 'c': {
            char ch = (char)va_u32(&v);
            put_field(o, &sp, "", 0, &ch, 1, 0);
            break;
        }
        case 's': {
            wb_status st = put_string(o, &sp, va_u32(&v));
            if (st != WB_OK)
                return st;
            break;
        }
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
            put_float(o, &sp, lng == 2 ? va_f128_as_f64(&v) : va_u64(&v));
            break;
        case 'n': /* nothing is written back: consume the pointer */
            (void)va_u32(&v);
            break;
        case '%':
            fmt_emit(o, '%');
            break;
        default: /* unknown conversion: print it as written */
            fmt_emit(o, '%');
            fmt_emit(o, sp.conv);
            break;
        }
        if (v.bad)
            return wb_ctx_trap(g->ctx, "out of bounds memory access");
    }
    return WB_OK;
}
