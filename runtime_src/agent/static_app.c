/*
 * Firmware whose application was compiled ahead of time and linked in
 * (`scons board=B features=aot app=app.wasm`, WB_STATIC_APP): at boot it
 * instantiates the linked module, calls `_start` (else `main`), lets
 * libc-builtin print straight to the console and ends with the program's
 * exit code. No agent protocol and no module loading.
 */
#include "agent.h"

#if WB_STATIC_APP
#include "wasmbed_aot.h"

extern const uint8_t wb_static_module[];
extern const uint32_t wb_static_module_len;
extern void *const wb_static_funcs[];
extern const uint32_t wb_static_nfuncs;

static void fail(const char *what, wb_status st)
{
    static const char digits[] = "0123456789";
    char code[2];
    const char *msg = wb_last_error(session_env());
    code[0] = digits[(unsigned)st % 10u];
    code[1] = 0;
    wb_port_write("wasmbed: ", 9);
    wb_port_write(what, agent_strlen(what));
    wb_port_write(" failed (status ", 16);
    wb_port_write(code, 1);
    wb_port_write("): ", 3);
    wb_port_write(msg, agent_strlen(msg));
    wb_port_write("\n", 1);
    wb_port_exit(128 + (int)st);
}

int static_app_main(void)
{
    wb_module *m;
    wb_instance *inst;
    wb_status st = session_reset();
    int code = 0;
    if (st)
        fail("runtime set-up", st);
    st = wb_aot_load_static(session_env(), wb_static_module, wb_static_module_len,
                            wb_static_funcs, wb_static_nfuncs, &m);
    if (st)
        fail("module", st);
    st = wb_instantiate(session_env(), m, &inst);
    if (st)
        fail("instantiation", st);
    st = session_call_main(inst, &code);
    if (st == WB_ERR_NOT_FOUND)
        fail("finding _start or main", st);
    else if (st)
        fail("the program", st);
    wb_port_exit(code);
}
#else
typedef int static_app_unused; /* ISO C: no empty translation unit */
#endif
