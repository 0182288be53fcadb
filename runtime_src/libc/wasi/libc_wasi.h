/*
 * libc-wasi: WASI preview1 (`wasi_snapshot_preview1`) as natives, for
 * programs built with wasi-libc (clang --target=wasm32-wasi). Compiled only
 * with WB_FEATURE_LIBC_WASI. The operating system is reached through the
 * system-interface part of wb_port.h: on a port without files every file
 * call answers ENOSYS, while stdout/stderr, args, environ, clocks, random
 * and proc_exit work everywhere.
 *
 * One WASI context per firmware (static state, like libc-builtin's sink):
 * the embedder fills it (args, environment, preopened directories) before
 * running a program and clears it with wb_wasi_reset().
 */
#ifndef WB_LIBC_WASI_H
#define WB_LIBC_WASI_H

#include <stddef.h>

#include "wasmbed.h"

/* Registers every wasi_snapshot_preview1 function in `env`. */
wb_status wb_wasi_register(wb_env *env);

/* Closes every file the program opened and every preopen, forgets args
 * and environment: fds 0, 1, 2 are the console again. */
void wb_wasi_reset(void);

/* Append one argument / one "KEY=VALUE" (n bytes, no NUL inside). They
 * return 0, or a WB_E* number: WB_ENOMEM when the context is full,
 * WB_EINVAL for a NUL byte. */
int wb_wasi_add_arg(const char *s, size_t n);
int wb_wasi_add_env(const char *s, size_t n);
/* Preopen the host directory `host` under the guest name `guest` (the
 * next fd from 3 on). WB_ENOSYS on a port without files. */
int wb_wasi_add_preopen(const char *guest, size_t guest_len, const char *host,
                        size_t host_len);

/* Entropy for random_get on a board whose port has no source of its own
 * (wb_port_random answers WB_ENOSYS): keys a ChaCha20 generator; more seed
 * bytes are mixed in. Always returns 0. */
int wb_wasi_add_seed(const void *seed, size_t n);

/* Where fd 1 and fd 2 go. NULL (the default) writes both to the port
 * console; the agent installs its own sink so that output travels in
 * OUTPUT frames. Reads from fd 0 see an empty stream. */
typedef void (*wb_wasi_sink)(int fd, const char *buf, size_t len);
void wb_wasi_set_output(wb_wasi_sink sink);

#endif /* WB_LIBC_WASI_H */
