/*
 * Internal structures shared by the runtime core: modules, instances,
 * runtime objects (functions, memories, tables, globals) and the
 * environment. Nothing here is part of the embedding API.
 */
#ifndef WB_INTERNAL_H
#define WB_INTERNAL_H

#include "wasmbed.h"
#include "wb_libc.h"
#include "wb_port.h"
#include "wb_defaults.h"
#include "../mem/wb_pool.h"

typedef uint64_t wb_slot; /* one operand-stack / local slot */

#ifndef WB_EH_PAYLOAD /* legacy EH: most payload slots of a tag */
#define WB_EH_PAYLOAD 8u
#endif
#ifndef WB_MM_DEPTH /* multi-module: modules loaded inside each other's imports */
#define WB_MM_DEPTH 8u
#endif
#ifndef WB_TRACE_MAX /* frames a trap's call stack keeps (dump-call-stack) */
#define WB_TRACE_MAX 16u
#endif

#define WB_PAGE 65536u
#define WB_NONE 0xFFFFFFFFu
#define WB_UNKNOWN_T 0 /* validator: polymorphic stack value */

/* validation helpers: compiled out in the mini loader */
#if WB_FEATURE_MINI_LOADER
#define WB_VALIDATE 0
#else
#define WB_VALIDATE 1
#endif

/* ---- module ---------------------------------------------------------- */
typedef struct wb_functype {
    uint32_t nparams, nresults;
    uint8_t *types; /* nparams parameter types, then nresults result types */
} wb_functype;

typedef struct wb_limits {
    uint32_t min, max;
    uint8_t has_max;
    uint8_t elem; /* tables: element reftype */
    uint8_t idx64; /* memory64: i64 addresses / table indices (flag 0x04) */
#if WB_FEATURE_SHARED_MEMORY
    uint8_t shared; /* memories: shared (threads proposal, flag bit 0x02) */
#endif
} wb_limits;

typedef struct wb_cexpr { /* a constant expression: one instruction */
    uint8_t op;           /* 0x41..0x44, 0x23 global.get, 0xD0, 0xD2 */
    uint32_t idx;
    uint64_t val;
#if WB_FEATURE_SIMD
    uint64_t hi; /* v128.const (op 0xFD): bytes 8..15 */
#endif
} wb_cexpr;

/* extended-const: a longer expression is a run of wb_cexpr in module->xops
 * (i32/i64 add, sub, mul between the operands), evaluated on a stack of
 * WB_CEXPR_DEPTH values; its head is {WB_CEXPR_EXT, idx count, val first}. */
#define WB_CEXPR_EXT 0x01
#ifndef WB_CEXPR_DEPTH
#define WB_CEXPR_DEPTH 16
#endif

typedef struct wb_globaldef {
    uint8_t type, mut;
    wb_cexpr init;
} wb_globaldef;

typedef struct wb_import {
    char *module, *name;
    uint32_t name_len;
    uint8_t kind;   /* 0 func 1 table 2 memory 3 global */
    uint32_t index; /* into the module's func/table/mem/global space */
} wb_import;

typedef struct wb_export {
    char *name;   /* NUL-terminated copy; may itself contain NUL bytes */
    uint32_t len;
    uint8_t kind;
    uint32_t index;
} wb_export;

typedef struct wb_elem {
    uint8_t mode; /* 0 active, 1 passive, 2 declarative */
    uint8_t type;
    uint32_t table, count;
    wb_cexpr offset;
    wb_cexpr *init;
} wb_elem;

typedef struct wb_data {
    uint8_t mode; /* 0 active, 1 passive */
    uint32_t mem, len;
    wb_cexpr offset;
    uint8_t *bytes;
} wb_data;

typedef struct wb_funcdef {
    uint32_t type;
    uint32_t code;      /* offset of its compiled code in module->code */
    uint32_t nlocals;   /* params + declared locals (slots)            */
    uint32_t max_stack; /* operand slots it may use                    */
} wb_funcdef;

struct wb_module {
    wb_env *env;
    wb_module *next; /* env's list */
    size_t mem_size;
    uint32_t refs; /* 1 for the handle + 1 per live instance */
    uint8_t freed; /* handle released */
    uint32_t ntypes;
    wb_functype *types;
    uint32_t nimports;
    wb_import *imports;
    uint32_t nfuncs, nfunc_imports;
    uint32_t *func_type; /* type index per function (imports first) */
    wb_funcdef *funcs;   /* defined functions (index - nfunc_imports) */
    uint32_t ntables, ntable_imports;
    wb_limits *tables;
    uint32_t nmems, nmem_imports;
    wb_limits *mems;
    uint32_t nglobals, nglobal_imports;
    wb_globaldef *globals;
    uint32_t nexports;
    wb_export *exports;
    uint32_t start;
    uint32_t nelems;
    wb_elem *elems;
    uint32_t ndatas;
    wb_data *datas;
#if WB_FEATURE_EXTENDED_CONST
    wb_cexpr *xops; /* extended constant expressions, see WB_CEXPR_EXT */
    uint32_t nxops, xops_cap;
#endif
    uint32_t *code;
    uint32_t code_len;
#if WB_FEATURE_FAST_INTERP
    void *fast; /* wb_fastmod: the fast-interp translation, made on first use */
#endif
#if WB_FEATURE_CUSTOM_NAME_SECTION
    char **func_names;
#endif
#if WB_FEATURE_LOAD_CUSTOM_SECTION
    struct wb_custom *customs; /* copies of the custom sections, in order */
    uint32_t ncustoms;
#endif
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    uint32_t ntags, ntag_imports;
    uint32_t *tag_type;       /* type index per tag (imports first)     */
    struct wb_eh_region *eh;  /* try regions of all functions (wb_eh.h) */
    uint32_t neh, eh_cap;
    struct wb_eh_catch *ehc;  /* their catches                          */
    uint32_t nehc, ehc_cap;
#endif
#if WB_FEATURE_AOT
    void *aot; /* wb_aot_module: native code of an AOT module, else NULL */
#endif
};

#if WB_FEATURE_LOAD_CUSTOM_SECTION
typedef struct wb_custom { /* one custom section (load-custom-section) */
    char *name;            /* NUL-terminated copy                        */
    uint32_t name_len, len;
    uint8_t *data;         /* len bytes after the name                   */
} wb_custom;
#endif

/* ---- runtime objects --------------------------------------------------- */
struct wb_func {
    const wb_functype *type;
    uint32_t nparams;        /* type->nparams, at hand for calls        */
    uint32_t nlocals;        /* wasm: params + locals                   */
    uint32_t frame;          /* wasm: slots a call may use from its fp  */
    wb_instance *inst;       /* NULL for a native                     */
    const wb_funcdef *def;   /* wasm functions                        */
    const uint32_t *code;    /* start of its compiled code            */
    wb_native_fn native;
    void *user;
#if WB_FEATURE_FAST_INTERP
    const struct wb_fastfn *fast; /* fast-interp code (wb_fast.h), else NULL */
#endif
#if WB_FEATURE_AOT
    void *aot; /* AOT trampoline (wb_aot_tramp), else NULL */
#endif
};

typedef struct wb_memory {
    uint8_t *data;
    uint32_t pages, max; /* max already clamped to 65536 */
    uint8_t has_max;
    uint8_t idx64; /* memory64: addressed with i64 */
#if WB_FEATURE_SHARED_MEMORY
    uint8_t shared; /* shared-memory: data holds `cap` pages from the start */
    uint32_t cap;   /* and never moves (other threads keep its address)    */
#endif
} wb_memory;

typedef struct wb_table {
    void **elems;
    uint32_t size, max; /* max WB_NONE when unbounded */
    uint8_t type;
    uint8_t idx64; /* memory64 (table64): indexed with i64 */
} wb_table;

typedef struct wb_global {
    wb_slot val;
#if WB_FEATURE_SIMD
    wb_slot hi; /* v128: bytes 8..15 (val holds bytes 0..7) */
#endif
    uint8_t type, mut;
} wb_global;

struct wb_instance {
    wb_env *env;
    wb_module *module;
    wb_instance *next; /* env's list */
    uint32_t refs;
    uint8_t freed;
    wb_func **funcs;
    wb_func *own_funcs;
    wb_table **tables;
    wb_table *own_tables;
    wb_memory **mems;
    wb_memory *own_mems;
    wb_global **globals;
    wb_global *own_globals;
    uint8_t *elem_dropped;
    uint8_t *data_dropped;
    wb_instance **deps;
    uint32_t ndeps;
#if WB_FEATURE_FAST_INTERP
    uint8_t fast_mode; /* runs in fast-interp (wb_instance_set_running_mode) */
#endif
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    struct wb_tag **tags; /* per tag index: its identity (wb_eh.h) */
    struct wb_tag *own_tags;
#endif
#if WB_FEATURE_WASI_THREADS
    struct wb_thread_group *wt; /* its shared env.memory's thread group, if any */
    uint8_t wt_owner;    /* made the group (the first, non-spawned instance) */
#endif
#if WB_FEATURE_AOT
    void *aot; /* wb_aot_ctx of an AOT module's instance */
#endif
};

#if WB_FEATURE_WASI_THREADS
typedef struct wb_thread_group wb_thread_group; /* wb_threads.c */
#endif

struct wb_ctx {
    wb_env *env;
    wb_instance *inst;
    void *user;
};

typedef struct wb_native_rec {
    struct wb_native_rec *next;
    char *module, *field;
    wb_functype type;
    wb_func func;
} wb_native_rec;

typedef struct wb_reg {
    struct wb_reg *next;
    char *name;
    wb_instance *inst;
#if WB_FEATURE_SHARED_MEMORY
    uint8_t extra; /* wb_register_instance_extra: searched after, never replaced */
#endif
} wb_reg;

typedef struct wb_frame {
    const uint32_t *ip;
    wb_slot *fp;
    wb_instance *inst;
} wb_frame;

struct wb_env {
#if WB_FEATURE_GLOBAL_HEAP_POOL
    wb_pool pool;
#endif
    size_t used, peak;
    char err[128]; /* room for "unknown import <module>.<field>: func (...) -> (...)" */
    int exit_code;
    uint32_t stack_slots, max_depth;
    wb_slot *stack; /* allocated on first call */
    wb_frame *frames;
    wb_slot *sp_top;  /* first free slot (nested calls from natives) */
    uint32_t depth;   /* frames in use                              */
    uint32_t mem_epoch; /* bumped when any linear memory moves       */
#if WB_FEATURE_FAST_INTERP
    uint8_t fast_mode;  /* running mode of later instances (fast-interp) */
#endif
    wb_native_rec *natives;
    wb_reg *regs;
    wb_module *modules;
    wb_instance *instances;
#if WB_FEATURE_WASI_THREADS
    struct wb_thread_group *wt; /* a spawned thread's environment: its group */
    wb_env_setup_fn wt_setup; /* wb_wasi_threads_register: natives of new threads */
#endif
#if WB_FEATURE_AOT
    uintptr_t aot_stack_limit; /* native stack floor while AOT code runs */
#endif
#if WB_FEATURE_INSTRUCTION_METERING
    uint64_t fuel_budget; /* per call; 0: unlimited                      */
    uint64_t fuel;        /* left in the running call                    */
#endif
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    struct wb_tag *exn_tag;     /* the exception in flight (wb_eh.c)   */
    wb_slot exn[WB_EH_PAYLOAD]; /* its payload slots                   */
    uint32_t exn_n;
#endif
#if WB_FEATURE_MULTI_MODULE
    wb_module_reader mm_reader; /* wb_multi.c */
    wb_module_release mm_release;
    void *mm_user;
    const char *mm_loading[WB_MM_DEPTH]; /* names being loaded (cycles) */
    uint32_t mm_depth;
#endif
#if WB_FEATURE_DUMP_CALL_STACK
    wb_frame_info trace[WB_TRACE_MAX]; /* the last trap's frames (wb_trace.c) */
    uint32_t ntrace;                   /* how many it had (may exceed the array) */
#endif
};

#if WB_FEATURE_MULTI_MODULE
/* load the module `name` through the reader when nothing answers to it yet */
wb_status wb_mm_resolve(wb_env *env, const char *name);
#endif
#if WB_FEATURE_DUMP_CALL_STACK
/* the interpreter's frames at a trap, appended to env->trace (wb_trace.c) */
void wb_trace_record(wb_env *env, const wb_instance *inst, const uint32_t *ip,
                     uint32_t depth, uint32_t depth0);
#endif

/* ---- allocation (env.c) ------------------------------------------------- */
void *wb_alloc(wb_env *env, size_t n); /* zeroed */
void *wb_realloc(wb_env *env, void *p, size_t n);
void wb_free(wb_env *env, void *p);
size_t wb_alloc_size(wb_env *env, void *p);

size_t wb_strlen(const char *s);
char *wb_strdup(wb_env *env, const char *s, size_t n);

/* Error helpers: store the message and return the status. */
wb_status wb_fail(wb_env *env, wb_status st, const char *msg);
/* append to the last error message (cut at its buffer's end) */
void wb_err_add(wb_env *env, const char *s, size_t len);
void wb_err_adds(wb_env *env, const char *s);
/* WB_ERR_UNSUPPORTED, "runtime built without <feature>" */
wb_status wb_not_built(wb_env *env, const char *feature);

/* ---- module loading (loader.c / compile.c) ----------------------------- */
typedef struct wb_reader {
    const uint8_t *p, *end;
    wb_env *env;
    wb_status st;
} wb_reader;

uint64_t wb_rd_leb(wb_reader *r, unsigned bits, int sgn);
uint8_t wb_rd_u8(wb_reader *r);
int wb_rd_fail(wb_reader *r, wb_status st, const char *msg);
#define wb_rd_u32(r) ((uint32_t)wb_rd_leb((r), 32, 0))

typedef struct wb_loadctx {
    wb_module *m;
    uint8_t *declared; /* functions named by ref.func outside code */
    uint32_t data_count;
    uint8_t has_data_count;
    uint8_t need_data_count;
} wb_loadctx;

wb_status wb_compile_func(wb_loadctx *lc, wb_reader *r, uint32_t idx);
int wb_functype_eq(const wb_functype *a, const wb_functype *b);
int wb_valtype_ok(uint8_t t);
/* Operand-stack / local slots of a value type: a v128 takes two (low
 * bytes 0..7 in the lower slot), everything else one. */
#if WB_FEATURE_SIMD
#define WB_SLOTS(t) ((t) == WB_V128 ? 2u : 1u)
uint32_t wb_slots_of(uint32_t n, const uint8_t *types);
#else
#define WB_SLOTS(t) 1u
#define wb_slots_of(n, types) (n)
#endif

/* ---- execution (interp.c / instance.c) --------------------------------- */
/* Runs in the interpreter (not a native, not AOT code)? */
#if WB_FEATURE_AOT
#define WB_INTERPRETED(f) ((f)->inst && !(f)->aot)
#else
#define WB_INTERPRETED(f) ((f)->inst != NULL)
#endif
wb_status wb_module_load_wasm(wb_env *env, const uint8_t *bytes, uint32_t size,
                              wb_module **out);
wb_status wb_interp_call(wb_env *env, wb_func *f, wb_slot *args);
void wb_to_value(wb_value *v, uint8_t type, wb_slot s);
wb_slot wb_from_value(const wb_value *v, uint8_t type);
wb_status wb_call_native(wb_env *env, wb_func *f, wb_instance *caller,
                         wb_slot *sp);
wb_status wb_table_init_seg(wb_instance *inst, uint32_t tab, uint32_t seg,
                            uint32_t d, uint32_t s, uint32_t n);
wb_status wb_memory_init_seg(wb_instance *inst, uint32_t seg, uint32_t d,
                             uint32_t s, uint32_t n);
#if WB_FEATURE_MEMORY64 || WB_FEATURE_MULTI_MEMORY
/* memory.init into memory `mem` at a 64-bit address (wb_memx.c) */
wb_status wb_memory_init_segx(wb_instance *inst, uint32_t mem, uint32_t seg, uint64_t d,
                              uint32_t s, uint32_t n);
#endif
int32_t wb_memory_grow(wb_env *env, wb_memory *mem, uint32_t delta);
#if WB_FEATURE_SHARED_MEMORY
int32_t wb_shared_grow(wb_memory *mem, uint32_t delta); /* wb_atomic.c */
void wb_atomic_wake_all(void); /* every waiter re-checks (a thread group ended) */
/* one atomic instruction (0xFE sub-opcode) at byte address ea of memory mem_idx; the
 * interpreter and AOT code (wb_aot.c) both run it */
wb_status wb_atomic_do(wb_env *env, wb_instance *inst, uint32_t mem_idx, uint32_t sub,
                       uint64_t ea, uint64_t a, uint64_t b, uint64_t *out);
#endif
#if WB_FEATURE_WASI_THREADS /* wb_threads.c */
wb_memory *wb_threads_memory(wb_env *env, wb_instance *inst, const wb_import *im,
                             const wb_limits *l);
void wb_threads_instance_gone(wb_instance *inst);
int wb_threads_exiting(const wb_instance *inst);
wb_status wb_threads_end_status(wb_env *env, const wb_instance *inst);
#endif
int32_t wb_table_grow(wb_env *env, wb_table *t, uint32_t delta, void *init);

void wb_instance_destroy(wb_instance *inst, int final);
void wb_module_destroy(wb_module *m);

/* ---- numerics (numeric.c) ---------------------------------------------- */
uint32_t wb_f32_round(uint32_t b, int mode); /* 0 nearest 1 floor 2 ceil 3 trunc */
uint64_t wb_f64_round(uint64_t b, int mode);
uint32_t wb_f32_sqrt(uint32_t b);
uint64_t wb_f64_sqrt(uint64_t b);
uint32_t wb_f32_minmax(uint32_t a, uint32_t b, int max);
uint64_t wb_f64_minmax(uint64_t a, uint64_t b, int max);
/* float -> int truncation. kind: bit0 = 64-bit result, bit1 = unsigned,
 * bit2 = f64 source, bit3 = saturating. *err gets a trap message or NULL. */
uint64_t wb_trunc(uint64_t bits, unsigned kind, const char **err);

/* bit casts (unions: inlined at every optimisation level) */
typedef union { uint32_t u; float f; } wb_u32f;
typedef union { uint64_t u; double d; } wb_u64d;
static inline float wb_f32(uint32_t b) { wb_u32f x; x.u = b; return x.f; }
static inline double wb_f64(uint64_t b) { wb_u64d x; x.u = b; return x.d; }
static inline uint32_t wb_b32(float f) { wb_u32f x; x.f = f; return x.u; }
static inline uint64_t wb_b64(double d) { wb_u64d x; x.d = d; return x.u; }

#endif /* WB_INTERNAL_H */
