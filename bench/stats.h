/* Order statistics used by the trial (latency percentiles) and, later, by the
 * summaries. Percentiles interpolate linearly between closest ranks (the
 * "type 7" definition of R and NumPy), so small samples give stable values. */
#ifndef CB_STATS_H
#define CB_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Sorts v in place; q in [0, 1]. Returns 0 for n == 0. */
double cb_percentile_u64(uint64_t *v, size_t n, double q);

#endif
