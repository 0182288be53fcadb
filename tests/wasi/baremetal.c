/* What libc-wasi offers a board without a file system (tests/test_wasi.py):
 * argv, environ, clocks, random, stdout/stderr and the exit code work; a file
 * call fails with an errno instead of crashing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wasi/api.h>

int main(int argc, char **argv)
{
    struct timespec a, b;
    unsigned char buf[32] = {0};
    int nonzero = 0;
    __wasi_prestat_t pre;
    FILE *f;
    printf("argc=%d last=%s\n", argc, argv[argc - 1]);
    printf("MODE=%s\n", getenv("MODE") ? getenv("MODE") : "(unset)");
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (volatile int i = 0; i < 100000; i++)
        ;
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("monotonic advances: %d\n",
           b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec > a.tv_nsec));
    printf("random_get: %d\n", (int)__wasi_random_get(buf, sizeof buf));
    for (unsigned i = 0; i < sizeof buf; i++)
        nonzero |= buf[i];
    printf("random bytes nonzero: %d\n", nonzero != 0);
    printf("prestat fd 3: %d\n", (int)__wasi_fd_prestat_get(3, &pre));
    f = fopen("/nowhere/x.txt", "r");
    printf("fopen: %s\n", f ? "opened" : "failed");
    fprintf(stderr, "stderr works\n");
    return 7;
}
