/*
 * Harness (a): load + validate + instantiate any bytes. A module that loads is
 * instantiated (its start function runs under a fuel budget) and everything is
 * released again; the pool statistics must come back to where they started.
 */
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_env *env = fuzz_env();
    wb_module *mod = NULL;
    wb_instance *inst = NULL;
    wb_stats before, after;
    if (!env || size > 0xFFFFFFFFu)
        abort();
    wb_env_stats(env, &before);
    if (wb_module_load(env, data, (uint32_t)size, &mod) == WB_OK) {
        (void)wb_module_mem_size(mod);
        if (wb_instantiate(env, mod, &inst) == WB_OK)
            wb_instance_free(inst);
        wb_module_free(mod);
        wb_env_stats(env, &after);
        if (after.pool_used > before.pool_used + 65536u + 1024u * 1024u)
            abort(); /* only the lazily made call stack may stay */
    }
    wb_env_free(env);
    return 0;
}
