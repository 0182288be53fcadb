/*
 * wasi-threads (feature wasi-threads, on ports with threads): the
 * `wasi.thread-spawn` import and the thread group behind it. docs/threads.md
 * has the design; in short:
 *
 * - A module that imports a shared memory from "env" in an environment where
 *   wb_wasi_threads_register ran gets that memory made for it (min pages,
 *   allocated at its maximum so it never moves) together with a thread
 *   group; the instance owns the group.
 * - thread-spawn(arg) makes, in the calling thread, a new environment (its
 *   own value stack, frames and error text; natives from the embedder's
 *   setup function) and a new instance of the caller's module whose memory
 *   import is the group's memory, then starts a port thread that calls the
 *   instance's `wasi_thread_start(tid, arg)`. It returns the thread id (> 0),
 *   or a negative number when the thread could not be made.
 * - proc_exit or a trap in any thread ends the group: every waiter wakes and
 *   its wait ends the same way; a running thread stops at its next wait,
 *   thread-spawn, import call or return. The owner's instance, when freed,
 *   waits up to WB_THREADS_JOIN_MS for the threads to end, then ends the
 *   process (their code and memory are about to be freed).
 *
 * Module reference counts and the instances a thread makes and frees are
 * changed under the group's lock; each thread's environment is its own.
 */
#include "wb_internal.h"

#ifndef WB_FEATURE_THREAD_MGR
#define WB_FEATURE_THREAD_MGR 0
#endif
/* thread-mgr (the support table's thread manager) is this file's thread group */
#if WB_FEATURE_WASI_THREADS && !WB_FEATURE_THREAD_MGR
#error "wasi-threads needs thread-mgr (the feature registry adds it)"
#endif

#if WB_FEATURE_WASI_THREADS && WB_FEATURE_SHARED_MEMORY && WB_PORT_HAS_THREADS

#ifndef WB_MAX_PAGES /* as wb_instance.c: the largest memory this build allocates */
#define WB_MAX_PAGES 4096u
#endif
#ifndef WB_THREADS_JOIN_MS
#define WB_THREADS_JOIN_MS 5000u
#endif
#define MAX_TID 0x1FFFFFFFu /* the spec's range of thread ids: 1 .. 2^29-1 */

struct wb_thread_group {
    wb_port_mutex *lock;
    wb_port_cond *ended; /* signalled when a thread ends */
    uint32_t refs;       /* the owner's instance + one per live thread */
    uint32_t live;       /* spawned threads still running */
    uint32_t next_tid;
    int exiting;         /* read without the lock by waiters: atomic */
    wb_status status;    /* how the group ended: WB_ERR_EXIT or WB_ERR_TRAP */
    int exit_code;
    char msg[sizeof(((wb_env *)0)->err)];
    wb_memory mem;
    wb_env_setup_fn setup;
};

typedef struct thread_rec {
    wb_thread_group *g;
    wb_env *env;
    wb_instance *inst;
    wb_func *entry;
    uint32_t tid, arg;
} thread_rec;

static void group_release(wb_thread_group *g)
{
    uint32_t left;
    wb_port_mutex_lock(g->lock);
    left = --g->refs;
    wb_port_mutex_unlock(g->lock);
    if (left)
        return;
    wb_port_cond_free(g->ended);
    wb_port_mutex_free(g->lock);
    wb_port_free(g->mem.data);
    wb_port_free(g);
}

/* The first thread (trap or exit) that ends the group says how. */
static void group_end(wb_thread_group *g, wb_status st, int code, const char *msg)
{
    wb_port_mutex_lock(g->lock);
    if (!g->exiting) {
        size_t n = wb_strlen(msg);
        if (n >= sizeof g->msg)
            n = sizeof g->msg - 1u;
        memcpy(g->msg, msg, n);
        g->msg[n] = 0;
        g->status = st;
        g->exit_code = code;
        __atomic_store_n(&g->exiting, 1, __ATOMIC_SEQ_CST);
    }
    wb_port_mutex_unlock(g->lock);
    wb_atomic_wake_all();
}

int wb_threads_exiting(const wb_instance *inst)
{
    const wb_thread_group *g = inst->wt;
    return g && __atomic_load_n(&g->exiting, __ATOMIC_SEQ_CST);
}

wb_status wb_threads_end_status(wb_env *env, const wb_instance *inst)
{
    wb_thread_group *g = inst->wt;
    wb_status st;
    wb_port_mutex_lock(g->lock);
    st = g->status;
    env->exit_code = g->exit_code;
    wb_fail(env, st, g->msg);
    wb_port_mutex_unlock(g->lock);
    return st;
}

/* ---- the memory import ------------------------------------------------------------------ */
wb_memory *wb_threads_memory(wb_env *env, wb_instance *inst, const wb_import *im,
                             const wb_limits *l)
{
    wb_thread_group *g = env->wt;
    if (!env->wt_setup || !l->shared || wb_strlen(im->module) != 3 ||
        memcmp(im->module, "env", 3))
        return NULL;
    if (g) { /* a spawned thread's instance: the group's memory */
        if (g->mem.pages < l->min || g->mem.max > l->max)
            return NULL;
        inst->wt = g; /* the thread's own reference covers it */
        return &g->mem;
    }
    g = (wb_thread_group *)wb_port_malloc(sizeof *g);
    if (!g)
        return NULL;
    memset(g, 0, sizeof *g);
    g->lock = wb_port_mutex_new();
    g->ended = wb_port_cond_new();
    g->mem.pages = l->min;
    g->mem.max = l->max;
    g->mem.has_max = 1;
    g->mem.shared = 1;
    g->mem.cap = l->max < WB_MAX_PAGES ? l->max : WB_MAX_PAGES;
    g->mem.data = l->min <= g->mem.cap
                      ? (uint8_t *)wb_port_malloc((size_t)g->mem.cap * WB_PAGE + 1u)
                      : NULL;
    g->setup = env->wt_setup;
    g->refs = 1;
    if (!g->lock || !g->ended || !g->mem.data) {
        wb_port_cond_free(g->ended);
        wb_port_mutex_free(g->lock);
        wb_port_free(g->mem.data);
        wb_port_free(g);
        return NULL;
    }
    memset(g->mem.data, 0, (size_t)g->mem.cap * WB_PAGE + 1u);
    inst->wt = g;
    inst->wt_owner = 1;
    return &g->mem;
}

void wb_threads_instance_gone(wb_instance *inst)
{
    wb_thread_group *g = inst->wt;
    uint64_t start;
    uint32_t live;
    if (!g || !inst->wt_owner)
        return; /* a thread's instance: the thread drops its reference */
    /* the owner goes: end the group and give the threads a moment to stop */
    group_end(g, WB_ERR_EXIT, 0, "exit");
    start = wb_port_time_us();
    wb_port_mutex_lock(g->lock);
    while (g->live && wb_port_time_us() - start < WB_THREADS_JOIN_MS * 1000ull)
        wb_port_cond_wait(g->ended, g->lock, 10000000u);
    live = g->live;
    wb_port_mutex_unlock(g->lock);
    /* A thread that never reaches a wait, a call of an import or its return would run on
     * in code and memory about to be freed: the process ends instead (EX_SOFTWARE). */
    if (live)
        wb_port_exit(70);
    group_release(g);
}

/* ---- threads ---------------------------------------------------------------------------- */
static void thread_main(void *p)
{
    thread_rec *t = (thread_rec *)p;
    wb_thread_group *g = t->g;
    wb_value args[2];
    wb_status st;
    args[0].type = args[1].type = WB_I32;
    args[0].of.i32 = t->tid;
    args[1].of.i32 = t->arg;
    st = wb_call(t->env, t->entry, args, 2, NULL, 0);
    if (st == WB_ERR_EXIT || st == WB_ERR_TRAP || st == WB_ERR_EXHAUSTION)
        group_end(g, st == WB_ERR_EXIT ? WB_ERR_EXIT : WB_ERR_TRAP, t->env->exit_code,
                  wb_last_error(t->env));
    wb_port_mutex_lock(g->lock); /* the module's reference count is shared */
    wb_instance_free(t->inst);
    wb_env_free(t->env);
    g->live--;
    wb_port_cond_broadcast(g->ended);
    wb_port_mutex_unlock(g->lock);
    wb_port_free(t);
    group_release(g);
}

/* wasi.thread-spawn(start_arg) -> tid (> 0), or < 0 when no thread was made */
static wb_status n_thread_spawn(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    wb_instance *caller = ctx->inst;
    wb_thread_group *g = caller ? caller->wt : NULL;
    thread_rec *t;
    wb_config cfg;
    wb_status st;
    r[0].type = WB_I32;
    r[0].of.i32 = (uint32_t)-1;
    if (!g) /* the module imports no shared env.memory */
        return WB_OK;
    if (__atomic_load_n(&g->exiting, __ATOMIC_SEQ_CST))
        return wb_threads_end_status(ctx->env, caller);
    t = (thread_rec *)wb_port_malloc(sizeof *t);
    if (!t)
        return WB_OK;
    memset(t, 0, sizeof *t);
    t->g = g;
    t->arg = a[0].of.i32;
    memset(&cfg, 0, sizeof cfg);
    cfg.value_stack_slots = ctx->env->stack_slots;
    cfg.max_call_depth = ctx->env->max_depth;
    if (wb_env_new(&cfg, &t->env) != WB_OK) {
        wb_port_free(t);
        return WB_OK;
    }
    t->env->wt = g;
    t->env->wt_setup = g->setup;
    st = g->setup(t->env);
    if (st == WB_OK)
        st = wb_wasi_threads_register(t->env, g->setup);
    wb_port_mutex_lock(g->lock);
    if (st == WB_OK && g->next_tid < MAX_TID)
        st = wb_instantiate(t->env, caller->module, &t->inst);
    else if (st == WB_OK)
        st = WB_ERR_NOMEM;
    if (st == WB_OK && (wb_export_func(t->inst, "wasi_thread_start", &t->entry) != WB_OK ||
                        t->entry->type->nparams != 2 || t->entry->type->nresults != 0 ||
                        t->entry->type->types[0] != WB_I32 || t->entry->type->types[1] != WB_I32))
        st = WB_ERR_NOT_FOUND;
    if (st == WB_OK) {
        t->tid = ++g->next_tid;
        g->refs++;
        g->live++;
        if (wb_port_thread_start(thread_main, t, 0) != 0) {
            g->refs--;
            g->live--;
            st = WB_ERR_NOMEM;
        }
    }
    if (st != WB_OK) {
        if (t->inst)
            wb_instance_free(t->inst);
        wb_env_free(t->env);
        wb_port_mutex_unlock(g->lock);
        wb_port_free(t);
        return WB_OK; /* -1: wasi-libc's pthread_create answers EAGAIN */
    }
    r[0].of.i32 = t->tid;
    wb_port_mutex_unlock(g->lock);
    return WB_OK;
}

wb_status wb_wasi_threads_register(wb_env *env, wb_env_setup_fn setup)
{
    if (!setup)
        return wb_fail(env, WB_ERR_ARGS, "wasi-threads needs an environment setup function");
    env->wt_setup = setup;
    return wb_register_native(env, "wasi", "thread-spawn", "i:i", n_thread_spawn, NULL);
}

#else
wb_status wb_wasi_threads_register(wb_env *env, wb_env_setup_fn setup)
{
    (void)setup;
    return wb_not_built(env, "wasi-threads");
}
#endif
