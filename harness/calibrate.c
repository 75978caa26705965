/* Calibration of a cell's task count; see calibrate.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "calibrate.h"
#include "stats.h"

int cb_median_ci_within(const double *v, size_t n, double target)
{
  cb_summary_t s;
  double *copy;
  int ok;

  if (n < 6 || (copy = malloc(n * sizeof(*copy))) == NULL)
    return 0;
  memcpy(copy, v, n * sizeof(*copy));
  cb_summarize(copy, n, 0.95, &s);
  free(copy);
  ok = s.ci_level >= 0.95 && s.median > 0 && s.median - s.ci_lo <= target * s.median &&
       s.ci_hi - s.median <= target * s.median;
  return ok;
}

uint64_t cb_calib_next(uint64_t tasks, double wall_s, double min_s, uint64_t cap)
{
  double mult, want;

  if (wall_s >= min_s || tasks >= cap)
    return tasks;
  mult = wall_s > min_s / 10 ? 1.2 * min_s / wall_s : 10;
  want = ceil((double)tasks * mult);
  if (want >= (double)cap)
    return cap;
  return (uint64_t)want > tasks ? (uint64_t)want : tasks + 1;
}

/* What a calibration trial that did not finish right says. */
static int usable(const cb_cell_t *cell, const cb_trial_t *t)
{
  return t->status == CB_ST_OK || (t->status == CB_ST_RACY && cell->wl->racy);
}

int cb_calibrate(cb_cell_t *cell, const cb_topo_t *topo, double min_s, double timeout_s,
                 volatile const int *stop, cb_calib_t *out)
{
  uint64_t good = cell->params.tasks, next = good;
  cb_trial_t t;
  int err = 0;

  memset(out, 0, sizeof(*out));
  memset(&t, 0, sizeof(t));
  while (out->trials < CB_CALIB_MAX_STEPS) {
    out->trials++;
    cell->params.tasks = next;
    err = cb_trial_supervised(cell, topo, NULL, timeout_s, stop, &t);
    if (err != 0) {
      snprintf(out->why, sizeof(out->why), "%s", t.msg);
      break;
    }
    if (!usable(cell, &t)) {
      snprintf(out->why, sizeof(out->why), "a trial of %llu tasks: %s: %.100s",
               (unsigned long long)next, cb_status_name(t.status), t.msg);
      break;
    }
    good = next;
    out->wall_s = t.wall_s;
    out->warm = 1;
    next = cb_calib_next(good, t.wall_s, min_s, CB_CALIB_MAX_TASKS);
    if (next == good)
      break;
  }
  out->reached = out->warm && out->wall_s >= min_s;
  if (!out->reached && out->why[0] == '\0')
    snprintf(out->why, sizeof(out->why), "%llu tasks last %.3g ms (%s)",
             (unsigned long long)good, out->wall_s * 1e3,
             good >= CB_CALIB_MAX_TASKS ? "the most calibration gives" : "after the last step");
  /* A count that never ran ok is not the cell's: the last one that did. */
  cell->params.tasks = good;
  out->tasks = good;
  return err;
}
