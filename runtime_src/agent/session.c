/*
 * The agent's session: one runtime environment and a table of instance
 * handles the host refers to. RESET throws everything away and builds a
 * fresh environment with the natives and the `spectest` module (on a small
 * heap pool: `spectest` when a module first names it).
 */
#include <string.h>

#include "agent.h"
#if WB_FEATURE_LIBC_BUILTIN
#include "libc_builtin.h"
#endif
#if WB_FEATURE_LIBC_WASI
#include "wasi/libc_wasi.h"
#endif

#if WB_FEATURE_WASI_THREADS
/* the natives of a thread spawned by wasi-threads: those of the session */
static wb_status thread_env_setup(wb_env *e)
{
    return wb_wasi_register(e);
}
#endif

typedef struct slot {
    wb_module *module;
    wb_instance *inst;
} slot;

static wb_env *env;
static slot slots[WB_AGENT_MAX_HANDLES];

/* On a small heap pool the `spectest` instance is made when an uploaded module names it
 * (session_spectest), not at every RESET, and without its 64 KiB memory until a module
 * imports that (the instance with the memory then replaces it under the name; the table of
 * the first is no longer the one later importers see). With stm32f405's 100 KiB pool the
 * memory left no room for a module's own page, and most spec modules never import it.
 * Elsewhere the whole instance is made at RESET, as before. */
#ifndef WB_AGENT_LAZY_SPECTEST
#if WB_FEATURE_GLOBAL_HEAP_POOL && (WB_GLOBAL_HEAP_SIZE) < 256u * 1024u
#define WB_AGENT_LAZY_SPECTEST 1
#else
#define WB_AGENT_LAZY_SPECTEST 0
#endif
#endif
static int spectest_made; /* 0 none, 1 without its memory, 2 whole */

#if WB_AGENT_LAZY_SPECTEST
/* The runtime allocates the value stack and call frames at the first call and keeps them.
 * Made by the first spec module's first call they sit above its 64 KiB page, and once that
 * module is freed the next one's small allocations land in the hole first: its page no longer
 * fits (memory_copy.wast, address.wast on stm32f405). One call of an empty function at RESET
 * puts them at the bottom of the pool instead. */
static const uint8_t empty_wasm[] = {
    0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
    0x01, 4, 1, 0x60, 0, 0,          /* type 0: [] -> [] */
    0x03, 2, 1, 0,                   /* one function of type 0 */
    0x07, 5, 1, 1, 'f', 0x00, 0,     /* export "f" */
    0x0A, 4, 1, 2, 0, 0x0B,          /* body: no locals, end */
};

static wb_status stacks_first(void)
{
    wb_module *m;
    wb_instance *inst;
    wb_func *f;
    wb_status st = wb_module_load(env, empty_wasm, (uint32_t)sizeof empty_wasm, &m);
    if (st != WB_OK)
        return st;
    st = wb_instantiate(env, m, &inst);
    if (st == WB_OK) {
        st = wb_export_func(inst, "f", &f);
        if (st == WB_OK)
            st = wb_call(env, f, NULL, 0, NULL, 0);
        wb_instance_free(inst);
    }
    wb_module_free(m);
    return st;
}
#endif

wb_env *session_env(void) { return env; }

#if WB_STATIC_APP || WB_FEATURE_APP_STORE
wb_status session_call_main(wb_instance *inst, int *code)
{
    wb_func *fn;
    wb_value argv[2], res[1];
    uint32_t np = 0, nr = 0;
    const uint8_t *pt, *rt;
    wb_status st;
    if (wb_export_func(inst, "_start", &fn) != WB_OK &&
        wb_export_func(inst, "main", &fn) != WB_OK)
        return WB_ERR_NOT_FOUND;
    wb_func_type(fn, &np, &pt, &nr, &rt);
    if (np > 2 || nr > 1)
        return WB_ERR_ARGS;
    argv[0].type = argv[1].type = WB_I32;
    argv[0].of.i32 = argv[1].of.i32 = 0;
    st = wb_call(env, fn, argv, np, res, nr);
    if (st == WB_OK)
        *code = nr ? (int)res[0].of.i32 : 0;
    else if (st == WB_ERR_EXIT)
        *code = wb_exit_code(env);
    return st == WB_ERR_EXIT ? WB_OK : st;
}
#endif

const char *session_error(void)
{
    const char *m = env ? wb_last_error(env) : "no runtime environment";
    return m ? m : "";
}

/* The value stack: the runtime's default (WB_DEFAULT_STACK_SLOTS, 128 KiB) unless the heap
 * is small, then an eighth of the heap: with the ESP32's 128 KiB heap the default stack
 * alone took the whole pool and every call failed with "out of memory". */
#ifndef WB_AGENT_STACK_SLOTS
#define WB_AGENT_STACK_SLOTS                                                                \
    ((WB_GLOBAL_HEAP_SIZE) / 64u < WB_DEFAULT_STACK_SLOTS ? (uint32_t)((WB_GLOBAL_HEAP_SIZE) / 64u) \
                                                        : WB_DEFAULT_STACK_SLOTS)
#endif

wb_status session_reset(void)
{
    wb_config cfg;
    wb_status st;
    cmd_load_reset();
    if (env)
        wb_env_free(env); /* releases every module and instance */
    env = NULL;
    memset(slots, 0, sizeof slots);
    memset(&cfg, 0, sizeof cfg); /* built-in pool or port allocator */
    cfg.value_stack_slots = WB_AGENT_STACK_SLOTS;
#ifdef WB_AGENT_CALL_DEPTH /* a board's cflags may bound it: 12 bytes a frame, made at once */
    cfg.max_call_depth = WB_AGENT_CALL_DEPTH;
#endif
    st = wb_env_new(&cfg, &env);
    if (st != WB_OK) {
        env = NULL;
        return st;
    }
#if WB_FEATURE_LIBC_BUILTIN
    st = wb_libc_builtin_register(env);
    if (st != WB_OK)
        return st;
#endif
#if WB_FEATURE_LIBC_WASI
    wb_wasi_reset(); /* closes the last program's files, forgets its args */
    st = wb_wasi_register(env);
    if (st != WB_OK)
        return st;
#endif
#if WB_FEATURE_WASI_THREADS
    st = wb_wasi_threads_register(env, thread_env_setup); /* wasi.thread-spawn */
    if (st != WB_OK)
        return st;
#endif
    spectest_made = 0;
    st = spectest_natives(env);
    if (st != WB_OK)
        return st;
#if WB_AGENT_LAZY_SPECTEST
    return stacks_first();
#else
    spectest_made = 2;
    return spectest_install(env, 1);
#endif
}

static int names_at(const uint8_t *bytes, uint32_t len, const char *what, uint32_t n)
{
    uint32_t i;
    for (i = 0; i + n <= len; i++)
        if (memcmp(bytes + i, what, n) == 0)
            return 1;
    return 0;
}

int session_names_spectest(const uint8_t *bytes, uint32_t len)
{
    /* an import's module and field names as the binary spells them (length, bytes); a
     * false match (the bytes in a data segment) only makes the instance early */
    static const char mem[] = "\x08spectest\x06memory\x02";
    static const char shared[] = "\x08spectest\x0dshared_memory\x02";
    static const char any[] = "\x08spectest";
    int need;
    if (!WB_AGENT_LAZY_SPECTEST)
        return 0;
    if (names_at(bytes, len, mem, sizeof mem - 1u) || names_at(bytes, len, shared, sizeof shared - 1u))
        need = 2;
    else
        need = names_at(bytes, len, any, sizeof any - 1u);
    return need > spectest_made ? need : 0;
}

wb_status session_spectest(int need)
{
    wb_status st;
    if (need <= spectest_made)
        return WB_OK;
    st = spectest_install(env, need == 2);
    if (st == WB_OK) /* out of memory now: the next module that names it tries again */
        spectest_made = need;
    return st;
}

uint32_t session_add(wb_module *m, wb_instance *inst)
{
    uint32_t i;
    for (i = 0; i < WB_AGENT_MAX_HANDLES; i++) {
        if (!slots[i].inst) {
            slots[i].module = m;
            slots[i].inst = inst;
            return i + 1u;
        }
    }
    return 0;
}

wb_instance *session_get(uint32_t handle)
{
    if (handle == 0 || handle > WB_AGENT_MAX_HANDLES)
        return NULL;
    return slots[handle - 1u].inst;
}

int session_free(uint32_t handle)
{
    slot *s;
    if (!session_get(handle))
        return -1;
    s = &slots[handle - 1u];
    wb_instance_free(s->inst);
    wb_module_free(s->module);
    s->inst = NULL;
    s->module = NULL;
    return 0;
}

uint32_t session_live(void)
{
    uint32_t i, n = 0;
    for (i = 0; i < WB_AGENT_MAX_HANDLES; i++)
        n += slots[i].inst != NULL;
    return n;
}
