/* Recursive Fibonacci: call-heavy integer code. wasmbed-bench: n=29 */
#include "bench_kernel.h"

static int32_t fib(int32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

BENCH_EXPORT(bench_fib) int64_t bench_fib(int32_t n)
{
    return fib(n);
}
