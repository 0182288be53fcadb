/*
 * fast-interp and per-instance running modes through the embedding API
 * (tests/test_fast_interp.py). usage: fast_interp_api main.wasm caller.wasm
 * main.wasm exports fib, sum, pick, ind, twice_plus (imports env.twice);
 * caller.wasm imports a.fib and exports callfib. Prints OK at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_file.h"
#include "wasmbed.h"

#define CHECK(c)                                                          \
    do {                                                                  \
        if (!(c)) {                                                       \
            printf("FAIL line %d: %s (%s)\n", __LINE__, #c, wb_last_error(env)); \
            exit(1);                                                      \
        }                                                                 \
    } while (0)

static wb_status twice(wb_ctx *ctx, const wb_value *args, wb_value *res)
{
    (void)ctx;
    res[0].type = WB_I32;
    res[0].of.i32 = args[0].of.i32 * 2u;
    return WB_OK;
}

static int64_t call1(wb_env *env, wb_instance *inst, const char *name, int32_t a)
{
    wb_func *f;
    wb_value arg, res;
    wb_status st;
    CHECK(wb_export_func(inst, name, &f) == WB_OK);
    arg.type = WB_I32;
    arg.of.i64 = 0;
    arg.of.i32 = (uint32_t)a;
    memset(&res, 0, sizeof res);
    st = wb_call(env, f, &arg, 1, &res, 1);
    if (st == WB_ERR_TRAP)
        return -1000000 - (int64_t)strlen(wb_last_error(env));
    CHECK(st == WB_OK);
    return res.type == WB_I64 ? (int64_t)res.of.i64 : (int64_t)(int32_t)res.of.i32;
}

/* every export of main.wasm in one instance: the same answers in both modes */
static void check_main(wb_env *env, wb_instance *inst)
{
    CHECK(call1(env, inst, "fib", 20) == 6765);
    CHECK(call1(env, inst, "sum", 1000) == 499500);
    CHECK(call1(env, inst, "pick", 0) == 10);
    CHECK(call1(env, inst, "pick", 2) == 30);
    CHECK(call1(env, inst, "pick", 99) == 40);
    CHECK(call1(env, inst, "ind", 0) == 6765);
    CHECK(call1(env, inst, "ind", 1) == 499500);
    CHECK(call1(env, inst, "ind", 7) == -1000000 - (int64_t)strlen("undefined element"));
    CHECK(call1(env, inst, "twice_plus", 20) == 41);
}

int main(int argc, char **argv)
{
    uint32_t n1, n2, fallback = 99;
    uint8_t *b1, *b2;
    wb_env *env = NULL;
    wb_module *m, *mc;
    wb_instance *fast, *classic, *caller;
    if (argc != 3)
        return 2;
    b1 = read_file(argv[1], &n1);
    b2 = read_file(argv[2], &n2);
    if (!b1 || !b2 || wb_env_new(NULL, &env))
        return 2;
    CHECK(wb_register_native(env, "env", "twice", "i:i", twice, NULL) == WB_OK);
    CHECK(wb_module_load(env, b1, n1, &m) == WB_OK);
    CHECK(wb_module_code_bytes(m, WB_MODE_FAST_INTERP, NULL) == 0); /* not translated yet */
    /* a fast-interp build: instances run fast-interp by default */
    CHECK(wb_instantiate(env, m, &fast) == WB_OK);
    CHECK(wb_instance_running_mode(fast) == WB_MODE_FAST_INTERP);
    CHECK(wb_module_code_bytes(m, WB_MODE_INTERP, NULL) > 0);
    CHECK(wb_module_code_bytes(m, WB_MODE_FAST_INTERP, &fallback) > 0);
    CHECK(fallback == 0); /* every function of main.wasm is translated */
    printf("code bytes: interp %u fast-interp %u\n",
           (unsigned)wb_module_code_bytes(m, WB_MODE_INTERP, NULL),
           (unsigned)wb_module_code_bytes(m, WB_MODE_FAST_INTERP, NULL));
    /* the environment's default, then one instance of the same module in each mode */
    CHECK(wb_env_set_running_mode(env, WB_MODE_INTERP) == WB_OK);
    CHECK(wb_instantiate(env, m, &classic) == WB_OK);
    CHECK(wb_instance_running_mode(classic) == WB_MODE_INTERP);
    CHECK(wb_instance_running_mode(fast) == WB_MODE_FAST_INTERP);
    check_main(env, fast);
    check_main(env, classic);
    /* switched between calls, both ways */
    CHECK(wb_instance_set_running_mode(fast, WB_MODE_INTERP) == WB_OK);
    CHECK(wb_instance_running_mode(fast) == WB_MODE_INTERP);
    check_main(env, fast);
    CHECK(wb_instance_set_running_mode(classic, WB_MODE_FAST_INTERP) == WB_OK);
    CHECK(wb_instance_running_mode(classic) == WB_MODE_FAST_INTERP);
    check_main(env, classic);
    CHECK(wb_instance_set_running_mode(classic, (wb_running_mode)7) == WB_ERR_ARGS);
    /* calls across modes: a fast instance calling into a classic one and back */
    CHECK(wb_register_instance(env, "a", fast) == WB_OK); /* fast is classic now */
    CHECK(wb_module_load(env, b2, n2, &mc) == WB_OK);
    CHECK(wb_env_set_running_mode(env, WB_MODE_FAST_INTERP) == WB_OK);
    CHECK(wb_instantiate(env, mc, &caller) == WB_OK);
    CHECK(wb_instance_running_mode(caller) == WB_MODE_FAST_INTERP);
    CHECK(call1(env, caller, "callfib", 15) == 610 + 1);
    CHECK(wb_instance_set_running_mode(fast, WB_MODE_FAST_INTERP) == WB_OK);
    CHECK(call1(env, caller, "callfib", 15) == 610 + 1);
    CHECK(wb_instance_set_running_mode(caller, WB_MODE_INTERP) == WB_OK);
    CHECK(call1(env, caller, "callfib", 15) == 610 + 1);
    wb_env_free(env);
    free(b1);
    free(b2);
    printf("OK\n");
    return 0;
}
