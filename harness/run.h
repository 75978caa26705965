/* The run pipeline (harness/run.c): from a built matrix to the trial CSV.
 * It checks the environment before and after, calibrates each cell's task
 * count to the minimum time (harness/calibrate.h), runs the warm-up and
 * recorded trials of all cells in a seeded random order (so drift on a
 * noisy machine spreads over all runners instead of biasing the one that
 * ran last), adds --max-reps rounds, shows progress, and rewrites the trial
 * CSV when it is a regular file: after the first trial (so a reader sees the
 * run has begun), then at most every 2 s, and at the end, stopped or not (a
 * run killed by SIGKILL leaves a valid CSV up to 2 s behind). What goes wrong on the
 * way is said in one line on stderr as it happens (cb_message, with the
 * command's name) and returned as -errno: the CLI picks the exit code. */
#ifndef CB_RUN_H
#define CB_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "matrix.h"
#include "meta.h"
#include "output.h"
#include "progress.h"

typedef struct cb_run_opts_s {
  const char *cmd;          /* the command in messages ("run") */
  uint64_t reps, warmup;    /* recorded and warm-up trials per cell */
  uint64_t max_reps;        /* adaptive: up to this many recorded trials a cell */
  double target_ci;         /* ... until the median's CI is within this fraction */
  uint64_t min_time_ms;     /* calibration's shortest trial; 0: none */
  uint64_t seed;            /* of the trial order */
  double trial_timeout;     /* seconds */
  double progress_s;        /* a plain progress line every so often; 0: none */
  int quiet;                /* no progress, no notes, no environment warnings */
} cb_run_opts_t;

typedef struct cb_run_s {
  /* Given by the caller. */
  const cb_run_opts_t *o;
  cb_matrix_t *m;
  const cb_topo_t *topo;
  cb_meta_t *meta;
  cb_output_t *csv;              /* a regular file: rewritten after the first trial, then
                                    at most every CB_OUTPUT_REWRITE_NS and at the end */
  const char *csv_name;          /* its name in messages */
  cb_output_t *metadata;         /* X.meta.json, or NULL */
  volatile sig_atomic_t *stop;   /* the signal that asks the run to stop, or 0 */
  /* What the run produced. */
  cb_buf_t csv_text;             /* the whole trial CSV so far */
  size_t rows, not_ok;           /* recorded trials, and those that fail the run */
  size_t rows_written;           /* rows in the CSV file as it is on disk */
  uint64_t last_write;           /* when it was last rewritten (cb_now_ns) */
  /* The run's own. */
  cb_progress_t pg;
  unsigned char *warm_done; /* per cell: warm-ups its calibration ran (0 or 1) */
  double *tp;               /* --max-reps: per cell, max_reps throughputs of ok trials */
  size_t *ntp;              /* how many each cell has */
} cb_run_t;

/* The environment before the run, into meta (env and env_text). 0 after
 * printing its warnings (not when quiet); -EBUSY, printing nothing, when
 * `strict` and there are warnings. */
int cb_run_env_before(const cb_run_opts_t *o, const cb_topo_t *topo, cb_meta_t *meta,
                      int strict);
/* Calibrate the matrix's workloads (cb_matrix_calibrate) and set up r, whose
 * given fields are filled in. 0, or -errno with why (len bytes). */
int cb_run_prepare(cb_run_t *r, char *why, size_t len);
/* The CSV header (written to a regular CSV at once) and the metadata. 0 or
 * -errno (said). */
int cb_run_begin(cb_run_t *r);
/* Calibration, the schedule, --max-reps rounds, then the environment again
 * (into meta->env_end, and the metadata rewritten). 0, -EINTR when stopped,
 * or -errno (said). */
int cb_run_trials(cb_run_t *r);
void cb_run_free(cb_run_t *r);

#endif
