/*
 * 128-bit SIMD (feature simd): every instruction of the fixed-width SIMD
 * proposal, run as extension ops (wb_ext.h, layout in wb_simd.h).
 *
 * Portable C on purpose: a v128 is two 64-bit slots holding its bytes as
 * little-endian numbers, lanes are taken apart and put together with
 * shifts (never by pointer casts), so the result is the same on big- and
 * little-endian CPUs and no compiler vector extension is needed. Memory is
 * read and written byte by byte (lanes are little-endian in memory).
 */
#include "wb_simd.h"

#if WB_FEATURE_SIMD
uint32_t wb_slots_of(uint32_t n, const uint8_t *types)
{
    uint32_t k = n;
    while (n--)
        k += types[n] == WB_V128;
    return k;
}

#if WB_FEATURE_INTERP
#define OOB "out of bounds memory access"

/* ---- lanes ------------------------------------------------------------------ */
/* lane i of size sz bytes, zero-extended */
static void unpack(const wb_slot *v, unsigned sz, uint64_t *o)
{
    unsigned i, n = 16u / sz, bits = 8u * sz;
    uint64_t m = ~(uint64_t)0 >> (64u - bits);
    for (i = 0; i < n; i++) {
        unsigned bit = i * bits;
        o[i] = (v[bit >> 6] >> (bit & 63u)) & m;
    }
}

static void pack(wb_slot *v, unsigned sz, const uint64_t *in)
{
    unsigned i, n = 16u / sz, bits = 8u * sz;
    uint64_t m = ~(uint64_t)0 >> (64u - bits), w[2] = {0, 0};
    for (i = 0; i < n; i++) {
        unsigned bit = i * bits;
        w[bit >> 6] |= (in[i] & m) << (bit & 63u);
    }
    v[0] = w[0];
    v[1] = w[1];
}

static int64_t sx(uint64_t v, unsigned sz)
{
    unsigned sh = 64u - 8u * sz;
    return (int64_t)(v << sh) >> sh;
}

static uint64_t clamp_s(int64_t v, unsigned sz)
{
    int64_t hi = (int64_t)(~(uint64_t)0 >> (65u - 8u * sz)), lo = -hi - 1;
    return (uint64_t)(v < lo ? lo : v > hi ? hi : v);
}

static uint64_t clamp_u(int64_t v, unsigned sz)
{
    int64_t hi = (int64_t)(~(uint64_t)0 >> (64u - 8u * sz));
    return (uint64_t)(v < 0 ? 0 : v > hi ? hi : v);
}

/* ---- memory: the one place that knows where memory is ----------------------- */
/* The access of n bytes at address value addr, its memarg immediates at *ipp:
 * offset, then with multi-memory / memory64 the memory index and the offset's
 * high word. NULL when out of bounds. */
static uint8_t *simd_ea(wb_extctx *x, const uint32_t **ipp, wb_slot addr, uint32_t n)
{
    const uint32_t *ip = *ipp;
    uint64_t off = ip[0], size;
    wb_memory *m;
#if WB_FEATURE_MEMORY64 || WB_FEATURE_MULTI_MEMORY
    m = x->inst->mems[ip[1]];
    off |= (uint64_t)ip[2] << 32;
    *ipp = ip + 3;
#else
    m = x->inst->mems[0];
    *ipp = ip + 1;
#endif
#if WB_FEATURE_MEMORY64
    if (!m->idx64)
#endif
        addr = (uint32_t)addr;
    size = (uint64_t)m->pages * WB_PAGE;
    if (addr > size || off > size - addr || n > size - addr - off)
        return NULL;
    return m->data + (size_t)(addr + off);
}

static uint64_t ldn(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    while (n--)
        v = (v << 8) | p[n];
    return v;
}

static void stn(uint8_t *p, uint64_t v, unsigned n)
{
    unsigned i;
    for (i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* ---- integer lane operations ---------------------------------------------- */
/* k: the 0xFD sub-opcode's low 5 bits in the 0x60..0xDF rows */
static uint64_t ibin(unsigned k, uint64_t a, uint64_t b, unsigned sz)
{
    int64_t sa = sx(a, sz), sb = sx(b, sz);
    switch (k) {
    case 0x0E: return a + b;
    case 0x0F: return clamp_s(sa + sb, sz);
    case 0x10: return clamp_u((int64_t)(a + b), sz);
    case 0x11: return a - b;
    case 0x12: return clamp_s(sa - sb, sz);
    case 0x13: return a > b ? a - b : 0;
    case 0x15: return a * b;
    case 0x16: return sa < sb ? a : b;
    case 0x17: return a < b ? a : b;
    case 0x18: return sa > sb ? a : b;
    case 0x19: return a > b ? a : b;
    case 0x1B: return (a + b + 1u) >> 1;
    default: /* 0x02: i16x8.q15mulr_sat_s */
        return clamp_s((sa * sb + 0x4000) >> 15, sz);
    }
}

/* k: 0 eq 1 ne 2 lt_s 3 lt_u 4 gt_s 5 gt_u 6 le_s 7 le_u 8 ge_s 9 ge_u */
static int icmp(unsigned k, uint64_t a, uint64_t b, unsigned sz)
{
    int64_t sa = sx(a, sz), sb = sx(b, sz);
    switch (k) {
    case 0: return a == b;
    case 1: return a != b;
    case 2: return sa < sb;
    case 3: return a < b;
    case 4: return sa > sb;
    case 5: return a > b;
    case 6: return sa <= sb;
    case 7: return a <= b;
    case 8: return sa >= sb;
    default: return a >= b;
    }
}

/* k: 0 eq 1 ne 2 lt 3 gt 4 le 5 ge */
static int fcmp(unsigned k, double a, double b)
{
    switch (k) {
    case 0: return a == b;
    case 1: return a != b;
    case 2: return a < b;
    case 3: return a > b;
    case 4: return a <= b;
    default: return a >= b;
    }
}

/* f32x4 / f64x2 arithmetic, k: 0 add 1 sub 2 mul 3 div 4 min 5 max 6 pmin 7 pmax */
static uint64_t fbin32(unsigned k, uint64_t ab, uint64_t bb)
{
    float a = wb_f32((uint32_t)ab), b = wb_f32((uint32_t)bb);
    switch (k) {
    case 0: return wb_b32(a + b);
    case 1: return wb_b32(a - b);
    case 2: return wb_b32(a * b);
    case 3: return wb_b32(a / b);
    case 4: return wb_f32_minmax((uint32_t)ab, (uint32_t)bb, 0);
    case 5: return wb_f32_minmax((uint32_t)ab, (uint32_t)bb, 1);
    case 6: return b < a ? bb : ab;
    default: return a < b ? bb : ab;
    }
}

static uint64_t fbin64(unsigned k, uint64_t ab, uint64_t bb)
{
    double a = wb_f64(ab), b = wb_f64(bb);
    switch (k) {
    case 0: return wb_b64(a + b);
    case 1: return wb_b64(a - b);
    case 2: return wb_b64(a * b);
    case 3: return wb_b64(a / b);
    case 4: return wb_f64_minmax(ab, bb, 0);
    case 5: return wb_f64_minmax(ab, bb, 1);
    case 6: return b < a ? bb : ab;
    default: return a < b ? bb : ab;
    }
}

/* ceil floor trunc nearest -> wb_fXX_round modes */
static const uint8_t round_mode[4] = {2, 1, 3, 0};

/* The 0x60..0xDF rows: integer ops by shape (i8 i16 i32 i64) and column. */
static void irow(uint32_t sub, const wb_slot *va, const wb_slot *vb, wb_slot *out)
{
    uint64_t a[16], b[16], r[16];
    unsigned shape = (sub - 0x60u) >> 5, k = sub & 0x1Fu, sz = 1u << shape;
    unsigned n = 16u / sz, i, h = sz / 2u;
    unpack(va, sz, a);
    if (vb)
        unpack(vb, sz, b);
    for (i = 0; i < n; i++) {
        switch (k) {
        case 0x00: r[i] = sx(a[i], sz) < 0 ? 0u - a[i] : a[i]; break;
        case 0x01: r[i] = 0u - a[i]; break;
        case 0x02: /* i8x16.popcnt; i16x8.q15mulr_sat_s */
            if (shape == 0) {
                uint64_t c = 0, v = a[i];
                for (; v; v &= v - 1u)
                    c++;
                r[i] = c;
            } else {
                r[i] = ibin(k, a[i], b[i], sz);
            }
            break;
        case 0x05: /* narrow from lanes of 2 sz: signed, unsigned saturation */
        case 0x06: {
            uint64_t wa[8], wb[8];
            int64_t v;
            unpack(va, 2u * sz, wa);
            unpack(vb, 2u * sz, wb);
            v = sx(i < n / 2u ? wa[i] : wb[i - n / 2u], 2u * sz);
            r[i] = k == 5 ? clamp_s(v, sz) : clamp_u(v, sz);
            break;
        }
        case 0x07: case 0x08: case 0x09: case 0x0A: { /* extend low/high, s/u */
            uint64_t w[16], v;
            unpack(va, h, w);
            v = w[i + ((k == 0x08 || k == 0x0A) ? n : 0u)];
            r[i] = k <= 0x08 ? (uint64_t)sx(v, h) : v;
            break;
        }
        case 0x1A: { /* i32x4.dot_i16x8_s */
            uint64_t wa[8], wb[8];
            unpack(va, 2, wa);
            unpack(vb, 2, wb);
            r[i] = (uint64_t)(sx(wa[2 * i], 2) * sx(wb[2 * i], 2) +
                              sx(wa[2 * i + 1], 2) * sx(wb[2 * i + 1], 2));
            break;
        }
        case 0x1C: case 0x1D: case 0x1E: case 0x1F: { /* extmul low/high, s/u */
            uint64_t wa[16], wb[16], x, y;
            unsigned j = i + ((k & 1u) ? n : 0u);
            unpack(va, h, wa);
            unpack(vb, h, wb);
            x = wa[j];
            y = wb[j];
            if (k <= 0x1D) {
                x = (uint64_t)sx(x, h);
                y = (uint64_t)sx(y, h);
            }
            r[i] = x * y;
            break;
        }
        default:
            r[i] = ibin(k, a[i], b[i], sz);
        }
    }
    pack(out, sz, r);
}

static uint32_t v_test(uint32_t sub, const wb_slot *v)
{
    uint64_t a[16];
    unsigned sz, n, i;
    uint32_t res;
    if (sub == 0x53)
        return (v[0] | v[1]) != 0;
    sz = 1u << ((sub - 0x60u) >> 5);
    n = 16u / sz;
    unpack(v, sz, a);
    if ((sub & 0x1Fu) == 3) { /* all_true */
        for (i = 0; i < n; i++)
            if (!a[i])
                return 0;
        return 1;
    }
    for (res = 0, i = 0; i < n; i++) /* bitmask */
        res |= (uint32_t)(a[i] >> (8u * sz - 1u)) << i;
    return res;
}

/* lane size of extract_lane / replace_lane 0x15..0x22 */
static const uint8_t lane_sz[14] = {1, 1, 1, 2, 2, 2, 4, 4, 8, 8, 4, 4, 8, 8};

/* f32x4 / f64x2 unary: abs neg sqrt ceil floor trunc nearest; conversions */
static void funary(uint32_t sub, wb_slot *v)
{
    uint64_t a[4], r[4];
    unsigned i, f64 = 0, out_sz = 4;
    const char *err;
    if (sub == 0x5F || sub == 0x74 || sub == 0x75 || sub == 0x7A || sub == 0x94 ||
        (sub >= 0xEC && sub <= 0xEF) || sub == 0xFC || sub == 0xFD || sub == 0x5E)
        f64 = 1;
    unpack(v, 4, a);
    if (f64 && sub != 0x5F) {
        uint64_t d[2];
        unpack(v, 8, d);
        a[0] = d[0];
        a[1] = d[1];
    }
    for (i = 0; i < 4; i++) {
        uint64_t x = a[i];
        r[i] = 0;
        switch (sub) {
        case 0x5E: /* f32x4.demote_f64x2_zero */
            if (i < 2)
                r[i] = wb_b32((float)wb_f64(x));
            break;
        case 0x5F: /* f64x2.promote_low_f32x4 */
            if (i < 2)
                r[i] = wb_b64((double)wb_f32((uint32_t)x));
            out_sz = 8;
            break;
        case 0x67: case 0x68: case 0x69: case 0x6A:
            r[i] = wb_f32_round((uint32_t)x, round_mode[sub - 0x67u]);
            break;
        case 0x74: case 0x75: case 0x7A: case 0x94:
            if (i < 2)
                r[i] = wb_f64_round(x, round_mode[sub == 0x74 ? 0 : sub == 0x75 ? 1
                                                  : sub == 0x7A ? 2 : 3]);
            out_sz = 8;
            break;
        case 0xE0: r[i] = x & 0x7FFFFFFFu; break;
        case 0xE1: r[i] = x ^ 0x80000000u; break;
        case 0xE3: r[i] = wb_f32_sqrt((uint32_t)x); break;
        case 0xEC: r[i] = x & ~((uint64_t)1 << 63); out_sz = 8; break;
        case 0xED: r[i] = x ^ ((uint64_t)1 << 63); out_sz = 8; break;
        case 0xEF: r[i] = wb_f64_sqrt(x); out_sz = 8; break;
        case 0xF8: case 0xF9: /* i32x4.trunc_sat_f32x4_s/u */
            r[i] = (uint32_t)wb_trunc(x, 8u | ((sub & 1u) << 1), &err);
            break;
        case 0xFA: r[i] = wb_b32((float)(int32_t)(uint32_t)x); break;
        case 0xFB: r[i] = wb_b32((float)(uint32_t)x); break;
        case 0xFC: case 0xFD: /* i32x4.trunc_sat_f64x2_s/u_zero */
            if (i < 2)
                r[i] = (uint32_t)wb_trunc(x, 12u | ((sub & 1u) << 1), &err);
            break;
        case 0xFE: /* f64x2.convert_low_i32x4_s */
            if (i < 2)
                r[i] = wb_b64((double)(int32_t)(uint32_t)x);
            out_sz = 8;
            break;
        default: /* 0xFF: f64x2.convert_low_i32x4_u */
            if (i < 2)
                r[i] = wb_b64((double)(uint32_t)x);
            out_sz = 8;
            break;
        }
    }
    pack(v, out_sz, r);
}

/* ---- the extension op ------------------------------------------------------ */
wb_status wb_ext_simd(wb_extctx *x, uint32_t sub)
{
    wb_slot *sp = x->sp;
    const uint32_t *ip = x->ip;
    uint64_t a[16], b[16], r[16];
    unsigned i, sz;
    uint8_t *p;
    wb_global *g;

    switch (sub) {
    /* generic instructions on a v128 */
    case WB_SIMD_GLOBAL_GET:
        g = x->inst->globals[*ip++];
        sp[0] = g->val;
        sp[1] = g->hi;
        sp += 2;
        break;
    case WB_SIMD_GLOBAL_SET:
        g = x->inst->globals[*ip++];
        g->val = sp[-2];
        g->hi = sp[-1];
        sp -= 2;
        break;
    case WB_SIMD_SELECT:
        if (!(uint32_t)sp[-1]) {
            sp[-5] = sp[-3];
            sp[-4] = sp[-2];
        }
        sp -= 3;
        break;

    /* memory */
    case 0x00: /* v128.load */
        if (!(p = simd_ea(x, &ip, sp[-1], 16)))
            return wb_fail(x->env, WB_ERR_TRAP, OOB);
        sp[-1] = ldn(p, 8);
        sp[0] = ldn(p + 8, 8);
        sp++;
        break;
    case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: /* load and extend */
        if (!(p = simd_ea(x, &ip, sp[-1], 8)))
            return wb_fail(x->env, WB_ERR_TRAP, OOB);
        sz = 1u << ((sub - 1u) >> 1);
        for (i = 0; i < 8u / sz; i++) {
            r[i] = ldn(p + i * sz, sz);
            if (sub & 1u)
                r[i] = (uint64_t)sx(r[i], sz);
        }
        sp--;
        pack(sp, 2u * sz, r);
        sp += 2;
        break;
    case 0x07: case 0x08: case 0x09: case 0x0A: /* load and splat */
    case 0x5C: case 0x5D:                       /* load and zero-extend */
        sz = sub >= 0x5C ? 4u << (sub - 0x5Cu) : 1u << (sub - 0x07u);
        if (!(p = simd_ea(x, &ip, sp[-1], sz)))
            return wb_fail(x->env, WB_ERR_TRAP, OOB);
        r[0] = ldn(p, sz);
        for (i = 1; i < 16u / sz; i++)
            r[i] = sub >= 0x5C ? 0u : r[0];
        sp--;
        pack(sp, sz, r);
        sp += 2;
        break;
    case 0x0B: /* v128.store */
        if (!(p = simd_ea(x, &ip, sp[-3], 16)))
            return wb_fail(x->env, WB_ERR_TRAP, OOB);
        stn(p, sp[-2], 8);
        stn(p + 8, sp[-1], 8);
        sp -= 3;
        break;
    case 0x54: case 0x55: case 0x56: case 0x57: /* load lane */
    case 0x58: case 0x59: case 0x5A: case 0x5B: /* store lane */
        sz = 1u << ((sub - 0x54u) & 3u);
        if (!(p = simd_ea(x, &ip, sp[-3], sz)))
            return wb_fail(x->env, WB_ERR_TRAP, OOB);
        unpack(sp - 2, sz, a);
        if (sub >= 0x58) {
            stn(p, a[*ip++], sz);
            sp -= 3;
        } else {
            a[*ip++] = ldn(p, sz);
            pack(sp - 3, sz, a);
            sp--;
        }
        break;

    /* constants, shuffles, splats and lanes */
    case 0x0C: /* v128.const */
        sp[0] = ip[0] | (uint64_t)ip[1] << 32;
        sp[1] = ip[2] | (uint64_t)ip[3] << 32;
        ip += 4;
        sp += 2;
        break;
    case 0x0D: /* i8x16.shuffle */
        unpack(sp - 4, 1, a);
        unpack(sp - 2, 1, b);
        for (i = 0; i < 16; i++) {
            unsigned k = (ip[i / 4u] >> (8u * (i & 3u))) & 0xFFu;
            r[i] = k < 16u ? a[k] : b[k - 16u];
        }
        ip += 4;
        sp -= 2;
        pack(sp - 2, 1, r);
        break;
    case 0x0E: /* i8x16.swizzle */
        unpack(sp - 4, 1, a);
        unpack(sp - 2, 1, b);
        for (i = 0; i < 16; i++)
            r[i] = b[i] < 16u ? a[b[i]] : 0u;
        sp -= 2;
        pack(sp - 2, 1, r);
        break;
    case 0x0F: case 0x10: case 0x11: case 0x12: case 0x13: case 0x14: /* splat */
        sz = sub <= 0x12 ? 1u << (sub - 0x0Fu) : 4u << (sub - 0x13u);
        for (i = 0; i < 16u / sz; i++)
            r[i] = sp[-1];
        pack(sp - 1, sz, r);
        sp++;
        break;
    case 0x15: case 0x16: case 0x18: case 0x19: case 0x1B: case 0x1D: case 0x1F: case 0x21:
        sz = lane_sz[sub - 0x15u];
        unpack(sp - 2, sz, a);
        r[0] = a[*ip++];
        if (sub == 0x15 || sub == 0x18)
            r[0] = (uint32_t)sx(r[0], sz);
        sp[-2] = r[0];
        sp--;
        break;
    case 0x17: case 0x1A: case 0x1C: case 0x1E: case 0x20: case 0x22:
        sz = lane_sz[sub - 0x15u];
        unpack(sp - 3, sz, a);
        a[*ip++] = sp[-1];
        pack(sp - 3, sz, a);
        sp--;
        break;

    /* comparisons */
    case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: /* f32x4 */
    case 0x47: case 0x48: case 0x49: case 0x4A: case 0x4B: case 0x4C: /* f64x2 */
        sz = sub >= 0x47 ? 8u : 4u;
        unpack(sp - 4, sz, a);
        unpack(sp - 2, sz, b);
        for (i = 0; i < 16u / sz; i++)
            r[i] = sz == 4u ? (fcmp(sub - 0x41u, wb_f32((uint32_t)a[i]), wb_f32((uint32_t)b[i]))
                                   ? ~(uint64_t)0 : 0u)
                            : (fcmp(sub - 0x47u, wb_f64(a[i]), wb_f64(b[i])) ? ~(uint64_t)0 : 0u);
        sp -= 2;
        pack(sp - 2, sz, r);
        break;
    case 0xD6: case 0xD7: case 0xD8: case 0xD9: case 0xDA: case 0xDB: { /* i64x2 */
        static const uint8_t k64[6] = {0, 1, 2, 4, 6, 8}; /* eq ne lt_s gt_s le_s ge_s */
        unpack(sp - 4, 8, a);
        unpack(sp - 2, 8, b);
        for (i = 0; i < 2; i++)
            r[i] = icmp(k64[sub - 0xD6u], a[i], b[i], 8) ? ~(uint64_t)0 : 0u;
        sp -= 2;
        pack(sp - 2, 8, r);
        break;
    }

    /* bitwise */
    case 0x4D: sp[-2] = ~sp[-2]; sp[-1] = ~sp[-1]; break;
    case 0x4E: sp[-4] &= sp[-2]; sp[-3] &= sp[-1]; sp -= 2; break;
    case 0x4F: sp[-4] &= ~sp[-2]; sp[-3] &= ~sp[-1]; sp -= 2; break;
    case 0x50: sp[-4] |= sp[-2]; sp[-3] |= sp[-1]; sp -= 2; break;
    case 0x51: sp[-4] ^= sp[-2]; sp[-3] ^= sp[-1]; sp -= 2; break;
    case 0x52: /* v128.bitselect v1 v2 c */
        sp[-6] = (sp[-6] & sp[-2]) | (sp[-4] & ~sp[-2]);
        sp[-5] = (sp[-5] & sp[-1]) | (sp[-3] & ~sp[-1]);
        sp -= 4;
        break;
    case 0x53: case 0x63: case 0x64: case 0x83: case 0x84:
    case 0xA3: case 0xA4: case 0xC3: case 0xC4: /* any_true, all_true, bitmask */
        sp[-2] = v_test(sub, sp - 2);
        sp--;
        break;

    /* shifts */
    case 0x6B: case 0x6C: case 0x6D: case 0x8B: case 0x8C: case 0x8D:
    case 0xAB: case 0xAC: case 0xAD: case 0xCB: case 0xCC: case 0xCD: {
        unsigned k = sub & 0x1Fu, c;
        sz = 1u << ((sub - 0x60u) >> 5);
        c = (uint32_t)sp[-1] & (8u * sz - 1u);
        unpack(sp - 3, sz, a);
        for (i = 0; i < 16u / sz; i++)
            r[i] = k == 0x0B ? a[i] << c : k == 0x0C ? (uint64_t)(sx(a[i], sz) >> c) : a[i] >> c;
        pack(sp - 3, sz, r);
        sp--;
        break;
    }

    /* float unary and conversions */
    case 0x5E: case 0x5F: case 0x67: case 0x68: case 0x69: case 0x6A:
    case 0x74: case 0x75: case 0x7A: case 0x94:
    case 0xE0: case 0xE1: case 0xE3: case 0xEC: case 0xED: case 0xEF:
    case 0xF8: case 0xF9: case 0xFA: case 0xFB: case 0xFC: case 0xFD: case 0xFE: case 0xFF:
        funary(sub, sp - 2);
        break;

    /* float binary */
    case 0xE4: case 0xE5: case 0xE6: case 0xE7: case 0xE8: case 0xE9: case 0xEA: case 0xEB:
    case 0xF0: case 0xF1: case 0xF2: case 0xF3: case 0xF4: case 0xF5: case 0xF6: case 0xF7:
        sz = sub >= 0xF0 ? 8u : 4u;
        unpack(sp - 4, sz, a);
        unpack(sp - 2, sz, b);
        for (i = 0; i < 16u / sz; i++)
            r[i] = sz == 4u ? fbin32(sub - 0xE4u, a[i], b[i]) : fbin64(sub - 0xF0u, a[i], b[i]);
        sp -= 2;
        pack(sp - 2, sz, r);
        break;

    /* extadd_pairwise */
    case 0x7C: case 0x7D: case 0x7E: case 0x7F:
        sz = sub <= 0x7D ? 1u : 2u;
        unpack(sp - 2, sz, a);
        for (i = 0; i < 8u / sz; i++)
            r[i] = (sub & 1u) ? a[2 * i] + a[2 * i + 1]
                              : (uint64_t)(sx(a[2 * i], sz) + sx(a[2 * i + 1], sz));
        pack(sp - 2, 2u * sz, r);
        break;

    default:
        if (sub >= 0x23 && sub <= 0x40) { /* i8x16, i16x8, i32x4 comparisons */
            unsigned k = (sub - 0x23u) % 10u;
            sz = 1u << ((sub - 0x23u) / 10u);
            unpack(sp - 4, sz, a);
            unpack(sp - 2, sz, b);
            for (i = 0; i < 16u / sz; i++)
                r[i] = icmp(k, a[i], b[i], sz) ? ~(uint64_t)0 : 0u;
            sp -= 2;
            pack(sp - 2, sz, r);
            break;
        }
        if (sub >= 0x60 && sub <= 0xDF) { /* the integer rows */
            unsigned k = sub & 0x1Fu;
            int unary = k <= 0x01 || (k == 0x02 && sub == 0x62) || (k >= 0x07 && k <= 0x0A);
            if (unary) {
                irow(sub, sp - 2, NULL, sp - 2);
            } else {
                irow(sub, sp - 4, sp - 2, sp - 4);
                sp -= 2;
            }
            break;
        }
        return wb_fail(x->env, WB_ERR_TRAP, "illegal opcode");
    }
    x->sp = sp;
    x->ip = ip;
    return WB_OK;
}
#endif /* WB_FEATURE_INTERP */
#else
typedef int wb_simd_unused; /* ISO C: no empty translation unit */
#endif /* WB_FEATURE_SIMD */
