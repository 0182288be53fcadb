/*
 * Size probe: the smallest program that pulls in everything an embedder of
 * the classic interpreter + mini loader + libc-builtin + global heap pool
 * uses (load, instantiate, look up an export, call it). It is linked with
 * --gc-sections only to measure the runtime's code size; it has no startup
 * code and is never run. The port functions write to a volatile sink, as a
 * UART data register would be written.
 */
#include <stdint.h>

#include "libc_builtin.h"
#include "wasmbed.h"
#include "wb_port.h"

/* (module (func (export "run") (result i32) i32.const 42)) */
static const uint8_t module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
    0x00, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x72,
    0x75, 0x6e, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b};

static volatile uint32_t sink; /* stands for a UART data register */
static volatile int32_t exit_code;

void wb_port_init(void) {}

void wb_port_putc(int c)
{
    sink = (uint32_t)c;
}

void wb_port_write(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len--)
        sink = *p++;
}

int wb_port_getc(void)
{
    return (int)(sink & 0xffu);
}

uint64_t wb_port_time_us(void)
{
    return sink;
}

void wb_port_exit(int code)
{
    exit_code = code;
    for (;;) {
    }
}

void size_entry(void);

void size_entry(void)
{
    wb_env *env = 0;
    wb_module *mod = 0;
    wb_instance *inst = 0;
    wb_func *fn = 0;
    wb_value result;
    int code = 1;
    if (wb_env_new(0, &env) == WB_OK && wb_libc_builtin_register(env) == WB_OK &&
        wb_module_load(env, module_bytes, sizeof module_bytes, &mod) == WB_OK &&
        wb_instantiate(env, mod, &inst) == WB_OK &&
        wb_export_func(inst, "run", &fn) == WB_OK &&
        wb_call(env, fn, 0, 0, &result, 1) == WB_OK)
        code = (int)result.of.i32;
    wb_env_free(env);
    wb_port_exit(code);
}
