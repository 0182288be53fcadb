/*
 * wb_port.h threads on Apache NuttX: NuttX's pthreads (mutexes, condition
 * variables timed on CLOCK_MONOTONIC, detached threads). A thread's stack is
 * the app's own stack size (Kconfig INTERPRETERS_WASMBED_STACKSIZE, set from
 * the board's `stack_size`), since NuttX's pthread default (a few KiB) is
 * too small for the interpreter. Compiled to nothing unless a feature uses
 * threads (shared-memory, wasi-threads); docs/threads.md.
 */
#include <nuttx/config.h>

#include "wb_defaults.h"

#if WB_PORT_HAS_THREADS && WB_FEATURE_SHARED_MEMORY

#ifdef CONFIG_INTERPRETERS_WASMBED_STACKSIZE
#define WB_PTHREAD_STACK_DEFAULT CONFIG_INTERPRETERS_WASMBED_STACKSIZE
#else
#define WB_PTHREAD_STACK_DEFAULT 65536
#endif
#include "../common/wb_pthread.h"

#else
typedef int wb_port_nuttx_thread_unused; /* ISO C: no empty translation unit */
#endif
