/* Reset entry for the bare-metal example: a stack, a zeroed .bss, then the
 * embedder; its return value powers the machine off (wb_port_exit). */
#include <stdint.h>

#include "wb_port.h"

int embed_builtin(uint32_t n);

extern char __bss_start[], __bss_end[];

void example_main(void);

__attribute__((naked, section(".text.start"))) void _start(void)
{
    __asm__ volatile("la sp, __stack_top\n"
                     "call example_main\n"
                     "1: j 1b\n");
}

void example_main(void)
{
    for (char *p = __bss_start; p < __bss_end; p++)
        *(volatile char *)p = 0;
    wb_port_init();
    wb_port_exit(embed_builtin(20u));
}
