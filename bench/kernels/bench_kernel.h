/*
 * Common header of the wasmbed benchmark kernels.
 *
 * A kernel is one C file with one exported entry
 *     int64_t bench_<name>(int32_t n)
 * that does work proportional to n and returns a checksum. Kernels use no
 * libc and no imports, so the same file compiles natively (gcc -O2) and to
 * a standalone wasm32 module (clang --target=wasm32 -nostdlib). The line
 *     wasmbed-bench: n=<default>
 * in each kernel gives the n the benchmark uses (~10-50 M native
 * instructions on x86-64).
 */
#ifndef BENCH_KERNEL_H
#define BENCH_KERNEL_H

#include <stdint.h>

#if defined(__wasm__)
#define BENCH_EXPORT(name) __attribute__((export_name(#name), visibility("default")))
#else
#define BENCH_EXPORT(name) __attribute__((visibility("default")))
#endif

#endif /* BENCH_KERNEL_H */
