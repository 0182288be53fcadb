/* Sieve of Eratosthenes over 16 Ki numbers, n rounds: byte loads/stores,
 * tight loops. wasmbed-bench: n=80 */
#include "bench_kernel.h"

#define SIEVE_SIZE 16384

static uint8_t composite[SIEVE_SIZE];

BENCH_EXPORT(bench_sieve) int64_t bench_sieve(int32_t n)
{
    int64_t sum = 0;
    for (int32_t round = 0; round < n; round++) {
        /* Reading each flag before clearing it keeps compilers from turning
         * the loop into a memset call (kernels must not import anything). */
        for (int32_t i = 0; i < SIEVE_SIZE; i++) {
            sum += composite[i];
            composite[i] = 0;
        }
        int32_t count = 0;
        for (int32_t i = 2; i < SIEVE_SIZE; i++) {
            if (composite[i])
                continue;
            count++;
            sum += i ^ round;
            for (int32_t j = i * i; j < SIEVE_SIZE; j += i)
                composite[j] = 1;
        }
        sum = sum * 31 + count;
    }
    return sum;
}
