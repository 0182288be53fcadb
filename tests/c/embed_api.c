/*
 * Host checks of embedding-API features (tests/test_embed_api.py):
 *   custom  M.wasm          load-custom-section: the sections "alpha" and "beta"
 *   ... (see main for the other modes)
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
    else {
        printf("unknown mode %s\n", argv[1]);
        return 2;
    }
    wb_env_free(env);
    printf("%s\n", failures ? "FAILED" : "OK");
    return failures != 0;
}
