/* Tests of the statistics (harness/stats.c): summaries, percentiles, the
 * median's confidence interval, Mann-Whitney, Holm and the bootstrap. Every
 * expected value is computed by hand in a comment, by a brute force in the
 * test that shares no code with the library (the binomial coverage of the
 * median's confidence interval), or independently with SciPy and written
 * here as a constant with the call that gave it (Mann-Whitney p-values, the
 * bootstrap's known quantiles). The table, the cells and the schedule are
 * tested in test_stats_table.c. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmd.h"
#include "common.h"
#include "csv.h"
#include "matrix.h"
#include "stats.h"
#include "summary.h"
#include "table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- cb_summarize ---- */

static void test_summarize_odd(void **state)
{
  double v[] = { 100, 3, 1, 4, 2 }; /* unsorted on purpose */
  cb_summary_t s;

  (void)state;
  cb_summarize(v, ARRAY_SIZE(v), 0.95, &s);
  assert_int_equal(s.n, 5);
  cbt_expect_near(s.median, 3, "median");
  cbt_expect_near(s.mean, 22, "mean"); /* 110 / 5 */
  /* Deviations from 22: -21 -20 -19 -18 78; squares sum to
   * 441 + 400 + 361 + 324 + 6084 = 7610; sample variance 7610 / 4. */
  cbt_expect_near(s.stddev, sqrt(7610.0 / 4), "stddev");
  cbt_expect_near(s.cv, sqrt(7610.0 / 4) / 22, "cv");
  /* |x - 3|: 2 1 0 1 97 -> sorted 0 1 1 2 97 -> median 1. */
  cbt_expect_near(s.mad, 1, "mad");
  cbt_expect_near(s.min, 1, "min");
  cbt_expect_near(s.max, 100, "max");
  /* n = 5: no pair reaches 95%; [min, max] covers with 1 - 2/32. */
  cbt_expect_near(s.ci_lo, 1, "ci_lo");
  cbt_expect_near(s.ci_hi, 100, "ci_hi");
  cbt_expect_near(s.ci_level, 0.9375, "ci_level");
  /* Sorted in place, as documented. */
  cbt_expect_near(v[0], 1, "v[0]");
  cbt_expect_near(v[4], 100, "v[4]");
}

static void test_summarize_even(void **state)
{
  double v[] = { 4, 1, 3, 2 };
  cb_summary_t s;

  (void)state;
  cb_summarize(v, ARRAY_SIZE(v), 0.95, &s);
  assert_int_equal(s.n, 4);
  cbt_expect_near(s.median, 2.5, "median"); /* (2 + 3) / 2 */
  cbt_expect_near(s.mean, 2.5, "mean");
  /* Squares 2.25 0.25 0.25 2.25 = 5; variance 5 / 3. */
  cbt_expect_near(s.stddev, sqrt(5.0 / 3), "stddev");
  cbt_expect_near(s.cv, sqrt(5.0 / 3) / 2.5, "cv");
  /* |x - 2.5|: 1.5 0.5 0.5 1.5 -> median (0.5 + 1.5) / 2 = 1. */
  cbt_expect_near(s.mad, 1, "mad");
  cbt_expect_near(s.min, 1, "min");
  cbt_expect_near(s.max, 4, "max");
  cbt_expect_near(s.ci_lo, 1, "ci_lo");
  cbt_expect_near(s.ci_hi, 4, "ci_hi");
  cbt_expect_near(s.ci_level, 1 - 2.0 / 16, "ci_level");
}

static void test_summarize_one_and_none(void **state)
{
  double one[] = { 7 }, none[] = { 42 };
  cb_summary_t s;

  (void)state;
  cb_summarize(one, 1, 0.95, &s);
  assert_int_equal(s.n, 1);
  cbt_expect_near(s.median, 7, "median");
  cbt_expect_near(s.mean, 7, "mean");
  cbt_expect_near(s.stddev, 0, "stddev"); /* n - 1 = 0: defined as 0, not NaN */
  cbt_expect_near(s.mad, 0, "mad");
  cbt_expect_near(s.cv, 0, "cv");
  cbt_expect_near(s.min, 7, "min");
  cbt_expect_near(s.max, 7, "max");
  cbt_expect_near(s.ci_lo, 7, "ci_lo");
  cbt_expect_near(s.ci_hi, 7, "ci_hi");
  cbt_expect_near(s.ci_level, 0, "ci_level"); /* 1 - 2 * (1/2) */

  memset(&s, 0x55, sizeof(s));
  cb_summarize(none, 0, 0.95, &s);
  assert_int_equal(s.n, 0);
  assert_true(s.median == 0 && s.mean == 0 && s.stddev == 0 && s.mad == 0 && s.cv == 0);
  assert_true(s.min == 0 && s.max == 0 && s.ci_lo == 0 && s.ci_hi == 0 && s.ci_level == 0);
  cbt_expect_near(none[0], 42, "untouched sample");
}

static void test_summarize_zero_mean(void **state)
{
  double v[] = { -1, 1 };
  cb_summary_t s;

  (void)state;
  cb_summarize(v, 2, 0.95, &s);
  cbt_expect_near(s.mean, 0, "mean");
  cbt_expect_near(s.stddev, sqrt(2.0), "stddev");
  cbt_expect_near(s.cv, 0, "cv"); /* documented: 0 when the mean is 0 */
}

/* ---- cb_percentile_u64 ---- */

static void test_percentile_type7(void **state)
{
  uint64_t v[] = { 40, 10, 30, 20 };
  uint64_t one[] = { 5 };

  (void)state;
  /* Type 7: position q (n - 1) between closest ranks of 10 20 30 40. */
  cbt_expect_near(cb_percentile_u64(v, 4, 0), 10, "q0");
  cbt_expect_near(cb_percentile_u64(v, 4, 0.25), 17.5, "q.25"); /* pos 0.75 */
  cbt_expect_near(cb_percentile_u64(v, 4, 0.5), 25, "q.5");     /* pos 1.5 */
  cbt_expect_near(cb_percentile_u64(v, 4, 0.99), 39.7, "q.99"); /* pos 2.97 */
  cbt_expect_near(cb_percentile_u64(v, 4, 1), 40, "q1");
  cbt_expect_near(cb_percentile_u64(v, 4, 2.0 / 3), 30, "q2/3"); /* pos 2: a sample */
  cbt_expect_near(cb_percentile_u64(one, 1, 0.99), 5, "n=1");
  cbt_expect_near(cb_percentile_u64(one, 0, 0.5), 0, "n=0");
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

  return (x > y) - (x < y);
}

/* The selection gives what sorting gives, to the last bit, on every shape
 * of sample a trial can produce: random, few distinct values (latencies of
 * equal tasks), all equal, ascending, descending, organ pipe; sizes 1 to
 * 3000 and one of 200000 (a noop trial's). */
static void test_percentile_is_sorting(void **state)
{
  static const double qs[] = { 0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1 };
  static const size_t sizes[] = { 1, 2, 3, 4, 5, 7, 16, 31, 100, 999, 3000, 200000 };
  uint64_t *v = malloc(200000 * sizeof(*v)), *ref = malloc(200000 * sizeof(*ref)), x = 7;
  size_t s, shape, i, q, n, lo;
  double pos, want, got;

  (void)state;
  assert_true(v != NULL && ref != NULL);
  for (s = 0; s < CBT_ARRAY_SIZE(sizes); s++) {
    n = sizes[s];
    for (shape = 0; shape < 6; shape++) {
      for (q = 0; q < CBT_ARRAY_SIZE(qs); q++) {
        for (i = 0; i < n; i++) {
          x = x * 6364136223846793005u + 1442695040888963407u;
          ref[i] = shape == 0   ? x >> 20
                   : shape == 1 ? 1000 + (x >> 60) /* 16 distinct values */
                   : shape == 2 ? 42
                   : shape == 3 ? i
                   : shape == 4 ? n - i
                                : (i < n / 2 ? i : n - i);
        }
        memcpy(v, ref, n * sizeof(*v));
        qsort(ref, n, sizeof(*ref), cmp_u64);
        pos = qs[q] * (double)(n - 1);
        lo = (size_t)pos;
        want = lo + 1 < n ? (double)ref[lo] + (pos - (double)lo) * (double)(ref[lo + 1] - ref[lo])
                          : (double)ref[n - 1];
        got = cb_percentile_u64(v, n, qs[q]);
        if (got != want)
          fail_msg("n %zu shape %zu q %g: %.17g, sorting gives %.17g", n, shape, qs[q], got,
                   want);
        qsort(v, n, sizeof(*v), cmp_u64); /* reordered, nothing lost or changed */
        assert_memory_equal(v, ref, n * sizeof(*v));
      }
    }
  }
  free(v);
  free(ref);
}

static void test_percentile_large_values(void **state)
{
  /* Above 2^53 a double cannot hold every integer; between two huge
   * neighbours the interpolation must still land between them. */
  uint64_t v[] = { UINT64_MAX - 2048, UINT64_MAX };
  double p = cb_percentile_u64(v, 2, 0.5);

  (void)state;
  assert_true(p >= (double)(UINT64_MAX - 2048) && p <= (double)UINT64_MAX);
}

/* ---- cb_median_ci_ranks ---- */

/* P(X <= k), X ~ binomial(n, 1/2), by summing the probabilities built up
 * term by term: p(0) = 2^-n, p(i+1) = p(i) (n - i) / (i + 1). */
static double brute_cdf(size_t n, size_t k)
{
  double p = ldexp(1, -(int)n), sum = 0;
  size_t i;

  for (i = 0; i <= k; i++) {
    sum += p;
    p = p * (double)(n - i) / (double)(i + 1);
  }
  return sum;
}

/* The narrowest symmetric pair [x(j), x(n-1-j)] (0-based) with coverage at
 * least `level`, or [min, max] when none reaches it. */
static void brute_ci(size_t n, double level, size_t *lo, size_t *hi, double *cover)
{
  size_t j;

  *lo = 0;
  *hi = n - 1;
  *cover = 1 - 2 * brute_cdf(n, 0);
  for (j = 1; j < n / 2; j++) {
    double c = 1 - 2 * brute_cdf(n, j);
    if (c >= level) {
      *lo = j;
      *hi = n - 1 - j;
      *cover = c;
    }
  }
}

static void check_ci(size_t n, double level, size_t want_lo, size_t want_hi, double want_cover)
{
  size_t lo = 999, hi = 999;
  double cover = -1;

  cb_median_ci_ranks(n, level, &lo, &hi, &cover);
  if (lo != want_lo || hi != want_hi)
    fail_msg("n=%zu level=%g: ranks [%zu, %zu], expected [%zu, %zu]", n, level, lo, hi, want_lo,
             want_hi);
  if (fabs(cover - want_cover) > 1e-12)
    fail_msg("n=%zu level=%g: coverage %.17g, expected %.17g", n, level, cover, want_cover);
}

static void test_ci_by_hand(void **state)
{
  (void)state;
  check_ci(5, 0.95, 0, 4, 1 - 2.0 / 32);   /* 93.75%: below the level, all there is */
  check_ci(6, 0.95, 0, 5, 1 - 2.0 / 64);   /* 96.875%: the first n that reaches 95% */
  /* n = 10: P(X <= 1) = (1 + 10) / 1024 -> 97.85%; P(X <= 2) = 56 / 1024
   * -> 89.06% < 95%. So ranks 1..8 (0-based). */
  check_ci(10, 0.95, 1, 8, 1 - 2 * 11.0 / 1024);
  check_ci(10, 0.85, 2, 7, 1 - 2 * 56.0 / 1024);
}

static void test_ci_brute_force(void **state)
{
  static const size_t ns[] = { 2, 3, 7, 11, 20, 31, 50, 100, 101 };
  static const double levels[] = { 0.90, 0.95, 0.99 };
  size_t i, k, lo, hi;
  double cover;

  (void)state;
  for (i = 0; i < ARRAY_SIZE(ns); i++) {
    for (k = 0; k < ARRAY_SIZE(levels); k++) {
      brute_ci(ns[i], levels[k], &lo, &hi, &cover);
      check_ci(ns[i], levels[k], lo, hi, cover);
    }
  }
  /* The published table values (1-based ranks 6..15 and 40..61). */
  brute_ci(20, 0.95, &lo, &hi, &cover);
  assert_int_equal(lo, 5);
  assert_int_equal(hi, 14);
  brute_ci(100, 0.95, &lo, &hi, &cover);
  assert_int_equal(lo, 39);
  assert_int_equal(hi, 60);
  assert_true(cover >= 0.95 && cover < 0.97);
}

/* ---- Mann-Whitney, Holm, bootstrap: reference values ---- */

/* Reference p-values of the two-sided Mann-Whitney U test, computed
 * independently with SciPy 1.10.1 (Debian 12's python3-scipy), as
 *   scipy.stats.mannwhitneyu(x, y, alternative='two-sided',
 *                            method=M, use_continuity=True).pvalue
 * with M = 'exact' where cb_mann_whitney_p takes its exact path (no ties,
 * nx * ny <= 2500) and M = 'asymptotic' (normal approximation with the tie
 * and continuity corrections) elsewhere; printed with repr(). */
static void check_mw(const double *x, size_t nx, const double *y, size_t ny, double want,
                     const char *what)
{
  double got = cb_mann_whitney_p(x, nx, y, ny), back = cb_mann_whitney_p(y, ny, x, nx);

  if (!(fabs(got - want) <= 1e-9 * want))
    fail_msg("%s: p = %.17g, SciPy gives %.17g", what, got, want);
  /* two-sided: the order of the samples does not matter */
  if (!(fabs(back - want) <= 1e-9 * want))
    fail_msg("%s, samples swapped: p = %.17g, SciPy gives %.17g", what, back, want);
}

/* Samples without ties built from a formula, the same in the SciPy call:
 * x[i] = 100.25 + (37 i mod 101), y[i] = base + 0.5 + (53 i mod 103). */
static void formula_samples(double *x, size_t nx, double *y, size_t ny, double ybase)
{
  size_t i;

  for (i = 0; i < nx; i++)
    x[i] = 100.25 + (double)((i * 37) % 101);
  for (i = 0; i < ny; i++)
    y[i] = ybase + 0.5 + (double)((i * 53) % 103);
}

static void test_mann_whitney_exact_reference(void **state)
{
  static const double ax[] = { 3.1, 4.7, 1.2, 9.9, 5.5 };
  static const double ay[] = { 2.2, 8.8, 6.1, 7.3, 10.4, 11.0 };
  static const double bx[] = { 80, 100, 101, 102, 103, 104, 105, 106, 107 };
  static const double by[] = { 86, 87, 88, 89, 90, 91, 92, 93, 108.5 };
  static const double ix[] = { 1.5 }, iy[] = { 0.5, 2.5, 3.5 };
  static const double jx[] = { 1, 4 }, jy[] = { 2, 3 };
  double x[50], y[61];

  (void)state;
  /* method='exact' */
  check_mw(ax, 5, ay, 6, 0.17748917748917747, "5 vs 6");
  check_mw(bx, 9, by, 9, 0.039983545865898806, "9 vs 9");
  check_mw(ix, 1, iy, 3, 1.0, "1 vs 3 (p capped at 1)");
  check_mw(jx, 2, jy, 2, 1.0, "2 vs 2, U at its mean");
  formula_samples(x, 40, y, 50, 95);
  check_mw(x, 40, y, 50, 0.19629281314942776, "40 vs 50");
  /* nx * ny = 2500, the largest exact case: exact 0.16130842196394832,
   * where the normal approximation would give 0.16064894403312147 */
  formula_samples(x, 50, y, 50, 95);
  check_mw(x, 50, y, 50, 0.16130842196394832, "50 vs 50");
}

static void test_mann_whitney_normal_reference(void **state)
{
  static const double dx[] = { 1, 2, 2, 3, 3, 3, 4 };
  static const double dy[] = { 2, 3, 4, 4, 5, 5, 6, 7 };
  static const double fx[] = { 1, 1, 2, 2, 2, 3, 3, 1, 2, 2 };
  static const double fy[] = { 3, 3, 4, 4, 4, 5, 3, 4, 5, 5, 4, 3 };
  static const double gx[] = { 1, 2 }, gy[] = { 1, 2 };
  static const double hx[] = { 5, 5, 5 }, hy[] = { 1, 2, 3, 4 };
  double x[61], y[61];

  (void)state;
  /* method='asymptotic': ties take the normal approximation */
  check_mw(dx, 7, dy, 8, 0.025279736885893914, "7 vs 8 with ties");
  check_mw(fx, 10, fy, 12, 0.00017792833632549016, "10 vs 12, many ties");
  check_mw(gx, 2, gy, 2, 1.0, "identical samples");
  check_mw(hx, 3, hy, 4, 0.04359664488554136, "ties in one sample only");
  /* nx * ny > 2500 without ties: 41 x 61 = 2501 (exact would be
   * 0.2978148603943348), and 60 x 50 */
  formula_samples(x, 41, y, 61, 95);
  check_mw(x, 41, y, 61, 0.29636739077436025, "41 vs 61");
  formula_samples(x, 60, y, 50, 110);
  check_mw(x, 60, y, 50, 0.24785383825200935, "60 vs 50");
  /* an empty side is no evidence */
  assert_true(cb_mann_whitney_p(dx, 7, dy, 0) == 1);
  assert_true(cb_mann_whitney_p(dx, 0, dy, 8) == 1);
}

/* Holm's step-down adjustment on input in no particular order, worked by
 * hand: sort ascending, multiply the k-th smallest (k = 0..m-1) by m - k,
 * cap at 1, never below the adjusted value before it; each value goes back
 * to its own place. */
static void check_holm(const double *in, const double *want, size_t m)
{
  double p[8];
  size_t i;

  memcpy(p, in, m * sizeof(*p));
  cb_holm(p, m);
  for (i = 0; i < m; i++) {
    if (!(fabs(p[i] - want[i]) <= 1e-12))
      fail_msg("Holm of %zu values: p[%zu] = %.17g, expected %.17g", m, i, p[i], want[i]);
  }
}

static void test_holm_by_hand(void **state)
{
  /* 0.005 x 5 = 0.025; 0.01 x 4 = 0.04; 0.03 x 3 = 0.09; 0.04 x 2 = 0.08,
   * raised to 0.09; 0.2 x 1 = 0.2 */
  static const double a[] = { 0.04, 0.01, 0.03, 0.005, 0.2 };
  static const double aw[] = { 0.09, 0.04, 0.09, 0.025, 0.2 };
  /* ties: 0.01 x 4 = 0.04; 0.3 x 3 = 0.9 for the first 0.3 (by place) and
   * 0.3 x 2 = 0.6 raised to 0.9 for the other; 0.5 x 1 raised to 0.9 */
  static const double b[] = { 0.5, 0.3, 0.01, 0.3 };
  static const double bw[] = { 0.9, 0.9, 0.04, 0.9 };
  /* 0.4 x 2 = 0.8, 0.6 raised to 0.8; then 0.6 x 2 = 1.2 capped at 1 */
  static const double c[] = { 0.6, 0.4 }, cw[] = { 0.8, 0.8 };
  static const double d[] = { 0.7, 0.6 }, dw[] = { 1, 1 };
  static const double e[] = { 0.3 }, ew[] = { 0.3 };
  double none = 0.123;

  (void)state;
  check_holm(a, aw, 5);
  check_holm(b, bw, 4);
  check_holm(c, cw, 2);
  check_holm(d, dw, 2);
  check_holm(e, ew, 1);
  cb_holm(&none, 0);
  assert_true(none == 0.123);
}

/* Bootstrap intervals with a known answer. The resampled median of n = 11
 * distinct values v(1) < ... < v(11) is at most v(k) with probability
 * P(Binomial(11, k/11) >= 6); from SciPy 1.10.1,
 *   [scipy.stats.binom.sf(5, 11, k / 11) for k in range(1, 12)]
 * = 0.00017 0.00721 0.05125 0.17275 0.37863 0.62137 0.82725 0.94875
 *   0.99279 0.99983 1 (rounded). So the 2.5% and 97.5% quantiles of that
 * median are v(3) and v(9), the 10% and 90% quantiles v(4) and v(8), each
 * with a margin of at least 0.018 in probability: over 20000 resamples
 * the percentile method's bounds are those values (the sampling error of a
 * proportion there is under 0.002). Against a constant sample c the ratio
 * median(y) / median(x) has bounds v / c. */
static void test_bootstrap_known(void **state)
{
  static const double v[11] = { 7, 1, 11, 3, 9, 5, 2, 10, 4, 8, 6 }; /* 1..11, shuffled */
  static const double four[3] = { 4, 4, 4 }, six[3] = { 6, 6, 6 };
  static const double a[1] = { 2 }, b[1] = { 5 };
  double lo, hi, point, lo2, hi2;

  (void)state;
  /* y varies, x constant 4: v / 4 */
  point = cb_bootstrap_ratio(four, 3, v, 11, 0.95, 20000, 1, &lo, &hi);
  cbt_expect_near(point, 6.0 / 4, "point of v / 4");
  cbt_expect_near(lo, 3.0 / 4, "2.5% bound of v / 4");
  cbt_expect_near(hi, 9.0 / 4, "97.5% bound of v / 4");
  point = cb_bootstrap_ratio(four, 3, v, 11, 0.80, 20000, 2, &lo, &hi);
  cbt_expect_near(point, 6.0 / 4, "point of v / 4 at 80%");
  cbt_expect_near(lo, 4.0 / 4, "10% bound of v / 4");
  cbt_expect_near(hi, 8.0 / 4, "90% bound of v / 4");
  /* x varies, y constant 6: 6 / v, so the low bound comes from the high
   * quantile of the median of x */
  point = cb_bootstrap_ratio(v, 11, six, 3, 0.95, 20000, 3, &lo, &hi);
  cbt_expect_near(point, 1, "point of 6 / v");
  cbt_expect_near(lo, 6.0 / 9, "2.5% bound of 6 / v");
  cbt_expect_near(hi, 6.0 / 3, "97.5% bound of 6 / v");
  /* constants: the interval is the point */
  point = cb_bootstrap_ratio(four, 3, six, 3, 0.95, 500, 4, &lo, &hi);
  cbt_expect_near(point, 1.5, "point of 6 / 4");
  cbt_expect_near(lo, 1.5, "low bound of 6 / 4");
  cbt_expect_near(hi, 1.5, "high bound of 6 / 4");
  point = cb_bootstrap_ratio(a, 1, b, 1, 0.95, 100, 5, &lo, &hi);
  cbt_expect_near(point, 2.5, "one value each: point");
  assert_true(lo == 2.5 && hi == 2.5);
  /* the same seed gives the same interval */
  cb_bootstrap_ratio(four, 3, v, 11, 0.95, 300, 77, &lo, &hi);
  cb_bootstrap_ratio(four, 3, v, 11, 0.95, 300, 77, &lo2, &hi2);
  assert_true(lo == lo2 && hi == hi2);
  /* a zero median of x, no rounds, an empty side: 0 and [0, 0] */
  point = cb_bootstrap_ratio((const double[]){ 0, 0, 1 }, 3, v, 11, 0.95, 100, 6, &lo, &hi);
  assert_true(point == 0 && lo == 0 && hi == 0);
  point = cb_bootstrap_ratio(four, 3, v, 11, 0.95, 0, 6, &lo, &hi);
  assert_true(point == 0 && lo == 0 && hi == 0);
  point = cb_bootstrap_ratio(four, 0, v, 11, 0.95, 100, 6, &lo, &hi);
  assert_true(point == 0 && lo == 0 && hi == 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_summarize_odd),
    cmocka_unit_test(test_summarize_even),
    cmocka_unit_test(test_summarize_one_and_none),
    cmocka_unit_test(test_summarize_zero_mean),
    cmocka_unit_test(test_percentile_type7),
    cmocka_unit_test(test_percentile_large_values),
    cmocka_unit_test(test_percentile_is_sorting),
    cmocka_unit_test(test_ci_by_hand),
    cmocka_unit_test(test_ci_brute_force),
    cmocka_unit_test(test_mann_whitney_exact_reference),
    cmocka_unit_test(test_mann_whitney_normal_reference),
    cmocka_unit_test(test_holm_by_hand),
    cmocka_unit_test(test_bootstrap_known),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
