/*
 * Internal opcodes of the compiled code. Most keep their WebAssembly
 * number (numeric ops, loads/stores, locals, globals); control flow gets
 * resolved forms; 0xFC-prefixed ops live at 0xE0 + sub-opcode.
 *
 * Code is a stream of 32-bit words: an opcode word, then immediates.
 * Branch targets are absolute word offsets into the module's code;
 * "off" is the frame slot (fp-relative) to unwind the stack to.
 */
#ifndef WB_OPS_H
#define WB_OPS_H

enum {
    OP_UNREACHABLE = 0x00,  /*                                        */
    OP_BR_UNLESS = 0x04,    /* target            : pop i32, jump if 0  */
    OP_BR_UNWIND = 0x06,    /* target off arity                        */
    OP_BR_IF_UNWIND = 0x07, /* target off arity  : pop i32             */
    OP_BR = 0x0C,           /* target                                  */
    OP_BR_IF = 0x0D,        /* target                                  */
    OP_BR_TABLE = 0x0E,     /* n arity (target off)*(n+1)              */
    OP_RETURN = 0x0F,       /* nresults                                */
    OP_CALL = 0x10,         /* funcidx                                 */
    OP_CALL_INDIRECT = 0x11,/* typeidx tableidx                        */
    OP_DROP = 0x1A,
    OP_SELECT = 0x1B,
    OP_LOCAL_GET = 0x20,    /* slot */
    OP_LOCAL_SET = 0x21,
    OP_LOCAL_TEE = 0x22,
    OP_GLOBAL_GET = 0x23,   /* globalidx */
    OP_GLOBAL_SET = 0x24,
    OP_TABLE_GET = 0x25,    /* tableidx */
    OP_TABLE_SET = 0x26,
    /* 0x28..0x3E loads/stores: offset; 0x3F memory.size; 0x40 grow */
    OP_I32_CONST = 0x41,    /* value (1 word)  */
    OP_I64_CONST = 0x42,    /* value (2 words, low first) */
    OP_F32_CONST = 0x43,
    OP_F64_CONST = 0x44,
    /* 0x45..0xC4 numeric ops, wasm numbering */
    OP_REF_NULL = 0xD0,
    OP_REF_FUNC = 0xD2,     /* funcidx */
    OP_FC = 0xE0            /* 0xE0 + FC sub-opcode (0..17)           */
};

#endif /* WB_OPS_H */
