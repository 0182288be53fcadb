/* Quicksort (median of three, insertion sort below 16) of 4096 pseudo-random
 * ints, n times: recursion, compares, swaps, unpredictable branches.
 * wasmbed-bench: n=20 */
#include "../kernels/bench_kernel.h"

#define LEN 4096

static int32_t a[LEN];

static void swap(int32_t *x, int32_t *y)
{
    int32_t t = *x;
    *x = *y;
    *y = t;
}

static void sort(int32_t *v, int32_t lo, int32_t hi)
{
    while (hi - lo > 16) {
        int32_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo])
            swap(&v[mid], &v[lo]);
        if (v[hi] < v[lo])
            swap(&v[hi], &v[lo]);
        if (v[hi] < v[mid])
            swap(&v[hi], &v[mid]);
        int32_t pivot = v[mid], i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j)
                swap(&v[i++], &v[j--]);
        }
        if (j - lo < hi - i) {
            sort(v, lo, j);
            lo = i;
        } else {
            sort(v, i, hi);
            hi = j;
        }
    }
    for (int32_t i = lo + 1; i <= hi; i++) {
        int32_t x = v[i], k = i - 1;
        while (k >= lo && v[k] > x) {
            v[k + 1] = v[k];
            k--;
        }
        v[k + 1] = x;
    }
}

BENCH_EXPORT(bench_qsort) int64_t bench_qsort(int32_t n)
{
    uint32_t seed = 12345u;
    int64_t sum = 0;
    for (int32_t r = 0; r < n; r++) {
        for (int32_t i = 0; i < LEN; i++) {
            seed = seed * 1103515245u + 12345u;
            a[i] = (int32_t)(seed >> 8);
        }
        sort(a, 0, LEN - 1);
        sum += a[r % LEN] ^ a[LEN / 2];
    }
    return sum;
}
