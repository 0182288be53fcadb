/*
 * A wasi-threads program without a libc (Debian's wasi-libc ships no
 * wasm32-wasi-threads sysroot): the imports wasi-libc's pthreads use
 * (wasi.thread-spawn, an imported shared env.memory, wasi_thread_start),
 * atomics and wait/notify. NT threads each add to shared counters (32-bit,
 * 64-bit and 8-bit atomics) and to a total under a wait/notify mutex; the main
 * thread joins them by waiting on their done flags, checks the sums, prints a
 * line and exits with 0 (1 on a wrong sum). -DROUNDS=r spawns and joins the NT
 * threads r times (a port reuses its thread stacks). Variants: -DEXIT_FROM_THREAD
 * (a thread calls proc_exit(7) while main waits forever), -DTRAP_IN_THREAD
 * (a thread traps), -DPRINT_IN_THREADS (every thread prints 50 lines).
 * Built by tests/test_threads.py; the commands are there.
 */
#include <stdint.h>

#define IMPORT(m, n) __attribute__((import_module(m), import_name(n)))
IMPORT("wasi", "thread-spawn") int32_t thread_spawn(void *arg);
IMPORT("wasi_snapshot_preview1", "fd_write")
int32_t fd_write(int32_t fd, const void *iovs, int32_t n, int32_t *written);
IMPORT("wasi_snapshot_preview1", "proc_exit") _Noreturn void proc_exit(int32_t code);

#ifndef NT
#define NT 4
#endif
#ifndef ROUNDS
#define ROUNDS 1
#endif
#define M 20000   /* atomic increments per thread */
#define L 2000    /* mutex-protected additions per thread */
#define STACK 8192

struct targ {
    uint32_t stack_top; /* first word: read by wasi_thread_start */
    int32_t idx;
    int32_t tid;
    int32_t done;
};

static struct targ targs[NT];
static uint8_t stacks[NT][STACK] __attribute__((aligned(16)));
static int32_t counter;
static int64_t counter64;
static uint8_t flags8;
static int32_t lock_word;
static int64_t total;

static void lock(void)
{
    while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
        __builtin_wasm_memory_atomic_wait32(&lock_word, 1, -1);
}

static void unlock(void)
{
    __atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
    __builtin_wasm_memory_atomic_notify(&lock_word, 1);
}

static void put(const char *s)
{
    struct { const char *p; uint32_t n; } iov = {s, 0};
    int32_t w;
    while (s[iov.n])
        iov.n++;
    fd_write(1, &iov, 1, &w);
}

static char *num(char *p, int64_t v)
{
    char tmp[24];
    int n = 0;
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

void thread_main(int32_t tid, struct targ *a)
{
    int i;
    a->tid = tid;
#ifdef EXIT_FROM_THREAD
    if (a->idx == 1)
        proc_exit(7);
#endif
#ifdef TRAP_IN_THREAD
    if (a->idx == 1)
        __builtin_trap();
#endif
    for (i = 0; i < M; i++) {
        __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&counter64, 3, __ATOMIC_SEQ_CST);
    }
    __atomic_fetch_or(&flags8, (uint8_t)(1u << a->idx), __ATOMIC_SEQ_CST);
    for (i = 0; i < L; i++) {
        lock();
        total += a->idx + 1; /* plain read-modify-write: only correct under the lock */
        unlock();
    }
#ifdef PRINT_IN_THREADS
    {
        char line[64], *p = str(line, "thread ");
        int k;
        p = str(num(p, a->idx), " says hello\n");
        *p = 0;
        for (k = 0; k < 50; k++) /* lines from every thread at once: each whole */
            put(line);
    }
#endif
    __atomic_store_n(&a->done, 1, __ATOMIC_SEQ_CST);
    __builtin_wasm_memory_atomic_notify(&a->done, 1);
}

void _start(void)
{
    char line[160], *p = line;
    int i, r, ok = 1;
    int64_t want = 0;
    for (r = 0; r < ROUNDS; r++) {
        for (i = 0; i < NT; i++) {
            targs[i].stack_top = (uint32_t)(uintptr_t)(stacks[i] + STACK);
            targs[i].idx = i;
            targs[i].done = 0;
            if (thread_spawn(&targs[i]) <= 0) {
                put("thread-spawn failed\n");
                proc_exit(2);
            }
        }
        for (i = 0; i < NT; i++) {
            while (!__atomic_load_n(&targs[i].done, __ATOMIC_SEQ_CST))
                __builtin_wasm_memory_atomic_wait32(&targs[i].done, 0, -1);
            want += (int64_t)L * (i + 1);
            ok &= targs[i].tid > 0;
            if (i)
                ok &= targs[i].tid != targs[i - 1].tid;
        }
    }
    ok &= counter == ROUNDS * NT * M && counter64 == 3LL * ROUNDS * NT * M && total == want &&
          flags8 == (uint8_t)(NT >= 8 ? 0xFFu : (1u << NT) - 1u);
    p = str(p, "threads=");
    p = num(p, NT);
    p = str(p, " counter=");
    p = num(p, counter);
    p = str(p, " counter64=");
    p = num(p, counter64);
    p = str(p, " total=");
    p = num(p, total);
    p = str(p, " flags=");
    p = num(p, flags8);
    p = str(p, ok ? " ok\n" : " WRONG\n");
    *p = 0;
    put(line);
    proc_exit(ok ? 0 : 1);
}
