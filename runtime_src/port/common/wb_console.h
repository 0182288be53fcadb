/*
 * The console half of wb_port.h (wb_port_write, wb_port_putc, wb_port_getc) for the
 * ports whose OS moves bytes in blocks (host, NuttX, RIOT, RT-Thread): one copy of
 * the write-until-done loop and of the buffered read. A port includes it once, after
 * defining
 *
 *   WB_CONSOLE_IN_BUF    bytes of the input buffer
 *   console_read(buf, len)   bytes read (> 0); 0: none yet, ask again;
 *                            < 0: the input has ended (wb_port_getc returns -1)
 *   console_write(buf, len)  bytes written (> 0); 0: interrupted, write again;
 *                            < 0: the line is gone
 *   console_gone()           what a gone line means there (exit, or drop the output)
 *
 * A port whose console is the file descriptors STDIN_FILENO / STDOUT_FILENO (host, NuttX)
 * defines WB_CONSOLE_FD_AGAIN instead of console_read/console_write: a read or write that
 * a signal interrupted (EINTR) is made again, and so is a read that failed with that errno.
 *
 * It is a header, not a .c file of port/common/, because bare-metal builds compile every
 * .c file there and have their console in templates/port/ instead.
 */
#ifndef WB_CONSOLE_H
#define WB_CONSOLE_H

#include <stddef.h>

#include "wb_port.h"

static long console_read(unsigned char *buf, size_t len);
static long console_write(const unsigned char *buf, size_t len);
static void console_gone(void);

#ifdef WB_CONSOLE_FD_AGAIN
#include <errno.h>
#include <unistd.h>

static long console_read(unsigned char *buf, size_t len)
{
    ssize_t n = read(STDIN_FILENO, buf, len);
    if (n < 0 && (errno == EINTR || errno == WB_CONSOLE_FD_AGAIN))
        return 0;
    return n > 0 ? (long)n : -1;
}

static long console_write(const unsigned char *buf, size_t len)
{
    ssize_t n = write(STDOUT_FILENO, buf, len);
    if (n < 0 && errno == EINTR)
        return 0;
    return n > 0 ? (long)n : -1;
}
#endif

static unsigned char console_in[WB_CONSOLE_IN_BUF];
static size_t console_in_pos, console_in_len;

void wb_port_write(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len) {
        long n = console_write(p, len);
        if (n == 0)
            continue;
        if (n < 0) {
            console_gone();
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

void wb_port_putc(int c)
{
    unsigned char b = (unsigned char)c;
    wb_port_write(&b, 1);
}

int wb_port_getc(void)
{
    while (console_in_pos == console_in_len) {
        long n = console_read(console_in, sizeof console_in);
        if (n < 0)
            return -1;
        console_in_pos = 0;
        console_in_len = (size_t)n;
    }
    return console_in[console_in_pos++];
}

#endif
