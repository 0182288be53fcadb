/*
 * Framing: 0xA5 0x5A | type | seq | len u16 LE | payload | crc32 u32 LE.
 * The CRC (IEEE 802.3, reflected, as zlib's crc32) covers type..payload.
 *
 * The receiver never trusts a frame: a length above the payload limit or a
 * CRC mismatch gets an ERROR(PROTOCOL) reply and the bytes after the bad
 * sync are scanned again, so a frame hidden behind garbage is still found.
 */
#include <string.h>

#include "agent.h"

#define HDR 4u /* type, seq, len (after the two sync bytes) */
#define CRC 4u

/* CRC-32 with a 16-entry table: two table steps per byte. */
static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu,
    0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
    0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};

uint32_t wb_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        crc = (crc >> 4) ^ crc_nibble[crc & 15u];
        crc = (crc >> 4) ^ crc_nibble[crc & 15u];
    }
    return ~crc;
}

/* ---- receive ---------------------------------------------------------- */

/* rx holds the frame after its sync bytes. Bytes pushed back for a rescan
 * live in rx[pend_pos..pend_end); a new frame is stored from rx[0] while
 * they are consumed, and the store index never passes the read index. */
static uint8_t rx[HDR + WB_AGENT_MAX_PAYLOAD + CRC];
static size_t pend_pos, pend_end;

static int next_byte(void)
{
    if (pend_pos < pend_end)
        return rx[pend_pos++];
    return wb_port_getc();
}

/* Make rx[0..n) plus the unread pending bytes the next bytes to read. */
static void push_back(size_t n)
{
    size_t rest = pend_end - pend_pos;
    memmove(rx + n, rx + pend_pos, rest);
    pend_pos = 0;
    pend_end = n + rest;
}

static int read_into(size_t at, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        int c = next_byte();
        if (c < 0)
            return -1;
        rx[at + i] = (uint8_t)c;
    }
    return 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

int frame_read(frame *f)
{
    for (;;) {
        int c = next_byte();
        size_t len;
        if (c < 0)
            return FRAME_EOF;
        if (c != 0xA5)
            continue;
        do
            c = next_byte();
        while (c == 0xA5);
        if (c < 0)
            return FRAME_EOF;
        if (c != 0x5A)
            continue;
        if (read_into(0, HDR) < 0)
            return FRAME_EOF;
        len = (size_t)rx[2] | (size_t)rx[3] << 8;
        if (len > WB_AGENT_MAX_PAYLOAD) {
            reply_error(rx[1], WB_KIND_PROTOCOL, "frame longer than the agent's payload limit");
            push_back(HDR);
            return FRAME_BAD;
        }
        if (read_into(HDR, len + CRC) < 0)
            return FRAME_EOF;
        if (wb_crc32(0, rx, HDR + len) != le32(rx + HDR + len)) {
            reply_error(rx[1], WB_KIND_PROTOCOL, "frame CRC mismatch");
            push_back(HDR + len + CRC);
            return FRAME_BAD;
        }
        f->type = rx[0];
        f->seq = rx[1];
        f->len = (uint16_t)len;
        f->payload = rx + HDR;
        return FRAME_OK;
    }
}

/* ---- transmit ---------------------------------------------------------- */

static uint8_t tx[2u + HDR + WB_AGENT_MAX_PAYLOAD + CRC];
static wbuf txw;

wbuf *reply_begin(void)
{
    txw.p = tx + 2u + HDR;
    txw.len = 0;
    txw.cap = WB_AGENT_MAX_PAYLOAD;
    txw.overflow = 0;
    return &txw;
}

int reply_send(uint8_t type, uint8_t seq)
{
    size_t len = txw.len;
    uint32_t crc;
    if (txw.overflow)
        return reply_error(seq, WB_KIND_PROTOCOL, "reply larger than the agent's payload limit");
    tx[0] = 0xA5;
    tx[1] = 0x5A;
    tx[2] = type;
    tx[3] = seq;
    tx[4] = (uint8_t)len;
    tx[5] = (uint8_t)(len >> 8);
    crc = wb_crc32(0, tx + 2, HDR + len);
    tx[6 + len] = (uint8_t)crc;
    tx[7 + len] = (uint8_t)(crc >> 8);
    tx[8 + len] = (uint8_t)(crc >> 16);
    tx[9 + len] = (uint8_t)(crc >> 24);
    wb_port_write(tx, 2u + HDR + len + CRC);
    return 0;
}

int reply_ok_empty(uint8_t seq)
{
    reply_begin();
    return reply_send(FT_OK, seq);
}

int reply_error(uint8_t seq, unsigned kind, const char *msg)
{
    wbuf *w = reply_begin();
    size_t n = agent_strlen(msg);
    if (n > WB_AGENT_MAX_PAYLOAD - 1u)
        n = WB_AGENT_MAX_PAYLOAD - 1u;
    wb_put_u8(w, (uint8_t)kind);
    wb_put_bytes(w, msg, n);
#if WB_FEATURE_DUMP_CALL_STACK
    /* a trap's wasm call stack: a NUL, then one line per frame (docs/protocol.md) */
    if ((kind == WB_ERR_TRAP || kind == WB_ERR_EXCEPTION) && session_env()) {
        static char stack[512];
        size_t k = wb_trap_call_stack(session_env(), stack, sizeof stack);
        if (k && w->len + 1u + k <= w->cap) {
            wb_put_u8(w, 0);
            wb_put_bytes(w, stack, k);
        }
    }
#endif
    return reply_send(FT_ERROR, seq);
}

/* ---- payload writer ------------------------------------------------------ */

void wb_put_bytes(wbuf *w, const void *p, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    memcpy(w->p + w->len, p, n);
    w->len += n;
}

void wb_put_u8(wbuf *w, uint8_t v) { wb_put_bytes(w, &v, 1); }

void wb_put_u16(wbuf *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    wb_put_bytes(w, b, 2);
}

void wb_put_u32(wbuf *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                    (uint8_t)(v >> 24)};
    wb_put_bytes(w, b, 4);
}

void wb_put_u64(wbuf *w, uint64_t v)
{
    wb_put_u32(w, (uint32_t)v);
    wb_put_u32(w, (uint32_t)(v >> 32));
}

void wb_put_str16(wbuf *w, const char *s)
{
    size_t n = agent_strlen(s);
    if (n > 0xFFFFu)
        n = 0xFFFFu;
    wb_put_u16(w, (uint16_t)n);
    wb_put_bytes(w, s, n);
}
