/* cpu.fp: floating-point work. A task computes `size` points of one row of
 * the Mandelbrot set (row = task index modulo 512), each iterated until it
 * escapes or 256 iterations have passed. The checksum folds the iteration
 * counts and the exact bits of each final |z|^2, so a runner that computed a
 * single point differently (another rounding, another order) is caught: the
 * result is bit-exact because every runner calls the same function. */
#include <string.h>

#include "gil.h"
#include "workload.h"

enum { ROWS = 512, MAX_ITER = 256 };

static uint64_t row_sum(uint64_t index, uint64_t points)
{
  double ci = -1.25 + 2.5 * (double)(index % ROWS) / ROWS;
  uint64_t sum = cb_mix64(index), p, bits;
  double cr, zr, zi, zr2, zi2;
  unsigned it;

  for (p = 0; p < points; p++) {
    cr = -2.0 + 2.5 * (double)p / (double)points;
    zr = zi = zr2 = zi2 = 0;
    for (it = 0; it < MAX_ITER && zr2 + zi2 <= 4.0; it++) {
      zi = 2.0 * zr * zi + ci;
      zr = zr2 - zi2 + cr;
      zr2 = zr * zr;
      zi2 = zi * zi;
    }
    zr2 += zi2;
    memcpy(&bits, &zr2, sizeof(bits));
    sum = cb_mix64(sum + it) ^ bits;
    cb_gil_checkpoint(); /* a point is at most 256 iterations */
  }
  return sum;
}

static uint64_t fp_expect(const cb_task_t *t)
{
  return row_sum(t->index, t->p->size);
}

static int fp_run(const cb_task_t *t, uint64_t *checksum)
{
  *checksum = row_sum(t->index, t->p->size);
  return 0;
}

const cb_workload_t cb_workload_cpu_fp = {
  .name = "cpu.fp",
  .description = "Mandelbrot points in double precision: CPU-bound floating point",
  .size_unit = "points",
  .default_size = 256,
  .max_size = 100000000,
  .default_tasks = 2000,
  .run = fp_run,
  .expect = fp_expect,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(64, 1000),
               [CB_PROFILE_STANDARD] = CB_SIZING(256, 400),
               [CB_PROFILE_FULL] = CB_SIZING(256, 1000) },
  .test = CB_SIZING(32, 40),
  .charts = CB_CHART_CPU_BOUND,
};
