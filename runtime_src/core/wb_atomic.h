/*
 * The threads proposal's 0xFE instructions, decoded by sub-opcode: shared
 * by the validator (wb_compile.c) and the interpreter's atomic family
 * (wb_atomic.c). The compiler emits OP_EXT, WB_EXT_ATOMIC + sub, then the
 * memarg offset (fence: nothing).
 */
#ifndef WB_ATOMIC_H
#define WB_ATOMIC_H

#include <stdint.h>

enum {
    WB_AT_NOTIFY,  /* 0x00 memory.atomic.notify   [i32 i32] -> [i32]     */
    WB_AT_WAIT,    /* 0x01/0x02 wait32 / wait64  [i32 t i64] -> [i32]   */
    WB_AT_FENCE,   /* 0x03 atomic.fence (one zero byte)                  */
    WB_AT_LOAD,    /* 0x10..0x16                 [i32] -> [t]            */
    WB_AT_STORE,   /* 0x17..0x1D                 [i32 t] -> []           */
    WB_AT_RMW,     /* 0x1E..0x47 add sub and or xor xchg  [i32 t] -> [t] */
    WB_AT_CMPXCHG, /* 0x48..0x4E                 [i32 t t] -> [t]        */
    WB_AT_BAD
};

/* RMW operations, in opcode order */
enum { WB_RMW_ADD, WB_RMW_SUB, WB_RMW_AND, WB_RMW_OR, WB_RMW_XOR, WB_RMW_XCHG };

typedef struct wb_atomic_op {
    uint8_t kind;  /* WB_AT_*                                  */
    uint8_t size;  /* bytes accessed: 1, 2, 4 or 8 (0: fence)  */
    uint8_t is64;  /* the value operand/result is an i64       */
    uint8_t rmw;   /* WB_RMW_* for WB_AT_RMW                   */
} wb_atomic_op;

static inline wb_atomic_op wb_atomic_decode(uint32_t sub)
{
    /* the seven widths of every load / store / rmw group, in opcode order:
     * i32, i64, i32 8u, i32 16u, i64 8u, i64 16u, i64 32u */
    static const uint8_t sz[7] = {4, 8, 1, 2, 1, 2, 4};
    static const uint8_t w64[7] = {0, 1, 0, 0, 1, 1, 1};
    wb_atomic_op o;
    o.kind = WB_AT_BAD;
    o.size = 0;
    o.is64 = 0;
    o.rmw = 0;
    if (sub == 0x00) {
        o.kind = WB_AT_NOTIFY;
        o.size = 4;
    } else if (sub == 0x01 || sub == 0x02) {
        o.kind = WB_AT_WAIT;
        o.size = sub == 0x01 ? 4 : 8;
        o.is64 = (uint8_t)(sub == 0x02);
    } else if (sub == 0x03) {
        o.kind = WB_AT_FENCE;
    } else if (sub >= 0x10 && sub <= 0x4E) {
        uint32_t k = (sub - 0x10u) % 7u, g = (sub - 0x10u) / 7u;
        o.size = sz[k];
        o.is64 = w64[k];
        if (g == 0)
            o.kind = WB_AT_LOAD;
        else if (g == 1)
            o.kind = WB_AT_STORE;
        else if (g == 8)
            o.kind = WB_AT_CMPXCHG;
        else {
            o.kind = WB_AT_RMW;
            o.rmw = (uint8_t)(g - 2u);
        }
    }
    return o;
}

#endif /* WB_ATOMIC_H */
