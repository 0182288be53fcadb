/*
 * fast-interp translator: classic code (wb_ops.h, already validated and
 * with every branch resolved) -> three-address code on frame slots
 * (wb_fast.h). One linear pass per function after a pre-pass that finds the
 * branch targets and the constants.
 *
 * The operand stack is simulated: an entry is a value in its own stack slot
 * (E_SLOT), a reference to a local (E_LOCAL: local.get emits nothing) or to
 * a constant slot (E_CONST). An instruction names its operands' slots and
 * writes its result to the slot of the stack position it produces; a
 * local.set / local.tee right after retargets that result to the local.
 * Entries are materialised (copied to their stack slot) before the local
 * they name is written, before branches and labels (every value is in its
 * slot at a label) and for call arguments. A function with an instruction
 * this file does not translate (extension ops, tail calls, fuel metering,
 * table/segment bulk ops) keeps running in the classic interpreter.
 */
#include "wb_fast.h"
#include "wb_ops.h"
#if WB_FEATURE_FAST_INTERP && WB_FEATURE_LEGACY_EXCEPTION_HANDLING
#include "wb_eh.h"
#endif

#if WB_FEATURE_FAST_INTERP

enum { E_SLOT, E_LOCAL, E_CONST };

typedef struct fent {
    uint8_t k;
    uint32_t v; /* E_LOCAL: local slot; E_CONST: constant index */
} fent;

typedef struct fixup {
    uint32_t word, op, target; /* fast word to patch, its op start, classic target */
} fixup;

typedef struct ftr {
    wb_env *env;
    wb_module *m;
    const uint32_t *cc; /* classic code of the function */
    uint32_t clen;
    uint32_t nl;        /* locals (slots) */
    uint32_t base;      /* slot of stack position 0 */
    uint32_t *code;     /* fast code being built */
    uint32_t len, cap;
    fent *vs;
    uint32_t h, vcap;
    wb_slot *consts;
    uint32_t nconst, ccap;
    uint32_t *th;       /* per classic word: stack height at a label, or WB_NONE */
    uint32_t *map;      /* per classic word: fast position */
    uint8_t *is_target;
    fixup *fx;
    uint32_t nfx, fxcap;
    uint32_t *ops;      /* words holding operands (tagged) */
    uint32_t nops, opcap;
    uint32_t last_dst;  /* word of the last result operand, or WB_NONE */
    uint32_t last_pos;  /* its stack position */
    uint32_t cand_dst, cand_pos, cand_end; /* the last result of an earlier
                                             instruction, while nothing followed it */
    uint32_t prev_dst, prev_end;           /* the candidate before it (F_MUL2L) */
    uint32_t last_st;   /* start of the last F_STXI emitted (F_STBR), or WB_NONE */
    uint32_t hdst[4], hend[4], hn;         /* the last result-producing instructions
                                              still in the code: result word, end */
    uint32_t low;                          /* lowest truncation in this instruction */
    uint8_t *lstate;    /* per local: 0 untouched, 1 written first (no zeroing
                           at entry), 2 may be read before written */
    uint32_t cur;       /* classic position of the instruction being translated */
    uint32_t fwd;       /* furthest classic target of a forward branch so far */
    uint32_t maxh;
    uint32_t barrier;   /* code position of the last label: no fusion across it */
    int bad;            /* 1: not translatable; 2: out of memory */
} ftr;

static int fgrow(ftr *t, void **buf, uint32_t *cap, uint32_t need, size_t sz)
{
    void *n;
    uint32_t c;
    if (need <= *cap)
        return 1;
    c = *cap ? *cap * 2u : 32u;
    while (c < need)
        c *= 2u;
    n = wb_realloc(t->env, *buf, (size_t)c * sz);
    if (!n) {
        t->bad = 2;
        return 0;
    }
    *buf = n;
    *cap = c;
    return 1;
}

static void put(ftr *t, uint32_t w)
{
    if (t->bad || !fgrow(t, (void **)&t->code, &t->cap, t->len + 1u, 4))
        return;
    t->code[t->len++] = w;
}

#define SLOTB(s) ((uint32_t)(s) * (uint32_t)sizeof(wb_slot))
/* Operands are tagged until the function is done (the constants' slots, and so the
 * stack's, are known only then): stack position k, constant j, else a local's offset. */
#define TAG_STACK 0x80000000u
#define TAG_CONST 0x40000000u
static uint32_t spos(ftr *t, uint32_t k)
{
    (void)t;
    return TAG_STACK | k;
}

/* an operand word: recorded for the final patch */
static void putop(ftr *t, uint32_t w)
{
    if (!t->bad && fgrow(t, (void **)&t->ops, &t->opcap, t->nops + 1u, 4))
        t->ops[t->nops++] = t->len;
    put(t, w);
}

static uint32_t src_of(ftr *t, fent e, uint32_t k)
{
    if (e.k == E_LOCAL)
        return SLOTB(e.v);
    if (e.k == E_CONST)
        return TAG_CONST | e.v;
    return spos(t, k);
}

/* ---- constants ------------------------------------------------------------ */
static uint32_t const_idx(ftr *t, wb_slot v)
{
    uint32_t i;
    for (i = 0; i < t->nconst; i++)
        if (t->consts[i] == v)
            return i;
    if (!fgrow(t, (void **)&t->consts, &t->ccap, t->nconst + 1u, sizeof(wb_slot)))
        return 0;
    t->consts[t->nconst] = v;
    return t->nconst++;
}

/* ---- simulated operand stack ------------------------------------------------ */
static void vpush(ftr *t, uint8_t k, uint32_t v)
{
    if (!fgrow(t, (void **)&t->vs, &t->vcap, t->h + 1u, sizeof(fent)))
        return;
    t->vs[t->h].k = k;
    t->vs[t->h].v = v;
    t->h++;
    if (t->h > t->maxh)
        t->maxh = t->h;
}

/* pop one entry; its operand (slot byte offset) */
static uint32_t vpop(ftr *t)
{
    if (!t->h) {
        t->bad = 1;
        return 0;
    }
    t->h--;
    return src_of(t, t->vs[t->h], t->h);
}

/* push a result in its own slot; the destination operand */
static uint32_t vres(ftr *t)
{
    vpush(t, E_SLOT, 0);
    return spos(t, t->h - 1u);
}

/* dst = a constant: an immediate, no constant slot */
static void movi(ftr *t, uint32_t dst, uint32_t j)
{
    wb_slot v = t->consts[j];
    put(t, F_MOVI);
    putop(t, dst);
    put(t, (uint32_t)v);
    put(t, (uint32_t)(v >> 32));
}

static void materialize(ftr *t, uint32_t k)
{
    fent *e = &t->vs[k];
    if (e->k == E_SLOT)
        return;
    if (e->k == E_CONST) {
        movi(t, spos(t, k), e->v);
        e->k = E_SLOT;
        return;
    }
    put(t, F_MOV);
    putop(t, spos(t, k));
    putop(t, src_of(t, *e, k));
    e->k = E_SLOT;
}

static void flush_all(ftr *t)
{
    uint32_t k;
    for (k = 0; k < t->h; k++)
        materialize(t, k);
}

/* the result operand just emitted at word `w` for the top position */
static void mark_dst(ftr *t, uint32_t w)
{
    t->last_dst = w;
    t->last_pos = t->h - 1u;
}

/* Start of the instruction (n words, result in word 1) that produced the entry at
 * stack position pos, if it is the last one emitted; else WB_NONE. */
static uint32_t producer(ftr *t, uint32_t n, uint32_t pos)
{
    uint32_t w = t->last_dst != WB_NONE ? t->last_dst : t->cand_dst;
    uint32_t at = t->last_dst != WB_NONE ? t->last_pos : t->cand_pos;
    if (t->bad || w == WB_NONE || w < 1 || pos >= t->h || at != pos ||
        t->vs[pos].k != E_SLOT || w - 1u + n != t->len || t->code[w] != spos(t, pos))
        return WB_NONE;
    return w - 1u;
}

/* drop the instructions from `at` on (a fusion re-emits them) */
static void truncate(ftr *t, uint32_t at)
{
    t->len = at;
    if (at < t->low)
        t->low = at;
    while (t->nops && t->ops[t->nops - 1u] >= at)
        t->nops--;
    t->last_dst = t->cand_dst = WB_NONE;
    if (t->prev_dst != WB_NONE && t->prev_end > at)
        t->prev_dst = WB_NONE;
    while (t->hn && t->hend[t->hn - 1u] > at)
        t->hn--;
    if (t->last_st != WB_NONE && t->last_st >= at)
        t->last_st = WB_NONE;
}

static int bini_kind(uint32_t op)
{
    static const uint8_t ops[9] = {0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76};
    int i;
    for (i = 0; i < 9; i++)
        if (ops[i] == op)
            return i;
    return -1;
}

/* memory access kinds of the fused address forms: 32, 64, 8, 16 bits zero-extended */
static int ld_kind(uint32_t op)
{
    switch (op) {
#ifdef F_W32 /* the 32/8/16-bit forms write an i32 (the low half only) */
    case 0x28: case 0x2A: return 0;
    case 0x29: case 0x2B: return 1;
    case 0x2D: return 2;
    case 0x2F: return 3;
#else
    case 0x28: case 0x2A: case 0x35: return 0;
    case 0x29: case 0x2B: return 1;
    case 0x2D: case 0x31: return 2;
    case 0x2F: case 0x33: return 3;
#endif
    default: return -1;
    }
}

static int st_kind(uint32_t op)
{
    switch (op) {
    case 0x36: case 0x38: case 0x3E: return 0;
    case 0x37: case 0x39: return 1;
    case 0x3A: case 0x3C: return 2;
    case 0x3B: case 0x3D: return 3;
    default: return -1;
    }
}

/* ---- emission helpers ------------------------------------------------------ */
static void op_un(ftr *t, uint32_t op)
{
    uint32_t a = vpop(t), d = vres(t);
    put(t, op);
    putop(t, d);
    mark_dst(t, t->len - 1u);
    putop(t, a);
}

/* The load at `p` (plain or address + imm) as the operand of a binop: its
 * address operand and immediate; the load's kind (0: 32-bit, 1: 64-bit,
 * 2: 8-bit zero-extended), or -1 */
static int binm_load(ftr *t, uint32_t p, uint32_t *x, uint32_t *imm)
{
    uint32_t op = t->code[p];
    int lk = op == 0x28 ? 0 : op == 0x29 || op == 0x2B ? 1 : op == 0x2D ? 2 : -1;
    if (lk >= 0) {
        *x = t->code[p + 2u];
        *imm = 0;
        return lk;
    }
    if (op >= F_LDXI && op <= F_LDXI + 2u) {
        *x = t->code[p + 2u];
        *imm = t->code[p + 3u];
        return (int)(op - F_LDXI);
    }
    return -1;
}

/* the binop with its second operand loaded (load kind lk): F_BINM / F_BINM2
 * opcode, or 0 */
static uint32_t binm_op(uint32_t op, int lk)
{
    static const uint16_t tab[][3] = {
        {0x6A, F_BINM + 0u, F_BINM2 + 1u}, {0x6C, F_BINM + 1u, 0},
        {0x73, F_BINM2 + 2u, F_BINM2 + 0u}, {0x71, F_BINM2 + 3u, 0},
        {0x6B, F_BINM2 + 4u, 0}};
    uint32_t i;
    if (lk == 1)
        return op == 0x7C ? F_BINM + 2u : op == 0xA0 ? F_BINM + 3u
             : op == 0xA2 ? F_BINM + 4u : op == 0xA1 ? F_BINM + 5u : 0u;
    for (i = 0; lk >= 0 && i < sizeof tab / sizeof tab[0]; i++)
        if (tab[i][0] == op)
            return tab[i][lk == 0 ? 1 : 2];
    return 0;
}

/* 1 if word w of the code is an operand (a slot offset put by putop) */
static int is_operand(const ftr *t, uint32_t w)
{
    uint32_t i = t->nops;
    while (i && t->ops[i - 1u] > w)
        i--;
    return i && t->ops[i - 1u] == w;
}

/* F_MUL2L d = load(xa + imma, offa) * load(xb + immb, offb) */
static void put_mul2l(ftr *t, uint32_t d, uint32_t xa, uint32_t imma, uint32_t offa,
                      uint32_t xb, uint32_t immb, uint32_t offb)
{
    put(t, F_MUL2L);
    putop(t, d);
    mark_dst(t, t->len - 1u);
    putop(t, xa);
    put(t, imma);
    put(t, offa);
    putop(t, xb);
    put(t, immb);
    put(t, offb);
}

/* The F_BINM i32.mul at q whose first operand a was loaded just before an
 * add (i32.add or F_BINI, 4 words) that writes another slot: [load a][add]
 * [mul] becomes [add][F_MUL2L] when the add neither reads a nor writes the
 * load's base (matmul: `a[i][k] * b[k][j]` with the index add between the
 * two loads). If the first load traps, the add's write is not observable (the
 * call is abandoned). */
static void mul2l_over_add(ftr *t, uint32_t q, uint32_t a)
{
    uint32_t s, n, ad, ax, ay, aop, xa, imma, offa, d = t->code[q + 1u],
        xb = t->code[q + 3u], immb = t->code[q + 4u], offb = t->code[q + 5u];
    if (!(a & TAG_STACK) || q < 8u + t->barrier)
        return;
    aop = t->code[q - 4u];
    if ((aop != 0x6A && aop != F_BINI) || !is_operand(t, q - 3u) || !is_operand(t, q - 2u) ||
        is_operand(t, q - 4u) || (aop == F_BINI) == is_operand(t, q - 1u))
        return;
    ad = t->code[q - 3u];
    ax = t->code[q - 2u];
    ay = t->code[q - 1u];
    if (t->code[q - 8u] == 0x28 && q - 8u >= t->barrier)
        s = q - 8u, n = 4u;
    else if (q >= 9u + t->barrier && t->code[q - 9u] == F_LDXI)
        s = q - 9u, n = 5u;
    else
        return;
    if (t->code[s + 1u] != a || is_operand(t, s) || !is_operand(t, s + 1u) ||
        !is_operand(t, s + 2u) || is_operand(t, s + 3u) || (n == 5u && is_operand(t, s + 4u)))
        return;
    xa = t->code[s + 2u];
    imma = n == 5u ? t->code[s + 3u] : 0u;
    offa = t->code[s + n - 1u];
    if (ad == a || ad == xa || ax == a || (aop == 0x6A && ay == a))
        return;
    truncate(t, s);
    put(t, aop);
    putop(t, ad);
    putop(t, ax);
    if (aop == 0x6A)
        putop(t, ay);
    else
        put(t, ay);
    put_mul2l(t, d, xa, imma, offa, xb, immb, offb);
}

/* i32.mul of two loads: the first (the candidate before the load just fused
 * into the F_BINM at `q`) joins it, F_MUL2L */
static void mul2l(ftr *t, uint32_t q, uint32_t a)
{
    uint32_t s, xa, imma, offa, d = t->code[q + 1u], xb = t->code[q + 3u],
                                    immb = t->code[q + 4u], offb = t->code[q + 5u];
    if (t->prev_dst == WB_NONE || t->prev_end != q || t->code[t->prev_dst] != a ||
        !(a & TAG_STACK) || t->prev_dst < 1u) {
        mul2l_over_add(t, q, a);
        return;
    }
    s = t->prev_dst - 1u;
    if (s < t->barrier || !((t->code[s] == 0x28 && q - s == 4u) ||
                            (t->code[s] == F_LDXI && q - s == 5u)))
        return;
    xa = t->code[s + 2u];
    imma = t->code[s] == F_LDXI ? t->code[s + 3u] : 0u;
    offa = t->code[q - 1u];
    truncate(t, s);
    put_mul2l(t, d, xa, imma, offa, xb, immb, offb);
}

/* 1 if an F_MUL2L starts at s (not before the last label): its opcode and its
 * words' operand pattern (op d x imm off y imm2 off2) */
static int is_mul2l_at(const ftr *t, uint32_t s)
{
    static const uint8_t isop[8] = {0, 1, 1, 0, 0, 1, 0, 0};
    uint32_t i;
    if (s < t->barrier || t->code[s] != F_MUL2L)
        return 0;
    for (i = 0; i < 8u; i++)
        if (is_operand(t, s + i) != isop[i])
            return 0;
    return 1;
}

/* words of a link of a product chain at c: F_MUL2LA 7, F_MUL4LA 11, else 0 */
static uint32_t link_len(const uint32_t *c)
{
    return c[0] == F_MUL2LA ? 7u : c[0] == F_MUL4LA ? 11u : 0u;
}

/* F_MUL2LA d = acc + load(x + imm) * load(y + imm2), the F_MUL2L in w (its
 * offsets 0); when the instruction before is an F_MUL2LA whose result is only
 * this one's acc (a stack slot), both become one F_MUL4LA (two products) */
static void put_mul2la(ftr *t, uint32_t d, uint32_t acc, const uint32_t *w)
{
    uint32_t e = t->len, v[6], i;
    if (e >= 7u && e - 7u >= t->barrier && t->code[e - 7u] == F_MUL2LA &&
        t->hn && t->hend[t->hn - 1u] == e && t->hdst[t->hn - 1u] == e - 6u &&
        t->code[e - 6u] == acc && (acc & TAG_STACK) && w[2] != acc && w[5] != acc) {
        for (i = 0; i < 5u; i++)
            v[i] = t->code[e - 5u + i]; /* acc x imm y imm2 */
        truncate(t, e - 7u);
        put(t, F_MUL4LA);
        putop(t, d);
        mark_dst(t, t->len - 1u);
        putop(t, v[0]);
        putop(t, v[1]);
        put(t, v[2]);
        putop(t, v[3]);
        put(t, v[4]);
        putop(t, w[2]);
        put(t, w[3]);
        putop(t, w[5]);
        put(t, w[6]);
        return;
    }
    put(t, F_MUL2LA);
    putop(t, d);
    mark_dst(t, t->len - 1u);
    putop(t, acc);
    putop(t, w[2]);
    put(t, w[3]);
    putop(t, w[5]);
    put(t, w[6]);
}

/* i32.add of a product of two loads (F_MUL2L with both offsets 0, or a
 * chain's F_MUL2LA / F_MUL4LA, just emitted) and another value: an F_MUL2LA,
 * acc + product, and two of them in a row one F_MUL4LA. matmul's
 * p1 + (p2 + (p3 + (p4 + acc))) becomes two F_MUL4LA: the last product is
 * added first, then [MUL2L p3][MUL2LA x = acc + p4] + p3 becomes
 * [MUL2LA x = acc + p4][MUL2LA d = x + p3] (i32 adds wrap, so any order gives
 * the same sum; the moved loads read no slot the chain writes, and a trap of
 * either load abandons the call: which one traps first is not observable).
 * 1 if done. */
static int mul2la(ftr *t)
{
    uint32_t side, p = WB_NONE, q, w[8], acc, d, i, s, n, len, k;
    for (side = 1; side <= 2 && p == WB_NONE; side++) {
        if (side == 2 && t->vs[t->h - 1u].k == E_SLOT)
            break;
        p = producer(t, 8, t->h - side);
        if (p == WB_NONE || !is_mul2l_at(t, p))
            p = WB_NONE;
    }
    if (p != WB_NONE) { /* acc + (F_MUL2L just emitted) */
        for (i = 0; i < 8u; i++)
            w[i] = t->code[p + i];
        if (w[4] || w[7])
            return 0;
        truncate(t, p);
        if (side == 2) { /* found at side 1: the product is b */
            t->h--;
            acc = vpop(t);
        } else {
            acc = vpop(t);
            t->h--;
        }
        d = vres(t);
        put_mul2la(t, d, acc, w);
        return 1;
    }
    /* p' + (the chain's last link just emitted): p' from an F_MUL2L before the
     * chain of F_MUL2LA / F_MUL4LA that ends here (each adding to the one
     * before) */
    q = producer(t, 7, t->h - 1u);
    if (q == WB_NONE || t->code[q] != F_MUL2LA) {
        q = producer(t, 11, t->h - 1u);
        if (q == WB_NONE || t->code[q] != F_MUL4LA)
            return 0;
    }
    if (t->vs[t->h - 2u].k != E_SLOT)
        return 0;
    for (s = q, n = 1u; n <= 8u; n++) {
        if (s < 8u || s - 8u < t->barrier)
            return 0;
        if (is_mul2l_at(t, s - 8u))
            break;
        /* the link before: its result is this one's acc */
        if (s >= 7u && s - 7u >= t->barrier && t->code[s - 7u] == F_MUL2LA &&
            t->code[s - 6u] == t->code[s + 2u])
            s -= 7u;
        else if (s >= 11u && s - 11u >= t->barrier && t->code[s - 11u] == F_MUL4LA &&
                 t->code[s - 10u] == t->code[s + 2u])
            s -= 11u;
        else
            return 0;
    }
    if (n > 8u)
        return 0;
    s -= 8u; /* the F_MUL2L; the chain from s + 8 to the end */
    for (i = 0; i < 8u; i++)
        w[i] = t->code[s + i];
    if (w[1] != spos(t, t->h - 2u) || w[4] || w[7])
        return 0;
    for (k = s + 8u; k < t->len; k += len) { /* the chain neither writes the moved
                                               loads' bases nor reads the product */
        const uint32_t *c = t->code + k;
        len = link_len(c);
        if (!len || c[1] == w[2] || c[1] == w[5])
            return 0;
        for (i = 2; i < len; i++)
            if (c[i] == w[1] && is_operand(t, k + i))
                return 0;
    }
    /* the chain moves up by the F_MUL2L's 8 words (the same words: operands stay
     * operands), then the moved product is added last */
    {
        uint32_t ops0 = t->nops, end = t->len;
        for (k = s; k + 8u < end; k++)
            t->code[k] = t->code[k + 8u];
        t->len = end - 8u;
        if (s < t->low)
            t->low = s;
        /* operand records: drop the F_MUL2L's three, move the chain's down by 8 */
        for (k = 0; k < ops0 && t->ops[k] < s; k++)
            ;
        for (i = k; i + 3u < ops0; i++)
            t->ops[i] = t->ops[i + 3u] - 8u;
        t->nops = ops0 - 3u;
        /* the last link as the last result (put_mul2la may join it) */
        t->last_dst = t->cand_dst = t->prev_dst = WB_NONE;
        t->hn = 1;
        t->hend[0] = t->len;
        t->hdst[0] = q - 8u + 1u;
    }
    acc = t->code[q - 8u + 1u];
    t->h -= 2u;
    d = vres(t);
    put_mul2la(t, d, acc, w);
    return 1;
}

/* a op (x shift sh) with the shift just emitted: F_BINSH + index, or 0 */
static uint32_t binsh_op(uint32_t op, uint32_t shop)
{
    int shr = shop == F_BINI + 8u, shl = shop == F_BINI + 6u;
    if (!shr && !shl)
        return 0;
    switch (op) {
    case 0x73: return F_BINSH + (shr ? 0u : 1u);
    case 0x72: return F_BINSH + (shl ? 2u : 3u);
    case 0x6A: return F_BINSH + (shl ? 4u : 5u);
    default: return 0;
    }
}

/* ---- byte-indexed table lookups (F_TLD8, F_TLD8X) ---------------------------- */
/* 1 if an instruction of opcode op starts at word s, after the last label, and
 * its words are operands where pat has 'o' (else immediates) */
static int ins_at(const ftr *t, uint32_t s, uint32_t op, const char *pat)
{
    uint32_t i;
    if (s < t->barrier || t->code[s] != op || is_operand(t, s))
        return 0;
    for (i = 0; pat[i]; i++)
        if (is_operand(t, s + 1u + i) != (pat[i] == 'o'))
            return 0;
    return 1;
}

/* The scaled load about to be emitted (its address: [shl][add] at p - 4, the add
 * at p, both on stack slot S) of a byte mixed into a masked value: [a & m into
 * S][S ^ load8u(x + imm + off) into S] just before the shl. The five
 * instructions become one F_TLD8 (the lookup step of a table-driven CRC or
 * hash: t[(c & 0xff) ^ *p]). S is an operand-stack slot, so nothing reads the
 * intermediate values; a and x are other slots, read first as before. 1 if
 * emitted. */
static int tld8(ftr *t, uint32_t p, uint32_t off2)
{
    uint32_t S, sh, imm2, w[5], d, i;
    if (p < 14u || t->code[p] != F_BINI)
        return 0;
    S = t->code[p + 1u];
    if (!(S & TAG_STACK) || t->code[p + 2u] != S || !ins_at(t, p - 4u, F_BINI + 6u, "ooi") ||
        t->code[p - 3u] != S || t->code[p - 2u] != S || !ins_at(t, p - 10u, F_BINM2, "oooii") ||
        t->code[p - 9u] != S || t->code[p - 8u] != S || t->code[p - 7u] == S ||
        !ins_at(t, p - 14u, F_BINI + 3u, "ooi") || t->code[p - 13u] != S ||
        t->code[p - 12u] == S)
        return 0;
    w[0] = t->code[p - 12u]; /* a */
    w[1] = t->code[p - 11u]; /* m */
    for (i = 0; i < 3; i++)
        w[2u + i] = t->code[p - 7u + i]; /* x imm off */
    sh = t->code[p - 1u] & 31u;
    imm2 = t->code[p + 3u];
    truncate(t, p - 14u);
    t->h--;
    d = vres(t);
    put(t, F_TLD8);
    putop(t, d);
    mark_dst(t, t->len - 1u);
    putop(t, w[0]);
    put(t, w[1]);
    putop(t, w[2]);
    put(t, w[3]);
    put(t, w[4]);
    put(t, sh);
    put(t, imm2);
    put(t, off2);
    return 1;
}

/* i32.xor of the F_TLD8 before last and the i32.shr_u by an immediate just
 * emitted (y >> sh3): one F_TLD8X (the CRC step t[...] ^ (c >> 8)). 1 if
 * emitted. */
static int tld8x(ftr *t)
{
    uint32_t p, w[9], y, sh3, d, i;
    if (t->h < 2 || t->vs[t->h - 1u].k != E_SLOT || t->vs[t->h - 2u].k != E_SLOT)
        return 0;
    p = producer(t, 4, t->h - 1u);
    if (p == WB_NONE || t->code[p] != F_BINI + 8u || !ins_at(t, p, F_BINI + 8u, "ooi") ||
        t->prev_dst == WB_NONE || t->prev_end != p || t->prev_dst != p - 9u ||
        !ins_at(t, p - 10u, F_TLD8, "ooioiiiii") || t->code[p - 9u] != spos(t, t->h - 2u))
        return 0;
    for (i = 0; i < 9; i++)
        w[i] = t->code[p - 9u + i]; /* dst a m x imm off sh imm2 off2 */
    y = t->code[p + 2u];
    sh3 = t->code[p + 3u];
    if (y == w[0])
        return 0;
    truncate(t, p - 10u);
    t->h -= 2u;
    d = vres(t);
    put(t, F_TLD8X);
    putop(t, d);
    mark_dst(t, t->len - 1u);
    putop(t, w[1]);
    put(t, w[2]);
    putop(t, w[3]);
    for (i = 4; i < 9; i++)
        put(t, w[i]);
    putop(t, y);
    put(t, sh3);
    return 1;
}

static void op_bin(ftr *t, uint32_t op)
{
    uint32_t b, a, d, fop = 0;
    int k = bini_kind(op);
    if (op == 0x73 && tld8x(t))
        return;
    if (t->h >= 2 && (binm_op(op, 0) || binm_op(op, 1) || binm_op(op, 2))) {
        /* the load just emitted is b (or a, for the commutative ones with b not
         * emitted since): one instruction */
        uint32_t p = WB_NONE, x = 0, imm = 0, off, pos = 0, n, side;
        for (n = 4; n <= 5 && p == WB_NONE; n++)
            for (side = 1; side <= 2 && p == WB_NONE; side++) {
                if (side == 2 && (op == 0xA1 || op == 0x6B || t->vs[t->h - 1u].k == E_SLOT))
                    break;
                pos = t->h - side;
                p = producer(t, n, pos);
                if (p != WB_NONE) {
                    fop = binm_op(op, binm_load(t, p, &x, &imm));
                    if (!fop)
                        p = WB_NONE;
                }
            }
        if (p != WB_NONE) {
            off = t->code[p] >= F_LDXI ? t->code[p + 4u] : t->code[p + 3u];
            truncate(t, p);
            if (pos == t->h - 1u) {
                t->h--;
                a = vpop(t);
            } else {
                a = vpop(t);
                t->h--;
            }
            d = vres(t);
            p = t->len;
            put(t, fop);
            putop(t, d);
            mark_dst(t, t->len - 1u);
            putop(t, a);
            putop(t, x);
            put(t, imm);
            put(t, off);
            if (fop == F_BINM + 1u)
                mul2l(t, p, a);
            return;
        }
    }
    if (op == 0x6A && t->h >= 2 && mul2la(t))
        return;
    fop = op == 0x6A ? F_BIN2 : op == 0x7C ? F_BIN2 + 1u
        : F_BIN2_F64 && op == 0xA0 ? F_BIN2 + 2u : F_BIN2_F64 && op == 0xA2 ? F_BIN2 + 3u : 0u;
    if (fop && t->h >= 2) {
        /* a op (x op y) with the inner op just emitted (b; or a, the op being
         * commutative, with b not emitted since) */
        uint32_t side, p = WB_NONE;
        for (side = 1; side <= 2 && p == WB_NONE; side++) {
            if (side == 2 && t->vs[t->h - 1u].k == E_SLOT)
                break;
            p = producer(t, 4, t->h - side);
            if (p != WB_NONE && t->code[p] != op)
                p = WB_NONE;
        }
        if (p != WB_NONE) {
            uint32_t x = t->code[p + 2u], y = t->code[p + 3u];
            truncate(t, p);
            if (side == 2) { /* found at side 1: the inner one is b */
                t->h--;
                a = vpop(t);
            } else {
                a = vpop(t);
                t->h--;
            }
            d = vres(t);
            put(t, fop);
            putop(t, d);
            mark_dst(t, t->len - 1u);
            putop(t, a);
            putop(t, x);
            putop(t, y);
            return;
        }
    }
    if (t->h >= 2 && t->vs[t->h - 1u].k == E_SLOT) {
        uint32_t p = producer(t, 4, t->h - 1u);
        fop = p != WB_NONE ? binsh_op(op, t->code[p]) : 0u;
        if (fop) { /* a op (x shift imm), the shift just emitted */
            uint32_t x = t->code[p + 2u], sh = t->code[p + 3u];
            truncate(t, p);
            t->h--;
            a = vpop(t);
            d = vres(t);
            put(t, fop);
            putop(t, d);
            mark_dst(t, t->len - 1u);
            putop(t, a);
            putop(t, x);
            put(t, sh);
            return;
        }
    }
    if (t->h >= 2 && t->vs[t->h - 1u].k == E_CONST && (k >= 0 || (op >= 0x46 && op <= 0x4F))) {
        uint32_t imm = (uint32_t)t->consts[t->vs[t->h - 1u].v];
        if (k >= 6) /* shifts: the count mod 32 here, so no handler masks it */
            imm &= 31u;
        t->h--;
        a = vpop(t);
        d = vres(t);
        put(t, k >= 0 ? F_BINI + (uint32_t)k : F_CMPI + op - 0x46u);
        putop(t, d);
        mark_dst(t, t->len - 1u);
        putop(t, a);
        put(t, imm);
        return;
    }
    b = vpop(t);
    a = vpop(t);
    d = vres(t);
    put(t, op);
    putop(t, d);
    mark_dst(t, t->len - 1u);
    putop(t, a);
    putop(t, b);
}

/* The address of a load/store computed by the add (i32.add or F_BINI) at p, the
 * last instruction: its operands go into the access (F_LDX/F_STX take a + b,
 * F_LDXI/F_STXI a + imm). */
static int is_addr_add(ftr *t, uint32_t p)
{
    return t->code[p] == 0x6A || t->code[p] == F_BINI;
}

/* drop the add at p; its operands; 1 if the second is an immediate */
static uint32_t take_addr(ftr *t, uint32_t p, uint32_t *x, uint32_t *y)
{
    uint32_t imm = t->code[p] == F_BINI;
    *x = t->code[p + 2u];
    *y = t->code[p + 3u];
    truncate(t, p);
    return imm;
}

static void put_addr(ftr *t, uint32_t x, uint32_t y, uint32_t imm)
{
    putop(t, x);
    if (imm)
        put(t, y);
    else
        putop(t, y);
}

static void op_load(ftr *t, uint32_t op, uint32_t off)
{
    uint32_t a, d, p = t->h ? producer(t, 4, t->h - 1u) : WB_NONE;
    int k = ld_kind(op);
    if (p != WB_NONE && op == 0x28 && tld8(t, p, off))
        return;
    if (p != WB_NONE && (k == 0 || k == 1) && t->code[p] == F_BINI && p >= 4u &&
        p - 4u >= t->barrier && t->code[p - 4u] == F_BINI + 6u /* shl */ &&
        t->code[p - 3u] == t->code[p + 2u] && t->code[p + 1u] == t->code[p + 2u] &&
        (t->code[p + 2u] & TAG_STACK)) {
        /* (x << sh) + imm, then the load: a scaled index */
        uint32_t x = t->code[p - 2u], sh = t->code[p - 1u] & 31u, imm = t->code[p + 3u];
        truncate(t, p - 4u);
        t->h--;
        d = vres(t);
        put(t, F_LDXS + (uint32_t)k);
        putop(t, d);
        mark_dst(t, t->len - 1u);
        putop(t, x);
        put(t, sh);
        put(t, imm);
        put(t, off);
        return;
    }
    if (p != WB_NONE && k >= 0 && is_addr_add(t, p)) {
        uint32_t x, y, imm = take_addr(t, p, &x, &y);
        t->h--;
        d = vres(t);
        put(t, (imm ? F_LDXI : F_LDX) + (uint32_t)k);
        putop(t, d);
        mark_dst(t, t->len - 1u);
        put_addr(t, x, y, imm);
        put(t, off);
        return;
    }
    a = vpop(t);
    d = vres(t);
    put(t, op);
    putop(t, d);
    mark_dst(t, t->len - 1u);
    putop(t, a);
    put(t, off);
}

/* Start of the result-producing instruction `back` places before the last one
 * (0: the last) if it ends at `end` (nothing emitted between), else WB_NONE. */
static uint32_t hist_at(const ftr *t, uint32_t back, uint32_t end)
{
    uint32_t i;
    if (back >= t->hn)
        return WB_NONE;
    i = t->hn - 1u - back;
    if (t->hend[i] != end || t->hdst[i] < 1u || t->hdst[i] - 1u < t->barrier)
        return WB_NONE;
    return t->hdst[i] - 1u;
}

/* f64.store of x - product, the f64.sub just emitted and its product right
 * before it: F_DMS (x - y * z), or F_LMSST when x was loaded right before the
 * product chain (p->f -= a * b * c). The load moves after the product: the
 * product reads neither the load's result nor anything the load writes. 1 if
 * done (only where F_BIN2_F64: the handlers round like the instructions). */
static int f64_mulsub_store(ftr *t, uint32_t off)
{
    uint32_t q = producer(t, 4, t->h - 1u), x, y, m, l, a, w[3], b, offb;
    if (!F_BIN2_F64 || q == WB_NONE || t->code[q] != 0xA1 || t->prev_dst == WB_NONE ||
        t->prev_end != q || t->prev_dst < 1u)
        return 0;
    x = t->code[q + 2u];
    y = t->code[q + 3u];
    m = t->prev_dst - 1u; /* the instruction before the sub: the product */
    if (m < t->barrier || t->code[m + 1u] != y || !(y & TAG_STACK) || x == y)
        return 0;
    if (t->code[m] == 0xA2 && q - m == 4u) {
        w[0] = t->code[m + 2u];
        w[1] = t->code[m + 3u];
        truncate(t, m);
        t->h--;
        a = vpop(t);
        put(t, F_DMS);
        putop(t, a);
        putop(t, x);
        putop(t, w[0]);
        putop(t, w[1]);
        put(t, off);
        return 1;
    }
    if (t->code[m] != F_BIN2 + 3u || q - m != 5u || !(x & TAG_STACK) ||
        hist_at(t, 1u, q) != m)
        return 0;
    l = hist_at(t, 2u, m); /* the load of x */
    if (l == WB_NONE || m - l != 4u || t->code[l + 1u] != x ||
        (t->code[l] != 0x2B && t->code[l] != 0x29))
        return 0;
    b = t->code[l + 2u];
    offb = t->code[l + 3u];
    w[0] = t->code[m + 2u];
    w[1] = t->code[m + 3u];
    w[2] = t->code[m + 4u];
    if (w[0] == x || w[1] == x || w[2] == x || b == y)
        return 0;
    truncate(t, l);
    t->h--;
    a = vpop(t);
    put(t, F_LMSST);
    putop(t, a);
    put(t, off);
    putop(t, b);
    put(t, offb);
    putop(t, w[0]);
    putop(t, w[1]);
    putop(t, w[2]);
    return 1;
}

/* f64.store of product + load, the F_BINM (f64.add) at q just emitted and the
 * product chain (F_BIN2 f64.mul) right before it: F_MAMST (p->f += a * b * c).
 * 1 if done. */
static int f64_muladd_store(ftr *t, uint32_t q, uint32_t off)
{
    uint32_t m, a, l, pr = t->code[q + 2u], w[3], i, v[3];
    if (!F_BIN2_F64)
        return 0;
    m = hist_at(t, 1u, q);
    if (m == WB_NONE || q - m != 5u || t->code[m] != F_BIN2 + 3u ||
        t->code[m + 1u] != pr || !(pr & TAG_STACK) || t->code[q + 3u] == pr)
        return 0;
    for (i = 0; i < 3u; i++) {
        w[i] = t->code[m + 2u + i];
        v[i] = t->code[q + 3u + i]; /* x imm off */
    }
    a = src_of(t, t->vs[t->h - 2u], t->h - 2u);
    l = hist_at(t, 2u, m);
    if (l != WB_NONE && m - l == 4u && t->code[l] == F_BINI && t->code[l + 1u] == a &&
        v[0] == a && v[1] == 0u) {
        /* l = base + imm just before, the address of both: F_MAMSTA (it writes l
         * first, as the add did) */
        uint32_t base = t->code[l + 2u], imm = t->code[l + 3u];
        truncate(t, l);
        t->h -= 2u;
        put(t, F_MAMSTA);
        putop(t, a);
        putop(t, base);
        put(t, imm);
        put(t, off);
        putop(t, w[0]);
        putop(t, w[1]);
        putop(t, w[2]);
        put(t, v[2]);
        return 1;
    }
    truncate(t, m);
    t->h--;
    a = vpop(t);
    put(t, F_MAMST);
    putop(t, a);
    put(t, off);
    putop(t, w[0]);
    putop(t, w[1]);
    putop(t, w[2]);
    putop(t, v[0]);
    put(t, v[1]);
    put(t, v[2]);
    return 1;
}

/* f64.store of a local (or a slot) the f64.add just emitted wrote, whose
 * operand is the product of a constant/slot and a load (F_BINM f64.mul) right
 * before: F_MALST (x += dt * p->v). 1 if done. */
static int f64_muladd_local_store(ftr *t, uint32_t off)
{
    uint32_t sv = src_of(t, t->vs[t->h - 1u], t->h - 1u), q = hist_at(t, 0u, t->len), mq,
             o, pr, w[4], i, a;
    if (!F_BIN2_F64 || q == WB_NONE || t->len - q != 4u || t->code[q] != 0xA0 ||
        t->code[q + 1u] != sv)
        return 0;
    mq = hist_at(t, 1u, q);
    if (mq == WB_NONE || q - mq != 6u || t->code[mq] != F_BINM + 4u)
        return 0;
    pr = t->code[mq + 1u];
    if (!(pr & TAG_STACK))
        return 0;
    if (t->code[q + 2u] == pr)
        o = t->code[q + 3u];
    else if (t->code[q + 3u] == pr)
        o = t->code[q + 2u];
    else
        return 0;
    if (o == pr)
        return 0;
    for (i = 0; i < 4u; i++)
        w[i] = t->code[mq + 2u + i]; /* c x imm off */
    truncate(t, mq);
    t->h--;
    a = vpop(t);
    put(t, F_MALST);
    putop(t, sv);
    putop(t, o);
    putop(t, w[0]);
    putop(t, w[1]);
    put(t, w[2]);
    put(t, w[3]);
    putop(t, a);
    put(t, off);
    return 1;
}

static void op_store(ftr *t, uint32_t op, uint32_t off)
{
    uint32_t v, a, p = t->h >= 2 ? producer(t, 4, t->h - 2u) : WB_NONE;
    int k = st_kind(op);
    if (op == 0x39 && t->h >= 2 && t->vs[t->h - 1u].k == E_SLOT && f64_mulsub_store(t, off))
        return;
    if (op == 0x39 && t->h >= 2 && t->vs[t->h - 1u].k == E_LOCAL &&
        f64_muladd_local_store(t, off))
        return;
    if (op == 0x39 && t->h >= 2 && t->vs[t->h - 1u].k == E_SLOT) {
        /* f64 x op y just emitted, stored: one F_DST */
        uint32_t q = producer(t, 4, t->h - 1u), x, y, c = q != WB_NONE ? t->code[q] : 0u;
        if (c == 0xA0 || c == 0xA1 || c == 0xA2) {
            x = t->code[q + 2u];
            y = t->code[q + 3u];
            truncate(t, q);
            t->h--;
            a = vpop(t);
            put(t, F_DST + (c == 0xA0 ? 0u : c == 0xA1 ? 1u : 2u));
            putop(t, a);
            putop(t, x);
            putop(t, y);
            put(t, off);
            return;
        }
    }
    if ((op == 0x39 || op == 0x36) && t->h >= 2 && t->vs[t->h - 1u].k == E_SLOT) {
        /* t + a loaded value (F_BINM) just emitted, stored: one F_BINMST */
        uint32_t q = producer(t, 6, t->h - 1u), w[4], i;
        if (q != WB_NONE && op == 0x39 && t->code[q] == F_BINM + 3u &&
            f64_muladd_store(t, q, off))
            return;
        if (q != WB_NONE && t->code[q] == (op == 0x39 ? F_BINM + 3u : F_BINM + 0u)) {
            for (i = 0; i < 4; i++)
                w[i] = t->code[q + 2u + i]; /* t x imm off */
            truncate(t, q);
            t->h--;
            a = vpop(t);
            put(t, F_BINMST + (op == 0x39 ? 1u : 0u));
            putop(t, a);
            put(t, off);
            putop(t, w[0]);
            putop(t, w[1]);
            put(t, w[2]);
            put(t, w[3]);
            return;
        }
    }
    if (p != WB_NONE && k >= 0 && t->vs[t->h - 1u].k != E_SLOT && is_addr_add(t, p)) {
        uint32_t x, y, imm = take_addr(t, p, &x, &y);
        v = vpop(t);
        t->h--;
        t->last_st = imm ? t->len : WB_NONE;
        put(t, (imm ? F_STXI : F_STX) + (uint32_t)k);
        put_addr(t, x, y, imm);
        putop(t, v);
        put(t, off);
        return;
    }
    v = vpop(t);
    a = vpop(t);
    put(t, op);
    putop(t, a);
    putop(t, v);
    put(t, off);
}

static void local_get(ftr *t, uint32_t a)
{
    if (a < t->nl && !t->lstate[a])
        t->lstate[a] = 2;
    vpush(t, E_LOCAL, a);
}

static void local_set(ftr *t, uint32_t a, int tee)
{
    fent e;
    uint32_t k, refs = 0, s;
    if (!t->h) {
        t->bad = 1;
        return;
    }
    /* A first write that no forward branch jumps over comes before every
     * read on every path (code after it is reached only through it): the
     * entry need not zero the local. */
    if (a < t->nl && !t->lstate[a])
        t->lstate[a] = t->fwd > t->cur ? 2 : 1;
    e = t->vs[t->h - 1u];
    s = src_of(t, e, t->h - 1u);
    t->h--;
    for (k = 0; k < t->h; k++)
        if (t->vs[k].k == E_LOCAL && t->vs[k].v == a)
            refs++;
    if (e.k == E_LOCAL && e.v == a) {
        /* local.get a; local.set a: nothing to do */
    } else if (e.k == E_SLOT && !refs && t->cand_dst != WB_NONE &&
               t->cand_pos == t->h && t->code[t->cand_dst] == spos(t, t->h)) {
        t->code[t->cand_dst] = SLOTB(a); /* the producer writes the local */
    } else {
        for (k = 0; k < t->h; k++)
            if (t->vs[k].k == E_LOCAL && t->vs[k].v == a)
                materialize(t, k);
        if (e.k == E_CONST) {
            movi(t, SLOTB(a), e.v);
            if (tee)
                vpush(t, E_LOCAL, a);
            return;
        }
        put(t, F_MOV);
        putop(t, SLOTB(a));
        putop(t, s);
    }
    if (tee)
        vpush(t, E_LOCAL, a);
}

static void jump_to(ftr *t, uint32_t op_at, uint32_t ctarget, uint32_t height)
{
    if (ctarget >= t->clen) {
        t->bad = 1;
        return;
    }
    if (ctarget > t->cur && ctarget > t->fwd)
        t->fwd = ctarget;
    if (t->th[ctarget] == WB_NONE)
        t->th[ctarget] = height;
    else if (t->th[ctarget] != height)
        t->bad = 1;
    if (t->map[ctarget] != WB_NONE) {
        put(t, t->map[ctarget] - op_at); /* backward: known */
        return;
    }
    if (!fgrow(t, (void **)&t->fx, &t->fxcap, t->nfx + 1u, sizeof(fixup)))
        return;
    t->fx[t->nfx].word = t->len;
    t->fx[t->nfx].op = op_at;
    t->fx[t->nfx].target = ctarget;
    t->nfx++;
    put(t, 0);
}

/* copy the top `arity` values down to position d (a branch that unwinds) */
static void unwind_moves(ftr *t, uint32_t d, uint32_t arity)
{
    uint32_t i;
    for (i = 0; i < arity; i++) {
        if (d + i == t->h - arity + i)
            continue;
        put(t, F_MOV);
        putop(t, spos(t, d + i));
        putop(t, spos(t, t->h - arity + i));
    }
}

/* ---- pre-pass ---------------------------------------------------------------- */
/* words of the classic instruction at p (0: not translated) */
static uint32_t ilen(const uint32_t *c, uint32_t p, uint32_t clen)
{
    uint32_t op = c[p];
    if (op >= 0x45 && op <= 0xC4)
        return 1;
    if (op >= 0x28 && op <= 0x3E)
        return 2;
    if (op >= OP_CMPI(0x46) && op <= OP_CMPI(0x4F))
        return 2;
    if (op >= OP_BRC(0x46) && op <= OP_BRC(0x4F))
        return 2;
    if (op >= 0xF2 && op <= 0xF9)
        return 2;
    switch (op) {
    case OP_UNREACHABLE: case OP_DROP: case OP_SELECT: case 0x3F: case 0x40:
    case OP_REF_NULL:
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE4: case 0xE5: case 0xE6:
    case 0xE7: case 0xEA: case 0xEB:
        return 1;
    case OP_BR_UNLESS: case OP_BR: case OP_BR_IF: case OP_RETURN: case OP_CALL:
    case OP_LOCAL_GET: case OP_LOCAL_SET: case OP_LOCAL_TEE: case OP_GLOBAL_GET:
    case OP_GLOBAL_SET: case OP_TABLE_GET: case OP_TABLE_SET: case OP_I32_CONST:
    case OP_F32_CONST: case OP_REF_FUNC:
    case OP_I32_ADD_L: case OP_I32_MUL_L: case OP_I64_ADD_L: case OP_F32_ADD_L:
    case OP_F32_SUB_L: case OP_F32_MUL_L: case OP_F64_ADD_L: case OP_F64_SUB_L:
    case OP_F64_MUL_L:
        return 2;
    case OP_CALL_INDIRECT: case OP_I64_CONST: case OP_F64_CONST: case OP_LGET2:
    case OP_LGET_ADDI: case OP_LG_LD32: case OP_LG_LD64: case OP_LG_LD8U:
        return 3;
    case OP_BR_UNWIND: case OP_BR_IF_UNWIND: case OP_LGA_LD32: case OP_LGA_LD64:
    case OP_LGA_LD8U:
        return 4;
    case OP_BR_TABLE:
        if (p + 1u >= clen || c[p + 1] >= clen)
            return 0;
        return 3u + 2u * (c[p + 1] + 1u);
    default:
        break;
    }
    if ((op >= 0x12 && op <= 0x19) || op == 0x1C || op == 0x1D) /* BRCI */
        return 3;
    return 0; /* OP_EXT, OP_FUEL, tail calls, table / segment bulk ops */
}

static void mark(ftr *t, uint32_t slot)
{
    uint32_t to = slot + (uint32_t)(int32_t)t->cc[slot];
    if (to >= t->clen) {
        t->bad = 1;
        return;
    }
    if (!t->is_target[to])
        t->is_target[to] = to <= slot ? 2 : 1; /* 2: a loop head (backward) */
    else if (to <= slot)
        t->is_target[to] = 2;
}

static void prepass(ftr *t)
{
    const uint32_t *c = t->cc;
    uint32_t p = 0, n, i, op;
    while (p < t->clen && !t->bad) {
        n = ilen(c, p, t->clen);
        if (!n || p + n > t->clen) {
            t->bad = 1;
            return;
        }
        op = c[p];
        switch (op) {
        case OP_BR_UNLESS: case OP_BR_UNWIND: case OP_BR_IF_UNWIND: case OP_BR:
        case OP_BR_IF:
            mark(t, p + 1u);
            break;
        case OP_BR_TABLE:
            for (i = 0; i <= c[p + 1]; i++)
                mark(t, p + 3u + 2u * i);
            break;
        default:
            if (op >= OP_BRC(0x46) && op <= OP_BRC(0x4F))
                mark(t, p + 1u);
            else if ((op >= 0x12 && op <= 0x19) || op == 0x1C || op == 0x1D)
                mark(t, p + 2u);
        }
        p += n;
    }
}

static uint32_t brci_cmp(uint32_t op) /* BRCI opcode -> i32 compare */
{
    return op <= 0x19 ? op - 0x12u + 0x46u : op - 0x1Cu + 0x4Eu;
}

/* conditional branch on a compare, both operands popped already */
/* i32 compare `cmp` (0x46..0x4F) of the top two entries and branch */
static void br_cmp(ftr *t, uint32_t cmp, uint32_t ctarget)
{
    uint32_t at, a, b, imm = t->h && t->vs[t->h - 1u].k == E_CONST;
    if (imm) {
        b = (uint32_t)t->consts[t->vs[t->h - 1u].v];
        t->h--;
    } else {
        b = vpop(t);
    }
    a = vpop(t);
    at = t->len;
    flush_all(t);
    if (at == t->len && at >= 4u && at - 4u >= t->barrier && t->code[at - 4u] == F_BINI &&
        t->code[at - 3u] == a && t->code[at - 2u] == a && !(a & (TAG_STACK | TAG_CONST)) &&
        (imm || b != a)) {
        /* local a += imm just before: one back-edge instruction */
        uint32_t inc = t->code[at - 1u];
        truncate(t, at - 4u);
        at = t->len;
        put(t, (imm ? F_INCBRI : F_INCBR) + cmp - 0x46u);
        putop(t, a);
        put(t, inc);
        if (imm)
            put(t, b);
        else
            putop(t, b);
        jump_to(t, at, ctarget, t->h);
        return;
    }
    if (imm && at == t->len && at >= 4u && at - 4u >= t->barrier && t->code[at - 4u] == 0x6A &&
        t->code[at - 3u] == a && t->code[at - 2u] == a && !(a & (TAG_STACK | TAG_CONST))) {
        /* local a += b just before */
        uint32_t y = t->code[at - 1u], st = t->last_st, w[4], i;
        truncate(t, at - 4u);
        if (cmp == 0x49 && st != WB_NONE && st >= t->barrier && st + 5u == t->len &&
            t->code[st] == F_STXI + 2u) {
            /* an 8-bit store just before: one F_STBR (store, then the back edge) */
            for (i = 0; i < 4u; i++)
                w[i] = t->code[st + 1u + i]; /* x imm v off */
            truncate(t, st);
            at = t->len;
            put(t, F_STBR);
            putop(t, w[0]);
            put(t, w[1]);
            putop(t, w[2]);
            put(t, w[3]);
            putop(t, a);
            putop(t, y);
            put(t, b);
            jump_to(t, at, ctarget, t->h);
            return;
        }
        at = t->len;
        put(t, F_ADDBRI + cmp - 0x46u);
        putop(t, a);
        putop(t, y);
        put(t, b);
        jump_to(t, at, ctarget, t->h);
        return;
    }
    at = t->len;
    put(t, (imm ? F_BRCMPI : F_BRCMP) + cmp - 0x46u);
    putop(t, a);
    if (imm)
        put(t, b);
    else
        putop(t, b);
    jump_to(t, at, ctarget, t->h);
}

/* compare index 0..9 (eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u) negated */
static const uint8_t cmp_not[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};

/* br_if / br_unless (neg) on the result of the compare just emitted: one
 * compare-and-branch; 1 if done */
static int fused_cond(ftr *t, int neg, uint32_t ctarget)
{
    uint32_t p, op, c, x, y, at, fop, lk = 2, imm = 0, off = 0;
    if (!t->h)
        return 0;
    p = producer(t, 5, t->h - 1u); /* a flag loaded just before: F_LDBR */
    if (p != WB_NONE && (t->code[p] == F_LDXI || t->code[p] == F_LDXI + 2u)) {
        lk = t->code[p] == F_LDXI ? 0u : 1u;
        imm = t->code[p + 3u];
        off = t->code[p + 4u];
    } else {
        p = producer(t, 4, t->h - 1u);
        if (p != WB_NONE && (t->code[p] == 0x28 || t->code[p] == 0x2D)) {
            lk = t->code[p] == 0x28 ? 0u : 1u;
            off = t->code[p + 3u];
        }
    }
    if (lk < 2) {
        x = t->code[p + 2u];
        truncate(t, p);
        t->h--;
        flush_all(t);
        at = t->len;
        put(t, F_LDBR + 2u * lk + (neg ? 1u : 0u));
        putop(t, x);
        put(t, imm);
        put(t, off);
        jump_to(t, at, ctarget, t->h);
        return 1;
    }
    p = producer(t, 4, t->h - 1u);
    if (p == WB_NONE) { /* i32.eqz: 3 words */
        p = producer(t, 3, t->h - 1u);
        if (p == WB_NONE || t->code[p] != 0x45)
            return 0;
        x = t->code[p + 2u];
        truncate(t, p);
        t->h--;
        flush_all(t);
        at = t->len;
        put(t, neg ? F_BRIF : F_BRUNLESS);
        putop(t, x);
        jump_to(t, at, ctarget, t->h);
        return 1;
    }
    op = t->code[p];
    if (op >= 0x46 && op <= 0x4F) {
        c = op - 0x46u;
        fop = F_BRCMP;
    } else if (op >= F_CMPI && op <= F_CMPI + 9u) {
        c = op - F_CMPI;
        fop = F_BRCMPI;
    } else if (op >= 0x51 && op <= 0x5A) {
        c = op - 0x51u;
        fop = F_BRCMP64;
    } else {
        return 0;
    }
    if (neg)
        c = cmp_not[c];
    x = t->code[p + 2u];
    y = t->code[p + 3u];
    truncate(t, p);
    t->h--;
    flush_all(t);
    at = t->len;
    put(t, fop + c);
    putop(t, x);
    if (fop == F_BRCMPI)
        put(t, y);
    else
        putop(t, y);
    jump_to(t, at, ctarget, t->h);
    return 1;
}

static void call_args(ftr *t, uint32_t np)
{
    uint32_t k;
    if (np > t->h) {
        t->bad = 1;
        return;
    }
    for (k = t->h - np; k < t->h; k++)
        materialize(t, k);
}

/* ---- one instruction ----------------------------------------------------------- */
static int is_unary(uint32_t op)
{
    return op == 0x45 || op == 0x50 || (op >= 0x67 && op <= 0x69) ||
           (op >= 0x79 && op <= 0x7B) || (op >= 0x8B && op <= 0x91) ||
           (op >= 0x99 && op <= 0x9F) || op >= 0xA7;
}

static const uint8_t binl_op[][2] = {
    {OP_I32_ADD_L, 0x6A}, {OP_I32_MUL_L, 0x6C}, {OP_I64_ADD_L, 0x7C},
    {OP_F32_ADD_L, 0x92}, {OP_F32_SUB_L, 0x93}, {OP_F32_MUL_L, 0x94},
    {OP_F64_ADD_L, 0xA0}, {OP_F64_SUB_L, 0xA1}, {OP_F64_MUL_L, 0xA2}};
static const uint8_t bini_op[8] = {0x6A, 0x6C, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76};

/* returns 1 if the instruction ends the straight-line flow */
static int one(ftr *t, uint32_t p)
{
    const uint32_t *c = t->cc + p;
    uint32_t op = c[0], a, b, d, at, i;
    const wb_module *m = t->m;
    if (op >= 0x45 && op <= 0xC4) {
        if (is_unary(op))
            op_un(t, op);
        else
            op_bin(t, op);
        return 0;
    }
    if (op >= 0x28 && op <= 0x35) {
        op_load(t, op, c[1]);
        return 0;
    }
    if (op >= 0x36 && op <= 0x3E) {
        op_store(t, op, c[1]);
        return 0;
    }
    if (op >= OP_CMPI(0x46) && op <= OP_CMPI(0x4F)) {
        vpush(t, E_CONST, const_idx(t, c[1]));
        op_bin(t, op - OP_CMPI(0x46) + 0x46u);
        return 0;
    }
    if (op >= OP_BRC(0x46) && op <= OP_BRC(0x4F)) {
        br_cmp(t, op - OP_BRC(0x46) + 0x46u, p + 1u + (uint32_t)(int32_t)c[1]);
        return 0;
    }
    if ((op >= 0x12 && op <= 0x19) || op == 0x1C || op == 0x1D) {
        vpush(t, E_CONST, const_idx(t, c[1]));
        br_cmp(t, brci_cmp(op), p + 2u + (uint32_t)(int32_t)c[2]);
        return 0;
    }
    if (op >= 0xF2 && op <= 0xF9) {
        vpush(t, E_CONST, const_idx(t, c[1]));
        op_bin(t, bini_op[op - 0xF2]);
        return 0;
    }
    for (i = 0; i < sizeof binl_op / sizeof binl_op[0]; i++)
        if (op == binl_op[i][0]) {
            local_get(t, c[1]);
            op_bin(t, binl_op[i][1]);
            return 0;
        }
    switch (op) {
    case OP_UNREACHABLE:
        put(t, F_UNREACH);
        return 1;
    case OP_BR_UNLESS:
    case OP_BR_IF:
        if (fused_cond(t, op == OP_BR_UNLESS, p + 1u + (uint32_t)(int32_t)c[1]))
            return 0;
        if (t->h && t->vs[t->h - 1u].k == E_LOCAL && t->len >= 4u &&
            t->len - 4u >= t->barrier && t->code[t->len - 4u] == F_BINI &&
            t->code[t->len - 3u] == SLOTB(t->vs[t->h - 1u].v) &&
            t->code[t->len - 2u] == t->code[t->len - 3u]) {
            /* local a += imm; br_if a: one F_INCBRI (compare with 0) */
            vpush(t, E_CONST, const_idx(t, 0));
            br_cmp(t, op == OP_BR_IF ? 0x47u : 0x46u, p + 1u + (uint32_t)(int32_t)c[1]);
            return 0;
        }
        a = vpop(t);
        flush_all(t);
        at = t->len;
        put(t, op == OP_BR_IF ? F_BRIF : F_BRUNLESS);
        putop(t, a);
        jump_to(t, at, p + 1u + (uint32_t)(int32_t)c[1], t->h);
        return 0;
    case OP_BR:
        flush_all(t);
        at = t->len;
        put(t, F_BR);
        jump_to(t, at, p + 1u + (uint32_t)(int32_t)c[1], t->h);
        return 1;
    case OP_BR_UNWIND:
    case OP_BR_IF_UNWIND: {
        uint32_t skip = WB_NONE, off = c[2], arity = c[3], dpos;
        if (op == OP_BR_IF_UNWIND)
            a = vpop(t);
        if (off < t->nl + 1u || arity > t->h) {
            t->bad = 1;
            return 1;
        }
        dpos = off - t->nl - 1u;
        flush_all(t);
        if (op == OP_BR_IF_UNWIND) {
            skip = t->len;
            put(t, F_BRUNLESS);
            putop(t, a);
            put(t, 0);
        }
        unwind_moves(t, dpos, arity);
        at = t->len;
        put(t, F_BR);
        jump_to(t, at, p + 1u + (uint32_t)(int32_t)c[1], dpos + arity);
        if (skip != WB_NONE && !t->bad)
            t->code[skip + 2u] = t->len - skip;
        return op == OP_BR_UNWIND;
    }
    case OP_BR_TABLE: {
        uint32_t n = c[1], arity = c[2], tab;
        a = vpop(t);
        flush_all(t);
        at = t->len;
        put(t, F_BRTABLE);
        putop(t, a);
        put(t, n);
        tab = t->len;
        for (i = 0; i <= n; i++)
            put(t, 0);
        for (i = 0; i <= n && !t->bad; i++) {
            uint32_t ctarget = p + 3u + 2u * i, off = c[4 + 2u * i], dpos;
            ctarget += (uint32_t)(int32_t)c[3 + 2u * i];
            if (off < t->nl + 1u || arity > t->h) {
                t->bad = 1;
                return 1;
            }
            dpos = off - t->nl - 1u;
            if (dpos + arity == t->h) { /* no move: the table jumps there */
                uint32_t save = t->len;
                t->len = tab + i; /* jump_to writes at t->len */
                jump_to(t, at, ctarget, t->h);
                t->len = save;
            } else { /* a stub: moves, then br */
                uint32_t sat;
                t->code[tab + i] = t->len - at;
                unwind_moves(t, dpos, arity);
                sat = t->len;
                put(t, F_BR);
                jump_to(t, sat, ctarget, dpos + arity);
            }
        }
        return 1;
    }
    case OP_RETURN: {
        uint32_t n = c[1];
        if (n > t->h) {
            t->bad = 1;
            return 1;
        }
        if (n == 0) {
            put(t, F_RET0);
        } else if (n == 1 && t->vs[t->h - 1u].k == E_CONST) {
            t->h--;
            movi(t, SLOTB(0), t->vs[t->h].v);
            put(t, F_RET0);
        } else if (n == 1) {
            a = vpop(t);
            put(t, F_RET1);
            putop(t, a);
        } else {
            call_args(t, n); /* every result in its slot */
            put(t, F_RETN);
            putop(t, spos(t, t->h - n));
            put(t, n);
        }
        return 1;
    }
    case OP_CALL:
    case OP_CALL_INDIRECT: {
        const wb_functype *ft;
        uint32_t np, nr, ix = 0;
        if (op == OP_CALL) {
            if (c[1] >= m->nfuncs)
                break;
            ft = &m->types[m->func_type[c[1]]];
        } else {
            if (c[1] >= m->ntypes)
                break;
            ft = &m->types[c[1]];
            ix = vpop(t);
        }
        np = wb_slots_of(ft->nparams, ft->types);
        nr = wb_slots_of(ft->nresults, ft->types + ft->nparams);
        call_args(t, np);
        if (t->bad)
            return 1;
        if (op == OP_CALL) {
            put(t, F_CALL);
            put(t, c[1]);
        } else {
            put(t, F_CALLI);
            put(t, c[1]);
            put(t, c[2]);
            putop(t, ix);
        }
        putop(t, spos(t, t->h - np));
        t->h -= np;
        for (i = 0; i < nr; i++)
            vpush(t, E_SLOT, 0);
        return 0;
    }
    case OP_DROP:
        vpop(t);
        return 0;
    case OP_SELECT: {
        uint32_t cnd = vpop(t);
        b = vpop(t);
        a = vpop(t);
        d = vres(t);
        put(t, F_SELECT);
        putop(t, d);
        mark_dst(t, t->len - 1u);
        putop(t, a);
        putop(t, b);
        putop(t, cnd);
        return 0;
    }
    case OP_LOCAL_GET:
        local_get(t, c[1]);
        return 0;
    case OP_LGET2:
        local_get(t, c[1]);
        local_get(t, c[2]);
        return 0;
    case OP_LGET_ADDI:
        local_get(t, c[1]);
        vpush(t, E_CONST, const_idx(t, c[2]));
        op_bin(t, 0x6A);
        return 0;
    case OP_LOCAL_SET:
    case OP_LOCAL_TEE:
        if (c[1] >= t->nl)
            break;
        local_set(t, c[1], op == OP_LOCAL_TEE);
        return 0;
    case OP_GLOBAL_GET:
        d = vres(t);
        put(t, F_GGET);
        putop(t, d);
        mark_dst(t, t->len - 1u);
        put(t, c[1]);
        return 0;
    case OP_GLOBAL_SET:
        a = vpop(t);
        put(t, F_GSET);
        put(t, c[1]);
        putop(t, a);
        return 0;
    case OP_TABLE_GET:
        a = vpop(t);
        d = vres(t);
        put(t, F_TGET);
        putop(t, d);
        put(t, c[1]);
        putop(t, a);
        return 0;
    case OP_TABLE_SET:
        b = vpop(t);
        a = vpop(t);
        put(t, F_TSET);
        put(t, c[1]);
        putop(t, a);
        putop(t, b);
        return 0;
    case 0x3F:
        d = vres(t);
        put(t, F_MSIZE);
        putop(t, d);
        return 0;
    case 0x40:
        a = vpop(t);
        d = vres(t);
        put(t, F_MGROW);
        putop(t, d);
        putop(t, a);
        return 0;
    case OP_I32_CONST:
    case OP_F32_CONST:
        vpush(t, E_CONST, const_idx(t, c[1]));
        return 0;
    case OP_I64_CONST:
    case OP_F64_CONST:
        vpush(t, E_CONST, const_idx(t, (wb_slot)c[1] | ((wb_slot)c[2] << 32)));
        return 0;
    case OP_REF_NULL:
        vpush(t, E_CONST, const_idx(t, 0));
        return 0;
    case OP_REF_FUNC:
        d = vres(t);
        put(t, F_REFFUNC);
        putop(t, d);
        put(t, c[1]);
        return 0;
    case OP_LG_LD32:
    case OP_LG_LD64:
    case OP_LG_LD8U:
        local_get(t, c[1]);
        op_load(t, op == OP_LG_LD32 ? 0x28u : op == OP_LG_LD64 ? 0x29u : 0x2Du, c[2]);
        return 0;
    case OP_LGA_LD32:
    case OP_LGA_LD64:
    case OP_LGA_LD8U:
        local_get(t, c[1]);
        vpush(t, E_CONST, const_idx(t, c[2]));
        op_bin(t, 0x6A);
        op_load(t, op == OP_LGA_LD32 ? 0x28u : op == OP_LGA_LD64 ? 0x29u : 0x2Du, c[3]);
        return 0;
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE4: case 0xE5: case 0xE6:
    case 0xE7:
        op_un(t, op);
        return 0;
    case 0xEA:
    case 0xEB: {
        uint32_t n = vpop(t);
        b = vpop(t);
        a = vpop(t);
        put(t, op == 0xEA ? F_MCOPY : F_MFILL);
        putop(t, a);
        putop(t, b);
        putop(t, n);
        return 0;
    }
    default:
        break;
    }
    t->bad = 1;
    return 1;
}

/* Give the constants that are still operands their slots (the others became
 * immediates) and untag every operand. */
static void finish_operands(ftr *t)
{
    uint32_t *remap, i, used = 0;
    wb_slot *vals;
    if (t->bad)
        return;
    remap = (uint32_t *)wb_alloc(t->env, (size_t)t->nconst * 4u + 4u);
    vals = (wb_slot *)wb_alloc(t->env, (size_t)t->nconst * sizeof(wb_slot) + 8u);
    if (!remap || !vals) {
        wb_free(t->env, remap);
        wb_free(t->env, vals);
        t->bad = 2;
        return;
    }
    for (i = 0; i < t->nconst; i++)
        remap[i] = WB_NONE;
    for (i = 0; i < t->nops; i++) {
        uint32_t v = t->code[t->ops[i]];
        if (!(v & TAG_STACK) && (v & TAG_CONST) && remap[v & ~TAG_CONST] == WB_NONE) {
            vals[used] = t->consts[v & ~TAG_CONST];
            remap[v & ~TAG_CONST] = used++;
        }
    }
    t->base = t->nl + used;
    for (i = 0; i < t->nops; i++) {
        uint32_t *w = &t->code[t->ops[i]];
        if (*w & TAG_STACK)
            *w = SLOTB(t->base + (*w & ~TAG_STACK));
        else if (*w & TAG_CONST)
            *w = SLOTB(t->nl + remap[*w & ~TAG_CONST]);
    }
    if (used) /* t->consts may be NULL: no constant at all */
        memcpy(t->consts, vals, (size_t)used * sizeof(wb_slot));
    t->nconst = used;
    wb_free(t->env, remap);
    wb_free(t->env, vals);
}

/* translate function i; 0: done, 1: keeps the classic code, 2: no memory */
static int translate(ftr *t, uint32_t i, wb_fastfn *fn)
{
    wb_module *m = t->m;
    const wb_funcdef *fd = &m->funcs[i];
    uint32_t end = i + 1u < m->nfuncs - m->nfunc_imports ? m->funcs[i + 1u].code
                                                         : m->code_len;
    uint32_t p, k, n, live = 1, c0, c0end;
    t->cc = m->code + fd->code;
    t->clen = end - fd->code;
    t->nl = fd->nlocals;
    t->len = t->h = t->nconst = t->nfx = t->maxh = 0;
    t->bad = 0;
    t->last_dst = t->cand_dst = t->prev_dst = WB_NONE;
    t->hn = 0;
    t->last_st = WB_NONE;
    t->barrier = 0;
    t->th = (uint32_t *)wb_alloc(t->env, (size_t)t->clen * 8u + 8u);
    t->is_target = (uint8_t *)wb_alloc(t->env, (size_t)t->clen + 1u);
    t->lstate = (uint8_t *)wb_alloc(t->env, (size_t)t->nl + 1u);
    if (!t->th || !t->is_target || !t->lstate) {
        wb_free(t->env, t->th);
        wb_free(t->env, t->is_target);
        wb_free(t->env, t->lstate);
        return 2;
    }
    memset(t->lstate, 0, (size_t)t->nl + 1u);
    t->fwd = 0;
    t->map = t->th + t->clen;
    for (k = 0; k < 2u * t->clen; k++)
        t->th[k] = WB_NONE;
    prepass(t);
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    /* try regions are found by classic code offsets on a throw: classic */
    for (k = 0; k < m->neh && !t->bad; k++)
        if (m->eh[k].start < end && m->eh[k].end > fd->code)
            t->bad = 1;
#endif
    t->nops = 0;
    for (p = 0; p < t->clen && !t->bad; p += n) {
        n = ilen(t->cc, p, t->clen);
        if (t->is_target[p]) {
            if (live) {
                flush_all(t);
                if (t->th[p] != WB_NONE && t->th[p] != t->h)
                    t->bad = 1;
                t->th[p] = t->h;
            } else if (t->th[p] != WB_NONE) {
                live = 1;
                t->h = t->th[p];
                if (!fgrow(t, (void **)&t->vs, &t->vcap, t->h + 1u, sizeof(fent)))
                    break;
                for (k = 0; k < t->h; k++)
                    t->vs[k].k = E_SLOT;
            }
            t->last_dst = t->cand_dst = t->prev_dst = WB_NONE; /* no fusion across a label */
            t->hn = 0;
            t->barrier = t->len;
        }
        if (!live)
            continue;
        t->map[p] = t->len;
        t->cur = p;
        if (t->cand_end != t->len)
            t->cand_dst = WB_NONE; /* something was emitted after it */
        t->last_dst = WB_NONE;
        c0 = t->cand_dst;
        c0end = t->cand_end;
        t->low = t->len;
        if (one(t, p))
            live = 0;
        if (t->last_dst != WB_NONE) {
            /* the candidate before, if this instruction left it in place */
            t->prev_dst = c0 != WB_NONE && c0end <= t->low ? c0 : WB_NONE;
            t->prev_end = c0end;
            if (t->hn == 4u) {
                for (k = 0; k < 3u; k++) {
                    t->hdst[k] = t->hdst[k + 1u];
                    t->hend[k] = t->hend[k + 1u];
                }
                t->hn = 3u;
            }
            t->hdst[t->hn] = t->last_dst;
            t->hend[t->hn++] = t->len;
            t->cand_dst = t->last_dst;
            t->cand_pos = t->last_pos;
            t->cand_end = t->len;
        }
    }
    finish_operands(t);
    for (k = 0; k < t->nfx && !t->bad; k++) {
        uint32_t to = t->map[t->fx[k].target];
        if (to == WB_NONE)
            t->bad = 1;
        else
            t->code[t->fx[k].word] = to - t->fx[k].op;
    }
    wb_free(t->env, t->th);
    wb_free(t->env, t->is_target);
    t->th = t->map = NULL;
    t->is_target = NULL;
    {   /* locals the entry zeroes: up to the last one not written first */
        const wb_functype *ft = &m->types[fd->type];
        uint32_t np = wb_slots_of(ft->nparams, ft->types);
        fn->nzero = 0;
        for (k = t->nl; k > np; k--)
            if (t->lstate[k - 1u] != 1) {
                fn->nzero = k - np;
                break;
            }
    }
    wb_free(t->env, t->lstate);
    t->lstate = NULL;
    if (t->bad)
        return t->bad == 2 ? 2 : 1;
    fn->nlocals = t->nl;
    fn->nconst = t->nconst;
    fn->nparams = 0; /* set by the caller */
    fn->frame = t->base + (t->maxh > fd->max_stack ? t->maxh : fd->max_stack) + 2u;
    return 0;
}

#ifdef F_REL
/* words of the fast instruction at c (wb_fast.h) */
static uint32_t flen(const uint32_t *c)
{
    uint32_t op = c[0];
    if (op >= 0x45 && op <= 0xC4)
        return is_unary(op) ? 3u : 4u;
    if (op >= 0x28 && op <= 0x3E)
        return 4;
    if (op >= F_BRCMP && op <= F_BRCMP64 + 9u)
        return op == F_MCOPY || op == F_MFILL ? 4u : 4u;
    if (op >= F_BINI && op <= F_CMPI + 9u)
        return 4;
    if (op >= F_LDX && op <= F_LDXI + 3u)
        return 5;
    if (op >= F_TRUNC_SAT && op <= F_TRUNC_SAT + 7u)
        return 3;
    if (op >= F_BRCMPI && op <= F_BRCMPI + 9u)
        return 4;
    if (op >= F_STX && op <= F_STXI + 3u)
        return 5;
    if ((op >= F_BINM && op <= F_BINM + 5u) || (op >= F_BINM2 && op <= F_BINM2 + 4u))
        return 6;
    if ((op >= F_INCBRI && op <= F_ADDBRI + 9u) || (op >= F_BINSH && op <= F_BINSH + 5u) ||
        (op >= F_BIN2 && op <= F_BIN2 + 3u))
        return 5;
    if (op == F_MUL2L)
        return 8;
    if (op == F_MUL2LA)
        return 7;
    if (op == F_MUL4LA)
        return 11;
    if (op == F_DMS)
        return 6;
    if (op == F_LMSST)
        return 8;
    if (op == F_MAMST || op == F_MAMSTA || op == F_MALST || op == F_STBR)
        return 9;
    if (op == F_BINMST || op == F_BINMST + 1u)
        return 7;
    if ((op >= F_LDBR && op <= F_LDBR + 3u) || (op >= F_DST && op <= F_DST + 2u))
        return 5;
    if (op == F_TLD8 || op == F_TLD8X)
        return op == F_TLD8 ? 10u : 12u;
    switch (op) {
    case F_UNREACH: case F_RET0: return 1;
    case F_BR: case F_RET1: case F_MSIZE: return 2;
    case F_BRIF: case F_BRUNLESS: case F_RETN: case F_CALL: case F_MOV: case F_GGET:
    case F_GSET: case F_REFFUNC: case F_MGROW: return 3;
    case F_BRTABLE: return 4u + c[2];
    case F_TGET: case F_TSET: case F_MOVI: return 4;
    case F_CALLI: case F_SELECT: case F_MOV2: return 5;
    case F_LDXS: case F_LDXS + 1u: return 6;
    default: return 1;
    }
}
#endif

wb_status wb_fast_translate(wb_env *env, wb_module *m)
{
    uint32_t nd = m->nfuncs - m->nfunc_imports, i;
    wb_fastmod *fm;
    ftr t;
    uint32_t *starts, *cstarts;
    int r = 0;
    if (m->fast)
        return WB_OK;
    fm = (wb_fastmod *)wb_alloc(env, sizeof *fm);
    starts = (uint32_t *)wb_alloc(env, (size_t)nd * 8u + 8u);
    if (!fm || !starts) {
        wb_free(env, fm);
        wb_free(env, starts);
        return wb_fail(env, WB_ERR_NOMEM, "out of memory");
    }
    cstarts = starts + nd + 1u;
    fm->fns = (wb_fastfn *)wb_alloc(env, (size_t)nd * sizeof(wb_fastfn) + 1u);
    memset(&t, 0, sizeof t);
    t.env = env;
    t.m = m;
    if (!fm->fns)
        r = 2;
    for (i = 0; i < nd && r != 2; i++) {
        uint32_t *keep = fm->code, keep_len = fm->code_len;
        wb_slot *kc = fm->consts;
        uint32_t kn = fm->nconsts;
        /* translate into private buffers, then append to the module's */
        t.code = NULL;
        t.cap = 0;
        t.consts = NULL;
        t.ccap = 0;
        r = translate(&t, i, &fm->fns[i]);
        if (r == 0) {
            /* append code and constants to the module's buffers */
            uint32_t *nc = (uint32_t *)wb_realloc(env, keep,
                                                  ((size_t)keep_len + t.len + 1u) * 4u);
            wb_slot *nk = nc ? (wb_slot *)wb_realloc(env, kc, ((size_t)kn + t.nconst + 1u) *
                                                              sizeof(wb_slot))
                             : NULL;
            if (nc)
                keep = nc;
            if (nk)
                kc = nk;
            if (!nc || !nk) {
                r = 2;
            } else {
                memcpy(keep + keep_len, t.code, (size_t)t.len * 4u);
                if (t.nconst)
                    memcpy(kc + kn, t.consts, (size_t)t.nconst * sizeof(wb_slot));
                starts[i] = keep_len;
                cstarts[i] = kn;
                fm->code_len = keep_len + t.len;
                fm->nconsts = kn + t.nconst;
                fm->translated++;
            }
        } else if (r == 1) {
            starts[i] = WB_NONE;
            fm->fallback++;
            r = 0;
        }
        wb_free(env, t.code);
        wb_free(env, t.consts);
        t.code = NULL;
        t.consts = NULL;
        fm->code = keep;
        fm->consts = kc;
    }
    wb_free(env, t.vs);
    wb_free(env, t.fx);
    wb_free(env, t.ops);
    if (r == 2) {
        wb_free(env, starts);
        m->fast = fm;
        wb_fast_module_free(m);
        return wb_fail(env, WB_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < nd; i++) {
        wb_fastfn *fn = &fm->fns[i];
        const wb_functype *ft = &m->types[m->funcs[i].type];
        if (starts[i] == WB_NONE) {
            fn->code = NULL;
            continue;
        }
        fn->code = fm->code + starts[i];
        fn->consts = fm->consts + cstarts[i];
        fn->nparams = wb_slots_of(ft->nparams, ft->types);
    }
#ifdef F_REL
    /* opcodes -> handler offsets (threaded code) */
    if (wb_fast_call(NULL, NULL, NULL)) { /* F_ABS: a handler above 4 GiB */
        wb_free(env, starts);
        m->fast = fm;
        wb_fast_module_free(m);
        return wb_fail(env, WB_ERR_UNSUPPORTED, "fast-interp: code above 4 GiB");
    }
    for (i = 0; i < nd; i++) {
        uint32_t p, end = fm->code_len, j;
        if (starts[i] == WB_NONE)
            continue;
        for (j = i + 1u; j < nd; j++)
            if (starts[j] != WB_NONE) {
                end = starts[j];
                break;
            }
        for (p = starts[i]; p < end;) {
            uint32_t op = fm->code[p], n = flen(fm->code + p);
            fm->code[p] = (uint32_t)wb_fast_rel[op];
            p += n;
        }
    }
#endif
    wb_free(env, starts);
    m->fast = fm;
    return WB_OK;
}

void wb_fast_module_free(wb_module *m)
{
    wb_fastmod *fm = (wb_fastmod *)m->fast;
    if (!fm)
        return;
    wb_free(m->env, fm->fns);
    wb_free(m->env, fm->code);
    wb_free(m->env, fm->consts);
    wb_free(m->env, fm);
    m->fast = NULL;
}
#else
typedef int wb_fastc_unused; /* ISO C: no empty translation unit */
#endif /* WB_FEATURE_FAST_INTERP */
