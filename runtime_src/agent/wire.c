/*
 * Request payload reader and the typed value encoding:
 *   type u8 (wb_valtype) then
 *     i32, f32          : 4 bytes LE (floats as raw bits)
 *     i64, f64          : 8 bytes LE
 *     funcref, externref: u8 non-null flag, u32 LE value
 * The host's externref N is the opaque pointer N + 1 inside the runtime, so
 * that N = 0 is still distinct from the null reference. A funcref can only
 * travel from the agent to the host (its value is 0), or as null.
 */
#include <string.h>

#include "agent.h"

size_t agent_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static const uint8_t *take(rbuf *r, size_t n)
{
    const uint8_t *p;
    if (r->bad || n > r->len - r->pos) {
        r->bad = 1;
        return NULL;
    }
    p = r->p + r->pos;
    r->pos += n;
    return p;
}

void wb_rbuf_init(rbuf *r, const frame *f)
{
    r->p = f->payload;
    r->len = f->len;
    r->pos = 0;
    r->bad = 0;
    r->badname = 0;
}

uint8_t wb_get_u8(rbuf *r)
{
    const uint8_t *p = take(r, 1);
    return p ? p[0] : 0;
}

uint16_t wb_get_u16(rbuf *r)
{
    const uint8_t *p = take(r, 2);
    return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

uint32_t wb_get_u32(rbuf *r)
{
    const uint8_t *p = take(r, 4);
    if (!p)
        return 0;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

uint64_t wb_get_u64(rbuf *r)
{
    uint64_t lo = wb_get_u32(r);
    uint64_t hi = wb_get_u32(r);
    return lo | hi << 32;
}

size_t wb_get_name(rbuf *r, size_t n, char *dst, size_t cap, int allow_nul)
{
    const uint8_t *p = take(r, n);
    size_t i;
    dst[0] = 0;
    if (!p)
        return 0;
    if (n >= cap) {
        r->badname = 1;
        return 0;
    }
    for (i = 0; i < n && !allow_nul; i++)
        if (!p[i])
            r->badname = 1; /* a C-string API cannot carry a NUL */
    memcpy(dst, p, n);
    dst[n] = 0;
    return n;
}

int wb_get_value(rbuf *r, wb_value *v)
{
    uint8_t nonnull;
    uint32_t n;
    memset(v, 0, sizeof *v);
    v->type = wb_get_u8(r);
    switch (v->type) {
    case WB_I32:
    case WB_F32:
        v->of.i32 = wb_get_u32(r);
        break;
    case WB_I64:
    case WB_F64:
        v->of.i64 = wb_get_u64(r);
        break;
#if WB_FEATURE_SIMD
    case WB_V128: /* 16 bytes, lane 0 first */
        v->of.v128[0] = wb_get_u64(r);
        v->of.v128[1] = wb_get_u64(r);
        break;
#endif
    case WB_EXTERNREF:
    case WB_FUNCREF:
        nonnull = wb_get_u8(r);
        n = wb_get_u32(r);
        if (!nonnull)
            break;
        if (v->type == WB_FUNCREF || (uintptr_t)n + 1u == 0u)
            return -1;
        v->of.ref = (void *)((uintptr_t)n + 1u);
        break;
    default:
        return -1;
    }
    return r->bad ? -1 : 0;
}

void wb_put_value(wbuf *w, const wb_value *v)
{
    wb_put_u8(w, v->type);
    switch (v->type) {
    case WB_I32:
    case WB_F32:
        wb_put_u32(w, v->of.i32);
        break;
    case WB_I64:
    case WB_F64:
        wb_put_u64(w, v->of.i64);
        break;
#if WB_FEATURE_SIMD
    case WB_V128:
        wb_put_u64(w, v->of.v128[0]);
        wb_put_u64(w, v->of.v128[1]);
        break;
#endif
    case WB_EXTERNREF:
        wb_put_u8(w, v->of.ref != NULL);
        wb_put_u32(w, v->of.ref ? (uint32_t)((uintptr_t)v->of.ref - 1u) : 0u);
        break;
    default: /* funcref: opaque; only null-ness travels */
        wb_put_u8(w, v->of.ref != NULL);
        wb_put_u32(w, 0);
        break;
    }
}
