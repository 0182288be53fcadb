/*
 * wasmbed embedding API.
 *
 * The one header an embedder (the agent, an application) includes. Every
 * function reports failure through its return value (WB_OK on success) and
 * a message fetched with wb_last_error(); nothing aborts or exits.
 *
 * Ownership: an environment (wb_env) owns every module and instance created
 * in it; wb_env_free() releases all of them at once. Modules and instances
 * may also be released early with wb_module_free() / wb_instance_free().
 * An instance keeps what it imports from other instances alive (reference
 * counts), so releasing in any order is safe. An instance that imports a
 * table or a mutable funcref global may have put its own functions into
 * storage another instance owns: wb_instance_free() then drops only the
 * handle and the instance lives on until wb_env_free().
 */
#ifndef WASMBED_H
#define WASMBED_H

#include <stddef.h>
#include <stdint.h>
#ifdef WB_HAVE_CONFIG_H
#include "wb_config.h" /* WB_FEATURE_SIMD decides wb_value's layout */
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define WB_VERSION_STRING "0.1.0"

/* ---- status codes ---------------------------------------------------- */
typedef enum wb_status {
    WB_OK = 0,
    WB_ERR_MALFORMED = 1,     /* binary does not decode                     */
    WB_ERR_INVALID = 2,       /* decodes but fails validation               */
    WB_ERR_LINK = 3,          /* import missing or of the wrong type        */
    WB_ERR_TRAP = 4,          /* execution trapped (message: spec wording)  */
    WB_ERR_EXHAUSTION = 5,    /* call stack / value stack exhausted         */
    WB_ERR_NOMEM = 6,         /* pool or allocator exhausted                */
    WB_ERR_NOT_FOUND = 7,     /* no such export / name                      */
    WB_ERR_ARGS = 8,          /* wrong argument count or types for a call   */
    WB_ERR_EXIT = 9,          /* the program called exit(): wb_exit_code()  */
    WB_ERR_UNSUPPORTED = 10,  /* feature not compiled in                    */
    WB_ERR_FUEL = 11,         /* the call used up its fuel budget           */
    WB_ERR_EXCEPTION = 12     /* a wasm exception nothing caught (legacy EH) */
} wb_status;

/* ---- values ----------------------------------------------------------- */
typedef enum wb_valtype {
    WB_I32 = 0x7F,
    WB_I64 = 0x7E,
    WB_F32 = 0x7D,
    WB_F64 = 0x7C,
    WB_V128 = 0x7B,
    WB_FUNCREF = 0x70,
    WB_EXTERNREF = 0x6F
} wb_valtype;

/* Floats travel as raw bit patterns so NaN payloads survive exactly.
 * References: ref == NULL is the null reference. An externref is any
 * host pointer the embedder chose; a funcref is an opaque runtime handle. */
typedef struct wb_value {
    uint8_t type; /* wb_valtype */
    union {
        uint32_t i32;
        uint64_t i64;
        uint32_t f32;
        uint64_t f64;
        void *ref;
#if defined(WB_FEATURE_SIMD) && WB_FEATURE_SIMD
        /* simd builds only: the 16 bytes of a v128 in memory order (lane 0
         * first); v128[0] holds bytes 0..7 as a little-endian number */
        uint64_t v128[2];
#endif
    } of;
} wb_value;

/* ---- opaque handles ---------------------------------------------------- */
typedef struct wb_env wb_env;
typedef struct wb_module wb_module;
typedef struct wb_instance wb_instance;
typedef struct wb_func wb_func; /* an exported (or imported) function */
typedef struct wb_ctx wb_ctx;   /* passed to native functions          */

/* ---- environment --------------------------------------------------------- */
typedef struct wb_config {
    /* Memory for every runtime allocation. With the global-heap-pool
     * feature this is required (or NULL to use the built-in static pool of
     * WB_HEAP_POOL_SIZE bytes); without it, NULL means the port allocator. */
    void *pool;
    size_t pool_size;
    /* Bounds for execution; 0 picks the defaults below. Exceeding either
     * ends the call with WB_ERR_EXHAUSTION ("call stack exhausted"). */
    uint32_t value_stack_slots; /* default WB_DEFAULT_STACK_SLOTS */
    uint32_t max_call_depth;    /* default WB_DEFAULT_CALL_DEPTH  */
} wb_config;

#define WB_DEFAULT_STACK_SLOTS 16384u
#define WB_DEFAULT_CALL_DEPTH 1024u

wb_status wb_env_new(const wb_config *cfg, wb_env **out);
void wb_env_free(wb_env *env);
/* Message of the last failure in this environment ("" if none). For traps
 * it is the spec's wording, e.g. "integer divide by zero". */
const char *wb_last_error(const wb_env *env);
/* Exit code after a call returned WB_ERR_EXIT. */
int wb_exit_code(const wb_env *env);

typedef struct wb_stats {
    size_t pool_size;  /* 0 when the port allocator is used */
    size_t pool_used;  /* bytes in use now                  */
    size_t pool_peak;  /* highest pool_used since wb_env_new */
} wb_stats;
void wb_env_stats(const wb_env *env, wb_stats *out);

/* Instruction metering (feature instruction-metering): every later wb_call
 * and wb_instantiate gets `fuel` units; running out ends the call with
 * WB_ERR_FUEL ("all fuel consumed"). A unit is one WebAssembly instruction:
 * a loop iteration costs its body's instruction count, a call one more.
 * 0 means no limit (the default). Without the feature: WB_ERR_UNSUPPORTED
 * for a non-zero budget. */
wb_status wb_env_set_fuel(wb_env *env, uint64_t fuel);
/* Fuel left after the last call (0 when unlimited or used up). */
uint64_t wb_env_fuel_left(const wb_env *env);

/* ---- native (host) functions -------------------------------------------- */
/* A native returns WB_OK after writing its results, or the status of
 * wb_ctx_trap() / wb_ctx_exit(). */
typedef wb_status (*wb_native_fn)(wb_ctx *ctx, const wb_value *args,
                                  wb_value *results);

/* Signature string: parameter letters, ':' , result letters.
 * i=i32 I=i64 f=f32 F=f64 r=externref R=funcref. Example "ii:i", ":" */
wb_status wb_register_native(wb_env *env, const char *module,
                             const char *field, const char *signature,
                             wb_native_fn fn, void *user);

void *wb_ctx_user(wb_ctx *ctx);
/* Linear memory 0 of the calling instance (NULL and *size = 0 if none). */
uint8_t *wb_ctx_memory(wb_ctx *ctx, uint32_t *size);
/* Trap with a message; returns WB_ERR_TRAP for the native to return. */
wb_status wb_ctx_trap(wb_ctx *ctx, const char *message);
/* End the program with an exit code; returns WB_ERR_EXIT. */
wb_status wb_ctx_exit(wb_ctx *ctx, int code);

/* ---- modules -------------------------------------------------------------- */
/* Decode (and, unless built as mini loader, validate) a binary module. The
 * module keeps no pointer into `bytes`: the caller may free them after. */
wb_status wb_module_load(wb_env *env, const uint8_t *bytes, uint32_t size,
                         wb_module **out);
void wb_module_free(wb_module *module);
/* Bytes of pool/heap the loaded module occupies. */
size_t wb_module_mem_size(const wb_module *module);
/* Custom section `name` of a loaded module (feature load-custom-section):
 * its bytes after the name, *len of them, valid while the module lives; the
 * first one when several share the name. NULL when there is none
 * (wb_last_error: "no custom section of that name") or the runtime keeps no
 * custom sections (built without the feature; AOT modules keep none). */
const uint8_t *wb_module_custom_section(const wb_module *module, const char *name,
                                       uint32_t *len);


/* ---- instances ------------------------------------------------------------ */
/* Resolve imports (natives and registered instances), allocate memories,
 * tables and globals, apply segments, run the start function. A trap in
 * the start function returns WB_ERR_TRAP and no instance. */
wb_status wb_instantiate(wb_env *env, wb_module *module, wb_instance **out);
void wb_instance_free(wb_instance *inst);

/* Running modes (features fast-interp, per-instance-running-mode;
 * docs/fast-interp.md). A fast-interp build runs new instances in
 * fast-interp unless wb_env_set_running_mode says otherwise (set it before
 * wb_instantiate: the start function runs in the chosen mode);
 * wb_instance_set_running_mode switches one instance between calls. The
 * first fast instance of a module translates its code (WB_ERR_NOMEM if
 * that does not fit). Only in builds with the fast-interp feature. */
typedef enum wb_running_mode {
    WB_MODE_INTERP = 0,     /* the classic interpreter        */
    WB_MODE_FAST_INTERP = 1 /* fast-interp (register slots)   */
} wb_running_mode;
wb_status wb_env_set_running_mode(wb_env *env, wb_running_mode mode);
wb_status wb_instance_set_running_mode(wb_instance *inst, wb_running_mode mode);
wb_running_mode wb_instance_running_mode(const wb_instance *inst);
/* Bytes of compiled code a module holds for a mode (interp: its classic
 * code; fast-interp: the translation with its constants, 0 before the
 * first fast instance); *fallback (may be NULL) gets the functions that
 * fast-interp leaves to the classic interpreter. */
size_t wb_module_code_bytes(const wb_module *module, wb_running_mode mode,
                            uint32_t *fallback);
/* Make an instance's exports importable under `name` (the spec's
 * `register`). A later registration of the same name replaces it. Every
 * later wb_instantiate resolves imports whose module name is `name` from
 * this instance's exports (several modules linked by name: multi-module). */
wb_status wb_register_instance(wb_env *env, const char *name,
                               wb_instance *inst);
/* multi-module: an import naming a module that is neither registered nor a
 * native module asks the reader for its bytes (WB_ERR_NOT_FOUND: no such
 * module, the import stays unknown). The module is loaded, instantiated
 * (its own imports resolve the same way, up to WB_MM_DEPTH levels; a cycle
 * is a LINK error) and registered under that name, so every later importer
 * shares the one instance. `release` (may be NULL) gets the bytes back once
 * loaded. Without the feature: WB_ERR_UNSUPPORTED. docs/embedding.md */
typedef wb_status (*wb_module_reader)(void *user, const char *name, const uint8_t **bytes,
                                      uint32_t *size);
typedef void (*wb_module_release)(void *user, const uint8_t *bytes, uint32_t size);
wb_status wb_set_module_reader(wb_env *env, wb_module_reader reader,
                               wb_module_release release, void *user);
/* wasi-threads (feature wasi-threads, on a port with threads): registers
 * `wasi.thread-spawn` in env. A module importing a shared memory from "env"
 * gets it made at instantiation; each thread it spawns runs in a new
 * environment that `setup` prepares (register the same natives as in env)
 * with its own instance of the module sharing that memory. docs/threads.md */
typedef wb_status (*wb_env_setup_fn)(wb_env *env);
wb_status wb_wasi_threads_register(wb_env *env, wb_env_setup_fn setup);

/* One more instance answering imports from `name`, searched after the one
 * wb_register_instance gave it (for exports it lacks) and never replaced:
 * e.g. the spectest module's shared_memory beside its plain memory. */
wb_status wb_register_instance_extra(wb_env *env, const char *name,
                                     wb_instance *inst);

/* ---- exports --------------------------------------------------------------- */
wb_status wb_export_func(wb_instance *inst, const char *name, wb_func **out);
/* The same for a name of `len` bytes that may contain NUL bytes. */
wb_status wb_export_func_len(wb_instance *inst, const char *name, size_t len,
                             wb_func **out);
/* Parameter / result types of a function (pointers stay valid while the
 * instance lives). */
void wb_func_type(const wb_func *f, uint32_t *nparams, const uint8_t **params,
                  uint32_t *nresults, const uint8_t **results);
wb_status wb_call(wb_env *env, wb_func *f, const wb_value *args,
                  uint32_t nargs, wb_value *results, uint32_t nresults);
wb_status wb_global_get(wb_instance *inst, const char *name, wb_value *out);
/* Linear memory 0 of an instance (NULL if none). */
uint8_t *wb_instance_memory(wb_instance *inst, uint32_t *size);

/* ---- call stacks ------------------------------------------------------------ */
/* One WebAssembly frame: the function's index in its module's function index
 * space (imports first) and its name from the "name" section (runtimes with
 * custom-name-section), else the name it is exported under, else NULL. The
 * name stays valid while the module lives. Only interpreted frames are
 * listed (natives and AOT code keep no wasm frames). */
typedef struct wb_frame_info {
    uint32_t func_index; /* 0xFFFFFFFF: not found */
    const char *name;
} wb_frame_info;
/* dump-call-stack: the frames of the last trap (or uncaught exception:
 * where it was thrown), innermost first (the first
 * WB_TRACE_MAX, 16 by default, are kept). Copies at most cap of them into out
 * and returns how many the trap had; 0 after a call that did not trap, or
 * when the runtime was built without the feature. */
uint32_t wb_trap_frames(const wb_env *env, wb_frame_info *out, uint32_t cap);
/* The same as text, one line per frame: "#0 func[3] fac\n#1 func[4]\n...".
 * NUL-terminated, cut to cap bytes; returns its length ("" without frames). */
size_t wb_trap_call_stack(const wb_env *env, char *buf, size_t cap);
/* copy-call-stack: from a native, the wasm frames that led to it (its
 * caller first). Returns how many there are; copies at most cap. Reads only
 * the interpreter's frame records, so a native (or a profiler's timer hook
 * calling into a native) may take it at any point. 0 when the runtime was
 * built without the feature. */
uint32_t wb_ctx_call_stack(wb_ctx *ctx, wb_frame_info *out, uint32_t cap);

/* ---- build information ------------------------------------------------------ */
/* Comma-separated feature keys compiled into this runtime. */
const char *wb_features(void);

#ifdef __cplusplus
}
#endif
#endif /* WASMBED_H */
