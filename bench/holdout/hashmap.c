/* An open-addressing hash map (FNV-1a over 8-byte keys, linear probing) of
 * 2048 entries in 4096 buckets: insert all, look up twice as many (half
 * missing), n times. Byte loops, multiplies, masks, probing branches.
 * wasmbed-bench: n=30 */
#include "../kernels/bench_kernel.h"

#define BUCKETS 4096
#define ENTRIES 2048

struct slot {
    uint8_t key[8];
    uint32_t value;
    uint32_t used;
};

static struct slot map[BUCKETS];

static uint32_t fnv1a(const uint8_t *k)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 8; i++)
        h = (h ^ k[i]) * 16777619u;
    return h;
}

static void make_key(uint8_t k[8], uint32_t x)
{
    for (int i = 0; i < 8; i++) {
        k[i] = (uint8_t)('a' + x % 26u);
        x = x / 26u + (uint32_t)i * 7u;
    }
}

static int same(const uint8_t *a, const uint8_t *b)
{
    for (int i = 0; i < 8; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static struct slot *find(const uint8_t k[8])
{
    uint32_t i = fnv1a(k) & (BUCKETS - 1);
    while (map[i].used && !same(map[i].key, k))
        i = (i + 1) & (BUCKETS - 1);
    return &map[i];
}

BENCH_EXPORT(bench_hashmap) int64_t bench_hashmap(int32_t n)
{
    uint8_t k[8];
    int64_t sum = 0;
    for (int32_t r = 0; r < n; r++) {
        for (uint32_t i = 0; i < BUCKETS; i++)
            map[i].used = 0;
        for (uint32_t x = 0; x < ENTRIES; x++) {
            make_key(k, x * 2654435761u + (uint32_t)r);
            struct slot *s = find(k);
            for (int i = 0; i < 8; i++)
                s->key[i] = k[i];
            s->value = x;
            s->used = 1;
        }
        for (uint32_t x = 0; x < 2 * ENTRIES; x++) {
            make_key(k, x * 2654435761u + (uint32_t)r);
            struct slot *s = find(k);
            sum += s->used ? s->value : -1;
        }
    }
    return sum;
}
