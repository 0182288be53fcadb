/*
 * The contract between ahead-of-time compiled code and the runtime.
 *
 * This header is self-contained (stdint only): the AOT compiler
 * (wasmbed/aot/emit.py) pastes it into every generated C file, and
 * runtime_src/core/wb_aot.c includes it. Generated code reaches the runtime
 * only through the one wb_aot_ctx pointer every function receives, so the
 * code blob needs no symbol of the runtime: its only relocations are
 * internal (see docs/aot.md). Bump WB_AOT_ABI_VERSION on any change here.
 */
#ifndef WB_AOT_ABI_H
#define WB_AOT_ABI_H

#include <stdint.h>

#define WB_AOT_ABI_VERSION 3u

/* trap codes in wb_aot_ctx.trap; the runtime maps them to the spec's words */
#define WB_AOT_TRAP_NONE 0u
#define WB_AOT_TRAP_UNREACHABLE 1u
#define WB_AOT_TRAP_MEMORY 2u      /* out of bounds memory access      */
#define WB_AOT_TRAP_DIV_ZERO 3u    /* integer divide by zero           */
#define WB_AOT_TRAP_OVERFLOW 4u    /* integer overflow                 */
#define WB_AOT_TRAP_CONVERSION 5u  /* invalid conversion to integer    */
#define WB_AOT_TRAP_UNDEFINED 6u   /* undefined element                */
#define WB_AOT_TRAP_UNINIT 7u      /* uninitialized element            */
#define WB_AOT_TRAP_SIGNATURE 8u   /* indirect call type mismatch      */
#define WB_AOT_TRAP_TABLE 9u       /* out of bounds table access       */
#define WB_AOT_TRAP_EXHAUSTED 10u  /* call stack exhausted             */
#define WB_AOT_TRAP_STATUS 11u     /* a runtime call failed: status in ctx */
/* a return_call left its callee and arguments in ctx->tail: never seen by the runtime,
 * the module's own call sites and entry trampolines run the pending call (emit_ctl.py) */
#define WB_AOT_TRAP_TAIL 12u
/* ctx->status of a wasm exception in flight (legacy EH; = WB_ERR_EXCEPTION): the
 * runtime's env holds its tag and payload, as for the interpreter */
#define WB_AOT_STATUS_EXCEPTION 12u
#define WB_AOT_EH_PAYLOAD 8u       /* payload slots kept for rethrow (WB_EH_PAYLOAD) */

/* Prefix of the runtime's linear memory object (checked in wb_aot.c). */
typedef struct wb_aot_mem {
    uint8_t *data;
    uint32_t pages;
} wb_aot_mem;

typedef struct wb_aot_ctx wb_aot_ctx;

/* Runtime services. Every function that can fail sets ctx->trap. */
typedef struct wb_aot_rt {
    uint32_t (*f32_round)(uint32_t bits, int mode); /* 0 nearest 1 floor 2 ceil 3 trunc */
    uint64_t (*f64_round)(uint64_t bits, int mode);
    uint32_t (*f32_sqrt)(uint32_t bits);
    uint64_t (*f64_sqrt)(uint64_t bits);
    uint32_t (*f32_minmax)(uint32_t a, uint32_t b, int max);
    uint64_t (*f64_minmax)(uint64_t a, uint64_t b, int max);
    /* kind as wb_trunc: bit0 64-bit result, bit1 unsigned, bit2 f64 source, bit3 saturating */
    uint64_t (*trunc)(wb_aot_ctx *c, uint64_t bits, uint32_t kind);
    /* call function `func` of this instance (an import, or any function) with
     * its parameters in slots[]; results come back in slots[] */
    void (*call)(wb_aot_ctx *c, uint32_t func, uint64_t *slots);
    void (*call_indirect)(wb_aot_ctx *c, uint32_t table, uint32_t type, uint32_t elem,
                          uint64_t *slots);
    int32_t (*memory_grow)(wb_aot_ctx *c, uint32_t mem, uint32_t delta);
    void (*memory_init)(wb_aot_ctx *c, uint32_t seg, uint32_t d, uint32_t s, uint32_t n);
    void (*data_drop)(wb_aot_ctx *c, uint32_t seg);
    void (*memory_copy)(wb_aot_ctx *c, uint32_t d, uint32_t s, uint32_t n);
    void (*memory_fill)(wb_aot_ctx *c, uint32_t d, uint32_t v, uint32_t n);
    uintptr_t (*table_get)(wb_aot_ctx *c, uint32_t t, uint32_t i);
    void (*table_set)(wb_aot_ctx *c, uint32_t t, uint32_t i, uintptr_t v);
    uint32_t (*table_size)(wb_aot_ctx *c, uint32_t t);
    int32_t (*table_grow)(wb_aot_ctx *c, uint32_t t, uintptr_t init, uint32_t n);
    void (*table_fill)(wb_aot_ctx *c, uint32_t t, uint32_t d, uintptr_t v, uint32_t n);
    void (*table_copy)(wb_aot_ctx *c, uint32_t dt, uint32_t st, uint32_t d, uint32_t s,
                       uint32_t n);
    void (*table_init)(wb_aot_ctx *c, uint32_t t, uint32_t seg, uint32_t d, uint32_t s,
                       uint32_t n);
    void (*elem_drop)(wb_aot_ctx *c, uint32_t seg);
    /* memory64 / multi-memory: the bulk operations on any memory, 64-bit addresses and
     * lengths (32-bit operands zero-extended by the caller) */
    void (*memory_init_x)(wb_aot_ctx *c, uint32_t mem, uint32_t seg, uint64_t d, uint32_t s,
                          uint32_t n);
    void (*memory_copy_x)(wb_aot_ctx *c, uint32_t dm, uint32_t sm, uint64_t d, uint64_t s,
                          uint64_t n);
    void (*memory_fill_x)(wb_aot_ctx *c, uint32_t mem, uint64_t d, uint32_t v, uint64_t n);
    /* threads: atomic instruction `sub` (0xFE sub-opcode) at byte address ea of memory
     * `mem` (UINT64_MAX: the address wrapped); a, b: the operands after the address.
     * Returns the instruction's result (0 for stores and the fence). */
    uint64_t (*atomic)(wb_aot_ctx *c, uint32_t mem, uint32_t sub, uint64_t ea, uint64_t a,
                       uint64_t b);
} wb_aot_rt;

/* Services for tail calls and legacy exception handling (wb_aot_ctl.c). */
typedef struct wb_aot_ctl_rt {
    /* return_call_indirect: the function of element `elem` after the checks of
     * call_indirect (traps set), as an index of this instance when it is one of its own
     * functions, UINT32_MAX when it belongs to another instance */
    uint32_t (*resolve)(wb_aot_ctx *c, uint32_t table, uint32_t type, uint32_t elem);
    uintptr_t (*tag)(wb_aot_ctx *c, uint32_t idx); /* identity of tag idx        */
    uintptr_t (*exn_tag)(wb_aot_ctx *c);           /* the exception's tag        */
    /* copy the exception's payload (at most WB_AOT_EH_PAYLOAD slots) */
    void (*exn_take)(wb_aot_ctx *c, uint64_t *vals);
    /* throw: tag identity and payload (sets trap STATUS, status EXCEPTION) */
    void (*throw_)(wb_aot_ctx *c, uintptr_t tag, const uint64_t *vals);
    /* SIMD instruction `sub` (0xFD sub-opcode) on the n operand slots in s[] (a v128
     * takes two: bytes 0..7, 8..15); its result comes back in s[0] (s[1]). imm: memory
     * access {offset low, memory, offset high[, lane]}, shuffle the 16 lane bytes in 4
     * little-endian words, extract/replace {lane}. Out of bounds: trap STATUS. */
    void (*simd)(wb_aot_ctx *c, uint32_t sub, const uint32_t *imm, uint64_t *s, uint32_t n);
} wb_aot_ctl_rt;

/* One per instance of an AOT module. */
struct wb_aot_ctx {
    const wb_aot_rt *rt;
    wb_aot_mem **mems;   /* the instance's memories                       */
    uint64_t **globals;  /* each points at the global's 64-bit value slot */
    uintptr_t *funcs;    /* function handles (ref.func)                   */
    uint32_t trap;       /* WB_AOT_TRAP_*, 0 while running normally       */
    uint32_t status;     /* wb_status when trap == WB_AOT_TRAP_STATUS     */
    uint32_t depth, max_depth;
    uintptr_t stack_limit; /* native stack may not grow below this      */
    void *inst;          /* the runtime's instance                        */
    const wb_aot_ctl_rt *ctl; /* tail calls, exceptions                    */
    uint64_t *tail;      /* a pending return_call's arguments (generated code's buffer) */
    uint32_t tail_func;  /* ... and its function index                    */
};

/* Every function of an AOT module has a trampoline of this type. */
typedef void (*wb_aot_tramp)(wb_aot_ctx *c, uint64_t *slots);

#endif /* WB_AOT_ABI_H */
