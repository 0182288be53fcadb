/*
 * wb_port.h on RIOT: the console is RIOT's stdio (stdio_read/stdio_write, with the
 * `stdin` module), time is ztimer64 in microseconds, memory comes from RIOT's malloc.
 * On the native boards the agent is a Linux process: the exit code is the process's.
 */
#include <stdint.h>
#include <stdlib.h>

#include "periph/pm.h"
#include "stdio_base.h"
#include "ztimer64.h"

#ifdef CPU_NATIVE
#include "native_internal.h"
#endif

#include "wb_port.h"

void wb_port_init(void)
{
    /* RIOT's auto_init has set up stdio and ztimer64 before main() */
}

static long console_read(unsigned char *buf, size_t len)
{
    ssize_t n = stdio_read(buf, len); /* blocks until a byte arrives */
    return n > 0 ? (long)n : -1;
}

static long console_write(const unsigned char *buf, size_t len)
{
    ssize_t n = stdio_write(buf, len);
    return n > 0 ? (long)n : -1;
}

static void console_gone(void)
{
    wb_port_exit(0); /* nobody is listening any more */
}

#define WB_CONSOLE_IN_BUF 256
#include "../common/wb_console.h"

uint64_t wb_port_time_us(void)
{
    return ztimer64_now(ZTIMER64_USEC);
}

void wb_port_exit(int code)
{
#ifdef CPU_NATIVE
    real_exit(code);
#else
    (void)code;
    pm_off();
#endif
    for (;;) {
    }
}

void *wb_port_malloc(size_t size) { return malloc(size); }

void wb_port_free(void *ptr) { free(ptr); }
