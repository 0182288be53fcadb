/*
 * wasmbed port API: the whole contract between the runtime (core, libc,
 * agent) and a platform. A platform implements these in one C file
 * (runtime_src/port/host/ for POSIX hosts; rendered from
 * templates/port/ for boards). The runtime core sees the platform only
 * through this header.
 */
#ifndef WB_PORT_H
#define WB_PORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Called once before anything else (UART, timer, FPU set-up). */
void wb_port_init(void);

/* Console byte stream: the agent's protocol and libc-builtin output.
 * wb_port_getc blocks until a byte arrives and returns 0..255, or -1 when
 * the stream has ended (host stdin closed). */
void wb_port_putc(int c);
void wb_port_write(const void *buf, size_t len);
int wb_port_getc(void);

/* Monotonic time in microseconds (under QEMU -icount: instructions/1000). */
uint64_t wb_port_time_us(void);

/* End the firmware / process with an exit code (power-off under QEMU). */
void wb_port_exit(int code) __attribute__((noreturn));

/* Optional general-purpose allocator. A platform without one defines
 * WB_PORT_HAS_MALLOC 0 in its generated config and the runtime then
 * requires the global-heap-pool feature. */
void *wb_port_malloc(size_t size);
void wb_port_free(void *ptr);

/* The runtime calls memcpy/memmove/memset/memcmp (the compiler emits them
 * too); a bare-metal port provides them (runtime_src/port/common/mem.c).
 * No other libc function is assumed. */

#ifdef __cplusplus
}
#endif
#endif /* WB_PORT_H */
