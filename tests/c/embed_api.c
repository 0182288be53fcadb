/*
 * Host checks of embedding-API features (tests/test_embed_api.py):
 *   custom  M.wasm    load-custom-section: the sections "alpha" and "beta"
 *   stack   M.wasm    dump-call-stack / copy-call-stack (module: test_embed_api.py STACK_WAT)
 * Prints OK at the end when every CHECK held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wasmbed.h"

static int failures;
#define CHECK(c)                                                          \
    do {                                                                  \
        if (!(c)) {                                                       \
            printf("FAIL line %d: %s\n", __LINE__, #c);                   \
            failures++;                                                   \
        }                                                                 \
    } while (0)

static unsigned char *read_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (unsigned char *)malloc((size_t)n + 1u);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (uint32_t)n;
    return buf;
}

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

int main(int argc, char **argv)
{
    wb_env *env;
    if (argc < 3) {
        printf("usage: embed_api MODE FILES...\n");
        return 2;
    }
    CHECK(wb_env_new(NULL, &env) == WB_OK);
    if (!strcmp(argv[1], "custom"))
        custom(env, argv[2]);
    else if (!strcmp(argv[1], "stack"))
        stack(env, argv[2]);
    else {
        printf("unknown mode %s\n", argv[1]);
        return 2;
    }
    wb_env_free(env);
    printf("%s\n", failures ? "FAILED" : "OK");
    return failures != 0;
}
