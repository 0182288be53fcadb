/*
 * Instances: import resolution and linking, allocation of memories,
 * tables and globals, segment initialisation, the start function,
 * exports, calls from the embedder and reference counting.
 */
#include "wb_internal.h"
#if WB_FEATURE_FAST_INTERP
#include "wb_fast.h"
#endif
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
#include "wb_eh.h"
#endif
#if WB_FEATURE_AOT
#include "wb_aot.h"
#endif

/* Largest linear memory / table this build will allocate: memory.grow past it
 * returns -1 (a module whose minimum exceeds it does not instantiate). 4096 pages
 * = 256 MiB, so a runaway grow loop on a host cannot eat the machine (docs/design.md
 * "Memory cap"); a build may pass -DWB_MAX_PAGES=N for more. */
#ifndef WB_MAX_PAGES
#define WB_MAX_PAGES 4096u
#endif
#ifndef WB_MAX_TABLE
#define WB_MAX_TABLE 10000000u
#endif

/* memory64: an import's address type must match the export's (else always equal) */
#if WB_FEATURE_MEMORY64
#define WB_IDX64_DIFFER(a, b) ((a) != (b))
#else
#define WB_IDX64_DIFFER(a, b) 0
#endif

/* ---- growth ----------------------------------------------------------------- */
int32_t wb_memory_grow(wb_env *env, wb_memory *mem, uint32_t delta)
{
    uint32_t old = mem->pages;
    uint64_t np = (uint64_t)old + delta;
    uint8_t *d;
#if WB_FEATURE_SHARED_MEMORY
    if (mem->shared) /* in place, under the atomics' lock (wb_atomic.c) */
        return wb_shared_grow(mem, delta);
#endif
    if (!delta)
        return (int32_t)old;
    if (np > mem->max || np > WB_MAX_PAGES)
        return -1;
    d = (uint8_t *)wb_realloc(env, mem->data, (size_t)np * WB_PAGE);
    if (!d)
        return -1;
    memset(d + (size_t)old * WB_PAGE, 0, (size_t)delta * WB_PAGE);
    mem->data = d;
    mem->pages = (uint32_t)np;
    env->mem_epoch++;
    return (int32_t)old;
}

int32_t wb_table_grow(wb_env *env, wb_table *t, uint32_t delta, void *init)
{
    uint32_t old = t->size, k;
    uint64_t ns = (uint64_t)old + delta;
    void **e;
    if (!delta)
        return (int32_t)old;
    if (ns > t->max || ns > WB_MAX_TABLE)
        return -1;
    e = (void **)wb_realloc(env, t->elems, (size_t)ns * sizeof(void *));
    if (!e)
        return -1;
    for (k = old; k < ns; k++)
        e[k] = init;
    t->elems = e;
    t->size = (uint32_t)ns;
    return (int32_t)old;
}

/* ---- segments ---------------------------------------------------------------- */
static wb_slot eval1(wb_instance *inst, const wb_cexpr *e)
{
    switch (e->op) {
    case 0x23: return inst->globals[e->idx]->val;
    case 0xD0: return 0;
    case 0xD2: return (uintptr_t)inst->funcs[e->idx];
    default: return e->val;
    }
}

#if WB_FEATURE_EXTENDED_CONST
/* An extended constant expression: the loader checked the stack depth. */
static wb_slot eval_ext(wb_instance *inst, const wb_cexpr *e)
{
    wb_slot st[WB_CEXPR_DEPTH], a, b;
    const wb_cexpr *x = inst->module->xops + e->val;
    uint32_t sp = 0, k;
    for (k = 0; k < e->idx; k++, x++) {
        if (x->op >= 0x6A && x->op <= 0x7E) { /* i32/i64 add, sub, mul */
            b = st[--sp];
            a = st[sp - 1];
            switch (x->op) {
            case 0x6A: a = (uint32_t)(a + b); break;
            case 0x6B: a = (uint32_t)(a - b); break;
            case 0x6C: a = (uint32_t)((uint32_t)a * (uint32_t)b); break;
            case 0x7C: a += b; break;
            case 0x7D: a -= b; break;
            default: a *= b; break;
            }
            st[sp - 1] = a;
        } else {
            st[sp++] = eval1(inst, x);
        }
    }
    return st[0];
}
#endif

static wb_slot eval(wb_instance *inst, const wb_cexpr *e)
{
#if WB_FEATURE_EXTENDED_CONST
    if (e->op == WB_CEXPR_EXT)
        return eval_ext(inst, e);
#endif
    return eval1(inst, e);
}

wb_status wb_table_init_seg(wb_instance *inst, uint32_t tab, uint32_t seg,
                            uint32_t d, uint32_t s, uint32_t n)
{
    const wb_elem *e = &inst->module->elems[seg];
    wb_table *t = inst->tables[tab];
    uint32_t count = inst->elem_dropped[seg] ? 0 : e->count, k;
    if ((uint64_t)s + n > count || (uint64_t)d + n > t->size)
        return wb_fail(inst->env, WB_ERR_TRAP, "out of bounds table access");
    for (k = 0; k < n; k++)
        t->elems[d + k] = (void *)(uintptr_t)eval(inst, &e->init[s + k]);
    return WB_OK;
}

wb_status wb_memory_init_seg(wb_instance *inst, uint32_t seg, uint32_t d,
                             uint32_t s, uint32_t n)
{
#if WB_FEATURE_MEMORY64 || WB_FEATURE_MULTI_MEMORY
    return wb_memory_init_segx(inst, 0, seg, d, s, n);
#else
    const wb_data *ds = &inst->module->datas[seg];
    wb_memory *m = inst->mems[0];
    uint32_t len = inst->data_dropped[seg] ? 0 : ds->len;
    if ((uint64_t)s + n > len || (uint64_t)d + n > (uint64_t)m->pages * WB_PAGE)
        return wb_fail(inst->env, WB_ERR_TRAP, "out of bounds memory access");
    memcpy(m->data + d, ds->bytes + s, n);
    return WB_OK;
#endif
}

/* ---- import resolution ---------------------------------------------------------- */
static int name_eq(const char *a, const char *b)
{
    size_t n = wb_strlen(a);
    return n == wb_strlen(b) && !memcmp(a, b, n);
}

static const wb_export *find_export_len(const wb_instance *inst, const char *name,
                                        size_t len)
{
    const wb_module *m = inst->module;
    uint32_t i;
    for (i = 0; i < m->nexports; i++)
        if (m->exports[i].len == len && !memcmp(m->exports[i].name, name, len))
            return &m->exports[i];
    return NULL;
}

static const wb_export *find_export(const wb_instance *inst, const char *name)
{
    return find_export_len(inst, name, wb_strlen(name));
}

static int limits_ok(uint32_t size, uint32_t max, int has_max, const wb_limits *want)
{
    if (size < want->min)
        return 0;
    if (want->has_max && (!has_max || max > want->max))
        return 0;
    return 1;
}

static wb_status add_dep(wb_instance *inst, wb_instance *dep)
{
    uint32_t i;
    for (i = 0; i < inst->ndeps; i++)
        if (inst->deps[i] == dep)
            return WB_OK;
    inst->deps[inst->ndeps++] = dep;
    dep->refs++;
    return WB_OK;
}

/* ---- link errors that name the import ------------------------------------------- */
#if !WB_FEATURE_MINI_LOADER /* the small build names the import only */
static const char *valtype_name(uint8_t t)
{
    switch (t) {
    case WB_I32: return "i32";
    case WB_I64: return "i64";
    case WB_F32: return "f32";
    case WB_F64: return "f64";
    case WB_V128: return "v128";
    case WB_FUNCREF: return "funcref";
    case WB_EXTERNREF: return "externref";
    default: return "?";
    }
}

static void add_types(wb_env *env, const uint8_t *t, uint32_t count)
{
    uint32_t k;
    wb_err_adds(env, "(");
    for (k = 0; k < count; k++) {
        if (k)
            wb_err_adds(env, ", ");
        wb_err_adds(env, valtype_name(t[k]));
    }
    wb_err_adds(env, ")");
}
#endif

/* "unknown import env.prinf: func (i32, i32) -> (i32)": the spec's wording first
 * (the spec runner compares prefixes), then what the module asked for. */
static wb_status link_fail(wb_env *env, const char *what, const wb_module *m,
                           const wb_import *im)
{
    wb_fail(env, WB_ERR_LINK, what);
    wb_err_adds(env, " ");
    wb_err_adds(env, im->module);
    wb_err_adds(env, ".");
    wb_err_add(env, im->name, im->name_len);
#if WB_FEATURE_MINI_LOADER
    (void)m;
#else
    static const char *const kinds[] = {"func", "table", "memory", "global"};
    wb_err_adds(env, ": ");
    wb_err_adds(env, kinds[im->kind & 3u]);
    if (im->kind == 0) {
        const wb_functype *ft = &m->types[m->func_type[im->index]];
        wb_err_adds(env, " ");
        add_types(env, ft->types, ft->nparams);
        wb_err_adds(env, " -> ");
        add_types(env, ft->types + ft->nparams, ft->nresults);
    } else if (im->kind == 3) {
        wb_err_adds(env, m->globals[im->index].mut ? " mut " : " ");
        wb_err_adds(env, valtype_name(m->globals[im->index].type));
    }
#endif
    return WB_ERR_LINK;
}

static wb_status resolve(wb_env *env, wb_instance *inst)
{
    wb_module *m = inst->module;
    uint32_t i;
    for (i = 0; i < m->nimports; i++) {
        const wb_import *im = &m->imports[i];
        const wb_export *ex = NULL;
        wb_instance *src = NULL;
        wb_reg *g;
        wb_native_rec *n;
#if WB_FEATURE_MULTI_MODULE
        {
            wb_status st = wb_mm_resolve(env, im->module);
            if (st)
                return st;
        }
#endif
        for (g = env->regs; g; g = g->next)
            if (name_eq(g->name, im->module)) {
                src = g->inst;
                ex = find_export_len(src, im->name, im->name_len);
#if WB_FEATURE_SHARED_MEMORY
                if (!ex)
                    continue; /* an extra instance of that name may have it */
#endif
                break;
            }
#if WB_FEATURE_WASI_THREADS
        if (!ex && im->kind == 2) { /* wasi-threads: env.memory, shared */
            wb_memory *wm = wb_threads_memory(env, inst, im, &m->mems[im->index]);
            if (wm) {
                inst->mems[im->index] = wm;
                continue;
            }
        }
#endif
        if (!ex) {
            for (n = env->natives; n; n = n->next)
                if (name_eq(n->module, im->module) && name_eq(n->field, im->name))
                    break;
            if (!n)
                return link_fail(env, "unknown import", m, im);
            if (im->kind != 0 ||
                !wb_functype_eq(n->func.type, &m->types[m->func_type[im->index]]))
                return link_fail(env, "incompatible import type", m, im);
            inst->funcs[im->index] = &n->func;
            continue;
        }
        if (ex->kind != im->kind)
            return link_fail(env, "incompatible import type", m, im);
        switch (im->kind) {
        case 0: {
            wb_func *f = src->funcs[ex->index];
            if (!wb_functype_eq(f->type, &m->types[m->func_type[im->index]]))
                return link_fail(env, "incompatible import type", m, im);
            inst->funcs[im->index] = f;
            break;
        }
        case 1: {
            wb_table *t = src->tables[ex->index];
            const wb_limits *l = &m->tables[im->index];
            if (t->type != l->elem || WB_IDX64_DIFFER(t->idx64, l->idx64) ||
                !limits_ok(t->size, t->max, t->max != WB_NONE, l))
                return wb_fail(env, WB_ERR_LINK, "incompatible import type");
            inst->tables[im->index] = t;
            break;
        }
        case 2: {
            wb_memory *mm = src->mems[ex->index];
            if (WB_IDX64_DIFFER(mm->idx64, m->mems[im->index].idx64) ||
                !limits_ok(mm->pages, mm->max, mm->has_max, &m->mems[im->index]))
                return wb_fail(env, WB_ERR_LINK, "incompatible import type");
#if WB_FEATURE_SHARED_MEMORY
            if (mm->shared != m->mems[im->index].shared)
                return wb_fail(env, WB_ERR_LINK, "incompatible import type");
#endif
            inst->mems[im->index] = mm;
            break;
        }
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
        case 4: { /* a tag: the exporter's identity, of the same type */
            wb_tag *tg = src->tags[ex->index];
            if (!wb_functype_eq(tg->type, &m->types[m->tag_type[im->index]]))
                return wb_fail(env, WB_ERR_LINK, "incompatible import type");
            inst->tags[im->index] = tg;
            break;
        }
#endif
        default: {
            wb_global *gl = src->globals[ex->index];
            const wb_globaldef *gd = &m->globals[im->index];
            if (gl->type != gd->type || gl->mut != gd->mut)
                return wb_fail(env, WB_ERR_LINK, "incompatible import type");
            inst->globals[im->index] = gl;
            break;
        }
        }
        add_dep(inst, src);
    }
    return WB_OK;
}

/* ---- instantiation ----------------------------------------------------------------- */
#define ALLOC(p, n, T)                                                      \
    do {                                                                    \
        p = (T *)wb_alloc(env, (size_t)(n) * sizeof(T) + 1u);               \
        if (!p)                                                             \
            return wb_fail(env, WB_ERR_NOMEM, "out of memory");             \
    } while (0)

static wb_status build(wb_env *env, wb_instance *inst)
{
    wb_module *m = inst->module;
    uint32_t i, nf = m->nfuncs - m->nfunc_imports;
    uint32_t nt = m->ntables - m->ntable_imports;
    uint32_t nm = m->nmems - m->nmem_imports;
    uint32_t ng = m->nglobals - m->nglobal_imports;
    wb_status st;

    ALLOC(inst->funcs, m->nfuncs, wb_func *);
    ALLOC(inst->own_funcs, nf, wb_func);
    ALLOC(inst->tables, m->ntables, wb_table *);
    ALLOC(inst->own_tables, nt, wb_table);
    ALLOC(inst->mems, m->nmems, wb_memory *);
    ALLOC(inst->own_mems, nm, wb_memory);
    ALLOC(inst->globals, m->nglobals, wb_global *);
    ALLOC(inst->own_globals, ng, wb_global);
    ALLOC(inst->elem_dropped, m->nelems, uint8_t);
    ALLOC(inst->data_dropped, m->ndatas, uint8_t);
    ALLOC(inst->deps, m->nimports, wb_instance *);
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    ALLOC(inst->tags, m->ntags, wb_tag *);
    ALLOC(inst->own_tags, m->ntags - m->ntag_imports, wb_tag);
    for (i = m->ntag_imports; i < m->ntags; i++) {
        inst->own_tags[i - m->ntag_imports].type = &m->types[m->tag_type[i]];
        inst->tags[i] = &inst->own_tags[i - m->ntag_imports];
    }
#endif

    st = resolve(env, inst);
    if (st)
        return st;
    for (i = 0; i < nf; i++) {
        wb_func *f = &inst->own_funcs[i];
        f->def = &m->funcs[i];
        f->type = &m->types[m->funcs[i].type];
        f->inst = inst;
        f->code = m->code + m->funcs[i].code;
        f->nparams = wb_slots_of(f->type->nparams, f->type->types);
        f->nlocals = m->funcs[i].nlocals;
        /* locals, operand stack, its padding slot and one flushed value */
        f->frame = m->funcs[i].nlocals + m->funcs[i].max_stack + 2u;
        inst->funcs[m->nfunc_imports + i] = f;
    }
#if WB_FEATURE_FAST_INTERP
    st = wb_fast_attach(inst, env->fast_mode); /* before the start function runs */
    if (st)
        return st;
#endif
    for (i = 0; i < nt; i++) {
        wb_table *t = &inst->own_tables[i];
        const wb_limits *l = &m->tables[m->ntable_imports + i];
        if (l->min > WB_MAX_TABLE)
            return wb_fail(env, WB_ERR_NOMEM, "table too large");
        t->type = l->elem;
#if WB_FEATURE_MEMORY64
        t->idx64 = l->idx64;
#endif
        t->size = l->min;
        t->max = l->has_max ? l->max : WB_NONE;
        t->elems = (void **)wb_alloc(env, (size_t)l->min * sizeof(void *) + 1u);
        if (!t->elems)
            return wb_fail(env, WB_ERR_NOMEM, "out of memory");
        inst->tables[m->ntable_imports + i] = t;
    }
    for (i = 0; i < nm; i++) {
        wb_memory *mm = &inst->own_mems[i];
        const wb_limits *l = &m->mems[m->nmem_imports + i];
        if (l->min > WB_MAX_PAGES)
            return wb_fail(env, WB_ERR_NOMEM, "memory too large");
        mm->pages = l->min;
        mm->max = l->has_max ? l->max : 65536u;
        mm->has_max = l->has_max;
#if WB_FEATURE_MEMORY64
        mm->idx64 = l->idx64;
#endif
#if WB_FEATURE_SHARED_MEMORY
        /* a shared memory never moves: its maximum (at most WB_MAX_PAGES) at once */
        mm->shared = l->shared;
        mm->cap = l->shared ? (mm->max < WB_MAX_PAGES ? mm->max : WB_MAX_PAGES) : l->min;
        mm->data = (uint8_t *)wb_alloc(env, (size_t)mm->cap * WB_PAGE + 1u);
#else
        mm->data = (uint8_t *)wb_alloc(env, (size_t)l->min * WB_PAGE + 1u);
#endif
        if (!mm->data)
            return wb_fail(env, WB_ERR_NOMEM, "out of memory");
        inst->mems[m->nmem_imports + i] = mm;
    }
    for (i = 0; i < ng; i++) {
        wb_global *g = &inst->own_globals[i];
        const wb_globaldef *gd = &m->globals[m->nglobal_imports + i];
        g->type = gd->type;
        g->mut = gd->mut;
        g->val = eval(inst, &gd->init);
#if WB_FEATURE_SIMD
        if (g->type == WB_V128) /* v128.const or global.get of an imported v128 */
            g->hi = gd->init.op == 0x23 ? inst->globals[gd->init.idx]->hi : gd->init.hi;
#endif
        inst->globals[m->nglobal_imports + i] = g;
    }
#if WB_FEATURE_AOT
    if (m->aot)
        return wb_aot_instantiate(inst);
#endif
    return WB_OK;
}

/* Segments and start function: effects persist even if a later step traps.
 * *shared is set once other instances may hold references to this one. */
static wb_status initialise(wb_env *env, wb_instance *inst, int *shared)
{
    wb_module *m = inst->module;
    uint32_t i;
    wb_status st;
    for (i = 0; i < m->nelems; i++) {
        const wb_elem *e = &m->elems[i];
        if (e->mode == 0) {
            wb_slot off = eval(inst, &e->offset);
            if (e->table < m->ntable_imports && e->count)
                *shared = 1;
#if WB_FEATURE_MEMORY64 /* an i64 offset (table64) past 2^32 - 2 is out of bounds anyway */
            if (off > 0xFFFFFFFFu)
                off = 0xFFFFFFFFu;
#endif
            st = wb_table_init_seg(inst, e->table, i, (uint32_t)off, 0, e->count);
            if (st)
                return st;
        }
        if (e->mode != 1)
            inst->elem_dropped[i] = 1;
    }
    for (i = 0; i < m->ndatas; i++) {
        const wb_data *d = &m->datas[i];
        if (d->mode == 0) {
#if WB_FEATURE_MEMORY64 || WB_FEATURE_MULTI_MEMORY /* memory d->mem, an i64 offset */
            st = wb_memory_init_segx(inst, d->mem, i, eval(inst, &d->offset), 0, d->len);
#else
            st = wb_memory_init_seg(inst, i, (uint32_t)eval(inst, &d->offset), 0, d->len);
#endif
            if (st)
                return st;
            inst->data_dropped[i] = 1;
        }
    }
    if (m->start != WB_NONE) {
        *shared = 1;
        return wb_call(env, inst->funcs[m->start], NULL, 0, NULL, 0);
    }
    return WB_OK;
}

/* Can this instance's own functions end up in storage another instance
 * owns? Only through an imported table or an imported mutable reference
 * global: every other way out goes through an import of this instance, and
 * imports hold a reference. */
static int funcs_may_escape(const wb_module *m)
{
    uint32_t i;
    if (m->ntable_imports)
        return 1;
    for (i = 0; i < m->nglobal_imports; i++)
        if (m->globals[i].mut && (m->globals[i].type == WB_FUNCREF))
            return 1;
    return 0;
}

wb_status wb_instantiate(wb_env *env, wb_module *module, wb_instance **out)
{
    wb_instance *inst;
    wb_status st;
    int shared = 0;
    *out = NULL;
    env->err[0] = 0;
    inst = (wb_instance *)wb_alloc(env, sizeof *inst);
    if (!inst)
        return wb_fail(env, WB_ERR_NOMEM, "out of memory");
    inst->env = env;
    inst->module = module;
    inst->refs = 1;
    module->refs++;
    inst->next = env->instances;
    env->instances = inst;
    st = build(env, inst);
    if (st) {
        inst->freed = 1;
        wb_instance_destroy(inst, 0);
        return st;
    }
    st = initialise(env, inst, &shared);
    if (st) {
        /* If tables elsewhere may now hold this instance's functions, keep
         * it (without a handle) until the environment is freed. */
        inst->freed = 1;
        if (!shared)
            wb_instance_destroy(inst, 0);
        return st;
    }
    /* Foreign tables or globals may now hold this instance's functions:
     * keep it alive (one extra reference) until the environment is freed. */
    if (funcs_may_escape(module))
        inst->refs++;
    *out = inst;
    return WB_OK;
}

static void release(wb_instance *inst)
{
    if (--inst->refs == 0)
        wb_instance_destroy(inst, 0);
}

void wb_instance_destroy(wb_instance *inst, int final)
{
    wb_env *env = inst->env;
    wb_module *m = inst->module;
    wb_instance **pp;
    uint32_t i;
    for (pp = &env->instances; *pp; pp = &(*pp)->next)
        if (*pp == inst) {
            *pp = inst->next;
            break;
        }
    if (inst->own_tables)
        for (i = 0; i < m->ntables - m->ntable_imports; i++)
            wb_free(env, inst->own_tables[i].elems);
    if (inst->own_mems)
        for (i = 0; i < m->nmems - m->nmem_imports; i++)
            wb_free(env, inst->own_mems[i].data);
    wb_free(env, inst->funcs);
    wb_free(env, inst->own_funcs);
    wb_free(env, inst->tables);
    wb_free(env, inst->own_tables);
    wb_free(env, inst->mems);
    wb_free(env, inst->own_mems);
    wb_free(env, inst->globals);
    wb_free(env, inst->own_globals);
    wb_free(env, inst->elem_dropped);
    wb_free(env, inst->data_dropped);
#if WB_FEATURE_WASI_THREADS
    wb_threads_instance_gone(inst); /* the owner ends its thread group */
#endif
#if WB_FEATURE_AOT
    wb_aot_instance_free(inst);
#endif
    if (!final) {
        for (i = 0; i < inst->ndeps; i++)
            release(inst->deps[i]);
        if (--m->refs == 0)
            wb_module_destroy(m);
    }
    wb_free(env, inst->deps);
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    wb_free(env, inst->tags);
    wb_free(env, inst->own_tags);
#endif
    wb_free(env, inst);
}

void wb_instance_free(wb_instance *inst)
{
    if (!inst || inst->freed)
        return;
    inst->freed = 1;
    release(inst);
}

/* a registration record holding a reference to inst; NULL: out of memory */
static wb_reg *new_reg(wb_env *env, const char *name, wb_instance *inst)
{
    wb_reg *g = (wb_reg *)wb_alloc(env, sizeof *g);
    if (!g)
        return NULL;
    g->name = wb_strdup(env, name, wb_strlen(name));
    if (!g->name) {
        wb_free(env, g);
        return NULL;
    }
    g->inst = inst;
    inst->refs++;
    return g;
}

wb_status wb_register_instance(wb_env *env, const char *name, wb_instance *inst)
{
    wb_reg *g;
    for (g = env->regs; g; g = g->next)
#if WB_FEATURE_SHARED_MEMORY
        if (!g->extra && name_eq(g->name, name)) {
#else
        if (name_eq(g->name, name)) {
#endif
            inst->refs++;
            release(g->inst);
            g->inst = inst;
            return WB_OK;
        }
    g = new_reg(env, name, inst);
    if (!g)
        return wb_fail(env, WB_ERR_NOMEM, "out of memory");
    g->next = env->regs;
    env->regs = g;
    return WB_OK;
}

#if WB_FEATURE_SHARED_MEMORY
wb_status wb_register_instance_extra(wb_env *env, const char *name, wb_instance *inst)
{
    wb_reg *g = new_reg(env, name, inst), **pp;
    if (!g)
        return wb_fail(env, WB_ERR_NOMEM, "out of memory");
    g->extra = 1;
    for (pp = &env->regs; *pp; pp = &(*pp)->next) /* after every other registration */
        ;
    *pp = g;
    return WB_OK;
}
#else
wb_status wb_register_instance_extra(wb_env *env, const char *name, wb_instance *inst)
{
    (void)name;
    (void)inst;
    return wb_not_built(env, "shared-memory");
}
#endif

/* ---- exports and calls ---------------------------------------------------------------- */
wb_status wb_export_func(wb_instance *inst, const char *name, wb_func **out)
{
    return wb_export_func_len(inst, name, wb_strlen(name), out);
}

wb_status wb_export_func_len(wb_instance *inst, const char *name, size_t len,
                             wb_func **out)
{
    const wb_export *e = find_export_len(inst, name, len);
    *out = NULL;
    if (!e || e->kind != 0)
        return wb_fail(inst->env, WB_ERR_NOT_FOUND, "unknown export");
    *out = inst->funcs[e->index];
    return WB_OK;
}

void wb_func_type(const wb_func *f, uint32_t *nparams, const uint8_t **params,
                  uint32_t *nresults, const uint8_t **results)
{
    *nparams = f->type->nparams;
    *params = f->type->types;
    *nresults = f->type->nresults;
    *results = f->type->types + f->type->nparams;
}

void wb_to_value(wb_value *v, uint8_t type, wb_slot s)
{
    v->type = type;
    v->of.i64 = 0;
    if (type == WB_FUNCREF || type == WB_EXTERNREF)
        v->of.ref = (void *)(uintptr_t)s;
    else if (type == WB_I32 || type == WB_F32)
        v->of.i32 = (uint32_t)s;
    else
        v->of.i64 = s;
}

wb_slot wb_from_value(const wb_value *v, uint8_t type)
{
    if (type == WB_FUNCREF || type == WB_EXTERNREF)
        return (uintptr_t)v->of.ref;
    if (type == WB_I32 || type == WB_F32)
        return v->of.i32;
    return v->of.i64;
}

wb_status wb_call(wb_env *env, wb_func *f, const wb_value *args,
                  uint32_t nargs, wb_value *results, uint32_t nresults)
{
    const wb_functype *t = f->type;
    wb_slot *base, *saved_top = env->sp_top;
    wb_status st;
    uint32_t i;
#if WB_FEATURE_SIMD
    uint32_t k;
#endif
    if (nargs != t->nparams || nresults < t->nresults)
        return wb_fail(env, WB_ERR_ARGS, "wrong number of arguments or results");
    for (i = 0; i < nargs; i++)
        if (args[i].type != t->types[i])
            return wb_fail(env, WB_ERR_ARGS, "argument type mismatch");
    if (!env->stack) {
        env->stack = (wb_slot *)wb_alloc(env, (size_t)env->stack_slots * sizeof(wb_slot));
        env->frames = (wb_frame *)wb_alloc(env, (size_t)env->max_depth * sizeof(wb_frame));
        if (!env->stack || !env->frames) {
            wb_free(env, env->stack);
            wb_free(env, env->frames);
            env->stack = NULL;
            env->frames = NULL;
            return wb_fail(env, WB_ERR_NOMEM, "out of memory");
        }
    }
    base = saved_top ? saved_top : env->stack;
    if (env->depth + 2u >= env->max_depth ||
        base + wb_slots_of(t->nparams, t->types) +
                wb_slots_of(t->nresults, t->types + t->nparams) > env->stack + env->stack_slots)
        return wb_fail(env, WB_ERR_EXHAUSTION, "call stack exhausted");
#if WB_FEATURE_SIMD
    for (i = 0, k = 0; i < nargs; i++, k++) {
        base[k] = wb_from_value(&args[i], args[i].type);
        if (args[i].type == WB_V128)
            base[++k] = args[i].of.v128[1];
    }
#else
    for (i = 0; i < nargs; i++)
        base[i] = wb_from_value(&args[i], args[i].type);
#endif
    env->err[0] = 0;
#if WB_FEATURE_DUMP_CALL_STACK
    env->ntrace = 0;
#endif
#if WB_FEATURE_AOT
    if (f->aot)
        st = wb_aot_call(env, f, base);
    else
#endif
#if WB_FEATURE_FAST_INTERP
    if (f->fast)
        st = wb_fast_call(env, f, base);
    else
#endif
#if WB_FEATURE_INTERP
    if (f->inst)
        st = wb_interp_call(env, f, base);
    else
#endif
        st = wb_call_native(env, f, NULL, base);
    env->sp_top = saved_top;
    if (st)
        return st;
#if WB_FEATURE_SIMD
    for (i = 0, k = 0; i < t->nresults; i++, k++) {
        wb_to_value(&results[i], t->types[t->nparams + i], base[k]);
        if (results[i].type == WB_V128)
            results[i].of.v128[1] = base[++k];
    }
#else
    for (i = 0; i < t->nresults; i++)
        wb_to_value(&results[i], t->types[t->nparams + i], base[i]);
#endif
    return WB_OK;
}

wb_status wb_global_get(wb_instance *inst, const char *name, wb_value *out)
{
    const wb_export *e = find_export(inst, name);
    wb_global *g;
    if (!e || e->kind != 3)
        return wb_fail(inst->env, WB_ERR_NOT_FOUND, "unknown export");
    g = inst->globals[e->index];
    wb_to_value(out, g->type, g->val);
#if WB_FEATURE_SIMD
    if (g->type == WB_V128)
        out->of.v128[1] = g->hi;
#endif
    return WB_OK;
}

uint8_t *wb_instance_memory(wb_instance *inst, uint32_t *size)
{
    if (!inst || !inst->module->nmems) {
        if (size)
            *size = 0;
        return NULL;
    }
    if (size)
        *size = (uint32_t)((uint64_t)inst->mems[0]->pages * WB_PAGE);
    return inst->mems[0]->data;
}
