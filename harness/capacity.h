/* The machine's limits on how much concurrency a cell can have: processes
 * and threads (RLIMIT_NPROC, kernel.threads-max, kernel.pid_max), file
 * descriptors (RLIMIT_NOFILE) and ephemeral ports. What a cell needs comes
 * from traits, never names: the runner's workers for c and the descriptors
 * its coordinator holds per worker, the workload's descriptors and ports per
 * task. A run refuses a cell that exceeds a limit before any trial (failing
 * half way helps nobody), and records for every cell how far its runner
 * could go with its workload here and which limit stops it: the answer to
 * "how many workers can I have". */
#ifndef CB_CAPACITY_H
#define CB_CAPACITY_H

#include <stddef.h>

#include "trial.h"

typedef struct cb_limit_s {
  const char *name;        /* e.g. "RLIMIT_NOFILE (ulimit -n)" */
  const char *what;        /* e.g. "file descriptors" */
  unsigned long long need, have;
} cb_limit_t;

/* 0 when the cell fits the machine's limits, else -E2BIG with *why set to
 * the first limit it exceeds. */
int cb_capacity_check(const cb_cell_t *c, unsigned pus, cb_limit_t *why);

/* The largest concurrency the cell's runner and workload can run here (up
 * to `cap`), and the name of the limit that stops it there (cap reached:
 * "--"). */
unsigned long cb_capacity_max(const cb_cell_t *c, unsigned pus, unsigned long cap,
                            const char **limit);

#endif
