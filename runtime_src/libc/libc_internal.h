/*
 * Shared between the libc-builtin files: guest memory access and output.
 */
#ifndef WB_LIBC_INTERNAL_H
#define WB_LIBC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "libc_builtin.h"

/* A view of the calling instance's linear memory. */
typedef struct guest {
    wb_ctx *ctx;
    uint8_t *mem;
    uint32_t size;
} guest;

void guest_open(guest *g, wb_ctx *ctx);
/* 1 when [addr, addr + len) lies inside the memory. */
int guest_ok(const guest *g, uint32_t addr, uint32_t len);
/* Length of the NUL-terminated string at addr, or -1 if it runs off the end. */
int64_t guest_strlen(const guest *g, uint32_t addr);

/* Formatted output: characters go to the console sink (dst == NULL mode)
 * or into guest memory at dst, cap bytes at most (NUL included). */
typedef struct fmt_out {
    guest *g;
    int to_memory;
    uint32_t dst, cap; /* memory mode */
    uint32_t count;    /* characters produced (snprintf's return value) */
    char buf[128];     /* console mode: pending bytes */
    size_t buf_len;
} fmt_out;

void fmt_emit(fmt_out *o, char c);
void fmt_finish(fmt_out *o); /* flush / NUL-terminate */
/* Formats fmt (guest address) with varargs at va. Returns WB_OK or the
 * trap status (bad pointers). */
wb_status fmt_format(fmt_out *o, uint32_t fmt, uint32_t va);

void libc_write(const char *buf, size_t len); /* to the current sink */

#endif /* WB_LIBC_INTERNAL_H */
