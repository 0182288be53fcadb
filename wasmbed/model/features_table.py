"""The feature table: one row per feature of the support tables, plus wasmbed's own rows.

This file is data only; `wasmbed/model/features.py` turns it into the registry and checks it.
Every row has its status on the line after its header, so flipping a status when a part
lands is a one-word edit:

    works      implemented in wasmbed's runtime and covered by tests
    always-on  part of wasmbed's WebAssembly 2.0 core; cannot be switched off
    not-yet    not implemented; selecting it is an error
    n/a        does not apply to wasmbed (the reason says why); selecting it is an error

Columns of a row: key, tier, category (the table's "Labels" column), label (the table's
"Description" column), status, then keyword fields:

    flags     the compile flag(s) the support table names, as spelled there (typos kept;
              the corrected spelling is listed too); lookup() accepts every one of them
    aliases   other names lookup() accepts
    requires  features that must also be selected; "a|b" means one of a or b.
              resolve() adds a missing requirement when it works (or is always on)
    implies   features selecting this one turns on (resolve() adds them, whatever status)
    value     name of the C macro that carries the feature's value (value features only)
    arches    CPU architectures it can exist on (empty: any)
    wast      testsuite files (globs, relative to the testsuite root) that exercise it
    reason    why a row is n/a (required for n/a), or a note for other statuses
    in_seed   False for rows that wasmbed adds itself (not in the support table)

Declarative conflicts live in CONFLICTS below, each with the reason shown to the user.
"""

from __future__ import annotations

from typing import Any

WORKS = "works"
ALWAYS_ON = "always-on"
NOT_YET = "not-yet"
NA = "n/a"

RUNNING_MODE = "Running mode"
COMPILER = "Compiler"
PROPOSAL = "Wasm Proposal"
EXTENSION = "Runtime Extensions"
PORTABILITY = "Portability"

NO_MMU = (
    "wasmbed runs without virtual memory (bare metal, and the same design on hosted ports); "
    "linear-memory and stack bounds are checked in software"
)
SGX_ONLY = "needs an Intel SGX enclave platform, which wasmbed does not target"
BIG_ML = "needs a hosted OS with a desktop machine-learning stack; wasmbed targets microcontrollers"


def _row(key: str, tier: str, category: str, label: str, status: str, description: str,
         **fields: Any) -> dict[str, Any]:
    return {"key": key, "tier": tier, "category": category, "label": label,
            "status": status, "description": description, **fields}


ROWS: list[dict[str, Any]] = [
    # ------------------------------------------------------------------ Tier A
    _row("platform-linux", "A", PORTABILITY, "Linux Compatibility",
         WORKS,
         "Runs as an ordinary Linux process through the POSIX host port: the agent talks over "
         "stdin/stdout, which is how the host spec runs work.",
         flags=("WAMR_BUILD_PLATFORM=linux",), aliases=("linux", "posix", "host")),
    _row("aot", "A", RUNNING_MODE, "AoT runtime",
         WORKS,
         "Loads .aot files made by `wasmbed aot` (WebAssembly translated to C and compiled by "
         "the board's own cross compiler), checks their header, target, ABI, features and "
         "CRC-32, copies the code image to executable memory, applies its relocations (pointer "
         "words everywhere; on bare-metal MIPS also lui upper halves and j/jal fields of its "
         "non-PIC code) and runs it through the same embedding API as interpreted modules "
         "(imports, tables and calls mix freely). `scons ... app=x.wasm` links the app into the "
         "firmware instead (no loader; the route on ESP32, whose heap cannot run code). "
         "See docs/aot.md.",
         flags=("WAMR_BUILD_AOT",)),
    _row("fast-interp", "A", RUNNING_MODE, "Fast Interpreter",
         WORKS,
         "A second interpreter: each function's validated code is translated, on the first "
         "instance that runs in this mode, into three-address code on frame slots (operands "
         "name their locals, constants and stack slots: no push/pop) with threaded dispatch; "
         "functions it does not translate run in the classic interpreter. A fast-interp build "
         "runs instances in it by default. See docs/fast-interp.md.",
         flags=("WAMR_BUILD_FAST_INTERP",), requires=("interp",)),
    _row("interp", "A", RUNNING_MODE, "Classic Interpreter",
         WORKS,
         "wasmbed's portable C11 interpreter: it executes validated WebAssembly code "
         "directly, with no code generation, so it runs on any CPU the C compiler targets.",
         flags=("WAMR_BUILD_INTERP",), aliases=("classic-interp", "classic-interpreter",
                                                "interpreter")),
    _row("wamrc", "A", COMPILER, "AoT compilation (wamrc)",
         WORKS,
         "`wasmbed aot app.wasm --board B`: validates the module with the runtime's own "
         "validator, translates it to C (explicit bounds checks, traps, call-depth and stack "
         "checks) and compiles that with the board's cross compiler, so every triple with a C "
         "compiler gets AOT (mips, riscv32, xtensa, Cortex-M). A host tool; selecting it in a "
         "firmware build changes nothing.",
         flags=("WAMR_BUILD_WAMR_COMPILER",), aliases=("aot-compiler", "wamr-compiler")),
    _row("bulk-memory", "A", PROPOSAL, "Bulk Memory",
         ALWAYS_ON,
         "memory.copy, memory.fill, memory.init and data.drop, table.copy, table.init and "
         "elem.drop, and passive data and element segments (WebAssembly 2.0).",
         flags=("WAMR_BUILD_BULK_MEMORY",), implies=("bulk-memory-opt",),
         aliases=("bulk-memory-operations",)),
    _row("custom-name-section", "A", PROPOSAL, "Name section",
         WORKS,
         "Reads the \"name\" custom section so that traps and diagnostics can name the "
         "function they happened in.",
         flags=("WAMR_BUILD_CUSTOM_NAME_SECTION",), aliases=("name-section",)),
    _row("extended-const", "A", PROPOSAL, "Extended Constant Expressions",
         WORKS,
         "Lets constant expressions (global initialisers, segment offsets) use i32/i64 add, "
         "sub and mul. wasmbed: interpreters and AOT (the runtime evaluates the expressions "
         "of AOT modules too).",
         flags=("WAMR_BUILD_EXTENDED_CONST_EXPR",), aliases=("extended-const-expr",),
         wast=("proposals/extended-const/*.wast",)),
    _row("nontrapping-fptoint", "A", PROPOSAL, "Non-trapping float-to-int",
         ALWAYS_ON,
         "The saturating float-to-integer truncations (0xFC 0-7), which clamp instead of "
         "trapping (WebAssembly 2.0).",
         aliases=("non-trapping-f2i", "nontrapping-f2i", "sat-float-to-int",
                  "saturating-float-to-int", "nontrapping-float-to-int")),
    _row("mutable-globals", "A", PROPOSAL, "Import/Export of Mutable Globals",
         ALWAYS_ON,
         "Modules may import and export mutable globals; an exported global is one shared "
         "cell that every importer reads and writes (WebAssembly 2.0).",
         aliases=("mutable-global",)),
    _row("multi-value", "A", PROPOSAL, "Multi-value",
         ALWAYS_ON,
         "Functions and blocks with several results, and blocks that take parameters "
         "(WebAssembly 2.0)."),
    _row("libc-wasi", "A", PROPOSAL, "WASI LIBC",
         WORKS,
         "The WASI preview1 system interface (wasi_snapshot_preview1): files, clocks, "
         "random, arguments and environment for programs built with wasi-libc.",
         flags=("WAMR_BUILD_LIBC_WASI",), aliases=("wasi",),
         reason="POSIX hosts: all of preview1, files confined to --dir preopens (official "
                "testsuite 72/72); bare metal: args, environ, clocks, random, stdout/stderr, "
                "exit, file calls ENOSYS (docs/wasi.md)"),
    _row("wasi-threads", "A", PROPOSAL, "WASI threads",
         WORKS,
         "The wasi-threads thread-spawn import, so programs built for wasm32-wasi-threads can "
         "start threads that share one memory.",
         flags=("WAMR_BUILD_LIB_WASI_THREADS",), aliases=("lib-wasi-threads",),
         implies=("thread-mgr", "bulk-memory", "shared-memory"), requires=("libc-wasi",),
         reason="on ports with threads: POSIX hosts (pthreads), NuttX (pthreads; "
                "qemu-aarch64-nuttx and qemu-riscv64-nuttx have it by default) and RIOT "
                "(riot-native64: up to 8 threads on static stacks); a build for a platform "
                "whose port has no threads (bare metal, RT-Thread, Zephyr, ...) is refused, "
                "naming the platform (docs/threads.md)"),
    _row("load-custom-section", "A", PROPOSAL, "Custom sections",
         WORKS,
         "Keeps custom sections after loading so the embedder can look them up by name "
         "(wb_module_custom_section; copies, since a module keeps no pointer into its bytes).",
         flags=("WAMR_BUILD_LOAD_CUSTOM_SECTION",), aliases=("custom-sections",)),
    _row("memory64", "A", PROPOSAL, "Memory64",
         WORKS,
         "Linear memories (and tables) indexed with i64 addresses.",
         flags=("WAMR_BUILD_MEMORY64",), aliases=("memory-64",),
         wast=("proposals/memory64/*.wast",),
         reason="interpreter and AOT, on 32-bit boards too: every i64 address is bounds "
                "checked in 64-bit arithmetic (docs/memory.md, docs/aot.md)"),
    _row("ref-types", "A", PROPOSAL, "Reference Types",
         ALWAYS_ON,
         "funcref and externref values, several tables per module, table.get/set/grow/size/"
         "fill, ref.null/is_null/func and typed select (WebAssembly 2.0).",
         flags=("WAMR_BUILD_REF_TYPES",), aliases=("reference-types",),
         implies=("call-indirect-overlong",)),
    _row("shared-memory", "A", PROPOSAL, "Threads",
         WORKS,
         "The threads proposal: shared linear memory, atomic loads, stores and "
         "read-modify-write operations, wait/notify and fences.",
         flags=("WAMR_BUILD_SHARED_MEMORY",), aliases=("threads", "atomics"),
         wast=("proposals/threads/*.wast",),
         reason="interpreter and AOT (atomics call the runtime's wb_atomic.c, docs/aot.md)"),
    _row("simd", "A", PROPOSAL, "SIMD (128-bit)",
         WORKS,
         "The v128 type and the fixed-width 128-bit SIMD instructions.",
         flags=("WAMR_BUILD_SIMD",), aliases=("simd128", "fixed-width-simd"),
         wast=("simd_*.wast",),
         reason="interpreter, portable C (runtime_src/core/wb_simd.c), big-endian too; "
                "AOT: each instruction calls the same code (docs/aot.md)"),
    _row("aot-intrinsics", "A", EXTENSION, "AOT intrinsics",
         NA,
         "Runtime helpers in C for operations that ahead-of-time code calls instead of "
         "emitting them inline (for CPUs or execute-in-place images that lack them). In "
         "wasmbed's AOT code always on: float rounding, min/max, sqrt and float->int "
         "truncation call the runtime's wb_numeric.c through the context table, and the "
         "compiler's own helpers (libgcc: 64-bit division, soft float) are linked into the "
         "image.",
         flags=("WAMR_BUILD_AOT_INTRINSICS",), requires=("aot",),
         reason="wasmbed's AOT code always uses runtime and libgcc helpers where the C "
                "compiler does not inline an operation: there is nothing to switch"),
    _row("aot-stack-frame", "A", EXTENSION, "AoT stack frame",
         NOT_YET,
         "Compiled code keeps small frame records so the runtime can walk WebAssembly frames "
         "of native code (call-stack dumps, profiling, GC roots).",
         flags=("WAMR_BUILD_AOT_STACK_FRAME",), requires=("aot|jit",),
         reason="wasmbed's AOT code keeps only a call-depth counter, no frame records: "
                "nothing in wasmbed walks frames yet (no GC, no call-stack dumps)"),
    _row("global-heap-pool", "A", EXTENSION, "Global heap pool",
         WORKS,
         "Every runtime allocation (modules, instances, linear memories, stacks) comes from "
         "one static buffer managed by wasmbed's own allocator; no malloc is needed.",
         flags=("WAMR_BUILD_GLOBAL_HEAP_POOL",), aliases=("heap-pool",)),
    _row("global-heap-size", "A", EXTENSION, "Global heap size",
         WORKS,
         "Size in bytes of the global heap pool; set per board (heap_size) or per build "
         "(heap_size=), compiled in as WB_GLOBAL_HEAP_SIZE.",
         flags=("WAMR_BUILD_GLOBAL_HEAP_SIZE",), aliases=("heap-size",),
         requires=("global-heap-pool",), value="WB_GLOBAL_HEAP_SIZE"),
    _row("libc-builtin", "A", EXTENSION, "Libc builtin",
         WORKS,
         "A small set of C-library functions offered to modules as `env` imports for programs "
         "built without WASI (printing, string and memory helpers, exit); also provides the "
         "spec suite's `spectest` module.",
         flags=("WAMR_BUILD_LIBC_BUILTIN",)),
    _row("module-inst-context", "A", EXTENSION, "Module instance context",
         NOT_YET,
         "Lets the embedder attach keyed data of its own to each module instance.",
         flags=("WAMR_BUILD_MODULE_INST_CONTEXT",)),
    _row("quick-aot-entry", "A", EXTENSION, "Quick AOT/JIT entries",
         NA,
         "Ready-made call stubs for common signatures so calls from the host into native "
         "code skip generic argument marshalling. wasmbed's AOT compiler emits one typed "
         "trampoline per function (slots in, direct C call, slots out), always.",
         flags=("WAMR_BUILD_QUICK_AOT_ENTRY",), requires=("aot|jit",),
         reason="every function of wasmbed's AOT code always has its own typed entry "
                "trampoline: there is nothing to switch"),
    _row("shrunk-memory", "A", EXTENSION, "Shrunk memory",
         NOT_YET,
         "When a module provably never grows its memory and exports its heap base, the "
         "initial linear memory is cut down to what the module actually uses.",
         flags=("WAMR_BUILD_SHRUNK_MEMORY",)),
    _row("thread-mgr", "A", EXTENSION, "Thread manager",
         WORKS,
         "Groups the execution contexts of one instance's threads, spawns and stops them and "
         "propagates traps between them.",
         flags=("WAMR_BUILD_THREAD_MGR",), aliases=("thread-manager",),
         requires=("wasi-threads",),
         reason="the wasi-threads thread group (runtime_src/core/wb_threads.c): one environment "
                "per thread, an exit or trap in one thread ends the others at their next wait "
                "or spawn, the owner instance waits for them; selected with wasi-threads"),
    _row("app-entry", "A", EXTENSION, "App entry",
         NOT_YET,
         "Helpers that run a program's _start/main (or a named export) with arguments given "
         "as text and print its results; the support table's flag disables them.",
         flags=("WAMR_DISABLE_APP_ENTRY",), aliases=("application-entry",)),
    _row("hw-bound-check", "A", EXTENSION, "hardware bound check",
         NA,
         "Catches out-of-bounds memory accesses with guard pages and a fault handler instead "
         "of explicit compares; the support table's flag disables it.",
         flags=("WAMR_DISABLE_HW_BOUND_CHECK",), aliases=("hardware-bound-check",),
         reason=NO_MMU),
    _row("stack-hw-bound-check", "A", EXTENSION, "stack hardware bound check",
         NA,
         "Guard pages below the native stack turn a native stack overflow into a trap; the "
         "support table's flag disables it.",
         flags=("WAMR_DISABLE_STACK_HW_BOUND_CHECK",), requires=("hw-bound-check",),
         reason=NO_MMU),
    _row("wakeup-blocking-op", "A", EXTENSION, "Wakeup blocking operation",
         NOT_YET,
         "Lets a thread that is being terminated be woken out of a blocking host call; the "
         "support table's flag disables it.",
         flags=("WAMR_DISABLE_WAKEUP_BLOCKING_OP",), requires=("thread-mgr",)),
    # ------------------------------------------------------------------ Tier B
    _row("platform-darwin", "B", PORTABILITY, "Darwin Compatibility",
         NOT_YET,
         "Runs as a macOS process through the POSIX host port.",
         flags=("WAMR_BUILD_PLATFORM=darwin",), aliases=("darwin", "macos")),
    _row("platform-esp-idf", "B", PORTABILITY, "ESP-IDF Compatibility",
         NOT_YET,
         "Runs as a component of an ESP-IDF application on Espressif chips.",
         flags=("WAMR_BUILD_PALTFORM=esp-idf", "WAMR_BUILD_PLATFORM=esp-idf"),
         aliases=("esp-idf",)),
    _row("platform-nuttx", "B", PORTABILITY, "Nuttx Compatibility",
         WORKS,
         "Runs as a NuttX application (apps/interpreters/wasmbed glue rendered from "
         "templates, the agent as the init task, the port on NuttX's libc, termios and clock), "
         "built by NuttX's own make from NUTTX_DIR; qemu-aarch64-nuttx passes the core suite "
         "over NuttX's console, qemu-riscv64-nuttx a sample (docs/nuttx.md, tests/test_nuttx.py).",
         flags=("WAMR_BUILD_PALTFORM=nuttx", "WAMR_BUILD_PLATFORM=nuttx"), aliases=("nuttx",)),
    _row("platform-linux-sgx", "B", PORTABILITY, "SGX Compatibility",
         NA,
         "Runs inside an Intel SGX enclave on Linux.",
         flags=("WAMR_BUILD_PALTFORM=linux-sgx", "WAMR_BUILD_PLATFORM=linux-sgx"),
         aliases=("sgx", "linux-sgx", "platform-sgx"), reason=SGX_ONLY),
    _row("platform-zephyr", "B", PORTABILITY, "Zephyr Compatibility",
         NOT_YET,
         "Runs as a Zephyr RTOS application (module with Kconfig and CMake glue).",
         flags=("WAMR_BUILD_PALTFORM=zephyr", "WAMR_BUILD_PLATFORM=zephyr"), aliases=("zephyr",)),
    _row("stringref", "B", PROPOSAL, "Stringref",
         NOT_YET,
         "Reference-typed strings with their own instructions, on top of GC.",
         flags=("WAMR_BUILD_STRINGREF",), implies=("gc",)),
    _row("tail-call", "B", PROPOSAL, "Tail Calls",
         WORKS,
         "return_call and return_call_indirect: calls that reuse the caller's frame. "
         "wasmbed: interpreters; AOT through a dispatch loop at the caller's call site, "
         "bounded native stack (docs/aot.md).",
         flags=("WAMR_BUILD_TAIL_CALL",), aliases=("tail-calls",),
         wast=("proposals/tail-call/*.wast",)),
    _row("jit", "B", RUNNING_MODE, "LLVM JIT",
         NOT_YET,
         "Compiles modules to native code with LLVM when they are loaded; best code, slow "
         "start-up, needs LLVM on the device.",
         flags=("WAMR_BUILD_JIT",), aliases=("llvm-jit",), implies=("aot", "interp")),
    _row("per-instance-running-mode", "B", EXTENSION, "Per Instance running mode",
         WORKS,
         "An API to choose, per module instance, which of the compiled-in running modes "
         "executes it: wb_env_set_running_mode (later instances), "
         "wb_instance_set_running_mode (between calls), classic interp or fast-interp; "
         "calls between instances of different modes work. See docs/fast-interp.md.",
         aliases=("running-mode",), requires=("fast-interp",)),
    _row("app-thread-stack-size-max", "B", EXTENSION, "Maximum stack size for app threads",
         NOT_YET,
         "Upper bound on the native stack given to threads that applications start.",
         flags=("WAMR_APP_THREAD_STACK_SIZE_MAX",), requires=("thread-mgr",),
         value="WB_APP_THREAD_STACK_SIZE_MAX"),
    _row("bh-log", "B", EXTENSION, "Host defined logging",
         NOT_YET,
         "Routes the runtime's log records to a function the embedder supplies.",
         flags=("WAMR_BH_LOG",), aliases=("host-log",)),
    _row("bh-vprintf", "B", EXTENSION, "Host defined vprintf",
         NOT_YET,
         "Routes the runtime's printf-style output (and the program's stdout/stderr) to a "
         "function the embedder supplies.",
         flags=("WAMR_BH_vprintf", "WAMR_BH_VPRINTF"), aliases=("host-vprintf",)),
    _row("alloc-with-usage", "B", EXTENSION, "Allocation with usage tracking",
         NOT_YET,
         "A user-supplied allocator is told what each request is for (runtime data or "
         "linear memory).",
         flags=("WAMR_BUILD_ALLOC_WITH_USAGE",)),
    _row("alloc-with-user-data", "B", EXTENSION, "Allocation with user data",
         NOT_YET,
         "A user-supplied allocator receives an opaque pointer of the embedder's choosing "
         "with every call.",
         flags=("WAMR_BUILD_ALLOC_WITH_USER_DATA",)),
    _row("bulk-memory-opt", "B", EXTENSION, "Bulk-memory-opt",
         ALWAYS_ON,
         "The memory.copy and memory.fill subset of bulk memory (the Lime1 profile's "
         "choice); wasmbed always has full bulk memory, so the subset is always there.",
         flags=("WAMR_BUILD_BULK_MEMORY_OPT",)),
    _row("call-indirect-overlong", "B", EXTENSION, "Call-indirect-overlong",
         ALWAYS_ON,
         "Accepts a call_indirect table index encoded as a multi-byte LEB128; wasmbed "
         "always has reference types, which require it.",
         flags=("WAMR_BUILD_CALL_INDIRECT_OVERLONG",)),
    _row("copy-call-stack", "B", EXTENSION, "Copy Call Stack",
         WORKS,
         "Copies the current WebAssembly call stack into a caller buffer, safely from a "
         "signal handler (for sampling profilers). wasmbed: wb_ctx_call_stack from a native "
         "(the frames that led to it); interpreted frames only.",
         flags=("WAMR_BUILD_COPY_CALL_STACK",), requires=("dump-call-stack",)),
    _row("debug-interp", "B", EXTENSION, "Debug Interpreter",
         NOT_YET,
         "Source-level debugging of interpreted code through a GDB remote-protocol server "
         "that lldb connects to.",
         flags=("WAMR_BUILD_DEBUG_INTERP",), aliases=("debugger",),
         requires=("interp",), implies=("thread-mgr",)),
    _row("dump-call-stack", "B", EXTENSION, "Dump call stack",
         WORKS,
         "Prints the WebAssembly call stack when a trap is raised, using names from the name "
         "section or the exports. wasmbed: wb_trap_frames / wb_trap_call_stack; the agent's "
         "TRAP reply carries it and `wasmbed run` prints it; interpreted frames only.",
         flags=("WAMR_BUILD_DUMP_CALL_STACK",), aliases=("call-stack-dump",)),
    _row("invoke-native-general", "B", EXTENSION, "Native General Invocation",
         ALWAYS_ON,
         "Host functions are called through portable C rather than per-architecture assembly "
         "thunks.",
         flags=("WAMR_BUILD_INVOKE_NATIVE_GENERAL",),
         reason="wasmbed's native interface always passes arguments and results as value "
                "arrays (wb_native_fn), so there is no assembly path to replace"),
    _row("lazy-jit", "B", EXTENSION, "Lazy JIT Compilation",
         NOT_YET,
         "A JIT compiles each function on first use (or in background threads) instead of "
         "all at load time.",
         flags=("WAMR_BUILD_LAZY_JIT",), requires=("jit|fast-jit",)),
    _row("lib-pthread", "B", EXTENSION, "Pthread",
         NOT_YET,
         "A pthread API (create, join, mutexes, condition variables, keys) offered as `env` "
         "imports; an older thread ABI, incompatible with wasi-threads.",
         flags=("WAMR_BUILD_LIB_PTHREAD",), aliases=("pthread",),
         implies=("thread-mgr", "bulk-memory", "shared-memory"),
         reason="not built: these imports need a thread table with join, a native stack and a "
                "slice of the module's own stack (__stack_pointer) per thread, and mutexes and "
                "condition variables keyed by their address in linear memory; programs use "
                "wasi-libc's pthreads over wasi-threads instead (docs/threads.md)"),
    _row("lib-pthread-semaphore", "B", EXTENSION, "Pthread Semaphore Support",
         NOT_YET,
         "Adds POSIX semaphores (sem_open, sem_wait, sem_post, ...) to the pthread imports.",
         flags=("WAMR_BUILD_LIB_PTHREAD_SEMAPHORE",), implies=("lib-pthread",),
         reason="not built: needs lib-pthread"),
    _row("lime1", "B", EXTENSION, "Lime1 runtime",
         NOT_YET,
         "The Lime1 feature profile in one switch: the WebAssembly 1.0 core plus mutable "
         "globals, multi-value, sign extension, saturating truncation, bulk-memory-opt, "
         "extended constants and overlong call_indirect.",
         flags=("WAMR_BUILD_LIME1",),
         implies=("bulk-memory-opt", "call-indirect-overlong", "extended-const"),
         reason="waits for extended-const"),
    _row("linux-perf", "B", EXTENSION, "Linux Performance Counters",
         NOT_YET,
         "Publishes a symbol map of compiled code so Linux `perf` can name WebAssembly "
         "functions.",
         flags=("WAMR_BUILD_LINUX_PERF",), requires=("aot|jit",)),
    _row("memory-profiling", "B", EXTENSION, "Memory profiling",
         NOT_YET,
         "Reports how much memory each module, instance and execution context occupies.",
         flags=("WAMR_BUILD_MEMORY_PROFILING",)),
    _row("multi-module", "B", EXTENSION, "Multi-module",
         WORKS,
         "Resolves a module's imports by loading the modules it names through an "
         "embedder-supplied reader (beyond registering instances by hand). wasmbed: "
         "wb_set_module_reader (loaded once, registered, shared; cycles refused); "
         "registration by name (wb_register_instance, `wasmbed run --module NAME=PATH`) "
         "in every build.",
         flags=("WAMR_BUILD_MULTI_MODULE",)),
    _row("perf-profiling", "B", EXTENSION, "Perf profiling",
         NOT_YET,
         "Counts calls and time spent per function and prints a profile.",
         flags=("WAMR_BUILD_PERF_PROFILING",)),
    _row("shared-heap", "B", EXTENSION, "Shared heap",
         NOT_YET,
         "Extra memory regions mapped above linear memory and shared between instances and "
         "the host.",
         flags=("WAMR_BUILD_SHARED_HEAP",)),
    _row("stack-guard-size", "B", EXTENSION, "Stack Guard Size",
         NOT_YET,
         "Bytes kept free at the end of the native stack; reaching them raises a "
         "native-stack-overflow trap instead of corrupting memory.",
         flags=("WAMR_BUILD_STACK_GUARD_SIZE",), value="WB_STACK_GUARD_SIZE"),
    _row("wasi-ephemeral-nn", "B", EXTENSION, "WASI Ephemeral NN",
         NOT_YET,
         "Offers the WASI-NN imports under the current `wasi_ephemeral_nn` module name "
         "instead of the legacy `wasi_nn`.",
         flags=("WAMR_BUILD_WASI_EPHEMERAL_NN",), requires=("wasi-nn",)),
    _row("wasi-nn", "B", EXTENSION, "WASI-NN (neural network APIs)",
         NOT_YET,
         "The WASI-NN interface: load a model, create an execution context, set inputs, run "
         "inference, read outputs; the work is done by a backend.",
         flags=("WAMR_BUILD_WASI_NN",), aliases=("wasi-nn-api",),
         implies=("module-inst-context",)),
    _row("wasi-nn-external-delegate", "B", EXTENSION, "External Delegate for WASI NN",
         NA,
         "The TensorFlow Lite backend hands work to an external delegate library (e.g. an "
         "Edge TPU driver).",
         flags=("WAMR_BUILD_WASI_NN_ENABLE_EXTERNAL_DELEGATE",),
         requires=("wasi-nn-tflite", "wasi-nn-external-delegate-path"), reason=BIG_ML),
    _row("wasi-nn-gpu", "B", EXTENSION, "GPU Support for WASI NN",
         NA,
         "The TensorFlow Lite backend runs on the GPU delegate.",
         flags=("WAMR_BUILD_WASI_NN_ENABLE_GPU",), requires=("wasi-nn-tflite",),
         reason="needs a GPU and its driver stack; wasmbed targets have neither"),
    _row("wasi-nn-external-delegate-path", "B", EXTENSION, "External Delegate Path for WASI NN",
         NA,
         "Path of the external delegate library, compiled into the runtime.",
         flags=("WAMR_BUILD_WASI_NN_EXTERNAL_DELEGATE_PATH",),
         requires=("wasi-nn-external-delegate",), value="WB_WASI_NN_EXTERNAL_DELEGATE_PATH",
         reason=BIG_ML),
    _row("wasi-nn-llamacpp", "B", EXTENSION, "LLAMA CPP for WASI NN",
         NA,
         "A WASI-NN backend running large language models with llama.cpp.",
         flags=("WAMR_BUILD_WASI_NN_LLAMACPP",), requires=("wasi-nn", "wasi-ephemeral-nn"),
         reason=BIG_ML),
    _row("wasi-nn-onnx", "B", EXTENSION, "ONNX for WASI NN",
         NA,
         "A WASI-NN backend on ONNX Runtime.",
         flags=("WAMR_BUILD_WASI_NN_ONNX",), requires=("wasi-nn", "wasi-ephemeral-nn"),
         reason=BIG_ML),
    _row("wasi-nn-openvino", "B", EXTENSION, "OpenVINO for WASI NN",
         NA,
         "A WASI-NN backend on Intel OpenVINO.",
         flags=("WAMR_BUILD_WASI_NN_OPENVINO",), requires=("wasi-nn",), reason=BIG_ML),
    _row("wasi-nn-tflite", "B", EXTENSION, "TFLite for WASI NN",
         NOT_YET,
         "A WASI-NN backend on TensorFlow Lite (a micro-controller build of it would fit "
         "wasmbed's targets).",
         flags=("WAMR_BUILD_WASI_NN_TFLITE",), requires=("wasi-nn",)),
    _row("configurable-bounds-checks", "B", EXTENSION, "Configurable bounds checks",
         NOT_YET,
         "Lets a trusted embedder switch the interpreter's software bounds checks off per "
         "instance at run time (unsafe, for speed).",
         flags=("WAMR_CONFIGURABLE_BOUNDS_CHECKS",), requires=("interp|fast-interp",)),
    _row("write-gs-base", "B", EXTENSION, "Write GS base",
         NA,
         "On x86-64 Linux, keeps the linear-memory base in the GS segment register so "
         "compiled code can address memory through it; the support table's flag disables "
         "it.",
         flags=("WAMR_DISABLE_WRITE_GS_BASE",), arches=("x86_64",),
         reason="a trick for native code generated on x86-64 Linux; wasmbed interprets and "
                "its x86 targets run freestanding"),
    # ------------------------------------------------------------------ Tier C
    _row("platform-alios-things", "C", PORTABILITY, "AliOS compatibility",
         NOT_YET,
         "Runs as an AliOS Things application.",
         flags=("WAMR_BUILD_PLATFORM=alios-things",), aliases=("alios-things", "alios")),
    _row("platform-android", "C", PORTABILITY, "Android Compatibility",
         NOT_YET,
         "Runs as a native Android process through the POSIX host port.",
         flags=("WAMR_BUILD_PLATFORM=android",), aliases=("android",)),
    _row("platform-cosmopolitan", "C", PORTABILITY, "Cosmo Compatibility",
         NOT_YET,
         "Builds one Cosmopolitan libc binary that runs on several operating systems.",
         flags=("WAMR_BUILD_PLATFORM=cosmopolitan",), aliases=("cosmopolitan", "cosmo")),
    _row("platform-freebsd", "C", PORTABILITY, "FreeBSD Compatibility",
         NOT_YET,
         "Runs as a FreeBSD process through the POSIX host port.",
         flags=("WAMR_BUILD_PLATFORM=freebsd",), aliases=("freebsd",)),
    _row("platform-ios", "C", PORTABILITY, "iOS Compatibility",
         NOT_YET,
         "Runs inside an iOS application (the Darwin port, built for iOS).",
         flags=("WAMR_BUILD_PLATFORM=darwin",), aliases=("ios",),
         reason="the support table gives it the Darwin flag; that flag names platform-darwin"),
    _row("platform-riot", "C", PORTABILITY, "RIOT OS Compatibility",
         WORKS,
         "Runs as RIOT external modules (runtime, port on RIOT's stdio and ztimer64, agent) "
         "in a RIOT application built by RIOT's own make from RIOTBASE; board riot-native64 "
         "passes the core suite over its stdio (docs/riot.md, tests/test_rtos_riot_rtthread.py).",
         flags=("WAMR_BUILD_PLATFORM=riot",), aliases=("riot", "riot-os")),
    _row("platform-rt-thread", "C", PORTABILITY, "RT-Thread Compatibility",
         WORKS,
         "Runs in an RT-Thread thread on the rtthread-nano kernel from RTT_ROOT with a BSP "
         "rendered per board (rtthread-mps2-an385 boots under QEMU and passes the core "
         "suite); an SConscript with DefineGroup and a Kconfig for a full RT-Thread BSP "
         "(docs/rt-thread.md, tests/test_rtos_riot_rtthread.py).",
         flags=("WAMR_BUILD_PLATFORM=rt-thread",), aliases=("rt-thread", "rtthread")),
    _row("platform-vxworks", "C", PORTABILITY, "VxWorks Compatibility",
         NOT_YET,
         "Runs as a VxWorks real-time process.",
         flags=("WAMR_BUILD_PLATFORM=vxworks",), aliases=("vxworks",)),
    _row("platform-windows", "C", PORTABILITY, "Windows Compatibility",
         NOT_YET,
         "Runs as a Windows process.",
         flags=("WAMR_BUILD_PLATFORM=windows",), aliases=("windows", "win32")),
    _row("gc", "C", PROPOSAL, "GC (Garbage Collection)",
         NOT_YET,
         "Garbage-collected structs and arrays, i31 references, typed function references, "
         "subtyping, casts and call_ref.",
         flags=("WAMR_BUILD_GC",), aliases=("garbage-collection", "function-references"),
         implies=("ref-types",),
         wast=("proposals/gc/*.wast", "proposals/function-references/*.wast")),
    _row("legacy-exception-handling", "C", PROPOSAL, "Legacy Exception Handling",
         WORKS,
         "The first exception-handling design: try, catch, catch_all, delegate, throw, "
         "rethrow and tags. wasmbed: classic interpreter (zero-cost try regions, unwinding "
         "across wasm frames and through natives); AOT: a pending exception checked after "
         "calls in try bodies (docs/aot.md), crossing AOT, interpreted and native code; "
         "uncaught: WB_ERR_EXCEPTION.",
         flags=("WAMR_BUILD_EXCE_HANDLING",), aliases=("exce-handling", "legacy-eh"),
         wast=("proposals/exception-handling/legacy/*.wast",)),
    _row("multi-memory", "C", PROPOSAL, "Multi-memory",
         WORKS,
         "Several linear memories per module, chosen by a memory index on each access.",
         flags=("WAMR_BUILD_MULTI_MEMORY",), wast=("proposals/multi-memory/*.wast",),
         reason="interpreter and AOT (memory 0 keeps AOT's fast path, docs/aot.md)"),
    _row("fast-jit", "C", RUNNING_MODE, "Fast JIT",
         NOT_YET,
         "A lightweight JIT with its own intermediate representation and an x86-64 code "
         "generator; quick to compile, less optimised than LLVM.",
         flags=("WAMR_BUILD_FAST_JIT",), implies=("interp",), arches=("x86_64",)),
    _row("multi-tier-jit", "C", RUNNING_MODE, "Multi-tier JIT",
         NOT_YET,
         "Starts in fast-JIT code and switches to LLVM-JIT code compiled in the background.",
         aliases=("tiered-jit",), implies=("fast-jit", "jit", "lazy-jit"), arches=("x86_64",),
         reason="the support table names a combination of flags (fast JIT + LLVM JIT + lazy)"),
    _row("aot-validator", "C", EXTENSION, "AoT Validator",
         WORKS,
         "Extra consistency checks on ahead-of-time files, which are otherwise trusted. In "
         "wasmbed the aot runtime always checks format and ABI version, target triple, ABI "
         "(pointer size, byte order, float ABI), needed features, file size and CRC-32 before "
         "any byte runs; aot-validator adds a range check of every relocation and symbol "
         "(files from untrusted sources, whose CRC an attacker can recompute).",
         flags=("WAMR_BUILD_AOT_VALIDATOR",), requires=("aot",)),
    _row("debug-aot", "C", EXTENSION, "Debug AOT",
         NOT_YET,
         "Registers loaded native code and its debug information with the debugger's JIT "
         "interface for source-level debugging.",
         flags=("WAMR_BUILD_DEBUG_AOT",), requires=("aot",)),
    _row("dynamic-aot-debug", "C", EXTENSION, "Dynamic AoT debugging",
         NOT_YET,
         "Publishes where an ahead-of-time module was loaded so a GDB script can load its "
         "symbols (aimed at embedded targets).",
         flags=("WAMR_BUILD_DYNAMIC_AOT_DEBUG",), requires=("aot",)),
    _row("fast-jit-dump", "C", EXTENSION, "Fast JIT Dump",
         NOT_YET,
         "Dumps the fast JIT's intermediate code and the disassembled machine code.",
         flags=("WAMR_BUILD_FAST_JIT_DUMP",), requires=("fast-jit",)),
    _row("gc-heap-verify", "C", EXTENSION, "Garbage Collection Heap Verify",
         NOT_YET,
         "Integrity checks inside the heap allocator, run on every free (about the "
         "allocator, not WebAssembly GC).",
         flags=("WAMR_BUILD_GC_HEAP_VERIFY",), implies=("global-heap-pool",)),
    _row("instruction-metering", "C", EXTENSION, "Instruction Metering",
         WORKS,
         "Gives a call a budget of executed instructions (wb_env_set_fuel, the agent's FUEL "
         "request, --fuel N) and ends it with WB_ERR_FUEL \"all fuel consumed\" when it runs "
         "out: a loop iteration costs its body's instruction count, a call one more. "
         "Interpreter only so far (AOT code is not metered).",
         flags=("WAMR_BUILD_INSTRUCTION_METERING",), aliases=("metering", "fuel"),
         requires=("interp|fast-interp",)),
    _row("libc-emcc", "C", EXTENSION, "Libc EMCC Compatibility",
         NOT_YET,
         "The `env` imports that Emscripten-built programs expect (invoke_* trampolines, "
         "syscalls, setjmp/longjmp helpers).",
         flags=("WAMR_BUILD_LIBC_EMCC",), aliases=("emscripten",)),
    _row("libc-uvwasi", "C", EXTENSION, "Libc UVWASI Compatibility",
         NOT_YET,
         "WASI preview1 implemented on libuv/uvwasi: portable to more host systems, with a "
         "weaker filesystem sandbox.",
         flags=("WAMR_BUILD_LIBC_UVWASI",), aliases=("uvwasi",),
         implies=("module-inst-context",)),
    _row("lib-rats", "C", EXTENSION, "RATS Library",
         NA,
         "Remote-attestation imports (collect and verify evidence) for code in SGX "
         "enclaves.",
         flags=("WAMR_BUILD_LIB_RATS",), aliases=("librats",),
         requires=("platform-linux-sgx",), reason=SGX_ONLY),
    _row("mini-loader", "C", EXTENSION, "Mini Loader",
         WORKS,
         "Builds the loader without validation: smaller and faster to load, but only for "
         "trusted, already-validated modules; invalid modules are not reliably rejected.",
         flags=("WAMR_BUILD_MINI_LOADER",), requires=("interp|fast-interp|aot",),
         reason="validation is compiled out, so spec assert_invalid/assert_malformed cases "
                "do not apply"),
    _row("sgx-ipfs", "C", EXTENSION, "SGX IPFS Support",
         NA,
         "File I/O inside an SGX enclave goes through Intel's protected file system.",
         flags=("WAMR_BUILD_SGX_IPFS",), requires=("platform-linux-sgx",), reason=SGX_ONLY),
    _row("static-pgo", "C", EXTENSION, "Static PGO",
         NOT_YET,
         "Collects profile data from instrumented ahead-of-time code to feed a "
         "profile-guided recompilation.",
         flags=("WAMR_BUILD_STATIC_PGO",), aliases=("pgo",), requires=("aot",)),
    _row("wasm-cache", "C", EXTENSION, "WASM cache",
         NOT_YET,
         "Reuses an already loaded module when the same bytes (by SHA-256) are loaded again.",
         flags=("WAMR_BUILD_WASM_CACHE",)),
    _row("test-gc", "C", EXTENSION, "Test garbage collection",
         NOT_YET,
         "Test knob: the garbage collector runs on every allocation.",
         flags=("WAMR_TEST_GC",), requires=("gc",)),
    # ------------------------------------------- wasmbed's own rows (not in the table)
    _row("platform-baremetal", "C", PORTABILITY, "Bare-metal Compatibility",
         WORKS,
         "Runs with no operating system: wasmbed's startup code, linker script and UART/timer "
         "port are rendered per board, and the agent talks over the serial line.",
         aliases=("baremetal", "bare-metal", "freestanding"), in_seed=False,
         reason="wasmbed's own row; the support table's bare-metal triples are tier C"),
    _row("sign-ext", "A", PROPOSAL, "Sign-extension operators",
         ALWAYS_ON,
         "i32.extend8_s, i32.extend16_s and the i64 equivalents (WebAssembly 2.0).",
         aliases=("sign-extension", "sign-extension-ops"), in_seed=False,
         reason="wasmbed's own row: part of the 2.0 core, not a row of the table"),
    _row("exception-handling", "C", PROPOSAL, "Exception Handling (exnref)",
         NOT_YET,
         "The current exception-handling design: try_table, throw, throw_ref, exnref and tags.",
         aliases=("eh", "exnref"), in_seed=False,
         wast=("proposals/exception-handling/*.wast",),
         reason="wasmbed's own row, so the testsuite's EH files map to a feature"),
    _row("relaxed-simd", "C", PROPOSAL, "Relaxed SIMD",
         NOT_YET,
         "SIMD instructions whose results may differ between CPUs (fused multiply-add, "
         "relaxed lane select, ...).",
         implies=("simd",), in_seed=False, wast=("proposals/relaxed-simd/*.wast",),
         reason="wasmbed's own row, so the testsuite's relaxed-SIMD files map to a feature"),
    _row("branch-hints", "C", PROPOSAL, "Branch Hints",
         NOT_YET,
         "Reads the branch-hint custom section (likely/unlikely per branch) to lay out code.",
         flags=("WAMR_BUILD_BRANCH_HINTS",), aliases=("branch-hinting",), in_seed=False,
         reason="wasmbed's own row: a newer revision of the support table lists it in tier C"),
    _row("app-store", "C", EXTENSION, "App store on flash",
         WORKS,
         "The agent keeps a module in two flash slots (A/B, header written last): at boot it "
         "runs the newest valid one (the other when the newest is invalid), then serves the "
         "protocol; `wasmbed push app.wasm --port P` writes the other slot over the serial "
         "line (STORE_* frames). Needs the board's `app_store:` region and a flash driver "
         "(cfi-01: QEMU's pflash). See docs/appstore.md.",
         aliases=("appstore", "push"), in_seed=False,
         reason="wasmbed's own row: apps kept on flash without reflashing (issue 14)"),
]

# Every build needs a running mode; when none is selected, resolve() adds the first one.
BUILD_REQUIRES: tuple[str, ...] = ("interp|fast-interp|aot",)

# Declarative conflicts: (feature, feature, why). Both names and the reason reach the user.
_CLASSIC_ONLY = "{0} is only designed for the classic interpreter"
CONFLICTS: list[tuple[str, str, str]] = [
    # fast-interp: a function with these instructions runs in the classic interpreter
    # (docs/fast-interp.md), so they build together
    *[("legacy-exception-handling", mode, _CLASSIC_ONLY.format("legacy exception handling"))
      for mode in ("fast-jit", "jit")],
    *[("multi-memory", mode, _CLASSIC_ONLY.format("multi-memory"))
      for mode in ("fast-jit", "jit")],
    *[("memory64", mode, "64-bit memory indexes are not handled by this running mode")
      for mode in ("fast-jit", "jit")],
    ("memory64", "hw-bound-check",
     "64-bit memory indexes need software bounds checks"),
    ("gc", "fast-jit", "the fast JIT has no garbage-collection support"),
    ("simd", "fast-jit", "the fast JIT generates no SIMD code"),
    ("shared-heap", "fast-jit", "the fast JIT cannot address a shared heap"),
    ("multi-module", "fast-jit", "JIT-compiled code cannot call into other loaded modules"),
    ("multi-module", "jit", "JIT-compiled code cannot call into other loaded modules"),
    ("fast-interp", "jit", "the JIT modes use the classic interpreter as their fallback"),
    ("fast-interp", "fast-jit", "the JIT modes use the classic interpreter as their fallback"),
    ("fast-interp", "debug-interp", "the debugger steps through classic-interpreter code"),
    ("multi-memory", "debug-interp", "the debugger handles a single linear memory only"),
    ("mini-loader", "debug-interp", "the debugger needs the full loader's bookkeeping"),
    ("libc-wasi", "libc-uvwasi",
     "both provide wasi_snapshot_preview1; choose one WASI implementation"),
]

# Target triples of the support table (tier, CPU family, endianness, pointer bits, a QEMU
# machine able to boot a freestanding build of that CPU, or None).
TARGETS: list[tuple[str, str, str, str, int, str | None]] = [
    ("aarch64-unknown-nuttx-eabi", "A", "aarch64", "little", 64, "qemu-system-aarch64 -M virt"),
    ("i386-pc-linux-gnu", "A", "i386", "little", 32, "qemu-system-i386 -M pc"),
    ("x86_64-pc-linux-gnu", "A", "x86_64", "little", 64, None),
    ("x86_64-apple-darwin", "A", "x86_64", "little", 64, None),
    ("x86_64-none-linux-gnu", "A", "x86_64", "little", 64, None),
    ("arc-unknown-none-elf", "B", "arc", "little", 32, None),
    ("x86_64-pc-windows-msvc", "B", "x86_64", "little", 64, None),
    ("mips-unknown-elf", "B", "mips", "big", 32, "qemu-system-mips -M malta"),
    ("mips64-unknown-elf", "B", "mips64", "big", 64, "qemu-system-mips64 -M malta"),
    ("aarch64-apple-ios", "C", "aarch64", "little", 64, "qemu-system-aarch64 -M virt"),
    ("arm-none-eabi", "C", "arm", "little", 32, "qemu-system-arm -M mps2-an385"),
    ("i386-unknown-elf", "C", "i386", "little", 32, "qemu-system-i386 -M pc"),
    ("i386-wrs-vxworks", "C", "i386", "little", 32, "qemu-system-i386 -M pc"),
    ("riscv32-esp-elf", "C", "riscv32", "little", 32, "qemu-system-riscv32 -M virt"),
    ("riscv32-unknown-elf", "C", "riscv32", "little", 32, "qemu-system-riscv32 -M virt"),
    ("riscv64-unknown-elf", "C", "riscv64", "little", 64, "qemu-system-riscv64 -M virt"),
    ("x86_64-linux-android", "C", "x86_64", "little", 64, None),
    ("x86_64-linux-cosmo", "C", "x86_64", "little", 64, None),
    ("x86_64-unknown-freebsd", "C", "x86_64", "little", 64, None),
    ("x86_64-wrs-vxworks", "C", "x86_64", "little", 64, None),
    ("xtensa-esp32-elf", "C", "xtensa", "little", 32, None),
]
