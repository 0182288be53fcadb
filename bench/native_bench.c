/*
 * Native side of the wasmbed benchmark: calls one kernel, compiled with the
 * host compiler, through bench_run() so callgrind can count exactly the
 * kernel's instructions (--toggle-collect=bench_run).
 *
 * usage: native_bench <kernel> <n>     prints "checksum <decimal>"
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t bench_fib(int32_t n);
int64_t bench_sieve(int32_t n);
int64_t bench_matmul(int32_t n);
int64_t bench_crc32(int32_t n);
int64_t bench_nbody(int32_t n);

typedef int64_t (*kernel_fn)(int32_t n);

static const struct {
    const char *name;
    kernel_fn fn;
} kernels[] = {
    {"fib", bench_fib},       {"sieve", bench_sieve}, {"matmul", bench_matmul},
    {"crc32", bench_crc32},   {"nbody", bench_nbody},
};

/* The measured region: one call of the kernel, nothing else. */
__attribute__((noinline)) int64_t bench_run(kernel_fn fn, int32_t n)
{
    return fn(n);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s <kernel> <n>\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        if (strcmp(kernels[i].name, argv[1]) == 0) {
            int64_t sum = bench_run(kernels[i].fn, (int32_t)atoi(argv[2]));
            printf("checksum %lld\n", (long long)sum);
            return 0;
        }
    }
    fprintf(stderr, "%s: unknown kernel '%s'\n", argv[0], argv[1]);
    return 2;
}
