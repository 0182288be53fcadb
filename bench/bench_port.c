/*
 * Minimal POSIX port for the host benchmark driver, used only when the
 * project's host port (runtime_src/port/host/) is not there: console on
 * stdio, time from clock_gettime, allocation from malloc.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wb_port.h"

void wb_port_init(void) {}

void wb_port_putc(int c)
{
    putchar(c);
}

void wb_port_write(const void *buf, size_t len)
{
    fwrite(buf, 1, len, stdout);
}

int wb_port_getc(void)
{
    int c = getchar();
    return c == EOF ? -1 : c;
}

uint64_t wb_port_time_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void wb_port_exit(int code)
{
    fflush(stdout);
    exit(code);
}

void *wb_port_malloc(size_t size)
{
    return malloc(size);
}

void wb_port_free(void *ptr)
{
    free(ptr);
}
