/*
 * The A/B app store in the agent (feature app-store, docs/appstore.md):
 *
 * - at boot (store_boot, before the READY banner) the newest valid slot's module is
 *   loaded, instantiated and its `_start` (else `main`) run, printing straight to the
 *   console; the other slot boots when the newest is invalid;
 * - STORE_BEGIN / STORE_CHUNK / STORE_COMMIT stream a module into the slot that does not
 *   hold the app that boots now (erase at BEGIN, payload as it arrives, header and magic
 *   last at COMMIT), STORE_LIST reports both slots (docs/protocol.md).
 *
 * The region comes from the board's `app_store:` descriptor field through the generated
 * wb_config.h (WB_APP_STORE_ORIGIN, _LENGTH, _SECTOR, WB_APP_STORE_DRIVER_*).
 */
#include "agent.h"

#if WB_FEATURE_APP_STORE
#include "wb_store.h"
#if WB_APP_STORE_DRIVER_CFI_01
#include "wb_cfi.h"
#endif
#if WB_FEATURE_LIBC_BUILTIN
#include "libc_builtin.h"
#endif
#if WB_FEATURE_LIBC_WASI
#include "wasi/libc_wasi.h"
#endif

#if !defined(WB_APP_STORE_ORIGIN) || !defined(WB_APP_STORE_LENGTH) || \
    !defined(WB_APP_STORE_SECTOR)
#error "app-store: the board descriptor has no app_store: region with an origin"
#endif
#if !WB_APP_STORE_DRIVER_CFI_01
#error "app-store: no erase/program code for this board's app_store.driver"
#endif

#define STORE ((const uint8_t *)(uintptr_t)WB_APP_STORE_ORIGIN)
#define SIZE ((uint32_t)WB_APP_STORE_LENGTH)

static wb_cfi cfi = {(uintptr_t)WB_APP_STORE_ORIGIN, (uint32_t)WB_APP_STORE_SECTOR};
static wb_store_flash flash;
static wb_store_writer writer;
static int writing;
static uint32_t push_format;
static char push_name[WB_STORE_NAME + 1];

static void put_text(const char *s) { wb_port_write(s, agent_strlen(s)); }

static void put_u32(uint32_t v)
{
    char b[11];
    int n = 0;
    do {
        b[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n)
        wb_port_write(&b[--n], 1);
}

/* ---- boot: run the newest valid app ------------------------------------------------------ */

static void raw_out(const char *buf, size_t len) { wb_port_write(buf, len); }
#if WB_FEATURE_LIBC_WASI
static void raw_wasi_out(int fd, const char *buf, size_t len)
{
    (void)fd;
    wb_port_write(buf, len);
}
#endif

static void report_slot(int index, const wb_store_slot *s)
{
    put_text("WASMBED STORE ");
    wb_port_write(&"AB"[index], 1);
    if (!s->valid) {
        put_text(" invalid: ");
        put_text(s->why);
        put_text("\n");
        return;
    }
    put_text(" version=");
    put_u32(s->version);
    put_text(" length=");
    put_u32(s->length);
    put_text(" name=");
    put_text(s->name);
    put_text("\n");
}

static void app_failed(const char *what, wb_status st)
{
    put_text("WASMBED APP failed: ");
    put_text(what);
    put_text(" (status ");
    put_u32((uint32_t)st);
    put_text("): ");
    put_text(session_error());
    put_text("\n");
}

/* Runs `_start` or `main` of the module in `s`; text it prints goes to the console. */
static void run_app(const wb_store_slot *s)
{
    wb_module *m;
    wb_instance *inst;
    wb_status st;
    int code = 0;
    if (s->format != WB_STORE_WASM) {
        put_text("WASMBED APP failed: format 2 (AOT) is not booted from the store yet\n");
        return;
    }
    st = wb_module_load(session_env(), s->payload, s->length, &m);
    if (st != WB_OK) {
        app_failed("load", st);
        return;
    }
    st = wb_instantiate(session_env(), m, &inst);
    if (st != WB_OK) {
        app_failed("instantiation", st);
        wb_module_free(m);
        return;
    }
    st = session_call_main(inst, &code);
    if (st == WB_ERR_NOT_FOUND) {
        put_text("WASMBED APP failed: no _start or main export\n");
    } else if (st == WB_ERR_ARGS) {
        put_text("WASMBED APP failed: main must be () or (i32, i32)\n");
    } else if (st != WB_OK) {
        app_failed("run", st);
    } else {
        put_text("WASMBED APP exit=");
        if (code < 0) {
            put_text("-");
            put_u32(0u - (uint32_t)code);
        } else {
            put_u32((uint32_t)code);
        }
        put_text("\n");
    }
    wb_instance_free(inst);
    wb_module_free(m);
}

void store_boot(void)
{
    wb_store_slot slots[2], boot;
    int i, index;
    if (!session_env()) {
        put_text("WASMBED APP failed: no runtime environment\n");
        return;
    }
    for (i = 0; i < 2; i++) {
        wb_store_read(STORE, SIZE, i, &slots[i]);
        report_slot(i, &slots[i]);
    }
    index = wb_store_boot(STORE, SIZE, &boot);
    if (index < 0) {
        put_text("WASMBED APP none\n");
        return;
    }
    put_text("WASMBED APP ");
    wb_port_write(&"AB"[index], 1);
    put_text(" name=");
    put_text(boot.name);
    put_text("\n");
#if WB_FEATURE_LIBC_BUILTIN
    wb_libc_builtin_set_output(raw_out);
#else
    (void)raw_out;
#endif
#if WB_FEATURE_LIBC_WASI
    wb_wasi_set_output(raw_wasi_out);
#endif
    run_app(&boot);
    (void)session_reset(); /* the protocol starts from a fresh environment */
}

/* ---- STORE_* frames ------------------------------------------------------------------------ */

static int bad_request(uint8_t seq)
{
    return reply_error(seq, WB_KIND_PROTOCOL, "malformed request payload");
}

static int store_begin(uint8_t seq, rbuf *r)
{
    uint32_t length = wb_get_u32(r), capacity = SIZE / 2u - WB_STORE_HEADER;
    uint8_t format = wb_get_u8(r);
    int slot;
    wbuf *w;
    wb_get_name(r, r->len - r->pos, push_name, sizeof push_name, 0);
    if (r->bad)
        return bad_request(seq);
    writing = 0;
    if (r->badname)
        return reply_error(seq, WB_ERR_ARGS, "app name longer than 32 bytes or with a NUL");
    if (format != WB_STORE_WASM && format != WB_STORE_AOT)
        return reply_error(seq, WB_ERR_ARGS, "unknown app format (1 = wasm, 2 = aot)");
    if (length > capacity)
        return reply_error(seq, WB_ERR_NOMEM, "module larger than a slot of the app store");
    flash = wb_cfi_flash(&cfi);
    slot = wb_store_begin(&writer, STORE, SIZE, &flash, length);
    if (slot < 0)
        return reply_error(seq, WB_KIND_FLASH, "erasing the app store slot failed");
    push_format = format;
    writing = 1;
    w = reply_begin();
    wb_put_u8(w, (uint8_t)slot);
    wb_put_u32(w, writer.version);
    wb_put_u32(w, capacity);
    return reply_send(FT_OK, seq);
}

static int store_chunk(uint8_t seq, rbuf *r)
{
    uint32_t offset = wb_get_u32(r);
    uint32_t n = (uint32_t)(r->len - r->pos);
    if (r->bad)
        return bad_request(seq);
    if (!writing)
        return reply_error(seq, WB_ERR_ARGS, "STORE_CHUNK without STORE_BEGIN");
    if (offset != writer.filled || n > writer.length - writer.filled) {
        writing = 0;
        return reply_error(seq, WB_ERR_ARGS, "STORE_CHUNK out of sequence");
    }
    if (wb_store_write(&writer, r->p + r->pos, n) != 0) {
        writing = 0;
        return reply_error(seq, WB_KIND_FLASH, "programming the app store failed");
    }
    return reply_ok_empty(seq);
}

static int store_commit(uint8_t seq, rbuf *r)
{
    uint32_t crc = wb_get_u32(r);
    int slot;
    wbuf *w;
    if (r->bad)
        return bad_request(seq);
    if (!writing || writer.filled != writer.length) {
        writing = 0;
        return reply_error(seq, WB_ERR_ARGS, "STORE_COMMIT before the whole module arrived");
    }
    writing = 0;
    if (crc != writer.crc)
        return reply_error(seq, WB_ERR_ARGS, "STORE_COMMIT: the module's CRC-32 differs "
                                             "from the bytes received (slot left invalid)");
    slot = wb_store_commit(&writer, push_format, push_name);
    if (slot < 0)
        return reply_error(seq, WB_KIND_FLASH, "the flash does not hold the bytes programmed "
                                           "(slot left invalid)");
    w = reply_begin();
    wb_put_u8(w, (uint8_t)slot);
    return reply_send(FT_OK, seq);
}

static int store_list(uint8_t seq)
{
    wb_store_slot s;
    int i, boot = wb_store_boot(STORE, SIZE, &s);
    wbuf *w = reply_begin();
    wb_put_u8(w, boot < 0 ? 0xFFu : (uint8_t)boot);
    wb_put_u32(w, SIZE / 2u - WB_STORE_HEADER);
    for (i = 0; i < 2; i++) {
        wb_store_read(STORE, SIZE, i, &s);
        wb_put_u8(w, (uint8_t)s.valid);
        wb_put_u32(w, s.version);
        wb_put_u32(w, s.format);
        wb_put_u32(w, s.length);
        wb_put_u32(w, s.crc);
        wb_put_str16(w, s.name);
        wb_put_str16(w, s.why);
    }
    return reply_send(FT_OK, seq);
}

int cmd_store(const frame *f)
{
    rbuf r;
    wb_rbuf_init(&r, f);
    switch (f->type) {
    case FT_STORE_BEGIN: return store_begin(f->seq, &r);
    case FT_STORE_CHUNK: return store_chunk(f->seq, &r);
    case FT_STORE_COMMIT: return store_commit(f->seq, &r);
    default: return store_list(f->seq);
    }
}

#else
int cmd_store(const frame *f)
{
    return reply_error(f->seq, WB_ERR_UNSUPPORTED,
                       "this agent is built without the app-store feature");
}
#endif
