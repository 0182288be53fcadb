/*
 * Internal opcodes of the compiled code. Most keep their WebAssembly
 * number (numeric ops, loads/stores, locals, globals); control flow gets
 * resolved forms; 0xFC-prefixed ops live at 0xE0 + sub-opcode.
 *
 * Code is a stream of 32-bit words: an opcode word, then immediates.
 * Branch targets are word offsets relative to the target word itself;
 * "off" is the frame slot (fp-relative) to unwind the stack to. The
 * interpreter keeps the top value in a register: operand value k lives in
 * slot nlocals + 1 + k once flushed (slot nlocals is padding).
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
    OP_RETURN_CALL = 0xDD,  /* funcidx (tail-call)                     */
    OP_RETURN_CALL_INDIRECT = 0xDE, /* typeidx tableidx (tail-call)    */
    OP_FC = 0xE0            /* 0xE0 + FC sub-opcode (0..17)           */
};

/* Size builds (-Os): switch dispatch, one handler for all loads and one
 * for all stores, no fused instructions. Speed builds: the opposite. */
#ifndef WB_SMALL
#ifdef __OPTIMIZE_SIZE__
#define WB_SMALL 1
#else
#define WB_SMALL 0
#endif
#endif
/* Fused instructions (peephole in compile.c). */
#ifndef WB_FUSE
#define WB_FUSE (!WB_SMALL)
#endif

/* More fused instructions, for the board kernels' loops (wb_compile.c): only
 * in builds without fast-interp, whose translator (wb_fastc.c) reads classic
 * code and keeps a function with an op it does not know in the classic
 * interpreter. */
#ifndef WB_FUSE2
#define WB_FUSE2 (WB_FUSE && !WB_FEATURE_FAST_INTERP)
#endif
#define OP_LGET_ANDI 0x100  /* a c      : push i32(l[a] & c)              */
#define OP_LGET_SHRUI 0x101 /* a c      : push i32(l[a] >> c)             */
#define OP_LADDI_SET 0x102  /* a c d    : l[d] = i32(l[a] + c)            */
#define OP_LADDI_TEE 0x103  /* a c d    : l[d] = i32(l[a] + c), push it   */
#define OP_IDX_LD32 0x104   /* s c off  : top = i32.load off ((top << s) + c) */
#define OP_LL_ADD 0x105     /* a b      : push i32(l[a] + l[b])           */
#define OP_XOR_SET 0x106    /* d        : l[d] = i32(a ^ b), both popped  */
#define OP_XOR_TEE 0x107    /* d        : l[d] = i32(a ^ b), left on top  */
#define OP_ADD_SET 0x108    /* d        : l[d] = i32(a + b), both popped  */
#define OP_ADDL_SET 0x109   /* b d      : l[d] = i32(top + l[b]), popped  */
#define OP_CONST_SET 0x10A  /* c d      : l[d] = c (i32.const; local.set) */
#define OP_LBR_IF 0x10B     /* a target : br_if on l[a] (local.get; br_if) */
/* loop ends: local.get a; i32.const c; i32.add; local.tee d; [i32.const k;
 * i32.ne;] br_if: l[d] = i32(l[a] + c), branch if it is not 0 [k] */
#define OP_LADDI_BRNZ 0x10C /* a c d target                               */
#define OP_LADDI_BRNE 0x10D /* a c d k target                             */
#define WB_NOPS 0x10E       /* size of the dispatch table                 */

/* The classic interpreter's cached top of stack is 32 bits on 32-bit CPUs
 * (wb_interp.c, WB_TOS32): i32 results leave the high half of their slot
 * undefined, so the fused local loads (OP_LG_LD32, OP_LG_LD8U, ...) carry
 * only i32 loads there, not i64.load32_u / i64.load8_u. */
#ifndef WB_TOS32
#if defined(__GNUC__) && !defined(WB_NO_COMPUTED_GOTO) && !WB_SMALL &&     \
    UINTPTR_MAX <= 0xFFFFFFFFu
#define WB_TOS32 1
#else
#define WB_TOS32 0
#endif
#endif
#if WB_TOS32 && WB_SMALL /* the small interpreter keeps a 64-bit top */
#undef WB_TOS32
#define WB_TOS32 0
#endif
/* With WB_TOS32 and the fused set (no fast-interp, whose translator reads
 * this code), local.get/set/tee of an i32/f32 local move the low half of the
 * slot only; the compiler emits these for i64/f64/reference locals (and
 * v128 halves), which move the whole slot. */
#if WB_TOS32 && WB_FUSE2
#define WB_TOS32_LOCALS 1
#define OP_LOCAL_GET64 0x10E /* slot */
#define OP_LOCAL_SET64 0x10F
#define OP_LOCAL_TEE64 0x110
#undef WB_NOPS
#define WB_NOPS 0x111
#else
#define WB_TOS32_LOCALS 0
#endif

/* instruction metering: n = instructions of the loop body it heads */
#define OP_FUEL 0xDF      /* n                                        */
/* extension ops: OP_EXT, a sub-op word (WB_EXT_* ranges in wb_ext.h), then
 * the sub-op's immediates; the interpreter flushes the operand stack to
 * memory and calls wb_ext_exec (cold path, one file per family). */
#define OP_EXT 0xCF
#define OP_LGET2 0x01     /* a b      : push l[a], l[b]                 */
#define OP_LGET_ADDI 0x02 /* a c      : push i32(l[a] + c)              */
#define OP_ADDI 0xF2      /* c        : i32 top op= c                   */
#define OP_MULI 0xF3
#define OP_ANDI 0xF4
#define OP_ORI 0xF5
#define OP_XORI 0xF6
#define OP_SHLI 0xF7
#define OP_SHRSI 0xF8
#define OP_SHRUI 0xF9
/* binop with its second operand from local b: b */
#define OP_I32_ADD_L 0x03
#define OP_I32_MUL_L 0x05
#define OP_I64_ADD_L 0x08
#define OP_F32_ADD_L 0x09
#define OP_F32_SUB_L 0x0A
#define OP_F32_MUL_L 0x0B
#define OP_F64_ADD_L 0x1E
#define OP_F64_SUB_L 0x1F
#define OP_F64_MUL_L 0x27
/* loads from a local (+ constant) address: a [c] off */
#define OP_LG_LD32 0xFA
#define OP_LG_LD64 0xFB
#define OP_LG_LD8U 0xFC
#define OP_LGA_LD32 0xFD
#define OP_LGA_LD64 0xFE
#define OP_LGA_LD8U 0xFF
/* i32 compare 0x46..0x4F with an immediate: c */
#define OP_CMPI(op) (0xC5u + (op) - 0x46u)
/* compare and branch, both operands on the stack: target */
#define OP_BRC(op) (0xD3u + (op) - 0x46u)
/* compare with immediate and branch: c target */
#define OP_BRCI(op) ((op) < 0x4Eu ? 0x12u + (op) - 0x46u : 0x1Cu + (op) - 0x4Eu)

#endif /* WB_OPS_H */
