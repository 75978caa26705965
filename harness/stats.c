/* Statistics of samples; see stats.h for the definitions used. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double interpolate(double lo, double hi, double frac)
{
  return lo + frac * (hi - lo);
}

static void swap_u64(uint64_t *v, ptrdiff_t a, ptrdiff_t b)
{
  uint64_t t = v[a];

  v[a] = v[b];
  v[b] = t;
}

/* Moves the k-th smallest of v[0..n) to v[k], none larger before it and
 * none smaller after it (Hoare's selection, median-of-three pivots): O(n)
 * on average, where sorting a trial's quarter of a million latencies took
 * longer than the trial itself. */
static void select_u64(uint64_t *v, size_t n, size_t k)
{
  ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, i, j, mid, want = (ptrdiff_t)k;
  uint64_t pivot;

  while (lo < hi) {
    mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo])
      swap_u64(v, lo, mid);
    if (v[hi] < v[lo])
      swap_u64(v, lo, hi);
    if (v[hi] < v[mid])
      swap_u64(v, mid, hi);
    pivot = v[mid];
    /* v[lo] <= pivot <= v[hi] stop both scans inside [lo, hi]. */
    for (i = lo, j = hi; i <= j;) {
      while (v[i] < pivot)
        i++;
      while (v[j] > pivot)
        j--;
      if (i <= j)
        swap_u64(v, i++, j--);
    }
    /* [lo, j] <= pivot, [i, hi] >= pivot, anything between equals it. */
    if (want <= j)
      hi = j;
    else if (want >= i)
      lo = i;
    else
      return;
  }
}

double cb_percentile_u64(uint64_t *v, size_t n, double q)
{
  double pos;
  size_t lo, i;
  uint64_t next;

  if (n == 0)
    return 0;
  pos = q <= 0 ? 0 : q >= 1 ? (double)(n - 1) : q * (double)(n - 1);
  lo = (size_t)pos;
  if (lo >= n - 1) {
    select_u64(v, n, n - 1);
    return (double)v[n - 1];
  }
  select_u64(v, n, lo);
  /* The next order statistic: the least of what lies above v[lo]. */
  for (next = v[lo + 1], i = lo + 2; i < n; i++)
    next = v[i] < next ? v[i] : next;
  return interpolate((double)v[lo], (double)next, pos - (double)lo);
}

/* Median of a sorted sample. */
static double median_sorted(const double *v, size_t n)
{
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void cb_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi, double *achieved)
{
  double cover, cdf, logc = 0, log_half_n = (double)n * log(0.5);
  size_t j;

  *lo = 0;
  *hi = n > 0 ? n - 1 : 0;
  *achieved = n > 0 ? 1 - 2 * pow(0.5, (double)n) : 0;
  /* Widest symmetric pair first; narrow it while the coverage holds:
   * [x(j), x(n-1-j)] (0-based) covers the median with 1 - 2 P(X <= j),
   * X ~ binomial(n, 1/2). P(X <= j) grows by one term per step, each term
   * taken from its logarithm so that n may be large: one pass, O(n). */
  cdf = exp(log_half_n); /* P(X <= 0) */
  for (j = 1; n > 0 && j < n / 2; j++) {
    logc += log((double)(n - j + 1)) - log((double)j);
    cdf += exp(logc + log_half_n);
    cover = 1 - 2 * (cdf > 1 ? 1 : cdf);
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

typedef struct ranked_s {
  double v;
  int from_x;
} ranked_t;

static int cmp_ranked(const void *a, const void *b)
{
  return cmp_double(&((const ranked_t *)a)->v, &((const ranked_t *)b)->v);
}

/* P(U <= u) for samples of sizes m and n without ties, by counting the
 * arrangements (f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u)), in doubles. */
static double exact_cdf(size_t m, size_t n, double u)
{
  size_t umax = m * n, i, j, k;
  double *f, *g, total = 0, below = 0;

  /* f[j][k] over j = 0..n for the current i; rolled over i. */
  f = calloc((n + 1) * (umax + 1), sizeof(*f));
  g = calloc((n + 1) * (umax + 1), sizeof(*g));
  if (f == NULL || g == NULL) {
    free(f);
    free(g);
    return -1;
  }
  for (j = 0; j <= n; j++)
    f[j * (umax + 1)] = 1; /* i = 0: U = 0 in one way */
  for (i = 1; i <= m; i++) {
    memset(g, 0, (n + 1) * (umax + 1) * sizeof(*g));
    g[0] = 1; /* j = 0: U = 0 */
    for (j = 1; j <= n; j++) {
      for (k = 0; k <= i * j; k++) {
        double a = k >= j ? f[j * (umax + 1) + k - j] : 0; /* x above the last y */
        double b = g[(j - 1) * (umax + 1) + k];
        g[j * (umax + 1) + k] = a + b;
      }
    }
    double *t = f;
    f = g;
    g = t;
  }
  for (k = 0; k <= umax; k++) {
    total += f[n * (umax + 1) + k];
    if ((double)k <= u + 1e-9)
      below += f[n * (umax + 1) + k];
  }
  free(f);
  free(g);
  return below / total;
}

double cb_mann_whitney_p(const double *x, size_t nx, const double *y, size_t ny)
{
  size_t n = nx + ny, i, j;
  ranked_t *r;
  double rx = 0, u, mu, sigma, z, tie = 0, p, lo, hi;
  int ties = 0;

  if (nx == 0 || ny == 0)
    return 1;
  r = malloc(n * sizeof(*r));
  if (r == NULL)
    return 1;
  for (i = 0; i < nx; i++)
    r[i] = (ranked_t){ x[i], 1 };
  for (i = 0; i < ny; i++)
    r[nx + i] = (ranked_t){ y[i], 0 };
  qsort(r, n, sizeof(*r), cmp_ranked);
  for (i = 0; i < n; i = j) {
    for (j = i + 1; j < n && r[j].v == r[i].v; j++)
      ;
    double t = (double)(j - i), rank = ((double)i + 1 + (double)j) / 2;
    for (size_t k = i; k < j; k++)
      rx += r[k].from_x ? rank : 0;
    tie += t * t * t - t;
    ties |= j - i > 1;
  }
  free(r);
  u = rx - (double)nx * ((double)nx + 1) / 2;
  if (!ties && nx * ny <= 2500) {
    lo = exact_cdf(nx, ny, u);
    hi = 1 - exact_cdf(nx, ny, u - 1);
    if (lo >= 0 && hi >= 0) {
      p = 2 * (lo < hi ? lo : hi);
      return p > 1 ? 1 : p;
    }
  }
  mu = (double)nx * (double)ny / 2;
  sigma = sqrt((double)nx * (double)ny / 12 *
               (((double)n + 1) - tie / ((double)n * ((double)n - 1))));
  if (sigma == 0)
    return 1;
  z = (fabs(u - mu) - 0.5) / sigma;
  if (z < 0)
    z = 0;
  p = erfc(z / sqrt(2));
  return p > 1 ? 1 : p;
}

/* Uniform in (0, 1), never 0 or 1. */
static double uniform(uint64_t *state)
{
  *state += UINT64_C(0x9e3779b97f4a7c15);
  return ((double)(cb_mix64(*state) >> 11) + 0.5) * 0x1p-53;
}

static double normal(uint64_t *state)
{
  double u = uniform(state), v = uniform(state);

  return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Gamma(a, 1) for a >= 1: Marsaglia and Tsang (2000). */
static double gamma_draw(double a, uint64_t *state)
{
  double d = a - 1.0 / 3, c = 1 / sqrt(9 * d), x, v, u;

  for (;;) {
    do {
      x = normal(state);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    u = uniform(state);
    if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
      return d * v;
  }
}

/* The median of a resample of the sorted sample v (n draws with
 * replacement), drawn without building the resample: the k-th smallest of
 * the n draws is v[floor(n U)] where U, the k-th smallest of n uniforms, is
 * Beta(k, n + 1 - k); for an even n the next one up is the smallest of the
 * n - k uniforms above U. The same distribution as drawing n values and
 * sorting them, in O(1) instead of O(n log n): a comparison's cost does not
 * grow with the number of trials. */
static double order_median(const double *v, size_t n, uint64_t *state)
{
  size_t k = (n + 1) / 2, i, j;
  double a = gamma_draw((double)k, state), b = gamma_draw((double)(n + 1 - k), state);
  double u = a / (a + b), u2;

  i = (size_t)(u * (double)n);
  i = i < n ? i : n - 1;
  if (n % 2)
    return v[i];
  u2 = u + (1 - u) * (1 - pow(uniform(state), 1.0 / (double)(n - k)));
  j = (size_t)(u2 * (double)n);
  j = j < n ? j : n - 1;
  return (v[i] + v[j > i ? j : i]) / 2;
}

/* A sorted copy of v; NULL on ENOMEM. */
static double *sort_copy(const double *v, size_t n)
{
  double *c = malloc(n * sizeof(*c));

  if (c != NULL) {
    memcpy(c, v, n * sizeof(*c));
    qsort(c, n, sizeof(*c), cmp_double);
  }
  return c;
}

double cb_bootstrap_ratio(const double *x, size_t nx, const double *y, size_t ny, double level,
                          unsigned rounds, uint64_t seed, double *lo, double *hi)
{
  double *sx, *sy, *ratios, mx, point, bx, by;
  uint64_t state = seed;
  unsigned b, k = 0;

  *lo = *hi = 0;
  if (nx == 0 || ny == 0 || rounds == 0)
    return 0;
  sx = malloc(nx * sizeof(*sx));
  sy = malloc(ny * sizeof(*sy));
  ratios = malloc(rounds * sizeof(*ratios));
  if (sx == NULL || sy == NULL || ratios == NULL) {
    free(sx);
    free(sy);
    free(ratios);
    return 0;
  }
  memcpy(sx, x, nx * sizeof(*sx));
  qsort(sx, nx, sizeof(*sx), cmp_double);
  mx = median_sorted(sx, nx);
  memcpy(sy, y, ny * sizeof(*sy));
  qsort(sy, ny, sizeof(*sy), cmp_double);
  point = mx != 0 ? median_sorted(sy, ny) / mx : 0;
  for (b = 0; b < rounds && mx != 0; b++) {
    bx = order_median(sx, nx, &state);
    by = order_median(sy, ny, &state);
    if (bx != 0)
      ratios[k++] = by / bx;
  }
  if (k > 0) {
    qsort(ratios, k, sizeof(*ratios), cmp_double);
    *lo = ratios[(size_t)((1 - level) / 2 * (k - 1) + 0.5)];
    *hi = ratios[(size_t)((1 + level) / 2 * (k - 1) + 0.5)];
  }
  free(ratios);
  free(sy);
  free(sx);
  return point;
}

/* The geometric mean of k ratios of medians, as the mean of their logs. */
double cb_bootstrap_geomean(const cb_pair_t *pr, size_t k, double level, unsigned rounds,
                            uint64_t seed, double *lo, double *hi)
{
  double **sorted = calloc(2 * (k > 0 ? k : 1), sizeof(*sorted)), *means = NULL, sum = 0, point;
  uint64_t state = seed;
  size_t i, n = 0;
  unsigned b;
  int ok = sorted != NULL;

  *lo = *hi = point = 0;
  for (i = 0; ok && i < k; i++) {
    ok = pr[i].nx > 0 && pr[i].ny > 0 && (sorted[2 * i] = sort_copy(pr[i].x, pr[i].nx)) != NULL &&
         (sorted[2 * i + 1] = sort_copy(pr[i].y, pr[i].ny)) != NULL;
    if (ok) {
      double r = median_sorted(sorted[2 * i + 1], pr[i].ny) / median_sorted(sorted[2 * i], pr[i].nx);
      ok = r > 0 && isfinite(r);
      sum += ok ? log(r) : 0;
    }
  }
  if (ok && k > 0 && rounds > 0 && (means = malloc(rounds * sizeof(*means))) != NULL) {
    point = exp(sum / (double)k);
    for (b = 0; b < rounds; b++) {
      double logs = 0, r;
      int good = 1;
      for (i = 0; i < k; i++) {
        double bx = order_median(sorted[2 * i], pr[i].nx, &state);
        double by = order_median(sorted[2 * i + 1], pr[i].ny, &state);
        r = by / bx;
        good = good && r > 0 && isfinite(r);
        logs += good ? log(r) : 0;
      }
      if (good)
        means[n++] = logs / (double)k;
    }
    if (n > 0) {
      qsort(means, n, sizeof(*means), cmp_double);
      *lo = exp(means[(size_t)((1 - level) / 2 * (double)(n - 1) + 0.5)]);
      *hi = exp(means[(size_t)((1 + level) / 2 * (double)(n - 1) + 0.5)]);
    }
  }
  for (i = 0; sorted != NULL && i < 2 * k; i++)
    free(sorted[i]);
  free(sorted);
  free(means);
  return point;
}

/* The median of n values drawn with replacement from v (tmp: n doubles). */
static double resample_median(const double *v, size_t n, double *tmp, uint64_t *state)
{
  size_t i;

  for (i = 0; i < n; i++) {
    *state += UINT64_C(0x9e3779b97f4a7c15);
    tmp[i] = v[cb_mix64(*state) % n];
  }
  qsort(tmp, n, sizeof(*tmp), cmp_double);
  return median_sorted(tmp, n);
}

/* Least squares over points (x[i], m[i]). */
static double fit(const double *x, const double *m, size_t k)
{
  double sx = 0, sm = 0, sxx = 0, sxm = 0, d;
  size_t i;

  for (i = 0; i < k; i++) {
    sx += x[i];
    sm += m[i];
  }
  sx /= (double)k;
  sm /= (double)k;
  for (i = 0; i < k; i++) {
    d = x[i] - sx;
    sxx += d * d;
    sxm += d * (m[i] - sm);
  }
  return sxx > 0 ? sxm / sxx : 0;
}

/* Medians of every group, plain (state NULL) or resampled, into m. */
static int series_medians(const cb_group_t *g, size_t k, double *x, double *m, double *tmp,
                          uint64_t *state)
{
  size_t i;

  for (i = 0; i < k; i++) {
    if (g[i].n == 0)
      return -1;
    x[i] = g[i].x;
    if (state != NULL) {
      m[i] = resample_median(g[i].y, g[i].n, tmp, state);
    } else {
      memcpy(tmp, g[i].y, g[i].n * sizeof(*tmp));
      qsort(tmp, g[i].n, sizeof(*tmp), cmp_double);
      m[i] = median_sorted(tmp, g[i].n);
    }
  }
  return 0;
}

static size_t largest(const cb_group_t *g, size_t k)
{
  size_t i, n = 1;

  for (i = 0; g != NULL && i < k; i++)
    n = g[i].n > n ? g[i].n : n;
  return n;
}

double cb_slope(const cb_group_t *g, size_t k)
{
  double *x = malloc((k + 1) * sizeof(*x)), *m = malloc((k + 1) * sizeof(*m));
  double *tmp = malloc(largest(g, k) * sizeof(*tmp)), s = 0;

  if (x != NULL && m != NULL && tmp != NULL && series_medians(g, k, x, m, tmp, NULL) == 0)
    s = fit(x, m, k);
  free(tmp);
  free(m);
  free(x);
  return s;
}

/* One slope of a series, or the difference of two, from medians drawn by
 * series_medians (state NULL: the samples themselves). */
static int slope_stat(const cb_group_t *a, size_t ka, const cb_group_t *b, size_t kb,
                      double *x, double *m, double *tmp, uint64_t *state, double *out)
{
  double sa;

  if (series_medians(a, ka, x, m, tmp, state) != 0)
    return -1;
  sa = fit(x, m, ka);
  if (b == NULL) {
    *out = sa;
    return 0;
  }
  if (series_medians(b, kb, x, m, tmp, state) != 0)
    return -1;
  *out = fit(x, m, kb) - sa;
  return 0;
}

double cb_bootstrap_slope(const cb_group_t *a, size_t ka, const cb_group_t *b, size_t kb,
                          double level, unsigned rounds, uint64_t seed, double *lo, double *hi,
                          double *p)
{
  size_t k = ka > kb ? ka : kb, big = largest(a, ka) > largest(b, kb) ? largest(a, ka)
                                                                     : largest(b, kb);
  double *x = malloc((k + 1) * sizeof(*x)), *m = malloc((k + 1) * sizeof(*m));
  double *tmp = malloc(big * sizeof(*tmp)), *d = malloc((rounds + 1) * sizeof(*d));
  double point = 0;
  uint64_t state = seed;
  unsigned r, n = 0;

  unsigned below = 0;

  *lo = *hi = 0;
  if (p != NULL)
    *p = 1;
  if (x == NULL || m == NULL || tmp == NULL || d == NULL ||
      slope_stat(a, ka, b, kb, x, m, tmp, NULL, &point) != 0)
    goto out;
  for (r = 0; r < rounds; r++)
    n += slope_stat(a, ka, b, kb, x, m, tmp, &state, &d[n]) == 0;
  if (n > 0) {
    qsort(d, n, sizeof(*d), cmp_double);
    *lo = d[(size_t)((1 - level) / 2 * (n - 1) + 0.5)];
    *hi = d[(size_t)((1 + level) / 2 * (n - 1) + 0.5)];
    for (r = 0; r < n; r++)
      below += d[r] <= 0;
    if (p != NULL) {
      *p = 2.0 * (below < n - below ? below : n - below) / n;
      if (*p < 1.0 / n)
        *p = 1.0 / n;
      if (*p > 1)
        *p = 1;
    }
  }
out:
  free(d);
  free(tmp);
  free(m);
  free(x);
  return point;
}

static const double *holm_p; /* qsort has no context argument */

static int cmp_by_p(const void *a, const void *b)
{
  size_t i = *(const size_t *)a, j = *(const size_t *)b;
  int c = cmp_double(&holm_p[i], &holm_p[j]);

  return c != 0 ? c : (i > j) - (i < j); /* stable: ties keep their order */
}

void cb_holm(double *p, size_t m)
{
  size_t *idx, i;
  double run = 0, adj;

  idx = malloc((m > 0 ? m : 1) * sizeof(*idx));
  if (idx == NULL)
    return;
  for (i = 0; i < m; i++)
    idx[i] = i;
  holm_p = p;
  qsort(idx, m, sizeof(*idx), cmp_by_p);
  for (i = 0; i < m; i++) {
    adj = (double)(m - i) * p[idx[i]];
    if (adj > 1)
      adj = 1;
    if (adj < run)
      adj = run; /* step-down: never below an earlier adjusted value */
    run = adj;
    p[idx[i]] = adj;
  }
  free(idx);
}

double cb_mw_min_p(size_t nx, size_t ny)
{
  double c = 1; /* C(nx + ny, nx), built up as a product */
  size_t i;

  if (nx == 0 || ny == 0)
    return 1;
  for (i = 1; i <= nx; i++)
    c = c * (double)(ny + i) / (double)i;
  return 2 / c > 1 ? 1 : 2 / c;
}
