/*
 * Interpreter side of the wasmbed benchmark: embeds the runtime through
 * wasmbed.h, loads and instantiates one kernel module, then calls its
 * export once through bench_run() so callgrind counts only the call
 * (--toggle-collect=bench_run), not loading or instantiation.
 *
 * usage: host_bench <kernel.wasm> <export> <n>   prints "checksum <decimal>"
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wasmbed.h"

static uint8_t *read_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *bytes = NULL;
    long len = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        len = ftell(f);
    if (len >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        bytes = malloc(len ? (size_t)len : 1u);
        if (bytes && fread(bytes, 1, (size_t)len, f) != (size_t)len) {
            free(bytes);
            bytes = NULL;
        }
    }
    fclose(f);
    *size = (uint32_t)len;
    return bytes;
}

/* The measured region: one wb_call of the kernel, nothing else. */
__attribute__((noinline)) wb_status bench_run(wb_env *env, wb_func *fn,
                                              const wb_value *arg,
                                              wb_value *result)
{
    return wb_call(env, fn, arg, 1, result, 1);
}

static int fail(wb_env *env, const char *what, wb_status st)
{
    fprintf(stderr, "host_bench: %s failed (status %d): %s\n", what, (int)st,
            env ? wb_last_error(env) : "");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s <kernel.wasm> <export> <n>\n", argv[0]);
        return 2;
    }
    uint32_t size = 0;
    uint8_t *bytes = read_file(argv[1], &size);
    if (!bytes) {
        fprintf(stderr, "host_bench: cannot read %s\n", argv[1]);
        return 2;
    }
    wb_env *env = NULL;
    wb_module *mod = NULL;
    wb_instance *inst = NULL;
    wb_func *fn = NULL;
    wb_status st = wb_env_new(NULL, &env);
    if (st != WB_OK)
        return fail(NULL, "wb_env_new", st);
    st = wb_module_load(env, bytes, size, &mod);
    free(bytes);
    if (st != WB_OK)
        return fail(env, "wb_module_load", st);
    if ((st = wb_instantiate(env, mod, &inst)) != WB_OK)
        return fail(env, "wb_instantiate", st);
    if ((st = wb_export_func(inst, argv[2], &fn)) != WB_OK)
        return fail(env, "wb_export_func", st);

    wb_value arg, result;
    arg.type = WB_I32;
    arg.of.i64 = 0;
    arg.of.i32 = (uint32_t)atoi(argv[3]);
    result.type = WB_I64;
    result.of.i64 = 0;
    if ((st = bench_run(env, fn, &arg, &result)) != WB_OK)
        return fail(env, "wb_call", st);
    if (result.type != WB_I64) {
        fprintf(stderr, "host_bench: %s returned type 0x%02x, not i64\n",
                argv[2], result.type);
        return 1;
    }
    printf("checksum %lld\n", (long long)(int64_t)result.of.i64);
#if defined(WB_FEATURE_FAST_INTERP) && WB_FEATURE_FAST_INTERP
    {   /* memory per module: compiled code of both modes (fast-interp builds) */
        uint32_t fallback = 0;
        size_t fast = wb_module_code_bytes(mod, WB_MODE_FAST_INTERP, &fallback);
        printf("code_bytes interp %zu fast-interp %zu fallback %u\n",
               wb_module_code_bytes(mod, WB_MODE_INTERP, NULL), fast, fallback);
    }
#endif
    wb_env_free(env);
    return 0;
}
