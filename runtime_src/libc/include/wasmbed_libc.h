/*
 * wasmbed_libc.h: what a WebAssembly program may call from the runtime's
 * libc-builtin (module "env", runtime_src/libc/libc_builtin.c), for programs
 * built with clang --target=wasm32 -nostdlib. stdio.h, string.h and stdlib.h
 * in this directory include it, so `-I runtime_src/libc/include` makes
 * `#include <stdio.h>` work. Only these functions exist: for a full C library
 * build against WASI instead (boards with the libc-wasi feature).
 */
#ifndef WASMBED_LIBC_H
#define WASMBED_LIBC_H

#include <stdarg.h> /* clang's own freestanding header */
#include <stddef.h> /* size_t, NULL */

#ifdef __cplusplus
extern "C" {
#endif

#define WB_LIBC_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))

#ifndef EOF
#define EOF (-1)
#endif

/* output: printf's %d %i %u %x %X %o %c %s %p %f %e %g %%, flags, width, precision, l/ll/z */
WB_LIBC_IMPORT(printf) int printf(const char *format, ...);
WB_LIBC_IMPORT(vprintf) int vprintf(const char *format, va_list args);
WB_LIBC_IMPORT(sprintf) int sprintf(char *out, const char *format, ...);
WB_LIBC_IMPORT(vsprintf) int vsprintf(char *out, const char *format, va_list args);
WB_LIBC_IMPORT(snprintf) int snprintf(char *out, size_t size, const char *format, ...);
WB_LIBC_IMPORT(vsnprintf) int vsnprintf(char *out, size_t size, const char *format, va_list args);
WB_LIBC_IMPORT(puts) int puts(const char *s);
WB_LIBC_IMPORT(putchar) int putchar(int c);

/* strings and memory */
WB_LIBC_IMPORT(strlen) size_t strlen(const char *s);
WB_LIBC_IMPORT(strcmp) int strcmp(const char *a, const char *b);
WB_LIBC_IMPORT(strncmp) int strncmp(const char *a, const char *b, size_t n);
WB_LIBC_IMPORT(strcpy) char *strcpy(char *dst, const char *src);
WB_LIBC_IMPORT(memcpy) void *memcpy(void *dst, const void *src, size_t n);
WB_LIBC_IMPORT(memmove) void *memmove(void *dst, const void *src, size_t n);
WB_LIBC_IMPORT(memset) void *memset(void *dst, int c, size_t n);
WB_LIBC_IMPORT(memcmp) int memcmp(const void *a, const void *b, size_t n);

/* ending the program: exit's code is the program's exit code (wasmbed run) */
WB_LIBC_IMPORT(exit) void exit(int code) __attribute__((noreturn));
WB_LIBC_IMPORT(abort) void abort(void) __attribute__((noreturn));

#ifndef EXIT_SUCCESS
#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#endif

#undef WB_LIBC_IMPORT

#ifdef __cplusplus
}
#endif

#endif /* WASMBED_LIBC_H */
