/*
 * Function-body validator and compiler, one pass.
 *
 * The validator keeps the operand type stack and the control stack of
 * the spec's validation algorithm; the same pass emits the internal code
 * (wb_ops.h) with every branch resolved: a target offset, the frame slot
 * to unwind to and the arity to keep. Code that can never run (after br,
 * return, unreachable) is validated but not emitted. In the mini loader
 * the type checks compile out; stack heights are still tracked.
 */
#include "wb_internal.h"
#include "wb_ops.h"
#if WB_FEATURE_SIMD
#include "wb_simd.h"
#endif
#if WB_FEATURE_MEMORY64 || WB_FEATURE_MULTI_MEMORY
#include "wb_ext.h"
#include "wb_memx.h"
#define WB_MX 1
#else
#define WB_MX 0
#endif
#if WB_FEATURE_SHARED_MEMORY
#include "wb_atomic.h"
#include "wb_ext.h"
#endif
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
#include "wb_eh.h"
#include "wb_ext.h"
#endif

#if WB_FEATURE_INTERP /* AOT-only builds validate on the host (wasmbed aot) */

#if WB_VALIDATE
#define INVALID(c, msg)                                                   \
    do {                                                                  \
        if (c) {                                                          \
            wb_rd_fail(cc->r, WB_ERR_INVALID, msg);                       \
            return;                                                       \
        }                                                                 \
    } while (0)
#else
#define INVALID(c, msg) ((void)0)
#endif
#define MALFORMED(c, msg)                                                 \
    do {                                                                  \
        if (c) {                                                          \
            wb_rd_fail(cc->r, WB_ERR_MALFORMED, msg);                     \
            return;                                                       \
        }                                                                 \
    } while (0)

enum { K_BLOCK, K_LOOP, K_IF, K_ELSE, K_FUNC, K_TRY, K_CATCH, K_CATCH_ALL };

typedef struct ctl {
    uint8_t kind, unreach, dead;
    uint32_t height;
#if WB_FEATURE_SIMD
    uint32_t sheight; /* operand slots at entry (a v128 takes two) */
#endif
    uint32_t np, nr;
    const uint8_t *pt, *rt;
    uint32_t target;   /* loop: start offset */
    uint32_t fix;      /* chain of slots to patch with the end offset */
    uint32_t else_fix; /* if: slot of the BR_UNLESS target */
#if WB_FEATURE_INSTRUCTION_METERING
    uint32_t fuel_at;  /* loop: slot of OP_FUEL's count (WB_NONE: none) */
    uint32_t ops0;     /* loop: instructions compiled before its body   */
#endif
} ctl;

typedef struct comp {
    wb_loadctx *lc;
    wb_module *m;
    wb_reader *r;
    uint8_t *vals;
    uint32_t nvals, capv, max;
    ctl *ctls;
    uint32_t nctl, capc;
    uint8_t *locals;
    uint32_t nlocals;
#if WB_FEATURE_SIMD
    uint32_t nslots;  /* operand slots (nvals counts values)            */
    uint32_t lbase;   /* slots of the locals                            */
    uint32_t *lslot;  /* slot of each local; NULL: no v128 local        */
#endif
    uint32_t last, last2; /* start of the last two emitted instructions */
    uint32_t barrier;     /* branch target: no fusion across it        */
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    uint32_t eh_groups;   /* hidden catch slot groups after the locals  */
    uint32_t eh_need;     /* groups the body turned out to need         */
#endif
#if WB_FEATURE_INSTRUCTION_METERING
    uint32_t nops;        /* wasm instructions compiled so far          */
#endif
} comp;

/* legacy EH: a catch's hidden slots sit between the locals and the operand
 * stack (wb_eh_compile.h) */
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
#define EHS(cc) ((cc)->eh_groups * WB_EH_GROUP)
#else
#define EHS(cc) 0u
#endif

/* Slot accounting: a v128 takes two slots, so with simd the operand stack's
 * slot height (SL), a label's (SH), the locals' slots (LBASE) and a local's
 * slot (LSLOT) differ from the value counts; without simd they are the same. */
#if WB_FEATURE_SIMD
#define SL(cc) ((cc)->nslots)
#define SH(f) ((f)->sheight)
#define LBASE(cc) ((cc)->lbase + EHS(cc))
#define LSLOT(cc, a) ((cc)->lslot ? (cc)->lslot[a] : (a))
#else
#define SL(cc) ((cc)->nvals)
#define SH(f) ((f)->height)
#define LBASE(cc) ((cc)->nlocals + EHS(cc))
#define LSLOT(cc, a) (a)
#endif

static const uint8_t vt1[] = {WB_I32, WB_I64, WB_F32, WB_F64,
                              WB_V128, WB_FUNCREF, WB_EXTERNREF};

static const uint8_t *one_type(uint8_t t)
{
    unsigned i;
    for (i = 0; i < sizeof vt1; i++)
        if (vt1[i] == t)
            return &vt1[i];
    return vt1;
}

static int grow_buf(comp *cc, void **buf, uint32_t *cap, uint32_t need, size_t sz)
{
    void *n;
    uint32_t c;
    if (need <= *cap)
        return 1;
    c = *cap ? *cap * 2u : 16u;
    while (c < need)
        c *= 2u;
    n = wb_realloc(cc->r->env, *buf, (size_t)c * sz);
    if (!n) {
        wb_rd_fail(cc->r, WB_ERR_NOMEM, "out of memory");
        return 0;
    }
    *buf = n;
    *cap = c;
    return 1;
}

/* ---- emission ----------------------------------------------------------- */
static ctl *top(comp *cc) { return &cc->ctls[cc->nctl - 1]; }
static int live(comp *cc) { return !top(cc)->unreach && !top(cc)->dead; }

static uint32_t here(comp *cc) { return cc->m->code_len; }

static void emit(comp *cc, uint32_t w)
{
    wb_module *m = cc->m;
    uint32_t n = m->code_len;
    if (!live(cc) || cc->r->st)
        return;
    /* capacity: 64 words, then doubling at every power of two */
    if (n == 0 || (n >= 64u && !(n & (n - 1u)))) {
        uint32_t *c = (uint32_t *)wb_realloc(cc->r->env, m->code,
                                             (size_t)(n ? n * 2u : 64u) * 4u);
        if (!c) {
            wb_rd_fail(cc->r, WB_ERR_NOMEM, "out of memory");
            return;
        }
        m->code = c;
    }
    m->code[m->code_len++] = w;
}

static void emit2(comp *cc, uint32_t a, uint32_t b)
{
    emit(cc, a);
    emit(cc, b);
}

/* The first word of an instruction. */
static void emit_op(comp *cc, uint32_t op)
{
    if (!live(cc))
        return;
    cc->last2 = cc->last;
    cc->last = here(cc);
    emit(cc, op);
}

static void emit_op2(comp *cc, uint32_t op, uint32_t imm)
{
    emit_op(cc, op);
    emit(cc, imm);
}

static void set_barrier(comp *cc) { cc->barrier = here(cc); }

#if WB_FUSE
/* Can the instruction at `at` (of n words, ending at here) be rewritten? */
static int fusable(comp *cc, uint32_t at, uint32_t n)
{
    return live(cc) && at != WB_NONE && at >= cc->barrier && at + n == here(cc);
}

/* i32 binop after i32.const c: one op with an immediate. */
static int fuse_imm(comp *cc, uint8_t op)
{
    uint32_t *code = cc->m->code, at = cc->last, f;
    if (!fusable(cc, at, 2) || code[at] != OP_I32_CONST)
        return 0;
    switch (op) {
    case 0x6A: f = OP_ADDI; break;
    case 0x6B: f = OP_ADDI; code[at + 1] = 0u - code[at + 1]; break;
    case 0x6C: f = OP_MULI; break;
    case 0x71: f = OP_ANDI; break;
    case 0x72: f = OP_ORI; break;
    case 0x73: f = OP_XORI; break;
    case 0x74: f = OP_SHLI; break;
    case 0x75: f = OP_SHRSI; break;
    case 0x76: f = OP_SHRUI; break;
    default:
        if (op < 0x46 || op > 0x4F)
            return 0;
        f = OP_CMPI(op);
    }
    code[at] = f;
    /* local.get a; i32.const c; i32.add (and, shr_u) -> one op */
    if (f == OP_ADDI && fusable(cc, cc->last2, 4) && code[cc->last2] == OP_LOCAL_GET) {
        at = cc->last2;
        code[at] = OP_LGET_ADDI;
        code[at + 2] = code[at + 3];
        cc->m->code_len--;
        cc->last = at;
        cc->last2 = WB_NONE;
    }
#if WB_FUSE2
    else if ((f == OP_ANDI || f == OP_SHRUI) && fusable(cc, cc->last2, 4) &&
             code[cc->last2] == OP_LOCAL_GET) {
        at = cc->last2;
        code[at] = f == OP_ANDI ? OP_LGET_ANDI : OP_LGET_SHRUI;
        code[at + 2] = code[at + 3];
        cc->m->code_len--;
        cc->last = at;
        cc->last2 = WB_NONE;
    }
#endif
    return 1;
}

#if WB_FUSE2
/* local.get a; i32.const c; i32.add; local.set/tee d -> one op */
static int fuse_laddi_set(comp *cc, uint32_t op, uint32_t d)
{
    uint32_t *code = cc->m->code, at = cc->last;
    if (fusable(cc, at, 1) && (code[at] == 0x73 || (code[at] == 0x6A && op == 0x21))) {
        /* i32.xor / i32.add; local.set/tee d */
        code[at] = code[at] == 0x6A ? OP_ADD_SET : op == 0x21 ? OP_XOR_SET : OP_XOR_TEE;
        emit(cc, d);
        cc->last2 = WB_NONE;
        return 1;
    }
    if (op == 0x21 && fusable(cc, at, 2) &&
        (code[at] == OP_I32_ADD_L || code[at] == OP_I32_CONST)) {
        /* local.get b; i32.add; local.set d  /  i32.const c; local.set d */
        code[at] = code[at] == OP_I32_CONST ? OP_CONST_SET : OP_ADDL_SET;
        emit(cc, d);
        cc->last2 = WB_NONE;
        return 1;
    }
    if (!fusable(cc, at, 3) || code[at] != OP_LGET_ADDI)
        return 0;
    code[at] = op == 0x21 ? OP_LADDI_SET : OP_LADDI_TEE;
    emit(cc, d);
    cc->last2 = WB_NONE;
    return 1;
}
#else
#define fuse_laddi_set(cc, op, d) 0 /* fast-interp builds */
#endif

/* local.get b; binop -> binop with a local operand */
static int fuse_local_operand(comp *cc, uint8_t op)
{
    uint32_t *code = cc->m->code, at = cc->last, f;
    switch (op) {
    case 0x6A: f = OP_I32_ADD_L; break;
    case 0x6C: f = OP_I32_MUL_L; break;
    case 0x7C: f = OP_I64_ADD_L; break;
    case 0x92: f = OP_F32_ADD_L; break;
    case 0x93: f = OP_F32_SUB_L; break;
    case 0x94: f = OP_F32_MUL_L; break;
    case 0xA0: f = OP_F64_ADD_L; break;
    case 0xA1: f = OP_F64_SUB_L; break;
    case 0xA2: f = OP_F64_MUL_L; break;
    default: return 0;
    }
#if WB_FUSE2
    if (f == OP_I32_ADD_L && fusable(cc, at, 3) && code[at] == OP_LGET2) {
        code[at] = OP_LL_ADD; /* local.get a; local.get b; i32.add */
        cc->last2 = WB_NONE;
        return 1;
    }
#endif
#if WB_TOS32_LOCALS /* the i64/f64 ones read an i64/f64 local */
    if (fusable(cc, at, 2) && code[at] == OP_LOCAL_GET64) {
        code[at] = f;
        cc->last2 = WB_NONE;
        return 1;
    }
#endif
    if (!fusable(cc, at, 2) || code[at] != OP_LOCAL_GET)
        return 0;
    code[at] = f;
    cc->last2 = WB_NONE;
    return 1;
}

/* local.get a [; i32.const c; i32.add]; load -> one op */
static int fuse_load(comp *cc, uint8_t op, uint32_t off)
{
    uint32_t *code = cc->m->code, at = cc->last, k;
#if WB_FUSE2
    /* i32.const s; i32.shl; i32.const c; i32.add; i32.load: table lookups */
    if (op == 0x28 && fusable(cc, at, 2) && code[at] == OP_ADDI &&
        fusable(cc, cc->last2, 4) && code[cc->last2] == OP_SHLI) {
        at = cc->last2;
        code[at] = OP_IDX_LD32;
        code[at + 2] = code[at + 3];
        code[at + 3] = off;
        cc->last = at;
        cc->last2 = WB_NONE;
        return 1;
    }
#endif
    if (op == 0x28 || op == 0x2A || op == 0x35)
        k = 0;
    else if (op == 0x29 || op == 0x2B)
        k = 1;
    else if (op == 0x2D || op == 0x31)
        k = 2;
    else
        return 0;
#if WB_TOS32 /* these write an i32 there: not the i64 loads (wb_ops.h) */
    if (op == 0x35 || op == 0x31)
        return 0;
#endif
    if (fusable(cc, at, 2) && code[at] == OP_LOCAL_GET)
        code[at] = OP_LG_LD32 + k;
    else if (fusable(cc, at, 3) && code[at] == OP_LGET_ADDI)
        code[at] = OP_LGA_LD32 + k;
    else
        return 0;
    emit(cc, off);
    cc->last2 = WB_NONE;
    return 1;
}

/* local.get a; local.get b -> one op */
static int fuse_lget(comp *cc, uint32_t idx)
{
    uint32_t *code = cc->m->code;
    if (!fusable(cc, cc->last, 2) || code[cc->last] != OP_LOCAL_GET)
        return 0;
    code[cc->last] = OP_LGET2;
    emit(cc, idx);
    cc->last2 = WB_NONE;
    return 1;
}

/* i32 compare (or eqz); br_if -> compare-and-branch (target follows) */
static int fuse_br_if(comp *cc)
{
    uint32_t *code = cc->m->code, at = cc->last, op;
#if WB_FUSE2
    if (fusable(cc, at, 4) && code[at] == OP_LADDI_TEE) {
        code[at] = OP_LADDI_BRNZ;
        cc->last2 = WB_NONE;
        return 1;
    }
    if (fusable(cc, at, 2) && code[at] == OP_CMPI(0x47) && fusable(cc, cc->last2, 6) &&
        code[cc->last2] == OP_LADDI_TEE) {
        code[at] = code[at + 1]; /* k after a c d */
        cc->m->code_len--;
        at = cc->last2;
        code[at] = OP_LADDI_BRNE;
        cc->last = at;
        cc->last2 = WB_NONE;
        return 1;
    }
#endif
    if (!fusable(cc, at, 1) && !fusable(cc, at, 2))
        return 0;
    op = code[at];
#if WB_FUSE2
    if (fusable(cc, at, 2) && op == OP_LOCAL_GET) {
        code[at] = OP_LBR_IF;
        cc->last2 = WB_NONE;
        return 1;
    }
#endif
    if (fusable(cc, at, 1) && op == 0x45) {
        code[at] = OP_BR_UNLESS;
    } else if (fusable(cc, at, 1) && op >= 0x46 && op <= 0x4F) {
        code[at] = OP_BRC(op);
    } else if (fusable(cc, at, 2) && op >= OP_CMPI(0x46) && op <= OP_CMPI(0x4F)) {
        code[at] = OP_BRCI(op - OP_CMPI(0x46) + 0x46);
    } else {
        return 0;
    }
    cc->last2 = WB_NONE;
    return 1;
}
#else
#define fuse_laddi_set(cc, op, d) 0
#define fuse_imm(cc, op) 0
#define fuse_local_operand(cc, op) 0
#define fuse_load(cc, op, off) 0
#define fuse_lget(cc, idx) 0
#define fuse_br_if(cc) 0
#endif

static void patch_chain(comp *cc, uint32_t fix, uint32_t to)
{
    while (fix != WB_NONE) {
        uint32_t next = cc->m->code[fix];
        cc->m->code[fix] = to - fix; /* targets are relative to their slot */
        fix = next;
    }
}

/* ---- operand type stack ------------------------------------------------- */
static void push(comp *cc, uint8_t t)
{
    if (!grow_buf(cc, (void **)&cc->vals, &cc->capv, cc->nvals + 1u, 1))
        return;
    cc->vals[cc->nvals++] = t;
#if WB_FEATURE_SIMD
    cc->nslots += WB_SLOTS(t);
#endif
    if (SL(cc) > cc->max)
        cc->max = SL(cc);
}

static uint8_t pop(comp *cc, uint8_t want)
{
    ctl *f = top(cc);
    uint8_t t;
    if (cc->nvals == f->height) {
#if WB_VALIDATE
        if (!f->unreach)
            wb_rd_fail(cc->r, WB_ERR_INVALID, "type mismatch");
#endif
        return want ? want : WB_UNKNOWN_T;
    }
    t = cc->vals[--cc->nvals];
#if WB_FEATURE_SIMD
    cc->nslots -= WB_SLOTS(t);
#endif
#if WB_VALIDATE
    if (want && t && t != want)
        wb_rd_fail(cc->r, WB_ERR_INVALID, "type mismatch");
#endif
    return t ? t : want;
}

static void pop_n(comp *cc, uint32_t n, const uint8_t *t)
{
    while (n--)
        pop(cc, t[n]);
}

static void push_n(comp *cc, uint32_t n, const uint8_t *t)
{
    uint32_t i;
    for (i = 0; i < n; i++)
        push(cc, t[i]);
}

static void set_unreachable(comp *cc)
{
    ctl *f = top(cc);
    cc->nvals = f->height;
#if WB_FEATURE_SIMD
    cc->nslots = f->sheight;
#endif
    f->unreach = 1;
}

static void push_ctl(comp *cc, uint8_t kind, uint32_t np, const uint8_t *pt,
                     uint32_t nr, const uint8_t *rt)
{
    ctl *f;
    uint8_t dead = cc->nctl ? (uint8_t)!live(cc) : 0;
    if (!grow_buf(cc, (void **)&cc->ctls, &cc->capc, cc->nctl + 1u, sizeof(ctl)))
        return;
    f = &cc->ctls[cc->nctl++];
    f->kind = kind;
    f->unreach = 0;
    f->dead = dead;
    f->np = np;
    f->pt = pt;
    f->nr = nr;
    f->rt = rt;
    f->height = cc->nvals;
#if WB_FEATURE_SIMD
    f->sheight = cc->nslots;
#endif
    f->target = here(cc);
    set_barrier(cc);
    f->fix = WB_NONE;
    f->else_fix = WB_NONE;
    push_n(cc, np, pt);
}

/* ---- branches -------------------------------------------------------------- */
static ctl *label(comp *cc, uint32_t depth)
{
    if (depth >= cc->nctl) {
        wb_rd_fail(cc->r, WB_ERR_INVALID, "unknown label");
        return NULL;
    }
    return &cc->ctls[cc->nctl - 1u - depth];
}

static uint32_t label_arity(const ctl *f) { return f->kind == K_LOOP ? f->np : f->nr; }
static const uint8_t *label_types(const ctl *f) { return f->kind == K_LOOP ? f->pt : f->rt; }

/* Emit the target word of a branch to f (resolved now or chained). */
static void emit_target(comp *cc, ctl *f)
{
    if (!live(cc))
        return;
    if (f->kind == K_LOOP) {
        emit(cc, f->target - here(cc));
    } else {
        uint32_t at = here(cc);
        emit(cc, f->fix);
        f->fix = at;
    }
}

/* br / br_if to f; the label's values are on top of the stack. */
static void emit_branch(comp *cc, ctl *f, int cond)
{
    uint32_t a = wb_slots_of(label_arity(f), label_types(f));
    /* operand slot k lives in frame slot LBASE + 1 + k (slot LBASE pads) */
    uint32_t off = LBASE(cc) + 1u + SH(f);
    uint32_t h = LBASE(cc) + 1u + SL(cc);
    if (!live(cc))
        return;
    if (!cond && f == &cc->ctls[0]) {
        emit_op2(cc, OP_RETURN, a);
        return;
    }
    if (h - a == off) {
        if (!cond || !fuse_br_if(cc))
            emit_op(cc, cond ? OP_BR_IF : OP_BR);
        emit_target(cc, f);
    } else {
        emit_op(cc, cond ? OP_BR_IF_UNWIND : OP_BR_UNWIND);
        emit_target(cc, f);
        emit2(cc, off, a);
    }
}

/* ---- block types ------------------------------------------------------------ */
static void read_blocktype(comp *cc, uint32_t *np, const uint8_t **pt,
                           uint32_t *nr, const uint8_t **rt)
{
    wb_reader *r = cc->r;
    uint8_t b;
    *np = *nr = 0;
    *pt = *rt = vt1;
    if (r->p >= r->end) {
        wb_rd_fail(r, WB_ERR_MALFORMED, "unexpected end");
        return;
    }
    *np = *nr = 0;
    *pt = *rt = vt1;
    b = *r->p;
    if (b == 0x40) {
        r->p++;
        *nr = 0;
        *rt = vt1;
    } else if (wb_valtype_ok(b)) {
        r->p++;
        *nr = 1;
        *rt = one_type(b);
    } else {
        int64_t idx = (int64_t)wb_rd_leb(r, 33, 1);
        const wb_functype *t;
        if (r->st)
            return;
        if (idx < 0) {
            wb_rd_fail(r, WB_ERR_MALFORMED, "malformed value type");
            return;
        }
        INVALID((uint64_t)idx >= cc->m->ntypes, "unknown type");
        t = &cc->m->types[idx];
        *np = t->nparams;
        *pt = t->types;
        *nr = t->nresults;
        *rt = t->types + t->nparams;
    }
}

/* ---- numeric signatures ---------------------------------------------------- */
static uint8_t letter(char c)
{
    return c == 'i' ? WB_I32 : c == 'I' ? WB_I64 : c == 'f' ? WB_F32 : WB_F64;
}

/* Conversions 0xA7..0xC4: input and output type letters. */
static const char conv_sig[] = "IififiFiFiiIiIfIfIFIFIififIfIfFfiFiFIFIFfFfiFIifIFiiiiIIIIII";

static void num_sig(uint8_t op, uint8_t *a, uint8_t *b, uint8_t *o)
{
    *b = 0;
    if (op == 0x45) { *a = WB_I32; *o = WB_I32; }
    else if (op <= 0x4F) { *a = *b = WB_I32; *o = WB_I32; }
    else if (op == 0x50) { *a = WB_I64; *o = WB_I32; }
    else if (op <= 0x5A) { *a = *b = WB_I64; *o = WB_I32; }
    else if (op <= 0x60) { *a = *b = WB_F32; *o = WB_I32; }
    else if (op <= 0x66) { *a = *b = WB_F64; *o = WB_I32; }
    else if (op <= 0x69) { *a = *o = WB_I32; }
    else if (op <= 0x78) { *a = *b = *o = WB_I32; }
    else if (op <= 0x7B) { *a = *o = WB_I64; }
    else if (op <= 0x8A) { *a = *b = *o = WB_I64; }
    else if (op <= 0x91) { *a = *o = WB_F32; }
    else if (op <= 0x98) { *a = *b = *o = WB_F32; }
    else if (op <= 0x9F) { *a = *o = WB_F64; }
    else if (op <= 0xA6) { *a = *b = *o = WB_F64; }
    else {
        unsigned k = (unsigned)(op - 0xA7u) * 2u;
        *a = letter(conv_sig[k]);
        *o = letter(conv_sig[k + 1]);
    }
}

/* memory access: natural alignment (log2) and value type, by opcode */
static const char mem_sig[] = "2i3I2f3F0i0i1i1i0I0I1I1I2I2I2i3I2f3F0i1i0I1I2I";

static uint32_t rd_idx(comp *cc) { return wb_rd_u32(cc->r); }

/* ---- instructions ------------------------------------------------------------ */
static void op_end(comp *cc)
{
    ctl *f = top(cc);
    uint32_t end;
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    if (f->kind == K_TRY && f->target != WB_NONE) /* a try without catch */
        cc->m->eh[f->target].end = here(cc);
#endif
    pop_n(cc, f->nr, f->rt);
    INVALID(cc->nvals != f->height, "type mismatch");
#if WB_VALIDATE
    INVALID(f->kind == K_IF && (f->np != f->nr || memcmp(f->pt, f->rt, f->np)),
            "type mismatch");
#endif
    if (f->kind == K_FUNC) {
        f->unreach = 0;
        if (!f->dead) {
            end = here(cc);
            patch_chain(cc, f->fix, end);
            f->unreach = 0;
            emit_op2(cc, OP_RETURN, wb_slots_of(f->nr, f->rt));
        }
        cc->nctl--;
        return;
    }
    end = here(cc);
    set_barrier(cc);
#if WB_FEATURE_INSTRUCTION_METERING
    if (f->kind == K_LOOP && f->fuel_at != WB_NONE && cc->nops > f->ops0)
        cc->m->code[f->fuel_at] = cc->nops - f->ops0;
#endif
    if (f->else_fix != WB_NONE)
        cc->m->code[f->else_fix] = end - f->else_fix;
    patch_chain(cc, f->fix, end);
    cc->nctl--;
#if WB_FEATURE_SIMD
    cc->nslots = f->sheight;
#endif
    push_n(cc, f->nr, f->rt);
}

static void op_else(comp *cc)
{
    ctl *f = top(cc);
    INVALID(f->kind != K_IF, "else without if");
    pop_n(cc, f->nr, f->rt);
    INVALID(cc->nvals != f->height, "type mismatch");
    if (live(cc)) {
        uint32_t at;
        emit_op(cc, OP_BR);
        at = here(cc);
        emit(cc, f->fix);
        f->fix = at;
    }
    if (f->else_fix != WB_NONE)
        cc->m->code[f->else_fix] = here(cc) - f->else_fix;
    set_barrier(cc);
    f->else_fix = WB_NONE;
    f->kind = K_ELSE;
    f->unreach = 0;
    cc->nvals = f->height;
#if WB_FEATURE_SIMD
    cc->nslots = f->sheight;
#endif
    push_n(cc, f->np, f->pt);
}

static void op_br_table(comp *cc)
{
    wb_reader *r = cc->r;
    uint32_t n = wb_rd_u32(r), i, arity = 0;
    const uint8_t *p0;
    ctl *f;
    if (r->st)
        return;
    MALFORMED(n > (uint32_t)(r->end - r->p), "unexpected end");
    pop(cc, WB_I32);
    p0 = r->p;
    /* pass 1: validate, find the arity */
    for (i = 0; i <= n; i++) {
        f = label(cc, wb_rd_u32(r));
        if (r->st || !f)
            return;
        if (i == 0)
            arity = label_arity(f);
        INVALID(label_arity(f) != arity, "type mismatch");
#if WB_VALIDATE
        {
            /* the operand stack must match every label's types */
            uint32_t k, h = cc->nvals;
            const uint8_t *t = label_types(f);
            for (k = 0; k < arity; k++) {
                uint8_t have;
                if (h - k <= top(cc)->height) {
                    INVALID(!top(cc)->unreach, "type mismatch");
                    break;
                }
                have = cc->vals[h - 1u - k];
                INVALID(have && have != t[arity - 1u - k], "type mismatch");
            }
        }
#endif
    }
    (void)arity; /* emitted in slots below */
    if (live(cc)) {
        emit_op2(cc, OP_BR_TABLE, n);
        r->p = p0;
        for (i = 0; i <= n; i++) {
            f = label(cc, wb_rd_u32(r));
            if (i == 0) /* the arity in slots */
                emit(cc, wb_slots_of(label_arity(f), label_types(f)));
            emit_target(cc, f);
            emit(cc, LBASE(cc) + 1u + SH(f));
        }
    }
    set_unreachable(cc);
}

#include "wb_eh_compile.h"

static void op_call(comp *cc, const wb_functype *t)
{
    pop_n(cc, t->nparams, t->types);
    push_n(cc, t->nresults, t->types + t->nparams);
}

/* Nonzero (and the load failed) if there is no memory `idx` / no such table.
 * memory64 / multi-memory: a memory's address type; the
 * extension op (wb_memx.c) that every access to a memory other than a 32-bit
 * memory 0 compiles to (memory 0, 32-bit, keeps the hot loop's opcodes). */
static int mem_check_idx(comp *cc, uint32_t idx)
{
#if WB_VALIDATE
    if (idx >= cc->m->nmems)
        return wb_rd_fail(cc->r, WB_ERR_INVALID, "unknown memory");
#endif
    (void)cc; /* mini loader */
    (void)idx;
    return 0;
}

#if WB_FEATURE_MEMORY64
static uint8_t mem_at(comp *cc, uint32_t idx)
{
    return idx < cc->m->nmems && cc->m->mems[idx].idx64 ? WB_I64 : WB_I32;
}

static uint8_t table_at(comp *cc, uint32_t idx)
{
    return idx < cc->m->ntables && cc->m->tables[idx].idx64 ? WB_I64 : WB_I32;
}
#else /* every memory and table 32-bit: the checks below fold away */
#define mem_at(cc, idx) ((uint8_t)WB_I32)
#define table_at(cc, idx) ((uint8_t)WB_I32)
#endif

/* memory.size/grow/init/copy/fill: v = a memory index (multi-memory), else a
 * 0x00 byte (v = 0; the instruction returns when it is not) */
#if WB_FEATURE_MULTI_MEMORY
#define RD_MEMIDX(v) ((v) = wb_rd_u32(cc->r))
#else
#define RD_MEMIDX(v)                                                      \
    do {                                                                  \
        (v) = 0;                                                          \
        MALFORMED(wb_rd_u8(cc->r) != 0, "zero byte expected");            \
    } while (0)
#endif

/* A memarg: alignment exponent, memory index (flag 0x40, multi-memory) and
 * offset (u64 with memory64; an offset must fit the memory's address type).
 * Fails the reader on a malformed / invalid one. */
#if WB_FEATURE_MEMORY64
typedef uint64_t wb_moff; /* a memarg offset */
#else
typedef uint32_t wb_moff;
#endif
#if WB_MX
static void rd_memarg(comp *cc, uint32_t *align, uint32_t *mi, wb_moff *off)
{
    wb_reader *r = cc->r;
    *align = wb_rd_u32(r);
    *mi = 0;
#if WB_FEATURE_MULTI_MEMORY
    if (!r->st && (*align & 0x40u)) {
        *align -= 0x40u;
        *mi = wb_rd_u32(r);
    }
#endif
#if WB_FEATURE_MEMORY64
    *off = wb_rd_leb(r, 64, 0);
#else
    *off = wb_rd_u32(r);
#endif
    if (r->st)
        return;
    if (*align >= 32u) {
        wb_rd_fail(r, WB_ERR_MALFORMED, "malformed memop flags");
        return;
    }
    if (mem_check_idx(cc, *mi))
        return;
#if WB_VALIDATE
    if (mem_at(cc, *mi) == WB_I32 && *off > 0xFFFFFFFFu)
        wb_rd_fail(r, WB_ERR_INVALID, "offset out of range");
#endif
}
#endif

#if WB_MX
static void emit_mx(comp *cc, uint32_t sub, uint32_t imm)
{
    emit_op2(cc, OP_EXT, WB_EXT_MEM + sub);
    emit(cc, imm);
}
/* an i64 table index `depth` slots below the top, saturated to 32 bits
 * (tables never reach 2^32 - 1 elements: a saturated index is out of bounds) */
#define NARROW(cc, depth) emit_mx(cc, WB_MX_NARROW, depth)
#else
#define NARROW(cc, depth) ((void)0)
#endif

static int table_check(comp *cc, uint32_t t)
{
#if WB_VALIDATE
    if (t >= cc->m->ntables)
        return wb_rd_fail(cc->r, WB_ERR_INVALID, "unknown table");
#endif
    (void)cc;
    (void)t;
    return 0;
}

static void op_fc(comp *cc)
{
    wb_module *m = cc->m;
    wb_reader *r = cc->r;
    uint32_t sub = wb_rd_u32(r), a, b;
    uint8_t t1;
    if (r->st)
        return;
    if (sub <= 7) {
        static const char sat[] = "fifiFiFifIfIFIFI";
        pop(cc, letter(sat[sub * 2]));
        push(cc, letter(sat[sub * 2 + 1]));
        emit_op(cc, OP_FC + sub);
        return;
    }
    switch (sub) {
    case 8: /* memory.init */
        a = rd_idx(cc);
        RD_MEMIDX(b);
        if (mem_check_idx(cc, b))
            return;
        if (!cc->lc->has_data_count)
            cc->lc->need_data_count = 1;
        else
            INVALID(a >= cc->lc->data_count, "unknown data segment");
        pop(cc, WB_I32);
        pop(cc, WB_I32);
        pop(cc, mem_at(cc, b));
#if WB_MX
        if (b || mem_at(cc, b) == WB_I64) {
            emit_mx(cc, WB_MX_INIT, a);
            emit(cc, b);
            return;
        }
#endif
        emit_op2(cc, OP_FC + sub, a);
        return;
    case 9: /* data.drop */
        a = rd_idx(cc);
        if (!cc->lc->has_data_count)
            cc->lc->need_data_count = 1;
        else
            INVALID(a >= cc->lc->data_count, "unknown data segment");
        emit_op2(cc, OP_FC + sub, a);
        return;
    case 10: /* memory.copy dst src */
    case 11: /* memory.fill */
        RD_MEMIDX(a);
        b = a;
        if (sub == 10)
            RD_MEMIDX(b);
        if (mem_check_idx(cc, a) || (b != a && mem_check_idx(cc, b)))
            return;
        /* n: i64 only when both memories are 64-bit */
        pop(cc, mem_at(cc, a) == WB_I64 && mem_at(cc, b) == WB_I64 ? WB_I64 : WB_I32);
        pop(cc, sub == 10 ? mem_at(cc, b) : WB_I32);
        pop(cc, mem_at(cc, a));
#if WB_MX
        if (a || b || mem_at(cc, a) == WB_I64 || mem_at(cc, b) == WB_I64) {
            emit_mx(cc, sub == 10 ? WB_MX_COPY : WB_MX_FILL, a);
            emit(cc, b);
            return;
        }
#endif
        emit_op(cc, OP_FC + sub);
        return;
    case 12: /* table.init elem table */
        a = rd_idx(cc);
        b = rd_idx(cc);
        if (r->st)
            return;
        if (table_check(cc, b))
            return;
        INVALID(a >= m->nelems, "unknown elem segment");
        INVALID(m->elems[a].type != m->tables[b].elem, "type mismatch");
        pop(cc, WB_I32);
        pop(cc, WB_I32);
        pop(cc, table_at(cc, b));
        if (table_at(cc, b) == WB_I64)
            NARROW(cc, 2);
        emit_op2(cc, OP_FC + sub, a);
        emit(cc, b);
        return;
    case 13: /* elem.drop */
        a = rd_idx(cc);
        INVALID(a >= m->nelems, "unknown elem segment");
        emit_op2(cc, OP_FC + sub, a);
        return;
    case 14: /* table.copy dst src */
        a = rd_idx(cc);
        b = rd_idx(cc);
        if (r->st)
            return;
        if (table_check(cc, a))
            return;
        if (table_check(cc, b))
            return;
        INVALID(m->tables[a].elem != m->tables[b].elem, "type mismatch");
        t1 = table_at(cc, a) == WB_I64 && table_at(cc, b) == WB_I64 ? WB_I64 : WB_I32;
        pop(cc, t1);
        pop(cc, table_at(cc, b));
        pop(cc, table_at(cc, a));
        if (table_at(cc, a) == WB_I64)
            NARROW(cc, 2);
        if (table_at(cc, b) == WB_I64)
            NARROW(cc, 1);
        if (t1 == WB_I64)
            NARROW(cc, 0);
        emit_op2(cc, OP_FC + sub, a);
        emit(cc, b);
        return;
    case 15: /* table.grow */
    case 16: /* table.size */
    case 17: /* table.fill */
        a = rd_idx(cc);
        if (r->st)
            return;
        if (table_check(cc, a))
            return;
        t1 = table_at(cc, a);
        if (sub == 15) {
            pop(cc, t1);
            pop(cc, m->tables[a].elem);
            push(cc, t1);
        } else if (sub == 16) {
            push(cc, t1); /* the size, zero-extended in its slot */
        } else {
            pop(cc, t1);
            pop(cc, m->tables[a].elem);
            pop(cc, t1);
        }
        if (t1 == WB_I64 && sub != 16) {
            NARROW(cc, 0);
            if (sub == 17)
                NARROW(cc, 2);
        }
        emit_op2(cc, OP_FC + sub, a);
        if (t1 == WB_I64 && sub == 15)
            emit_op(cc, 0xAC); /* -1 as i64: i64.extend_i32_s */
        return;
    default:
        MALFORMED(1, "illegal opcode");
    }
}

#if WB_FEATURE_SHARED_MEMORY
/* 0xFE: the threads proposal's atomics (wb_atomic.h), run by wb_atomic.c */
static void op_fe(comp *cc)
{
    wb_reader *r = cc->r;
    uint32_t sub = wb_rd_u32(r), align, off = 0;
    wb_atomic_op o;
    uint8_t t;
    if (r->st)
        return;
    o = wb_atomic_decode(sub);
    MALFORMED(o.kind == WB_AT_BAD, "illegal opcode");
    if (o.kind == WB_AT_FENCE) {
        MALFORMED(wb_rd_u8(r) != 0, "zero byte expected");
        emit_op2(cc, OP_EXT, WB_EXT_ATOMIC + sub);
        return;
    }
    align = wb_rd_u32(r);
    off = wb_rd_u32(r);
    if (r->st)
        return;
    MALFORMED(align >= 32u, "malformed memop flags");
    INVALID(!cc->m->nmems, "unknown memory 0");
    INVALID((1u << align) != o.size, "alignment must be exactly natural");
    t = o.is64 ? WB_I64 : WB_I32;
    switch (o.kind) {
    case WB_AT_NOTIFY:
        pop(cc, WB_I32);
        pop(cc, WB_I32);
        push(cc, WB_I32);
        break;
    case WB_AT_WAIT:
        pop(cc, WB_I64);
        pop(cc, t);
        pop(cc, WB_I32);
        push(cc, WB_I32);
        break;
    case WB_AT_LOAD:
        pop(cc, WB_I32);
        push(cc, t);
        break;
    case WB_AT_STORE:
        pop(cc, t);
        pop(cc, WB_I32);
        break;
    case WB_AT_RMW:
        pop(cc, t);
        pop(cc, WB_I32);
        push(cc, t);
        break;
    default: /* cmpxchg: addr expected replacement */
        pop(cc, t);
        pop(cc, t);
        pop(cc, WB_I32);
        push(cc, t);
        break;
    }
    emit_op2(cc, OP_EXT, WB_EXT_ATOMIC + sub);
    emit(cc, off);
}
#endif

#if WB_FEATURE_SIMD
/* 0xFD sub-opcode classes: L load, S store, l load lane, s store lane,
 * C v128.const, H shuffle, P splat, E extract lane, R replace lane,
 * U v128 -> v128, B (v128 v128) -> v128, T three v128 -> v128,
 * I v128 -> i32, X (v128 i32) -> v128 shift, 0 no such instruction */
static const char simd_cls[257] =
    "LLLLLLLLLLLSCHBPPPPPPEEREERERERE" /* 00 */
    "RERBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" /* 20 */
    "BBBBBBBBBBBBBUBBBBTIllllssssLLUU" /* 40 */
    "UUUIIBBUUUUXXXBBBBBBUUBBBBUBUUUU" /* 60 */
    "UUBIIBBUUUUXXXBBBBBBUBBBBB0BBBBB" /* 80 */
    "UU0II00UUUUXXXB00B000BBBBBB0BBBB" /* A0 */
    "UU0II00UUUUXXXB00B000BBBBBBBBBBB" /* C0 */
    "UU0UBBBBBBBBUU0UBBBBBBBBUUUUUUUU"; /* E0 */
/* splat 0x0F..0x14 and the lane ops 0x15..0x22: scalar type, log2 lanes */
static const char simd_lane_t[] = "iiiIfF" "iiiiiiiiIIffFF";
static const uint8_t simd_lane_n[] = {4, 4, 4, 3, 3, 3, 2, 2, 1, 1, 2, 2, 1, 1};

/* 16 immediate bytes (v128.const, i8x16.shuffle) as 4 little-endian words */
static void simd_bytes16(comp *cc, int shuffle)
{
    wb_reader *r = cc->r;
    uint32_t w[4] = {0, 0, 0, 0};
    unsigned i;
    (void)shuffle; /* mini loader: no lane checks */
    MALFORMED((size_t)(r->end - r->p) < 16u, "unexpected end");
    for (i = 0; i < 16; i++) {
        INVALID(shuffle && r->p[i] >= 32u, "invalid lane index");
        w[i / 4u] |= (uint32_t)r->p[i] << (8u * (i & 3u));
    }
    r->p += 16;
    for (i = 0; i < 4; i++)
        emit(cc, w[i]);
}

static void op_simd(comp *cc)
{
    wb_reader *r = cc->r;
    uint32_t sub = wb_rd_u32(r), align = 0, off = 0, lane = 0, maxal = 0, nl = 0;
    char c;
    uint8_t t = 0, at = WB_I32; /* at: the memory's address type */
#if WB_MX
    uint32_t mi = 0;
    wb_moff o64 = 0;
#endif
    if (r->st)
        return;
    c = sub < 256u ? simd_cls[sub] : '0';
    MALFORMED(c == '0', "illegal opcode");
    if (c == 'L' || c == 'S' || c == 'l' || c == 's') {
        /* memory 0 with an i32 address; with multi-memory / memory64 any
         * memory, the address of its type (wb_simd.c simd_ea) */
#if WB_MX
        rd_memarg(cc, &align, &mi, &o64);
        if (r->st)
            return;
        at = mem_at(cc, mi);
        off = (uint32_t)o64;
#else
        align = wb_rd_u32(r);
        off = wb_rd_u32(r);
        if (r->st)
            return;
        MALFORMED(align >= 32u, "malformed memop flags");
        INVALID(!cc->m->nmems, "unknown memory 0");
#endif
        if (c == 'l' || c == 's') {
            maxal = (sub - 0x54u) & 3u;
            nl = 16u >> maxal;
        } else if (sub == 0x00 || sub == 0x0B) {
            maxal = 4;
        } else if (sub <= 0x06) {
            maxal = 3;
        } else if (sub <= 0x0A) {
            maxal = sub - 0x07u;
        } else {
            maxal = sub == 0x5C ? 2u : 3u;
        }
        INVALID(align > maxal, "alignment must not be larger than natural");
        (void)maxal;
    }
    if (c == 'l' || c == 's' || c == 'E' || c == 'R') {
        lane = wb_rd_u8(r);
        if (r->st)
            return;
        if (c == 'E' || c == 'R') {
            t = letter(simd_lane_t[sub - 0x0Fu]);
            nl = 1u << simd_lane_n[sub - 0x15u];
        }
        INVALID(lane >= nl, "invalid lane index");
        (void)nl; /* mini loader: no checks */
    } else if (c == 'P') {
        t = letter(simd_lane_t[sub - 0x0Fu]);
    }
    switch (c) {
    case 'L': pop(cc, at); break;
    case 'S': case 'l': case 's': pop(cc, WB_V128); pop(cc, at); break;
    case 'P': pop(cc, t); break;
    case 'E': case 'U': case 'I': pop(cc, WB_V128); break;
    case 'R': pop(cc, t); pop(cc, WB_V128); break;
    case 'X': pop(cc, WB_I32); pop(cc, WB_V128); break;
    case 'T': pop(cc, WB_V128); /* fall through */
    case 'B': case 'H': pop(cc, WB_V128); pop(cc, WB_V128); break;
    default: break;
    }
    if (c == 'E')
        push(cc, t);
    else if (c == 'I')
        push(cc, WB_I32);
    else if (c != 'S' && c != 's')
        push(cc, WB_V128);
    emit_op2(cc, OP_EXT, WB_EXT_SIMD + sub);
    if (c == 'L' || c == 'S' || c == 'l' || c == 's') {
        emit(cc, off);
#if WB_MX
        emit2(cc, mi, (uint32_t)((uint64_t)o64 >> 32));
#endif
    }
    if (c == 'l' || c == 's' || c == 'E' || c == 'R')
        emit(cc, lane);
    if (c == 'C' || c == 'H')
        simd_bytes16(cc, c == 'H');
}
#endif

static void instr(comp *cc, uint8_t op)
{
    wb_module *m = cc->m;
    wb_reader *r = cc->r;
    uint32_t a, np, nr;
    const uint8_t *pt, *rt;
    ctl *f;
    uint8_t t1, t2;

#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    if (eh_instr(cc, op))
        return;
#endif
    switch (op) {
    case 0x00:
        emit_op(cc, OP_UNREACHABLE);
        set_unreachable(cc);
        return;
    case 0x01:
        return;
    case 0x02:
    case 0x03:
    case 0x04:
        read_blocktype(cc, &np, &pt, &nr, &rt);
        if (r->st)
            return;
        if (op == 0x04)
            pop(cc, WB_I32);
        pop_n(cc, np, pt);
        if (op == 0x04 && live(cc)) {
            emit_op(cc, OP_BR_UNLESS);
            a = here(cc);
            emit(cc, 0);
            push_ctl(cc, K_IF, np, pt, nr, rt);
            top(cc)->else_fix = a;
            return;
        }
        push_ctl(cc, op == 0x02 ? K_BLOCK : op == 0x03 ? K_LOOP : K_IF, np, pt,
                 nr, rt);
#if WB_FEATURE_INSTRUCTION_METERING
        /* every iteration starts at the loop's head: charge its body there */
        top(cc)->fuel_at = WB_NONE;
        top(cc)->ops0 = cc->nops;
        if (op == 0x03 && live(cc)) {
            emit_op(cc, OP_FUEL);
            top(cc)->fuel_at = here(cc);
            emit(cc, 1);
            set_barrier(cc);
        }
#endif
        return;
    case 0x05:
        op_else(cc);
        return;
    case 0x0B:
        op_end(cc);
        return;
    case 0x0C:
    case 0x0D:
        f = label(cc, wb_rd_u32(r));
        if (!f || r->st)
            return;
        if (op == 0x0D)
            pop(cc, WB_I32);
        pop_n(cc, label_arity(f), label_types(f));
        push_n(cc, label_arity(f), label_types(f));
        emit_branch(cc, f, op == 0x0D);
        if (op == 0x0C)
            set_unreachable(cc);
        return;
    case 0x0E:
        op_br_table(cc);
        return;
    case 0x0F:
        f = &cc->ctls[0];
        pop_n(cc, f->nr, f->rt);
        emit_op2(cc, OP_RETURN, wb_slots_of(f->nr, f->rt));
        set_unreachable(cc);
        return;
    case 0x10:
        a = rd_idx(cc);
        if (r->st)
            return;
        INVALID(a >= m->nfuncs, "unknown function");
        op_call(cc, &m->types[m->func_type[a]]);
        emit_op2(cc, OP_CALL, a);
        return;
    case 0x11: {
        uint32_t tab;
        a = rd_idx(cc);
        tab = rd_idx(cc);
        if (r->st)
            return;
        INVALID(tab >= m->ntables, "unknown table");
        INVALID(a >= m->ntypes, "unknown type");
        INVALID(m->tables[tab].elem != WB_FUNCREF, "type mismatch");
        pop(cc, table_at(cc, tab));
        if (table_at(cc, tab) == WB_I64)
            NARROW(cc, 0);
        op_call(cc, &m->types[a]);
        emit_op2(cc, OP_CALL_INDIRECT, a);
        emit(cc, tab);
        return;
    }
#if WB_FEATURE_TAIL_CALL
    case 0x12: /* return_call funcidx */
    case 0x13: { /* return_call_indirect typeidx tableidx */
        const wb_functype *t;
        uint32_t tab = 0, k;
        a = rd_idx(cc);
        if (op == 0x13)
            tab = rd_idx(cc);
        if (r->st)
            return;
        if (op == 0x12) {
            INVALID(a >= m->nfuncs, "unknown function");
            t = &m->types[m->func_type[a]];
        } else {
            INVALID(tab >= m->ntables, "unknown table");
            INVALID(a >= m->ntypes, "unknown type");
            INVALID(m->tables[tab].elem != WB_FUNCREF, "type mismatch");
            pop(cc, table_at(cc, tab));
            if (table_at(cc, tab) == WB_I64)
                NARROW(cc, 0);
            t = &m->types[a];
        }
        f = &cc->ctls[0]; /* the callee's results are the caller's */
        INVALID(t->nresults != f->nr, "type mismatch");
        for (k = 0; k < t->nresults && k < f->nr; k++)
            INVALID(t->types[t->nparams + k] != f->rt[k], "type mismatch");
        op_call(cc, t); /* pushes the results: room for a native callee's */
        emit_op2(cc, op == 0x12 ? OP_RETURN_CALL : OP_RETURN_CALL_INDIRECT, a);
        if (op == 0x13)
            emit(cc, tab);
        set_unreachable(cc);
        return;
    }
#endif
    case 0x1A:
        t1 = pop(cc, 0);
        emit_op(cc, OP_DROP);
        if (WB_SLOTS(t1) == 2u)
            emit_op(cc, OP_DROP);
        return;
    case 0x1B:
    case 0x1C:
        if (op == 0x1C) {
            a = wb_rd_u32(r);
            if (r->st)
                return;
            INVALID(a != 1, "invalid result arity");
            MALFORMED(a != 1, "invalid result arity");
            t1 = wb_rd_u8(r);
            MALFORMED(!r->st && !wb_valtype_ok(t1), "malformed value type");
            pop(cc, WB_I32);
            pop(cc, t1);
            pop(cc, t1);
            push(cc, t1);
        } else {
            pop(cc, WB_I32);
            t1 = pop(cc, 0);
            t2 = pop(cc, 0);
            INVALID(t1 == WB_FUNCREF || t1 == WB_EXTERNREF ||
                        t2 == WB_FUNCREF || t2 == WB_EXTERNREF,
                    "type mismatch");
            INVALID(t1 && t2 && t1 != t2, "type mismatch");
            push(cc, t1 ? t1 : t2);
            t1 = t1 ? t1 : t2;
        }
#if WB_FEATURE_SIMD
        if (t1 == WB_V128) {
            emit_op2(cc, OP_EXT, WB_EXT_SIMD + WB_SIMD_SELECT);
            return;
        }
#endif
        emit_op(cc, OP_SELECT);
        return;
    case 0x20:
    case 0x21:
    case 0x22:
        a = rd_idx(cc);
        if (r->st)
            return;
        INVALID(a >= cc->nlocals, "unknown local");
        if (a >= cc->nlocals)
            return;
        if (op == 0x20) {
            push(cc, cc->locals[a]);
        } else {
            pop(cc, cc->locals[a]);
            if (op == 0x22)
                push(cc, cc->locals[a]);
        }
#if WB_TOS32_LOCALS
        t2 = cc->locals[a]; /* its type (a becomes a slot index below) */
#endif
#if WB_FEATURE_SIMD
        if (cc->locals[a] == WB_V128) { /* two slots: low, then high */
            uint32_t s = LSLOT(cc, a);
#if WB_TOS32_LOCALS /* whole slots (wb_ops.h) */
            if (op != 0x20) {
                emit_op2(cc, OP_LOCAL_SET64, s + 1u);
                emit_op2(cc, OP_LOCAL_SET64, s);
            }
            if (op != 0x21) {
                emit_op2(cc, OP_LOCAL_GET64, s);
                emit_op2(cc, OP_LOCAL_GET64, s + 1u);
            }
            return;
#endif
            if (op != 0x20) {
                emit_op2(cc, OP_LOCAL_SET, s + 1u);
                emit_op2(cc, OP_LOCAL_SET, s);
            }
            if (op != 0x21) {
                emit_op2(cc, OP_LOCAL_GET, s);
                if (!fuse_lget(cc, s + 1u))
                    emit_op2(cc, OP_LOCAL_GET, s + 1u);
            }
            return;
        }
        a = LSLOT(cc, a);
#endif
        if (op == 0x20 && fuse_lget(cc, a))
            return;
        if (op != 0x20 && fuse_laddi_set(cc, op, a))
            return;
#if WB_TOS32_LOCALS /* 64-bit values: the ops that move whole slots */
        if (t2 != WB_I32 && t2 != WB_F32) {
            emit_op2(cc, op - 0x20u + OP_LOCAL_GET64, a);
            return;
        }
#endif
        emit_op2(cc, op, a);
        return;
    case 0x23:
    case 0x24:
        a = rd_idx(cc);
        if (r->st)
            return;
        INVALID(a >= m->nglobals, "unknown global");
        if (op == 0x23) {
            push(cc, m->globals[a].type);
        } else {
            INVALID(!m->globals[a].mut, "global is immutable");
            pop(cc, m->globals[a].type);
        }
#if WB_FEATURE_SIMD
        if (a < m->nglobals && m->globals[a].type == WB_V128) {
            emit_op2(cc, OP_EXT, WB_EXT_SIMD + (op == 0x23 ? WB_SIMD_GLOBAL_GET
                                                           : WB_SIMD_GLOBAL_SET));
            emit(cc, a);
            return;
        }
#endif
        emit_op2(cc, op, a);
        return;
    case 0x25:
    case 0x26:
        a = rd_idx(cc);
        if (r->st)
            return;
        if (table_check(cc, a))
            return;
        if (op == 0x25) {
            pop(cc, table_at(cc, a));
            push(cc, m->tables[a].elem);
        } else {
            pop(cc, m->tables[a].elem);
            pop(cc, table_at(cc, a));
        }
        if (table_at(cc, a) == WB_I64)
            NARROW(cc, op == 0x25 ? 0 : 1);
        emit_op2(cc, op, a);
        return;
    case 0x3F:
    case 0x40:
        RD_MEMIDX(a);
        if (mem_check_idx(cc, a))
            return;
        t1 = mem_at(cc, a);
        if (op == 0x40)
            pop(cc, t1);
        push(cc, t1);
#if WB_MX
        if (a || t1 == WB_I64) {
            emit_mx(cc, op == 0x3F ? WB_MX_SIZE : WB_MX_GROW, a);
            return;
        }
#endif
        emit_op(cc, op);
        return;
    case 0x41:
        emit_op2(cc, op, (uint32_t)wb_rd_leb(r, 32, 1));
        push(cc, WB_I32);
        return;
    case 0x42: {
        uint64_t v = wb_rd_leb(r, 64, 1);
        emit_op2(cc, op, (uint32_t)v);
        emit(cc, (uint32_t)(v >> 32));
        push(cc, WB_I64);
        return;
    }
    case 0x43:
    case 0x44: {
        unsigned n = op == 0x43 ? 4u : 8u, i;
        uint32_t w[2] = {0, 0};
        MALFORMED((size_t)(r->end - r->p) < n, "unexpected end");
        for (i = 0; i < n; i++)
            w[i / 4] |= (uint32_t)r->p[i] << (8u * (i & 3u));
        r->p += n;
        emit_op2(cc, op, w[0]);
        if (n == 8)
            emit(cc, w[1]);
        push(cc, op == 0x43 ? WB_F32 : WB_F64);
        return;
    }
    case 0xD0:
        t1 = wb_rd_u8(r);
        MALFORMED(!r->st && t1 != WB_FUNCREF && t1 != WB_EXTERNREF,
                  "malformed reference type");
        push(cc, t1);
        emit_op(cc, OP_REF_NULL);
        return;
    case 0xD1:
        t1 = pop(cc, 0);
        INVALID(t1 && t1 != WB_FUNCREF && t1 != WB_EXTERNREF, "type mismatch");
        push(cc, WB_I32);
        emit_op(cc, 0x50); /* i64.eqz on the slot */
        return;
    case 0xD2:
        a = rd_idx(cc);
        if (r->st)
            return;
        INVALID(a >= m->nfuncs, "unknown function");
        INVALID(!cc->lc->declared[a], "undeclared function reference");
        push(cc, WB_FUNCREF);
        emit_op2(cc, OP_REF_FUNC, a);
        return;
    case 0xFC:
        op_fc(cc);
        return;
#if WB_FEATURE_SHARED_MEMORY
    case 0xFE:
        op_fe(cc);
        return;
#endif
#if WB_FEATURE_SIMD
    case 0xFD:
        op_simd(cc);
        return;
#endif
    default:
        break;
    }
    if (op >= 0x28 && op <= 0x3E) {
        unsigned k = (unsigned)(op - 0x28u) * 2u;
        uint32_t align, mi;
        wb_moff off;
        uint8_t t = letter(mem_sig[k + 1]), at;
#if WB_MX
        rd_memarg(cc, &align, &mi, &off);
        if (r->st)
            return;
#else /* the classic build: memory 0, a u32 offset */
        align = wb_rd_u32(r);
        off = wb_rd_u32(r);
        mi = 0;
        if (r->st)
            return;
        MALFORMED(align >= 32u, "malformed memop flags");
        if (mem_check_idx(cc, mi))
            return;
#endif
        INVALID(align > (uint32_t)(mem_sig[k] - '0'),
                "alignment must not be larger than natural");
        at = mem_at(cc, mi);
        if (op <= 0x35) {
            pop(cc, at);
            push(cc, t);
        } else {
            pop(cc, t);
            pop(cc, at);
        }
#if WB_MX
        if (mi || at == WB_I64) {
            emit_mx(cc, WB_MX_LOAD + op - 0x28u, mi);
            emit2(cc, (uint32_t)off, (uint32_t)((uint64_t)off >> 32));
            return;
        }
#endif
        if (op <= 0x35 && fuse_load(cc, op, (uint32_t)off))
            return;
        emit_op2(cc, op, (uint32_t)off);
        return;
    }
    if (op >= 0x45 && op <= 0xC4) {
        uint8_t ta, tb, to;
        num_sig(op, &ta, &tb, &to);
        if (tb)
            pop(cc, tb);
        pop(cc, ta);
        push(cc, to);
        if (!fuse_imm(cc, op) && !fuse_local_operand(cc, op))
            emit_op(cc, op);
        return;
    }
    MALFORMED(1, "illegal opcode");
}

#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
static wb_status compile_once(wb_loadctx *lc, wb_reader *r, uint32_t idx,
                              uint32_t *eh_groups);

/* A function whose catch blocks need hidden slots is compiled again with
 * room for them (wb_eh_compile.h); its first try regions are dropped. */
wb_status wb_compile_func(wb_loadctx *lc, wb_reader *r, uint32_t idx)
{
    wb_module *m = lc->m;
    wb_reader r0 = *r;
    uint32_t code0 = m->code_len, neh0 = m->neh, nehc0 = m->nehc, groups = 0;
    wb_status st = compile_once(lc, r, idx, &groups);
    if (st || !groups)
        return st;
    *r = r0;
    m->code_len = code0;
    m->neh = neh0;
    m->nehc = nehc0;
    return compile_once(lc, r, idx, &groups);
}

static wb_status compile_once(wb_loadctx *lc, wb_reader *r, uint32_t idx,
                              uint32_t *eh_groups)
#else
wb_status wb_compile_func(wb_loadctx *lc, wb_reader *r, uint32_t idx)
#endif
{
    wb_module *m = lc->m;
    wb_funcdef *fd = &m->funcs[idx - m->nfunc_imports];
    const wb_functype *t = &m->types[m->func_type[idx]];
    comp cs, *cc = &cs;
    uint32_t ngroups, g;
    uint64_t total = t->nparams;
    const uint8_t *p0;

    memset(cc, 0, sizeof *cc);
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    cc->eh_groups = *eh_groups;
#endif
    cc->lc = lc;
    cc->m = m;
    cc->r = r;
    /* locals: count the groups first, then fill the type array */
    ngroups = wb_rd_u32(r);
    p0 = r->p;
    for (g = 0; g < ngroups && !r->st; g++) {
        total += wb_rd_u32(r);
        wb_rd_u8(r);
    }
    if (!r->st && total > 0xFFFFFFFFu)
        wb_rd_fail(r, WB_ERR_MALFORMED, "too many locals");
    if (!r->st && total > 0x100000u)
        wb_rd_fail(r, WB_ERR_UNSUPPORTED, "too many locals");
    if (r->st)
        return r->st;
    cc->nlocals = (uint32_t)total;
    cc->locals = (uint8_t *)wb_alloc(r->env, total + 1u);
    if (!cc->locals)
        return wb_rd_fail(r, WB_ERR_NOMEM, "out of memory");
    memcpy(cc->locals, t->types, t->nparams);
    r->p = p0;
    total = t->nparams;
    for (g = 0; g < ngroups && !r->st; g++) {
        uint32_t n = wb_rd_u32(r);
        uint8_t vt = wb_rd_u8(r);
        if (!wb_valtype_ok(vt)) {
            wb_rd_fail(r, WB_ERR_MALFORMED, "malformed value type");
            break;
        }
        memset(cc->locals + total, vt, n);
        total += n;
    }
#if WB_FEATURE_SIMD
    /* slots of the locals: a v128 takes two (lslot only when one does) */
    cc->lbase = cc->nlocals;
    for (g = 0; g < cc->nlocals && cc->locals[g] != WB_V128; g++)
        ;
    if (!r->st && g < cc->nlocals) {
        uint32_t k, sl = 0;
        cc->lslot = (uint32_t *)wb_alloc(r->env, (size_t)cc->nlocals * 4u + 4u);
        if (!cc->lslot)
            wb_rd_fail(r, WB_ERR_NOMEM, "out of memory");
        for (k = 0; k < cc->nlocals && cc->lslot; k++) {
            cc->lslot[k] = sl;
            sl += WB_SLOTS(cc->locals[k]);
        }
        cc->lbase = sl;
    }
    fd->nlocals = LBASE(cc);
#else
    fd->nlocals = LBASE(cc);
#endif
    fd->code = here(cc);
    cc->last = cc->last2 = WB_NONE;
    set_barrier(cc);
    push_ctl(cc, K_FUNC, 0, vt1, t->nresults, t->types + t->nparams);
    while (!r->st && cc->nctl) {
        uint8_t op;
        if (r->p >= r->end) {
            wb_rd_fail(r, WB_ERR_MALFORMED, "unexpected end of section or function");
            break;
        }
        op = *r->p++;
#if WB_FEATURE_INSTRUCTION_METERING
        cc->nops++;
#endif
        instr(cc, op);
    }
    if (!r->st && r->p != r->end)
        wb_rd_fail(r, WB_ERR_MALFORMED, "section size mismatch");
    fd->max_stack = cc->max;
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    *eh_groups = cc->eh_need > cc->eh_groups ? cc->eh_need : 0u;
#endif
    wb_free(r->env, cc->vals);
    wb_free(r->env, cc->ctls);
    wb_free(r->env, cc->locals);
#if WB_FEATURE_SIMD
    wb_free(r->env, cc->lslot);
#endif
    return r->st;
}
#else
typedef int wb_compile_unused; /* ISO C: no empty translation unit */
#endif /* WB_FEATURE_INTERP */
