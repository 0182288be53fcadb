/*
 * wasmbed agent: the firmware main that serves the host protocol
 * (docs/protocol.md) over the port console. Internal header shared by the
 * agent's files; nothing outside runtime_src/agent includes it.
 */
#ifndef WB_AGENT_H
#define WB_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "wasmbed.h"
#include "wb_defaults.h"
#include "wb_port.h"

/* ---- sizes (a board may override them in its generated config) ---- */
#ifndef WB_AGENT_MAX_PAYLOAD
#define WB_AGENT_MAX_PAYLOAD 2048u /* bytes of payload in one frame       */
#endif
#ifndef WB_AGENT_MAX_HANDLES
#define WB_AGENT_MAX_HANDLES 64u /* live instances at once              */
#endif
#ifndef WB_AGENT_MAX_VALUES
#define WB_AGENT_MAX_VALUES 64u /* arguments / results of one INVOKE    */
#endif

#ifndef WB_AGENT_MAX_MODULE
#define WB_AGENT_MAX_MODULE (16u * 1024u * 1024u) /* largest upload accepted */
#endif

#define WB_PROTOCOL_VERSION 1u

/* ---- frame types ---- */
enum {
    FT_HELLO = 0x01,
    FT_LOAD_BEGIN = 0x02,
    FT_LOAD_CHUNK = 0x03,
    FT_LOAD_END = 0x04,
    FT_REGISTER = 0x05,
    FT_INVOKE = 0x06,
    FT_GET_GLOBAL = 0x07,
    FT_FREE = 0x08,
    FT_RESET = 0x09,
    FT_STATS = 0x0A,
    FT_RUN = 0x0B,
    FT_WASI = 0x0C, /* libc-wasi: args, environment, preopens for RUN */
    FT_FUEL = 0x0D, /* instruction-metering: u64 budget per call, 0 = none */
    FT_STORE_BEGIN = 0x30, /* app-store (store_cmd.c): erase the slot to write */
    FT_STORE_CHUNK = 0x31,
    FT_STORE_COMMIT = 0x32, /* header and magic last */
    FT_STORE_LIST = 0x33,
    FT_OK = 0x80,
    FT_ERROR = 0x81,
    FT_OUTPUT = 0x82,
    FT_EXIT = 0x83,
    FT_OUTPUT_ERR = 0x84 /* what a WASI program wrote to fd 2 */
};

/* ERROR kinds: 1..10 are wb_status values; these are the agent's own. */
#define WB_KIND_PROTOCOL 0x20u
#define WB_KIND_FLASH 0x21u /* an erase or program of the app store failed */

/* ---- frame.c: framing and CRC ---- */
uint32_t wb_crc32(uint32_t crc, const uint8_t *p, size_t n);

typedef struct frame {
    uint8_t type;
    uint8_t seq;
    uint16_t len;
    const uint8_t *payload; /* valid until the next frame_read */
} frame;

enum { FRAME_OK = 0, FRAME_BAD = 1, FRAME_EOF = 2 };
/* Reads the next frame. FRAME_BAD: a PROTOCOL error has already been
 * sent; the reader resynchronises by itself. */
int frame_read(frame *f);

/* Replies: build the payload with the writer below, then send. They
 * return 0 so that a handler can end with `return reply_error(...);`. */
typedef struct wbuf {
    uint8_t *p;
    size_t len, cap;
    int overflow;
} wbuf;
wbuf *reply_begin(void); /* writer over the transmit payload buffer */
int reply_send(uint8_t type, uint8_t seq);
int reply_ok_empty(uint8_t seq);
int reply_error(uint8_t seq, unsigned kind, const char *msg);

void wb_put_u8(wbuf *w, uint8_t v);
void wb_put_u16(wbuf *w, uint16_t v);
void wb_put_u32(wbuf *w, uint32_t v);
void wb_put_u64(wbuf *w, uint64_t v);
void wb_put_bytes(wbuf *w, const void *p, size_t n);
void wb_put_str16(wbuf *w, const char *s);

/* ---- wire.c: reading request payloads and typed values ---- */
typedef struct rbuf {
    const uint8_t *p;
    size_t len, pos;
    int bad;     /* payload too short: a PROTOCOL error      */
    int badname; /* a name too long or with a NUL: ARGS error */
} rbuf;
void wb_rbuf_init(rbuf *r, const frame *f); /* reads f's payload */
uint8_t wb_get_u8(rbuf *r);
uint16_t wb_get_u16(rbuf *r);
uint32_t wb_get_u32(rbuf *r);
uint64_t wb_get_u64(rbuf *r);
/* Copies a name of n bytes into dst (NUL-terminated) and returns n; sets
 * badname when it does not fit in cap - 1 bytes, or contains a NUL unless
 * allow_nul (export names travel with their length). */
size_t wb_get_name(rbuf *r, size_t n, char *dst, size_t cap, int allow_nul);
size_t agent_strlen(const char *s);        /* no libc on boards */
int wb_get_value(rbuf *r, wb_value *v);        /* 0 ok, -1 bad encoding */
void wb_put_value(wbuf *w, const wb_value *v); /* never fails          */

/* ---- session.c: the environment and the handle table ---- */
wb_env *session_env(void);
wb_status session_reset(void); /* free all, new env, natives, spectest */
/* Returns a handle (1..) for an instance, 0 when the table is full. */
uint32_t session_add(wb_module *m, wb_instance *inst);
wb_instance *session_get(uint32_t handle);
int session_free(uint32_t handle); /* 0 ok, -1 unknown handle */
uint32_t session_live(void);
const char *session_error(void); /* last runtime message, never NULL */
/* Calls the instance's `_start`, else `main` (argc = argv = 0) for an app run at boot (the
 * static app, the app store): WB_OK with *code its exit code (main's result, or what it
 * passed to exit); WB_ERR_NOT_FOUND without either export; WB_ERR_ARGS when it is not
 * () or (i32, i32) -> () or i32; else the call's status (a trap). */
wb_status session_call_main(wb_instance *inst, int *code);
/* Small heap pools make `spectest` on demand: what a module's bytes need of it beyond what
 * exists (0 nothing, 1 the instance, 2 the instance with its memory), and make that. */
int session_names_spectest(const uint8_t *bytes, uint32_t len);
wb_status session_spectest(int need);

/* The runtime's own allocator (runtime_src/core): the global heap pool
 * when the build has one, else the port allocator. The upload buffer comes
 * from it so that its bytes count in STATS like everything else. */
void *wb_alloc(wb_env *env, size_t n);
void wb_free(wb_env *env, void *p);

/* ---- spectest.c: the spec testsuite's `spectest` module ---- */
wb_status spectest_natives(wb_env *env); /* the "wbspec" natives it imports */
/* the instance, registered as "spectest"; without its 64 KiB memory unless with_memory */
wb_status spectest_install(wb_env *env, int with_memory);

/* ---- commands.c / run.c: request handlers ---- */
void cmd_dispatch(const frame *f);
int cmd_run(const frame *f);
int cmd_wasi(const frame *f); /* wasi_cmd.c */
void cmd_load_reset(void); /* drop a pending upload */
int cmd_store(const frame *f); /* store_cmd.c: STORE_* frames (app-store) */
#if WB_FEATURE_APP_STORE
void store_boot(void); /* store_cmd.c: run the newest valid stored app */
#endif

/* run.c: libc-builtin output travels as OUTPUT frames of the request being
 * served; out_flush() before a request's final reply. */
void output_install(void);
void output_seq(uint8_t seq);
void out_flush(void);

#ifndef WB_STATIC_APP
#define WB_STATIC_APP 0
#endif
#if WB_STATIC_APP
int static_app_main(void); /* static_app.c */
#endif

#endif /* WB_AGENT_H */
