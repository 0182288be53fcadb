/* Table-driven CRC-32 (IEEE, reflected) over a 4 KiB buffer, n rounds:
 * table lookups, shifts, xors. wasmbed-bench: n=600 */
#include "bench_kernel.h"

#define BUF_SIZE 4096

static uint32_t table[256];
static uint8_t buf[BUF_SIZE];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, uint32_t len)
{
    crc = ~crc;
    while (len--)
        crc = table[(crc ^ *p++) & 0xffu] ^ (crc >> 8);
    return ~crc;
}

BENCH_EXPORT(bench_crc32) int64_t bench_crc32(int32_t n)
{
    make_table();
    uint32_t seed = 1u;
    for (uint32_t i = 0; i < BUF_SIZE; i++) {
        seed = seed * 1664525u + 1013904223u;
        buf[i] = (uint8_t)(seed >> 24);
    }
    uint32_t crc = 0;
    for (int32_t round = 0; round < n; round++) {
        crc = crc32(crc, buf, BUF_SIZE);
        buf[round & (BUF_SIZE - 1)] ^= (uint8_t)crc;
    }
    return crc;
}
