/*
 * Statically linked AOT modules (`scons ... features=aot app=app.wasm`): the
 * application's code is linked into the firmware; the runtime takes the
 * module's declarations (its WebAssembly with every body replaced by
 * `unreachable`) and one entry trampoline per defined function, and no
 * file is loaded, mapped or relocated at run time.
 */
#ifndef WASMBED_AOT_H
#define WASMBED_AOT_H

#include "wasmbed.h"

#ifdef __cplusplus
extern "C" {
#endif

wb_status wb_aot_load_static(wb_env *env, const uint8_t *wasm, uint32_t len,
                             void *const *funcs, uint32_t nfuncs, wb_module **out);

#ifdef __cplusplus
}
#endif
#endif /* WASMBED_AOT_H */
