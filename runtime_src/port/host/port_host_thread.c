/*
 * wb_port.h threads for POSIX hosts (POSIX threads): mutexes, condition
 * variables on CLOCK_MONOTONIC, detached threads. Compiled to nothing unless
 * the platform has threads (WB_PORT_HAS_THREADS) and a feature uses them
 * (shared-memory, wasi-threads).
 */
#define _POSIX_C_SOURCE 200809L

#include "wb_defaults.h"

#if WB_PORT_HAS_THREADS && WB_FEATURE_SHARED_MEMORY

#define WB_PTHREAD_STACK_DEFAULT 0 /* the host's own (8 MiB on Linux) */
#include "../common/wb_pthread.h"

#else
typedef int wb_port_host_thread_unused; /* ISO C: no empty translation unit */
#endif
