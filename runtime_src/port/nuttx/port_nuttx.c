/*
 * wb_port.h on Apache NuttX, through NuttX's own APIs: the console is the
 * task's stdin/stdout (NuttX's serial console) switched to raw mode with
 * termios (no echo, no line discipline, no CR/LF translation, no signal
 * characters), time from clock_gettime(CLOCK_MONOTONIC), memory from NuttX's
 * heap. wb_port_exit prints "WASMBED EXIT n" (the exit code cannot travel
 * through a power-off) and powers the board off with boardctl().
 */
#include <nuttx/config.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/boardctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "wb_port.h"

static void raw_mode(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return;
    t.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON | ISTRIP | BRKINT);
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    (void)tcsetattr(fd, TCSANOW, &t);
}

void wb_port_init(void)
{
    raw_mode(STDIN_FILENO);
    raw_mode(STDOUT_FILENO);
}

static void console_gone(void)
{
    /* nobody is listening: the rest of the output is dropped */
}

#define WB_CONSOLE_FD_AGAIN EAGAIN /* stdin, stdout; a read that found no byte is made again */
#define WB_CONSOLE_IN_BUF 512
#include "../common/wb_console.h"

uint64_t wb_port_time_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void put_text(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    wb_port_write(s, n);
}

void wb_port_exit(int code)
{
    char digits[12];
    int n = 0;
    unsigned v = code < 0 ? 0u - (unsigned)code : (unsigned)code;
    put_text("\nWASMBED EXIT ");
    if (code < 0)
        wb_port_putc('-');
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n)
        wb_port_putc(digits[--n]);
    wb_port_putc('\n');
    tcdrain(STDOUT_FILENO);
#ifdef CONFIG_BOARDCTL_POWEROFF
    boardctl(BOARDIOC_POWEROFF, (uintptr_t)code);
#endif
    exit(code);
}

void *wb_port_malloc(size_t size) { return malloc(size); }

void wb_port_free(void *ptr) { free(ptr); }
