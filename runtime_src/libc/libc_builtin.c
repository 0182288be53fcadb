/*
 * libc-builtin natives (module "env"): output, strings, memory, exit.
 * Every guest pointer is checked against the caller's linear memory; a bad
 * one traps with "out of bounds memory access".
 */
#include <string.h>

#include "libc_internal.h"
#include "wb_defaults.h"
#include "wb_port.h"

#define OOB "out of bounds memory access"

/* ---- output sink ---------------------------------------------------------- */

static wb_libc_sink sink;

void wb_libc_builtin_set_output(wb_libc_sink s) { sink = s; }

void libc_write(const char *buf, size_t len)
{
    if (sink)
        sink(buf, len);
    else
        wb_port_write(buf, len);
}

/* ---- guest memory ------------------------------------------------------------ */

void guest_open(guest *g, wb_ctx *ctx)
{
    g->ctx = ctx;
    g->mem = wb_ctx_memory(ctx, &g->size);
    if (!g->mem)
        g->size = 0;
}

int guest_ok(const guest *g, uint32_t addr, uint32_t len)
{
    return addr <= g->size && len <= g->size - addr;
}

int64_t guest_strlen(const guest *g, uint32_t addr)
{
    uint32_t n;
    if (addr >= g->size)
        return -1;
    for (n = addr; n < g->size; n++)
        if (!g->mem[n])
            return (int64_t)(n - addr);
    return -1;
}

/* ---- formatted output ----------------------------------------------------------- */

void fmt_emit(fmt_out *o, char c)
{
    if (o->to_memory) {
        if (o->count + 1u < o->cap)
            o->g->mem[o->dst + o->count] = (uint8_t)c;
    } else {
        o->buf[o->buf_len++] = c;
        if (o->buf_len == sizeof o->buf) {
            libc_write(o->buf, o->buf_len);
            o->buf_len = 0;
        }
    }
    o->count++;
}

void fmt_finish(fmt_out *o)
{
    if (o->to_memory) {
        if (o->cap)
            o->g->mem[o->dst + (o->count < o->cap ? o->count : o->cap - 1u)] = 0;
    } else if (o->buf_len) {
        libc_write(o->buf, o->buf_len);
        o->buf_len = 0;
    }
}

static void out_init(fmt_out *o, guest *g)
{
    memset(o, 0, sizeof *o);
    o->g = g;
}

static wb_status ret_i32(wb_value *r, uint32_t v)
{
    r[0].type = WB_I32;
    r[0].of.i32 = v;
    return WB_OK;
}

/* printf(fmt, va) / vprintf(fmt, va_list): identical on wasm32 */
static wb_status n_printf(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    guest g;
    fmt_out o;
    wb_status st;
    guest_open(&g, ctx);
    out_init(&o, &g);
    st = fmt_format(&o, a[0].of.i32, a[1].of.i32);
    fmt_finish(&o);
    return st != WB_OK ? st : ret_i32(r, o.count);
}

static wb_status to_memory(wb_ctx *ctx, uint32_t dst, uint32_t cap, int bounded,
                           uint32_t fmt, uint32_t va, wb_value *r)
{
    guest g;
    fmt_out o;
    wb_status st;
    guest_open(&g, ctx);
    out_init(&o, &g);
    if (!bounded) /* sprintf: the buffer reaches to the end of memory */
        cap = dst <= g.size ? g.size - dst : 0;
    if (!guest_ok(&g, dst, cap))
        return wb_ctx_trap(ctx, OOB);
    o.to_memory = 1;
    o.dst = dst;
    o.cap = cap;
    st = fmt_format(&o, fmt, va);
    if (st != WB_OK)
        return st;
    if (!bounded && o.count >= cap)
        return wb_ctx_trap(ctx, OOB);
    fmt_finish(&o);
    return ret_i32(r, o.count);
}

static wb_status n_sprintf(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    return to_memory(ctx, a[0].of.i32, 0, 0, a[1].of.i32, a[2].of.i32, r);
}

static wb_status n_snprintf(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    return to_memory(ctx, a[0].of.i32, a[1].of.i32, 1, a[2].of.i32, a[3].of.i32, r);
}

static wb_status n_puts(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    guest g;
    int64_t n;
    guest_open(&g, ctx);
    n = guest_strlen(&g, a[0].of.i32);
    if (n < 0)
        return wb_ctx_trap(ctx, OOB);
    libc_write((const char *)g.mem + a[0].of.i32, (size_t)n);
    libc_write("\n", 1);
    return ret_i32(r, 1);
}

static wb_status n_putchar(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    char c = (char)a[0].of.i32;
    (void)ctx;
    libc_write(&c, 1);
    return ret_i32(r, a[0].of.i32 & 0xFFu);
}

/* ---- strings ----------------------------------------------------------------- */

static wb_status n_strlen(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    guest g;
    int64_t n;
    guest_open(&g, ctx);
    n = guest_strlen(&g, a[0].of.i32);
    return n < 0 ? wb_ctx_trap(ctx, OOB) : ret_i32(r, (uint32_t)n);
}

/* strncmp with limit; limit = UINT32_MAX for strcmp */
static wb_status cmp_strings(wb_ctx *ctx, uint32_t x, uint32_t y, uint32_t limit, wb_value *r)
{
    guest g;
    uint32_t i;
    guest_open(&g, ctx);
    for (i = 0; i < limit; i++) {
        uint8_t cx, cy;
        if (!guest_ok(&g, x + i, 1) || !guest_ok(&g, y + i, 1) || x + i < x || y + i < y)
            return wb_ctx_trap(ctx, OOB);
        cx = g.mem[x + i];
        cy = g.mem[y + i];
        if (cx != cy)
            return ret_i32(r, cx < cy ? (uint32_t)-1 : 1u);
        if (!cx)
            break;
    }
    return ret_i32(r, 0);
}

static wb_status n_strcmp(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    return cmp_strings(ctx, a[0].of.i32, a[1].of.i32, UINT32_MAX, r);
}

static wb_status n_strncmp(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    return cmp_strings(ctx, a[0].of.i32, a[1].of.i32, a[2].of.i32, r);
}

static wb_status n_strcpy(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    guest g;
    int64_t n;
    guest_open(&g, ctx);
    n = guest_strlen(&g, a[1].of.i32);
    if (n < 0 || !guest_ok(&g, a[0].of.i32, (uint32_t)n + 1u))
        return wb_ctx_trap(ctx, OOB);
    memmove(g.mem + a[0].of.i32, g.mem + a[1].of.i32, (size_t)n + 1u);
    return ret_i32(r, a[0].of.i32);
}

/* ---- memory ------------------------------------------------------------------ */

static wb_status n_memmove(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    guest g;
    guest_open(&g, ctx);
    if (!guest_ok(&g, a[0].of.i32, a[2].of.i32) || !guest_ok(&g, a[1].of.i32, a[2].of.i32))
        return wb_ctx_trap(ctx, OOB);
    memmove(g.mem + a[0].of.i32, g.mem + a[1].of.i32, a[2].of.i32);
    return ret_i32(r, a[0].of.i32);
}

static wb_status n_memset(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    guest g;
    guest_open(&g, ctx);
    if (!guest_ok(&g, a[0].of.i32, a[2].of.i32))
        return wb_ctx_trap(ctx, OOB);
    memset(g.mem + a[0].of.i32, (int)(a[1].of.i32 & 0xFFu), a[2].of.i32);
    return ret_i32(r, a[0].of.i32);
}

static wb_status n_memcmp(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    guest g;
    int c;
    guest_open(&g, ctx);
    if (!guest_ok(&g, a[0].of.i32, a[2].of.i32) || !guest_ok(&g, a[1].of.i32, a[2].of.i32))
        return wb_ctx_trap(ctx, OOB);
    c = memcmp(g.mem + a[0].of.i32, g.mem + a[1].of.i32, a[2].of.i32);
    return ret_i32(r, c < 0 ? (uint32_t)-1 : c > 0 ? 1u : 0u);
}

/* ---- process ---------------------------------------------------------------- */

static wb_status n_exit(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    (void)r;
    return wb_ctx_exit(ctx, (int)a[0].of.i32);
}

static wb_status n_abort(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    (void)a;
    (void)r;
    return wb_ctx_trap(ctx, "abort called");
}

typedef struct native {
    const char *name, *sig;
    wb_native_fn fn;
} native;

static const native natives[] = {
    {"printf", "ii:i", n_printf},      {"vprintf", "ii:i", n_printf},
    {"sprintf", "iii:i", n_sprintf},   {"vsprintf", "iii:i", n_sprintf},
    {"snprintf", "iiii:i", n_snprintf}, {"vsnprintf", "iiii:i", n_snprintf},
    {"puts", "i:i", n_puts},           {"putchar", "i:i", n_putchar},
    {"strlen", "i:i", n_strlen},       {"strcmp", "ii:i", n_strcmp},
    {"strncmp", "iii:i", n_strncmp},   {"strcpy", "ii:i", n_strcpy},
    {"memcpy", "iii:i", n_memmove},    {"memmove", "iii:i", n_memmove},
    {"memset", "iii:i", n_memset},     {"memcmp", "iii:i", n_memcmp},
    {"exit", "i:", n_exit},            {"abort", ":", n_abort},
};

wb_status wb_libc_builtin_register(wb_env *env)
{
    size_t i;
    for (i = 0; i < sizeof natives / sizeof natives[0]; i++) {
        wb_status st = wb_register_native(env, "env", natives[i].name, natives[i].sig,
                                          natives[i].fn, NULL);
        if (st != WB_OK)
            return st;
    }
    return WB_OK;
}
