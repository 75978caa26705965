/* The bare loop of the noise probe and its statistic; see noise.h. */
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "noise.h"
#include "stats.h"

enum { N = 32 };

/* Static: the same addresses every batch, resident after the first. */
static double a[N * N], b[N * N], c[N * N];
static volatile double sink;

/* One product c = a b (rows of b streamed, as cpu.matmul does). */
static void product(void)
{
  size_t i, j, k;

  for (i = 0; i < N * N; i++)
    c[i] = 0;
  for (i = 0; i < N; i++) {
    for (k = 0; k < N; k++) {
      double aik = a[i * N + k];
      for (j = 0; j < N; j++)
        c[i * N + j] += aik * b[k * N + j];
    }
  }
  sink = c[(size_t)sink & (N * N - 1)];
}

void cb_noise_measure(double batch_s, size_t n, double *rates)
{
  uint64_t t0, t, want = (uint64_t)(batch_s * 1e9);
  size_t i, done;

  for (i = 0; i < N * N; i++) {
    a[i] = (double)(i % 17) - 8.0;
    b[i] = (double)(i % 13) - 6.0;
  }
  product(); /* caches and pages warm before the first batch */
  for (i = 0; i < n; i++) {
    t0 = cb_now_ns();
    done = 0;
    do {
      product();
      done++;
      t = cb_now_ns();
    } while (t - t0 < want);
    rates[i] = (double)done * 1e9 / (double)(t - t0);
  }
}

double cb_noise_cv(const double *rates, size_t n, double *mean)
{
  double *v = malloc((n > 0 ? n : 1) * sizeof(*v));
  cb_summary_t s = { 0 };

  if (v != NULL) {
    memcpy(v, rates, n * sizeof(*v)); /* cb_summarize sorts */
    cb_summarize(v, n, 0.95, &s);
    free(v);
  }
  if (mean != NULL)
    *mean = s.mean;
  return s.cv;
}
