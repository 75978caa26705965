/* cpu.matmul: multiply two size x size matrices of doubles. The working set is
 * 3 * 8 * size^2 bytes (size 32: 24 KiB, fits L1; 96: 216 KiB, L2; 512:
 * 6 MiB, L3 on most servers; 1024: 24 MiB, memory), so one knob moves the
 * task from core-private caches to shared ones and to memory, where pinning
 * and cache sharing between workers show. Each worker keeps its matrices
 * between tasks (in its cb_task_t.worker slot), so a task measures the
 * multiplication and the filling of its inputs, not malloc. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gil.h"
#include "workload.h"

/* Small integers keep every product and sum exact in a double, so the
 * result does not depend on the order of additions. */
static void fill(double *m, size_t n, uint64_t seed)
{
  size_t i;

  for (i = 0; i < n * n; i++)
    m[i] = (double)(cb_mix64(seed + i) % 17) - 8.0;
}

static uint64_t multiply(double *mem, size_t n, uint64_t seed)
{
  double *a = mem, *b = mem + n * n, *c = mem + 2 * n * n;
  size_t i, j, k;

  fill(a, n, seed);
  fill(b, n, seed ^ UINT64_C(0x5bd1e995));
  memset(c, 0, n * n * sizeof(*c));
  for (i = 0; i < n; i++) {
    for (k = 0; k < n; k++) {
      double aik = a[i * n + k];
      for (j = 0; j < n; j++)
        c[i * n + j] += aik * b[k * n + j];
    }
    cb_gil_checkpoint(); /* once per row of the product */
  }
  return cb_digest(c, n * n * sizeof(*c), seed);
}

static int matmul_run(const cb_task_t *t, uint64_t *checksum)
{
  size_t n = (size_t)t->p->size;

  if (*t->worker == NULL) {
    *t->worker = malloc(3 * n * n * sizeof(double) + 1);
    if (*t->worker == NULL)
      return -ENOMEM;
  }
  *checksum = multiply(*t->worker, n, cb_task_seed(t->p->seed, t->index));
  return 0;
}

static void matmul_worker_close(const cb_params_t *p, void *state, void *worker)
{
  CB_UNUSED(p);
  CB_UNUSED(state);
  free(worker);
}

static uint64_t matmul_expect(const cb_task_t *t)
{
  size_t n = (size_t)t->p->size;
  double *mem = malloc(3 * n * n * sizeof(double) + 1);
  uint64_t sum;

  if (mem == NULL)
    return 0; /* the trial then reports a wrong checksum, never a false ok */
  sum = multiply(mem, n, cb_task_seed(t->p->seed, t->index));
  free(mem);
  return sum;
}

const cb_workload_t cb_workload_cpu_matmul = {
  .name = "cpu.matmul",
  .description = "size x size double matrix product: CPU and cache bound",
  .size_unit = "matrix dimension",
  .default_size = 64,
  .max_size = 4096, /* 384 MiB per worker, a minute per task */
  .default_tasks = 500,
  .run = matmul_run,
  .worker_close = matmul_worker_close,
  .expect = matmul_expect,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(32, 1000),
               [CB_PROFILE_STANDARD] = CB_SIZING(64, 200),
               [CB_PROFILE_FULL] = CB_SIZING(32, 1000) },
  .test = CB_SIZING(16, 30),
  .charts = CB_CHART_CPU_BOUND,
};
