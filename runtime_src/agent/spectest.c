/*
 * The spec testsuite's `spectest` module, as the reference interpreter
 * defines it. A small wasm binary, assembled by hand below, imports seven
 * natives from "wbspec" and re-exports them together with its own table,
 * memory and globals; the instance is registered as "spectest" (a second one
 * with the memory replaces one without it on small heap pools: session.c).
 *
 *   (table 10 20 funcref) (memory 1 2)
 *   global_i32 = 666, global_i64 = 666, global_f32 = 666.6, global_f64 = 666.6
 *   print, print_i32, print_i64, print_f32, print_f64, print_i32_f32,
 *   print_f64_f64 (they print nothing: stdout carries the protocol).
 */
#include "agent.h"

#define S_WBSPEC 6, 'w', 'b', 's', 'p', 'e', 'c'
#define S_PRINT 'p', 'r', 'i', 'n', 't'

/* The binary in parts: agent builds with a small heap pool (session.c) make the instance
 * without the memory (and its export) until a module imports spectest.memory. */
#define SPECTEST_HEAD                                                                   \
    0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, /* magic, version 1   */            \
                                                                                        \
    /* type section: 7 function types */                                                \
    0x01, 30, 7,                                                                        \
    0x60, 0, 0,                   /* 0: []        -> [] */                              \
    0x60, 1, 0x7F, 0,             /* 1: [i32]     -> [] */                              \
    0x60, 1, 0x7E, 0,             /* 2: [i64]     -> [] */                              \
    0x60, 1, 0x7D, 0,             /* 3: [f32]     -> [] */                              \
    0x60, 1, 0x7C, 0,             /* 4: [f64]     -> [] */                              \
    0x60, 2, 0x7F, 0x7D, 0,       /* 5: [i32 f32] -> [] */                              \
    0x60, 2, 0x7C, 0x7C, 0,       /* 6: [f64 f64] -> [] */                              \
                                                                                        \
    /* import section: 7 functions from "wbspec" (size 138 = LEB 0x8A 0x01) */          \
    0x02, 0x8A, 0x01, 7,                                                                \
    S_WBSPEC, 5, S_PRINT, 0x00, 0,                                                      \
    S_WBSPEC, 9, S_PRINT, '_', 'i', '3', '2', 0x00, 1,                                  \
    S_WBSPEC, 9, S_PRINT, '_', 'i', '6', '4', 0x00, 2,                                  \
    S_WBSPEC, 9, S_PRINT, '_', 'f', '3', '2', 0x00, 3,                                  \
    S_WBSPEC, 9, S_PRINT, '_', 'f', '6', '4', 0x00, 4,                                  \
    S_WBSPEC, 13, S_PRINT, '_', 'i', '3', '2', '_', 'f', '3', '2', 0x00, 5,             \
    S_WBSPEC, 13, S_PRINT, '_', 'f', '6', '4', '_', 'f', '6', '4', 0x00, 6,             \
                                                                                        \
    /* table section: funcref, limits min 10 max 20 */                                  \
    0x04, 5, 1, 0x70, 0x01, 10, 20

/* memory section: limits min 1 max 2 */
#define SPECTEST_MEMORY 0x05, 4, 1, 0x01, 1, 2

#define SPECTEST_GLOBALS                                                                \
    /* global section: 4 immutable globals */                                           \
    0x06, 33, 4,                                                                        \
    0x7F, 0, 0x41, 0x9A, 0x05, 0x0B,                   /* i32.const 666   */            \
    0x7E, 0, 0x42, 0x9A, 0x05, 0x0B,                   /* i64.const 666   */            \
    0x7D, 0, 0x43, 0x66, 0xA6, 0x26, 0x44, 0x0B,       /* f32.const 666.6 */            \
    0x7C, 0, 0x44, 0xCD, 0xCC, 0xCC, 0xCC, 0xCC, 0xD4, 0x84, 0x40,                      \
    0x0B                                               /* f64.const 666.6 */

/* the 12 exports other than the memory (149 bytes with their count) */
#define SPECTEST_EXPORTS                                                                \
    5, S_PRINT, 0x00, 0,                                                                \
    9, S_PRINT, '_', 'i', '3', '2', 0x00, 1,                                            \
    9, S_PRINT, '_', 'i', '6', '4', 0x00, 2,                                            \
    9, S_PRINT, '_', 'f', '3', '2', 0x00, 3,                                            \
    9, S_PRINT, '_', 'f', '6', '4', 0x00, 4,                                            \
    13, S_PRINT, '_', 'i', '3', '2', '_', 'f', '3', '2', 0x00, 5,                       \
    13, S_PRINT, '_', 'f', '6', '4', '_', 'f', '6', '4', 0x00, 6,                       \
    5, 't', 'a', 'b', 'l', 'e', 0x01, 0,                                                \
    10, 'g', 'l', 'o', 'b', 'a', 'l', '_', 'i', '3', '2', 0x03, 0,                      \
    10, 'g', 'l', 'o', 'b', 'a', 'l', '_', 'i', '6', '4', 0x03, 1,                      \
    10, 'g', 'l', 'o', 'b', 'a', 'l', '_', 'f', '3', '2', 0x03, 2,                      \
    10, 'g', 'l', 'o', 'b', 'a', 'l', '_', 'f', '6', '4', 0x03, 3

static const uint8_t spectest_wasm[] = {
    SPECTEST_HEAD,
    SPECTEST_MEMORY,
    SPECTEST_GLOBALS,
    /* export section: 13 exports (size 158 = LEB 0x9E 0x01) */
    0x07, 0x9E, 0x01, 13,
    SPECTEST_EXPORTS,
    6, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0,
};

static const uint8_t spectest_nomem_wasm[] = {
    SPECTEST_HEAD,
    SPECTEST_GLOBALS,
    /* export section: 12 exports (size 149 = LEB 0x95 0x01) */
    0x07, 0x95, 0x01, 12,
    SPECTEST_EXPORTS,
};

#if WB_FEATURE_SHARED_MEMORY
/* (memory (export "shared_memory") 1 2 shared): beside the plain memory, which
 * one module cannot hold without multi-memory, so a second instance answers */
static const uint8_t spectest_shared_wasm[] = {
    0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
    0x05, 4, 1, 0x03, 1, 2, /* memory: shared, min 1 max 2 */
    0x07, 17, 1, 13, 's', 'h', 'a', 'r', 'e', 'd', '_', 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0,
};
#endif

static wb_status print_nothing(wb_ctx *ctx, const wb_value *args,
                               wb_value *results)
{
    (void)ctx;
    (void)args;
    (void)results;
    return WB_OK;
}

static const char *const natives[][2] = {
    {"print", ":"},         {"print_i32", "i:"},     {"print_i64", "I:"},
    {"print_f32", "f:"},    {"print_f64", "F:"},     {"print_i32_f32", "if:"},
    {"print_f64_f64", "FF:"},
};

wb_status spectest_natives(wb_env *env)
{
    wb_status st;
    size_t i;
    for (i = 0; i < sizeof natives / sizeof natives[0]; i++) {
        st = wb_register_native(env, "wbspec", natives[i][0], natives[i][1],
                                print_nothing, NULL);
        if (st != WB_OK)
            return st;
    }
    return WB_OK;
}

wb_status spectest_install(wb_env *env, int with_memory)
{
    wb_module *m;
    wb_instance *inst;
    wb_status st;
    st = with_memory ? wb_module_load(env, spectest_wasm, (uint32_t)sizeof spectest_wasm, &m)
                     : wb_module_load(env, spectest_nomem_wasm,
                                      (uint32_t)sizeof spectest_nomem_wasm, &m);
    if (st != WB_OK)
        return st;
    st = wb_instantiate(env, m, &inst);
    if (st != WB_OK) {
        wb_module_free(m); /* nothing left behind: a later module may try again */
        return st;
    }
    /* Owned by the environment: released by wb_env_free on RESET. */
    st = wb_register_instance(env, "spectest", inst);
#if WB_FEATURE_SHARED_MEMORY
    if (st == WB_OK && with_memory)
        st = wb_module_load(env, spectest_shared_wasm, (uint32_t)sizeof spectest_shared_wasm, &m);
    if (st == WB_OK)
        st = wb_instantiate(env, m, &inst);
    if (st == WB_OK)
        st = wb_register_instance_extra(env, "spectest", inst);
#endif
    return st;
}
