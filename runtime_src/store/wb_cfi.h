/* A CFI flash with the Intel/Sharp command set (CFI-01) on a 32-bit bus, memory mapped:
 * QEMU's pflash on the riscv `virt` machine. Erase and program operations for the app
 * store (wb_store.h); offsets are from `base`, the start of the store in the flash. */
#ifndef WB_CFI_H
#define WB_CFI_H

#include <stdint.h>

#include "wb_store.h"

typedef struct wb_cfi {
    uintptr_t base;   /* address of the store inside the mapped flash */
    uint32_t sector;  /* erase block size in bytes */
} wb_cfi;

int wb_cfi_erase(void *user, uint32_t offset, uint32_t length);
int wb_cfi_program(void *user, uint32_t offset, const uint8_t *data, uint32_t length);

/* The erase/program pair for wb_store_push. */
wb_store_flash wb_cfi_flash(wb_cfi *cfi);

#endif
