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

int wb_store_push(const uint8_t *store, uint32_t size, const wb_store_flash *flash,
                  const uint8_t *module, uint32_t length, uint32_t format, const char *name)
{
    wb_store_slot now;
    uint8_t header[WB_STORE_HEADER];
    uint32_t slot_size = size / 2u, base, version, i;
    int current = wb_store_boot(store, size, &now), target;
    if (length > slot_size - WB_STORE_HEADER)
        return -1;
    target = current < 0 ? 0 : 1 - current;
    version = current < 0 ? 1u : now.version + 1u;
    base = (uint32_t)target * slot_size;
    for (i = 0; i < WB_STORE_HEADER; i++)
        header[i] = 0xFFu;
    put32(header + 4, version);
    put32(header + 8, format);
    put32(header + 12, length);
    put32(header + 16, wb_store_crc32(0, module, length));
    for (i = 0; i < WB_STORE_NAME; i++)
        header[20 + i] = 0;
    for (i = 0; name && name[i]; i++) {
        if (i == WB_STORE_NAME)
            return -1;
        header[20 + i] = (uint8_t)name[i];
    }
    put32(header + FIELDS_END, wb_store_crc32(0, header + 4, FIELDS_END - 4u));
    put32(header, WB_STORE_MAGIC);
    if (flash->erase(flash->user, base, slot_size) != 0)
        return -1;
    if (length && flash->program(flash->user, base + WB_STORE_HEADER, module, length) != 0)
        return -1;
    if (flash->program(flash->user, base + 4, header + 4, WB_STORE_HEADER - 4u) != 0)
        return -1;
    if (flash->program(flash->user, base, header, 4) != 0) /* the commit: last */
        return -1;
    return target;
}
