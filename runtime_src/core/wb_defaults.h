/*
 * Defaults for every compile-time switch. The build generates wb_config.h
 * (see docs/design.md) and defines WB_HAVE_CONFIG_H; a plain host build
 * without generation gets the values below.
 */
#ifndef WB_DEFAULTS_H
#define WB_DEFAULTS_H

#ifdef WB_HAVE_CONFIG_H
#include "wb_config.h"
#endif

#ifndef WB_FEATURE_INTERP
#define WB_FEATURE_INTERP 1
#endif
#ifndef WB_FEATURE_AOT
#define WB_FEATURE_AOT 0
#endif
#ifndef WB_FEATURE_FAST_INTERP
#define WB_FEATURE_FAST_INTERP 0
#endif
/* fast-interp builds: instances run fast-interp unless the embedder asks
 * (wb_env_set_running_mode / wb_instance_set_running_mode); 0: classic */
#ifndef WB_DEFAULT_FAST_INTERP
#define WB_DEFAULT_FAST_INTERP WB_FEATURE_FAST_INTERP
#endif
/* per-instance-running-mode: wb_env/instance_set_running_mode may pick
 * another mode than the build's default (without it they refuse) */
#ifndef WB_FEATURE_PER_INSTANCE_RUNNING_MODE
#define WB_FEATURE_PER_INSTANCE_RUNNING_MODE 0
#endif
#ifndef WB_FEATURE_AOT_VALIDATOR
#define WB_FEATURE_AOT_VALIDATOR 0
#endif
#ifndef WB_FEATURE_MINI_LOADER
#define WB_FEATURE_MINI_LOADER 0
#endif
#ifndef WB_FEATURE_GLOBAL_HEAP_POOL
#define WB_FEATURE_GLOBAL_HEAP_POOL 0
#endif
#ifndef WB_FEATURE_LIBC_BUILTIN
#define WB_FEATURE_LIBC_BUILTIN 0
#endif
#ifndef WB_FEATURE_LIBC_WASI
#define WB_FEATURE_LIBC_WASI 0
#endif
#ifndef WB_FEATURE_CUSTOM_NAME_SECTION
#define WB_FEATURE_CUSTOM_NAME_SECTION 0
#endif
#ifndef WB_FEATURE_LOAD_CUSTOM_SECTION
#define WB_FEATURE_LOAD_CUSTOM_SECTION 0
#endif
#ifndef WB_FEATURE_DUMP_CALL_STACK
#define WB_FEATURE_DUMP_CALL_STACK 0
#endif
#ifndef WB_FEATURE_COPY_CALL_STACK
#define WB_FEATURE_COPY_CALL_STACK 0
#endif
#ifndef WB_FEATURE_MULTI_MODULE
#define WB_FEATURE_MULTI_MODULE 0
#endif
#ifndef WB_FEATURE_EXTENDED_CONST
#define WB_FEATURE_EXTENDED_CONST 0
#endif
#ifndef WB_FEATURE_TAIL_CALL
#define WB_FEATURE_TAIL_CALL 0
#endif
#ifndef WB_FEATURE_INSTRUCTION_METERING
#define WB_FEATURE_INSTRUCTION_METERING 0
#endif
#ifndef WB_FEATURE_SIMD
#define WB_FEATURE_SIMD 0
#endif
#ifndef WB_FEATURE_SHARED_MEMORY
#define WB_FEATURE_SHARED_MEMORY 0
#endif
#ifndef WB_FEATURE_WASI_THREADS
#define WB_FEATURE_WASI_THREADS 0
#endif
#ifndef WB_FEATURE_MEMORY64
#define WB_FEATURE_MEMORY64 0
#endif
#ifndef WB_FEATURE_MULTI_MEMORY
#define WB_FEATURE_MULTI_MEMORY 0
#endif
#ifndef WB_FEATURE_LEGACY_EXCEPTION_HANDLING
#define WB_FEATURE_LEGACY_EXCEPTION_HANDLING 0
#endif
/* any extension family built: the interpreter has OP_EXT (wb_ext.h) */
#define WB_HAS_EXT (WB_FEATURE_SIMD || WB_FEATURE_SHARED_MEMORY || WB_FEATURE_MEMORY64 || \
                    WB_FEATURE_MULTI_MEMORY || WB_FEATURE_LEGACY_EXCEPTION_HANDLING)
#ifndef WB_GLOBAL_HEAP_SIZE
#define WB_GLOBAL_HEAP_SIZE (256u * 1024u)
#endif
#ifndef WB_PORT_HAS_THREADS /* the wb_port.h thread calls (render.py: platform threads) */
#define WB_PORT_HAS_THREADS 0
#endif
#ifndef WB_PORT_HAS_MALLOC
#define WB_PORT_HAS_MALLOC 1
#endif
#ifndef WB_BOARD_NAME
#define WB_BOARD_NAME "host"
#endif

#define WB_STR_(x) #x
#define WB_STR(x) WB_STR_(x)

#ifndef WB_FEATURES_STRING
#if WB_FEATURE_MINI_LOADER
#define WB_FS_MINI ",mini-loader"
#else
#define WB_FS_MINI ""
#endif
#if WB_FEATURE_GLOBAL_HEAP_POOL
#define WB_FS_POOL ",global-heap-pool"
#else
#define WB_FS_POOL ""
#endif
#if WB_FEATURE_LIBC_BUILTIN
#define WB_FS_LIBC ",libc-builtin"
#else
#define WB_FS_LIBC ""
#endif
#if WB_FEATURE_CUSTOM_NAME_SECTION
#define WB_FS_NAME ",name-section"
#else
#define WB_FS_NAME ""
#endif
#if WB_FEATURE_AOT
#define WB_FS_AOT ",aot"
#else
#define WB_FS_AOT ""
#endif
#define WB_FEATURES_STRING "interp" WB_FS_AOT WB_FS_MINI WB_FS_POOL WB_FS_LIBC WB_FS_NAME
#endif

#endif /* WB_DEFAULTS_H */
