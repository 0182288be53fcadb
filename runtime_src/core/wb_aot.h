/*
 * AOT runtime entry points used by the loader, instances and calls
 * (wb_aot.c). Only meaningful when WB_FEATURE_AOT is set.
 */
#ifndef WB_AOT_H
#define WB_AOT_H

#include "wb_internal.h"
#include "wasmbed_aot.h"

#define WB_AOT_FORMAT_VERSION 2u /* 2: relocation kinds */
#define WB_AOT_HEADER_SIZE 176u
#define WB_AOT_FEATURES_LEN 40u

/* Does this look like an AOT file (magic)? */
int wb_aot_is_file(const uint8_t *bytes, uint32_t size);
/* Check, map and relocate an AOT file; the module it returns runs as AOT. */
wb_status wb_aot_load(wb_env *env, const uint8_t *bytes, uint32_t size, wb_module **out);
void wb_aot_module_free(wb_module *m);
/* Bind an instance of an AOT module to its code (end of instantiation). */
wb_status wb_aot_instantiate(wb_instance *inst);
void wb_aot_instance_free(wb_instance *inst);
/* Tail-call and exception services of generated code (wb_aot_ctl.c). */
extern const struct wb_aot_ctl_rt wb_aot_ctl;
/* Call an AOT function: parameters in slots[], results written there. */
wb_status wb_aot_call(wb_env *env, wb_func *f, wb_slot *slots);

#endif /* WB_AOT_H */
