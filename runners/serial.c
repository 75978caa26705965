/* The serial runner: the trial process runs every task itself, one after the
 * other. It is the baseline every speedup is measured against, so it does
 * nothing a concurrent runner would not also have to do. */
#include <sys/resource.h>

#include "runner.h"

static unsigned serial_workers(unsigned c, unsigned pus)
{
  CB_UNUSED(c);
  CB_UNUSED(pus);
  return 1;
}

static int serial_run(cb_exec_t *x)
{
  cb__ru_t ru0, ru1;
  uint64_t t0, i;
  int err;

  x->workers = 1;
  t0 = cb_now_ns();
  err = cb__worker_enter(x, "serial", 0);
  x->startup_ns = cb_now_ns() - t0;
  if (err != 0)
    return err;

  cb__ru_sample(RUSAGE_THREAD, &ru0);
  t0 = cb_now_ns();
  for (i = 0; i < x->params->tasks; i++)
    cb__run_one(x, i);
  x->wall_ns = cb_now_ns() - t0;
  cb__ru_sample(RUSAGE_THREAD, &ru1);

  cb__ru_accumulate(&x->usage, &ru0, &ru1);
  x->usage.mem_kb = cb__mem_peak_kb();
  return 0;
}

const cb_runner_t cb_runner_serial = {
  .name = "serial",
  .description = "the trial process runs every task itself, one at a time (the baseline)",
  .transport = "inproc",
  .workers = serial_workers,
  .run = serial_run,
};
