/* The machine's own noise, measured without concbench in the way: a bare
 * floating-point loop (a 32 x 32 matrix product in the L1 cache, no
 * threads, no processes, no workload code) timed in a few short batches.
 * Its speed should not change from batch to batch; on a shared or
 * virtual machine it does (another tenant on the sibling hyperthread,
 * steal time, frequency steps), and no cell of a run can be steadier than
 * it. The environment check runs it while it watches the other processes
 * (harness/env.h) and warns when its cv is above CB_NOISE_WARN_CV. */
#ifndef CB_NOISE_H
#define CB_NOISE_H

#include <stddef.h>

/* Batches per probe: as many as the quick profile's repetitions. */
#define CB_NOISE_BATCHES 9
/* A cv above this warns: a CPU cell should be this steady. */
#define CB_NOISE_WARN_CV 0.03

/* Times n batches of at least batch_s seconds each: rates[i] is products
 * per second in batch i. */
void cb_noise_measure(double batch_s, size_t n, double *rates);

/* The coefficient of variation of n rates, a summary's cv (cb_summarize:
 * sample standard deviation over the mean; 0 when n < 2 or the mean is
 * 0), and their mean into *mean unless it is NULL. */
double cb_noise_cv(const double *rates, size_t n, double *mean);

#endif
