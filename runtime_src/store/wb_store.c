/* The A/B app store (docs/appstore.md); the host twin is wasmbed/appstore.py. */
#include "wb_store.h"

uint32_t wb_store_crc32(uint32_t crc, const uint8_t *data, size_t length)
{
    size_t i;
    int bit;
    crc = ~crc;
    for (i = 0; i < length; i++) {
        crc ^= data[i];
        for (bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

#define FIELDS_END (4u + 16u + WB_STORE_NAME) /* bytes 4..51: version..name */

void wb_store_read(const uint8_t *store, uint32_t size, int index, wb_store_slot *out)
{
    uint32_t slot_size = size / 2u, magic, i;
    const uint8_t *s = store + (uint32_t)index * slot_size;
    out->valid = 0;
    out->version = out->format = out->length = out->crc = 0;
    out->name[0] = '\0';
    out->payload = s + WB_STORE_HEADER;
    magic = get32(s);
    if (magic == 0xFFFFFFFFu) {
        out->why = "empty";
        return;
    }
    if (magic != WB_STORE_MAGIC) {
        out->why = "bad magic";
        return;
    }
    if (wb_store_crc32(0, s + 4, FIELDS_END - 4u) != get32(s + FIELDS_END)) {
        out->why = "header CRC mismatch";
        return;
    }
    out->version = get32(s + 4);
    out->format = get32(s + 8);
    out->length = get32(s + 12);
    out->crc = get32(s + 16);
    for (i = 0; i < WB_STORE_NAME && s[20 + i]; i++)
        out->name[i] = (char)s[20 + i];
    out->name[i] = '\0';
    if (out->format != WB_STORE_WASM && out->format != WB_STORE_AOT) {
        out->why = "unknown format";
        return;
    }
    if (out->length > slot_size - WB_STORE_HEADER) {
        out->why = "length exceeds the slot";
        return;
    }
    if (wb_store_crc32(0, out->payload, out->length) != out->crc) {
        out->why = "payload CRC mismatch";
        return;
    }
    out->valid = 1;
    out->why = "";
}

int wb_store_boot(const uint8_t *store, uint32_t size, wb_store_slot *out)
{
    wb_store_slot a, b;
    wb_store_read(store, size, 0, &a);
    wb_store_read(store, size, 1, &b);
    if (a.valid && (!b.valid || a.version >= b.version)) {
        *out = a;
        return 0;
    }
    if (b.valid) {
        *out = b;
        return 1;
    }
    return -1;
}

int wb_store_name_fits(const char *name)
{
    uint32_t i;
    for (i = 0; name && name[i]; i++)
        if (i == WB_STORE_NAME)
            return 0;
    return 1;
}

int wb_store_begin(wb_store_writer *w, const uint8_t *store, uint32_t size,
                   const wb_store_flash *flash, uint32_t length)
{
    wb_store_slot now;
    uint32_t slot_size = size / 2u;
    int current = wb_store_boot(store, size, &now);
    w->store = store;
    w->size = size;
    w->flash = flash;
    w->target = -1;
    w->length = length;
    w->filled = 0;
    w->crc = 0;
    if (length > slot_size - WB_STORE_HEADER)
        return -1;
    w->version = current < 0 ? 1u : now.version + 1u;
    if (flash->erase(flash->user, (uint32_t)(current < 0 ? 0 : 1 - current) * slot_size,
                     slot_size) != 0)
        return -1;
    w->target = current < 0 ? 0 : 1 - current;
    return w->target;
}

int wb_store_write(wb_store_writer *w, const uint8_t *data, uint32_t n)
{
    uint32_t base;
    if (w->target < 0 || n > w->length - w->filled)
        return -1;
    if (!n)
        return 0;
    base = (uint32_t)w->target * (w->size / 2u);
    if (w->flash->program(w->flash->user, base + WB_STORE_HEADER + w->filled, data, n) != 0)
        return -1;
    w->crc = wb_store_crc32(w->crc, data, n);
    w->filled += n;
    return 0;
}

int wb_store_commit(wb_store_writer *w, uint32_t format, const char *name)
{
    uint8_t header[WB_STORE_HEADER];
    uint32_t base, i;
    if (w->target < 0 || w->filled != w->length || !wb_store_name_fits(name))
        return -1;
    base = (uint32_t)w->target * (w->size / 2u);
    /* what the flash holds now, not what was sent: a program that did not take fails here */
    if (wb_store_crc32(0, w->store + base + WB_STORE_HEADER, w->length) != w->crc)
        return -1;
    for (i = 0; i < WB_STORE_HEADER; i++)
        header[i] = 0xFFu;
    put32(header + 4, w->version);
    put32(header + 8, format);
    put32(header + 12, w->length);
    put32(header + 16, w->crc);
    for (i = 0; i < WB_STORE_NAME; i++)
        header[20 + i] = 0;
    for (i = 0; name && name[i]; i++)
        header[20 + i] = (uint8_t)name[i];
    put32(header + FIELDS_END, wb_store_crc32(0, header + 4, FIELDS_END - 4u));
    put32(header, WB_STORE_MAGIC);
    if (w->flash->program(w->flash->user, base + 4, header + 4, WB_STORE_HEADER - 4u) != 0)
        return -1;
    if (w->flash->program(w->flash->user, base, header, 4) != 0) /* the commit: last */
        return -1;
    return w->target;
}

int wb_store_push(const uint8_t *store, uint32_t size, const wb_store_flash *flash,
                  const uint8_t *module, uint32_t length, uint32_t format, const char *name)
{
    wb_store_writer w;
    if (!wb_store_name_fits(name) || wb_store_begin(&w, store, size, flash, length) < 0)
        return -1;
    if (wb_store_write(&w, module, length) != 0)
        return -1;
    return wb_store_commit(&w, format, name);
}
