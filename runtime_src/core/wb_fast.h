/*
 * fast-interp: the second interpreter running mode (docs/fast-interp.md).
 *
 * wb_fastc.c translates a function's validated classic code (wb_ops.h) into
 * three-address code on frame slots; wb_fast.c runs it. Every operand is a
 * byte offset from fp: the function's parameters and locals, its constant
 * slots (copied in at entry) or an operand-stack slot. A frame:
 *
 *     fp[0 .. nlocals)                 parameters, then locals
 *     fp[nlocals .. nlocals + nconst)  constants of the function
 *     fp[nlocals + nconst + k]         operand-stack position k
 *
 * Code words: an opcode word, then its operands. Numeric ops, loads and
 * stores keep their WebAssembly numbers; branch targets are word offsets
 * relative to the branching instruction's opcode word.
 */
#ifndef WB_FAST_H
#define WB_FAST_H

#include "wb_internal.h"

#if WB_FEATURE_FAST_INTERP
enum {
    F_UNREACH = 0x00, /*                                   */
    F_BR = 0x01,      /* rel                               */
    F_BRIF = 0x02,    /* c rel      : jump if c != 0        */
    F_BRUNLESS = 0x03,/* c rel      : jump if c == 0        */
    F_BRTABLE = 0x04, /* i n rel*(n+1)                     */
    F_RET0 = 0x05,    /*                                   */
    F_RET1 = 0x06,    /* src                               */
    F_RETN = 0x07,    /* src n      : n slots from src      */
    F_CALL = 0x08,    /* funcidx args                      */
    F_CALLI = 0x09,   /* typeidx tableidx i args           */
    F_MOV = 0x0A,     /* dst src                           */
    F_SELECT = 0x0B,  /* dst a b c                         */
    F_GGET = 0x0C,    /* dst globalidx                     */
    F_GSET = 0x0D,    /* globalidx src                     */
    F_TGET = 0x0E,    /* dst tableidx i                    */
    F_TSET = 0x0F,    /* tableidx i v                      */
    F_REFFUNC = 0x10, /* dst funcidx                       */
    F_BRCMP = 0x11,   /* 0x11..0x1A: i32 compare a b rel (0x46..0x4F) */
    F_MCOPY = 0x1B,   /* d s n                             */
    F_MFILL = 0x1C,   /* d v n                             */
    F_BRCMP64 = 0x1D, /* 0x1D..0x26: i64 compare a b rel (0x51..0x5A) */
    F_MOV2 = 0x27,    /* dst src dst2 src2                 */
    F_MOVI = 0x41,    /* dst lo hi  : a 64-bit constant    */
    F_LDXS = 0x42,    /* 0x42..0x43: load 32/64 from ((x << sh) + imm) + off:
                         dst x sh imm off (a scaled index)  */
    F_MSIZE = 0x3F,   /* dst                               */
    F_MGROW = 0x40,   /* dst delta                         */
    F_BINI = 0xC5,    /* 0xC5..0xCD: i32 add sub mul and or xor shl shr_s shr_u:
                         dst a imm                         */
    F_CMPI = 0xCE,    /* 0xCE..0xD7: i32 compare (0x46..0x4F) dst a imm */
    F_LDX = 0xD8,     /* 0xD8..0xDB: load 32/64/8u/16u from (a + b) + off:
                         dst a b off                       */
    F_LDXI = 0xDC,    /* 0xDC..0xDF: the same from (a + imm) + off      */
    F_TRUNC_SAT = 0xE0,/* 0xE0..0xE7: dst a                */
    F_BRCMPI = 0xE8,  /* 0xE8..0xF1: i32 compare a imm rel */
    F_STX = 0xF2,     /* 0xF2..0xF5: store 32/64/8/16 to (a + b) + off:
                         a b v off                         */
    F_STXI = 0xF6,    /* 0xF6..0xF9: the same to (a + imm) + off        */
    F_BINM = 0xFA,    /* 0xFA..0xFF: i32.add i32.mul i64.add f64.add f64.mul
                         f64.sub with b loaded from (x + imm) + off:
                         dst a x imm off                   */
    F_INCBRI = 0x100, /* 0x100..0x109: a += imm; i32 compare a imm2, branch:
                         a imm imm2 rel (a loop's back edge) */
    F_INCBR = 0x10A,  /* 0x10A..0x113: a += imm; i32 compare a b, branch:
                         a imm b rel                       */
    F_ADDBRI = 0x114, /* 0x114..0x11D: a += b; i32 compare a imm, branch:
                         a b imm rel                       */
    F_BINM2 = 0x11E,  /* 0x11E..0x122: like F_BINM: i32.xor, i32.add with an 8-bit
                         (zero-extended) load; i32.xor, i32.and, i32.sub with a 32-bit
                         load: dst a x imm off         */
    F_MUL2L = 0x123,  /* i32.mul of two 32-bit loads:
                         dst x imm off y imm2 off2     */
    F_BINSH = 0x124,  /* 0x124..0x129: a op (x shift sh): xor shr_u, xor shl, or shl,
                         or shr_u, add shl, add shr_u: dst a x sh */
    F_BIN2 = 0x12A,   /* 0x12A..0x12D: a op (x op y), the inner op just emitted:
                         i32.add, i64.add, f64.add, f64.mul: dst a x y
                         (f64 only where doubles are evaluated as doubles) */
    F_LDBR = 0x12E,   /* 0x12E..0x131: branch on a value loaded from (x + imm) + off:
                         32-bit != 0, == 0, 8-bit != 0, == 0: x imm off rel */
    F_DST = 0x132,    /* 0x132..0x134: store f64 x op y (add sub mul) to a + off:
                         a x y off                     */
    F_BINMST = 0x135, /* 0x135..0x136: store t + a loaded value (i32.add, f64.add;
                         F_BINM then a store): a off2 t x imm off */
    /* a table lookup indexed by a byte mixed into a value (table-driven
       CRC / hash steps: t[(c & m) ^ load8(p)]) */
    F_TLD8 = 0x137,   /* dst = load32((((a & m) ^ load8u((x + imm) + off)) << sh)
                         + imm2 + off2): dst a m x imm off sh imm2 off2 */
    F_TLD8X = 0x138,  /* F_TLD8 ^ (y >> sh3): dst a m x imm off sh imm2 off2 y sh3 */
    /* (0x139..0x13F left free for other fused forms) */
    F_MUL2LA = 0x140, /* acc + the i32 product of two 32-bit loads from x + imm and
                         y + imm2, both offsets 0 (F_MUL2L then i32.add; a chain
                         of them: matmul's dot product): dst acc x imm y imm2 */
    F_DMS = 0x141,    /* store f64 x - y * z to a + off: a x y z off */
    F_LMSST = 0x142,  /* store f64 load(b + offb) - p * (q * r) to a + off:
                         a off b offb p q r  (p->f -= x * y * z) */
    F_MAMST = 0x143,  /* store f64 p * (q * r) + load(x + imm + off) to a + off2:
                         a off2 p q r x imm off  (p->f += x * y * z)
                         (the f64 forms only where F_BIN2_F64) */
    F_MAMSTA = 0x144, /* l = base + imm, then F_MAMST to l + off2 with the load
                         from l + off (the address add of nbody's bj->v += ...):
                         l base imm off2 p q r off */
    F_MALST = 0x145,  /* d = o + c * load(x + imm + off), also stored to a + off2:
                         d o c x imm off a off2 (nbody's x += dt * p->v) */
    F_STBR = 0x146,   /* an 8-bit store, then a loop's back edge a += b, a <u imm2:
                         x imm v off a b imm2 rel (store8 v to (x + imm) + off) */
    F_MUL4LA = 0x147, /* two F_MUL2LA in a row, the first's result the second's
                         acc: dst acc x imm y imm2 x2 imm3 y2 imm4 */
    F_NOPS = 0x148    /* opcodes below this */
};

/* Dispatch: computed goto through a table of handler addresses, or a switch.
 * CPUs without a scaled-index load (RISC-V, MIPS, Xtensa) keep each handler's
 * offset from a base label in the opcode word instead (wb_fast_rel, filled by
 * wb_fast_call(NULL, ...)): load, add, jump instead of load, shift, add, load,
 * jump (docs/fast-interp.md). */
#if defined(__GNUC__) && !defined(WB_NO_COMPUTED_GOTO)
#define F_CGOTO 1
#if defined(__riscv) || defined(__mips__) || defined(__xtensa__)
#define F_REL 1
extern int32_t wb_fast_rel[F_NOPS];
#endif
#endif
/* aarch64 bare metal under clang: the firmware sits below 4 GiB (the board's
 * memory map; wb_fast_call(NULL, ...) checks), so the word is the handler's
 * address itself: `ldr w; br` per dispatch instead of `ldr w; ldr x, [tbl,
 * x, lsl #3]; br` (docs/fast-interp.md). The F_REL machinery rewrites the
 * opcodes into those words. */
#if defined(F_CGOTO) && !defined(F_REL) && defined(__aarch64__) &&        \
    defined(__clang__) && defined(WB_PLATFORM_BAREMETAL) && WB_PLATFORM_BAREMETAL
#define F_REL 1
#define F_ABS 1
extern int32_t wb_fast_rel[F_NOPS];
#endif

/* i32 results write only the low half of their slot (wb_fast.c) where that
 * is cheaper: 32-bit CPUs, RV64. Then i64 loads of fewer bytes are not fused
 * into the 32/8/16-bit F_LDX forms (those write an i32). */
#if defined(__GNUC__) && !defined(WB_FAST_W64) &&                         \
    (UINTPTR_MAX <= 0xFFFFFFFFu || defined(__riscv))
#define F_W32 1
#endif

/* f64 x op y op z in one handler rounds like two only if doubles are not
 * evaluated in a wider format (x87) */
#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ == 0
#define F_BIN2_F64 1
#else
#define F_BIN2_F64 0
#endif

typedef struct wb_fastfn { /* one translated function */
    const uint32_t *code;
    const wb_slot *consts; /* nconst values copied to fp[nlocals..] at entry */
    uint32_t nparams, nlocals, nconst;
    uint32_t nzero; /* locals after the parameters zeroed at entry (the rest are
                       written before any read: wb_fastc.c) */
    uint32_t frame; /* slots the function may use from its fp */
} wb_fastfn;

typedef struct wb_fastmod { /* a module's translation (module->fast) */
    wb_fastfn *fns;   /* per defined function; code NULL: runs classic */
    uint32_t *code;
    wb_slot *consts;
    uint32_t code_len, nconsts;
    uint32_t translated, fallback; /* functions of each kind */
} wb_fastmod;

/* module->fast, made on the first fast instance (wb_fastc.c) */
wb_status wb_fast_translate(wb_env *env, wb_module *m);
void wb_fast_module_free(wb_module *m);
/* run f (f->fast set) with its arguments at args (wb_fast.c) */
wb_status wb_fast_call(wb_env *env, wb_func *f, wb_slot *args);
/* index (function index space) of the function whose fast code holds ip, or
 * WB_NONE if ip is not in m's fast code (wb_trace.c: traps' call stacks) */
uint32_t wb_fast_func_at(const wb_module *m, const uint32_t *ip);
/* set every own function's fast code of inst per its mode (wb_fast.c) */
wb_status wb_fast_attach(wb_instance *inst, int fast);
#endif

#endif /* WB_FAST_H */
