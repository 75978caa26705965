/* Statistics of samples; see stats.h for the definitions used. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

  return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double interpolate(double lo, double hi, double frac)
{
  return lo + frac * (hi - lo);
}

double cb_percentile_u64(uint64_t *v, size_t n, double q)
{
  double pos;
  size_t lo;

  if (n == 0)
    return 0;
  qsort(v, n, sizeof(*v), cmp_u64);
  if (q <= 0)
    return (double)v[0];
  if (q >= 1)
    return (double)v[n - 1];
  pos = q * (double)(n - 1);
  lo = (size_t)pos;
  if (lo + 1 >= n)
    return (double)v[n - 1];
  return interpolate((double)v[lo], (double)v[lo + 1], pos - (double)lo);
}

/* Median of a sorted sample. */
static double median_sorted(const double *v, size_t n)
{
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* P(X <= k) for X ~ binomial(n, 1/2), summed in logs so n may be large. */
static double binom_half_cdf(size_t n, size_t k)
{
  double sum = 0, logc = 0, log_half_n = (double)n * log(0.5);
  size_t i;

  for (i = 0; i <= k && i <= n; i++) {
    if (i > 0)
      logc += log((double)(n - i + 1)) - log((double)i);
    sum += exp(logc + log_half_n);
  }
  return sum > 1 ? 1 : sum;
}

void cb_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi, double *achieved)
{
  size_t j;
  double cover;

  *lo = 0;
  *hi = n > 0 ? n - 1 : 0;
  *achieved = n > 0 ? 1 - 2 * pow(0.5, (double)n) : 0;
  /* Widest symmetric pair first; narrow it while the coverage holds:
   * [x(j), x(n-1-j)] (0-based) covers the median with 1 - 2 P(X <= j). */
  for (j = 1; n > 0 && j < n / 2; j++) {
    cover = 1 - 2 * binom_half_cdf(n, j);
    if (cover < level)
      break;
    *lo = j;
    *hi = n - 1 - j;
    *achieved = cover;
  }
}

void cb_summarize(double *v, size_t n, double level, cb_summary_t *s)
{
  double sum = 0, sq = 0, *dev;
  size_t i, lo, hi;

  memset(s, 0, sizeof(*s));
  s->n = n;
  if (n == 0)
    return;
  qsort(v, n, sizeof(*v), cmp_double);
  for (i = 0; i < n; i++)
    sum += v[i];
  s->mean = sum / (double)n;
  for (i = 0; i < n; i++)
    sq += (v[i] - s->mean) * (v[i] - s->mean);
  s->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
  s->cv = s->mean != 0 ? s->stddev / fabs(s->mean) : 0;
  s->min = v[0];
  s->max = v[n - 1];
  s->median = median_sorted(v, n);
  dev = malloc(n * sizeof(*dev));
  if (dev != NULL) {
    for (i = 0; i < n; i++)
      dev[i] = fabs(v[i] - s->median);
    qsort(dev, n, sizeof(*dev), cmp_double);
    s->mad = median_sorted(dev, n);
    free(dev);
  }
  cb_median_ci_ranks(n, level, &lo, &hi, &s->ci_level);
  s->ci_lo = v[lo];
  s->ci_hi = v[hi];
}
