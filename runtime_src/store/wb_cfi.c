/* CFI-01 (Intel command set) erase and program on a 32-bit bus (see wb_cfi.h). */
#include "wb_cfi.h"

#define CFI_READ_ARRAY 0xFFu
#define CFI_CLEAR_STATUS 0x50u
#define CFI_ERASE 0x20u
#define CFI_CONFIRM 0xD0u
#define CFI_PROGRAM 0x40u
#define CFI_READY 0x80u
#define CFI_ERRORS 0x3Au /* erase, program, Vpp, block-locked errors */

static volatile uint32_t *word(const wb_cfi *cfi, uint32_t offset)
{
    return (volatile uint32_t *)(cfi->base + offset);
}

static int wait_ready(volatile uint32_t *at)
{
    uint32_t status, spins = 0;
    do {
        status = *at;
        if (++spins == 0u)
            return -1;
    } while (!(status & CFI_READY));
    *at = CFI_CLEAR_STATUS;
    *at = CFI_READ_ARRAY;
    return (status & CFI_ERRORS) ? -1 : 0;
}

int wb_cfi_erase(void *user, uint32_t offset, uint32_t length)
{
    const wb_cfi *cfi = (const wb_cfi *)user;
    uint32_t at;
    if (offset % cfi->sector || length % cfi->sector)
        return -1;
    for (at = offset; at < offset + length; at += cfi->sector) {
        volatile uint32_t *w = word(cfi, at);
        *w = CFI_ERASE;
        *w = CFI_CONFIRM;
        if (wait_ready(w) != 0)
            return -1;
    }
    return 0;
}

int wb_cfi_program(void *user, uint32_t offset, const uint8_t *data, uint32_t length)
{
    const wb_cfi *cfi = (const wb_cfi *)user;
    uint32_t i = 0, start = offset & ~3u;
    /* whole 32-bit words; bytes outside [offset, offset+length) keep what the flash
     * holds (read first, in read-array mode): programming them again changes nothing on a
     * NOR part, and QEMU's pflash, which stores the word as given, keeps them too */
    for (; start < offset + length; start += 4u) {
        uint32_t value = 0, b;
        volatile uint32_t *w = word(cfi, start);
        uint32_t old = *w;
        for (b = 0; b < 4u; b++) {
            uint32_t at = start + b;
            uint32_t byte = (at >= offset && at < offset + length) ? data[i++]
                                                                    : (old >> (8u * b)) & 0xFFu;
            value |= byte << (8u * b);
        }
        *w = CFI_PROGRAM;
        *w = value;
        if (wait_ready(w) != 0)
            return -1;
    }
    return 0;
}

wb_store_flash wb_cfi_flash(wb_cfi *cfi)
{
    wb_store_flash f;
    f.user = cfi;
    f.erase = wb_cfi_erase;
    f.program = wb_cfi_program;
    return f;
}
