/*
 * The threads proposal's atomics (extension family WB_EXT_ATOMIC, see
 * wb_ext.h and wb_atomic.h): atomic loads, stores, read-modify-write and
 * compare-exchange at 8/16/32/64 bits, memory.atomic.wait32/wait64/notify,
 * atomic.fence, and the growth of shared memories.
 *
 * How an access is made atomic depends on the port (docs/threads.md):
 * - a port with threads (WB_PORT_HAS_THREADS) whose compiler does 1, 2, 4
 *   and 8-byte atomics lock-free: the compiler's __atomic builtins (the C11
 *   memory model, sequentially consistent) on the linear memory's bytes;
 * - a port with threads without them: every atomic access under one port
 *   mutex;
 * - a port without threads (bare metal): plain accesses, nothing can run
 *   in between. A wait there can never be notified: with a timeout it
 *   times out (after the timeout, on the port clock), without one it traps.
 * Waiters queue on one list under one port mutex; each waits on the shared
 * condition variable until notify marks it woken (or its time is up).
 */
#include "wb_ext.h"
#include "wb_atomic.h"

#if WB_FEATURE_SHARED_MEMORY

/* WB_ATOMIC_LOCKED=1 forces the port-mutex path (tests it on a host that has the builtins) */
#if !defined(WB_ATOMIC_LOCKED) && WB_PORT_HAS_THREADS && defined(__GNUC__) &&             \
    defined(__GCC_ATOMIC_LLONG_LOCK_FREE) && \
    __GCC_ATOMIC_CHAR_LOCK_FREE == 2 && __GCC_ATOMIC_SHORT_LOCK_FREE == 2 &&          \
    __GCC_ATOMIC_INT_LOCK_FREE == 2 && __GCC_ATOMIC_LLONG_LOCK_FREE == 2
#define AT_BUILTIN 1
#else
#define AT_BUILTIN 0
#endif
#define AT_LOCKED (WB_PORT_HAS_THREADS && !AT_BUILTIN)

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define AT_BE 1
#else
#define AT_BE 0
#endif

static uint64_t mask_of(unsigned n) { return n == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8u * n)) - 1u; }

/* ---- the lock, the condition and the waiters --------------------------------------- */
typedef struct waiter {
    struct waiter *next;
    const uint8_t *addr;
    int woken;
} waiter;

#if WB_PORT_HAS_THREADS
typedef struct sync {
    wb_port_mutex *m;
    wb_port_cond *c;
} sync;
static sync *at_sync; /* made once, by the first thread that needs it; kept */
static waiter *waiters;
#define at_lock (at_sync->m)
#define at_cond (at_sync->c)

static int lock_ready(void)
{
    sync *none = NULL, *s;
    if (__atomic_load_n(&at_sync, __ATOMIC_ACQUIRE))
        return 1;
    s = (sync *)wb_port_malloc(sizeof *s);
    if (!s)
        return 0;
    s->m = wb_port_mutex_new();
    s->c = wb_port_cond_new();
    if (s->m && s->c &&
        __atomic_compare_exchange_n(&at_sync, &none, s, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return 1;
    wb_port_mutex_free(s->m); /* out of memory, or another thread was first */
    wb_port_cond_free(s->c);
    wb_port_free(s);
    return __atomic_load_n(&at_sync, __ATOMIC_ACQUIRE) != NULL;
}
static void lock(void) { wb_port_mutex_lock(at_lock); }
static void unlock(void) { wb_port_mutex_unlock(at_lock); }
#else
static int lock_ready(void) { return 1; }
static void lock(void) {}
static void unlock(void) {}
#endif

/* ---- accesses --------------------------------------------------------------------- */
#if !AT_BUILTIN
/* plain little-endian n-byte load / store (no threads, or under the lock) */
static uint64_t ld_plain(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    unsigned k;
    for (k = n; k--;)
        v = (v << 8) | p[k];
    return v;
}
static void st_plain(uint8_t *p, unsigned n, uint64_t v)
{
    unsigned k;
    for (k = 0; k < n; k++, v >>= 8)
        p[k] = (uint8_t)v;
}

#endif

#if AT_BUILTIN
/* host order <-> the little-endian bytes of linear memory, n bytes */
static uint64_t le(uint64_t v, unsigned n)
{
#if AT_BE
    switch (n) {
    case 2: return __builtin_bswap16((uint16_t)v);
    case 4: return __builtin_bswap32((uint32_t)v);
    case 8: return __builtin_bswap64(v);
    default: return v;
    }
#else
    (void)n;
    return v;
#endif
}

static uint64_t ld(const uint8_t *p, unsigned n)
{
    switch (n) {
    case 1: return __atomic_load_n(p, __ATOMIC_SEQ_CST);
    case 2: return le(__atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_SEQ_CST), 2);
    case 4: return le(__atomic_load_n((const uint32_t *)(const void *)p, __ATOMIC_SEQ_CST), 4);
    default: return le(__atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_SEQ_CST), 8);
    }
}

static void st(uint8_t *p, unsigned n, uint64_t v)
{
    v = le(v, n);
    switch (n) {
    case 1: __atomic_store_n(p, (uint8_t)v, __ATOMIC_SEQ_CST); break;
    case 2: __atomic_store_n((uint16_t *)(void *)p, (uint16_t)v, __ATOMIC_SEQ_CST); break;
    case 4: __atomic_store_n((uint32_t *)(void *)p, (uint32_t)v, __ATOMIC_SEQ_CST); break;
    default: __atomic_store_n((uint64_t *)(void *)p, v, __ATOMIC_SEQ_CST); break;
    }
}

/* compare-exchange: *exp (host order) updated to what was there on failure */
static int cas(uint8_t *p, unsigned n, uint64_t *exp, uint64_t nv)
{
    int ok;
    nv = le(nv, n);
    switch (n) {
    case 1: {
        uint8_t e = (uint8_t)*exp;
        ok = __atomic_compare_exchange_n(p, &e, (uint8_t)nv, 0, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST);
        *exp = e;
        return ok;
    }
    case 2: {
        uint16_t e = (uint16_t)le(*exp, 2);
        ok = __atomic_compare_exchange_n((uint16_t *)(void *)p, &e, (uint16_t)nv, 0,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        *exp = le(e, 2);
        return ok;
    }
    case 4: {
        uint32_t e = (uint32_t)le(*exp, 4);
        ok = __atomic_compare_exchange_n((uint32_t *)(void *)p, &e, (uint32_t)nv, 0,
                                         __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        *exp = le(e, 4);
        return ok;
    }
    default: {
        uint64_t e = le(*exp, 8);
        ok = __atomic_compare_exchange_n((uint64_t *)(void *)p, &e, nv, 0, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST);
        *exp = le(e, 8);
        return ok;
    }
    }
}
#else
static uint64_t ld(const uint8_t *p, unsigned n)
{
    uint64_t v;
    lock();
    v = ld_plain(p, n);
    unlock();
    return v;
}
static void st(uint8_t *p, unsigned n, uint64_t v)
{
    lock();
    st_plain(p, n, v);
    unlock();
}
static int cas(uint8_t *p, unsigned n, uint64_t *exp, uint64_t nv)
{
    uint64_t cur;
    int ok;
    lock();
    cur = ld_plain(p, n);
    ok = cur == *exp;
    if (ok)
        st_plain(p, n, nv);
    unlock();
    *exp = cur;
    return ok;
}
#endif

/* a load while holding the lock (the locked ld() takes it itself) */
#if AT_BUILTIN
#define LD_LOCKED(p, n) ld(p, n)
#else
#define LD_LOCKED(p, n) ld_plain(p, n)
#endif

static uint64_t apply(unsigned op, uint64_t a, uint64_t b)
{
    switch (op) {
    case WB_RMW_ADD: return a + b;
    case WB_RMW_SUB: return a - b;
    case WB_RMW_AND: return a & b;
    case WB_RMW_OR: return a | b;
    case WB_RMW_XOR: return a ^ b;
    default: return b; /* xchg */
    }
}

/* ---- wait / notify ------------------------------------------------------------------- */
#if WB_FEATURE_WASI_THREADS
#define ENDED(inst) wb_threads_exiting(inst)
#else
#define ENDED(inst) 0
#endif

/* 0 woken, 1 not equal, 2 timed out; -1 blocks forever on a runtime without
 * threads; -2 the thread group ended while waiting */
static int wait_on(wb_instance *inst, uint8_t *p, unsigned n, uint64_t expected, int64_t timeout_ns)
{
#if WB_PORT_HAS_THREADS
    waiter w, **pp;
    uint64_t start = wb_port_time_us();
    int res = 0;
    (void)inst; /* used by ENDED() with wasi-threads */
    lock();
    if (LD_LOCKED(p, n) != expected) {
        unlock();
        return 1;
    }
    w.next = NULL;
    w.addr = p;
    w.woken = 0;
    for (pp = &waiters; *pp; pp = &(*pp)->next)
        ;
    *pp = &w;
    while (!w.woken) {
        uint64_t left = UINT64_MAX;
        if (ENDED(inst)) {
            res = -2;
            break;
        }
        if (timeout_ns >= 0) {
            uint64_t spent = (wb_port_time_us() - start) * 1000u;
            if (spent >= (uint64_t)timeout_ns) {
                res = 2;
                break;
            }
            left = (uint64_t)timeout_ns - spent;
        }
        wb_port_cond_wait(at_cond, at_lock, left);
    }
    if (res) /* still queued: take it out */
        for (pp = &waiters; *pp; pp = &(*pp)->next)
            if (*pp == &w) {
                *pp = w.next;
                break;
            }
    unlock();
    return res;
#else
    uint64_t start;
    (void)inst;
    if (ld(p, n) != expected)
        return 1;
    if (timeout_ns < 0)
        return -1;
    start = wb_port_time_us();
    while ((wb_port_time_us() - start) * 1000u < (uint64_t)timeout_ns)
        ;
    return 2;
#endif
}

static uint32_t notify(const uint8_t *p, uint32_t count)
{
#if WB_PORT_HAS_THREADS
    waiter **pp;
    uint32_t woke = 0;
    lock();
    for (pp = &waiters; *pp && woke < count;) {
        waiter *w = *pp;
        if (w->addr == p) {
            w->woken = 1;
            *pp = w->next;
            woke++;
        } else {
            pp = &w->next;
        }
    }
    if (woke)
        wb_port_cond_broadcast(at_cond);
    unlock();
    return woke;
#else
    (void)p;
    (void)count;
    return 0; /* nobody can be waiting */
#endif
}

void wb_atomic_wake_all(void)
{
#if WB_PORT_HAS_THREADS
    if (!lock_ready())
        return;
    lock();
    wb_port_cond_broadcast(at_cond);
    unlock();
#endif
}

int32_t wb_shared_grow(wb_memory *mem, uint32_t delta)
{
    uint32_t old;
    uint64_t np;
    if (!lock_ready())
        return -1;
    lock();
    old = mem->pages;
    np = (uint64_t)old + delta;
    if (np > mem->max || np > mem->cap) {
        unlock();
        return -1;
    }
    /* the pages past `pages` are still zero: nothing could write them */
#if WB_PORT_HAS_THREADS
    __atomic_store_n(&mem->pages, (uint32_t)np, __ATOMIC_SEQ_CST);
#else
    mem->pages = (uint32_t)np;
#endif
    unlock();
    return (int32_t)old;
}

/* ---- one instruction ------------------------------------------------------------------- */
/* Atomic instruction `sub` (0xFE sub-opcode, not the fence) at byte address ea of memory
 * `mem` (UINT64_MAX stands for an address that wrapped); a, b: the operands after the
 * address (value / expected+replacement / count / expected+timeout). Shared by the
 * interpreter's family below and AOT code (wb_aot.c rt_atomic). */
wb_status wb_atomic_do(wb_env *env, wb_instance *inst, uint32_t mem_idx, uint32_t sub,
                       uint64_t ea, uint64_t a, uint64_t b, uint64_t *out)
{
    wb_atomic_op o = wb_atomic_decode(sub);
    wb_memory *mem = inst->mems[mem_idx];
    uint64_t size, res = 0;
    uint8_t *p;
    unsigned n = o.size;
    if (o.kind == WB_AT_FENCE) {
#if WB_PORT_HAS_THREADS && defined(__GNUC__)
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
        return WB_OK;
    }
    if (o.kind == WB_AT_BAD)
        return wb_fail(env, WB_ERR_TRAP, "illegal opcode");
    if (!lock_ready())
        return wb_fail(env, WB_ERR_NOMEM, "out of memory");
#if WB_PORT_HAS_THREADS
    size = (uint64_t)__atomic_load_n(&mem->pages, __ATOMIC_SEQ_CST) * WB_PAGE;
#else
    size = (uint64_t)mem->pages * WB_PAGE;
#endif
    if (ea > size || n > size - ea)
        return wb_fail(env, WB_ERR_TRAP, "out of bounds memory access");
    if (ea & (n - 1u))
        return wb_fail(env, WB_ERR_TRAP, "unaligned atomic");
    p = mem->data + (size_t)ea;
    switch (o.kind) {
    case WB_AT_LOAD:
        res = ld(p, n);
        break;
    case WB_AT_STORE:
        st(p, n, a & mask_of(n));
        break;
    case WB_AT_RMW: {
        uint64_t old = ld(p, n), arg = a & mask_of(n);
        while (!cas(p, n, &old, apply(o.rmw, old, arg) & mask_of(n)))
            ;
        res = old;
        break;
    }
    case WB_AT_CMPXCHG: {
        uint64_t exp = a & mask_of(n);
        /* an expected value wider than the access never matches (spec: wrapped
         * for the narrow forms, which is what the mask does) */
        cas(p, n, &exp, b & mask_of(n));
        res = exp;
        break;
    }
    case WB_AT_NOTIFY:
        res = mem->shared ? notify(p, (uint32_t)a) : 0u;
        break;
    default: { /* wait32 / wait64 */
        int r;
        if (!mem->shared)
            return wb_fail(env, WB_ERR_TRAP, "expected shared memory");
        r = wait_on(inst, p, n, a & mask_of(n), (int64_t)b);
#if WB_FEATURE_WASI_THREADS
        if (r == -2) /* proc_exit or a trap in another thread */
            return wb_threads_end_status(env, inst);
#endif
        if (r < 0)
            return wb_fail(env, WB_ERR_TRAP,
                           "wait would block forever (this runtime has no other thread)");
        res = (uint32_t)r;
        break;
    }
    }
    *out = res;
    return WB_OK;
}

/* ---- the family ---------------------------------------------------------------------- */
#if WB_FEATURE_INTERP
wb_status wb_ext_atomic(wb_extctx *x, uint32_t sub)
{
    wb_atomic_op o = wb_atomic_decode(sub);
    wb_memory *mem;
    wb_slot *sp = x->sp;
    uint64_t ea, res = 0;
    unsigned nargs;
    wb_status st;
    if (o.kind == WB_AT_FENCE)
        return wb_atomic_do(x->env, x->inst, 0, sub, 0, 0, 0, &res);
    nargs = o.kind == WB_AT_LOAD ? 1u : (o.kind == WB_AT_WAIT || o.kind == WB_AT_CMPXCHG) ? 3u : 2u;
    mem = x->inst->mems[0];
    ea = (uint64_t)(uint32_t)sp[-(int)nargs] + *x->ip++;
    st = wb_atomic_do(x->env, x->inst, 0, sub, ea, nargs == 3u ? sp[-2] : sp[-1], sp[-1], &res);
    if (st)
        return st;
    sp -= nargs;
    if (o.kind != WB_AT_STORE)
        *sp++ = res;
    x->sp = sp;
    if (mem->shared) /* another thread may have grown it: reload its size */
        x->env->mem_epoch++;
    return WB_OK;
}
#endif

#else
typedef int wb_atomic_unused; /* ISO C: no empty translation unit */
#endif
