/*
 * Call stacks of traps (dump-call-stack) and of a running call
 * (copy-call-stack). The interpreter keeps no per-frame function record:
 * a frame is known by its code pointer (the current ip, or the return ip a
 * caller left in env->frames), and the function is the one whose compiled
 * code holds it (module->funcs[] are laid out in index order, so a binary
 * search finds it). Nothing here runs unless something trapped or an
 * embedder asked, so the hot loop pays nothing (docs/embedding.md).
 */
#include "wb_internal.h"
#if WB_FEATURE_FAST_INTERP
#include "wb_fast.h"
#endif

#if WB_FEATURE_DUMP_CALL_STACK || WB_FEATURE_COPY_CALL_STACK
/* index (in the function index space) of the function whose code holds ip */
static uint32_t func_at(const wb_module *m, const uint32_t *ip)
{
    uint32_t off, lo = 0, hi, nd = m->nfuncs - m->nfunc_imports;
#if WB_FEATURE_FAST_INTERP
    if (m->fast) { /* a fast-interp frame: ip is in the translated code */
        off = wb_fast_func_at(m, ip);
        if (off != WB_NONE)
            return off;
    }
#endif
    if (!nd || !m->code || ip <= m->code)
        return WB_NONE;
    off = (uint32_t)(ip - 1 - m->code);
    hi = nd;
    while (hi - lo > 1) { /* the last body starting at or before off */
        uint32_t mid = lo + (hi - lo) / 2u;
        if (m->funcs[mid].code <= off)
            lo = mid;
        else
            hi = mid;
    }
    return m->nfunc_imports + lo;
}

static const char *func_name(const wb_module *m, uint32_t idx)
{
    uint32_t i;
#if WB_FEATURE_CUSTOM_NAME_SECTION
    if (m->func_names && m->func_names[idx])
        return m->func_names[idx];
#endif
    for (i = 0; i < m->nexports; i++)
        if (m->exports[i].kind == 0 && m->exports[i].index == idx)
            return m->exports[i].name;
    return NULL;
}

static void put_frame(wb_frame_info *out, const wb_instance *inst, const uint32_t *ip)
{
    const wb_module *m = inst->module;
    uint32_t idx = func_at(m, ip);
    out->func_index = idx;
    out->name = idx == WB_NONE ? NULL : func_name(m, idx);
}

/* Frames of one interpreter activation, innermost first: the function at
 * (inst, ip), then the callers recorded in frames[depth-1 .. stop]. Returns
 * how many there were; writes at most cap. */
static uint32_t walk(const wb_frame *frames, uint32_t depth, uint32_t stop,
                     const wb_instance *inst, const uint32_t *ip,
                     wb_frame_info *out, uint32_t cap)
{
    uint32_t n = 0, k;
    if (inst && ip) {
        if (n < cap)
            put_frame(&out[n], inst, ip);
        n++;
    }
    for (k = depth; k-- > stop;) {
        if (!frames[k].ip)
            continue; /* the entry marker of an interpreter activation */
        if (n < cap)
            put_frame(&out[n], frames[k].inst, frames[k].ip);
        n++;
    }
    return n;
}
#endif

#if WB_FEATURE_DUMP_CALL_STACK
void wb_trace_record(wb_env *env, const wb_instance *inst, const uint32_t *ip,
                     uint32_t depth, uint32_t depth0)
{
    uint32_t have = env->ntrace < WB_TRACE_MAX ? env->ntrace : WB_TRACE_MAX;
    env->ntrace += walk(env->frames, depth, depth0, inst, ip, env->trace + have,
                        WB_TRACE_MAX - have);
}
#endif

uint32_t wb_trap_frames(const wb_env *env, wb_frame_info *out, uint32_t cap)
{
#if WB_FEATURE_DUMP_CALL_STACK
    uint32_t i;
    for (i = 0; i < cap && i < env->ntrace && i < WB_TRACE_MAX; i++)
        out[i] = env->trace[i];
    return env->ntrace;
#else
    (void)env;
    (void)out;
    (void)cap;
    return 0;
#endif
}

#if WB_FEATURE_DUMP_CALL_STACK
static void put(char *buf, size_t cap, size_t *n, const char *s)
{
    while (*s && *n + 1u < cap)
        buf[(*n)++] = *s++;
}

static void put_u32(char *buf, size_t cap, size_t *n, uint32_t v)
{
    char d[11];
    int k = 0;
    do {
        d[k++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (k && *n + 1u < cap)
        buf[(*n)++] = d[--k];
}
#endif

size_t wb_trap_call_stack(const wb_env *env, char *buf, size_t cap)
{
    size_t n = 0;
    if (!buf || !cap)
        return 0;
#if WB_FEATURE_DUMP_CALL_STACK
    {
        uint32_t i, shown = env->ntrace < WB_TRACE_MAX ? env->ntrace : WB_TRACE_MAX;
        for (i = 0; i < shown; i++) {
            const wb_frame_info *f = &env->trace[i];
            put(buf, cap, &n, "#");
            put_u32(buf, cap, &n, i);
            if (f->func_index == WB_NONE) {
                put(buf, cap, &n, " ?");
            } else {
                put(buf, cap, &n, " func[");
                put_u32(buf, cap, &n, f->func_index);
                put(buf, cap, &n, "]");
                if (f->name) {
                    put(buf, cap, &n, " ");
                    put(buf, cap, &n, f->name);
                }
            }
            put(buf, cap, &n, "\n");
        }
        if (env->ntrace > shown) {
            put(buf, cap, &n, "... ");
            put_u32(buf, cap, &n, env->ntrace - shown);
            put(buf, cap, &n, " more\n");
        }
    }
#else
    (void)env;
#endif
    buf[n] = 0;
    return n;
}

uint32_t wb_ctx_call_stack(wb_ctx *ctx, wb_frame_info *out, uint32_t cap)
{
#if WB_FEATURE_COPY_CALL_STACK
    wb_env *env = ctx->env;
    if (!env->frames)
        return 0;
    return walk(env->frames, env->depth, 0, NULL, NULL, out, cap);
#else
    (void)ctx;
    (void)out;
    (void)cap;
    return 0;
#endif
}
