/*
 * multi-module: imports naming a module that is neither registered nor a
 * native module are loaded on demand through an embedder-supplied reader,
 * instantiated and registered under that name, so later modules share the
 * same instance (docs/embedding.md). Registering instances by hand
 * (wb_register_instance) works in every build; this file adds the reader.
 */
#include "wb_internal.h"

#if WB_FEATURE_MULTI_MODULE
static int same(const char *a, const char *b)
{
    size_t n = wb_strlen(a);
    return n == wb_strlen(b) && !memcmp(a, b, n);
}

/* "<what> <name>: <detail>" into the error buffer */
static wb_status mm_fail(wb_env *env, wb_status st, const char *what, const char *name,
                         const char *detail)
{
    char buf[sizeof env->err];
    size_t n = 0;
    const char *parts[4];
    uint32_t k;
    parts[0] = what;
    parts[1] = name;
    parts[2] = ": ";
    parts[3] = detail;
    for (k = 0; k < 4; k++) {
        const char *s = parts[k];
        while (*s && n + 1u < sizeof buf)
            buf[n++] = *s++;
    }
    buf[n] = 0;
    return wb_fail(env, st, buf);
}

wb_status wb_mm_resolve(wb_env *env, const char *name)
{
    const uint8_t *bytes = NULL;
    uint32_t size = 0, k;
    wb_module *m;
    wb_instance *inst = NULL;
    wb_reg *g;
    wb_native_rec *n;
    wb_status st;
    if (!env->mm_reader)
        return WB_OK;
    for (g = env->regs; g; g = g->next)
        if (same(g->name, name))
            return WB_OK; /* registered already */
    for (n = env->natives; n; n = n->next)
        if (same(n->module, name))
            return WB_OK; /* a native module */
    for (k = 0; k < env->mm_depth; k++)
        if (same(env->mm_loading[k], name))
            return mm_fail(env, WB_ERR_LINK, "module import cycle through ", name,
                           "it is being loaded");
    if (env->mm_depth >= WB_MM_DEPTH)
        return mm_fail(env, WB_ERR_LINK, "modules nested too deeply at ", name,
                       "more than WB_MM_DEPTH levels");
    st = env->mm_reader(env->mm_user, name, &bytes, &size);
    if (st == WB_ERR_NOT_FOUND)
        return WB_OK; /* unresolved: the caller reports the unknown import */
    if (st)
        return mm_fail(env, st, "module reader failed for ", name, "");
    env->mm_loading[env->mm_depth++] = name;
    st = wb_module_load(env, bytes, size, &m);
    if (env->mm_release)
        env->mm_release(env->mm_user, bytes, size);
    if (!st) {
        st = wb_instantiate(env, m, &inst);
        wb_module_free(m); /* the instance holds it */
    }
    env->mm_depth--;
    if (st) {
        char detail[sizeof env->err];
        memcpy(detail, env->err, sizeof detail);
        return mm_fail(env, st, "loading module ", name, detail);
    }
    st = wb_register_instance(env, name, inst);
    wb_instance_free(inst); /* the registration holds it */
    return st;
}
#endif

wb_status wb_set_module_reader(wb_env *env, wb_module_reader reader,
                               wb_module_release release, void *user)
{
#if WB_FEATURE_MULTI_MODULE
    env->mm_reader = reader;
    env->mm_release = release;
    env->mm_user = user;
    return WB_OK;
#else
    (void)reader;
    (void)release;
    (void)user;
    return wb_not_built(env, "multi-module"); /* wb_register_instance works without */
#endif
}
