/*
 * memory64 and multi-memory: sub-ops of the extension range WB_EXT_MEM
 * (wb_ext.h), run by wb_ext_mem in wb_memx.c. Memory 0 with 32-bit
 * addresses keeps the interpreter's own load/store opcodes; an access to
 * another memory or with an i64 address compiles to one of these.
 *
 *   WB_MX_LOAD + (op - 0x28)  memidx off_lo off_hi   every load and store
 *   WB_MX_SIZE                memidx                 memory.size
 *   WB_MX_GROW                memidx                 memory.grow
 *   WB_MX_INIT                seg memidx             memory.init
 *   WB_MX_COPY                dst src                memory.copy
 *   WB_MX_FILL                memidx memidx          memory.fill
 *   WB_MX_NARROW              depth                  an i64 table index
 *       `depth` slots below the top saturated to 32 bits, so the ordinary
 *       table ops and call_indirect run on table64 tables unchanged.
 */
#ifndef WB_MEMX_H
#define WB_MEMX_H

enum {
    WB_MX_LOAD = 0x00, /* 0x00..0x16: wasm opcode 0x28..0x3E */
    WB_MX_SIZE = 0x20,
    WB_MX_GROW = 0x21,
    WB_MX_INIT = 0x22,
    WB_MX_COPY = 0x23,
    WB_MX_FILL = 0x24,
    WB_MX_NARROW = 0x25
};

#endif
