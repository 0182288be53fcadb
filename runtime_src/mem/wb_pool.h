/*
 * Global heap pool: a first-fit allocator with boundary tags and
 * immediate coalescing over one caller-supplied block of memory.
 */
#ifndef WB_POOL_H
#define WB_POOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct wb_pool {
    uint8_t *base;
    size_t size;
    size_t used, peak; /* bytes in blocks handed out, headers included */
    void *free_list;
} wb_pool;

/* Returns 0 when the memory is too small to hold a pool. */
int wb_pool_init(wb_pool *p, void *mem, size_t size);
void *wb_pool_alloc(wb_pool *p, size_t n);
void wb_pool_free(wb_pool *p, void *ptr);
/* NULL (and ptr untouched) when the pool cannot satisfy the request. */
void *wb_pool_realloc(wb_pool *p, void *ptr, size_t n);
/* Usable bytes of an allocated block. */
size_t wb_pool_usable(const void *ptr);

#endif /* WB_POOL_H */
