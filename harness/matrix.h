/* The experiment matrix: from what the command line (or a profile) asks for
 * to the list of cells a run executes, each checked against the machine's
 * limits and its workload's largest size before any trial starts, and the
 * expected checksums every trial is verified against (computed once per
 * workload parameters, under supervision, when a trial first needs them). */
#ifndef CB_MATRIX_H
#define CB_MATRIX_H

#include <stdio.h>

#include "profile.h"
#include "trial.h"

typedef struct cb_matrix_opts_s {
  const char *workloads, *runners, *concurrency, *transports, *dispatches, *payloads;
  const char *sizes;           /* a list, like payloads; NULL: per workload */
  const char *procs;           /* --procs: processes of a hybrid, numbers or "pus"; NULL: the
                                  profile entry's, else "pus" */
  const cb_profile_t *profile; /* NULL: workload defaults */
  cb_pin_policy_t pin;
  uint64_t tasks, seed;        /* tasks used when have_tasks */
  int have_tasks;
  unsigned gil_modes;          /* bit 0: cells without the GIL, bit 1: with it; 0 = 1 */
  uint64_t switch_us;          /* the GIL's switch interval */
  int allow_races;             /* run workloads that race on purpose (sync.none) */
} cb_matrix_opts_t;

/* Cells that share their expected checksums: same workload, size, payload
 * and seed. */
typedef struct cb_expect_group_s {
  size_t cell;         /* one of them */
  uint64_t tasks;      /* the most tasks any of them runs */
  int state;           /* 0 not computed yet, 1 computed, 2 failed */
  uint64_t *expected;  /* state 1 */
  cb_trial_t fail;     /* state 2: what a trial of these cells records instead */
} cb_expect_group_t;

typedef struct cb_matrix_s {
  cb_cell_t *cells;
  size_t ncells, cap;
  cb_expect_group_t *group;
  size_t nexpected;
  size_t *expected_of; /* per cell: index into group */
} cb_matrix_t;

/* Build the cells. 0; -EINVAL for bad input, with one line in why (len
 * bytes) that names the bad value or the limit that refuses a cell; or
 * -ENOMEM ("out of memory" in why). */
int cb_matrix_build(const cb_matrix_opts_t *o, const cb_topo_t *topo, cb_matrix_t *m, char *why,
                    size_t len);
/* Calibrate each workload of the matrix that has a `calibrate` (once, in
 * this process) and give the value to all its cells (params.calib), before
 * their expected checksums or any trial. 0, or -errno with *failed naming
 * the workload whose calibration failed. */
int cb_matrix_calibrate(cb_matrix_t *m, const cb_workload_t **failed);
/* Group the cells by their expected checksums (none computed yet). 0 or
 * -ENOMEM. */
int cb_matrix_groups(cb_matrix_t *m);
/* The expected checksums of a cell, computed for its group the first time
 * (cb_trial_expect_supervised, with the trial timeout). 0 with *expected;
 * 1 when they could not be computed, now or before, with *fail (status and
 * message) to record for every trial of the cell; -EINTR when stopped;
 * -errno when no child could be started (*fail's message says why). */
int cb_matrix_expected(cb_matrix_t *m, size_t cell, double timeout_s, volatile const int *stop,
                       const uint64_t **expected, const cb_trial_t **fail);
void cb_matrix_free(cb_matrix_t *m);
/* One trial of a run's schedule: its cell and repetition (-1 for a warm-up).
 * The run numbers a cell's recorded trials in the order they happen. */
typedef struct cb_slot_s {
  size_t cell;
  long rep;
} cb_slot_t;

/* Every trial of a run in its order: the recorded trials of all cells
 * shuffled from the seed alone, each cell's warm-ups just before its first
 * recorded trial (so an interrupted run has recorded something as soon as
 * one cell is through; with no recorded trials, the warm-ups shuffled).
 * malloc'd, *n entries; NULL when out of memory. In harness/schedule.c. */
cb_slot_t *cb_schedule(size_t ncells, uint64_t warmup, uint64_t reps, uint64_t seed, size_t *n);

/* `run --dry-run`: one line per cell. */
void cb_matrix_print(const cb_matrix_t *m, uint64_t reps, uint64_t warmup, FILE *f);

#endif
