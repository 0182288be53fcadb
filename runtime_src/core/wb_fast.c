/*
 * fast-interp executor: runs the three-address code of wb_fastc.c (format in
 * wb_fast.h). Every operand is a byte offset from fp, so an instruction
 * reads its operands and writes its result in frame memory directly: no
 * push/pop, and local.get / constants cost nothing. Calls between fast
 * functions stay in this loop (frame records in env->frames, as the
 * classic interpreter keeps them); a callee without fast code (natives,
 * functions left to the classic interpreter, instances in the classic mode)
 * is called through wb_interp_call / wb_call_native. Dispatch: computed goto
 * under GNU C, a switch otherwise.
 */
#include "wb_fast.h"
#include "wb_opsem.h"

#if WB_FEATURE_FAST_INTERP
#if WB_FEATURE_AOT
#include "wb_aot.h"
#endif

static unsigned trunc_kind(unsigned sub)
{
    return (sub >> 2) | ((sub & 1u) << 1) | (((sub >> 1) & 1u) << 2);
}

/* ---- instances: which mode runs them ----------------------------------------- */
wb_status wb_fast_attach(wb_instance *inst, int fast)
{
    wb_module *m = inst->module;
    uint32_t i, nd = m->nfuncs - m->nfunc_imports;
    wb_status st;
#if WB_FEATURE_INSTRUCTION_METERING
    fast = 0; /* fuel is charged by the classic code's OP_FUEL: classic only */
#endif
#if WB_FEATURE_AOT
    if (m->aot)
        fast = 0; /* native code: nothing to translate */
#endif
    if (!m->code)
        fast = 0; /* no function bodies */
    if (fast && !m->fast) {
        st = wb_fast_translate(inst->env, m);
        if (st)
            return st;
    }
    for (i = 0; i < nd; i++) {
        const wb_fastfn *fn = fast ? &((wb_fastmod *)m->fast)->fns[i] : NULL;
        inst->own_funcs[i].fast = fn && fn->code ? fn : NULL;
    }
    inst->fast_mode = (uint8_t)(fast != 0);
    return WB_OK;
}

/* without per-instance-running-mode every instance keeps the build's mode */
#if WB_FEATURE_PER_INSTANCE_RUNNING_MODE
#define MODE_FIXED(mode) 0
#else
#define MODE_FIXED(mode) ((int)(mode) != WB_DEFAULT_FAST_INTERP)
#endif

wb_status wb_instance_set_running_mode(wb_instance *inst, wb_running_mode mode)
{
    if (mode != WB_MODE_INTERP && mode != WB_MODE_FAST_INTERP)
        return wb_fail(inst->env, WB_ERR_ARGS, "unknown running mode");
    if (MODE_FIXED(mode))
        return wb_fail(inst->env, WB_ERR_UNSUPPORTED,
                       "built without per-instance-running-mode");
    if (inst->env->depth)
        return wb_fail(inst->env, WB_ERR_ARGS, "running mode changed during a call");
    return wb_fast_attach(inst, mode == WB_MODE_FAST_INTERP);
}

wb_running_mode wb_instance_running_mode(const wb_instance *inst)
{
    return inst->fast_mode ? WB_MODE_FAST_INTERP : WB_MODE_INTERP;
}

wb_status wb_env_set_running_mode(wb_env *env, wb_running_mode mode)
{
    if (mode != WB_MODE_INTERP && mode != WB_MODE_FAST_INTERP)
        return wb_fail(env, WB_ERR_ARGS, "unknown running mode");
    if (MODE_FIXED(mode))
        return wb_fail(env, WB_ERR_UNSUPPORTED, "built without per-instance-running-mode");
    env->fast_mode = (uint8_t)(mode == WB_MODE_FAST_INTERP);
    return WB_OK;
}

size_t wb_module_code_bytes(const wb_module *m, wb_running_mode mode, uint32_t *fallback)
{
    const wb_fastmod *fm = (const wb_fastmod *)m->fast;
    if (fallback)
        *fallback = fm ? fm->fallback : 0;
    if (mode == WB_MODE_INTERP)
        return (size_t)m->code_len * 4u;
    if (!fm)
        return 0;
    return (size_t)fm->code_len * 4u + (size_t)fm->nconsts * sizeof(wb_slot) +
           (size_t)(m->nfuncs - m->nfunc_imports) * sizeof(wb_fastfn);
}

#if WB_FEATURE_DUMP_CALL_STACK || WB_FEATURE_COPY_CALL_STACK
uint32_t wb_fast_func_at(const wb_module *m, const uint32_t *ip)
{
    const wb_fastmod *fm = (const wb_fastmod *)m->fast;
    uint32_t i, nd = m->nfuncs - m->nfunc_imports, best = WB_NONE;
    if (!fm || !ip || ip < fm->code || ip >= fm->code + fm->code_len)
        return WB_NONE;
    for (i = 0; i < nd; i++) /* the last function starting at or before ip */
        if (fm->fns[i].code && fm->fns[i].code <= ip &&
            (best == WB_NONE || fm->fns[i].code > fm->fns[best].code))
            best = i;
    return best == WB_NONE ? WB_NONE : m->nfunc_imports + best;
}
#endif

/* ---- the executor --------------------------------------------------------------- */
#ifdef F_REL
int32_t wb_fast_rel[F_NOPS];
#endif

#ifdef F_CGOTO
#define OPF(n) L_##n:
#if defined(F_ABS)
#define NEXT() goto *(const void *)(uintptr_t)*ip
#elif defined(F_REL)
#define NEXT() goto *(const void *)((const char *)&&L_bad + (int32_t)*ip)
#else
#define NEXT() goto *tbl[*ip]
#endif
#define DISPATCH() NEXT();
#else
#define OPF(n) case n:
#define NEXT() continue
#define DISPATCH() for (;;) switch (*ip)
#endif

#define R(k) (*(wb_slot *)((char *)fp + ip[k]))
/* i32 results: where writing the low half alone is cheaper than writing a
 * zero-extended slot (32-bit CPUs: one store instead of two; RV64: sw instead
 * of the shifts that zero-extend, then sd), only the low 32 bits of an i32 (or
 * f32) slot are defined. Everything that reads such a slot reads its low half
 * (I32, F32, wb_trunc, 32-bit stores) or copies it whole (MOV, select, call
 * arguments); values leaving fast code (results, a non-fast callee's
 * arguments, global.set) are zero-extended by their type (f_clean). */
#ifdef F_W32
typedef uint32_t f_u32a __attribute__((may_alias));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define F_LO 4
#else
#define F_LO 0
#endif
#define W32(k, v) (*(f_u32a *)((char *)fp + ip[k] + F_LO) = (uint32_t)(v))
#else
#define W32(k, v) (R(k) = (uint32_t)(v))
#endif
#define WRT_uint32_t(v) W32(1, v)
#define WRT_uint64_t(v) (R(1) = (v))
#define WRT(RT, v) WRT_##RT(v)
/* a load of sz bytes: 8 is an i64/f64 */
#define WSZ(sz, v)                                                        \
    do {                                                                  \
        if ((sz) == 8)                                                    \
            R(1) = (v);                                                   \
        else                                                              \
            W32(1, v);                                                    \
    } while (0)
/* the memory table's loads: i32/f32 results at 0x28, 0x2A, 0x2C..0x2F */
#define WLOAD(n, v)                                                       \
    do {                                                                  \
        if ((n) == 0x28 || (n) == 0x2A || ((n) >= 0x2C && (n) <= 0x2F))   \
            W32(1, v);                                                    \
        else                                                              \
            R(1) = (v);                                                   \
    } while (0)
#define SLOTP(k) ((wb_slot *)((char *)fp + ip[k]))
#define I32(x) ((uint32_t)(x))
#define S32(x) ((int32_t)(uint32_t)(x))
#define F32(x) wb_f32((uint32_t)(x))
#define F64(x) wb_f64(x)

/* Bounds of a load/store of n bytes at i32 address a + offset o: OOB sets ea
 * and is true when the access is out of bounds. 32-bit CPUs: a memory they can
 * allocate has at most 65535 pages, so its size and the check fit in 32-bit
 * arithmetic (the carry of a + o, then the end; a 0-page memory fails the
 * second test), as the classic interpreter does: no 64-bit add/compare pairs. */
#if UINTPTR_MAX <= 0xFFFFFFFFu
typedef uint32_t f_msize;
#define OOB(ea, a, o, n)                                                  \
    (((ea) = (uint32_t)(a) + (uint32_t)(o)) < (uint32_t)(a) ||            \
     (ea) >= memsize || ((n) > 1 && memsize - (ea) < (n)))
#else
typedef uint64_t f_msize;
#define OOB(ea, a, o, n) (((ea) = (uint64_t)(uint32_t)(a) + (o)) + (n) > memsize)
#endif
#ifdef F_ABS
/* aarch64 bare metal: 4-byte accesses compare against memsize - 4, kept in a
 * register (signed: a memory under 4 bytes makes it negative), one add less
 * than ea + 4 > memsize */
#undef OOB
#define OOB(ea, a, o, n)                                                  \
    ((n) == 4 ? (int64_t)((ea) = (uint64_t)(uint32_t)(a) + (o)) > memlim4 \
              : ((ea) = (uint64_t)(uint32_t)(a) + (o)) + (n) > memsize)
#define F_MEMLIM() (memlim4 = (int64_t)memsize - 4)
#else
#define F_MEMLIM() ((void)0)
#endif

#define TRAP(msg)                                                         \
    do {                                                                  \
        st = wb_fail(env, WB_ERR_TRAP, msg);                              \
        goto out;                                                         \
    } while (0)

#define RELOAD_MEM()                                                      \
    do {                                                                  \
        if (inst->mems && inst->module->nmems) {                          \
            mem = inst->mems[0]->data;                                    \
            memsize = (f_msize)((uint64_t)inst->mems[0]->pages * WB_PAGE); \
        } else {                                                          \
            mem = NULL;                                                   \
            memsize = 0;                                                  \
        }                                                                 \
        F_MEMLIM();                                                       \
    } while (0)

/* dst a b */
#define BIN(n, T, RT, expr)                                               \
    OPF(n) {                                                              \
        T a = (T)R(2), b = (T)R(3);                                       \
        WRT(RT, (RT)(expr));                                                \
        ip += 4;                                                          \
        NEXT();                                                           \
    }
#define UN(n, T, RT, expr)                                                \
    OPF(n) {                                                              \
        T a = (T)R(2);                                                    \
        WRT(RT, (RT)(expr));                                                \
        ip += 3;                                                          \
        NEXT();                                                           \
    }
#define FBIN(n, expr)                                                     \
    OPF(n) {                                                              \
        float a = F32(R(2)), b = F32(R(3));                               \
        R(1) = wb_b32(expr);                                              \
        ip += 4;                                                          \
        NEXT();                                                           \
    }
#define DBIN(n, expr)                                                     \
    OPF(n) {                                                              \
        double a = F64(R(2)), b = F64(R(3));                              \
        R(1) = wb_b64(expr);                                              \
        ip += 4;                                                          \
        NEXT();                                                           \
    }
#define FCMP(n, expr)                                                     \
    OPF(n) {                                                              \
        float a = F32(R(2)), b = F32(R(3));                               \
        W32(1, expr);                                          \
        ip += 4;                                                          \
        NEXT();                                                           \
    }
#define DCMP(n, expr)                                                     \
    OPF(n) {                                                              \
        double a = F64(R(2)), b = F64(R(3));                              \
        W32(1, expr);                                          \
        ip += 4;                                                          \
        NEXT();                                                           \
    }
/* load: dst addr off; store: addr val off */
#define EA(addr, n)                                                       \
    f_msize ea_;                                                          \
    uint8_t *p;                                                           \
    if (OOB(ea_, addr, ip[3], n))                                         \
        TRAP("out of bounds memory access");                              \
    p = mem + ea_;
#define LOAD(n, sz, expr)                                                 \
    OPF(n) {                                                              \
        EA(R(2), sz)                                                      \
        WLOAD(n, expr);                                                    \
        ip += 4;                                                          \
        NEXT();                                                           \
    }
#define STORE(n, sz, stmt)                                                \
    OPF(n) {                                                              \
        wb_slot v = R(2);                                                 \
        EA(R(1), sz)                                                      \
        stmt;                                                             \
        ip += 4;                                                          \
        NEXT();                                                           \
    }
#define BINI_CMP(n, T, expr)                                              \
    OPF(n) {                                                              \
        T a = I32(R(2)), b = ip[3];                                       \
        W32(1, expr);                                          \
        ip += 4;                                                          \
        NEXT();                                                           \
    }
#define BRCMPI(n, T, expr)                                                \
    OPF(n) {                                                              \
        T a = I32(R(1)), b = ip[2];                                       \
        ip = (expr) ? ip + (int32_t)ip[3] : ip + 4;                       \
        NEXT();                                                           \
    }
#define INCBRI(n, T, expr)                                                \
    OPF(n) {                                                              \
        T a = I32(R(1)) + ip[2], b = ip[3];                               \
        W32(1, a);                                                         \
        ip = (expr) ? ip + (int32_t)ip[4] : ip + 5;                       \
        NEXT();                                                           \
    }
#define INCBR(n, T, expr)                                                 \
    OPF(n) {                                                              \
        T a = I32(R(1)) + ip[2], b = I32(R(3));                           \
        W32(1, a);                                                         \
        ip = (expr) ? ip + (int32_t)ip[4] : ip + 5;                       \
        NEXT();                                                           \
    }
#define ADDBRI(n, T, expr)                                                \
    OPF(n) {                                                              \
        T a = I32(R(1)) + I32(R(2)), b = ip[3];                           \
        W32(1, a);                                                         \
        ip = (expr) ? ip + (int32_t)ip[4] : ip + 5;                       \
        NEXT();                                                           \
    }
#define BRCMP(n, T, expr)                                                 \
    OPF(n) {                                                              \
        T a = (T)R(1), b = (T)R(2);                                       \
        ip = (expr) ? ip + (int32_t)ip[3] : ip + 4;                       \
        NEXT();                                                           \
    }
#define CMP_FAMILY(M, T, S, n0, n1, n2, n3, n4, n5, n6, n7, n8, n9)     \
    M(n0, T, a == b)                                                      \
    M(n1, T, a != b)                                                      \
    M(n2, T, (S)a < (S)b)                                                 \
    M(n3, T, a < b)                                                       \
    M(n4, T, (S)a > (S)b)                                                 \
    M(n5, T, a > b)                                                       \
    M(n6, T, (S)a <= (S)b)                                                \
    M(n7, T, a <= b)                                                      \
    M(n8, T, (S)a >= (S)b)                                                \
    M(n9, T, a >= b)

#ifdef F_W32
/* zero-extend the i32/f32 values among n slots of the given types (values
 * that leave fast code: see W32) */
static void f_clean(wb_slot *s, const uint8_t *types, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n; i++)
        if (types[i] == WB_I32 || types[i] == WB_F32)
            s[i] = (uint32_t)s[i];
}
#define F_CLEAN(s, types, n) f_clean((s), (types), (n))
#else
#define F_CLEAN(s, types, n) ((void)(s), (void)(types), (void)(n))
#endif

#ifdef F_CGOTO
/* opcode numbers as literals: labels are made from them */
#define F_OPS_CTL(X)                                                      \
    X(0x00) X(0x01) X(0x02) X(0x03) X(0x04) X(0x05) X(0x06) X(0x07)       \
    X(0x08) X(0x09) X(0x0A) X(0x0B) X(0x0C) X(0x0D) X(0x0E) X(0x0F)       \
    X(0x10) X(0x11) X(0x12) X(0x13) X(0x14) X(0x15) X(0x16) X(0x17)       \
    X(0x18) X(0x19) X(0x1A) X(0x1B) X(0x1C) X(0x1D) X(0x1E) X(0x1F)       \
    X(0x20) X(0x21) X(0x22) X(0x23) X(0x24) X(0x25) X(0x26) X(0x27)
#define F_OPS_MEM(X)                                                      \
    X(0x28) X(0x29) X(0x2A) X(0x2B) X(0x2C) X(0x2D) X(0x2E) X(0x2F)       \
    X(0x30) X(0x31) X(0x32) X(0x33) X(0x34) X(0x35) X(0x36) X(0x37)       \
    X(0x38) X(0x39) X(0x3A) X(0x3B) X(0x3C) X(0x3D) X(0x3E) X(0x3F) X(0x40)       \
    X(0x41) X(0x42) X(0x43)
#define F_OPS_NUM(X)                                                      \
    WB_NUMERIC_OPNUMS(X) X(0xE0) X(0xE1) X(0xE2) X(0xE3) X(0xE4) X(0xE5)   \
    X(0xE6) X(0xE7)
#define F_OPS_FUSED(X)                                                    \
    X(0xC5) X(0xC6) X(0xC7) X(0xC8) X(0xC9) X(0xCA) X(0xCB) X(0xCC)       \
    X(0xCD) X(0xCE) X(0xCF) X(0xD0) X(0xD1) X(0xD2) X(0xD3) X(0xD4)       \
    X(0xD5) X(0xD6) X(0xD7) X(0xD8) X(0xD9) X(0xDA) X(0xDB) X(0xDC)       \
    X(0xDD) X(0xDE) X(0xDF) X(0xE8) X(0xE9) X(0xEA) X(0xEB) X(0xEC)       \
    X(0xED) X(0xEE) X(0xEF) X(0xF0) X(0xF1) X(0xF2) X(0xF3) X(0xF4)       \
    X(0xF5) X(0xF6) X(0xF7) X(0xF8) X(0xF9) X(0xFA) X(0xFB) X(0xFC)       \
    X(0xFD) X(0xFE) X(0xFF) X(0x100) X(0x101) X(0x102) X(0x103) X(0x104)    \
    X(0x105) X(0x106) X(0x107) X(0x108) X(0x109) X(0x10A) X(0x10B) X(0x10C)\
    X(0x10D) X(0x10E) X(0x10F) X(0x110) X(0x111) X(0x112) X(0x113) X(0x114)\
    X(0x115) X(0x116) X(0x117) X(0x118) X(0x119) X(0x11A) X(0x11B) X(0x11C)\
    X(0x11D) X(0x11E) X(0x11F) X(0x120) X(0x121) X(0x122) X(0x123) X(0x124)\
    X(0x125) X(0x126) X(0x127) X(0x128) X(0x129) X(0x12A) X(0x12B) X(0x12C)\
    X(0x12D) X(0x12E) X(0x12F) X(0x130) X(0x131) X(0x132) X(0x133) X(0x134)\
    X(0x135) X(0x136) X(0x140) X(0x141) X(0x142) X(0x143) X(0x144) X(0x145) X(0x146) X(0x147)
/* the byte-indexed table lookups F_TLD8, F_TLD8X */
#define F_OPS_TBL(X) X(0x137) X(0x138)
#endif

wb_status wb_fast_call(wb_env *env, wb_func *f, wb_slot *args)
{
#ifdef F_CGOTO
#define TBL_ENTRY(n) tbl[n] = &&L_##n;
    static const void *tbl[F_NOPS];
    static int tbl_ready;
#endif
    wb_instance *inst;
    const uint32_t *ip = NULL;
    wb_slot *fp;
    wb_slot *stack_end;
    wb_frame *frames;
    /* the frame record at the current depth (frames + depth) and the end of
     * the records: a call and a return touch one pointer, no index scaling
     * or env->max_depth load (fewer spilled values on Cortex-M3) */
    wb_frame *fd, *frames_end;
    uint32_t depth0;
    uint8_t *mem;
    f_msize memsize;
#ifdef F_ABS
    int64_t memlim4;
#endif
    wb_status st = WB_OK;
    wb_func *callee;
    wb_slot *args0 = args; /* the entry function's parameters, then results */

#ifdef F_CGOTO
    if (!tbl_ready) {
        int i;
        for (i = 0; i < F_NOPS; i++)
            tbl[i] = &&L_bad;
        F_OPS_CTL(TBL_ENTRY)
        F_OPS_MEM(TBL_ENTRY)
        F_OPS_NUM(TBL_ENTRY)
        F_OPS_FUSED(TBL_ENTRY)
        F_OPS_TBL(TBL_ENTRY)
#if defined(F_ABS)
        for (i = 0; i < F_NOPS; i++) {
            if ((uintptr_t)tbl[i] > 0xFFFFFFFFu)
                return WB_ERR_UNSUPPORTED; /* not below 4 GiB: no fast mode */
            wb_fast_rel[i] = (int32_t)(uint32_t)(uintptr_t)tbl[i];
        }
#elif defined(F_REL)
        for (i = 0; i < F_NOPS; i++)
            wb_fast_rel[i] = (int32_t)((const char *)tbl[i] - (const char *)&&L_bad);
#endif
        tbl_ready = 1;
    }
    if (!env)
        return WB_OK; /* wb_fast_rel is ready */
#endif
    inst = f->inst;
    stack_end = env->stack + env->stack_slots;
    frames = env->frames;
    depth0 = env->depth;
    fd = frames + depth0;
    frames_end = frames + env->max_depth;
    RELOAD_MEM();
    callee = f;
    fd->ip = NULL; /* marks the entry frame */
    goto enter;

    DISPATCH()
    {
    OPF(0x00) TRAP("unreachable");
    OPF(0x01) ip += (int32_t)ip[1]; NEXT();
    OPF(0x02) ip = I32(R(1)) ? ip + (int32_t)ip[2] : ip + 3; NEXT();
    OPF(0x03) ip = I32(R(1)) ? ip + 3 : ip + (int32_t)ip[2]; NEXT();
    OPF(0x04) { /* br_table i n rel*(n+1) */
        uint32_t i = I32(R(1)), n = ip[2];
        if (i > n)
            i = n;
        ip += (int32_t)ip[3 + i];
        NEXT();
    }
    OPF(0x06) fp[0] = R(1); goto ret;
    OPF(0x07) {
        wb_slot *s = SLOTP(1);
        uint32_t n = ip[2], i;
        for (i = 0; i < n; i++)
            fp[i] = s[i];
        goto ret;
    }
    OPF(0x05) {
        wb_frame *fr;
    ret:
        fr = --fd;
        if (!fr->ip)
            goto out;
        ip = fr->ip;
        fp = fr->fp;
        /* memory.grow reloads mem in this loop, and so does every return from
         * a call that leaves it: only another instance's frame needs it */
        if (fr->inst != inst) {
            inst = fr->inst;
            RELOAD_MEM();
        }
        NEXT();
    }
    OPF(0x08) { /* call funcidx args */
        callee = inst->funcs[ip[1]];
        args = SLOTP(2);
        ip += 3;
    call:
        if (callee->fast) {
            const wb_fastfn *fn;
            if (fd + 1 >= frames_end) { /* depth + 1 >= env->max_depth */
                st = wb_fail(env, WB_ERR_EXHAUSTION, "call stack exhausted");
                goto out;
            }
            fd->ip = ip;
            fd->fp = fp;
            fd->inst = inst;
        enter:
            fn = callee->fast;
            if (args + fn->frame > stack_end) {
                st = wb_fail(env, WB_ERR_EXHAUSTION, "call stack exhausted");
                goto out;
            }
            fd++;
            {
                wb_slot *l = args + fn->nparams, z = 0;
                uint32_t n = fn->nzero;
#ifdef __GNUC__
                __asm__("" : "+r"(z)); /* a plain loop, not a memset call */
#endif
                for (; n; n--)
                    *l++ = z;
                if (fn->nconst) {
                    const wb_slot *k = fn->consts;
                    l = args + fn->nlocals;
                    for (n = fn->nconst; n; n--)
                        *l++ = *k++;
                }
            }
            fp = args;
            if (callee->inst != inst) {
                inst = callee->inst;
                RELOAD_MEM();
            }
            ip = fn->code;
            NEXT();
        }
        F_CLEAN(args, callee->type->types, callee->type->nparams);
        if (WB_INTERPRETED(callee)) {
            env->depth = (uint32_t)(fd - frames);
            st = wb_interp_call(env, callee, args);
        } else {
#if WB_FEATURE_COPY_CALL_STACK
            /* the caller's frame, so wb_ctx_call_stack sees it (as wb_interp.c) */
            fd->ip = ip;
            fd->fp = fp;
            fd->inst = inst;
            env->depth = (uint32_t)(fd - frames) + 1u;
#else
            env->depth = (uint32_t)(fd - frames);
#endif
#if WB_FEATURE_DUMP_CALL_STACK
            env->ntrace = 0; /* a trap the native reports starts a fresh trace */
#endif
            st = wb_call_native(env, callee, inst, args);
        }
        env->depth = depth0;
        if (st)
            goto out;
        RELOAD_MEM();
        NEXT();
    }
    OPF(0x09) { /* call_indirect typeidx tableidx i args */
        const wb_functype *want = &inst->module->types[ip[1]];
        wb_table *t = inst->tables[ip[2]];
        uint32_t i = I32(R(3));
        args = SLOTP(4);
        ip += 5;
        if (i >= t->size)
            TRAP("undefined element");
        callee = (wb_func *)t->elems[i];
        if (!callee)
            TRAP("uninitialized element");
        if (!wb_functype_eq(callee->type, want))
            TRAP("indirect call type mismatch");
        goto call;
    }
    OPF(0x0A) R(1) = R(2); ip += 3; NEXT();
    OPF(0x0B) R(1) = I32(R(4)) ? R(2) : R(3); ip += 5; NEXT();
    OPF(0x0C) R(1) = inst->globals[ip[2]]->val; ip += 3; NEXT();
    OPF(0x0D) {
        wb_global *g = inst->globals[ip[1]];
        g->val = R(2);
        F_CLEAN(&g->val, &g->type, 1u);
        ip += 3;
        NEXT();
    }
    OPF(0x0E) {
        wb_table *t = inst->tables[ip[2]];
        uint32_t i = I32(R(3));
        if (i >= t->size)
            TRAP("out of bounds table access");
        R(1) = (uintptr_t)t->elems[i];
        ip += 4;
        NEXT();
    }
    OPF(0x0F) {
        wb_table *t = inst->tables[ip[1]];
        uint32_t i = I32(R(2));
        if (i >= t->size)
            TRAP("out of bounds table access");
        t->elems[i] = (void *)(uintptr_t)R(3);
        ip += 4;
        NEXT();
    }
    OPF(0x10) R(1) = (uintptr_t)inst->funcs[ip[2]]; ip += 3; NEXT();
    CMP_FAMILY(BRCMP, uint32_t, int32_t, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
               0x19, 0x1A)
    OPF(0x1B) { /* memory.copy d s n */
        uint64_t d = I32(R(1)), s = I32(R(2)), n = I32(R(3));
        if (s + n > memsize || d + n > memsize)
            TRAP("out of bounds memory access");
        memmove(mem + d, mem + s, (size_t)n);
        ip += 4;
        NEXT();
    }
    OPF(0x1C) { /* memory.fill d v n */
        uint64_t d = I32(R(1)), n = I32(R(3));
        if (d + n > memsize)
            TRAP("out of bounds memory access");
        memset(mem + d, (int)(uint8_t)R(2), (size_t)n);
        ip += 4;
        NEXT();
    }
    CMP_FAMILY(BRCMP, uint64_t, int64_t, 0x1D, 0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24,
               0x25, 0x26)
    OPF(0x27) R(1) = R(2); R(3) = R(4); ip += 5; NEXT();
    OPF(0x41) R(1) = (wb_slot)ip[2] | ((wb_slot)ip[3] << 32); ip += 4; NEXT();
#define LDXS(n, sz, expr)                                                 \
    OPF(n) {                                                              \
        f_msize ea_;                                                      \
        uint8_t *p;                                                       \
        if (OOB(ea_, (I32(R(2)) << ip[3]) + ip[4], ip[5], sz))            \
            TRAP("out of bounds memory access");                          \
        p = mem + ea_;                                                    \
        WSZ(sz, expr);                                                    \
        ip += 6;                                                          \
        NEXT();                                                           \
    }
    LDXS(0x42, 4, ld32(p))
    LDXS(0x43, 8, ld64(p))
    WB_MEMORY_OPS
    OPF(0x3F) R(1) = (uint32_t)(memsize / WB_PAGE); ip += 2; NEXT();
    OPF(0x40) {
        R(1) = (uint32_t)wb_memory_grow(env, inst->mems[0], I32(R(2)));
        RELOAD_MEM();
        ip += 3;
        NEXT();
    }
    WB_NUMERIC_OPS
    OPF(0x6D) {
        int32_t a = S32(R(2)), b = S32(R(3));
        if (!b)
            TRAP("integer divide by zero");
        if (b == -1 && a == INT32_MIN)
            TRAP("integer overflow");
        R(1) = (uint32_t)(a / b);
        ip += 4;
        NEXT();
    }
    OPF(0x6E) {
        uint32_t a = I32(R(2)), b = I32(R(3));
        if (!b)
            TRAP("integer divide by zero");
        R(1) = a / b;
        ip += 4;
        NEXT();
    }
    OPF(0x6F) {
        int32_t a = S32(R(2)), b = S32(R(3));
        if (!b)
            TRAP("integer divide by zero");
        R(1) = b == -1 ? 0u : (uint32_t)(a % b);
        ip += 4;
        NEXT();
    }
    OPF(0x70) {
        uint32_t a = I32(R(2)), b = I32(R(3));
        if (!b)
            TRAP("integer divide by zero");
        R(1) = a % b;
        ip += 4;
        NEXT();
    }
    OPF(0x7F) {
        int64_t a = (int64_t)R(2), b = (int64_t)R(3);
        if (!b)
            TRAP("integer divide by zero");
        if (b == -1 && a == INT64_MIN)
            TRAP("integer overflow");
        R(1) = (uint64_t)(a / b);
        ip += 4;
        NEXT();
    }
    OPF(0x80) {
        uint64_t a = R(2), b = R(3);
        if (!b)
            TRAP("integer divide by zero");
        R(1) = a / b;
        ip += 4;
        NEXT();
    }
    OPF(0x81) {
        int64_t a = (int64_t)R(2), b = (int64_t)R(3);
        if (!b)
            TRAP("integer divide by zero");
        R(1) = b == -1 ? 0u : (uint64_t)(a % b);
        ip += 4;
        NEXT();
    }
    OPF(0x82) {
        uint64_t a = R(2), b = R(3);
        if (!b)
            TRAP("integer divide by zero");
        R(1) = a % b;
        ip += 4;
        NEXT();
    }
    BIN(0xA6, uint64_t, uint64_t,
        (a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull))
    /* trapping truncations: the kind is the handler's own (opcode words hold
     * handler offsets under computed goto) */
#define TRUNC(n, kind)                                                    \
    OPF(n) {                                                              \
        const char *err;                                                  \
        uint64_t v = wb_trunc(R(2), (kind), &err);                        \
        if (err)                                                          \
            TRAP(err);                                                    \
        R(1) = v;                                                         \
        ip += 3;                                                          \
        NEXT();                                                           \
    }
#define TRUNC_SAT(n, kind)                                                \
    OPF(n) {                                                              \
        const char *err;                                                  \
        R(1) = wb_trunc(R(2), 8u | (kind), &err);                         \
        ip += 3;                                                          \
        NEXT();                                                           \
    }
    TRUNC(0xA8, trunc_kind(0)) TRUNC(0xA9, trunc_kind(1)) TRUNC(0xAA, trunc_kind(2))
    TRUNC(0xAB, trunc_kind(3)) TRUNC(0xAE, trunc_kind(4)) TRUNC(0xAF, trunc_kind(5))
    TRUNC(0xB0, trunc_kind(6)) TRUNC(0xB1, trunc_kind(7))
    UN(0xBD, uint64_t, uint64_t, a)
    UN(0xBE, uint32_t, uint32_t, a)
    UN(0xBF, uint64_t, uint64_t, a)
    TRUNC_SAT(0xE0, trunc_kind(0)) TRUNC_SAT(0xE1, trunc_kind(1))
    TRUNC_SAT(0xE2, trunc_kind(2)) TRUNC_SAT(0xE3, trunc_kind(3))
    TRUNC_SAT(0xE4, trunc_kind(4)) TRUNC_SAT(0xE5, trunc_kind(5))
    TRUNC_SAT(0xE6, trunc_kind(6)) TRUNC_SAT(0xE7, trunc_kind(7))
    /* fused forms (wb_fastc.c): immediates, address arithmetic in loads/stores */
#define BINI(n, expr)                                                     \
    OPF(n) {                                                              \
        uint32_t a = I32(R(2)), b = ip[3];                                \
        W32(1, expr);                                          \
        ip += 4;                                                          \
        NEXT();                                                           \
    }
    BINI(0xC5, a + b)
    BINI(0xC6, a - b)
    BINI(0xC7, a * b)
    BINI(0xC8, a & b)
    BINI(0xC9, a | b)
    BINI(0xCA, a ^ b)
    BINI(0xCB, a << b) /* shift counts: < 32 (wb_fastc.c) */
    BINI(0xCC, (uint32_t)((int32_t)a >> b))
    BINI(0xCD, a >> b)
    CMP_FAMILY(BINI_CMP, uint32_t, int32_t, 0xCE, 0xCF, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5,
               0xD6, 0xD7)
    CMP_FAMILY(BRCMPI, uint32_t, int32_t, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED, 0xEE, 0xEF,
               0xF0, 0xF1)
    CMP_FAMILY(INCBRI, uint32_t, int32_t, 0x100, 0x101, 0x102, 0x103, 0x104, 0x105, 0x106,
               0x107, 0x108, 0x109)
    CMP_FAMILY(ADDBRI, uint32_t, int32_t, 0x114, 0x115, 0x116, 0x117, 0x118, 0x119, 0x11A,
               0x11B, 0x11C, 0x11D)
    CMP_FAMILY(INCBR, uint32_t, int32_t, 0x10A, 0x10B, 0x10C, 0x10D, 0x10E, 0x10F, 0x110,
               0x111, 0x112, 0x113)
#define LDX(n, sz, expr, B)                                               \
    OPF(n) {                                                              \
        f_msize ea_;                                                      \
        uint8_t *p;                                                       \
        if (OOB(ea_, I32(R(2)) + (B), ip[4], sz))                         \
            TRAP("out of bounds memory access");                          \
        p = mem + ea_;                                                    \
        WSZ(sz, expr);                                                    \
        ip += 5;                                                          \
        NEXT();                                                           \
    }
    LDX(0xD8, 4, ld32(p), I32(R(3)))
    LDX(0xD9, 8, ld64(p), I32(R(3)))
    LDX(0xDA, 1, p[0], I32(R(3)))
    LDX(0xDB, 2, ld16(p), I32(R(3)))
    LDX(0xDC, 4, ld32(p), ip[3])
    LDX(0xDD, 8, ld64(p), ip[3])
    LDX(0xDE, 1, p[0], ip[3])
    LDX(0xDF, 2, ld16(p), ip[3])
#define STX(n, sz, stmt, B)                                               \
    OPF(n) {                                                              \
        f_msize ea_;                                                      \
        uint8_t *p;                                                       \
        wb_slot v = R(3);                                                 \
        if (OOB(ea_, I32(R(1)) + (B), ip[4], sz))                         \
            TRAP("out of bounds memory access");                          \
        p = mem + ea_;                                                    \
        stmt;                                                             \
        ip += 5;                                                          \
        NEXT();                                                           \
    }
    STX(0xF2, 4, st32(p, (uint32_t)v), I32(R(2)))
    STX(0xF3, 8, st64(p, v), I32(R(2)))
    STX(0xF4, 1, p[0] = (uint8_t)v, I32(R(2)))
    STX(0xF5, 2, st16(p, (uint16_t)v), I32(R(2)))
    STX(0xF6, 4, st32(p, (uint32_t)v), ip[2])
    STX(0xF7, 8, st64(p, v), ip[2])
    STX(0xF8, 1, p[0] = (uint8_t)v, ip[2])
    STX(0xF9, 2, st16(p, (uint16_t)v), ip[2])
#define BINM(n, sz, LD, T, RT, expr)                                      \
    OPF(n) {                                                              \
        f_msize ea_;                                                      \
        uint8_t *p;                                                       \
        if (OOB(ea_, I32(R(3)) + ip[4], ip[5], sz))                       \
            TRAP("out of bounds memory access");                          \
        p = mem + ea_;                                                    \
        {                                                                 \
            T a = CV##T(R(2)), b = (T)LD(p);                              \
            WRT(RT, (RT)(expr));                                            \
        }                                                                 \
        ip += 6;                                                          \
        NEXT();                                                           \
    }
#define CVuint32_t(x) ((uint32_t)(x))
#define CVuint64_t(x) ((uint64_t)(x))
#define CVdouble(x) F64(x)
#define F64LD(p) F64(ld64(p))
#define LD8(p) ((p)[0])
    BINM(0xFA, 4, ld32, uint32_t, uint32_t, a + b)
    BINM(0xFB, 4, ld32, uint32_t, uint32_t, a * b)
    BINM(0xFC, 8, ld64, uint64_t, uint64_t, a + b)
    BINM(0xFD, 8, F64LD, double, uint64_t, wb_b64(a + b))
    BINM(0xFE, 8, F64LD, double, uint64_t, wb_b64(a * b))
    BINM(0xFF, 8, F64LD, double, uint64_t, wb_b64(a - b))
    /* F_BINM2: b from an 8-bit / 32-bit load */
    BINM(0x11E, 1, LD8, uint32_t, uint32_t, a ^ b)
    BINM(0x11F, 1, LD8, uint32_t, uint32_t, a + b)
    BINM(0x120, 4, ld32, uint32_t, uint32_t, a ^ b)
    BINM(0x121, 4, ld32, uint32_t, uint32_t, a & b)
    BINM(0x122, 4, ld32, uint32_t, uint32_t, a - b)
    OPF(0x123) { /* F_MUL2L: the product of two loads */
        f_msize ea_, eb_;
#if defined(__thumb__) || (defined(__riscv) && __riscv_xlen == 32)
        /* one test after the other: matmul on Cortex-M4 311.2M -> 281.7M guest
         * instructions, on RV32 336.7M -> 321.9M */
        if (OOB(ea_, I32(R(2)) + ip[3], ip[4], 4u) ||
            OOB(eb_, I32(R(5)) + ip[6], ip[7], 4u))
#else /* both addresses, then one test: aarch64 matmul 213.2M (220.6M one
       * after the other), Xtensa 393.4M (422.9M) */
        int oa = OOB(ea_, I32(R(2)) + ip[3], ip[4], 4u);
        int ob = OOB(eb_, I32(R(5)) + ip[6], ip[7], 4u);
        if (oa | ob)
#endif
            TRAP("out of bounds memory access");
        W32(1, ld32(mem + ea_) * ld32(mem + eb_));
        ip += 8;
        NEXT();
    }
    OPF(0x140) { /* F_MUL2LA: acc + the product of two loads (offsets 0) */
        f_msize ea_, eb_;
        uint32_t acc = I32(R(2));
#if defined(__thumb__) || (defined(__riscv) && __riscv_xlen == 32)
        if (OOB(ea_, I32(R(3)) + ip[4], 0u, 4u) || OOB(eb_, I32(R(5)) + ip[6], 0u, 4u))
#else
        int oa = OOB(ea_, I32(R(3)) + ip[4], 0u, 4u);
        int ob = OOB(eb_, I32(R(5)) + ip[6], 0u, 4u);
        if (oa | ob)
#endif
            TRAP("out of bounds memory access");
        W32(1, acc + ld32(mem + ea_) * ld32(mem + eb_));
        ip += 7;
        NEXT();
    }
    OPF(0x147) { /* F_MUL4LA: acc + two products of two loads (offsets 0) */
        f_msize ea_, eb_, ec_, ed_;
        uint32_t acc = I32(R(2));
#if defined(__thumb__) || (defined(__riscv) && __riscv_xlen == 32)
        if (OOB(ea_, I32(R(3)) + ip[4], 0u, 4u) || OOB(eb_, I32(R(5)) + ip[6], 0u, 4u) ||
            OOB(ec_, I32(R(7)) + ip[8], 0u, 4u) || OOB(ed_, I32(R(9)) + ip[10], 0u, 4u))
#else
        int oa = OOB(ea_, I32(R(3)) + ip[4], 0u, 4u);
        int ob = OOB(eb_, I32(R(5)) + ip[6], 0u, 4u);
        int oc = OOB(ec_, I32(R(7)) + ip[8], 0u, 4u);
        int od = OOB(ed_, I32(R(9)) + ip[10], 0u, 4u);
        if (oa | ob | oc | od)
#endif
            TRAP("out of bounds memory access");
        acc += ld32(mem + ea_) * ld32(mem + eb_);
        W32(1, acc + ld32(mem + ec_) * ld32(mem + ed_));
        ip += 11;
        NEXT();
    }
#define BINSH(n, expr)                                                    \
    OPF(n) {                                                              \
        uint32_t a = I32(R(2)), x = I32(R(3)), sh = ip[4]; /* < 32 */     \
        W32(1, expr);                                          \
        ip += 5;                                                          \
        NEXT();                                                           \
    }
    BINSH(0x124, a ^ (x >> sh))
    BINSH(0x125, a ^ (x << sh))
    BINSH(0x126, a | (x << sh))
    BINSH(0x127, a | (x >> sh))
    BINSH(0x128, a + (x << sh))
    BINSH(0x129, a + (x >> sh))
    /* F_BIN2: a op (x op y) */
    OPF(0x12A) W32(1, I32(R(2)) + (I32(R(3)) + I32(R(4)))); ip += 5; NEXT();
    OPF(0x12B) R(1) = R(2) + (R(3) + R(4)); ip += 5; NEXT();
    OPF(0x12C) {
        double a = F64(R(2)), t = F64(R(3)) + F64(R(4));
        R(1) = wb_b64(a + t);
        ip += 5;
        NEXT();
    }
    OPF(0x12D) {
        double a = F64(R(2)), t = F64(R(3)) * F64(R(4));
        R(1) = wb_b64(a * t);
        ip += 5;
        NEXT();
    }
#define LDBR(n, sz, LD, cond)                                             \
    OPF(n) {                                                              \
        f_msize ea_;                                                      \
        uint32_t v;                                                       \
        if (OOB(ea_, I32(R(1)) + ip[2], ip[3], sz))                       \
            TRAP("out of bounds memory access");                          \
        v = LD(mem + ea_);                                                \
        ip = (cond) ? ip + (int32_t)ip[4] : ip + 5;                       \
        NEXT();                                                           \
    }
    LDBR(0x12E, 4, ld32, v != 0)
    LDBR(0x12F, 4, ld32, v == 0)
    LDBR(0x130, 1, LD8, v != 0)
    LDBR(0x131, 1, LD8, v == 0)
#define DST(n, op)                                                        \
    OPF(n) {                                                              \
        double r = F64(R(2)) op F64(R(3));                                \
        f_msize ea_;                                                      \
        if (OOB(ea_, I32(R(1)), ip[4], 8u))                               \
            TRAP("out of bounds memory access");                          \
        st64(mem + ea_, wb_b64(r));                                       \
        ip += 5;                                                          \
        NEXT();                                                           \
    }
    DST(0x132, +)
    DST(0x133, -)
    DST(0x134, *)
    /* F_BINMST: store t + load (i32, f64): a off2 t x imm off */
#define BINMST(n, sz, T, LD, ST)                                          \
    OPF(n) {                                                              \
        f_msize ea_, eb_;                                                 \
        T v;                                                              \
        if (OOB(eb_, I32(R(4)) + ip[5], ip[6], sz))                       \
            TRAP("out of bounds memory access");                          \
        v = CV##T(R(3)) + LD(mem + eb_);                                  \
        if (OOB(ea_, I32(R(1)), ip[2], sz))                               \
            TRAP("out of bounds memory access");                          \
        ST;                                                               \
        ip += 7;                                                          \
        NEXT();                                                           \
    }
    BINMST(0x135, 4, uint32_t, ld32, st32(mem + ea_, v))
    BINMST(0x136, 8, double, F64LD, st64(mem + ea_, wb_b64(v)))
    /* F_TLD8 / F_TLD8X: t[((a & m) ^ load8u(x + imm + off)) << sh ...] (^ (y >> sh3)):
     * dst a m x imm off sh imm2 off2 [y sh3]; the byte's bounds first, as unfused */
#define TLD8(n, len, expr)                                                \
    OPF(n) {                                                              \
        f_msize ea_, eb_;                                                 \
        uint32_t i_;                                                      \
        if (OOB(ea_, I32(R(4)) + ip[5], ip[6], 1u))                       \
            TRAP("out of bounds memory access");                          \
        i_ = (I32(R(2)) & ip[3]) ^ mem[ea_];                              \
        if (OOB(eb_, (i_ << ip[7]) + ip[8], ip[9], 4u))                   \
            TRAP("out of bounds memory access");                          \
        W32(1, expr);                                                     \
        ip += (len);                                                      \
        NEXT();                                                           \
    }
    TLD8(0x137, 10, ld32(mem + eb_))
    TLD8(0x138, 12, ld32(mem + eb_) ^ (I32(R(10)) >> ip[11]))
    /* f64 multiply-then-add/sub fused with a store (f64 forms: only where
     * doubles are evaluated as doubles, F_BIN2_F64). The product and the
     * add/sub are separate statements: the runtime is C11, where gcc does not
     * contract across statements (-std=c11 implies -ffp-contract=off) and
     * clang only within one expression, so no FMA (one rounding) replaces the
     * two roundings WebAssembly requires. */
    OPF(0x141) { /* F_DMS: store x - y * z to a + off: a x y z off */
        double m, r;
        f_msize ea_;
        m = F64(R(3)) * F64(R(4));
        r = F64(R(2)) - m;
        if (OOB(ea_, I32(R(1)), ip[5], 8u))
            TRAP("out of bounds memory access");
        st64(mem + ea_, wb_b64(r));
        ip += 6;
        NEXT();
    }
    OPF(0x142) { /* F_LMSST: store load(b + offb) - p * (q * r) to a + off:
                    a off b offb p q r (p->f -= x * y * z) */
        double m, v;
        f_msize ea_, eb_;
        m = F64(R(6)) * F64(R(7));
        m = F64(R(5)) * m;
        if (OOB(eb_, I32(R(3)), ip[4], 8u))
            TRAP("out of bounds memory access");
        v = F64(ld64(mem + eb_));
        v = v - m;
        if (OOB(ea_, I32(R(1)), ip[2], 8u))
            TRAP("out of bounds memory access");
        st64(mem + ea_, wb_b64(v));
        ip += 8;
        NEXT();
    }
    OPF(0x143) { /* F_MAMST: store p * (q * r) + load(x + imm + off) to a + off2:
                    a off2 p q r x imm off (p->f += x * y * z) */
        double m, v;
        f_msize ea_, eb_;
        m = F64(R(4)) * F64(R(5));
        m = F64(R(3)) * m;
        if (OOB(eb_, I32(R(6)) + ip[7], ip[8], 8u))
            TRAP("out of bounds memory access");
        v = F64(ld64(mem + eb_));
        v = m + v;
        if (OOB(ea_, I32(R(1)), ip[2], 8u))
            TRAP("out of bounds memory access");
        st64(mem + ea_, wb_b64(v));
        ip += 9;
        NEXT();
    }
    OPF(0x144) { /* F_MAMSTA: l = base + imm (written), then F_MAMST to l + off2
                    with the load from l + off: l base imm off2 p q r off */
        uint32_t l = I32(R(2)) + ip[3];
        double m, v;
        f_msize ea_, eb_;
        W32(1, l);
        m = F64(R(6)) * F64(R(7));
        m = F64(R(5)) * m;
        if (OOB(eb_, l, ip[8], 8u))
            TRAP("out of bounds memory access");
        v = F64(ld64(mem + eb_));
        v = m + v;
        if (OOB(ea_, l, ip[4], 8u))
            TRAP("out of bounds memory access");
        st64(mem + ea_, wb_b64(v));
        ip += 9;
        NEXT();
    }
    OPF(0x145) { /* F_MALST: d = o + c * load(x + imm + off), stored to a + off2:
                    d o c x imm off a off2 (x += dt * p->v) */
        double m, v;
        f_msize ea_, eb_;
        if (OOB(eb_, I32(R(4)) + ip[5], ip[6], 8u))
            TRAP("out of bounds memory access");
        m = F64(R(3)) * F64(ld64(mem + eb_));
        v = F64(R(2)) + m;
        R(1) = wb_b64(v);
        if (OOB(ea_, I32(R(7)), ip[8], 8u))
            TRAP("out of bounds memory access");
        st64(mem + ea_, wb_b64(v));
        ip += 9;
        NEXT();
    }
    OPF(0x146) { /* F_STBR: store8 v to (x + imm) + off; a += b; a <u imm2: jump:
                    x imm v off a b imm2 rel (the sieve's marking loop) */
        f_msize ea_;
        uint32_t a;
        if (OOB(ea_, I32(R(1)) + ip[2], ip[4], 1u))
            TRAP("out of bounds memory access");
        mem[ea_] = (uint8_t)R(3);
        a = I32(R(5)) + I32(R(6));
        W32(5, a);
        ip = a < ip[7] ? ip + (int32_t)ip[8] : ip + 9;
        NEXT();
    }
#ifdef F_CGOTO
    L_bad:
#else
    default:
#endif
        TRAP("illegal opcode");
    }
out:
    if (!st)
        F_CLEAN(args0, f->type->types + f->type->nparams, f->type->nresults);
#if WB_FEATURE_DUMP_CALL_STACK
    if (st == WB_ERR_TRAP || st == WB_ERR_EXCEPTION)
        wb_trace_record(env, inst, ip, (uint32_t)(fd - frames), depth0); /* fast ips: wb_fast_func_at */
#endif
    env->depth = depth0;
    return st;
}
#else
typedef int wb_fast_unused; /* ISO C: no empty translation unit */
#endif /* WB_FEATURE_FAST_INTERP */
