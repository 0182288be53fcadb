/*
 * Global heap pool allocator.
 *
 * Every block starts with an 8-byte header: its size (header included,
 * a multiple of 8, bit 0 = in use) and the size of the block physically
 * before it (0 for the first). Free blocks keep a doubly linked free list
 * in their payload. Freeing merges with both neighbours at once, so no
 * two free blocks are ever adjacent.
 */
#include "wb_pool.h"
#include "../core/wb_libc.h"

typedef struct blk {
    uint32_t size; /* bit 0: used */
    uint32_t prev; /* size of the previous physical block */
} blk;

typedef struct fblk {
    blk h;
    struct fblk *next, *prevf;
} fblk;

#define HDR ((uint32_t)sizeof(blk))
#define MINBLK ((uint32_t)((sizeof(fblk) + 7u) & ~7u))
#define BSIZE(b) ((b)->size & ~7u)
#define USED(b) ((b)->size & 1u)

static blk *next_blk(wb_pool *p, blk *b)
{
    uint8_t *n = (uint8_t *)b + BSIZE(b);
    return n < p->base + p->size ? (blk *)n : NULL;
}

static void unlink_free(wb_pool *p, fblk *f)
{
    if (f->prevf)
        f->prevf->next = f->next;
    else
        p->free_list = f->next;
    if (f->next)
        f->next->prevf = f->prevf;
}

static void push_free(wb_pool *p, blk *b)
{
    fblk *f = (fblk *)b;
    b->size &= ~1u;
    f->prevf = NULL;
    f->next = (fblk *)p->free_list;
    if (f->next)
        f->next->prevf = f;
    p->free_list = f;
}

static void set_size(wb_pool *p, blk *b, uint32_t size, uint32_t used)
{
    blk *n;
    b->size = size | used;
    n = next_blk(p, b);
    if (n)
        n->prev = size;
}

int wb_pool_init(wb_pool *p, void *mem, size_t size)
{
    uintptr_t a = ((uintptr_t)mem + 7u) & ~(uintptr_t)7u;
    size_t lost = a - (uintptr_t)mem;
    blk *b;
    memset(p, 0, sizeof *p);
    if (!mem || size < lost + MINBLK)
        return 0;
    size = (size - lost) & ~(size_t)7u;
    if (size > 0xFFFFFFF8u)
        size = 0xFFFFFFF8u;
    p->base = (uint8_t *)a;
    p->size = size;
    b = (blk *)p->base;
    b->size = (uint32_t)size;
    b->prev = 0;
    push_free(p, b);
    return 1;
}

/* Split block b (in use, exact size `need`) leaving a free remainder. */
static void split(wb_pool *p, blk *b, uint32_t need)
{
    uint32_t total = BSIZE(b);
    blk *r;
    if (total - need < MINBLK)
        return;
    set_size(p, b, need, 1);
    r = (blk *)((uint8_t *)b + need);
    r->prev = need;
    set_size(p, r, total - need, 0);
    /* merge the remainder with a free successor */
    {
        blk *n = next_blk(p, r);
        if (n && !USED(n)) {
            unlink_free(p, (fblk *)n);
            set_size(p, r, BSIZE(r) + BSIZE(n), 0);
        }
    }
    push_free(p, r);
}

static uint32_t need_of(size_t n)
{
    size_t need = (n + HDR + 7u) & ~(size_t)7u;
    if (n > 0xFFFFFF00u)
        return 0;
    return need < MINBLK ? MINBLK : (uint32_t)need;
}

static void account(wb_pool *p, size_t before, size_t after)
{
    p->used = p->used - before + after;
    if (p->used > p->peak)
        p->peak = p->used;
}

void *wb_pool_alloc(wb_pool *p, size_t n)
{
    uint32_t need = need_of(n);
    fblk *f;
    if (!need)
        return NULL;
    for (f = (fblk *)p->free_list; f; f = f->next) {
        if (BSIZE(&f->h) >= need) {
            unlink_free(p, f);
            f->h.size |= 1u;
            split(p, &f->h, need);
            account(p, 0, BSIZE(&f->h));
            return (uint8_t *)f + HDR;
        }
    }
    return NULL;
}

void wb_pool_free(wb_pool *p, void *ptr)
{
    blk *b, *n;
    if (!ptr)
        return;
    b = (blk *)((uint8_t *)ptr - HDR);
    account(p, BSIZE(b), 0);
    b->size &= ~1u;
    n = next_blk(p, b);
    if (n && !USED(n)) {
        unlink_free(p, (fblk *)n);
        set_size(p, b, BSIZE(b) + BSIZE(n), 0);
    }
    if (b->prev) {
        blk *pv = (blk *)((uint8_t *)b - b->prev);
        if (!USED(pv)) {
            unlink_free(p, (fblk *)pv);
            set_size(p, pv, BSIZE(pv) + BSIZE(b), 0);
            b = pv;
        }
    }
    push_free(p, b);
}

void *wb_pool_realloc(wb_pool *p, void *ptr, size_t n)
{
    blk *b, *nx;
    uint32_t need, have;
    void *q;
    if (!ptr)
        return wb_pool_alloc(p, n);
    need = need_of(n);
    if (!need)
        return NULL;
    b = (blk *)((uint8_t *)ptr - HDR);
    have = BSIZE(b);
    if (need <= have) {
        split(p, b, need);
        account(p, have, BSIZE(b));
        return ptr;
    }
    nx = next_blk(p, b);
    if (nx && !USED(nx) && have + BSIZE(nx) >= need) {
        unlink_free(p, (fblk *)nx);
        set_size(p, b, have + BSIZE(nx), 1);
        split(p, b, need);
        account(p, have, BSIZE(b));
        return ptr;
    }
    q = wb_pool_alloc(p, n);
    if (!q)
        return NULL;
    memcpy(q, ptr, have - HDR);
    wb_pool_free(p, ptr);
    return q;
}

size_t wb_pool_usable(const void *ptr)
{
    const blk *b = (const blk *)((const uint8_t *)ptr - HDR);
    return BSIZE(b) - HDR;
}
