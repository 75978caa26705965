/* Statistics of samples: order statistics for latency percentiles and the
 * per-cell summaries. Percentiles interpolate linearly between closest ranks
 * (the "type 7" definition of R and NumPy). The confidence interval of the
 * median is distribution-free: the order statistics x(j) and x(k) around the
 * median such that, by the binomial(n, 1/2) law of how many samples fall
 * below the true median, [x(j), x(k)] covers it with at least the asked
 * probability; with fewer than 6 samples no such pair reaches 95%, and the
 * interval is [min, max] with the coverage it has (e.g. 93.75% for n = 5),
 * which `level` reports. */
#ifndef CB_STATS_H
#define CB_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Type 7 (linear between closest ranks); reorders v in place (a selection,
 * not a sort); q in [0, 1]. Returns 0 for n == 0. */
double cb_percentile_u64(uint64_t *v, size_t n, double q);

typedef struct cb_summary_s {
  size_t n;
  double median, mean, stddev, mad, cv, min, max;
  double ci_lo, ci_hi, ci_level; /* confidence interval of the median */
} cb_summary_t;

/* Sorts v in place. stddev is the sample standard deviation (n - 1), mad the
 * median absolute deviation (unscaled), cv = stddev / mean (0 when mean is
 * 0). All zero for n == 0. */
void cb_summarize(double *v, size_t n, double level, cb_summary_t *s);

/* Indices (0-based, into the sorted sample) of the confidence interval of the
 * median at `level`; *achieved gets the coverage. */
void cb_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi, double *achieved);

/* Two-sided p-value of the Mann-Whitney U test that x and y come from the
 * same distribution: exact (by counting arrangements) when there are no
 * ties and nx * ny <= 2500, else the normal approximation with tie and
 * continuity corrections. 1 when either sample is empty. */
double cb_mann_whitney_p(const double *x, size_t nx, const double *y, size_t ny);

/* The smallest exact two-sided Mann-Whitney p-value of nx against ny
 * samples: 2 / C(nx + ny, nx) (at most 1). No test on so few samples can
 * ever reach a smaller alpha. */
double cb_mw_min_p(size_t nx, size_t ny);

/* Bootstrap confidence interval (percentile method, `rounds` resamples from
 * a generator seeded with `seed`, so it is reproducible) of
 * median(y) / median(x). A resample's median is not found by drawing n
 * values and sorting them: it is drawn from the distribution of that order
 * statistic (a Beta draw picks its rank), which is the same distribution at
 * O(1) per round instead of O(n log n), so that a million trials cost what
 * ten do. Returns the point estimate; *lo and *hi get the
 * bounds at `level`. 0 and [0, 0] when a median of x is 0. */
double cb_bootstrap_ratio(const double *x, size_t nx, const double *y, size_t ny, double level,
                          unsigned rounds, uint64_t seed, double *lo, double *hi);

/* The samples of one comparison: x the base, y the new. */
typedef struct cb_pair_s {
  const double *x, *y;
  size_t nx, ny;
} cb_pair_t;

/* The geometric mean over k comparisons of median(y) / median(x), with a
 * bootstrap confidence interval (percentile method, reproducible from
 * `seed`): each resample draws the medians of every x and y as
 * cb_bootstrap_ratio does and takes the geometric mean of those k ratios,
 * so the interval holds the trials' noise in every comparison. Returns the
 * point estimate; 0 and [0, 0] when k is 0, a sample is empty or a ratio
 * of medians is not positive and finite (the caller leaves such pairs
 * out), or on ENOMEM. */
double cb_bootstrap_geomean(const cb_pair_t *pr, size_t k, double level, unsigned rounds,
                            uint64_t seed, double *lo, double *hi);

/* A series of samples at points x (e.g. a runner's memory at each
 * concurrency): its slope is the least-squares slope of the samples'
 * medians against x. */
typedef struct cb_group_s {
  double x;
  const double *y;
  size_t n;
} cb_group_t;

/* The slope of a series (0 with fewer than two distinct x or an empty
 * group). */
double cb_slope(const cb_group_t *g, size_t k);

/* Bootstrap confidence interval (as cb_bootstrap_ratio: percentile method,
 * reproducible from `seed`) of slope(a), or, when b is not NULL, of
 * slope(b) - slope(a); each resample draws every group's samples with
 * replacement. *p (when not NULL) gets the two-sided bootstrap p-value that
 * the statistic is 0: twice the share of resamples on the far side of 0, at
 * least 1/rounds. Returns the point estimate. */
double cb_bootstrap_slope(const cb_group_t *a, size_t ka, const cb_group_t *b, size_t kb,
                          double level, unsigned rounds, uint64_t seed, double *lo, double *hi,
                          double *p);

/* Holm's step-down adjustment of m p-values, in place. */
void cb_holm(double *p, size_t m);

#endif
