/* A program for the wasmbed runtime: printf and strings from libc-builtin.
 *
 *   examples/hello/build.sh                               # -> build/examples/hello.wasm
 *   wasmbed run build/examples/hello.wasm                 # on the host agent
 *   run-on-qemu riscv64 build/examples/hello.wasm         # on a board under QEMU
 *   wasmbed run build/examples/hello.wasm -f add --arg 2 --arg 40   # call an export
 */
#include <stdio.h>
#include <string.h>

__attribute__((export_name("add"))) int add(int a, int b) { return a + b; }

int main(void)
{
    const char *board = "wasmbed";
    char line[64];
    snprintf(line, sizeof line, "%s says %d + %d = %d", board, 2, 40, add(2, 40));
    printf("%s (%u characters)\n", line, (unsigned)strlen(line));
    printf("pi is about %.4f\n", 3.14159265);
    return 0;
}
