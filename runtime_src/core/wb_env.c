/*
 * Environments: allocation (global heap pool or port allocator), error
 * messages, native function registry, statistics, build information.
 */
#include "wb_internal.h"

#if !WB_PORT_HAS_MALLOC && !WB_FEATURE_GLOBAL_HEAP_POOL
#error "this platform has no allocator: enable the global-heap-pool feature"
#endif

#if WB_FEATURE_GLOBAL_HEAP_POOL
static uint64_t wb_static_pool[(WB_GLOBAL_HEAP_SIZE + 7u) / 8u];
static uint8_t wb_static_pool_busy;
#endif

/* ---- allocation ---------------------------------------------------------- */
#if WB_FEATURE_GLOBAL_HEAP_POOL
void *wb_alloc(wb_env *env, size_t n)
{
    void *p = wb_pool_alloc(&env->pool, n);
    if (p)
        memset(p, 0, n);
    return p;
}
void *wb_realloc(wb_env *env, void *p, size_t n)
{
    return wb_pool_realloc(&env->pool, p, n);
}
void wb_free(wb_env *env, void *p) { wb_pool_free(&env->pool, p); }
size_t wb_alloc_size(wb_env *env, void *p)
{
    (void)env;
    return p ? wb_pool_usable(p) + 8u : 0;
}
#else
/* An 8-byte header in front of every block remembers its size. */
static void acct(wb_env *env, size_t before, size_t after)
{
    if (!env)
        return;
    env->used = env->used - before + after;
    if (env->used > env->peak)
        env->peak = env->used;
}
void *wb_alloc(wb_env *env, size_t n)
{
    uint64_t *h;
    if (n > (size_t)-1 - 16u)
        return NULL;
    h = (uint64_t *)wb_port_malloc(n + 8u);
    if (!h)
        return NULL;
    h[0] = n;
    memset(h + 1, 0, n);
    acct(env, 0, n + 8u);
    return h + 1;
}
void *wb_realloc(wb_env *env, void *p, size_t n)
{
    uint64_t *q;
    size_t old;
    if (!p)
        return wb_alloc(env, n);
    old = (size_t)((uint64_t *)p)[-1];
    if (n <= old) {
        /* shrink in place: keep the block, remember the logical size */
        return p;
    }
    q = (uint64_t *)wb_alloc(env, n);
    if (!q)
        return NULL;
    memcpy(q, p, old);
    wb_free(env, p);
    return q;
}
void wb_free(wb_env *env, void *p)
{
    uint64_t *h;
    if (!p)
        return;
    h = (uint64_t *)p - 1;
    acct(env, (size_t)h[0] + 8u, 0);
    wb_port_free(h);
}
size_t wb_alloc_size(wb_env *env, void *p)
{
    (void)env;
    return p ? (size_t)((uint64_t *)p)[-1] + 8u : 0;
}
#endif

/* ---- environment ------------------------------------------------------- */
wb_status wb_env_new(const wb_config *cfg, wb_env **out)
{
    wb_env *env;
    wb_config def;
    *out = NULL;
    if (!cfg) {
        memset(&def, 0, sizeof def);
        cfg = &def;
    }
#if WB_FEATURE_GLOBAL_HEAP_POOL
    {
        wb_pool pool;
        void *mem = cfg->pool;
        size_t size = cfg->pool_size;
        if (!mem) {
            if (wb_static_pool_busy)
                return WB_ERR_NOMEM;
            mem = wb_static_pool;
            size = sizeof wb_static_pool;
        }
        if (!wb_pool_init(&pool, mem, size))
            return WB_ERR_NOMEM;
        env = (wb_env *)wb_pool_alloc(&pool, sizeof *env);
        if (!env)
            return WB_ERR_NOMEM;
        memset(env, 0, sizeof *env);
        env->pool = pool;
        if (mem == (void *)wb_static_pool)
            wb_static_pool_busy = 1;
    }
#else
    env = (wb_env *)wb_alloc(NULL, sizeof *env);
    if (!env)
        return WB_ERR_NOMEM;
    env->used = env->peak = sizeof *env + 8u;
#endif
    env->stack_slots = cfg->value_stack_slots ? cfg->value_stack_slots
                                              : WB_DEFAULT_STACK_SLOTS;
    env->max_depth = cfg->max_call_depth ? cfg->max_call_depth
                                         : WB_DEFAULT_CALL_DEPTH;
#if WB_FEATURE_FAST_INTERP
    env->fast_mode = WB_DEFAULT_FAST_INTERP;
#endif
    *out = env;
    return WB_OK;
}

void wb_env_free(wb_env *env)
{
    if (!env)
        return;
    while (env->instances)
        wb_instance_destroy(env->instances, 1);
    while (env->modules)
        wb_module_destroy(env->modules);
    while (env->natives) {
        wb_native_rec *n = env->natives;
        env->natives = n->next;
        wb_free(env, n->module);
        wb_free(env, n->field);
        wb_free(env, n->type.types);
        wb_free(env, n);
    }
    while (env->regs) {
        wb_reg *g = env->regs;
        env->regs = g->next;
        wb_free(env, g->name);
        wb_free(env, g);
    }
    wb_free(env, env->stack);
    wb_free(env, env->frames);
#if WB_FEATURE_GLOBAL_HEAP_POOL
    if (env->pool.base >= (uint8_t *)wb_static_pool &&
        env->pool.base < (uint8_t *)wb_static_pool + sizeof wb_static_pool)
        wb_static_pool_busy = 0;
#else
    wb_free(NULL, env);
#endif
}

/* The bound keeps compilers from turning the loop into a strlen() call,
 * which bare-metal ports do not provide. */
size_t wb_strlen(const char *s)
{
    size_t n = 0;
    while (s[n] && n < 0x7FFFFFFFu)
        n++;
    return n;
}


void wb_err_add(wb_env *env, const char *s, size_t len)
{
    size_t n = wb_strlen(env->err);
    while (len-- && n + 1u < sizeof env->err)
        env->err[n++] = *s++;
    env->err[n] = 0;
}

void wb_err_adds(wb_env *env, const char *s) { wb_err_add(env, s, wb_strlen(s)); }

wb_status wb_fail(wb_env *env, wb_status st, const char *msg)
{
    env->err[0] = 0;
    wb_err_adds(env, msg);
    return st;
}

wb_status wb_not_built(wb_env *env, const char *feature)
{
    wb_fail(env, WB_ERR_UNSUPPORTED, "runtime built without ");
    wb_err_adds(env, feature);
    return WB_ERR_UNSUPPORTED;
}

const char *wb_last_error(const wb_env *env) { return env ? env->err : ""; }
int wb_exit_code(const wb_env *env) { return env ? env->exit_code : 0; }

wb_status wb_env_set_fuel(wb_env *env, uint64_t fuel)
{
#if WB_FEATURE_INSTRUCTION_METERING
    env->fuel_budget = fuel;
    env->fuel = fuel;
    return WB_OK;
#else
    return fuel ? wb_not_built(env, "instruction-metering") : WB_OK;
#endif
}

uint64_t wb_env_fuel_left(const wb_env *env)
{
#if WB_FEATURE_INSTRUCTION_METERING
    return env->fuel_budget ? env->fuel : 0;
#else
    (void)env;
    return 0;
#endif
}

void wb_env_stats(const wb_env *env, wb_stats *out)
{
#if WB_FEATURE_GLOBAL_HEAP_POOL
    out->pool_size = env->pool.size;
    out->pool_used = env->pool.used;
    out->pool_peak = env->pool.peak;
#else
    out->pool_size = 0;
    out->pool_used = env->used;
    out->pool_peak = env->peak;
#endif
}

const char *wb_features(void) { return WB_FEATURES_STRING; }

/* ---- natives --------------------------------------------------------------- */
char *wb_strdup(wb_env *env, const char *s, size_t n)
{
    char *d = (char *)wb_alloc(env, n + 1);
    if (d)
        memcpy(d, s, n);
    return d;
}

static uint8_t sig_type(char c)
{
    switch (c) {
    case 'i': return WB_I32;
    case 'I': return WB_I64;
    case 'f': return WB_F32;
    case 'F': return WB_F64;
    case 'r': return WB_EXTERNREF;
    case 'R': return WB_FUNCREF;
    default: return 0;
    }
}

wb_status wb_register_native(wb_env *env, const char *module,
                             const char *field, const char *signature,
                             wb_native_fn fn, void *user)
{
    const char *colon = signature;
    size_t n = wb_strlen(signature), i, k = 0;
    wb_native_rec *rec;
    while (*colon && *colon != ':')
        colon++;
    if (!*colon || !fn)
        return wb_fail(env, WB_ERR_ARGS, "bad native signature");
    rec = (wb_native_rec *)wb_alloc(env, sizeof *rec);
    if (!rec)
        return wb_fail(env, WB_ERR_NOMEM, "out of memory");
    rec->module = wb_strdup(env, module, wb_strlen(module));
    rec->field = wb_strdup(env, field, wb_strlen(field));
    rec->type.types = (uint8_t *)wb_alloc(env, n ? n : 1);
    rec->type.nparams = (uint32_t)(colon - signature);
    rec->type.nresults = (uint32_t)(n - 1 - rec->type.nparams);
    rec->next = env->natives;
    env->natives = rec;
    if (!rec->module || !rec->field || !rec->type.types)
        return wb_fail(env, WB_ERR_NOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        if (signature[i] == ':')
            continue;
        if (!(rec->type.types[k++] = sig_type(signature[i]))) {
            rec->type.nparams = rec->type.nresults = 0;
            rec->module[0] = 0; /* never matches an import */
            return wb_fail(env, WB_ERR_ARGS, "bad native signature");
        }
    }
    rec->func.type = &rec->type;
    rec->func.nparams = rec->type.nparams;
    rec->func.native = fn;
    rec->func.user = user;
    return WB_OK;
}

void *wb_ctx_user(wb_ctx *ctx) { return ctx->user; }

uint8_t *wb_ctx_memory(wb_ctx *ctx, uint32_t *size)
{
    return wb_instance_memory(ctx->inst, size);
}

wb_status wb_ctx_trap(wb_ctx *ctx, const char *message)
{
    return wb_fail(ctx->env, WB_ERR_TRAP, message);
}

wb_status wb_ctx_exit(wb_ctx *ctx, int code)
{
    ctx->env->exit_code = code;
    return wb_fail(ctx->env, WB_ERR_EXIT, "exit");
}
