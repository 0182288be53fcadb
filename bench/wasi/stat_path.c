/* Cost of confined path resolution (docs/wasi.md): 20000 stat() calls of one path.
 *   clang --target=wasm32-wasi -O2 bench/wasi/stat_path.c -o stat_path.wasm
 *   mkdir -p d/a/b/c && touch d/a/b/c/f
 *   wasmbed run stat_path.wasm --dir d:/d                     # /d/a/b/c/f: 4 components
 *   wasmbed run stat_path.wasm --dir d/a/b/c:/d -- /d/f       # 1 component
 *   cc -O2 bench/wasi/stat_path.c -o stat_path && ./stat_path d/a/b/c/f   # native */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
int main(int argc, char **argv)
{
    struct stat st;
    struct timespec t0, t1;
    const char *path = argc > 1 ? argv[1] : "/d/a/b/c/f";
    int n = 20000, ok = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++)
        ok += stat(path, &st) == 0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%d/%d stat() in %.1f us each\n", ok, n,
           ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / n);
    return 0;
}
