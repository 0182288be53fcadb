#ifndef WB_LIBC_H
#define WB_LIBC_H

#include <stddef.h>

/* The only C library functions the runtime uses (see wb_port.h); declared
 * here so bare-metal builds need no libc headers. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* WB_LIBC_H */
