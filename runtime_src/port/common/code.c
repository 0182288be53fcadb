/*
 * Code memory for AOT modules on bare metal: RAM is executable (no MMU, no
 * MPU set up by wasmbed), so the runtime keeps code in its own heap; sealing
 * only makes the instruction stream see the freshly written bytes.
 */
#include <stddef.h>
#include <stdint.h>

#include "wb_port.h"

void *wb_port_code_alloc(size_t size)
{
    (void)size;
    return NULL;
}

void wb_port_code_seal(void *code, size_t size)
{
#if defined(__mips__)
    /* clang emits a call to __clear_cache for MIPS, which the bare-metal runtime
     * library lacks: write back D-cache lines and invalidate I-cache lines (synci,
     * MIPS32r2; the line step comes from hardware register 1) */
#if defined(__mips_isa_rev) && __mips_isa_rev >= 2
    uintptr_t p = (uintptr_t)code, end = p + size, step;
    __asm__ volatile("rdhwr %0, $1" : "=r"(step));
    if (step) {
        for (p &= ~(step - 1u); p < end; p += step)
            __asm__ volatile("synci 0(%0)" : : "r"(p) : "memory");
        __asm__ volatile("sync" : : : "memory");
    }
#else
    (void)code;
    (void)size;
#endif
#elif defined(__XTENSA__)
    /* clang emits a call to __clear_cache here too. Our Xtensa code memory is fetched
     * without an instruction cache in between (the ESP32's IRAM; QEMU models none), so
     * finishing the stores (memw) and the fetch pipeline (isync) is enough; a cached core
     * would need dhwb/ihi, which clang-22's assembler does not know */
    (void)code;
    (void)size;
    __asm__ volatile("memw\n\tisync" : : : "memory");
#else
    __builtin___clear_cache((char *)code, (char *)code + size);
#endif
}

void wb_port_code_free(void *code, size_t size)
{
    (void)code;
    (void)size;
}
