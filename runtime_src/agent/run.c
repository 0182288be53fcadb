/*
 * RUN: call an application's entry (`_start`, else `main`) and stream what
 * libc-builtin prints as OUTPUT frames, then answer EXIT(code) or ERROR.
 * The same OUTPUT path serves every request: a module printing from its
 * start function or an invoked export never writes raw text on the line.
 */
#include "agent.h"
#if WB_FEATURE_LIBC_BUILTIN
#include "libc_builtin.h"
#endif
#if WB_FEATURE_LIBC_WASI
#include "wasi/libc_wasi.h"
#endif

#define OUT_CHUNK 256u

static uint8_t run_seq;
static char out[OUT_CHUNK];
static size_t out_len;

void output_seq(uint8_t seq) { run_seq = seq; }

void out_flush(void)
{
    wbuf *w;
    if (!out_len)
        return;
    w = reply_begin();
    wb_put_bytes(w, out, out_len);
    reply_send(FT_OUTPUT, run_seq);
    out_len = 0;
}

#if WB_FEATURE_LIBC_BUILTIN || WB_FEATURE_LIBC_WASI
static void out_sink(const char *buf, size_t len)
{
    while (len--) {
        char c = *buf++;
        out[out_len++] = c;
        if (out_len == OUT_CHUNK || c == '\n')
            out_flush();
    }
}
#endif

#if WB_FEATURE_LIBC_WASI
/* fd 1 shares the OUTPUT buffer with libc-builtin; fd 2 goes out at once
 * in OUTPUT_ERR frames (after what fd 1 printed before it) */
static void wasi_sink(int fd, const char *buf, size_t len)
{
    if (fd != 2) {
        out_sink(buf, len);
        return;
    }
    out_flush();
    while (len) {
        size_t n = len < OUT_CHUNK ? len : OUT_CHUNK;
        wbuf *w = reply_begin();
        wb_put_bytes(w, buf, n);
        reply_send(FT_OUTPUT_ERR, run_seq);
        buf += n;
        len -= n;
    }
}
#endif

void output_install(void)
{
#if WB_FEATURE_LIBC_BUILTIN
    wb_libc_builtin_set_output(out_sink);
#endif
#if WB_FEATURE_LIBC_WASI
    wb_wasi_set_output(wasi_sink);
#endif
}

/* Checks that `f` has the type params -> results. */
static int has_type(wb_func *f, uint32_t np, uint32_t nr)
{
    uint32_t p, r, i;
    const uint8_t *pt, *rt;
    wb_func_type(f, &p, &pt, &r, &rt);
    if (p != np || r > nr)
        return 0;
    for (i = 0; i < p; i++)
        if (pt[i] != WB_I32)
            return 0;
    return r == 0 || rt[0] == WB_I32;
}

int cmd_run(const frame *f)
{
    rbuf r;
    wb_instance *inst;
    wb_func *fn;
    wb_value argv[2], res[1];
    uint32_t np = 0, nr = 0, rtn;
    const uint8_t *pt, *rt;
    wb_status st;
    int code = 0;
    wbuf *w;

    wb_rbuf_init(&r, f);
    inst = session_get(wb_get_u32(&r));
    if (r.bad)
        return reply_error(f->seq, WB_KIND_PROTOCOL, "malformed request payload");
    if (!inst)
        return reply_error(f->seq, WB_ERR_NOT_FOUND, "unknown instance handle");
    if (wb_export_func(inst, "_start", &fn) == WB_OK) {
        if (!has_type(fn, 0, 0))
            return reply_error(f->seq, WB_ERR_ARGS, "_start must take and return nothing");
    } else if (wb_export_func(inst, "main", &fn) == WB_OK) {
        wb_func_type(fn, &np, &pt, &rtn, &rt);
        nr = rtn;
        if (!(has_type(fn, 0, 1) || has_type(fn, 2, 1)))
            return reply_error(f->seq, WB_ERR_ARGS,
                               "main must be () or (i32 argc, i32 argv), returning i32 or nothing");
    } else {
        return reply_error(f->seq, WB_ERR_NOT_FOUND, "no _start or main export");
    }
    argv[0].type = argv[1].type = WB_I32;
    argv[0].of.i32 = argv[1].of.i32 = 0;

    st = wb_call(session_env(), fn, argv, np, res, nr);
    out_flush();

    if (st == WB_OK)
        code = nr ? (int)res[0].of.i32 : 0;
    else if (st == WB_ERR_EXIT)
        code = wb_exit_code(session_env());
    else
        return reply_error(f->seq, (unsigned)st, session_error());
    w = reply_begin();
    wb_put_u32(w, (uint32_t)code);
    return reply_send(FT_EXIT, f->seq);
}
