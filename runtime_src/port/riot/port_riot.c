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

static uint8_t in_buf[256];
static size_t in_pos, in_len;

void wb_port_init(void)
{
    /* RIOT's auto_init has set up stdio and ztimer64 before main() */
}

void wb_port_write(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = stdio_write(p, len);
        if (n <= 0)
            wb_port_exit(0); /* nobody is listening any more */
        p += n;
        len -= (size_t)n;
    }
}

void wb_port_putc(int c)
{
    uint8_t b = (uint8_t)c;
    wb_port_write(&b, 1);
}

int wb_port_getc(void)
{
    while (in_pos == in_len) {
        ssize_t n = stdio_read(in_buf, sizeof in_buf); /* blocks until a byte arrives */
        if (n <= 0)
            return -1;
        in_pos = 0;
        in_len = (size_t)n;
    }
    return in_buf[in_pos++];
}

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
