/*
 * A minimal embedder: load a WebAssembly module, instantiate it, call its
 * export `fib` and print the result. It uses only wasmbed.h and the port
 * (wb_port.h): the same file runs as a host program (port_hosted.c) and on
 * bare metal (port_baremetal.c + start_riscv64.c). See README.md.
 */
#include <stddef.h>
#include <stdint.h>

#include "fib_wasm.h"
#include "wasmbed.h"
#include "wb_port.h"

static void put_str(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    wb_port_write(s, n);
}

static void put_u32(uint32_t v)
{
    char buf[10];
    int i = 10;
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    wb_port_write(buf + i, (size_t)(10 - i));
}

static int fail(wb_env *env, const char *what)
{
    put_str("embed: ");
    put_str(what);
    put_str(" failed: ");
    put_str(env ? wb_last_error(env) : "out of memory");
    put_str("\n");
    return 1;
}

/* Runs fib(n) from `bytes` (a module exporting fib: i32 -> i32); 0 on success. */
int embed_run(const uint8_t *bytes, uint32_t size, uint32_t n)
{
    wb_env *env = NULL;
    wb_module *mod = NULL;
    wb_instance *inst = NULL;
    wb_func *fib = NULL;
    if (wb_env_new(NULL, &env) != WB_OK)
        return fail(NULL, "wb_env_new");
    if (wb_module_load(env, bytes, size, &mod) != WB_OK)
        return fail(env, "wb_module_load");
    if (wb_instantiate(env, mod, &inst) != WB_OK)
        return fail(env, "wb_instantiate");
    if (wb_export_func(inst, "fib", &fib) != WB_OK)
        return fail(env, "wb_export_func(fib)");
    wb_value arg, result;
    arg.type = WB_I32;
    arg.of.i64 = 0;
    arg.of.i32 = n;
    result.type = WB_I32;
    result.of.i64 = 0;
    if (wb_call(env, fib, &arg, 1, &result, 1) != WB_OK)
        return fail(env, "wb_call(fib)");
    put_str("fib(");
    put_u32(n);
    put_str(") = ");
    put_u32(result.of.i32);
    put_str("\n");
    wb_env_free(env);
    return 0;
}

/* The module built into the program (fib_wasm.h). */
int embed_builtin(uint32_t n) { return embed_run(fib_wasm, sizeof fib_wasm, n); }
