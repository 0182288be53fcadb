/*
 * wasmbed agent: firmware main. Initialises the port, creates the runtime
 * environment, prints the READY banner and serves request frames until the
 * console stream ends (host stdin closed), then exits with 0.
 */
#include "agent.h"

static void put_text(const char *s) { wb_port_write(s, agent_strlen(s)); }

/* argc/argv: NuttX declares its init entry point (this main, renamed) with them. */
int main(int argc, char *argv[])
{
    frame f;
    (void)argc;
    (void)argv;
    wb_port_init();
#if WB_STATIC_APP
    return static_app_main(); /* the linked-in AOT application (static_app.c) */
#endif
    /* A failure here is reported to every request until a RESET works. */
    (void)session_reset();
#if WB_FEATURE_APP_STORE
    store_boot(); /* the newest valid app on flash runs first (store_cmd.c) */
#endif
    output_install();
    put_text("\nWASMBED READY " WB_VERSION_STRING "\n");
    for (;;) {
        int rc = frame_read(&f);
        if (rc == FRAME_EOF)
            break;
        if (rc == FRAME_OK)
            cmd_dispatch(&f);
    }
    wb_port_exit(0);
}
