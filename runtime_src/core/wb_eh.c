/*
 * Legacy exception handling (feature legacy-exception-handling): throw,
 * rethrow and the unwinding that finds a handler (docs/embedding.md).
 *
 * Zero cost until something throws: try emits no code; the compiler
 * records each try body as a region of code offsets with its catches
 * (wb_eh.h). A throw takes the exception (tag + payload) into env, then
 * looks for the innermost region holding the throwing ip in the running
 * function, tries its catches, follows `next` (enclosing try, or the try a
 * delegate names), and with no handler left in the frame goes on in the
 * caller recorded in env->frames, as far as this interpreter activation's
 * entry. A handler gets the operand stack cut to the try's height, the
 * payload pushed, and the exception kept in the catch's hidden frame slots
 * for rethrow. Natives have no handlers and AOT code has its own (it sees
 * the exception as the failed status of a call, wb_aot_ctl.c): an exception
 * leaving a native or AOT code (a nested call that ended uncaught) goes on
 * unwinding in the wasm frames that called it (wb_interp.c); one that reaches the
 * embedder is WB_ERR_EXCEPTION "uncaught exception".
 */
#include "wb_eh.h"
#include "wb_ext.h"

#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING && WB_FEATURE_INTERP
wb_status wb_eh_add_region(wb_module *m, uint32_t *index)
{
    wb_eh_region *r;
    if (m->neh == m->eh_cap) {
        uint32_t cap = m->eh_cap ? m->eh_cap * 2u : 8u;
        r = (wb_eh_region *)wb_realloc(m->env, m->eh, (size_t)cap * sizeof *r);
        if (!r)
            return WB_ERR_NOMEM;
        m->eh = r;
        m->eh_cap = cap;
    }
    r = &m->eh[m->neh];
    memset(r, 0, sizeof *r);
    r->first = r->last = r->next = WB_NONE;
    r->end = WB_NONE;
    *index = m->neh++;
    return WB_OK;
}

wb_status wb_eh_add_catch(wb_module *m, uint32_t region, uint32_t tag, uint32_t target)
{
    wb_eh_catch *c;
    wb_eh_region *r = &m->eh[region];
    if (m->nehc == m->ehc_cap) {
        uint32_t cap = m->ehc_cap ? m->ehc_cap * 2u : 8u;
        c = (wb_eh_catch *)wb_realloc(m->env, m->ehc, (size_t)cap * sizeof *c);
        if (!c)
            return WB_ERR_NOMEM;
        m->ehc = c;
        m->ehc_cap = cap;
    }
    c = &m->ehc[m->nehc];
    c->tag = tag;
    c->target = target;
    c->next = WB_NONE;
    if (r->last == WB_NONE)
        r->first = m->nehc;
    else
        m->ehc[r->last].next = m->nehc;
    r->last = m->nehc++;
    return WB_OK;
}

/* the innermost region of m holding code offset off (the latest of equal starts) */
static uint32_t innermost(const wb_module *m, uint32_t off)
{
    uint32_t i, best = WB_NONE;
    for (i = 0; i < m->neh; i++) {
        const wb_eh_region *r = &m->eh[i];
        if (r->start <= off && off < r->end &&
            (best == WB_NONE || r->start >= m->eh[best].start))
            best = i;
    }
    return best;
}

/* Find a handler for env's exception, from the function running at
 * (x->inst, x->fp, x->depth) with its ip at x->ip (skip: start with its
 * caller). On a match the frame registers in x point at the handler. */
wb_status wb_eh_unwind(wb_extctx *x, int skip)
{
    wb_env *env = x->env;
    wb_instance *inst = x->inst;
    wb_slot *fp = x->fp;
    const uint32_t *ip = x->ip;
    uint32_t depth = x->depth;
    for (;;) {
        const wb_module *m = inst->module;
        if (!skip && m->neh && ip > m->code) {
            uint32_t reg = innermost(m, (uint32_t)(ip - 1 - m->code));
            while (reg != WB_NONE) {
                const wb_eh_region *r = &m->eh[reg];
                uint32_t c;
                for (c = r->first; c != WB_NONE; c = m->ehc[c].next) {
                    const wb_eh_catch *h = &m->ehc[c];
                    wb_slot *sp, *keep;
                    uint32_t k;
                    if (h->tag != WB_NONE && inst->tags[h->tag] != env->exn_tag)
                        continue;
                    /* the handler: stack at the try's height, payload on it */
                    sp = fp + r->height;
                    keep = fp + r->slot;
                    keep[0] = (uintptr_t)env->exn_tag;
                    for (k = 0; k < env->exn_n; k++)
                        keep[1 + k] = env->exn[k];
                    if (h->tag != WB_NONE)
                        for (k = 0; k < env->exn_n; k++)
                            *sp++ = env->exn[k];
                    x->inst = inst;
                    x->fp = fp;
                    x->sp = sp;
                    x->depth = depth;
                    x->ip = m->code + h->target;
                    return WB_OK;
                }
                reg = r->next;
            }
        }
        skip = 0;
        /* the caller: frames[depth - 1] (NULL ip: this activation's entry) */
        if (!depth || !env->frames[depth - 1].ip)
            break;
        depth--;
        ip = env->frames[depth].ip;
        fp = env->frames[depth].fp;
        inst = env->frames[depth].inst;
#if WB_FEATURE_AOT
        if (inst->module->aot)
            skip = 1; /* AOT code has no regions here: it catches after its calls */
#endif
    }
    return wb_fail(env, WB_ERR_EXCEPTION, "uncaught exception");
}

wb_status wb_ext_eh(wb_extctx *x, uint32_t sub)
{
    wb_env *env = x->env;
    uint32_t k, n, imm = *x->ip++;
    switch (sub) {
    case WB_EH_THROW: {
        wb_tag *tag = x->inst->tags[imm];
        n = wb_slots_of(tag->type->nparams, tag->type->types);
        x->sp -= n;
        for (k = 0; k < n; k++)
            env->exn[k] = x->sp[k];
        env->exn_n = n;
        env->exn_tag = tag;
        break;
    }
    case WB_EH_RETHROW: {
        const wb_slot *keep = x->fp + imm;
        env->exn_tag = (wb_tag *)(uintptr_t)keep[0];
        n = wb_slots_of(env->exn_tag->type->nparams, env->exn_tag->type->types);
        for (k = 0; k < n; k++)
            env->exn[k] = keep[1 + k];
        env->exn_n = n;
        break;
    }
    default:
        return wb_fail(env, WB_ERR_TRAP, "illegal opcode");
    }
    return wb_eh_unwind(x, 0);
}
#endif
