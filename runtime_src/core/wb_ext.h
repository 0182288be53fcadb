/*
 * Extension ops of the interpreter: the proposals whose instructions run
 * outside the hot loop (SIMD, atomics, memory64 / multi-memory, legacy
 * exception handling). The compiler emits OP_EXT, then a sub-op word from
 * one of the ranges below, then that sub-op's immediates. The interpreter
 * flushes the operand stack (every value in memory, sp one past the top),
 * fills a wb_extctx and calls wb_ext_exec; the family's function reads its
 * immediates from x->ip, pops and pushes slots through x->sp and returns
 * WB_OK or a trap/failure status (wb_fail). Each family lives in its own
 * file and is compiled in only with its feature.
 */
#ifndef WB_EXT_H
#define WB_EXT_H

#include "wb_internal.h"

enum {
    WB_EXT_SIMD = 0x0000,   /* 0x0000-0x01FF: 0xFD sub-opcode          */
    WB_EXT_ATOMIC = 0x0200, /* 0x0200-0x02FF: 0xFE sub-opcode + 0x200  */
    WB_EXT_MEM = 0x0300,    /* 0x0300-0x03FF: memory64, multi-memory   */
    WB_EXT_EH = 0x0400,     /* 0x0400-0x04FF: legacy exception handling */
    WB_EXT_END = 0x0500
};

typedef struct wb_extctx {
    wb_env *env;
    wb_instance *inst;     /* may change (EH unwinding across frames)  */
    wb_slot *fp;           /* frame base; may change likewise          */
    wb_slot *sp;           /* one past the top value (all in memory)   */
    const uint32_t *ip;    /* the sub-op's first immediate; advance it  */
    uint32_t depth;        /* frames[] depth of the running function    */
} wb_extctx;

wb_status wb_ext_exec(wb_extctx *x, uint32_t sub);

/* one per family; defined only when the family's feature is built */
wb_status wb_ext_simd(wb_extctx *x, uint32_t sub);
wb_status wb_ext_atomic(wb_extctx *x, uint32_t sub);
wb_status wb_ext_mem(wb_extctx *x, uint32_t sub);
wb_status wb_ext_eh(wb_extctx *x, uint32_t sub);

#endif
