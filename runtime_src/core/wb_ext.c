/* Extension-op dispatch: one range per family (see wb_ext.h). */
#include "wb_ext.h"

#if WB_FEATURE_INTERP && WB_HAS_EXT
wb_status wb_ext_exec(wb_extctx *x, uint32_t sub)
{
    switch (sub >> 8) {
#if WB_FEATURE_SIMD
    case WB_EXT_SIMD >> 8:
    case (WB_EXT_SIMD >> 8) + 1:
        return wb_ext_simd(x, sub - WB_EXT_SIMD);
#endif
#if WB_FEATURE_SHARED_MEMORY
    case WB_EXT_ATOMIC >> 8:
        return wb_ext_atomic(x, sub - WB_EXT_ATOMIC);
#endif
#if WB_FEATURE_MEMORY64 || WB_FEATURE_MULTI_MEMORY
    case WB_EXT_MEM >> 8:
        return wb_ext_mem(x, sub - WB_EXT_MEM);
#endif
#if WB_FEATURE_LEGACY_EXCEPTION_HANDLING
    case WB_EXT_EH >> 8:
        return wb_ext_eh(x, sub - WB_EXT_EH);
#endif
    default:
        return wb_fail(x->env, WB_ERR_TRAP, "illegal opcode");
    }
}
#endif
