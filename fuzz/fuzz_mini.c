/*
 * Harness (b): the mini loader (validation compiled out) on modules the full
 * loader accepts. It must never crash on valid input. The two runtimes live in
 * one binary: the mini build's symbols are renamed with a `mini_` prefix when
 * the harness is built (ci/fuzz.sh).
 */
#include <stdlib.h>

#include "fuzz_common.h"

wb_status mini_wb_env_new(const wb_config *cfg, wb_env **out);
void mini_wb_env_free(wb_env *env);
wb_status mini_wb_module_load(wb_env *env, const uint8_t *bytes, uint32_t size,
                              wb_module **out);
void mini_wb_module_free(wb_module *module);
wb_status mini_wb_instantiate(wb_env *env, wb_module *module, wb_instance **out);
void mini_wb_instance_free(wb_instance *inst);
wb_status mini_wb_env_set_fuel(wb_env *env, uint64_t fuel);
wb_status mini_wb_register_native(wb_env *env, const char *module, const char *field,
                                  const char *signature, wb_native_fn fn, void *user);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_env *full = fuzz_env(), *mini = NULL;
    wb_module *mod = NULL;
    wb_instance *inst = NULL;
    wb_config cfg;
    wb_status st;
    if (!full || size > 0xFFFFFFFFu)
        abort();
    st = wb_module_load(full, data, (uint32_t)size, &mod);
    wb_env_free(full);
    if (st != WB_OK)
        return 0; /* the mini loader is only for modules the full one accepts */
    memset(&cfg, 0, sizeof cfg);
    cfg.max_call_depth = 256;
    if (mini_wb_env_new(&cfg, &mini) != WB_OK)
        abort();
    mini_wb_env_set_fuel(mini, FUZZ_FUEL);
    mini_wb_register_native(mini, "spectest", "print_i32", "i:", fuzz_nop, NULL);
    mod = NULL;
    st = mini_wb_module_load(mini, data, (uint32_t)size, &mod);
    if (st != WB_OK && st != WB_ERR_NOMEM && st != WB_ERR_UNSUPPORTED)
        abort(); /* valid input the mini loader refuses */
    if (st == WB_OK) {
        if (mini_wb_instantiate(mini, mod, &inst) == WB_OK)
            mini_wb_instance_free(inst);
        mini_wb_module_free(mod);
    }
    mini_wb_env_free(mini);
    return 0;
}
