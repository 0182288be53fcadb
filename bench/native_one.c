/*
 * Native side of `wasmbed bench --module X.wasm --export NAME --source X.c`:
 * calls NAME (compiled with -DBENCH_FN=NAME) once through bench_run(), so
 * callgrind counts exactly that call (--toggle-collect=bench_run).
 *
 * usage: native_one <n>     prints "checksum <decimal>"
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef BENCH_FN
#error "compile with -DBENCH_FN=<the export's C name>"
#endif

int64_t BENCH_FN(int32_t n);

/* The measured region: one call, nothing else. */
__attribute__((noinline)) int64_t bench_run(int32_t n)
{
    return BENCH_FN(n);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <n>\n", argv[0]);
        return 2;
    }
    printf("checksum %lld\n", (long long)bench_run((int32_t)atoi(argv[1])));
    return 0;
}
