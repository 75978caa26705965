/* One trial: a cell of the matrix executed once. cb_trial_execute runs it in
 * the calling process (workload setup, placement plan, GIL mode, runner,
 * verification of every task and of the workload's shared state, teardown);
 * cb_trial_supervised runs that in a fresh child process in its
 * own process group under a timeout, so that a crash, a hang or a leak of one
 * trial cannot spoil the next. The outcome is a fixed-size struct so that it
 * can cross the pipe from the trial process unchanged. */
#ifndef CB_TRIAL_H
#define CB_TRIAL_H

#include <stdint.h>

#include "runner.h"
#include "topo.h"
#include "workload.h"

typedef enum cb_status_e {
  CB_ST_OK,
  CB_ST_CRASHED, /* the trial process died of a signal */
  CB_ST_TIMEOUT, /* killed at --trial-timeout */
  CB_ST_WRONG,   /* a checksum did not match, or a task ran twice or never */
  CB_ST_ERROR,   /* the trial could not run (set-up, limits, a task's error) */
  CB_ST_RACY,    /* every task verified, but updates to shared state were lost:
                    the measured outcome of a workload that races on purpose */
} cb_status_t;

const char *cb_status_name(cb_status_t s);

typedef struct cb_cell_s {
  const cb_workload_t *wl;
  const cb_runner_t *rn;
  cb_pin_policy_t pin;
  unsigned concurrency;
  unsigned procs;        /* rn->takes_procs: its processes (cb_procs_split's count at this
                            c, never 0); else 0 */
  const char *transport; /* one of rn->transports; NULL: the first */
  const char *dispatch;  /* one of rn->dispatches; NULL: the first */
  cb_params_t params;
  int gil;               /* GIL mode (include/gil.h) */
  uint64_t switch_us;    /* its switch interval; 0 when gil is 0 */
  int calibrate;         /* its task count may grow to a minimum time (harness/calibrate.h):
                            not given by -t, and not one task per unit of concurrency */
  unsigned long max_concurrency; /* the most this runner and workload can run here */
  const char *limit;     /* the limit that stops it there (harness/capacity.h) */
} cb_cell_t;

typedef struct cb_trial_s {
  cb_status_t status;
  unsigned workers;
  unsigned inflight;     /* tasks that could really be in flight at once */
  unsigned procs;        /* processes that ran tasks */
  unsigned per_proc;     /* tasks in flight per process */
  int inline_tasks;      /* the tasks ran inline on loop threads */
  int pin_wrap;
  int verified;
  double wall_s, startup_s, teardown_s, throughput;
  double lat_p50_us, lat_p99_us, user_s, sys_s;
  uint64_t vcsw, ivcsw, maxrss_kb, failed, wrong;
  uint64_t lost;         /* updates of shared state lost (cb_workload_t.verify) */
  uint64_t gil_switches; /* hand-offs of the trial process's GIL (cb_gil_switches) */
  char msg[160];
} cb_trial_t;

/* The checksum each of the first `tasks` tasks of the cell must produce
 * (malloc'd), computed serially once and shared by every cell with the same
 * workload parameters: a task's checksum does not depend on how many tasks
 * there are. When the workload's result is its output bytes (writes_out)
 * and the cell has a payload, each task has two entries, its checksum and
 * the digest of its output bytes (cb_out_digest): cb_trial_stride
 * says which. */
int cb_trial_expected(const cb_cell_t *cell, uint64_t tasks, uint64_t **out);

/* Entries per task in the cell's expected values: 1, or 2 with digests. */
unsigned cb_trial_stride(const cb_cell_t *cell);

/* The same, computed in a supervised child (its own process group, killed
 * at timeout_s or as soon as *stop is non-zero) into a shared mapping: the
 * coordinator never runs workload code itself. 0 with *out set (free it with
 * cb_trial_expect_free); 1 when the computation failed, with *fail saying
 * how as a trial would (status timeout, crashed or error, and a message);
 * -EINTR when stopped; -errno when it could not be started (fail->msg says
 * why). */
int cb_trial_expect_supervised(const cb_cell_t *cell, uint64_t tasks, double timeout_s,
                               volatile const int *stop, uint64_t **out, cb_trial_t *fail);
void cb_trial_expect_free(const cb_cell_t *cell, uint64_t *expected, uint64_t tasks);

/* Scratch directories are named concbench-PID-XXXXXX in $TMPDIR (else
 * /tmp). cb_scratch_check makes one and removes it: 0, or -errno with `why`
 * naming the directory and the cause. cb_scratch_sweep removes those whose
 * owner no longer runs (a coordinator killed with SIGKILL) and that belong
 * to this user; returns how many. */
int cb_scratch_check(char *why, size_t len);
size_t cb_scratch_sweep(void);

/* Run the trial here (in a scratch directory of its own unless
 * cell->params.scratch is set). `expected` may be NULL for a calibration
 * trial (harness/calibrate.h), which is timed but never recorded: its
 * checksums are not checked. Fills *out in every case; returns 0, or
 * -errno when the trial could not run (out->status is then CB_ST_ERROR). */
int cb_trial_execute(const cb_cell_t *cell, const cb_topo_t *topo,
                     const uint64_t *expected, cb_trial_t *out);

/* Run the trial in a supervised child. Returns 0 with *out filled (whatever
 * the trial's status), -EINTR when `*stop` became non-zero (the trial was
 * killed and is not recorded), or -errno when no child could be started
 * (out->msg then names the step and the cause: scratch directory, pipe,
 * fork). */
int cb_trial_supervised(const cb_cell_t *cell, const cb_topo_t *topo,
                        const uint64_t *expected, double timeout_s,
                        volatile const int *stop, cb_trial_t *out);

#endif
