/* A wasi-libc program: argv, environ, files in a preopened directory, stdout,
 * stderr and the exit code (tests/test_wasi.py). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    char line[128] = {0};
    FILE *f;
    const char *greeting = getenv("GREETING");
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    printf("GREETING=%s\n", greeting ? greeting : "(unset)");
    f = fopen("/data/in.txt", "r");
    if (!f || !fgets(line, sizeof line, f)) {
        perror("/data/in.txt");
        return 10;
    }
    fclose(f);
    printf("in.txt: %s", line);
    f = fopen("/data/out.txt", "w");
    if (!f) {
        perror("/data/out.txt");
        return 11;
    }
    fprintf(f, "%s wrote this\n", argv[0]);
    fclose(f);
    fprintf(stderr, "a line on stderr\n");
    return argc > 1 ? atoi(argv[argc - 1]) : 0;
}
