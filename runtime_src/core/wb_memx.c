/*
 * memory64 and multi-memory (wb_memx.h): loads, stores and the memory.*
 * instructions on any memory of the instance, with 32- or 64-bit addresses.
 * Every bound is checked in 64-bit arithmetic on every board, 32-bit ones
 * included: an address at or above the memory's size traps, it is never
 * truncated. Values are assembled byte by byte (little-endian whatever the
 * CPU). The cost of the extension op is paid only by these modules.
 */
#include "wb_ext.h"
#include "wb_memx.h"

#if WB_FEATURE_INTERP && (WB_FEATURE_MEMORY64 || WB_FEATURE_MULTI_MEMORY)

#define OOB "out of bounds memory access"

static uint64_t mem_bytes(const wb_memory *m) { return (uint64_t)m->pages * WB_PAGE; }

/* an address operand of memory m: i64 for a memory64 memory, else u32 */
static uint64_t mem_addr(const wb_memory *m, wb_slot v)
{
    return m->idx64 ? (uint64_t)v : (uint64_t)(uint32_t)v;
}

/* [a, a + n) lies inside `size` bytes (no wrap-around) */
static int fits(uint64_t a, uint64_t n, uint64_t size)
{
    return a <= size && n <= size - a;
}

/* access sizes of 0x28..0x3E */
static const uint8_t acc_size[23] = {4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4,
                                     4, 8, 4, 8, 1, 2, 1, 2, 4};

wb_status wb_memory_init_segx(wb_instance *inst, uint32_t mem, uint32_t seg, uint64_t d,
                              uint32_t s, uint32_t n)
{
    const wb_data *ds = &inst->module->datas[seg];
    wb_memory *m = inst->mems[mem];
    uint32_t len = inst->data_dropped[seg] ? 0 : ds->len;
    if ((uint64_t)s + n > len || !fits(d, n, mem_bytes(m)))
        return wb_fail(inst->env, WB_ERR_TRAP, OOB);
    memcpy(m->data + (size_t)d, ds->bytes + s, n);
    return WB_OK;
}

static wb_status load_store(wb_extctx *x, uint32_t o)
{
    const uint32_t *ip = x->ip;
    wb_memory *m = x->inst->mems[ip[0]];
    uint64_t off = (uint64_t)ip[1] | ((uint64_t)ip[2] << 32);
    unsigned n = acc_size[o], k;
    int store = o >= 0x0Eu;
    wb_slot *ap = x->sp - (store ? 2 : 1);
    uint64_t a = mem_addr(m, *ap), ea = a + off;
    uint8_t *p;
    x->ip = ip + 3;
    if (ea < a || !fits(ea, n, mem_bytes(m)))
        return wb_fail(x->env, WB_ERR_TRAP, OOB);
    p = m->data + (size_t)ea;
    if (store) {
        wb_slot v = x->sp[-1];
        for (k = 0; k < n; k++, v >>= 8)
            p[k] = (uint8_t)v;
        x->sp -= 2;
    } else {
        uint64_t v = 0;
        for (k = n; k--;)
            v = (v << 8) | p[k];
        if (o >= 4u && !(o & 1u)) { /* signed narrow loads */
            unsigned sh = 64u - 8u * n;
            v = (uint64_t)((int64_t)(v << sh) >> sh);
            if (o < 8u)
                v = (uint32_t)v;
        }
        *ap = v;
    }
    return WB_OK;
}

wb_status wb_ext_mem(wb_extctx *x, uint32_t sub)
{
    wb_env *env = x->env;
    wb_instance *inst = x->inst;
    const uint32_t *ip = x->ip;
    wb_slot *sp = x->sp;
    if (sub <= WB_MX_LOAD + 0x16u)
        return load_store(x, sub - WB_MX_LOAD);
    switch (sub) {
    case WB_MX_SIZE:
        *x->sp++ = inst->mems[ip[0]]->pages;
        x->ip = ip + 1;
        return WB_OK;
    case WB_MX_GROW: { /* delta -> old size or -1 */
        wb_memory *m = inst->mems[ip[0]];
        uint64_t delta = mem_addr(m, sp[-1]);
        int32_t old = delta > 0xFFFFFFFFu ? -1 : wb_memory_grow(env, m, (uint32_t)delta);
        sp[-1] = m->idx64 ? (uint64_t)(int64_t)old : (uint64_t)(uint32_t)old;
        x->ip = ip + 1;
        return WB_OK;
    }
    case WB_MX_INIT: { /* seg memidx: d s n */
        wb_status st = wb_memory_init_segx(inst, ip[1], ip[0],
                                           mem_addr(inst->mems[ip[1]], sp[-3]),
                                           (uint32_t)sp[-2], (uint32_t)sp[-1]);
        x->sp -= 3;
        x->ip = ip + 2;
        return st;
    }
    case WB_MX_COPY:   /* dst src: d s n */
    case WB_MX_FILL: { /* mem mem: d v n */
        wb_memory *md = inst->mems[ip[0]], *ms = inst->mems[ip[1]];
        uint64_t d = mem_addr(md, sp[-3]);
        uint64_t n = md->idx64 && ms->idx64 ? (uint64_t)sp[-1] : (uint64_t)(uint32_t)sp[-1];
        x->sp -= 3;
        x->ip = ip + 2;
        if (!fits(d, n, mem_bytes(md)))
            return wb_fail(env, WB_ERR_TRAP, OOB);
        if (sub == WB_MX_FILL) {
            memset(md->data + (size_t)d, (int)(uint8_t)sp[-2], (size_t)n);
        } else {
            uint64_t s = mem_addr(ms, sp[-2]);
            if (!fits(s, n, mem_bytes(ms)))
                return wb_fail(env, WB_ERR_TRAP, OOB);
            memmove(md->data + (size_t)d, ms->data + (size_t)s, (size_t)n);
        }
        return WB_OK;
    }
    case WB_MX_NARROW: {
        wb_slot *v = sp - 1 - ip[0];
        if (*v > 0xFFFFFFFFu)
            *v = 0xFFFFFFFFu;
        x->ip = ip + 1;
        return WB_OK;
    }
    default:
        return wb_fail(env, WB_ERR_TRAP, "illegal opcode");
    }
}
#else
typedef int wb_memx_unused; /* ISO C: no empty translation unit */
#endif
