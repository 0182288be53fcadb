/*
 * Code memory for AOT modules on bare metal: RAM is executable (no MMU, no
 * MPU set up by wasmbed), so the runtime keeps code in its own heap; sealing
 * only makes the instruction stream see the freshly written bytes.
 */
#include <stddef.h>

#include "wb_port.h"

void *wb_port_code_alloc(size_t size)
{
    (void)size;
    return NULL;
}

void wb_port_code_seal(void *code, size_t size)
{
    __builtin___clear_cache((char *)code, (char *)code + size);
}

void wb_port_code_free(void *code, size_t size)
{
    (void)code;
    (void)size;
}
