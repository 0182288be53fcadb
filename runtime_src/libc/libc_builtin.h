/*
 * libc-builtin: a small C library subset as natives in module "env", for
 * applications compiled to wasm32 without WASI (printf family with the
 * wasm32 varargs ABI, puts/putchar, str* and mem*, exit/abort).
 * Compiled only with WB_FEATURE_LIBC_BUILTIN.
 */
#ifndef WB_LIBC_BUILTIN_H
#define WB_LIBC_BUILTIN_H

#include <stddef.h>

#include "wasmbed.h"

/* Registers every native of the library in `env`. */
wb_status wb_libc_builtin_register(wb_env *env);

/* Where printed characters go. NULL (the default) writes them to the port
 * console with wb_port_write; the agent installs its own sink while it runs
 * an application so that output travels in OUTPUT frames. */
typedef void (*wb_libc_sink)(const char *buf, size_t len);
void wb_libc_builtin_set_output(wb_libc_sink sink);

#endif /* WB_LIBC_BUILTIN_H */
