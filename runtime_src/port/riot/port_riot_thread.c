/*
 * wb_port.h threads on RIOT: RIOT's mutexes, a condition variable of our own
 * with a timeout (RIOT's cond_t has no timed wait), and threads on static
 * stacks. Compiled to nothing unless a feature uses threads (shared-memory,
 * wasi-threads); docs/threads.md.
 *
 * Stacks: RIOT threads run on memory the caller provides. They come from a
 * static pool of WB_PORT_THREADS stacks of WB_PORT_THREAD_STACK bytes each
 * (the RIOT app's Makefile sets both from the board descriptor: its
 * `stack_size`, the same as the main thread's). RIOT keeps the thread's
 * control block at the top of its stack and clears the scheduler's slot when
 * the thread has ended, so a stack is free again once the scheduler no longer
 * holds the control block it had (a thread that only returned from its
 * function has not let go of its stack yet). More threads than stacks:
 * thread_start answers WB_EAGAIN (thread-spawn then fails, as a full pthread
 * pool does).
 *
 * Threads run at the main thread's priority. RIOT does not share the CPU
 * between threads of one priority by time slices: a thread runs until it
 * blocks (a wait, a lock held by another thread, the console), so a program
 * whose threads spin on a flag without waiting would not progress; programs
 * built on wasi-libc's pthreads wait.
 *
 * The condition variable: each waiter queues a record on the stack with a
 * locked RIOT mutex and blocks on it (with ztimer64's timed lock when there
 * is a timeout); broadcast takes the whole queue and marks it (interrupts
 * off, as RIOT's own cond_t changes its queue), then unlocks each record; a
 * waiter whose timeout raced with a marking broadcast waits for that unlock
 * before its record goes out of scope.
 */
#include "wb_defaults.h"

#if WB_PORT_HAS_THREADS && WB_FEATURE_SHARED_MEMORY

#include <stdint.h>
#include <stdlib.h>

#include "irq.h"
#include "mutex.h"
#include "thread.h"
#include "ztimer64.h"

#include "wb_port.h"

#ifndef WB_PORT_THREADS
#define WB_PORT_THREADS 8
#endif
#ifndef WB_PORT_THREAD_STACK
#define WB_PORT_THREAD_STACK (64 * 1024)
#endif

struct wb_port_mutex {
    mutex_t m;
};

typedef struct cond_waiter {
    struct cond_waiter *next;
    mutex_t wake; /* locked until a broadcast unlocks it */
    int woken;
} cond_waiter;

struct wb_port_cond {
    cond_waiter *head;
};

wb_port_mutex *wb_port_mutex_new(void)
{
    wb_port_mutex *m = (wb_port_mutex *)malloc(sizeof *m);
    if (m)
        mutex_init(&m->m);
    return m;
}

void wb_port_mutex_free(wb_port_mutex *m) { free(m); }
void wb_port_mutex_lock(wb_port_mutex *m) { mutex_lock(&m->m); }
void wb_port_mutex_unlock(wb_port_mutex *m) { mutex_unlock(&m->m); }

wb_port_cond *wb_port_cond_new(void)
{
    wb_port_cond *c = (wb_port_cond *)malloc(sizeof *c);
    if (c)
        c->head = NULL;
    return c;
}

void wb_port_cond_free(wb_port_cond *c) { free(c); }

int wb_port_cond_wait(wb_port_cond *c, wb_port_mutex *m, uint64_t timeout_ns)
{
    cond_waiter w;
    cond_waiter **pp;
    unsigned state;
    int timed_out = 0;
    w.woken = 0;
    mutex_init_locked(&w.wake);
    state = irq_disable();
    w.next = c->head;
    c->head = &w;
    irq_restore(state);
    mutex_unlock(&m->m);
    if (timeout_ns == UINT64_MAX)
        mutex_lock(&w.wake);
    else
        timed_out = ztimer64_mutex_lock_timeout(ZTIMER64_USEC, &w.wake,
                                                timeout_ns / 1000u + (timeout_ns % 1000u != 0))
                    != 0;
    state = irq_disable();
    if (!w.woken) { /* timed out before any broadcast: leave the queue */
        for (pp = &c->head; *pp; pp = &(*pp)->next) {
            if (*pp == &w) {
                *pp = w.next;
                break;
            }
        }
        irq_restore(state);
    } else {
        irq_restore(state);
        if (timed_out) /* a broadcast came too: wait until it has let go of `w` */
            mutex_lock(&w.wake);
        timed_out = 0;
    }
    mutex_lock(&m->m);
    return timed_out;
}

void wb_port_cond_broadcast(wb_port_cond *c)
{
    unsigned state = irq_disable();
    cond_waiter *w = c->head, *next;
    c->head = NULL;
    for (next = w; next; next = next->next)
        next->woken = 1; /* from here each waiter waits for its unlock below */
    irq_restore(state);
    while (w) {
        next = w->next; /* w may be gone once its mutex is unlocked */
        mutex_unlock(&w->wake);
        w = next;
    }
}

/* ---- threads on a static pool of stacks ---- */
typedef struct stack_slot {
    thread_t *tcb;   /* the control block RIOT made on this stack; NULL: never used */
    kernel_pid_t pid;
    void (*fn)(void *);
    void *arg;
} stack_slot;

static char stacks[WB_PORT_THREADS][WB_PORT_THREAD_STACK] __attribute__((aligned(16)));
static stack_slot slots[WB_PORT_THREADS];

static void *trampoline(void *p)
{
    stack_slot *s = (stack_slot *)p;
    s->fn(s->arg);
    return NULL; /* RIOT ends the thread; its stack is free once the scheduler lets go */
}

int wb_port_thread_start(void (*fn)(void *), void *arg, size_t stack_size)
{
    unsigned state;
    kernel_pid_t pid;
    int i;
    (void)stack_size; /* the pool's size (WB_PORT_THREAD_STACK) is fixed at build time */
    state = irq_disable();
    for (i = 0; i < WB_PORT_THREADS; i++) {
        stack_slot *s = &slots[i];
        if (s->tcb && thread_get(s->pid) == s->tcb)
            continue; /* still running (or not yet fully ended) */
        s->fn = fn;
        s->arg = arg;
        /* created sleeping, so that the slot is complete before the thread runs */
        pid = thread_create(stacks[i], (int)sizeof stacks[i], THREAD_PRIORITY_MAIN,
                            THREAD_CREATE_SLEEPING, trampoline, s, "wasm");
        if (pid < 0) {
            s->tcb = NULL;
            irq_restore(state);
            return WB_EAGAIN;
        }
        s->pid = pid;
        s->tcb = thread_get(pid);
        irq_restore(state);
        thread_wakeup(pid);
        return 0;
    }
    irq_restore(state);
    return WB_EAGAIN; /* every stack is in use */
}

#else
typedef int wb_port_riot_thread_unused; /* ISO C: no empty translation unit */
#endif
