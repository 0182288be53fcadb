/*
 * The example port for bare metal (QEMU's riscv64 `virt` machine): a 16550
 * UART for the console, the CLINT's mtime for time, the SiFive test device
 * to power off. No allocator: the runtime takes its memory from its own
 * static pool (built with WB_FEATURE_GLOBAL_HEAP_POOL=1, WB_PORT_HAS_MALLOC=0).
 * memcpy/memset/memmove/memcmp come from runtime_src/port/common/mem.c.
 * A new board changes the three addresses and the two register accesses.
 */
#include <stddef.h>
#include <stdint.h>

#include "wb_port.h"

#define UART_BASE 0x10000000u   /* ns16550: THR/RBR at +0, LSR at +5 */
#define CLINT_MTIME 0x0200bff8u /* 10 MHz */
#define TEST_DEVICE 0x00100000u /* write 0x5555: pass, (code << 16) | 0x3333: fail */

#define REG8(a) (*(volatile uint8_t *)(uintptr_t)(a))

void wb_port_init(void) {}

void wb_port_putc(int c)
{
    while (!(REG8(UART_BASE + 5) & 0x20u)) /* transmitter holding register empty */
        ;
    REG8(UART_BASE) = (uint8_t)c;
}

void wb_port_write(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len--)
        wb_port_putc(*p++);
}

int wb_port_getc(void)
{
    while (!(REG8(UART_BASE + 5) & 0x01u)) /* data ready */
        ;
    return REG8(UART_BASE);
}

uint64_t wb_port_time_us(void) { return *(volatile uint64_t *)(uintptr_t)CLINT_MTIME / 10u; }

void wb_port_exit(int code)
{
    *(volatile uint32_t *)(uintptr_t)TEST_DEVICE =
        code == 0 ? 0x5555u : ((uint32_t)code << 16) | 0x3333u;
    for (;;)
        ;
}

/* WB_PORT_HAS_MALLOC is 0: the runtime never calls these. */
void *wb_port_malloc(size_t size)
{
    (void)size;
    return NULL;
}

void wb_port_free(void *ptr) { (void)ptr; }

void *wb_port_code_alloc(size_t size)
{
    (void)size;
    return NULL;
}

void wb_port_code_seal(void *code, size_t size)
{
    (void)code;
    (void)size;
}

void wb_port_code_free(void *code, size_t size)
{
    (void)code;
    (void)size;
}
