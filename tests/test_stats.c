/* Tests of the statistics (harness/stats.c), of the cells and flags derived
 * from a trial CSV (analysis/summary.c), of the CSV reader (harness/table.c) and
 * of the trial order (cb_schedule in harness/matrix.c). Every expected value
 * is computed by hand in a comment, by a brute force in the test that
 * shares no code with the library (the binomial coverage of the median's
 * confidence interval), or independently with SciPy and written here as a
 * constant with the call that gave it (Mann-Whitney p-values, the
 * bootstrap's known quantiles). CSV fixtures are built as text in the test and go
 * through cb_table_parse like a file would. */
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
#define EPS 1e-12

static void assert_near(double got, double want, const char *what)
{
  if (!(fabs(got - want) <= EPS * (fabs(want) > 1 ? fabs(want) : 1)))
    fail_msg("%s = %.17g, expected %.17g", what, got, want);
}

/* ---- cb_summarize ---- */

static void test_summarize_odd(void **state)
{
  double v[] = { 100, 3, 1, 4, 2 }; /* unsorted on purpose */
  cb_summary_t s;

  (void)state;
  cb_summarize(v, ARRAY_SIZE(v), 0.95, &s);
  assert_int_equal(s.n, 5);
  assert_near(s.median, 3, "median");
  assert_near(s.mean, 22, "mean"); /* 110 / 5 */
  /* Deviations from 22: -21 -20 -19 -18 78; squares sum to
   * 441 + 400 + 361 + 324 + 6084 = 7610; sample variance 7610 / 4. */
  assert_near(s.stddev, sqrt(7610.0 / 4), "stddev");
  assert_near(s.cv, sqrt(7610.0 / 4) / 22, "cv");
  /* |x - 3|: 2 1 0 1 97 -> sorted 0 1 1 2 97 -> median 1. */
  assert_near(s.mad, 1, "mad");
  assert_near(s.min, 1, "min");
  assert_near(s.max, 100, "max");
  /* n = 5: no pair reaches 95%; [min, max] covers with 1 - 2/32. */
  assert_near(s.ci_lo, 1, "ci_lo");
  assert_near(s.ci_hi, 100, "ci_hi");
  assert_near(s.ci_level, 0.9375, "ci_level");
  /* Sorted in place, as documented. */
  assert_near(v[0], 1, "v[0]");
  assert_near(v[4], 100, "v[4]");
}

static void test_summarize_even(void **state)
{
  double v[] = { 4, 1, 3, 2 };
  cb_summary_t s;

  (void)state;
  cb_summarize(v, ARRAY_SIZE(v), 0.95, &s);
  assert_int_equal(s.n, 4);
  assert_near(s.median, 2.5, "median"); /* (2 + 3) / 2 */
  assert_near(s.mean, 2.5, "mean");
  /* Squares 2.25 0.25 0.25 2.25 = 5; variance 5 / 3. */
  assert_near(s.stddev, sqrt(5.0 / 3), "stddev");
  assert_near(s.cv, sqrt(5.0 / 3) / 2.5, "cv");
  /* |x - 2.5|: 1.5 0.5 0.5 1.5 -> median (0.5 + 1.5) / 2 = 1. */
  assert_near(s.mad, 1, "mad");
  assert_near(s.min, 1, "min");
  assert_near(s.max, 4, "max");
  assert_near(s.ci_lo, 1, "ci_lo");
  assert_near(s.ci_hi, 4, "ci_hi");
  assert_near(s.ci_level, 1 - 2.0 / 16, "ci_level");
}

static void test_summarize_one_and_none(void **state)
{
  double one[] = { 7 }, none[] = { 42 };
  cb_summary_t s;

  (void)state;
  cb_summarize(one, 1, 0.95, &s);
  assert_int_equal(s.n, 1);
  assert_near(s.median, 7, "median");
  assert_near(s.mean, 7, "mean");
  assert_near(s.stddev, 0, "stddev"); /* n - 1 = 0: defined as 0, not NaN */
  assert_near(s.mad, 0, "mad");
  assert_near(s.cv, 0, "cv");
  assert_near(s.min, 7, "min");
  assert_near(s.max, 7, "max");
  assert_near(s.ci_lo, 7, "ci_lo");
  assert_near(s.ci_hi, 7, "ci_hi");
  assert_near(s.ci_level, 0, "ci_level"); /* 1 - 2 * (1/2) */

  memset(&s, 0x55, sizeof(s));
  cb_summarize(none, 0, 0.95, &s);
  assert_int_equal(s.n, 0);
  assert_true(s.median == 0 && s.mean == 0 && s.stddev == 0 && s.mad == 0 && s.cv == 0);
  assert_true(s.min == 0 && s.max == 0 && s.ci_lo == 0 && s.ci_hi == 0 && s.ci_level == 0);
  assert_near(none[0], 42, "untouched sample");
}

static void test_summarize_zero_mean(void **state)
{
  double v[] = { -1, 1 };
  cb_summary_t s;

  (void)state;
  cb_summarize(v, 2, 0.95, &s);
  assert_near(s.mean, 0, "mean");
  assert_near(s.stddev, sqrt(2.0), "stddev");
  assert_near(s.cv, 0, "cv"); /* documented: 0 when the mean is 0 */
}

/* ---- cb_percentile_u64 ---- */

static void test_percentile_type7(void **state)
{
  uint64_t v[] = { 40, 10, 30, 20 };
  uint64_t one[] = { 5 };

  (void)state;
  /* Type 7: position q (n - 1) between closest ranks of 10 20 30 40. */
  assert_near(cb_percentile_u64(v, 4, 0), 10, "q0");
  assert_near(cb_percentile_u64(v, 4, 0.25), 17.5, "q.25"); /* pos 0.75 */
  assert_near(cb_percentile_u64(v, 4, 0.5), 25, "q.5");     /* pos 1.5 */
  assert_near(cb_percentile_u64(v, 4, 0.99), 39.7, "q.99"); /* pos 2.97 */
  assert_near(cb_percentile_u64(v, 4, 1), 40, "q1");
  assert_near(cb_percentile_u64(v, 4, 2.0 / 3), 30, "q2/3"); /* pos 2: a sample */
  assert_true(v[0] == 10 && v[3] == 40); /* sorted in place */
  assert_near(cb_percentile_u64(one, 1, 0.99), 5, "n=1");
  assert_near(cb_percentile_u64(one, 0, 0.5), 0, "n=0");
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
  assert_near(point, 6.0 / 4, "point of v / 4");
  assert_near(lo, 3.0 / 4, "2.5% bound of v / 4");
  assert_near(hi, 9.0 / 4, "97.5% bound of v / 4");
  point = cb_bootstrap_ratio(four, 3, v, 11, 0.80, 20000, 2, &lo, &hi);
  assert_near(point, 6.0 / 4, "point of v / 4 at 80%");
  assert_near(lo, 4.0 / 4, "10% bound of v / 4");
  assert_near(hi, 8.0 / 4, "90% bound of v / 4");
  /* x varies, y constant 6: 6 / v, so the low bound comes from the high
   * quantile of the median of x */
  point = cb_bootstrap_ratio(v, 11, six, 3, 0.95, 20000, 3, &lo, &hi);
  assert_near(point, 1, "point of 6 / v");
  assert_near(lo, 6.0 / 9, "2.5% bound of 6 / v");
  assert_near(hi, 6.0 / 3, "97.5% bound of 6 / v");
  /* constants: the interval is the point */
  point = cb_bootstrap_ratio(four, 3, six, 3, 0.95, 500, 4, &lo, &hi);
  assert_near(point, 1.5, "point of 6 / 4");
  assert_near(lo, 1.5, "low bound of 6 / 4");
  assert_near(hi, 1.5, "high bound of 6 / 4");
  point = cb_bootstrap_ratio(a, 1, b, 1, 0.95, 100, 5, &lo, &hi);
  assert_near(point, 2.5, "one value each: point");
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

/* ---- cb_table_parse ---- */

static void parse_ok(const char *text, cb_table_t *t)
{
  char err[256] = "";
  int rc = cb_table_parse(text, strlen(text), t, err, sizeof(err));

  if (rc != 0)
    fail_msg("cb_table_parse: %d (%s) for:\n%s", rc, err, text);
}

static void parse_bad(const char *text, const char *want)
{
  char err[256] = "";
  cb_table_t t;
  int rc = cb_table_parse(text, strlen(text), &t, err, sizeof(err));

  if (rc != -EINVAL)
    fail_msg("cb_table_parse = %d, expected -EINVAL for:\n%s", rc, text);
  if (strstr(err, want) == NULL)
    fail_msg("error '%s' does not contain '%s'", err, want);
  assert_null(t.cells);
  assert_int_equal(t.rows, 0);
}

static void test_table_errors_name_the_line(void **state)
{
  (void)state;
  parse_bad("a,b\n1,2\n3\n", "line 3: 1 fields, the header has 2");
  parse_bad("a,b\n1,2\n3,4,5\n", "line 3: 3 fields");
  parse_bad("a,b\n1,\"x\n", "line 2: a quoted field is not closed");
  parse_bad("a,b\n1,2\n\"x\"y,2\n", "line 3: text after a closing quote");
  parse_bad("a,b\n1,x\"y\n", "line 2: a quote inside an unquoted field");
  /* A quoted field spanning lines: the error after it names the right line. */
  parse_bad("a,b\n\"1\n2\",3\n4\n", "line 4: 1 fields");
  parse_bad("", "empty");
}

static void test_table_quoting(void **state)
{
  cb_table_t t;

  (void)state;
  parse_ok("name,text\n\"x,y\",\"he said \"\"hi\"\"\nbye\"\n\"\",plain\n", &t);
  assert_int_equal(t.rows, 3);
  assert_int_equal(t.cols, 2);
  assert_string_equal(cb_table_get(&t, 0, 1), "text");
  assert_string_equal(cb_table_get(&t, 1, 0), "x,y");
  assert_string_equal(cb_table_get(&t, 1, 1), "he said \"hi\"\nbye");
  assert_string_equal(cb_table_get(&t, 2, 0), "");
  assert_string_equal(cb_table_get(&t, 2, 1), "plain");
  /* The record after a two-line field starts on line 4. */
  assert_int_equal(t.line[1], 2);
  assert_int_equal(t.line[2], 4);
  assert_int_equal(cb_table_col(&t, "text"), 1);
  assert_int_equal(cb_table_col(&t, "nosuch"), -1);
  cb_table_free(&t);
}

static void test_table_crlf_and_ends(void **state)
{
  cb_table_t t;

  (void)state;
  parse_ok("a,b\r\n1,\"2\"\r\n3,4\r\n", &t);
  assert_int_equal(t.rows, 3);
  assert_string_equal(cb_table_get(&t, 1, 0), "1");
  assert_string_equal(cb_table_get(&t, 1, 1), "2");
  assert_string_equal(cb_table_get(&t, 2, 1), "4"); /* no '\r' left on it */
  assert_int_equal(t.line[2], 3);
  cb_table_free(&t);

  /* No final newline; a trailing comma is one more (empty) field. */
  parse_ok("a,b\n1,", &t);
  assert_int_equal(t.rows, 2);
  assert_string_equal(cb_table_get(&t, 1, 0), "1");
  assert_string_equal(cb_table_get(&t, 1, 1), "");
  cb_table_free(&t);
}

/* ---- cells and flags ---- */

static const char header[] = "host,workload,runner,transport,pin,concurrency,tasks,size,payload,"
                             "rep,wall_s,throughput,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,"
                             "status\n";

static void add_row(cb_buf_t *b, const char *wl, unsigned c, double wall, double tp,
                    const char *status)
{
  cb_buf_printf(b, "h,%s,threads,inproc,compact,%u,100,10,0,0,%.17g,%.17g,1,2,0.1,0.01,1000,%s\n",
                wl, c, wall, tp, status);
}

static void build_cells(const cb_buf_t *b, cb_table_t *t, cb_cells_t *cells)
{
  assert_false(b->failed);
  cbt_cells_parse(b->data, b->len, t, cells);
}

static size_t find_cell(const cb_cells_t *cells, const char *wl)
{
  size_t c;

  for (c = 0; c < cells->n; c++) {
    if (strcmp(cb_cell_key(cells, c, "workload"), wl) == 0)
      return c;
  }
  fail_msg("no cell for %s", wl);
  return 0;
}

static void test_flags(void **state)
{
  static const double calm[] = { 100, 101, 99, 100, 100 };
  static const double noisy[] = { 100, 120, 80, 100, 130, 70 }; /* cv 22.8%, within +-50% */
  static const struct {
    const char *wl;
    unsigned flags;
  } want[] = {
    { "calm", 0 },
    { "noisy", CB_FLAG_HIGH_CV },
    { "outlier", CB_FLAG_OUTLIER },
    { "short", CB_FLAG_SHORT },
    { "failures", CB_FLAG_FAILURES },
    { "nodata", CB_FLAG_FAILURES | CB_FLAG_NO_DATA },
  };
  cb_buf_t b = { 0 };
  cb_table_t t;
  cb_cells_t cells;
  char text[96];
  size_t i;

  (void)state;
  cb_buf_printf(&b, "%s", header);
  for (i = 0; i < ARRAY_SIZE(calm); i++)
    add_row(&b, "calm", 1, 0.1, calm[i], "ok");
  for (i = 0; i < ARRAY_SIZE(noisy); i++)
    add_row(&b, "noisy", 1, 0.1, noisy[i], "ok");
  /* 39 x 100 and one 155: more than 50% above the median, yet the cv is
   * 8.6%, under the 10% of high-cv. */
  for (i = 0; i < 40; i++)
    add_row(&b, "outlier", 1, 0.1, i == 17 ? 155 : 100, "ok");
  for (i = 0; i < 5; i++)
    add_row(&b, "short", 1, 0.001, 100, "ok");
  for (i = 0; i < 4; i++)
    add_row(&b, "failures", 1, i == 2 ? 0 : 0.1, i == 2 ? 0 : 100, i == 2 ? "crashed" : "ok");
  for (i = 0; i < 2; i++)
    add_row(&b, "nodata", 1, 0, 0, i ? "timeout" : "crashed");
  build_cells(&b, &t, &cells);
  assert_int_equal(cells.n, ARRAY_SIZE(want));
  for (i = 0; i < ARRAY_SIZE(want); i++) {
    size_t c = find_cell(&cells, want[i].wl);
    if (cells.cell[c].flags != want[i].flags)
      fail_msg("%s: flags %#x, expected %#x", want[i].wl, cells.cell[c].flags, want[i].flags);
  }
  i = find_cell(&cells, "failures");
  assert_int_equal(cells.cell[i].nrows, 4);
  assert_int_equal(cells.cell[i].n_ok, 3);
  assert_near(cells.cell[i].m[CB_M_throughput].median, 100, "median of the ok trials");
  i = find_cell(&cells, "nodata");
  assert_int_equal(cells.cell[i].n_ok, 0);
  {
    FILE *null = fopen("/dev/null", "we");
    assert_non_null(null);
    assert_int_equal(cb_cells_warn(&cells, null), ARRAY_SIZE(want) - 1); /* all but calm */
    fclose(null);
  }
  cb_flags_text(CB_FLAG_HIGH_CV | CB_FLAG_SHORT | CB_FLAG_NO_DATA, text, sizeof(text));
  assert_string_equal(text, "high-cv;short;no-data");
  cb_flags_text(0, text, sizeof(text));
  assert_string_equal(text, "");
  cb_cells_free(&cells);
  cb_table_free(&t);
  cb_buf_free(&b);
}

static void test_cells_group_in_first_appearance_order(void **state)
{
  cb_buf_t b = { 0 };
  cb_table_t t;
  cb_cells_t cells;
  double *v;
  size_t n;

  (void)state;
  cb_buf_printf(&b, "%s", header);
  /* Interleaved: zeta first, then alpha, then zeta at c = 2 (another cell
   * though the same workload), so neither key order nor row order alone
   * gives the cells. */
  add_row(&b, "zeta", 1, 0.1, 10, "ok");   /* row 1 */
  add_row(&b, "alpha", 1, 0.1, 7, "ok");   /* row 2 */
  add_row(&b, "zeta", 2, 0.1, 50, "ok");   /* row 3 */
  add_row(&b, "zeta", 1, 0.1, 30, "ok");   /* row 4 */
  add_row(&b, "alpha", 1, 0.1, 9, "ok");   /* row 5 */
  add_row(&b, "zeta", 1, 0.1, 20, "ok");   /* row 6 */
  add_row(&b, "alpha", 1, 0.1, 0, "wrong"); /* row 7: not in the statistics */
  build_cells(&b, &t, &cells);
  assert_int_equal(cells.n, 3);
  assert_string_equal(cb_cell_key(&cells, 0, "workload"), "zeta");
  assert_string_equal(cb_cell_key(&cells, 0, "concurrency"), "1");
  assert_string_equal(cb_cell_key(&cells, 1, "workload"), "alpha");
  assert_string_equal(cb_cell_key(&cells, 2, "workload"), "zeta");
  assert_string_equal(cb_cell_key(&cells, 2, "concurrency"), "2");
  assert_int_equal(cells.cell[0].nrows, 3);
  assert_int_equal(cells.cell[0].rows[0], 1);
  assert_int_equal(cells.cell[0].rows[1], 4);
  assert_int_equal(cells.cell[0].rows[2], 6);
  assert_int_equal(cells.cell[0].n_ok, 3);
  assert_near(cells.cell[0].m[CB_M_throughput].median, 20, "zeta c=1 median");
  assert_near(cells.cell[0].m[CB_M_throughput].mean, 20, "zeta c=1 mean");
  assert_int_equal(cells.cell[1].nrows, 3);
  assert_int_equal(cells.cell[1].n_ok, 2);
  assert_near(cells.cell[1].m[CB_M_throughput].median, 8, "alpha median"); /* (7 + 9) / 2 */
  assert_int_equal(cells.cell[2].n_ok, 1);
  assert_near(cells.cell[2].m[CB_M_throughput].median, 50, "zeta c=2 median");
  /* The samples in row order, ok rows only. */
  v = cb_cell_samples(&cells, 0, "throughput", &n);
  assert_non_null(v);
  assert_int_equal(n, 3);
  assert_true(v[0] == 10 && v[1] == 30 && v[2] == 20);
  free(v);
  cb_cells_free(&cells);
  cb_table_free(&t);
  cb_buf_free(&b);
}

static void test_cells_sort_reading_order(void **state)
{
  cb_buf_t b = { 0 };
  cb_table_t t;
  cb_cells_t cells;

  (void)state;
  cb_buf_printf(&b, "%s", header);
  add_row(&b, "io.sleep", 2, 0.1, 1, "ok");
  add_row(&b, "cpu.hash", 16, 0.1, 1, "ok");
  add_row(&b, "zzz.unknown", 1, 0.1, 1, "ok");
  add_row(&b, "cpu.hash", 2, 0.1, 1, "ok");
  add_row(&b, "noop", 1, 0.1, 1, "ok");
  build_cells(&b, &t, &cells);
  cb_cells_sort(&cells);
  assert_int_equal(cells.n, 5);
  /* Registry order (noop, cpu.hash, ..., io.sleep), unknown names last;
   * concurrency as a number, so 2 before 16. */
  assert_string_equal(cb_cell_key(&cells, 0, "workload"), "noop");
  assert_string_equal(cb_cell_key(&cells, 1, "workload"), "cpu.hash");
  assert_string_equal(cb_cell_key(&cells, 1, "concurrency"), "2");
  assert_string_equal(cb_cell_key(&cells, 2, "concurrency"), "16");
  assert_string_equal(cb_cell_key(&cells, 3, "workload"), "io.sleep");
  assert_string_equal(cb_cell_key(&cells, 4, "workload"), "zzz.unknown");
  cb_cells_free(&cells);
  cb_table_free(&t);
  cb_buf_free(&b);
}

static void test_cells_errors(void **state)
{
  cb_buf_t b = { 0 };
  cb_table_t t;
  cb_cells_t cells;
  char err[256] = "";

  (void)state;
  parse_ok("host,workload\nh,w\n", &t);
  assert_int_equal(cb_cells_build(&t, &cells, err, sizeof(err)), -EINVAL);
  assert_non_null(strstr(err, "missing column"));
  cb_table_free(&t);

  cb_buf_printf(&b, "%s", header);
  add_row(&b, "w", 1, 0.1, 10, "ok");
  cb_buf_printf(&b, "h,w,threads,inproc,compact,1,100,10,0,1,0.1,fast,1,2,0.1,0.01,1000,ok\n");
  parse_ok(b.data, &t);
  assert_int_equal(cb_cells_build(&t, &cells, err, sizeof(err)), -EINVAL);
  if (strstr(err, "line 3") == NULL || strstr(err, "'fast'") == NULL)
    fail_msg("error '%s' should name line 3 and 'fast'", err);
  cb_table_free(&t);
  cb_buf_free(&b);
}

/* ---- cb_schedule ---- */

static void check_schedule(size_t ncells, uint64_t warmup, uint64_t reps, uint64_t seed)
{
  size_t n = 12345, i, *warm, *rec;
  cb_slot_t *s = cb_schedule(ncells, warmup, reps, seed, &n);
  unsigned char *seen = calloc(ncells * reps + 1, 1);

  assert_non_null(s);
  assert_int_equal(n, ncells * (warmup + reps));
  warm = calloc(ncells + 1, sizeof(*warm));
  rec = calloc(ncells + 1, sizeof(*rec));
  assert_non_null(warm);
  assert_non_null(rec);
  for (i = 0; i < n; i++) {
    assert_true(s[i].cell < ncells);
    if (s[i].rep < 0) {
      /* A warm-up: of a cell not yet recorded, and (with recorded trials)
       * followed by its cell's other warm-ups and then its first recorded
       * trial, nothing else between. */
      if (rec[s[i].cell] > 0)
        fail_msg("slot %zu of %zu: a warm-up of cell %zu after its recorded trials began", i,
                 n, s[i].cell);
      if (reps > 0 && (i + 1 >= n || s[i + 1].cell != s[i].cell))
        fail_msg("slot %zu of %zu: cell %zu's warm-up not followed by its cell", i, n,
                 s[i].cell);
      warm[s[i].cell]++;
    } else {
      if ((uint64_t)s[i].rep >= reps)
        fail_msg("slot %zu: rep %ld of %llu", i, s[i].rep, (unsigned long long)reps);
      if (rec[s[i].cell] == 0 && warm[s[i].cell] != warmup)
        fail_msg("slot %zu: cell %zu recorded after %zu of its %llu warm-ups", i, s[i].cell,
                 warm[s[i].cell], (unsigned long long)warmup);
      /* each (cell, rep) once: a bit per rep of the cell */
      if (seen[s[i].cell * reps + (size_t)s[i].rep]++)
        fail_msg("cell %zu rep %ld scheduled twice", s[i].cell, s[i].rep);
      rec[s[i].cell]++;
    }
  }
  for (i = 0; i < ncells; i++) {
    if (warm[i] != warmup || rec[i] != reps)
      fail_msg("cell %zu: %zu warm-ups and %zu recorded, expected %llu and %llu", i, warm[i],
               rec[i], (unsigned long long)warmup, (unsigned long long)reps);
  }
  /* An interrupted run keeps what it measured: the first recorded trial
   * comes right after the first cell's warm-ups, not after every cell's. */
  if (ncells > 0 && reps > 0)
    assert_true(s[warmup].rep >= 0);
  free(seen);
  free(warm);
  free(rec);
  free(s);
}

static int same_order(const cb_slot_t *a, const cb_slot_t *b, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    if (a[i].cell != b[i].cell || a[i].rep != b[i].rep)
      return 0;
  }
  return 1;
}

static void test_schedule_complete(void **state)
{
  (void)state;
  check_schedule(1, 1, 1, 1);
  check_schedule(7, 2, 5, 42);
  check_schedule(50, 1, 10, 3);
  check_schedule(13, 0, 3, 9);
  check_schedule(5, 3, 1, 0);
  check_schedule(0, 1, 5, 1);
}

static void test_schedule_seeded(void **state)
{
  size_t n1, n2, n3, n4, i, sorted = 1;
  cb_slot_t *a = cb_schedule(40, 1, 10, 7, &n1);
  cb_slot_t *b = cb_schedule(40, 1, 10, 7, &n2);
  cb_slot_t *c = cb_schedule(40, 1, 10, 8, &n3);
  cb_slot_t *w = cb_schedule(40, 2, 0, 7, &n4);

  (void)state;
  assert_non_null(a);
  assert_non_null(b);
  assert_non_null(c);
  assert_non_null(w);
  assert_int_equal(n1, 440);
  assert_true(n1 == n2 && n1 == n3);
  assert_true(same_order(a, b, n1));
  /* Another seed: another order (the chance that 400!/(10!)^40 orders
   * agree is nil). */
  assert_false(same_order(a, c, n1));
  /* Shuffled at all: the trials are not cell after cell. */
  for (i = 1; i < n1; i++)
    sorted &= a[i - 1].cell <= a[i].cell;
  assert_false(sorted);
  /* Warm-ups alone (--reps 0) are shuffled too. */
  assert_int_equal(n4, 80);
  for (i = 1, sorted = 1; i < n4; i++)
    sorted &= w[i - 1].cell <= w[i].cell && w[i].rep < 0;
  assert_false(sorted);
  free(a);
  free(b);
  free(c);
  free(w);
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
    cmocka_unit_test(test_ci_by_hand),
    cmocka_unit_test(test_ci_brute_force),
    cmocka_unit_test(test_mann_whitney_exact_reference),
    cmocka_unit_test(test_mann_whitney_normal_reference),
    cmocka_unit_test(test_holm_by_hand),
    cmocka_unit_test(test_bootstrap_known),
    cmocka_unit_test(test_table_errors_name_the_line),
    cmocka_unit_test(test_table_quoting),
    cmocka_unit_test(test_table_crlf_and_ends),
    cmocka_unit_test(test_flags),
    cmocka_unit_test(test_cells_group_in_first_appearance_order),
    cmocka_unit_test(test_cells_sort_reading_order),
    cmocka_unit_test(test_cells_errors),
    cmocka_unit_test(test_schedule_complete),
    cmocka_unit_test(test_schedule_seeded),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
