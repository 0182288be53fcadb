/* The module the example embeds (fib_wasm.h is this file compiled to wasm32):
 *   clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export=fib fib.c -o fib.wasm
 * then fib.wasm as a C array (python3 mkarray.py fib.wasm > fib_wasm.h). */
int fib(int n)
{
    int a = 0, b = 1;
    for (int i = 0; i < n; i++) {
        int t = a + b;
        a = b;
        b = t;
    }
    return a;
}
