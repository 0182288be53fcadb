/*
 * The example port for a hosted C environment: nothing but ISO C (stdio,
 * stdlib, time), so it builds with any C compiler on any OS. Every function
 * of wb_port.h's core contract is here; the libc-wasi part is not needed
 * (the example does not select that feature).
 *
 * usage: embed_host [N [module.wasm]]   prints "fib(N) = ..." (default N 20,
 *        the module built into the program)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wb_port.h"

int embed_run(const uint8_t *bytes, uint32_t size, uint32_t n);
int embed_builtin(uint32_t n);

void wb_port_init(void) {}

void wb_port_write(const void *buf, size_t len)
{
    fwrite(buf, 1, len, stdout);
    fflush(stdout);
}

void wb_port_putc(int c) { putchar(c); }

int wb_port_getc(void)
{
    int c = getchar();
    return c == EOF ? -1 : c;
}

uint64_t wb_port_time_us(void)
{
    return (uint64_t)clock() * 1000000u / CLOCKS_PER_SEC;
}

void wb_port_exit(int code) { exit(code); }

void *wb_port_malloc(size_t size) { return malloc(size); }

void wb_port_free(void *ptr) { free(ptr); }

/* No separate code memory: only AOT modules would ask for it. */
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

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 20u;
    wb_port_init();
    if (argc <= 2)
        return embed_builtin(n);
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        fprintf(stderr, "embed_host: cannot open %s\n", argv[2]);
        return 2;
    }
    static uint8_t bytes[1 << 20];
    size_t size = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    return embed_run(bytes, (uint32_t)size, n);
}
