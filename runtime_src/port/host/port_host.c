/*
 * wb_port.h for POSIX hosts: the console is the process's stdin/stdout,
 * unbuffered and binary; time from CLOCK_MONOTONIC; malloc/free from libc.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "wb_port.h"

#ifdef _WIN32 /* the protocol is binary: no CRLF translation, no Ctrl-Z end of file */
#include <fcntl.h>
#include <io.h>
#endif

static unsigned char in_buf[4096];
static size_t in_pos, in_len;

void wb_port_init(void)
{
    /* A vanished host must end the agent through EOF/EPIPE, not a signal. */
#ifdef SIGPIPE /* Windows has no SIGPIPE */
    signal(SIGPIPE, SIG_IGN);
#endif
#ifdef _WIN32
    _setmode(STDIN_FILENO, _O_BINARY);
    _setmode(STDOUT_FILENO, _O_BINARY);
#endif
}

void wb_port_write(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len) {
        ssize_t n = write(STDOUT_FILENO, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(0); /* the host closed the line: nobody is listening */
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
    while (in_pos == in_len) {
        ssize_t n = read(STDIN_FILENO, in_buf, sizeof in_buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        in_pos = 0;
        in_len = (size_t)n;
    }
    return in_buf[in_pos++];
}

uint64_t wb_port_time_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void wb_port_exit(int code) { exit(code); }

void *wb_port_malloc(size_t size) { return malloc(size); }

void wb_port_free(void *ptr) { free(ptr); }
