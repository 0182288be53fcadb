/*
 * Harness (c): execution. The input is a module followed by argument bytes:
 * a little-endian u32 module length, the module, then the bytes arguments are
 * drawn from. Every exported function (the harness walks the export section
 * for their names) is called with arguments of its signature under a fuel
 * budget. Traps, fuel and stack exhaustion are outcomes; only a crash (or a
 * sanitizer report) is a finding.
 */
#include <stdlib.h>

#include "fuzz_common.h"

typedef struct { const uint8_t *p, *end; } rd;

static uint32_t leb(rd *r)
{
    uint32_t v = 0;
    unsigned sh = 0;
    while (r->p < r->end && sh < 35) {
        uint8_t b = *r->p++;
        v |= (uint32_t)(b & 0x7Fu) << sh;
        sh += 7;
        if (!(b & 0x80u))
            return v;
    }
    r->p = r->end;
    return 0;
}

/* Calls each function export of `inst`, reading its names from the module's
 * export section (the API looks exports up by name). */
static void call_exports(wb_env *env, wb_instance *inst, const uint8_t *m, size_t n,
                         const uint8_t *arg, size_t narg)
{
    rd r = {m + 8, m + n};
    size_t k = 0;
    while (r.p < r.end) {
        uint8_t id = *r.p++;
        uint32_t len = leb(&r);
        rd s = {r.p, r.p + len};
        if ((size_t)(r.end - r.p) < len)
            return;
        r.p += len;
        if (id != 7)
            continue;
        {
            uint32_t count = leb(&s), i;
            for (i = 0; i < count && s.p < s.end; i++) {
                uint32_t nl = leb(&s);
                const char *name = (const char *)s.p;
                wb_func *f;
                if ((size_t)(s.end - s.p) < nl + 1u)
                    return;
                s.p += nl;
                {
                    uint8_t kind = *s.p++;
                    (void)leb(&s);
                    if (kind != 0 || wb_export_func_len(inst, name, nl, &f) != WB_OK)
                        continue;
                }
                {
                    uint32_t np, nr, j;
                    const uint8_t *pt, *rt;
                    wb_value args[16], res[16];
                    wb_func_type(f, &np, &pt, &nr, &rt);
                    if (np > 16 || nr > 16)
                        continue;
                    for (j = 0; j < np; j++) {
                        uint64_t v = 0;
                        unsigned b;
                        for (b = 0; b < 8; b++)
                            v = (v << 8) | (narg ? arg[(k++) % narg] : 0u);
                        memset(&args[j], 0, sizeof args[j]);
                        args[j].type = pt[j];
                        if (pt[j] == WB_I32 || pt[j] == WB_F32)
                            args[j].of.i32 = (uint32_t)v;
                        else if (pt[j] == WB_I64 || pt[j] == WB_F64)
                            args[j].of.i64 = v;
                        else
                            args[j].of.ref = NULL; /* null references only */
                    }
                    (void)wb_call(env, f, args, np, res, nr);
                }
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wb_env *env;
    wb_module *mod = NULL;
    wb_instance *inst = NULL;
    uint32_t mlen;
    if (size < 4)
        return 0;
    mlen = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
           (uint32_t)data[3] << 24;
    if (mlen > size - 4)
        mlen = (uint32_t)(size - 4);
    env = fuzz_env();
    if (!env)
        abort();
    if (wb_module_load(env, data + 4, mlen, &mod) == WB_OK) {
        if (wb_instantiate(env, mod, &inst) == WB_OK) {
            call_exports(env, inst, data + 4, mlen, data + 4 + mlen, size - 4 - mlen);
            wb_instance_free(inst);
        }
        wb_module_free(mod);
    }
    wb_env_free(env);
    return 0;
}
