/*
 * The interpreter: runs compiled code (wb_ops.h) on 64-bit slots.
 *
 * A frame's slots start at fp: parameters, locals, then the operand
 * stack. Calls between wasm functions push a wb_frame record and stay in
 * this loop (no C recursion); only natives are called from C. Dispatch
 * is computed goto under GNU C, a switch otherwise.
 */
#include "wb_internal.h"
#if WB_FEATURE_AOT
#include "wb_aot.h"
#endif
#include "wb_ops.h"
#include "wb_opsem.h"
#if WB_HAS_EXT
#include "wb_ext.h"
#endif
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
#include "wb_eh.h"
#endif

int wb_functype_eq(const wb_functype *a, const wb_functype *b)
{
    return a == b ||
           (a->nparams == b->nparams && a->nresults == b->nresults &&
            !memcmp(a->types, b->types, a->nparams + a->nresults));
}

/* ---- natives ------------------------------------------------------------------ */
#define WB_MAX_NATIVE_VALS 24

wb_status wb_call_native(wb_env *env, wb_func *f, wb_instance *caller, wb_slot *sp)
{
    wb_value args[WB_MAX_NATIVE_VALS], res[WB_MAX_NATIVE_VALS];
    const wb_functype *t = f->type;
    wb_ctx ctx;
    wb_status st;
    uint32_t i;
#if WB_FEATURE_AOT
    if (f->aot)
        return wb_aot_call(env, f, sp);
#endif
    if (t->nparams > WB_MAX_NATIVE_VALS || t->nresults > WB_MAX_NATIVE_VALS)
        return wb_fail(env, WB_ERR_UNSUPPORTED, "too many native values");
#if WB_FEATURE_WASI_THREADS /* another thread exited or trapped: this one stops too */
    if (caller && caller->wt && wb_threads_exiting(caller))
        return wb_threads_end_status(env, caller);
#endif
    for (i = 0; i < t->nparams; i++)
        wb_to_value(&args[i], t->types[i], sp[i]);
    memset(res, 0, sizeof(wb_value) * t->nresults);
    ctx.env = env;
    ctx.inst = caller;
    ctx.user = f->user;
    env->sp_top = sp + t->nparams;
    st = f->native(&ctx, args, res);
    if (st)
        return st;
    for (i = 0; i < t->nresults; i++)
        sp[i] = wb_from_value(&res[i], t->types[t->nparams + i]);
    return WB_OK;
}

#if WB_FEATURE_INTERP /* the interpreter proper: left out of AOT-only builds */
/* Keep the top n slots, moved down to `to`; returns the new sp. */
static inline wb_slot *unwind(wb_slot *to, wb_slot *sp, uint32_t n)
{
    wb_slot *from = sp - n;
    while (n--)
        *to++ = *from++;
    return to;
}

#define JUMP(slot) ((slot) + (int32_t)*(slot))

static unsigned trunc_kind(unsigned sub)
{
    return (sub >> 2) | ((sub & 1u) << 1) | (((sub >> 1) & 1u) << 2);
}

/* ---- dispatch -------------------------------------------------------------------- */
#if defined(__GNUC__) && !defined(WB_NO_COMPUTED_GOTO) && !WB_SMALL
#define WB_CGOTO 1
#endif

#ifdef WB_CGOTO
#define OP(n) L_##n:
#if defined(__clang__) && defined(__aarch64__)
/* clang on aarch64: as below, and the empty asm keeps the handler load in
 * each handler: else InstCombine merges the handlers' loads into one load
 * of a phi of addresses in the shared dispatch block, and the per-handler
 * address stays an `add x, tbl, op, lsl #3` before the `ldr` tail
 * duplication copies back (one instruction more per dispatch; with it the
 * load is `ldr x, [tbl, op, lsl #3]`: qemu-aarch64 crc32 167 M -> 145 M
 * instructions, matmul 294 M -> 261 M, docs/benchmarks.md) */
#define NEXT()                                                            \
    do {                                                                  \
        const void *t_ = tbl[*ip];                                        \
        __asm__("" : "+r"(t_));                                           \
        ip++;                                                             \
        goto *t_;                                                         \
    } while (0)
#elif defined(__clang__)
/* clang: the handler address is loaded before ip moves on, so it keeps one
 * ip register and post-increments it (loading after `ip++` made it copy ip
 * around in every handler, 2-3 movs each: qemu-aarch64 crc32 255 M -> 207 M
 * instructions); gcc does better with the plain form (Cortex-M4 +3% else) */
#define NEXT()                                                            \
    do {                                                                  \
        const void *t_ = tbl[*ip];                                        \
        ip++;                                                             \
        goto *t_;                                                         \
    } while (0)
#else
#define NEXT() goto *tbl[*ip++]
#endif
#define DISPATCH() NEXT();
#else
#define OP(n) case n:
#define NEXT() continue
#define DISPATCH() for (;;) switch (*ip++)
#endif

#define TRAP(msg)                                                         \
    do {                                                                  \
        st = wb_fail(env, WB_ERR_TRAP, msg);                              \
        goto out;                                                         \
    } while (0)

/* the callee of call_indirect / return_call_indirect (typeidx tableidx; the
 * table index on top of the stack), or a trap with the spec's message */
#define INDIRECT_CALLEE()                                                 \
    do {                                                                  \
        const wb_functype *want_ = &inst->module->types[ip[0]];           \
        wb_table *t_ = inst->tables[ip[1]];                               \
        uint32_t i_ = I32(tos);                                           \
        POP();                                                            \
        ip += 2;                                                          \
        if (i_ >= t_->size)                                               \
            TRAP("undefined element");                                    \
        callee = (wb_func *)t_->elems[i_];                                \
        if (!callee)                                                      \
            TRAP("uninitialized element");                                \
        if (!wb_functype_eq(callee->type, want_))                         \
            TRAP("indirect call type mismatch");                          \
    } while (0)

#define I32(x) ((uint32_t)(x))
#define S32(x) ((int32_t)(uint32_t)(x))
#define F32(x) wb_f32((uint32_t)(x))
#define F64(x) wb_f64(x)

/* The top of the operand stack lives in `tos`; memory holds the rest
 * from fp + nlocals on, the first slot being padding (see PUSH/FLUSH). The
 * handler families below reach the top only through the accessors (PUSH,
 * POP, FLUSH, LO, TOS64, SET64, T_GET, T_SET), which give one of two layouts.
 *
 * ---- 32-bit top of stack (32-bit CPUs) ----------------------------------------
 * A 64-bit `tos` takes two of a 32-bit CPU's registers, which pushed the
 * frame pointer (and on Cortex-M4 `tos` itself) out to the C stack, and every
 * i32 result cleared its high half. With WB_TOS32 `tos` is the low word of
 * the top value; its high word stays in memory, in the high half of the slot
 * the top would be flushed to (HI(sp)). i32/f32 results write `tos` alone, so
 * the high half of an i32/f32 slot is undefined (as in fast-interp's F_W32):
 * everything reads such a slot through its low half or copies it whole, and
 * values that leave the interpreter are cleaned by their type (results of the
 * entry call, arguments of an AOT callee, global.set: wb_tos32_clean; natives
 * get theirs through wb_to_value). References are always written whole
 * (ref.is_null is i64.eqz on the slot). -DWB_TOS32=1 forces it on a 64-bit
 * host (tests), -DWB_TOS32=0 turns it off (the choice: wb_ops.h). */
#if WB_TOS32 && !defined(WB_CGOTO)
#error "WB_TOS32 needs computed-goto dispatch"
#endif
#if WB_TOS32
typedef uint32_t wb_u32a __attribute__((may_alias));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define T_LO 1
#define T_HI 0
#else
#define T_LO 0
#define T_HI 1
#endif
#define LO(s) (((wb_u32a *)(s))[T_LO])
#define HI(s) (((wb_u32a *)(s))[T_HI])
#define TOS64() (((uint64_t)HI(sp) << 32) | tos)
#define SET64(x)                                                          \
    do {                                                                  \
        uint64_t w_ = (x);                                                \
        HI(sp) = (uint32_t)(w_ >> 32);                                    \
        tos = (uint32_t)w_;                                               \
    } while (0)
/* zero-extend the i32/f32 values among n values of the given types, whose
 * slots start at s (values leaving the interpreter) */
static void wb_tos32_clean(wb_slot *s, const uint8_t *types, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n; i++) {
        if (types[i] == WB_I32 || types[i] == WB_F32)
            *s = (uint32_t)*s;
        s += WB_SLOTS(types[i]);
    }
}
/* PUSH: an i32/f32 (the new top's high half is left undefined) */
#define PUSH(x)                                                           \
    do {                                                                  \
        uint32_t v_ = (uint32_t)(x);                                      \
        LO(sp) = tos;                                                     \
        sp++;                                                             \
        tos = v_;                                                         \
    } while (0)
#define PUSH64(x)                                                         \
    do {                                                                  \
        uint64_t v_ = (x);                                                \
        LO(sp) = tos;                                                     \
        sp++;                                                             \
        HI(sp) = (uint32_t)(v_ >> 32);                                    \
        tos = (uint32_t)v_;                                               \
    } while (0)
#define POP() (tos = LO(--sp))
#define FLUSH() (LO(sp) = tos, sp++)
/* operands and results by type: T_GET_uint64_t reads the whole top */
#define T_GET_uint32_t() tos
#define T_GET_uint64_t() TOS64()
#define T_GET(T) T_GET_##T()
#define T_SET_uint32_t(x) (tos = (uint32_t)(x))
#define T_SET_uint64_t(x) SET64(x)
#define T_SET(R, x) T_SET_##R(x)
#else
/* the 64-bit top: `tos` holds the whole value, slots move whole */
#define PUSH(x)                                                           \
    do {                                                                  \
        wb_slot v_ = (x);                                                 \
        *sp++ = tos;                                                      \
        tos = v_;                                                         \
    } while (0)
#define PUSH64(x) PUSH(x)
#define POP() (tos = *--sp)
#define FLUSH() (*sp++ = tos) /* now every value is in memory */
#define LO(s) (*(s))
#define TOS64() tos
#define SET64(x) (tos = (x))
#define T_GET(T) tos
#define T_SET(R, x) (tos = (R)(x))
#endif

/* families: a = second from top, b = top */
#define BIN(n, T, R, expr)                                                \
    OP(n) {                                                               \
        T b = (T)T_GET(T), a = (T)sp[-1];                                 \
        (void)a; (void)b;                                                 \
        sp--;                                                             \
        T_SET(R, expr);                                                   \
        NEXT();                                                           \
    }
#define UN(n, T, R, expr)                                                 \
    OP(n) {                                                               \
        T a = (T)T_GET(T);                                                \
        T_SET(R, expr);                                                   \
        NEXT();                                                           \
    }
#define FBIN(n, expr) /* f32 -> f32 */                                    \
    OP(n) {                                                               \
        float b = F32(tos), a = F32(*--sp);                               \
        tos = wb_b32(expr);                                               \
        NEXT();                                                           \
    }
#define DBIN(n, expr)                                                     \
    OP(n) {                                                               \
        double b = F64(TOS64()), a = F64(sp[-1]);                         \
        sp--;                                                             \
        SET64(wb_b64(expr));                                              \
        NEXT();                                                           \
    }
#define FCMP(n, expr)                                                     \
    OP(n) {                                                               \
        float b = F32(tos), a = F32(*--sp);                               \
        tos = (uint32_t)(expr);                                           \
        NEXT();                                                           \
    }
#define DCMP(n, expr)                                                     \
    OP(n) {                                                               \
        double b = F64(TOS64()), a = F64(sp[-1]);                         \
        sp--;                                                             \
        tos = (uint32_t)(expr);                                           \
        NEXT();                                                           \
    }
/* the i64 loads: 0x29, 0x2B (f64), 0x30..0x35 */
#define T_LOAD64(n) ((n) == 0x29 || (n) == 0x2B || ((n) >= 0x30 && (n) <= 0x35))
/* effective address of a load/store of n bytes at address value `addr` */
#if UINTPTR_MAX <= 0xFFFFFFFFu
/* 32-bit CPUs: a memory they can allocate has at most 65535 pages, so its
 * size and the bounds check fit in 32-bit arithmetic (the carry of
 * address + offset, then the end; a 0-page memory fails the first test) */
typedef uint32_t wb_msize;
#define OOB(ea, a, o, n)                                                  \
    (((ea) = (uint32_t)(a) + (uint32_t)(o)) < (uint32_t)(a) ||            \
     (ea) >= memsize || ((n) > 1 && memsize - (ea) < (n)))
#else
typedef uint64_t wb_msize;
#define OOB(ea, a, o, n) (((ea) = (uint64_t)(uint32_t)(a) + (o)) + (n) > memsize)
#endif
#define EA(addr, n)                                                       \
    wb_msize ea_;                                                         \
    uint8_t *p;                                                           \
    if (OOB(ea_, addr, *ip++, n))                                         \
        TRAP("out of bounds memory access");                              \
    p = mem + ea_;

#define LOAD(n, sz, expr)                                                 \
    OP(n) {                                                               \
        EA(tos, sz)                                                       \
        if (T_LOAD64(n))                                                  \
            SET64(expr);                                                  \
        else                                                              \
            tos = (uint32_t)(expr);                                       \
        NEXT();                                                           \
    }
#define STORE(n, sz, stmt)                                                \
    OP(n) {                                                               \
        wb_slot v = TOS64();                                              \
        EA(sp[-1], sz)                                                    \
        stmt;                                                             \
        sp -= 2;                                                          \
        tos = LO(sp);                                                     \
        NEXT();                                                           \
    }

/* fused: i32 op with immediate, compare-and-branch */
#define BINI(n, expr)                                                     \
    OP(n) {                                                               \
        uint32_t a = (uint32_t)tos, b = *ip++;                            \
        tos = (uint32_t)(expr);                                           \
        NEXT();                                                           \
    }
#define BRC(n, expr)                                                      \
    OP(n) {                                                               \
        uint32_t a = (uint32_t)sp[-1], b = (uint32_t)tos;                 \
        tos = sp[-2];                                                     \
        sp -= 2;                                                          \
        ip = (expr) ? JUMP(ip) : ip + 1;                                \
        NEXT();                                                           \
    }
#define BRCI(n, expr)                                                     \
    OP(n) {                                                               \
        uint32_t a = (uint32_t)tos, b = ip[0];                            \
        POP();                                                            \
        ip = (expr) ? JUMP(ip + 1) : ip + 2;                              \
        NEXT();                                                           \
    }
/* fused: binop whose second operand is local *ip */
#define BINL(n, T, R, expr)                                               \
    OP(n) {                                                               \
        T a = (T)T_GET(T), b = (T)fp[*ip++];                              \
        T_SET(R, expr);                                                   \
        NEXT();                                                           \
    }
#define FBINL(n, expr)                                                    \
    OP(n) {                                                               \
        float a = F32(tos), b = F32(fp[*ip++]);                           \
        tos = wb_b32(expr);                                               \
        NEXT();                                                           \
    }
#define DBINL(n, expr)                                                    \
    OP(n) {                                                               \
        double a = F64(TOS64()), b = F64(fp[*ip++]);                      \
        SET64(wb_b64(expr));                                              \
        NEXT();                                                           \
    }
/* fused loads: address from local a (plus constant c); an 8-byte load pushes
 * through PUSH64, which is PUSH but with WB_TOS32 */
#define LGLD(n, sz, expr)                                                 \
    OP(n) {                                                               \
        wb_msize ea_;                                                     \
        uint8_t *p;                                                       \
        if (OOB(ea_, fp[ip[0]], ip[1], sz))                               \
            TRAP("out of bounds memory access");                          \
        p = mem + ea_;                                                    \
        if ((sz) == 8)                                                    \
            PUSH64(expr);                                                 \
        else                                                              \
            PUSH(expr);                                                   \
        ip += 2;                                                          \
        NEXT();                                                           \
    }
#define LGALD(n, sz, expr)                                                \
    OP(n) {                                                               \
        wb_msize ea_;                                                     \
        uint8_t *p;                                                       \
        if (OOB(ea_, (uint32_t)fp[ip[0]] + ip[1], ip[2], sz))             \
            TRAP("out of bounds memory access");                          \
        p = mem + ea_;                                                    \
        if ((sz) == 8)                                                    \
            PUSH64(expr);                                                 \
        else                                                              \
            PUSH(expr);                                                   \
        ip += 3;                                                          \
        NEXT();                                                           \
    }

#define CMP_FAMILY(M, o)                                                  \
    M(o(0x46), a == b)                                                    \
    M(o(0x47), a != b)                                                    \
    M(o(0x48), (int32_t)a < (int32_t)b)                                   \
    M(o(0x49), a < b)                                                     \
    M(o(0x4A), (int32_t)a > (int32_t)b)                                   \
    M(o(0x4B), a > b)                                                     \
    M(o(0x4C), (int32_t)a <= (int32_t)b)                                  \
    M(o(0x4D), a <= b)                                                    \
    M(o(0x4E), (int32_t)a >= (int32_t)b)                                  \
    M(o(0x4F), a >= b)
/* opcode numbers as plain literals (labels are built from them) */
#define CMPI_N(op) CMPI_##op
#define BRC_N(op) BRC_##op
#define BRCI_N(op) BRCI_##op
#define CMPI_0x46 0xC5
#define CMPI_0x47 0xC6
#define CMPI_0x48 0xC7
#define CMPI_0x49 0xC8
#define CMPI_0x4A 0xC9
#define CMPI_0x4B 0xCA
#define CMPI_0x4C 0xCB
#define CMPI_0x4D 0xCC
#define CMPI_0x4E 0xCD
#define CMPI_0x4F 0xCE
#define BRC_0x46 0xD3
#define BRC_0x47 0xD4
#define BRC_0x48 0xD5
#define BRC_0x49 0xD6
#define BRC_0x4A 0xD7
#define BRC_0x4B 0xD8
#define BRC_0x4C 0xD9
#define BRC_0x4D 0xDA
#define BRC_0x4E 0xDB
#define BRC_0x4F 0xDC
#define BRCI_0x46 0x12
#define BRCI_0x47 0x13
#define BRCI_0x48 0x14
#define BRCI_0x49 0x15
#define BRCI_0x4A 0x16
#define BRCI_0x4B 0x17
#define BRCI_0x4C 0x18
#define BRCI_0x4D 0x19
#define BRCI_0x4E 0x1C
#define BRCI_0x4F 0x1D

/* env->depth for a native callee. copy-call-stack: the caller's ip goes to
 * frames[depth] first, so wb_ctx_call_stack sees the native's caller.
 * dump-call-stack: a trap the native reports starts a fresh trace. */
#if WB_FEATURE_COPY_CALL_STACK
#define NATIVE_FRAME()                                                    \
    do {                                                                  \
        frames[depth].ip = ip;                                            \
        frames[depth].fp = fp;                                            \
        frames[depth].inst = inst;                                        \
        env->depth = depth + 1u;                                          \
    } while (0)
#else
#define NATIVE_FRAME() (env->depth = depth)
#endif
#if WB_FEATURE_DUMP_CALL_STACK
#define NATIVE_DEPTH()                                                    \
    do {                                                                  \
        NATIVE_FRAME();                                                   \
        env->ntrace = 0;                                                  \
    } while (0)
#else
#define NATIVE_DEPTH() NATIVE_FRAME()
#endif

/* A native (or a nested wb_call) ended with an uncaught wasm exception: go
 * on unwinding in this activation's frames (legacy EH, wb_eh.c). */
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
#define EH_OR_OUT(skip)                                                   \
    do {                                                                  \
        if (st == WB_ERR_EXCEPTION) {                                     \
            eh_skip = (skip);                                             \
            goto eh_native;                                               \
        }                                                                 \
        goto out;                                                         \
    } while (0)
#else
#define EH_OR_OUT(skip) goto out
#endif

/* cache memory 0 of the current instance (after calls, memory.grow) */
#define RELOAD_MEM()                                                      \
    do {                                                                  \
        epoch = env->mem_epoch;                                           \
        if (inst->mems && inst->module->nmems) {                          \
            mem = inst->mems[0]->data;                                    \
            memsize = (wb_msize)((uint64_t)inst->mems[0]->pages * WB_PAGE); \
        } else {                                                          \
            mem = NULL;                                                   \
            memsize = 0;                                                  \
        }                                                                 \
    } while (0)

#define WB_OPLIST(X)                                                      \
    X(0x00) X(0x04) X(0x06) X(0x07) X(0x0C) X(0x0D) X(0x0E) X(0x0F)       \
    X(0x10) X(0x11) X(0x1A) X(0x1B) X(0x20) X(0x21) X(0x22) X(0x23)       \
    X(0x24) X(0x25) X(0x26) WB_MEMORY_OPNUMS(X) X(0x3F) X(0x40) X(0x41)   \
    X(0x42) X(0x43) X(0x44) WB_NUMERIC_OPNUMS(X) X(0xD0) X(0xD2) X(0xE0)  \
    X(0xE1) X(0xE2) X(0xE3) X(0xE4) X(0xE5) X(0xE6) X(0xE7) X(0xE8)       \
    X(0xE9) X(0xEA) X(0xEB) X(0xEC) X(0xED) X(0xEE) X(0xEF) X(0xF0)       \
    X(0xF1) WB_FUSED_OPLIST(X) WB_FUSED2_OPLIST(X) WB_FUEL_OPLIST(X)      \
    WB_TAIL_OPLIST(X) WB_EXT_OPLIST(X)

#if WB_HAS_EXT
#define WB_EXT_OPLIST(X) X(0xCF)
#else
#define WB_EXT_OPLIST(X)
#endif

#if WB_FEATURE_TAIL_CALL
#define WB_TAIL_OPLIST(X) X(0xDD) X(0xDE)
#else
#define WB_TAIL_OPLIST(X)
#endif

#if WB_FEATURE_INSTRUCTION_METERING
#define WB_FUEL_OPLIST(X) X(0xDF)
/* take n units of fuel or end the call (a budget of 0 is no limit) */
#define FUEL(n)                                                           \
    do {                                                                  \
        uint64_t n_ = (n);                                                \
        if (env->fuel_budget) {                                           \
            if (env->fuel < n_) {                                         \
                env->fuel = 0;                                            \
                st = wb_fail(env, WB_ERR_FUEL, "all fuel consumed");      \
                goto out;                                                 \
            }                                                             \
            env->fuel -= n_;                                              \
        }                                                                 \
    } while (0)
#else
#define WB_FUEL_OPLIST(X)
#define FUEL(n) ((void)0)
#endif

#if WB_FUSE
#define WB_FUSED_OPLIST(X)                                                \
    X(0x01) X(0x02) X(0xF2) X(0xF3) X(0xF4) X(0xF5) X(0xF6) X(0xF7)       \
    X(0xF8) X(0xF9) X(0xC5) X(0xC6) X(0xC7) X(0xC8) X(0xC9) X(0xCA)       \
    X(0xCB) X(0xCC) X(0xCD) X(0xCE) X(0xD3) X(0xD4) X(0xD5) X(0xD6)       \
    X(0xD7) X(0xD8) X(0xD9) X(0xDA) X(0xDB) X(0xDC) X(0x12) X(0x13)       \
    X(0x14) X(0x15) X(0x16) X(0x17) X(0x18) X(0x19) X(0x1C) X(0x1D)       \
    X(0xFA) X(0xFB) X(0xFC) X(0xFD) X(0xFE) X(0xFF) X(0x03) X(0x05)       \
    X(0x08) X(0x09) X(0x0A) X(0x0B) X(0x1E) X(0x1F) X(0x27)
#else
#define WB_FUSED_OPLIST(X)
#endif
#if WB_FUSE2
#define WB_FUSED2_OPLIST(X)                                               \
    X(0x100) X(0x101) X(0x102) X(0x103) X(0x104) X(0x105) X(0x106) X(0x107) \
    X(0x108) X(0x109) X(0x10A) X(0x10B) X(0x10C) X(0x10D)
#else
#define WB_FUSED2_OPLIST(X)
#endif

wb_status wb_interp_call(wb_env *env, wb_func *f, wb_slot *args)
{
#ifdef WB_CGOTO
#define TBL_ENTRY(n) tbl[n] = &&L_##n;
    static const void *tbl[WB_NOPS];
    static int tbl_ready;
#endif
    /* kept in memory on purpose: frees a register for fp, ip, sp, mem */
    wb_instance *volatile inst = f->inst;
    const uint32_t *ip = f->code;
#if WB_TOS32
    wb_slot *fp = args, *sp;
    uint32_t tos = 0;
#else
    wb_slot *fp = args, *sp, tos = 0;
#endif
    wb_slot *stack_end = env->stack + env->stack_slots;
    wb_frame *frames = env->frames;
    uint32_t depth = env->depth, depth0 = env->depth;
    uint8_t *mem;
    wb_msize memsize;
    uint32_t epoch = 0;
    wb_status st = WB_OK;
    wb_func *callee;
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    int eh_skip = 0;
#endif

#ifdef WB_CGOTO
    if (!tbl_ready) {
        int i;
        for (i = 0; i < WB_NOPS; i++)
            tbl[i] = &&L_bad;
        WB_OPLIST(TBL_ENTRY)
#if WB_TOS32_LOCALS
        TBL_ENTRY(0x10E) TBL_ENTRY(0x10F) TBL_ENTRY(0x110)
#endif
        tbl_ready = 1;
    }
#endif
#if WB_FEATURE_INSTRUCTION_METERING
    if (depth0 == 0)
        env->fuel = env->fuel_budget; /* a new top-level call: a full budget */
#endif
    RELOAD_MEM();
    /* enter f: the arguments are already at fp */
    callee = f;
    sp = fp + f->nparams; /* slots: a v128 parameter takes two */
    frames[depth].ip = NULL; /* marks the entry frame */
    goto enter;

    DISPATCH()
    {
    OP(0x00) TRAP("unreachable");
    OP(0x04) { /* br_unless */
        uint32_t c = I32(tos);
        POP();
        ip = c ? ip + 1 : JUMP(ip);
        NEXT();
    }
    OP(0x06) { /* br with unwind: target off arity */
    br_unwind:
        FLUSH();
        sp = unwind(fp + ip[1], sp, ip[2]);
        POP();
        ip = JUMP(ip);
        NEXT();
    }
    OP(0x07) {
        uint32_t c = I32(tos);
        POP();
        if (c)
            goto br_unwind;
        ip += 3;
        NEXT();
    }
    OP(0x0C) ip = JUMP(ip); NEXT();
    OP(0x0D) {
        uint32_t c = I32(tos);
        POP();
        if (c)
            ip = JUMP(ip);
        else
            ip++;
        NEXT();
    }
    OP(0x0E) { /* br_table n arity (target off)*(n+1) */
        uint32_t i = I32(tos), n = ip[0], a = ip[1];
        const uint32_t *e;
        if (i > n)
            i = n;
        e = ip + 2 + 2u * i;
        sp = unwind(fp + e[1], sp, a); /* index dropped: values all in memory */
        POP();
        ip = JUMP(e);
        NEXT();
    }
    OP(0x0F) { /* return nresults */
        uint32_t n = *ip;
        wb_frame *fr;
        if (n == 1) { /* the usual case: the result is the cached top */
#if WB_TOS32
            HI(fp) = HI(sp);
            LO(fp) = tos;
#else
            *fp = tos;
#endif
            sp = fp + 1;
        } else {
            FLUSH();
#if WB_FEATURE_TAIL_CALL
            if (0) {
            ret_tail: /* a native callee of a tail call: its n results on top */
                n = callee->type->nresults;
            }
#endif
            sp = unwind(fp, sp, n);
        }
        fr = &frames[--depth];
        if (!fr->ip)
            goto out;
        ip = fr->ip;
        fp = fr->fp;
        if (fr->inst != inst || env->mem_epoch != epoch) {
            inst = fr->inst;
            RELOAD_MEM();
        }
        POP();
        NEXT();
    }
    OP(0x10) {
        callee = inst->funcs[*ip++];
    call:
        FLUSH();
        if (!WB_INTERPRETED(callee)) {
            uint32_t np = callee->nparams;
            NATIVE_DEPTH();
#if WB_TOS32 && WB_FEATURE_AOT
            if (callee->aot)
                wb_tos32_clean(sp - np, callee->type->types, callee->type->nparams);
#endif
            st = wb_call_native(env, callee, inst, sp - np);
            if (st)
                EH_OR_OUT(0);
            sp = sp - np + callee->type->nresults;
            POP();
            RELOAD_MEM();
            NEXT();
        }
        if (depth + 1u >= env->max_depth) {
            st = wb_fail(env, WB_ERR_EXHAUSTION, "call stack exhausted");
            goto out;
        }
        frames[depth].ip = ip;
        frames[depth].fp = fp;
        frames[depth].inst = inst;
        fp = sp - callee->nparams;
    enter:
        FUEL(1);
        depth++;
        {
            wb_slot *l = sp;
            if (fp + callee->frame > stack_end) {
                st = wb_fail(env, WB_ERR_EXHAUSTION, "call stack exhausted");
                goto out;
            }
            sp = fp + callee->nlocals;
            while (l < sp)
                *l++ = 0;
        }
        if (callee->inst != inst) {
            inst = callee->inst;
            RELOAD_MEM();
        }
        ip = callee->code;
        NEXT();
    }
    OP(0x11) { /* call_indirect typeidx tableidx */
        INDIRECT_CALLEE();
        goto call;
    }
#if WB_FEATURE_TAIL_CALL
    OP(0xDD) { /* return_call funcidx: the callee replaces this frame */
        callee = inst->funcs[*ip++];
    tail:
        FLUSH();
        if (!WB_INTERPRETED(callee)) {
            uint32_t np = callee->nparams;
            NATIVE_DEPTH();
#if WB_TOS32 && WB_FEATURE_AOT
            if (callee->aot)
                wb_tos32_clean(sp - np, callee->type->types, callee->type->nparams);
#endif
            st = wb_call_native(env, callee, inst, sp - np);
            if (st)
                EH_OR_OUT(1); /* 1: this frame is already left */
            sp = sp - np + callee->type->nresults;
            goto ret_tail;
        }
        sp = unwind(fp, sp, callee->nparams); /* arguments to the frame base */
        depth--; /* enter pushes it back: same frames[] record, same fp */
        goto enter;
    }
    OP(0xDE) { /* return_call_indirect typeidx tableidx */
        INDIRECT_CALLEE();
        goto tail;
    }
#endif
    OP(0x1A) POP(); NEXT();
#if WB_TOS32 /* the value's high word moves with it (HI) */
    OP(0x1B) {
        uint32_t c = I32(tos);
        sp -= 2;
        if (!c)
            sp[0] = sp[1];
        tos = LO(sp);
        NEXT();
    }
#if WB_TOS32_LOCALS /* i32/f32 locals: the low half (wb_ops.h) */
    OP(0x20) LO(sp) = tos; sp++; tos = LO(fp + *ip++); NEXT();
    OP(0x21) LO(fp + *ip++) = tos; POP(); NEXT();
    OP(0x22) LO(fp + *ip++) = tos; NEXT();
#define L_0x20 L_0x10E
#define L_0x21 L_0x10F
#define L_0x22 L_0x110
#endif
    OP(0x20) { /* 0x10E with WB_TOS32_LOCALS: the whole slot */
        wb_slot *l = fp + *ip++;
        LO(sp) = tos;
        sp++;
        HI(sp) = HI(l);
        tos = LO(l);
        NEXT();
    }
    OP(0x21) {
        wb_slot *l = fp + *ip++;
        HI(l) = HI(sp);
        LO(l) = tos;
        POP();
        NEXT();
    }
    OP(0x22) {
        wb_slot *l = fp + *ip++;
        HI(l) = HI(sp);
        LO(l) = tos;
        NEXT();
    }
#if WB_TOS32_LOCALS
#undef L_0x20
#undef L_0x21
#undef L_0x22
#endif
    OP(0x23) PUSH64(inst->globals[*ip++]->val); NEXT();
    OP(0x24) {
        wb_global *g = inst->globals[*ip++];
        g->val = TOS64();
        wb_tos32_clean(&g->val, &g->type, 1u);
        POP();
        NEXT();
    }
    OP(0x25) {
        wb_table *t = inst->tables[*ip++];
        uint32_t i = I32(tos);
        if (i >= t->size)
            TRAP("out of bounds table access");
        SET64((uintptr_t)t->elems[i]);
        NEXT();
    }
    OP(0x26) {
        wb_table *t = inst->tables[*ip++];
        uint32_t i = I32(sp[-1]);
        if (i >= t->size)
            TRAP("out of bounds table access");
        t->elems[i] = (void *)(uintptr_t)TOS64();
        sp -= 2;
        tos = LO(sp);
        NEXT();
    }
#else
    OP(0x1B) {
        uint32_t c = I32(tos);
        sp -= 2;
        tos = c ? sp[0] : sp[1];
        NEXT();
    }
    OP(0x20) *sp++ = tos; tos = fp[*ip++]; NEXT();
    OP(0x21) fp[*ip++] = tos; POP(); NEXT();
    OP(0x22) fp[*ip++] = tos; NEXT();
    OP(0x23) *sp++ = tos; tos = inst->globals[*ip++]->val; NEXT();
    OP(0x24) inst->globals[*ip++]->val = tos; POP(); NEXT();
    OP(0x25) {
        wb_table *t = inst->tables[*ip++];
        uint32_t i = I32(tos);
        if (i >= t->size)
            TRAP("out of bounds table access");
        tos = (uintptr_t)t->elems[i];
        NEXT();
    }
    OP(0x26) {
        wb_table *t = inst->tables[*ip++];
        uint32_t i = I32(sp[-1]);
        if (i >= t->size)
            TRAP("out of bounds table access");
        t->elems[i] = (void *)(uintptr_t)tos;
        tos = sp[-2];
        sp -= 2;
        NEXT();
    }
#endif
#if WB_SMALL
    OP(0x28) OP(0x29) OP(0x2A) OP(0x2B) OP(0x2C) OP(0x2D) OP(0x2E)
    OP(0x2F) OP(0x30) OP(0x31) OP(0x32) OP(0x33) OP(0x34) OP(0x35) {
        static const uint8_t lsz[14] = {4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4};
        uint32_t o = ip[-1] - 0x28u, n = lsz[o], k;
        uint64_t v = 0;
        EA(tos, n)
        for (k = n; k--;)
            v = (v << 8) | p[k];
        if (o >= 4 && !(o & 1u)) { /* signed narrow loads */
            unsigned sh = 64u - 8u * n;
            v = (uint64_t)((int64_t)(v << sh) >> sh);
            if (o < 8)
                v = (uint32_t)v;
        }
        tos = v;
        NEXT();
    }
    OP(0x36) OP(0x37) OP(0x38) OP(0x39) OP(0x3A) OP(0x3B) OP(0x3C)
    OP(0x3D) OP(0x3E) {
        static const uint8_t ssz[9] = {4, 8, 4, 8, 1, 2, 1, 2, 4};
        uint32_t n = ssz[ip[-1] - 0x36u], k;
        wb_slot v = tos;
        EA(sp[-1], n)
        for (k = 0; k < n; k++, v >>= 8)
            p[k] = (uint8_t)v;
        tos = sp[-2];
        sp -= 2;
        NEXT();
    }
#else
    WB_MEMORY_OPS
#endif
    OP(0x3F) PUSH((uint32_t)(memsize / WB_PAGE)); NEXT();
    OP(0x40) {
        tos = (uint32_t)wb_memory_grow(env, inst->mems[0], I32(tos));
        RELOAD_MEM();
        NEXT();
    }
    OP(0x41) OP(0x43) PUSH(*ip); ip++; NEXT();
    OP(0x42) OP(0x44) {
        PUSH64((uint64_t)ip[0] | ((uint64_t)ip[1] << 32));
        ip += 2;
        NEXT();
    }
    WB_NUMERIC_OPS
    OP(0x6D) {
        int32_t a = S32(sp[-1]), b = S32(tos);
        if (!b)
            TRAP("integer divide by zero");
        if (b == -1 && a == INT32_MIN)
            TRAP("integer overflow");
        sp--;
        tos = (uint32_t)(a / b);
        NEXT();
    }
    OP(0x6E) {
        uint32_t a = I32(sp[-1]), b = I32(tos);
        if (!b)
            TRAP("integer divide by zero");
        sp--;
        tos = a / b;
        NEXT();
    }
    OP(0x6F) {
        int32_t a = S32(sp[-1]), b = S32(tos);
        if (!b)
            TRAP("integer divide by zero");
        sp--;
        tos = b == -1 ? 0u : (uint32_t)(a % b);
        NEXT();
    }
    OP(0x70) {
        uint32_t a = I32(sp[-1]), b = I32(tos);
        if (!b)
            TRAP("integer divide by zero");
        sp--;
        tos = a % b;
        NEXT();
    }
#if WB_TOS32
    OP(0x7F) {
        int64_t a = (int64_t)(sp[-1]), b = (int64_t)(TOS64());
        if (!b)
            TRAP("integer divide by zero");
        if (b == -1 && a == INT64_MIN)
            TRAP("integer overflow");
        sp--;
        SET64((uint64_t)(a / b));
        NEXT();
    }
    OP(0x80) {
        uint64_t a = (sp[-1]), b = TOS64();
        if (!b)
            TRAP("integer divide by zero");
        sp--;
        SET64(a / b);
        NEXT();
    }
    OP(0x81) {
        int64_t a = (int64_t)(sp[-1]), b = (int64_t)(TOS64());
        if (!b)
            TRAP("integer divide by zero");
        sp--;
        SET64(b == -1 ? 0u : (uint64_t)(a % b));
        NEXT();
    }
    OP(0x82) {
        uint64_t a = (sp[-1]), b = TOS64();
        if (!b)
            TRAP("integer divide by zero");
        sp--;
        SET64(a % b);
        NEXT();
    }
#else
    OP(0x7F) {
        int64_t a = (int64_t)(sp[-1]), b = (int64_t)(tos);
        if (!b)
            TRAP("integer divide by zero");
        if (b == -1 && a == INT64_MIN)
            TRAP("integer overflow");
        sp--;
        tos = (uint64_t)(a / b);
        NEXT();
    }
    OP(0x80) {
        uint64_t a = (sp[-1]), b = (tos);
        if (!b)
            TRAP("integer divide by zero");
        sp--;
        tos = a / b;
        NEXT();
    }
    OP(0x81) {
        int64_t a = (int64_t)(sp[-1]), b = (int64_t)(tos);
        if (!b)
            TRAP("integer divide by zero");
        sp--;
        tos = b == -1 ? 0u : (uint64_t)(a % b);
        NEXT();
    }
    OP(0x82) {
        uint64_t a = (sp[-1]), b = (tos);
        if (!b)
            TRAP("integer divide by zero");
        sp--;
        tos = a % b;
        NEXT();
    }
#endif
    BIN(0xA6, uint64_t, uint64_t,
        (a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull))
    OP(0xA8) OP(0xA9) OP(0xAA) OP(0xAB) OP(0xAE) OP(0xAF) OP(0xB0) OP(0xB1) {
        uint32_t o = ip[-1];
        const char *err;
#if WB_TOS32
        uint64_t v = wb_trunc(TOS64(), trunc_kind(o < 0xAE ? o - 0xA8 : o - 0xAA), &err);
        if (err)
            TRAP(err);
        SET64(v);
#else
        uint64_t v = wb_trunc(tos, trunc_kind(o < 0xAE ? o - 0xA8 : o - 0xAA), &err);
        if (err)
            TRAP(err);
        tos = v;
#endif
        NEXT();
    }
    OP(0xBD) OP(0xBE) OP(0xBF) NEXT();
    OP(0xD0) PUSH64(0); NEXT();
    OP(0xD2) PUSH64((uintptr_t)inst->funcs[*ip]); ip++; NEXT();
    OP(0xE0) OP(0xE1) OP(0xE2) OP(0xE3) OP(0xE4) OP(0xE5) OP(0xE6) OP(0xE7) {
        const char *err;
#if WB_TOS32
        SET64(wb_trunc(TOS64(), 8u | trunc_kind(ip[-1] - OP_FC), &err));
#else
        tos = wb_trunc(tos, 8u | trunc_kind(ip[-1] - OP_FC), &err);
#endif
        NEXT();
    }
    OP(0xE8) { /* memory.init seg: d s n */
        sp -= 2;
        st = wb_memory_init_seg(inst, *ip++, I32(sp[0]), I32(sp[1]), I32(tos));
        if (st)
            goto out;
        POP();
        NEXT();
    }
    OP(0xE9) inst->data_dropped[*ip++] = 1; NEXT();
    OP(0xEA) { /* memory.copy d s n */
        uint64_t d, s, n;
        sp -= 2;
        d = I32(sp[0]);
        s = I32(sp[1]);
        n = I32(tos);
        POP();
        if (s + n > memsize || d + n > memsize)
            TRAP("out of bounds memory access");
        memmove(mem + d, mem + s, (size_t)n);
        NEXT();
    }
    OP(0xEB) { /* memory.fill d v n */
        uint64_t d, n;
        int v;
        sp -= 2;
        d = I32(sp[0]);
        v = (int)(uint8_t)sp[1];
        n = I32(tos);
        POP();
        if (d + n > memsize)
            TRAP("out of bounds memory access");
        memset(mem + d, v, (size_t)n);
        NEXT();
    }
    OP(0xEC) { /* table.init seg table: d s n */
        sp -= 2;
        st = wb_table_init_seg(inst, ip[1], ip[0], I32(sp[0]), I32(sp[1]), I32(tos));
        ip += 2;
        if (st)
            goto out;
        POP();
        NEXT();
    }
    OP(0xED) inst->elem_dropped[*ip++] = 1; NEXT();
    OP(0xEE) { /* table.copy dst src: d s n */
        wb_table *td = inst->tables[ip[0]], *ts = inst->tables[ip[1]];
        uint64_t d, s, n;
        ip += 2;
        sp -= 2;
        d = I32(sp[0]);
        s = I32(sp[1]);
        n = I32(tos);
        POP();
        if (s + n > ts->size || d + n > td->size)
            TRAP("out of bounds table access");
        memmove(td->elems + d, ts->elems + s, (size_t)n * sizeof(void *));
        NEXT();
    }
    OP(0xEF) { /* table.grow: init n */
        wb_table *t = inst->tables[*ip++];
        void *init = (void *)(uintptr_t)*--sp;
        tos = (uint32_t)wb_table_grow(env, t, I32(tos), init);
        NEXT();
    }
    OP(0xF0) PUSH(inst->tables[*ip]->size); ip++; NEXT();
    OP(0xF1) { /* table.fill: i v n */
        wb_table *t = inst->tables[*ip++];
        uint64_t i, n, k;
        void *v;
        sp -= 2;
        i = I32(sp[0]);
        v = (void *)(uintptr_t)sp[1];
        n = I32(tos);
        POP();
        if (i + n > t->size)
            TRAP("out of bounds table access");
        for (k = 0; k < n; k++)
            t->elems[i + k] = v;
        NEXT();
    }
#if WB_FUSE
#if WB_TOS32
    OP(0x01) {
        wb_slot *l = fp + ip[1];
        LO(sp) = tos;
        sp[1] = fp[ip[0]];
        sp += 2;
        HI(sp) = HI(l);
        tos = LO(l);
        ip += 2;
        NEXT();
    }
#else
    OP(0x01) {
        sp[0] = tos;
        sp[1] = fp[ip[0]];
        tos = fp[ip[1]];
        sp += 2;
        ip += 2;
        NEXT();
    }
#endif
    OP(0x02) {
        PUSH((uint32_t)((uint32_t)fp[ip[0]] + ip[1]));
        ip += 2;
        NEXT();
    }
    BINI(0xF2, a + b)
    BINI(0xF3, a * b)
    BINI(0xF4, a & b)
    BINI(0xF5, a | b)
    BINI(0xF6, a ^ b)
    BINI(0xF7, a << (b & 31u))
    BINI(0xF8, (uint32_t)((int32_t)a >> (b & 31u)))
    BINI(0xF9, a >> (b & 31u))
    CMP_FAMILY(BINI, CMPI_N)
    CMP_FAMILY(BRC, BRC_N)
    CMP_FAMILY(BRCI, BRCI_N)
    BINL(0x03, uint32_t, uint32_t, a + b)
    BINL(0x05, uint32_t, uint32_t, a * b)
    BINL(0x08, uint64_t, uint64_t, a + b)
    FBINL(0x09, a + b)
    FBINL(0x0A, a - b)
    FBINL(0x0B, a * b)
    DBINL(0x1E, a + b)
    DBINL(0x1F, a - b)
    DBINL(0x27, a * b)
    LGLD(0xFA, 4, ld32(p))
    LGLD(0xFB, 8, ld64(p))
    LGLD(0xFC, 1, p[0])
    LGALD(0xFD, 4, ld32(p))
    LGALD(0xFE, 8, ld64(p))
    LGALD(0xFF, 1, p[0])
#endif
#if WB_FUSE2
/* local d = an i32 (with WB_TOS32 its low half: see WB_TOS32_LOCALS) */
#if WB_TOS32
#define SETL(d, v) (LO(fp + (d)) = (uint32_t)(v))
#else
#define SETL(d, v) (fp[d] = (uint32_t)(v))
#endif
    OP(0x100) PUSH((uint32_t)fp[ip[0]] & ip[1]); ip += 2; NEXT(); /* lget_andi */
    OP(0x101) PUSH((uint32_t)fp[ip[0]] >> (ip[1] & 31u)); ip += 2; NEXT();
    OP(0x102) { /* laddi_set a c d */
        SETL(ip[2], (uint32_t)fp[ip[0]] + ip[1]);
        ip += 3;
        NEXT();
    }
    OP(0x103) { /* laddi_tee a c d */
        uint32_t v = (uint32_t)fp[ip[0]] + ip[1];
        SETL(ip[2], v);
        PUSH(v);
        ip += 3;
        NEXT();
    }
    OP(0x105) { /* ll_add a b */
        PUSH((uint32_t)((uint32_t)fp[ip[0]] + (uint32_t)fp[ip[1]]));
        ip += 2;
        NEXT();
    }
    OP(0x106) { /* xor_set d */
        SETL(*ip++, sp[-1] ^ tos);
        tos = sp[-2];
        sp -= 2;
        NEXT();
    }
    OP(0x107) { /* xor_tee d */
        tos = (uint32_t)(*--sp ^ tos);
        SETL(*ip++, tos);
        NEXT();
    }
    OP(0x108) { /* add_set d */
        SETL(*ip++, sp[-1] + tos);
        tos = sp[-2];
        sp -= 2;
        NEXT();
    }
    OP(0x109) { /* addl_set b d */
        SETL(ip[1], (uint32_t)tos + (uint32_t)fp[ip[0]]);
        POP();
        ip += 2;
        NEXT();
    }
    OP(0x10A) SETL(ip[1], ip[0]); ip += 2; NEXT(); /* const_set c d */
    OP(0x10B) ip = I32(fp[ip[0]]) ? JUMP(ip + 1) : ip + 2; NEXT(); /* lbr_if */
    OP(0x10C) { /* laddi_brnz a c d target */
        uint32_t v = (uint32_t)fp[ip[0]] + ip[1];
        SETL(ip[2], v);
        ip = v ? JUMP(ip + 3) : ip + 4;
        NEXT();
    }
    OP(0x10D) { /* laddi_brne a c d k target */
        uint32_t v = (uint32_t)fp[ip[0]] + ip[1];
        SETL(ip[2], v);
        ip = v != ip[3] ? JUMP(ip + 4) : ip + 5;
        NEXT();
    }
    OP(0x104) { /* idx_ld32 s c off: i32.load off ((top << s) + c) */
        wb_msize ea_;
        if (OOB(ea_, ((uint32_t)tos << (ip[0] & 31u)) + ip[1], ip[2], 4u))
            TRAP("out of bounds memory access");
        tos = ld32(mem + ea_);
        ip += 3;
        NEXT();
    }
#endif
#if WB_FEATURE_INSTRUCTION_METERING
    OP(0xDF) { /* fuel n: the head of a loop */
        FUEL(*ip++);
        NEXT();
    }
#endif
#if WB_HAS_EXT
    OP(0xCF) { /* ext sub-op (wb_ext.h): every value in memory around it */
        wb_extctx x_;
        x_.env = env;
        x_.inst = inst;
        x_.fp = fp;
        x_.ip = ip + 1;
        x_.depth = depth;
        FLUSH();
        x_.sp = sp;
        st = wb_ext_exec(&x_, ip[0]);
        if (st)
            goto out;
        ip = x_.ip;
        sp = x_.sp;
        fp = x_.fp;
        depth = x_.depth;
        if (x_.inst != inst || env->mem_epoch != epoch) {
            inst = x_.inst;
            RELOAD_MEM();
        }
        POP();
        NEXT();
    }
#endif
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    eh_native: { /* EH_OR_OUT: find a handler from this frame (or its caller) */
        wb_extctx x_;
        x_.env = env;
        x_.inst = inst;
        x_.fp = fp;
        x_.ip = ip;
        x_.sp = sp;
        x_.depth = depth;
        st = wb_eh_unwind(&x_, eh_skip);
        if (st)
            goto out;
#if WB_FEATURE_DUMP_CALL_STACK
        env->ntrace = 0; /* caught: the frames the inner activation kept are moot */
#endif
        ip = x_.ip;
        sp = x_.sp;
        fp = x_.fp;
        depth = x_.depth;
        inst = x_.inst;
        RELOAD_MEM();
        POP();
        NEXT();
    }
#endif
#ifdef WB_CGOTO
    L_bad:
#else
    default:
#endif
        TRAP("illegal opcode");
    }
out:
#if WB_TOS32
    if (st == WB_OK)
        wb_tos32_clean(args, f->type->types + f->type->nparams, f->type->nresults);
#endif
#if WB_FEATURE_DUMP_CALL_STACK
    if (st == WB_ERR_TRAP || st == WB_ERR_EXCEPTION)
        wb_trace_record(env, inst, ip, depth, depth0);
#endif
    env->depth = depth0;
    return st;
}
#endif /* WB_FEATURE_INTERP */
