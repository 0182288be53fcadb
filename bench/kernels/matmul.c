/* Integer matrix multiply, 32x32 int32, n rounds; the product feeds the
 * next round. wasmbed-bench: n=150 */
#include "bench_kernel.h"

#define DIM 32

static int32_t a[DIM][DIM], b[DIM][DIM], c[DIM][DIM];

BENCH_EXPORT(bench_matmul) int64_t bench_matmul(int32_t n)
{
    uint32_t seed = 12345u;
    for (int i = 0; i < DIM; i++) {
        for (int j = 0; j < DIM; j++) {
            seed = seed * 1103515245u + 12345u;
            a[i][j] = (int32_t)(seed >> 16) & 0xff;
            seed = seed * 1103515245u + 12345u;
            b[i][j] = (int32_t)(seed >> 16) & 0xff;
        }
    }
    int64_t sum = 0;
    for (int32_t round = 0; round < n; round++) {
        for (int i = 0; i < DIM; i++) {
            for (int j = 0; j < DIM; j++) {
                int32_t acc = 0;
                for (int k = 0; k < DIM; k++)
                    acc += a[i][k] * b[k][j];
                c[i][j] = acc;
            }
        }
        for (int i = 0; i < DIM; i++) {
            for (int j = 0; j < DIM; j++) {
                sum += c[i][j];
                a[i][j] = (c[i][j] >> 8) & 0xff;
            }
        }
    }
    return sum;
}
