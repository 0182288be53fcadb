/*
 * Host checks of embedding-API features (tests/test_embed_api.py):
 *   custom  M.wasm    load-custom-section: the sections "alpha" and "beta"
 *   stack   M.wasm    dump-call-stack / copy-call-stack (module: test_embed_api.py STACK_WAT)
 *   multi   lib app a b nope   multi-module: registration by name, the module reader
 *   eh      M.wasm    legacy exception handling through natives (module: test_eh.py)
 * Prints OK at the end when every CHECK held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "read_file.h"
#include "wasmbed.h"

/* what the build under test has (tests/test_embed_api.py passes them) */
#ifndef WANT_CUSTOM
#define WANT_CUSTOM 0
#endif
#ifndef WANT_STACK
#define WANT_STACK 0
#endif
#ifndef WANT_COPY
#define WANT_COPY 0
#endif
#ifndef WANT_MULTI
#define WANT_MULTI 0
#endif
#ifndef WANT_EH
#define WANT_EH 0
#endif
#ifndef NAMES
#define NAMES 0
#endif

static int failures;
#define CHECK(c)                                                          \
    do {                                                                  \
        if (!(c)) {                                                       \
            printf("FAIL line %d: %s\n", __LINE__, #c);                   \
            failures++;                                                   \
        }                                                                 \
    } while (0)

static wb_module *load(wb_env *env, const char *path)
{
    uint32_t size;
    unsigned char *bytes = read_file(path, &size);
    wb_module *m = NULL;
    wb_status st;
    if (!bytes) {
        printf("cannot read %s\n", path);
        exit(2);
    }
    st = wb_module_load(env, bytes, size, &m);
    memset(bytes, 0xEE, size); /* the module must not keep pointers into them */
    free(bytes);
    if (st) {
        printf("load %s: %s\n", path, wb_last_error(env));
        exit(2);
    }
    return m;
}

static int custom(wb_env *env, const char *path)
{
    wb_module *m = load(env, path);
    uint32_t len = 99;
    const uint8_t *p;
#if WANT_CUSTOM
    p = wb_module_custom_section(m, "alpha", &len);
    CHECK(p && len == 5 && !memcmp(p, "first", 5));
    p = wb_module_custom_section(m, "beta", &len);
    CHECK(p && len == 4 && !memcmp(p, "\x00\x01\x02\xff", 4));
    p = wb_module_custom_section(m, "gamma", &len);
    CHECK(!p && len == 0);
    CHECK(!strcmp(wb_last_error(env), "no custom section of that name"));
    p = wb_module_custom_section(m, "", &len); /* an empty name is a name too */
    CHECK(p && len == 0);
#else
    p = wb_module_custom_section(m, "alpha", &len);
    CHECK(!p && len == 0);
    CHECK(strstr(wb_last_error(env), "load-custom-section") != NULL);
#endif
    wb_module_free(m);
    return 0;
}

/* ---- call stacks ------------------------------------------------------------ */
static wb_status boom(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    (void)a;
    (void)r;
    return wb_ctx_trap(ctx, "boom");
}

static wb_frame_info seen[8];
static uint32_t nseen;

static wb_status where(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    (void)a;
    nseen = wb_ctx_call_stack(ctx, seen, 8);
    r[0].type = WB_I32;
    r[0].of.i32 = nseen;
    return WB_OK;
}

static wb_status call_i32(wb_env *env, wb_instance *inst, const char *name, int nargs,
                          uint32_t arg, uint32_t *result)
{
    wb_func *f;
    wb_value a, res;
    wb_status st = wb_export_func(inst, name, &f);
    if (st)
        return st;
    a.type = WB_I32;
    a.of.i64 = 0;
    a.of.i32 = arg;
    st = wb_call(env, f, &a, (uint32_t)nargs, &res, 1);
    if (!st && result)
        *result = res.of.i32;
    return st;
}

static __attribute__((unused)) int name_is(const wb_frame_info *f, uint32_t idx, const char *name)
{
    return f->func_index == idx &&
           (name ? (f->name && !strcmp(f->name, name)) : f->name == NULL);
}

static int stack(wb_env *env, const char *path)
{
    wb_module *m;
    wb_instance *inst;
    wb_frame_info fr[20];
    char text[512];
    uint32_t n, v = 0;
    CHECK(wb_register_native(env, "env", "boom", ":", boom, NULL) == WB_OK);
    CHECK(wb_register_native(env, "env", "where", ":i", where, NULL) == WB_OK);
    m = load(env, path);
    CHECK(wb_instantiate(env, m, &inst) == WB_OK);

    /* outer -> middle -> inner: integer divide by zero */
    CHECK(call_i32(env, inst, "outer", 1, 5, NULL) == WB_ERR_TRAP);
    CHECK(!strcmp(wb_last_error(env), "integer divide by zero"));
    n = wb_trap_frames(env, fr, 20);
    wb_trap_call_stack(env, text, sizeof text);
    printf("trap stack:\n%s", text);
#if WANT_STACK
    CHECK(n == 3);
    /* names: the name section when built in, else the export name, else none */
    CHECK(name_is(&fr[0], 2, NAMES ? "inner" : NULL));
    CHECK(name_is(&fr[1], 3, NAMES ? "middle" : NULL));
    CHECK(name_is(&fr[2], 4, "outer"));
    CHECK(!strcmp(text, NAMES ? "#0 func[2] inner\n#1 func[3] middle\n#2 func[4] outer\n"
                              : "#0 func[2]\n#1 func[3]\n#2 func[4] outer\n"));
    /* a short buffer: cut, still terminated */
    CHECK(wb_trap_call_stack(env, text, 8) == 7 && !strcmp(text, "#0 func"));
    /* a trap raised by a native: the wasm frames that called it */
    CHECK(call_i32(env, inst, "via_native", 0, 0, NULL) == WB_ERR_TRAP);
    CHECK(!strcmp(wb_last_error(env), "boom"));
    CHECK(wb_trap_frames(env, fr, 20) == 2);
    CHECK(name_is(&fr[0], 5, NAMES ? "via_native_inner" : NULL));
    CHECK(name_is(&fr[1], 6, "via_native"));
    /* 21 frames deep: the first WB_TRACE_MAX (16) are kept, the rest counted */
    CHECK(call_i32(env, inst, "rec", 1, 20, NULL) == WB_ERR_TRAP);
    CHECK(!strcmp(wb_last_error(env), "unreachable"));
    CHECK(wb_trap_frames(env, fr, 20) == 21);
    CHECK(name_is(&fr[15], 9, "rec"));
    wb_trap_call_stack(env, text, sizeof text);
    CHECK(strstr(text, "#15 func[9] rec\n... 5 more\n") != NULL);
#else
    CHECK(n == 0 && text[0] == 0);
#endif
    /* a call that returns leaves no trap frames */
    CHECK(call_i32(env, inst, "outer", 1, 0, NULL) == WB_ERR_TRAP);
    CHECK(call_i32(env, inst, "ok", 0, 0, &v) == WB_OK && v == 1);
    CHECK(wb_trap_frames(env, fr, 20) == 0);

    /* copy-call-stack: a native sees the frames that called it */
    CHECK(call_i32(env, inst, "where", 0, 0, &v) == WB_OK);
#if WANT_COPY
    CHECK(v == 2 && nseen == 2);
    CHECK(name_is(&seen[0], 7, NAMES ? "where_inner" : NULL));
    CHECK(name_is(&seen[1], 8, "where"));
#else
    CHECK(v == 0);
#endif
    wb_instance_free(inst);
    wb_module_free(m);
    return 0;
}

/* ---- several modules ---------------------------------------------------------- */
struct reader_ctx {
    const char *names[4], *paths[4];
    int reads, releases;
};

static wb_status reader(void *user, const char *name, const uint8_t **bytes, uint32_t *size)
{
    struct reader_ctx *rc = (struct reader_ctx *)user;
    int k;
    for (k = 0; k < 4; k++)
        if (rc->names[k] && !strcmp(rc->names[k], name)) {
            *bytes = read_file(rc->paths[k], size);
            rc->reads++;
            return *bytes ? WB_OK : WB_ERR_NOT_FOUND;
        }
    return WB_ERR_NOT_FOUND;
}

static void release(void *user, const uint8_t *bytes, uint32_t size)
{
    struct reader_ctx *rc = (struct reader_ctx *)user;
    memset((void *)bytes, 0xEE, size); /* nothing may point into them */
    free((void *)bytes);
    rc->releases++;
}

static wb_instance *instance(wb_env *env, const char *path, wb_status want)
{
    wb_module *m = load(env, path);
    wb_instance *inst = NULL;
    wb_status st = wb_instantiate(env, m, &inst);
    if (st != want)
        printf("instantiate %s: %d %s\n", path, (int)st, wb_last_error(env));
    CHECK(st == want);
    wb_module_free(m);
    return inst;
}

static int multi(char **files)
{
    const char *lib = files[0], *app = files[1], *a = files[2], *b = files[3], *nope = files[4];
    wb_env *env;
    wb_instance *l, *x, *y;
    uint32_t v = 0;
    struct reader_ctx rc;

    /* by hand: the embedder registers lib, app's imports resolve from it */
    CHECK(wb_env_new(NULL, &env) == WB_OK);
    l = instance(env, lib, WB_OK);
    CHECK(wb_register_instance(env, "lib", l) == WB_OK);
    x = instance(env, app, WB_OK);
    CHECK(call_i32(env, x, "run", 1, 5, &v) == WB_OK && v == 105);
    {
        wb_func *f;
        wb_value arg;
        arg.type = WB_I32;
        arg.of.i64 = 0;
        arg.of.i32 = 7;
        CHECK(wb_export_func(l, "poke", &f) == WB_OK && wb_call(env, f, &arg, 1, NULL, 0) == WB_OK);
    }
    CHECK(call_i32(env, x, "peek", 0, 0, &v) == WB_OK && v == 7); /* one shared memory */
    wb_instance_free(l); /* the registration and app keep lib alive */
    CHECK(call_i32(env, x, "run", 1, 1, &v) == WB_OK && v == 101);
    /* without a registration the import is unknown, named */
    y = instance(env, nope, WB_ERR_LINK);
    CHECK(y == NULL && strstr(wb_last_error(env), "unknown import nope.x") != NULL);
    wb_env_free(env);

    /* through the reader: lib is loaded on the first import of it, then shared */
    memset(&rc, 0, sizeof rc);
    rc.names[0] = "lib";
    rc.paths[0] = lib;
    rc.names[1] = "a";
    rc.paths[1] = a;
    rc.names[2] = "b";
    rc.paths[2] = b;
    CHECK(wb_env_new(NULL, &env) == WB_OK);
#if WANT_MULTI
    CHECK(wb_set_module_reader(env, reader, release, &rc) == WB_OK);
    x = instance(env, app, WB_OK);
    y = instance(env, app, WB_OK);
    CHECK(rc.reads == 1 && rc.releases == 1);
    CHECK(x && y && call_i32(env, x, "run", 1, 2, &v) == WB_OK && v == 102);
    CHECK(y && call_i32(env, y, "peek", 0, 0, &v) == WB_OK && v == 0);
    /* a cycle a -> b -> a is refused, naming the module */
    instance(env, a, WB_ERR_LINK);
    CHECK(strstr(wb_last_error(env), "module import cycle through b") != NULL);
    /* a name the reader does not know stays an unknown import */
    instance(env, nope, WB_ERR_LINK);
    CHECK(strstr(wb_last_error(env), "unknown import nope.x") != NULL);
#else
    CHECK(wb_set_module_reader(env, reader, release, &rc) == WB_ERR_UNSUPPORTED);
    CHECK(strstr(wb_last_error(env), "multi-module") != NULL);
    instance(env, app, WB_ERR_LINK);
    CHECK(rc.reads == 0);
#endif
    wb_env_free(env);
    return 0;
}

#if WANT_EH
/* ---- exceptions ------------------------------------------------------------------ */
static wb_instance *eh_inst;

/* calls the export "thrower" from a native: its exception leaves wb_call
 * and this native, and goes on in the wasm frames that called the native */
static wb_status reenter(wb_ctx *ctx, const wb_value *a, wb_value *r)
{
    wb_func *f;
    wb_env *env = (wb_env *)wb_ctx_user(ctx);
    wb_status st = wb_export_func(eh_inst, "thrower", &f);
    if (st)
        return st;
    return wb_call(env, f, a, 1, r, 1);
}

static int eh(wb_env *env, const char *path)
{
    wb_module *m;
    uint32_t v = 0;
    CHECK(wb_register_native(env, "env", "reenter", "i:i", reenter, env) == WB_OK);
    m = load(env, path);
    CHECK(wb_instantiate(env, m, &eh_inst) == WB_OK);
    CHECK(call_i32(env, eh_inst, "through_native", 1, 5, &v) == WB_OK && v == 1005);
    CHECK(call_i32(env, eh_inst, "rethrow_outer", 1, 7, &v) == WB_OK && v == 7);
    CHECK(call_i32(env, eh_inst, "uncaught", 1, 3, &v) == WB_ERR_EXCEPTION);
    CHECK(!strcmp(wb_last_error(env), "uncaught exception"));
#if WANT_STACK
    {   /* dump-call-stack: where it was thrown */
        wb_frame_info fr[4];
        CHECK(wb_trap_frames(env, fr, 4) == 1 && name_is(&fr[0], 3, "uncaught"));
        /* caught after passing a native: no frames left over */
        CHECK(call_i32(env, eh_inst, "through_native", 1, 1, &v) == WB_OK && v == 1001);
        CHECK(wb_trap_frames(env, fr, 4) == 0);
    }
#endif
    CHECK(call_i32(env, eh_inst, "thrower", 1, 3, &v) == WB_ERR_EXCEPTION);
    /* a trap is no exception: catch_all lets it through */
    CHECK(call_i32(env, eh_inst, "trap_in_try", 0, 0, &v) == WB_ERR_TRAP);
    CHECK(!strcmp(wb_last_error(env), "unreachable"));
    /* deep: the handler is 50 frames up */
    CHECK(call_i32(env, eh_inst, "deep", 1, 50, &v) == WB_OK && v == 42);
    CHECK(call_i32(env, eh_inst, "through_native", 1, 6, &v) == WB_OK && v == 1006);
    wb_instance_free(eh_inst);
    wb_module_free(m);
    return 0;
}
#endif

int main(int argc, char **argv)
{
    wb_env *env;
    if (argc < 3) {
        printf("usage: embed_api MODE FILES...\n");
        return 2;
    }
    if (!strcmp(argv[1], "multi")) {
        if (argc < 7)
            return 2;
        multi(argv + 2);
        printf("%s\n", failures ? "FAILED" : "OK");
        return failures != 0;
    }
    CHECK(wb_env_new(NULL, &env) == WB_OK);
    if (!strcmp(argv[1], "custom"))
        custom(env, argv[2]);
    else if (!strcmp(argv[1], "stack"))
        stack(env, argv[2]);
#if WANT_EH
    else if (!strcmp(argv[1], "eh"))
        eh(env, argv[2]);
#endif
    else {
        printf("unknown mode %s\n", argv[1]);
        return 2;
    }
    wb_env_free(env);
    printf("%s\n", failures ? "FAILED" : "OK");
    return failures != 0;
}
