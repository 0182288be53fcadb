/*
 * WASI request (docs/protocol.md): the arguments, environment variables and
 * preopened directories the next RUN's program sees, one item per frame.
 *
 *   u8 0             clear everything (RESET does too)
 *   u8 1, bytes      append an argument (argv[0] first)
 *   u8 2, bytes      append an environment variable "KEY=VALUE"
 *   u8 3, str16 guest, bytes host   preopen host directory under a guest name
 *   u8 4, bytes      entropy for random_get on boards without a source of their own
 */
#include "agent.h"
#if WB_FEATURE_LIBC_WASI
#include "wasi/libc_wasi.h"
#endif

#if WB_FEATURE_LIBC_WASI
static int wasi_error(uint8_t seq, int err)
{
    switch (err) {
    case WB_ENOMEM:
        return reply_error(seq, WB_ERR_NOMEM, "the agent's WASI context is full");
    case WB_EINVAL:
        return reply_error(seq, WB_ERR_ARGS, "a WASI string may not contain a NUL byte");
    case WB_ENOSYS:
        return reply_error(seq, WB_ERR_UNSUPPORTED, "this board has no file system to preopen");
    case WB_ENOENT:
    case WB_ENOTDIR:
        return reply_error(seq, WB_ERR_NOT_FOUND, "preopen: no such host directory");
    case WB_EMFILE:
        return reply_error(seq, WB_ERR_NOMEM, "preopen: no free WASI file descriptor");
    case WB_EACCES:
    case WB_EPERM:
        return reply_error(seq, WB_ERR_ARGS, "preopen: permission denied");
    default:
        return reply_error(seq, WB_ERR_ARGS, "preopen failed");
    }
}
#endif

int cmd_wasi(const frame *f)
{
#if WB_FEATURE_LIBC_WASI
    rbuf r;
    uint8_t kind;
    int err = 0;
    wb_rbuf_init(&r, f);
    kind = wb_get_u8(&r);
    if (r.bad)
        return reply_error(f->seq, WB_KIND_PROTOCOL, "malformed request payload");
    switch (kind) {
    case 0:
        wb_wasi_reset();
        break;
    case 1:
    case 2: {
        const char *s = (const char *)r.p + r.pos;
        size_t n = r.len - r.pos;
        err = kind == 1 ? wb_wasi_add_arg(s, n) : wb_wasi_add_env(s, n);
        break;
    }
    case 4:
        err = wb_wasi_add_seed(r.p + r.pos, r.len - r.pos);
        break;
    case 3: {
        uint16_t gl = wb_get_u16(&r);
        const char *guest = (const char *)r.p + r.pos;
        if (r.bad || gl > r.len - r.pos)
            return reply_error(f->seq, WB_KIND_PROTOCOL, "malformed request payload");
        r.pos += gl;
        err = wb_wasi_add_preopen(guest, gl, (const char *)r.p + r.pos, r.len - r.pos);
        break;
    }
    default:
        return reply_error(f->seq, WB_ERR_ARGS, "unknown WASI item kind");
    }
    if (err)
        return wasi_error(f->seq, err);
    return reply_ok_empty(f->seq);
#else
    return reply_error(f->seq, WB_ERR_UNSUPPORTED, "the agent was built without libc-wasi");
#endif
}
