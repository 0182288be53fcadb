/* Host harness for runtime_src/store (tests/test_appstore.py): judge a store image, or push
 * a module into one through a NOR flash model that can lose power after N bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wb_store.h"

typedef struct nor {
    unsigned char *mem;
    long budget; /* bytes erased/programmed before the power goes; < 0: no cut */
} nor;

static int spend(nor *n)
{
    if (n->budget == 0)
        return 0;
    if (n->budget > 0)
        n->budget--;
    return 1;
}

static int nor_erase(void *user, uint32_t offset, uint32_t length)
{
    nor *n = (nor *)user;
    uint32_t i;
    for (i = 0; i < length; i++) {
        if (!spend(n))
            return -1;
        n->mem[offset + i] = 0xFF;
    }
    return 0;
}

static int nor_program(void *user, uint32_t offset, const uint8_t *data, uint32_t length)
{
    nor *n = (nor *)user;
    uint32_t i;
    for (i = 0; i < length; i++) {
        if (!spend(n))
            return -1;
        n->mem[offset + i] &= data[i];
    }
    return 0;
}

static unsigned char *slurp(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)*size + 1);
    if (buf && fread(buf, 1, (size_t)*size, f) != (size_t)*size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static void report(const unsigned char *store, uint32_t size)
{
    wb_store_slot s;
    int i, boot;
    for (i = 0; i < 2; i++) {
        wb_store_read(store, size, i, &s);
        printf("%c valid=%d version=%lu length=%lu name=%s why=%s\n", "AB"[i], s.valid,
               (unsigned long)s.version, (unsigned long)s.length, s.name, s.why);
    }
    boot = wb_store_boot(store, size, &s);
    printf("boot=%c\n", boot < 0 ? '-' : "AB"[boot]);
}

int main(int argc, char **argv)
{
    long size, mod_size;
    unsigned char *store, *module;
    if (argc == 3 && strcmp(argv[1], "read") == 0) {
        store = slurp(argv[2], &size);
        if (!store)
            return 2;
        report(store, (uint32_t)size);
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "push") == 0) { /* push STORE MODULE NAME BUDGET */
        nor n;
        wb_store_flash flash;
        int slot;
        FILE *f;
        store = slurp(argv[2], &size);
        module = slurp(argv[3], &mod_size);
        if (!store || !module)
            return 2;
        n.mem = store;
        n.budget = atol(argv[5]);
        flash.user = &n;
        flash.erase = nor_erase;
        flash.program = nor_program;
        slot = wb_store_push(store, (uint32_t)size, &flash, module, (uint32_t)mod_size,
                             WB_STORE_WASM, argv[4]);
        printf("pushed=%d\n", slot);
        f = fopen(argv[2], "wb");
        if (!f || fwrite(store, 1, (size_t)size, f) != (size_t)size)
            return 2;
        fclose(f);
        report(store, (uint32_t)size);
        return 0;
    }
    fprintf(stderr, "usage: store_harness read STORE | push STORE MODULE NAME BUDGET\n");
    return 2;
}
