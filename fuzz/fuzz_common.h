/*
 * Shared by the libFuzzer harnesses: an environment per input, a start-section
 * check (a start function may loop: harnesses that instantiate give it fuel),
 * and the natives a spec module imports (spectest), so more inputs link.
 */
#ifndef WB_FUZZ_COMMON_H
#define WB_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wasmbed.h"

/* Budget per call: enough for every spec module's exports, small enough that
 * an endless loop ends in microseconds (instruction-metering is compiled in). */
#define FUZZ_FUEL 200000u

static wb_status fuzz_nop(wb_ctx *ctx, const wb_value *args, wb_value *results)
{
    (void)ctx; (void)args; (void)results;
    return WB_OK;
}

static wb_env *fuzz_env(void)
{
    wb_config cfg;
    wb_env *env = NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.max_call_depth = 256;
    cfg.value_stack_slots = 1u << 14;
    if (wb_env_new(&cfg, &env) != WB_OK)
        return NULL;
    wb_env_set_fuel(env, FUZZ_FUEL);
    wb_register_native(env, "spectest", "print", ":", fuzz_nop, NULL);
    wb_register_native(env, "spectest", "print_i32", "i:", fuzz_nop, NULL);
    wb_register_native(env, "spectest", "print_i64", "I:", fuzz_nop, NULL);
    wb_register_native(env, "spectest", "print_f32", "f:", fuzz_nop, NULL);
    wb_register_native(env, "spectest", "print_f64", "F:", fuzz_nop, NULL);
    wb_register_native(env, "spectest", "print_i32_f32", "if:", fuzz_nop, NULL);
    wb_register_native(env, "spectest", "print_f64_f64", "FF:", fuzz_nop, NULL);
    return env;
}

#endif /* WB_FUZZ_COMMON_H */
