/* Order statistics; see stats.h for the definition used. */
#include <stdlib.h>

#include "stats.h"

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

  return (x > y) - (x < y);
}

double cb_percentile_u64(uint64_t *v, size_t n, double q)
{
  double pos, frac;
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
  frac = pos - (double)lo;
  if (lo + 1 >= n)
    return (double)v[n - 1];
  return (double)v[lo] + frac * ((double)v[lo + 1] - (double)v[lo]);
}
