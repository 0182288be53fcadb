/*
 * Shared by the C test programs (embed_api.c, fast_interp_api.c): a whole file in
 * memory, NULL if it cannot be read.
 */
#ifndef TESTS_READ_FILE_H
#define TESTS_READ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
