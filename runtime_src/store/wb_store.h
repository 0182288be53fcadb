/* The A/B app store on flash (docs/appstore.md): pick the slot to boot, push a module.
 *
 * Reading works on the store mapped in memory (NOR flash is memory mapped on every board
 * that has one here); writing goes through the board's flash operations. No libc. */
#ifndef WB_STORE_H
#define WB_STORE_H

#include <stddef.h>
#include <stdint.h>

#define WB_STORE_MAGIC 0x50414257u /* "WBAP" little endian */
#define WB_STORE_HEADER 64u
#define WB_STORE_NAME 32u
#define WB_STORE_WASM 1u
#define WB_STORE_AOT 2u

typedef struct wb_store_slot {
    int valid;
    const char *why; /* "" when valid, else the first check that failed */
    uint32_t version, format, length, crc;
    char name[WB_STORE_NAME + 1];
    const uint8_t *payload; /* inside the mapped store */
} wb_store_slot;

/* Flash operations of a board, offsets from the start of the store. Each returns 0 on
 * success. `erase` gets sector-aligned ranges; `program` only clears bits (NOR). */
typedef struct wb_store_flash {
    void *user;
    int (*erase)(void *user, uint32_t offset, uint32_t length);
    int (*program)(void *user, uint32_t offset, const uint8_t *data, uint32_t length);
} wb_store_flash;

uint32_t wb_store_crc32(uint32_t crc, const uint8_t *data, size_t length);

/* Judge slot `index` (0 = A, 1 = B) of a store of `size` bytes mapped at `store`. */
void wb_store_read(const uint8_t *store, uint32_t size, int index, wb_store_slot *out);

/* The slot to boot: the valid one with the larger version; -1 when none is valid. */
int wb_store_boot(const uint8_t *store, uint32_t size, wb_store_slot *out);

/* A push in steps (the agent's STORE_* frames stream a module into flash):
 * wb_store_begin erases the slot that does not hold the newest valid app (so the app that
 * boots now is never touched), wb_store_write programs the next payload bytes in order,
 * wb_store_commit checks the CRC-32 of what the flash now holds against the bytes given,
 * then programs the header fields and the magic word last. Each returns -1 on failure
 * (too big, bad name, a flash operation failed, the flash does not hold the bytes). */
typedef struct wb_store_writer {
    const uint8_t *store;
    uint32_t size;
    const wb_store_flash *flash;
    int target;       /* the slot being written: 0 = A, 1 = B */
    uint32_t version; /* newest valid version + 1 */
    uint32_t length;  /* payload bytes announced */
    uint32_t filled;  /* payload bytes programmed so far */
    uint32_t crc;     /* CRC-32 of those bytes */
} wb_store_writer;

/* Returns the target slot (0 or 1), or -1. */
int wb_store_begin(wb_store_writer *w, const uint8_t *store, uint32_t size,
                   const wb_store_flash *flash, uint32_t length);
int wb_store_write(wb_store_writer *w, const uint8_t *data, uint32_t n);
/* Returns the slot committed (0 or 1), or -1. */
int wb_store_commit(wb_store_writer *w, uint32_t format, const char *name);

/* 1 when `name` fits the header (at most WB_STORE_NAME bytes), else 0. */
int wb_store_name_fits(const char *name);

/* The three steps at once: write `module` into the slot that does not hold the newest
 * valid app: erase it, program the payload, the header fields, then the magic word last.
 * Returns the slot written (0 or 1), or -1 (too big, bad name, a flash operation failed). */
int wb_store_push(const uint8_t *store, uint32_t size, const wb_store_flash *flash,
                  const uint8_t *module, uint32_t length, uint32_t format, const char *name);

#endif
