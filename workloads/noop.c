/* noop: an empty task. All a trial of noop measures is what the runner itself
 * costs per task: handing it out, running nothing, bringing the result back.
 * There is no asynchronous form on purpose: under the event loop it runs
 * inline, one task per loop turn, which is the loop's own per-task cost. */
#include "workload.h"

static uint64_t noop_expect(const cb_task_t *t)
{
  return cb_task_seed(t->p->seed, t->index);
}

static int noop_run(const cb_task_t *t, uint64_t *checksum)
{
  *checksum = noop_expect(t);
  return 0;
}

const cb_workload_t cb_workload_noop = {
  .name = "noop",
  .description = "an empty task: the runner's own cost per task",
  .size_unit = "none",
  .default_size = 0,
  .max_size = CB_SIZE_UNUSED,
  .default_tasks = 20000,
  .run = noop_run,
  .expect = noop_expect,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(0, 100000),
               [CB_PROFILE_STANDARD] = CB_SIZING(0, 100000),
               [CB_PROFILE_FULL] = CB_SIZING(0, 200000) },
  .test = CB_SIZING(0, 40),
};
