/*
 * The thread half of wb_port.h on POSIX threads (host, NuttX): mutexes,
 * condition variables timed on CLOCK_MONOTONIC, detached threads. One copy for
 * every port whose OS has pthreads; a port includes it once, inside its
 * `#if WB_PORT_HAS_THREADS && WB_FEATURE_SHARED_MEMORY`, after defining
 *
 *   WB_PTHREAD_STACK_DEFAULT   a thread's stack when the caller asks for none
 *                              (0: the OS's default)
 *
 * It is a header, not a .c file of port/common/, because bare-metal builds
 * compile every .c file there (as wb_console.h).
 */
#ifndef WB_PTHREAD_H
#define WB_PTHREAD_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "wb_port.h"

struct wb_port_mutex {
    pthread_mutex_t m;
};

struct wb_port_cond {
    pthread_cond_t c;
};

wb_port_mutex *wb_port_mutex_new(void)
{
    wb_port_mutex *m = (wb_port_mutex *)malloc(sizeof *m);
    if (m && pthread_mutex_init(&m->m, NULL)) {
        free(m);
        m = NULL;
    }
    return m;
}

void wb_port_mutex_free(wb_port_mutex *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->m);
    free(m);
}

void wb_port_mutex_lock(wb_port_mutex *m) { pthread_mutex_lock(&m->m); }
void wb_port_mutex_unlock(wb_port_mutex *m) { pthread_mutex_unlock(&m->m); }

wb_port_cond *wb_port_cond_new(void)
{
    wb_port_cond *c = (wb_port_cond *)malloc(sizeof *c);
    pthread_condattr_t a;
    if (!c)
        return NULL;
    if (pthread_condattr_init(&a)) {
        free(c);
        return NULL;
    }
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    if (pthread_cond_init(&c->c, &a)) {
        free(c);
        c = NULL;
    }
    pthread_condattr_destroy(&a);
    return c;
}

void wb_port_cond_free(wb_port_cond *c)
{
    if (!c)
        return;
    pthread_cond_destroy(&c->c);
    free(c);
}

int wb_port_cond_wait(wb_port_cond *c, wb_port_mutex *m, uint64_t timeout_ns)
{
    struct timespec ts;
    uint64_t ns;
    /* beyond ~68 years: no timeout in practice (and a 32-bit time_t cannot hold it) */
    if (timeout_ns == UINT64_MAX || timeout_ns > (uint64_t)INT32_MAX * 1000000000u) {
        pthread_cond_wait(&c->c, &m->m);
        return 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ns = (uint64_t)ts.tv_nsec + timeout_ns % 1000000000u;
    ts.tv_sec += (time_t)(timeout_ns / 1000000000u + ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    return pthread_cond_timedwait(&c->c, &m->m, &ts) == ETIMEDOUT ? 1 : 0;
}

void wb_port_cond_broadcast(wb_port_cond *c) { pthread_cond_broadcast(&c->c); }

typedef struct start_rec {
    void (*fn)(void *);
    void *arg;
} start_rec;

static void *trampoline(void *p)
{
    start_rec r = *(start_rec *)p;
    free(p);
    r.fn(r.arg);
    return NULL;
}

int wb_port_thread_start(void (*fn)(void *), void *arg, size_t stack_size)
{
    pthread_t t;
    pthread_attr_t a;
    start_rec *r = (start_rec *)malloc(sizeof *r);
    int err;
    if (!r)
        return WB_ENOMEM;
    r->fn = fn;
    r->arg = arg;
    if (pthread_attr_init(&a)) {
        free(r);
        return WB_ENOMEM;
    }
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (!stack_size)
        stack_size = WB_PTHREAD_STACK_DEFAULT;
    if (stack_size)
        pthread_attr_setstacksize(&a, stack_size);
    err = pthread_create(&t, &a, trampoline, r);
    pthread_attr_destroy(&a);
    if (err) {
        free(r);
        return err == EAGAIN ? WB_EAGAIN : WB_ENOMEM;
    }
    return 0;
}

#endif
