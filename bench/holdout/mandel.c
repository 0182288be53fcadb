/* Mandelbrot set in doubles: 64x64 points of a window that moves with the
 * round, at most 128 iterations each, n rounds. f64 multiply/add chains,
 * a data-dependent loop exit. wasmbed-bench: n=20 */
#include "../kernels/bench_kernel.h"

BENCH_EXPORT(bench_mandel) int64_t bench_mandel(int32_t n)
{
    int64_t total = 0;
    for (int32_t r = 0; r < n; r++) {
        double x0 = -2.0 + r * 0.001, y0 = -1.25;
        for (int py = 0; py < 64; py++) {
            double ci = y0 + py * (2.5 / 64);
            for (int px = 0; px < 64; px++) {
                double cr = x0 + px * (2.5 / 64), zr = 0.0, zi = 0.0;
                int it = 0;
                while (it < 128 && zr * zr + zi * zi <= 4.0) {
                    double t = zr * zr - zi * zi + cr;
                    zi = 2.0 * zr * zi + ci;
                    zr = t;
                    it++;
                }
                total += it;
            }
        }
    }
    return total;
}
