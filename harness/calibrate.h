/* Calibration: how many tasks a cell's trial needs so that its task phase
 * lasts at least a minimum time (`run --min-time`), found before the cell's
 * warm-up the way Google Benchmark finds its iteration count: run a trial,
 * and while it is too short, run again with the count scaled by what was
 * missing (×10 at most per step). Calibration trials run under the same
 * supervision as every trial, but are timed only: their checksums are not
 * checked and they are never recorded. A trial that ran at the chosen count
 * stands in for the cell's first warm-up (`run` then skips that one). */
#ifndef CB_CALIBRATE_H
#define CB_CALIBRATE_H

#include <stddef.h>
#include <stdint.h>

#include "trial.h"

/* The most tasks calibration gives a trial: each task has a 64-byte result
 * slot in the trial's shared mapping (128 MiB at this count). */
#define CB_CALIB_MAX_TASKS (UINT64_C(1) << 21)
/* Calibration trials per cell at most. */
#define CB_CALIB_MAX_STEPS 6

/* The count to try after a trial of `tasks` tasks whose task phase lasted
 * wall_s, to reach min_s: `tasks` itself when it did (or when `tasks` is
 * already `cap`); else tasks × 1.2 × min_s / wall_s (the 1.2 keeps noisy
 * trials above the minimum), ×10 when the trial lasted under a tenth of
 * min_s (or nothing measurable), always more than `tasks`, never above
 * `cap`. */
uint64_t cb_calib_next(uint64_t tasks, double wall_s, double min_s, uint64_t cap);

/* Adaptive repetitions (`run --max-reps`): 1 when the 95% confidence
 * interval of the median of v[0..n) (harness/stats.h; it needs 6 samples to
 * reach 95%) lies within ±target (a fraction) of the median, else 0. */
int cb_median_ci_within(const double *v, size_t n, double target);

typedef struct cb_calib_s {
  uint64_t tasks;   /* the count chosen (the cell's count when not calibrated) */
  unsigned trials;  /* calibration trials run */
  double wall_s;    /* task phase of the last one that ran at `tasks` */
  int reached;      /* that trial lasted min_s at least */
  int warm;         /* a trial ran at `tasks`: it counts as a warm-up */
  char why[160];    /* why not reached: a trial that was not ok, the cap */
} cb_calib_t;

/* Calibrate one cell: on return cell->params.tasks is the count chosen,
 * never below the one it had. A calibration trial that is not ok (a crash
 * of a workload that fails on purpose, a timeout) ends it at the last count
 * that ran ok. 0; -EINTR when *stop became non-zero; -errno when no trial
 * could be started (out->why says why). */
int cb_calibrate(cb_cell_t *cell, const cb_topo_t *topo, double min_s, double timeout_s,
                 volatile const int *stop, cb_calib_t *out);

#endif
