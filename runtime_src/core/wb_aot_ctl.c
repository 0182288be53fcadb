/*
 * AOT runtime services for tail calls and legacy exception handling
 * (wb_aot_ctl_rt in wb_aot_abi.h; the generated side is wasmbed/aot/emit_ctl.py).
 *
 * A return_call_indirect resolves its element here (the checks of
 * call_indirect, no call): the generated dispatcher then runs an own function
 * in its loop, so tail recursion keeps a bounded native stack.
 *
 * An exception thrown by AOT code lives where the interpreter keeps one
 * (env->exn_tag, env->exn, wb_eh.c) and travels as trap STATUS with status
 * WB_ERR_EXCEPTION: AOT try regions test it after each call, and a caller
 * (interpreter, native, embedder) sees an ordinary WB_ERR_EXCEPTION.
 */
#include "wb_internal.h"

#if WB_FEATURE_AOT
#include "wb_aot.h"
#include "wb_aot_abi.h"
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
#include "wb_eh.h"
#endif
#if WB_FEATURE_SIMD && WB_FEATURE_INTERP
#include "wb_ext.h"
#endif

#define INST(c) ((wb_instance *)(c)->inst)

static uint32_t ctl_resolve(wb_aot_ctx *c, uint32_t table, uint32_t type, uint32_t elem)
{
    wb_instance *inst = INST(c);
    wb_table *t = inst->tables[table];
    const wb_module *m = inst->module;
    wb_func *f;
    if (elem >= t->size) {
        c->trap = WB_AOT_TRAP_UNDEFINED;
        return 0;
    }
    f = (wb_func *)t->elems[elem];
    if (!f) {
        c->trap = WB_AOT_TRAP_UNINIT;
        return 0;
    }
    if (!wb_functype_eq(f->type, &m->types[type])) {
        c->trap = WB_AOT_TRAP_SIGNATURE;
        return 0;
    }
    if (f >= inst->own_funcs && f < inst->own_funcs + (m->nfuncs - m->nfunc_imports))
        return m->nfunc_imports + (uint32_t)(f - inst->own_funcs);
    return UINT32_MAX;
}

#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
static uintptr_t ctl_tag(wb_aot_ctx *c, uint32_t idx)
{
    return (uintptr_t)INST(c)->tags[idx];
}

static uintptr_t ctl_exn_tag(wb_aot_ctx *c)
{
    return (uintptr_t)INST(c)->env->exn_tag;
}

static void ctl_exn_take(wb_aot_ctx *c, uint64_t *vals)
{
    wb_env *env = INST(c)->env;
    uint32_t k;
    for (k = 0; k < env->exn_n && k < WB_AOT_EH_PAYLOAD; k++)
        vals[k] = env->exn[k];
}

static void ctl_throw(wb_aot_ctx *c, uintptr_t tag, const uint64_t *vals)
{
    wb_env *env = INST(c)->env;
    wb_tag *tg = (wb_tag *)tag;
    uint32_t k, n = wb_slots_of(tg->type->nparams, tg->type->types);
    if (n > WB_AOT_EH_PAYLOAD)
        n = WB_AOT_EH_PAYLOAD;
    for (k = 0; k < n; k++)
        env->exn[k] = vals[k];
    env->exn_n = n;
    env->exn_tag = tg;
    c->trap = WB_AOT_TRAP_STATUS;
    c->status = (uint32_t)wb_fail(env, WB_ERR_EXCEPTION, "uncaught exception");
}
#else
/* built without legacy-exception-handling: the loader refuses tags, so no AOT module
 * of such a runtime can reach these */
static uintptr_t ctl_tag(wb_aot_ctx *c, uint32_t idx)
{
    (void)idx;
    c->trap = WB_AOT_TRAP_UNREACHABLE;
    return 0;
}

static uintptr_t ctl_exn_tag(wb_aot_ctx *c)
{
    (void)c;
    return 0;
}

static void ctl_exn_take(wb_aot_ctx *c, uint64_t *vals)
{
    (void)c;
    (void)vals;
}

static void ctl_throw(wb_aot_ctx *c, uintptr_t tag, const uint64_t *vals)
{
    (void)tag;
    (void)vals;
    c->trap = WB_AOT_TRAP_UNREACHABLE;
}
#endif

#if WB_FEATURE_SIMD && WB_FEATURE_INTERP
/* One SIMD instruction of AOT code: the interpreter's own (wb_ext_simd) on the slots s[],
 * its immediates rewritten into the interpreter's layout (wb_simd.h). */
static void ctl_simd(wb_aot_ctx *c, uint32_t sub, const uint32_t *imm, uint64_t *s,
                     uint32_t n)
{
    wb_instance *inst = INST(c);
    uint32_t ip[4] = {0, 0, 0, 0};
    wb_extctx x;
    wb_status st;
    if (sub <= 0x0Bu || (sub >= 0x54u && sub <= 0x5Du)) { /* memory: offset, memory, lane */
        ip[0] = imm[0];
#if WB_FEATURE_MEMORY64 || WB_FEATURE_MULTI_MEMORY
        ip[1] = imm[1];
        ip[2] = imm[2];
        if (sub >= 0x54u && sub <= 0x5Bu)
            ip[3] = imm[3];
#else
        if (sub >= 0x54u && sub <= 0x5Bu)
            ip[1] = imm[3];
#endif
    } else if (imm) {
        ip[0] = imm[0];
        if (sub == 0x0Du) {
            ip[1] = imm[1];
            ip[2] = imm[2];
            ip[3] = imm[3];
        }
    }
    x.env = inst->env;
    x.inst = inst;
    x.fp = s;
    x.sp = s + n;
    x.ip = ip;
    x.depth = inst->env->depth;
    st = wb_ext_simd(&x, sub);
    if (st) {
        c->trap = WB_AOT_TRAP_STATUS;
        c->status = (uint32_t)st;
    }
}
#else
/* built without SIMD (the loader refuses v128) or without the interpreter whose SIMD
 * code this reuses */
static void ctl_simd(wb_aot_ctx *c, uint32_t sub, const uint32_t *imm, uint64_t *s,
                     uint32_t n)
{
    (void)sub;
    (void)imm;
    (void)s;
    (void)n;
    c->trap = WB_AOT_TRAP_STATUS;
    c->status = (uint32_t)wb_fail(INST(c)->env, WB_ERR_UNSUPPORTED,
                                  "SIMD in AOT code needs a runtime built with simd and interp");
}
#endif

const wb_aot_ctl_rt wb_aot_ctl = {
    ctl_resolve, ctl_tag, ctl_exn_tag, ctl_exn_take, ctl_throw, ctl_simd,
};
#else
typedef int wb_aot_ctl_unused; /* ISO C: no empty translation unit */
#endif /* WB_FEATURE_AOT */
