/*
 * run-on-qemu --bench, native side: every kernel of bench/kernels/ compiled
 * for the board and timed with the port's timer. Under QEMU -icount shift=0
 * one guest instruction is one virtual nanosecond, so wb_port_time_us() * 1000
 * is an instruction count. The kernel list comes from the generated
 * bench_list.h: X(name, n) per kernel.
 *
 * Output, one line per kernel, then the end marker:
 *     bench <name> n=<n> us=<guest us> checksum=<i64>
 *     WASMBED BENCH END
 */
#include <stdint.h>

#include "bench_list.h"
#include "wb_port.h"

#define X(name, n) int64_t bench_##name(int32_t);
BENCH_KERNELS
#undef X

/* Kernels call __builtin_sqrt (built with -fno-math-errno); a core without a
 * double-precision square root instruction calls sqrt(), and bare metal has no
 * libm: this one is correctly rounded (bit by bit, round to nearest). */
double sqrt(double x);
double sqrt(double x)
{
    union {
        double d;
        uint64_t u;
    } v;
    uint64_t ix, q = 0, s = 0, r, t;
    int64_t m;
    v.d = x;
    if ((v.u & 0x7FF0000000000000ull) == 0x7FF0000000000000ull)
        return x * x + x; /* NaN stays NaN, +inf stays +inf, -inf gives NaN */
    if ((v.u << 1) == 0)
        return x; /* +-0 */
    if (v.u >> 63)
        return (x - x) / (x - x); /* negative: NaN */
    m = (int64_t)(v.u >> 52);
    ix = v.u & 0x000FFFFFFFFFFFFFull;
    if (m == 0) { /* subnormal: normalise */
        m = 1;
        while (!(ix & 0x0010000000000000ull)) {
            ix <<= 1;
            m--;
        }
    } else {
        ix |= 0x0010000000000000ull;
    }
    m -= 1023;
    if (m & 1) { /* make the exponent even */
        ix += ix;
        m -= 1;
    }
    m /= 2;
    ix += ix;
    for (r = 0x0020000000000000ull; r; r >>= 1) {
        t = s + r;
        if (t <= ix) {
            s = t + r;
            ix -= t;
            q += r;
        }
        ix += ix;
    }
    if (ix != 0)
        q += q & 1; /* the last bit of q is the rounding bit */
    v.u = (q >> 1) + ((uint64_t)(m + 1022) << 52);
    return v.d;
}

static void put_str(const char *s)
{
    while (*s)
        wb_port_putc(*s++);
}

static void put_u64(uint64_t v)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n)
        wb_port_putc(buf[--n]);
}

static void put_i64(int64_t v)
{
    if (v < 0) {
        wb_port_putc('-');
        put_u64(0u - (uint64_t)v);
    } else {
        put_u64((uint64_t)v);
    }
}

static void run_one(const char *name, int64_t (*fn)(int32_t), int32_t n)
{
    uint64_t t0, t1;
    int64_t sum;
    t0 = wb_port_time_us();
    sum = fn(n);
    t1 = wb_port_time_us();
    put_str("bench ");
    put_str(name);
    put_str(" n=");
    put_u64((uint64_t)n);
    put_str(" us=");
    put_u64(t1 - t0);
    put_str(" checksum=");
    put_i64(sum);
    put_str("\n");
}

int main(void)
{
    put_str("\nWASMBED BENCH native\n");
#define X(name, n) run_one(#name, bench_##name, n);
    BENCH_KERNELS
#undef X
    put_str("WASMBED BENCH END\n");
    return 0;
}
