/*
 * Request handlers: one function per frame type (docs/protocol.md has the
 * byte layouts). Every handler answers exactly once, with OK or ERROR.
 */
#include <string.h>

#include "agent.h"

#define NAME_MAX_ 512u

static char name[NAME_MAX_];
static wb_value args[WB_AGENT_MAX_VALUES];
static wb_value results[WB_AGENT_MAX_VALUES];

/* ---- module upload ------------------------------------------------------ */

static uint8_t *load_buf;
static uint32_t load_size, load_fill;
static int loading;

void cmd_load_reset(void)
{
    if (load_buf)
        wb_free(session_env(), load_buf);
    load_buf = NULL;
    load_size = load_fill = 0;
    loading = 0;
}

static int error_status(uint8_t seq, wb_status st)
{
    return reply_error(seq, (unsigned)st, session_error());
}

static int bad_request(uint8_t seq)
{
    return reply_error(seq, WB_KIND_PROTOCOL, "malformed request payload");
}

static int do_load_begin(uint8_t seq, rbuf *r)
{
    uint32_t size = wb_get_u32(r);
    if (r->bad)
        return bad_request(seq);
    cmd_load_reset();
    if (size > WB_AGENT_MAX_MODULE)
        return reply_error(seq, WB_ERR_NOMEM, "module larger than the agent accepts");
    /* from the runtime's allocator: the pool when it has one */
    load_buf = wb_alloc(session_env(), size ? size : 1u);
    if (!load_buf)
        return reply_error(seq, WB_ERR_NOMEM, "no memory for the module upload");
    load_size = size;
    loading = 1;
    return reply_ok_empty(seq);
}

static int do_load_chunk(uint8_t seq, rbuf *r)
{
    uint32_t offset = wb_get_u32(r);
    size_t n = r->len - r->pos;
    if (r->bad)
        return bad_request(seq);
    if (!loading)
        return reply_error(seq, WB_ERR_ARGS, "LOAD_CHUNK without LOAD_BEGIN");
    if (offset != load_fill || n > load_size - load_fill) {
        cmd_load_reset();
        return reply_error(seq, WB_ERR_ARGS, "LOAD_CHUNK out of sequence");
    }
    memcpy(load_buf + load_fill, r->p + r->pos, n);
    load_fill += (uint32_t)n;
    return reply_ok_empty(seq);
}

static int do_load_end(uint8_t seq, rbuf *r)
{
    uint8_t flags = wb_get_u8(r);
    wb_module *m;
    wb_instance *inst;
    wb_status st;
    uint32_t handle;
    int need_spectest;
    wbuf *w;
    if (r->bad)
        return bad_request(seq);
    if (!loading || load_fill != load_size) {
        cmd_load_reset();
        return reply_error(seq, WB_ERR_ARGS, "LOAD_END before the whole module arrived");
    }
    need_spectest = session_names_spectest(load_buf, load_size);
    st = wb_module_load(session_env(), load_buf, load_size, &m);
    cmd_load_reset(); /* the module keeps no pointer into the upload */
    if (st != WB_OK)
        return error_status(seq, st);
    if (flags & 1u) { /* load (and validate) only */
        wb_module_free(m);
        handle = 0;
    } else {
        /* made after the upload is freed: its memory does not sit above a hole */
        st = need_spectest ? session_spectest(need_spectest) : WB_OK;
        if (st == WB_OK)
            st = wb_instantiate(session_env(), m, &inst);
        out_flush(); /* a start function may print */
        if (st != WB_OK) {
            error_status(seq, st);
            wb_module_free(m);
            return 0;
        }
        handle = session_add(m, inst);
        if (!handle) {
            wb_instance_free(inst);
            wb_module_free(m);
            return reply_error(seq, WB_ERR_NOMEM, "too many live instances");
        }
    }
    w = reply_begin();
    wb_put_u32(w, handle);
    return reply_send(FT_OK, seq);
}

/* ---- instances ------------------------------------------------------------ */

/* handle u32, then the rest of the payload is a name */
static wb_instance *handle_and_name(uint8_t seq, rbuf *r)
{
    wb_instance *inst = session_get(wb_get_u32(r));
    wb_get_name(r, r->len - r->pos, name, sizeof name, 0);
    if (r->bad) {
        bad_request(seq);
        return NULL;
    }
    if (r->badname) {
        reply_error(seq, WB_ERR_ARGS, "name too long or containing a NUL byte");
        return NULL;
    }
    if (!inst)
        reply_error(seq, WB_ERR_NOT_FOUND, "unknown instance handle");
    return inst;
}

static int do_register(uint8_t seq, rbuf *r)
{
    wb_instance *inst = handle_and_name(seq, r);
    wb_status st;
    if (!inst)
        return 0; /* already answered */
    st = wb_register_instance(session_env(), name, inst);
    if (st != WB_OK)
        return error_status(seq, st);
    return reply_ok_empty(seq);
}

static int do_get_global(uint8_t seq, rbuf *r)
{
    wb_instance *inst = handle_and_name(seq, r);
    wb_status st;
    wbuf *w;
    if (!inst)
        return 0; /* already answered */
    st = wb_global_get(inst, name, &results[0]);
    if (st != WB_OK)
        return error_status(seq, st);
    w = reply_begin();
    wb_put_value(w, &results[0]);
    return reply_send(FT_OK, seq);
}

/* Guest microseconds of the last INVOKE's call (instructions / 1000 under
 * QEMU -icount shift=0): the interpreter side of run-on-qemu --bench. */
static uint64_t last_call_us;

static int do_invoke(uint8_t seq, rbuf *r)
{
    wb_instance *inst = session_get(wb_get_u32(r));
    uint64_t t0;
    uint32_t i, nargs, np, nr;
    const uint8_t *pt, *rt;
    wb_func *f;
    wb_status st;
    wbuf *w;
    size_t name_len = wb_get_name(r, wb_get_u16(r), name, sizeof name, 1);
    nargs = wb_get_u8(r);
    if (r->bad || nargs > WB_AGENT_MAX_VALUES)
        return bad_request(seq);
    if (r->badname)
        return reply_error(seq, WB_ERR_ARGS, "name too long");
    for (i = 0; i < nargs; i++)
        if (wb_get_value(r, &args[i]) < 0)
            return reply_error(seq, WB_ERR_ARGS, "bad argument value encoding");
    if (!inst)
        return reply_error(seq, WB_ERR_NOT_FOUND, "unknown instance handle");
    st = wb_export_func_len(inst, name, name_len, &f);
    if (st != WB_OK)
        return error_status(seq, st);
    wb_func_type(f, &np, &pt, &nr, &rt);
    if (np != nargs)
        return reply_error(seq, WB_ERR_ARGS, "wrong number of arguments");
    for (i = 0; i < np; i++)
        if (pt[i] != args[i].type)
            return reply_error(seq, WB_ERR_ARGS, "wrong argument type");
    if (nr > WB_AGENT_MAX_VALUES)
        return reply_error(seq, WB_ERR_UNSUPPORTED, "too many results for the agent");
    t0 = wb_port_time_us();
    st = wb_call(session_env(), f, args, nargs, results, nr);
    last_call_us = wb_port_time_us() - t0; /* STATS reports it (benchmarks) */
    out_flush();
    if (st != WB_OK)
        return error_status(seq, st);
    w = reply_begin();
    wb_put_u8(w, (uint8_t)nr);
    for (i = 0; i < nr; i++)
        wb_put_value(w, &results[i]);
    return reply_send(FT_OK, seq);
}

static int do_free(uint8_t seq, rbuf *r)
{
    uint32_t handle = wb_get_u32(r);
    if (r->bad)
        return bad_request(seq);
    if (session_free(handle) < 0)
        return reply_error(seq, WB_ERR_NOT_FOUND, "unknown instance handle");
    return reply_ok_empty(seq);
}

/* ---- session ---------------------------------------------------------------- */

static void get_stats(wb_stats *s)
{
    memset(s, 0, sizeof *s);
    if (session_env())
        wb_env_stats(session_env(), s);
}

static int do_hello(uint8_t seq)
{
    wb_stats s;
    wbuf *w;
    get_stats(&s);
    w = reply_begin();
    wb_put_u16(w, WB_PROTOCOL_VERSION);
    wb_put_u16(w, WB_AGENT_MAX_PAYLOAD);
    wb_put_u32(w, (uint32_t)s.pool_size);
    wb_put_u16(w, WB_AGENT_MAX_HANDLES);
    wb_put_str16(w, WB_VERSION_STRING);
    wb_put_str16(w, wb_features());
    wb_put_str16(w, WB_BOARD_NAME);
    return reply_send(FT_OK, seq);
}

static int do_stats(uint8_t seq)
{
    wb_stats s;
    wbuf *w;
    get_stats(&s);
    w = reply_begin();
    wb_put_u32(w, (uint32_t)s.pool_size);
    wb_put_u32(w, (uint32_t)s.pool_used);
    wb_put_u32(w, (uint32_t)s.pool_peak);
    wb_put_u16(w, (uint16_t)session_live());
    wb_put_u64(w, last_call_us);
    return reply_send(FT_OK, seq);
}

/* FUEL u64 budget: every later INVOKE, RUN and instantiation gets it
 * (0: no limit). RESET makes a fresh environment without a budget. */
static int do_fuel(uint8_t seq, rbuf *r)
{
    uint64_t fuel = wb_get_u64(r);
    wb_status st;
    if (r->bad)
        return reply_error(seq, WB_KIND_PROTOCOL, "FUEL: expected a u64 budget");
    st = wb_env_set_fuel(session_env(), fuel);
    if (st != WB_OK)
        return error_status(seq, st);
    return reply_ok_empty(seq);
}

static int do_reset(uint8_t seq)
{
    static const char banner[] = "\nWASMBED READY " WB_VERSION_STRING "\n";
    wb_status st = session_reset();
    if (st != WB_OK)
        return error_status(seq, st);
    reply_ok_empty(seq);
    /* As after a hardware reset: a host that lost track (no reset line on
     * the board) can wait for the banner; a frame reader skips the text. */
    wb_port_write(banner, sizeof banner - 1u);
    return 0;
}

void cmd_dispatch(const frame *f)
{
    rbuf r;
    wb_rbuf_init(&r, f);
    output_seq(f->seq);
    if (!session_env() && f->type != FT_RESET && f->type != FT_HELLO) {
        /* a failed RESET left no environment: only RESET can help */
        reply_error(f->seq, WB_ERR_NOMEM, "no runtime environment (send RESET)");
        return;
    }
    switch (f->type) {
    case FT_HELLO: do_hello(f->seq); break;
    case FT_LOAD_BEGIN: do_load_begin(f->seq, &r); break;
    case FT_LOAD_CHUNK: do_load_chunk(f->seq, &r); break;
    case FT_LOAD_END: do_load_end(f->seq, &r); break;
    case FT_REGISTER: do_register(f->seq, &r); break;
    case FT_INVOKE: do_invoke(f->seq, &r); break;
    case FT_GET_GLOBAL: do_get_global(f->seq, &r); break;
    case FT_FREE: do_free(f->seq, &r); break;
    case FT_RESET: do_reset(f->seq); break;
    case FT_STATS: do_stats(f->seq); break;
    case FT_RUN: cmd_run(f); break;
    case FT_WASI: cmd_wasi(f); break;
    case FT_FUEL: do_fuel(f->seq, &r); break;
    case FT_STORE_BEGIN:
    case FT_STORE_CHUNK:
    case FT_STORE_COMMIT:
    case FT_STORE_LIST: cmd_store(f); break;
    default: reply_error(f->seq, WB_KIND_PROTOCOL, "unknown frame type"); break;
    }
}
