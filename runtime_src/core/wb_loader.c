/*
 * Binary module loader: decodes every section of the WebAssembly 2.0
 * binary format and (unless built as mini loader) validates it. Function
 * bodies are handed to the validator+compiler (compile.c).
 */
#include "wb_internal.h"
#if WB_FEATURE_FAST_INTERP
#include "wb_fast.h"
#endif
#if WB_FEATURE_AOT
#include "wb_aot.h"
#endif

#if WB_VALIDATE
#define INVALID(c, msg)                                                   \
    do {                                                                  \
        if (c)                                                            \
            return wb_rd_fail(r, WB_ERR_INVALID, msg);                    \
    } while (0)
#define MALFORMED_V(c, msg)                                               \
    do {                                                                  \
        if (c)                                                            \
            return wb_rd_fail(r, WB_ERR_MALFORMED, msg);                  \
    } while (0)
#else
#define INVALID(c, msg) ((void)0)
#define MALFORMED_V(c, msg) ((void)0)
#endif
/* structural checks that keep the decoder in bounds: always compiled */
#define MALFORMED(c, msg)                                                 \
    do {                                                                  \
        if (c)                                                            \
            return wb_rd_fail(r, WB_ERR_MALFORMED, msg);                  \
    } while (0)
#define CK()                                                              \
    do {                                                                  \
        if (r->st)                                                        \
            return r->st;                                                 \
    } while (0)

/* ---- primitive readers --------------------------------------------------- */
int wb_rd_fail(wb_reader *r, wb_status st, const char *msg)
{
    if (!r->st) {
        r->st = st;
        wb_fail(r->env, st, msg);
    }
    r->p = r->end; /* stop decoding */
    return r->st;
}

uint8_t wb_rd_u8(wb_reader *r)
{
    if (r->p >= r->end) {
        wb_rd_fail(r, WB_ERR_MALFORMED, "unexpected end");
        return 0;
    }
    return *r->p++;
}

uint64_t wb_rd_leb(wb_reader *r, unsigned bits, int sgn)
{
    uint64_t v = 0;
    unsigned shift = 0, i, maxb = (bits + 6u) / 7u;
    uint8_t b = 0;
    for (i = 0;; i++) {
        if (r->p >= r->end) {
            wb_rd_fail(r, WB_ERR_MALFORMED, "unexpected end");
            return 0;
        }
        b = *r->p++;
        v |= (uint64_t)(b & 0x7Fu) << shift;
        shift += 7;
        if (!(b & 0x80u))
            break;
        if (i + 1u >= maxb) {
            wb_rd_fail(r, WB_ERR_MALFORMED, "integer representation too long");
            return 0;
        }
    }
    if (shift > bits) {
        unsigned used = bits - (shift - 7u);
        uint8_t rest = (uint8_t)(b & 0x7Fu);
        if (sgn) {
            uint8_t mask = (uint8_t)((0x7Fu >> (used - 1u)) << (used - 1u));
            if ((rest & mask) != 0 && (rest & mask) != mask) {
                wb_rd_fail(r, WB_ERR_MALFORMED, "integer too large");
                return 0;
            }
        } else if (rest >> used) {
            wb_rd_fail(r, WB_ERR_MALFORMED, "integer too large");
            return 0;
        }
    }
    if (sgn && shift < 64 && (b & 0x40u))
        v |= ~(uint64_t)0 << shift;
    return v;
}

static uint64_t rd_fixed(wb_reader *r, unsigned n)
{
    uint64_t v = 0;
    unsigned i;
    if ((size_t)(r->end - r->p) < n) {
        wb_rd_fail(r, WB_ERR_MALFORMED, "unexpected end");
        return 0;
    }
    for (i = 0; i < n; i++)
        v |= (uint64_t)r->p[i] << (8u * i);
    r->p += n;
    return v;
}

/* A vector length; each element takes at least one byte. */
static uint32_t rd_count(wb_reader *r)
{
    uint32_t n = wb_rd_u32(r);
    if (!r->st && n > (uint32_t)(r->end - r->p)) {
        wb_rd_fail(r, WB_ERR_MALFORMED, "unexpected end of section or function");
        return 0;
    }
    return n;
}

#if WB_VALIDATE
static int utf8_ok(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        uint32_t len, cp, k;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07u;
        } else
            return 0;
        if (i + len > n)
            return 0;
        for (k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += len;
    }
    return 1;
}
#endif

/* A name: copied, NUL-terminated. */
static char *rd_name(wb_reader *r, uint32_t *len_out)
{
    uint32_t n = wb_rd_u32(r);
    char *s;
    if (r->st)
        return NULL;
    if (n > (uint32_t)(r->end - r->p)) {
        wb_rd_fail(r, WB_ERR_MALFORMED, "unexpected end");
        return NULL;
    }
#if WB_VALIDATE
    if (!utf8_ok(r->p, n)) {
        wb_rd_fail(r, WB_ERR_MALFORMED, "malformed UTF-8 encoding");
        return NULL;
    }
#endif
    s = wb_strdup(r->env, (const char *)r->p, n);
    if (!s) {
        wb_rd_fail(r, WB_ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->p += n;
    if (len_out)
        *len_out = n;
    return s;
}

int wb_valtype_ok(uint8_t t)
{
    return t == WB_I32 || t == WB_I64 || t == WB_F32 || t == WB_F64 ||
           t == WB_FUNCREF || t == WB_EXTERNREF || (WB_FEATURE_SIMD && t == WB_V128);
}

static uint8_t rd_valtype(wb_reader *r)
{
    uint8_t t = wb_rd_u8(r);
    if (!r->st && !wb_valtype_ok(t))
        wb_rd_fail(r, WB_ERR_MALFORMED, "malformed value type");
    return t;
}

static uint8_t rd_reftype(wb_reader *r)
{
    uint8_t t = wb_rd_u8(r);
    if (!r->st && t != WB_FUNCREF && t != WB_EXTERNREF)
        wb_rd_fail(r, WB_ERR_MALFORMED, "malformed reference type");
    return t;
}

/* the type of a segment offset: i64 for a memory64 memory / table64 table */
#if WB_FEATURE_MEMORY64
#define WB_AT64(is64) ((is64) ? WB_I64 : WB_I32)
#else
#define WB_AT64(is64) WB_I32
#endif

#if WB_FEATURE_MEMORY64
/* A 64-bit limit kept in 32 bits: larger values saturate (no build can
 * allocate 2^32 pages or table elements; comparisons keep their order). */
static uint32_t sat32(uint64_t v) { return v > 0xFFFFFFFEu ? 0xFFFFFFFEu : (uint32_t)v; }
#endif

static int rd_limits(wb_reader *r, wb_limits *l, int mem)
{
    uint8_t flag = wb_rd_u8(r);
    CK();
#if WB_FEATURE_SHARED_MEMORY
    /* flag 0x02: a shared memory (threads proposal); it must have a maximum */
    l->shared = (uint8_t)(mem && (flag & 2u));
    if (l->shared) {
        flag &= (uint8_t)~2u;
        INVALID(!(flag & 1u), "shared memory must have maximum");
    }
#endif
#if WB_FEATURE_MEMORY64
    /* flag 0x04: i64 addresses (memory64) / i64 indices (table64) */
    MALFORMED((flag & ~5u) != 0, "integer too large"); /* 0x02 shared: threads */
    l->idx64 = (uint8_t)(flag >> 2);
    flag &= 1u;
    if (l->idx64) {
        uint64_t mn = wb_rd_leb(r, 64, 0), mx = flag ? wb_rd_leb(r, 64, 0) : 0;
        CK();
        if (mem) {
            INVALID(mn > 0x1000000000000ull || mx > 0x1000000000000ull,
                    "memory size must be at most 2^48 pages");
        }
        INVALID(flag && mx < mn, "size minimum must not be greater than maximum");
        l->min = sat32(mn);
        l->has_max = flag;
        l->max = flag ? sat32(mx) : WB_NONE;
        return 0;
    }
#else
    MALFORMED(flag > 1, "integer too large"); /* shared/64-bit limits: later proposals */
#endif
    l->min = wb_rd_u32(r);
    l->has_max = flag;
    l->max = flag ? wb_rd_u32(r) : WB_NONE;
    CK();
    if (mem) {
        INVALID(l->min > 65536u || (flag && l->max > 65536u),
                "memory size must be at most 65536 pages (4GiB)");
    }
    INVALID(flag && l->max < l->min,
            "size minimum must not be greater than maximum");
    return 0;
}

/* Appends one instruction to the module's extended constant-expression ops. */
#if WB_FEATURE_EXTENDED_CONST
static int xop_push(wb_reader *r, wb_module *m, const wb_cexpr *x)
{
    wb_cexpr *a = m->xops;
    if (m->nxops == m->xops_cap) {
        uint32_t cap = m->xops_cap ? m->xops_cap * 2u : 8u;
        a = (wb_cexpr *)wb_realloc(r->env, m->xops, (size_t)cap * sizeof(wb_cexpr));
        if (!a)
            return wb_rd_fail(r, WB_ERR_NOMEM, "out of memory");
        m->xops = a;
        m->xops_cap = cap;
    }
    a[m->nxops++] = *x;
    return 0;
}
#endif

/* A constant expression. One instruction is stored in *e itself; with
 * extended-const a longer one goes to m->xops and *e becomes
 * {WB_CEXPR_EXT, idx = count, val = first op} (see wb_instance.c eval). */
static int rd_cexpr(wb_reader *r, wb_loadctx *lc, wb_cexpr *e, uint8_t want)
{
    wb_module *m = lc->m;
    uint8_t types[WB_CEXPR_DEPTH];
    uint32_t depth = 0, n = 0;
#if WB_FEATURE_EXTENDED_CONST
    uint32_t first = m->nxops;
#endif
    (void)types;
    (void)want;
    for (;;) {
        wb_cexpr x;
        uint8_t op = wb_rd_u8(r), t = 0;
        CK();
        if (op == 0x0B)
            break;
        memset(&x, 0, sizeof x);
        x.op = op;
        switch (op) {
        case 0x41: x.val = (uint32_t)wb_rd_leb(r, 32, 1); t = WB_I32; break;
        case 0x42: x.val = wb_rd_leb(r, 64, 1); t = WB_I64; break;
        case 0x43: x.val = rd_fixed(r, 4); t = WB_F32; break;
        case 0x44: x.val = rd_fixed(r, 8); t = WB_F64; break;
#if WB_FEATURE_SIMD
        case 0xFD: /* v128.const: the only SIMD constant instruction */
            x.idx = wb_rd_u32(r);
            CK();
            INVALID(x.idx != 12u, "constant expression required");
            MALFORMED(x.idx != 12u, "illegal opcode");
            x.idx = 0;
            x.val = rd_fixed(r, 8);
            x.hi = rd_fixed(r, 8);
            t = WB_V128;
            break;
#endif
        case 0x23:
            x.idx = wb_rd_u32(r);
            CK();
            INVALID(x.idx >= m->nglobal_imports, "unknown global");
            INVALID(m->globals[x.idx].mut, "constant expression required");
            t = x.idx < m->nglobals ? m->globals[x.idx].type : 0;
            break;
        case 0xD0: t = rd_reftype(r); x.val = t; break;
        case 0xD2:
            x.idx = wb_rd_u32(r);
            CK();
            INVALID(x.idx >= m->nfuncs, "unknown function");
            if (x.idx < m->nfuncs)
                lc->declared[x.idx] = 1;
            t = WB_FUNCREF;
            break;
#if WB_FEATURE_EXTENDED_CONST
        case 0x6A: case 0x6B: case 0x6C: /* i32.add/sub/mul */
        case 0x7C: case 0x7D: case 0x7E: /* i64.add/sub/mul */
            t = op < 0x70 ? WB_I32 : WB_I64;
            INVALID(depth < 2 || types[depth - 1] != t || types[depth - 2] != t,
                    "type mismatch");
            MALFORMED(depth < 2, "type mismatch"); /* the evaluator's stack */
            depth -= 2;
            break;
#endif
        default:
            if (n == 0) {
                MALFORMED_V(!(op <= 0x05 || (op >= 0x0B && op <= 0x11) ||
                              (op >= 0x1A && op <= 0x1C) || (op >= 0x20 && op <= 0x26) ||
                              (op >= 0x28 && op <= 0xC4) || (op >= 0xD0 && op <= 0xD2) ||
                              op == 0xFC),
                            "illegal opcode");
                INVALID(1, "constant expression required");
                MALFORMED(1, "illegal opcode");
            }
            INVALID(1, "constant expression required");
            MALFORMED(1, "END opcode expected");
        }
        CK();
#if !WB_FEATURE_EXTENDED_CONST
        /* one instruction, then END */
        INVALID(n > 0, "type mismatch");
        MALFORMED(n > 0, "END opcode expected");
#endif
        MALFORMED(depth >= WB_CEXPR_DEPTH,
                  "constant expression too deep (WB_CEXPR_DEPTH values)");
        types[depth++] = t;
        if (n == 0) {
            *e = x;
        } else {
#if WB_FEATURE_EXTENDED_CONST
            if (n == 1 && xop_push(r, m, e))
                return r->st;
            if (xop_push(r, m, &x))
                return r->st;
#endif
        }
        n++;
    }
    INVALID(n == 0 || depth != 1 || types[0] != want, "type mismatch");
    MALFORMED(n == 0 || depth != 1, "type mismatch");
#if WB_FEATURE_EXTENDED_CONST
    if (n > 1) {
        e->op = WB_CEXPR_EXT;
        e->idx = n;
        e->val = first;
    }
#endif
    return 0;
}

/* Grow an index-space array by n elements of size sz. */
static void *grow(wb_reader *r, void *arr, uint32_t have, uint32_t n, size_t sz)
{
    uint8_t *a;
    if (!n)
        return arr;
    a = (uint8_t *)wb_realloc(r->env, arr, (size_t)(have + n) * sz);
    if (!a) {
        wb_rd_fail(r, WB_ERR_NOMEM, "out of memory");
        return arr;
    }
    memset(a + (size_t)have * sz, 0, (size_t)n * sz);
    return a;
}

/* ---- sections ---------------------------------------------------------------- */
static int sec_type(wb_reader *r, wb_module *m)
{
    uint32_t n = rd_count(r), i;
    CK();
    m->types = (wb_functype *)grow(r, NULL, 0, n, sizeof(wb_functype));
    CK();
    m->ntypes = n;
    for (i = 0; i < n; i++) {
        wb_functype *t = &m->types[i];
        uint32_t np, nr, k;
        const uint8_t *pp, *rp;
        MALFORMED(wb_rd_u8(r) != 0x60, "integer representation too long");
        np = rd_count(r);
        pp = r->p;
        r->p += np; /* rd_count checked that the bytes are there */
        nr = rd_count(r);
        rp = r->p;
        r->p += nr;
        CK();
        t->types = (uint8_t *)wb_alloc(r->env, np + nr + 1u);
        MALFORMED(!t->types, "out of memory");
        t->nparams = np;
        t->nresults = nr;
        for (k = 0; k < np + nr; k++) {
            uint8_t b = k < np ? pp[k] : rp[k - np];
            MALFORMED(!wb_valtype_ok(b), "malformed value type");
            t->types[k] = b;
        }
    }
    return 0;
}

#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
/* a tag (section 13 entry or import): attribute 0, then a function type
 * without results whose parameters fit the exception payload */
static int rd_tag(wb_reader *r, wb_module *m)
{
    uint32_t t;
    const wb_functype *ft;
    MALFORMED(wb_rd_u8(r) != 0, "malformed tag attribute");
    t = wb_rd_u32(r);
    CK();
    MALFORMED(t >= m->ntypes, "unknown type"); /* indexes types[] below */
    ft = &m->types[t];
    INVALID(ft->nresults != 0, "non-empty tag result type");
    if (wb_slots_of(ft->nparams, ft->types) > WB_EH_PAYLOAD)
        return wb_rd_fail(r, WB_ERR_UNSUPPORTED,
                          "tag with more parameters than WB_EH_PAYLOAD (8) slots");
    m->tag_type = (uint32_t *)grow(r, m->tag_type, m->ntags, 1, 4);
    CK();
    m->tag_type[m->ntags++] = t;
    return 0;
}

static int sec_tag(wb_reader *r, wb_module *m)
{
    uint32_t n = rd_count(r), i;
    CK();
    for (i = 0; i < n; i++)
        if (rd_tag(r, m))
            return r->st;
    return 0;
}
#endif

static int sec_import(wb_reader *r, wb_loadctx *lc)
{
    wb_module *m = lc->m;
    uint32_t n = rd_count(r), i;
    CK();
    m->imports = (wb_import *)grow(r, NULL, 0, n, sizeof(wb_import));
    CK();
    for (i = 0; i < n; i++) {
        wb_import *im = &m->imports[i];
        im->module = rd_name(r, NULL);
        CK();
        im->name = rd_name(r, &im->name_len);
        m->nimports = i + 1;
        im->kind = wb_rd_u8(r);
        CK();
        switch (im->kind) {
        case 0: {
            uint32_t t = wb_rd_u32(r);
            CK();
            INVALID(t >= m->ntypes, "unknown type");
            m->func_type = (uint32_t *)grow(r, m->func_type, m->nfuncs, 1, 4);
            CK();
            m->func_type[m->nfuncs] = t;
            im->index = m->nfuncs++;
            m->nfunc_imports++;
            break;
        }
        case 1:
            m->tables = (wb_limits *)grow(r, m->tables, m->ntables, 1,
                                          sizeof(wb_limits));
            CK();
            m->tables[m->ntables].elem = rd_reftype(r);
            CK();
            rd_limits(r, &m->tables[m->ntables], 0);
            CK();
            im->index = m->ntables++;
            m->ntable_imports++;
            break;
        case 2:
            m->mems = (wb_limits *)grow(r, m->mems, m->nmems, 1, sizeof(wb_limits));
            CK();
            rd_limits(r, &m->mems[m->nmems], 1);
            CK();
#if !WB_FEATURE_MULTI_MEMORY
            INVALID(m->nmems >= 1, "multiple memories");
#endif
            im->index = m->nmems++;
            m->nmem_imports++;
            break;
        case 3: {
            wb_globaldef *g;
            m->globals = (wb_globaldef *)grow(r, m->globals, m->nglobals, 1,
                                              sizeof(wb_globaldef));
            CK();
            g = &m->globals[m->nglobals];
            g->type = rd_valtype(r);
            g->mut = wb_rd_u8(r);
            CK();
            MALFORMED(g->mut > 1, "malformed mutability");
            im->index = m->nglobals++;
            m->nglobal_imports++;
            break;
        }
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
        case 4:
            if (rd_tag(r, m))
                return r->st;
            im->index = m->ntags - 1u;
            m->ntag_imports++;
            break;
#endif
        default:
            MALFORMED(1, "malformed import kind");
        }
    }
    return 0;
}

static int sec_function(wb_reader *r, wb_module *m)
{
    uint32_t n = rd_count(r), i;
    CK();
    m->func_type = (uint32_t *)grow(r, m->func_type, m->nfuncs, n, 4);
    m->funcs = (wb_funcdef *)grow(r, NULL, 0, n, sizeof(wb_funcdef));
    CK();
    for (i = 0; i < n; i++) {
        uint32_t t = wb_rd_u32(r);
        CK();
        INVALID(t >= m->ntypes, "unknown type");
        m->func_type[m->nfuncs++] = t;
        m->funcs[i].type = t;
    }
    return 0;
}

static int sec_table(wb_reader *r, wb_module *m)
{
    uint32_t n = rd_count(r), i;
    CK();
    m->tables = (wb_limits *)grow(r, m->tables, m->ntables, n, sizeof(wb_limits));
    CK();
    for (i = 0; i < n; i++) {
        wb_limits *l = &m->tables[m->ntables];
        l->elem = rd_reftype(r);
        CK();
        rd_limits(r, l, 0);
        CK();
        m->ntables++;
    }
    return 0;
}

static int sec_memory(wb_reader *r, wb_module *m)
{
    uint32_t n = rd_count(r), i;
    CK();
    m->mems = (wb_limits *)grow(r, m->mems, m->nmems, n, sizeof(wb_limits));
    CK();
    for (i = 0; i < n; i++) {
        rd_limits(r, &m->mems[m->nmems], 1);
        CK();
#if !WB_FEATURE_MULTI_MEMORY
        INVALID(m->nmems >= 1, "multiple memories");
#endif
        m->nmems++;
    }
    return 0;
}

static int sec_global(wb_reader *r, wb_loadctx *lc)
{
    wb_module *m = lc->m;
    uint32_t n = rd_count(r), i;
    CK();
    m->globals = (wb_globaldef *)grow(r, m->globals, m->nglobals, n,
                                      sizeof(wb_globaldef));
    CK();
    for (i = 0; i < n; i++) {
        wb_globaldef *g = &m->globals[m->nglobals];
        g->type = rd_valtype(r);
        g->mut = wb_rd_u8(r);
        CK();
        MALFORMED(g->mut > 1, "malformed mutability");
        rd_cexpr(r, lc, &g->init, g->type);
        CK();
        m->nglobals++;
    }
    return 0;
}

static int sec_export(wb_reader *r, wb_loadctx *lc)
{
    wb_module *m = lc->m;
    uint32_t n = rd_count(r), i;
    CK();
    m->exports = (wb_export *)grow(r, NULL, 0, n, sizeof(wb_export));
    CK();
    for (i = 0; i < n; i++) {
        wb_export *e = &m->exports[i];
        uint32_t len, k;
        e->name = rd_name(r, &len);
        CK();
        e->len = len;
        m->nexports = i + 1;
        e->kind = wb_rd_u8(r);
        e->index = wb_rd_u32(r);
        CK();
        switch (e->kind) {
        case 0:
            INVALID(e->index >= m->nfuncs, "unknown function");
            if (e->index < m->nfuncs)
                lc->declared[e->index] = 1;
            break;
        case 1: INVALID(e->index >= m->ntables, "unknown table"); break;
        case 2: INVALID(e->index >= m->nmems, "unknown memory"); break;
        case 3: INVALID(e->index >= m->nglobals, "unknown global"); break;
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
        case 4: INVALID(e->index >= m->ntags, "unknown tag"); break;
#endif
        default: MALFORMED(1, "malformed export kind");
        }
#if WB_VALIDATE
        for (k = 0; k < i; k++) {
            if (m->exports[k].len == len && !memcmp(m->exports[k].name, e->name, len))
                return wb_rd_fail(r, WB_ERR_INVALID, "duplicate export name");
        }
#endif
        (void)k;
    }
    return 0;
}

static int sec_start(wb_reader *r, wb_module *m)
{
    m->start = wb_rd_u32(r);
    CK();
    INVALID(m->start >= m->nfuncs, "unknown function");
#if WB_VALIDATE
    {
        const wb_functype *t = &m->types[m->func_type[m->start]];
        INVALID(t->nparams || t->nresults, "start function");
    }
#endif
    return 0;
}

static int sec_elem(wb_reader *r, wb_loadctx *lc)
{
    wb_module *m = lc->m;
    uint32_t n = rd_count(r), i, k;
    CK();
    m->elems = (wb_elem *)grow(r, NULL, 0, n, sizeof(wb_elem));
    CK();
    for (i = 0; i < n; i++) {
        wb_elem *e = &m->elems[i];
        uint32_t flags = wb_rd_u32(r);
        CK();
        MALFORMED(flags > 7, "malformed elements segment kind");
        m->nelems = i + 1;
        e->type = WB_FUNCREF;
        e->mode = (flags & 1) ? ((flags & 2) ? 2 : 1) : 0;
        if (flags & 2 && !(flags & 1))
            e->table = wb_rd_u32(r);
        CK();
        if (e->mode == 0) {
            INVALID(e->table >= m->ntables, "unknown table");
            rd_cexpr(r, lc, &e->offset,
                     WB_AT64(e->table < m->ntables && m->tables[e->table].idx64));
            CK();
        }
        if (flags & 3) {
            if (flags & 4)
                e->type = rd_reftype(r);
            else
                MALFORMED(wb_rd_u8(r) != 0x00, "malformed elements segment kind");
            CK();
        }
        e->count = rd_count(r);
        CK();
        e->init = (wb_cexpr *)grow(r, NULL, 0, e->count, sizeof(wb_cexpr));
        CK();
        for (k = 0; k < e->count; k++) {
            if (flags & 4) {
                rd_cexpr(r, lc, &e->init[k], e->type);
            } else {
                uint32_t f = wb_rd_u32(r);
                CK();
                INVALID(f >= m->nfuncs, "unknown function");
                e->init[k].op = 0xD2;
                e->init[k].idx = f;
                if (f < m->nfuncs)
                    lc->declared[f] = 1;
            }
            CK();
        }
        if (e->mode == 0) {
            INVALID(m->tables[e->table].elem != e->type, "type mismatch");
        }
    }
    return 0;
}

static int sec_code(wb_reader *r, wb_loadctx *lc)
{
    wb_module *m = lc->m;
    uint32_t n = rd_count(r), i;
    CK();
    MALFORMED(n != m->nfuncs - m->nfunc_imports,
              "function and code section have inconsistent lengths");
    for (i = 0; i < n; i++) {
        uint32_t size = wb_rd_u32(r);
        wb_reader body;
        CK();
        MALFORMED(size > (uint32_t)(r->end - r->p),
                  "unexpected end of section or function");
        body.p = r->p;
        body.end = r->p + size;
        body.env = r->env;
        body.st = WB_OK;
#if WB_FEATURE_INTERP /* an AOT-only runtime keeps no bodies (AOT code replaces them) */
        if (wb_compile_func(lc, &body, m->nfunc_imports + i))
            return r->st = body.st;
#else
        (void)body;
#endif
        r->p += size;
    }
    /* trim the code buffer to its final size */
    if (m->code_len) {
        uint32_t *c = (uint32_t *)wb_realloc(r->env, m->code,
                                             (size_t)m->code_len * 4u);
        if (c)
            m->code = c;
    }
    return 0;
}

static int sec_data(wb_reader *r, wb_loadctx *lc)
{
    wb_module *m = lc->m;
    uint32_t n = rd_count(r), i;
    CK();
    MALFORMED(lc->has_data_count && n != lc->data_count,
              "data count and data section have inconsistent lengths");
    m->datas = (wb_data *)grow(r, NULL, 0, n, sizeof(wb_data));
    CK();
    for (i = 0; i < n; i++) {
        wb_data *d = &m->datas[i];
        uint32_t flags = wb_rd_u32(r);
        CK();
        m->ndatas = i + 1;
        MALFORMED(flags > 2, "malformed data segment kind");
        d->mode = flags == 1;
        if (flags == 2)
            d->mem = wb_rd_u32(r);
        CK();
        if (!d->mode) {
            INVALID(d->mem >= m->nmems, "unknown memory");
            rd_cexpr(r, lc, &d->offset, WB_AT64(d->mem < m->nmems && m->mems[d->mem].idx64));
        }
        d->len = wb_rd_u32(r);
        CK();
        MALFORMED(d->len > (uint32_t)(r->end - r->p),
                  "unexpected end of section or function");
        d->bytes = (uint8_t *)wb_alloc(r->env, d->len ? d->len : 1);
        MALFORMED(!d->bytes, "out of memory");
        memcpy(d->bytes, r->p, d->len);
        r->p += d->len;
    }
    return 0;
}

static int sec_custom(wb_reader *r, wb_module *m)
{
    uint32_t len;
    char *name = rd_name(r, &len);
    CK();
#if WB_FEATURE_CUSTOM_NAME_SECTION
    if (len == 4 && !memcmp(name, "name", 4) && m->nfuncs) {
        /* Only the function-names subsection (id 1) is kept; errors in
         * a custom section never fail the module. */
        wb_reader s = *r;
        while (s.p < s.end && !s.st) {
            uint8_t id = wb_rd_u8(&s);
            uint32_t sz = wb_rd_u32(&s);
            const uint8_t *next = s.p + sz;
            if (s.st || sz > (uint32_t)(s.end - s.p))
                break;
            if (id == 1) {
                uint32_t cnt = wb_rd_u32(&s), k;
                if (!m->func_names)
                    m->func_names = (char **)wb_alloc(r->env,
                                                      m->nfuncs * sizeof(char *));
                for (k = 0; k < cnt && m->func_names && !s.st; k++) {
                    uint32_t idx = wb_rd_u32(&s);
                    char *nm = rd_name(&s, NULL);
                    if (s.st || idx >= m->nfuncs) {
                        wb_free(r->env, nm);
                        break;
                    }
                    wb_free(r->env, m->func_names[idx]);
                    m->func_names[idx] = nm;
                }
            }
            s.p = next;
        }
        r->env->err[0] = 0;
    }
#endif
#if WB_FEATURE_LOAD_CUSTOM_SECTION
    {
        /* Copied: the module keeps no pointer into the caller's bytes
         * (wb_module_load's contract; the agent frees its upload buffer). */
        uint32_t n = (uint32_t)(r->end - r->p);
        wb_custom *c = (wb_custom *)wb_realloc(r->env, m->customs,
                                               (m->ncustoms + 1u) * sizeof(wb_custom));
        if (!c) {
            wb_free(r->env, name);
            return wb_rd_fail(r, WB_ERR_NOMEM, "out of memory");
        }
        m->customs = c;
        c += m->ncustoms;
        c->data = (uint8_t *)wb_alloc(r->env, n ? n : 1u);
        if (!c->data) {
            wb_free(r->env, name);
            return wb_rd_fail(r, WB_ERR_NOMEM, "out of memory");
        }
        memcpy(c->data, r->p, n);
        c->len = n;
        c->name = name;
        c->name_len = len;
        m->ncustoms++;
        name = NULL; /* owned by the module now */
    }
#endif
    (void)m;
    (void)len;
    wb_free(r->env, name);
    r->p = r->end;
    return 0;
}

#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
/* the tag section (13) sits between memory and global */
#define WB_LAST_SEC 13
static const uint8_t sec_rank[14] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};
#else
#define WB_LAST_SEC 12
static const uint8_t sec_rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
#endif

static int load(wb_reader *r, wb_loadctx *lc)
{
    wb_module *m = lc->m;
    uint8_t last = 0;
    int seen_code = 0;
    MALFORMED(r->end - r->p < 4 || memcmp(r->p, "\0asm", 4),
              "magic header not detected");
    r->p += 4;
    MALFORMED(r->end - r->p < 4, "unknown binary version");
    MALFORMED(memcmp(r->p, "\1\0\0\0", 4), "unknown binary version");
    r->p += 4;
#if WB_VALIDATE
    {
        /* Section structure first: a malformed module is reported as
         * such even when an earlier section would fail validation. */
        wb_reader s = *r;
        while (s.p < s.end) {
            uint8_t id = wb_rd_u8(&s);
            uint32_t size = wb_rd_u32(&s);
            if (s.st)
                return r->st = s.st;
            MALFORMED(id > WB_LAST_SEC, "malformed section id");
            MALFORMED(size > (uint32_t)(s.end - s.p), "length out of bounds");
            if (id) {
                MALFORMED(sec_rank[id] <= last,
                          "unexpected content after last section");
                last = sec_rank[id];
            }
            s.p += size;
        }
        last = 0;
    }
#endif
    while (r->p < r->end) {
        uint8_t id = wb_rd_u8(r);
        uint32_t size = wb_rd_u32(r);
        wb_reader s;
        CK();
        MALFORMED(id > WB_LAST_SEC, "malformed section id");
        MALFORMED(size > (uint32_t)(r->end - r->p), "length out of bounds");
        if (id) {
            MALFORMED_V(sec_rank[id] <= last,
                        "unexpected content after last section");
            last = sec_rank[id];
        }
        s.p = r->p;
        s.end = r->p + size;
        s.env = r->env;
        s.st = WB_OK;
        switch (id) {
        case 0: sec_custom(&s, m); break;
        case 1: sec_type(&s, m); break;
        case 2: sec_import(&s, lc); break;
        case 3: sec_function(&s, m); break;
        case 4: sec_table(&s, m); break;
        case 5: sec_memory(&s, m); break;
        case 6: sec_global(&s, lc); break;
        case 7: sec_export(&s, lc); break;
        case 8: sec_start(&s, m); break;
        case 9: sec_elem(&s, lc); break;
        case 10:
            seen_code = 1;
            sec_code(&s, lc);
            break;
        case 11: sec_data(&s, lc); break;
        case 12:
            lc->data_count = wb_rd_u32(&s);
            lc->has_data_count = 1;
            break;
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
        case 13: sec_tag(&s, m); break;
#endif
        }
        if (s.st)
            return r->st = s.st;
        MALFORMED(s.p != s.end, "section size mismatch");
        r->p += size;
        /* the declared-function table is sized once nfuncs is final */
        if (id == 2 || id == 3) {
            wb_free(r->env, lc->declared);
            lc->declared = (uint8_t *)wb_alloc(r->env, m->nfuncs + 1u);
            MALFORMED(!lc->declared, "out of memory");
        }
    }
    (void)last;
    MALFORMED(!seen_code && m->nfuncs != m->nfunc_imports,
              "function and code section have inconsistent lengths");
    MALFORMED(lc->has_data_count && lc->data_count != m->ndatas,
              "data count and data section have inconsistent lengths");
    /* memory.init / data.drop without a data count section */
    MALFORMED(lc->need_data_count && m->ndatas, "data count section required");
    INVALID(lc->need_data_count, "unknown data segment");
    return 0;
}

wb_status wb_module_load(wb_env *env, const uint8_t *bytes, uint32_t size,
                         wb_module **out)
{
#if WB_FEATURE_AOT
    if (wb_aot_is_file(bytes, size))
        return wb_aot_load(env, bytes, size, out);
#endif
#if !WB_FEATURE_INTERP
    /* no interpreter: a .wasm may only declare things (imports, memories,
     * tables, globals, data), never define code */
    {
        wb_status st = wb_module_load_wasm(env, bytes, size, out);
        if (st || (*out)->nfuncs == (*out)->nfunc_imports)
            return st;
        wb_module_free(*out);
        *out = NULL;
        return wb_fail(env, WB_ERR_UNSUPPORTED, "this runtime was built without the "
                                                "interpreter: compile the module with wasmbed aot");
    }
#else
    return wb_module_load_wasm(env, bytes, size, out);
#endif
}

wb_status wb_module_load_wasm(wb_env *env, const uint8_t *bytes, uint32_t size,
                              wb_module **out)
{
    wb_reader r;
    wb_loadctx lc;
    wb_module *m;
    wb_stats before, after;
    *out = NULL;
    env->err[0] = 0;
    wb_env_stats(env, &before);
    m = (wb_module *)wb_alloc(env, sizeof *m);
    if (!m)
        return wb_fail(env, WB_ERR_NOMEM, "out of memory");
    m->env = env;
    m->refs = 1;
    m->start = WB_NONE;
    m->next = env->modules;
    env->modules = m;
    memset(&lc, 0, sizeof lc);
    lc.m = m;
    lc.declared = (uint8_t *)wb_alloc(env, 1);
    r.p = bytes;
    r.end = bytes + size;
    r.env = env;
    r.st = lc.declared ? WB_OK : wb_fail(env, WB_ERR_NOMEM, "out of memory");
    if (!r.st)
        load(&r, &lc);
    wb_free(env, lc.declared);
    if (r.st) {
        m->freed = 1;
        m->refs = 0;
        wb_module_destroy(m);
        return r.st;
    }
    wb_env_stats(env, &after);
    m->mem_size = after.pool_used - before.pool_used;
    *out = m;
    return WB_OK;
}

size_t wb_module_mem_size(const wb_module *module)
{
    return module ? module->mem_size : 0;
}

/* Release every allocation of a module and unlink it from its env. */
void wb_module_destroy(wb_module *m)
{
    wb_env *env = m->env;
    wb_module **pp;
    uint32_t i;
    for (pp = &env->modules; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            break;
        }
#if WB_FEATURE_FAST_INTERP
    wb_fast_module_free(m);
#endif
    for (i = 0; i < m->ntypes; i++)
        wb_free(env, m->types[i].types);
    wb_free(env, m->types);
    for (i = 0; i < m->nimports; i++) {
        wb_free(env, m->imports[i].module);
        wb_free(env, m->imports[i].name);
    }
    wb_free(env, m->imports);
    wb_free(env, m->func_type);
    wb_free(env, m->funcs);
    wb_free(env, m->tables);
    wb_free(env, m->mems);
    wb_free(env, m->globals);
    for (i = 0; i < m->nexports; i++)
        wb_free(env, m->exports[i].name);
    wb_free(env, m->exports);
    for (i = 0; i < m->nelems; i++)
        wb_free(env, m->elems[i].init);
#if WB_FEATURE_EXTENDED_CONST
    wb_free(env, m->xops);
#endif
    wb_free(env, m->elems);
    for (i = 0; i < m->ndatas; i++)
        wb_free(env, m->datas[i].bytes);
    wb_free(env, m->datas);
    wb_free(env, m->code);
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    wb_free(env, m->tag_type);
    wb_free(env, m->eh);
    wb_free(env, m->ehc);
#endif
#if WB_FEATURE_AOT
    wb_aot_module_free(m);
#endif
#if WB_FEATURE_LOAD_CUSTOM_SECTION
    for (i = 0; i < m->ncustoms; i++) {
        wb_free(env, m->customs[i].name);
        wb_free(env, m->customs[i].data);
    }
    wb_free(env, m->customs);
#endif
#if WB_FEATURE_CUSTOM_NAME_SECTION
    if (m->func_names) {
        for (i = 0; i < m->nfuncs; i++)
            wb_free(env, m->func_names[i]);
        wb_free(env, m->func_names);
    }
#endif
    wb_free(env, m);
}

const uint8_t *wb_module_custom_section(const wb_module *module, const char *name,
                                       uint32_t *len)
{
    if (len)
        *len = 0;
    if (!module || !name)
        return NULL;
#if WB_FEATURE_LOAD_CUSTOM_SECTION
    {
        size_t n = wb_strlen(name);
        uint32_t i;
        for (i = 0; i < module->ncustoms; i++) {
            const wb_custom *c = &module->customs[i];
            if (c->name_len == n && !memcmp(c->name, name, n)) {
                if (len)
                    *len = c->len;
                return c->data;
            }
        }
        wb_fail(module->env, WB_ERR_NOT_FOUND, "no custom section of that name");
    }
#else
    wb_not_built(module->env, "load-custom-section");
#endif
    return NULL;
}

void wb_module_free(wb_module *module)
{
    if (!module || module->freed)
        return;
    module->freed = 1;
    if (--module->refs == 0)
        wb_module_destroy(module);
}
