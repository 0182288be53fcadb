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

static void console_gone(void)
{
    _exit(0); /* the host closed the line: nobody is listening */
}

#define WB_CONSOLE_FD_AGAIN EINTR /* stdin, stdout; only an interrupted call is made again */
#define WB_CONSOLE_IN_BUF 4096
#include "../common/wb_console.h"

uint64_t wb_port_time_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void wb_port_exit(int code) { exit(code); }

void *wb_port_malloc(size_t size) { return malloc(size); }

void wb_port_free(void *ptr) { free(ptr); }
