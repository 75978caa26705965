/* fault.crash: one task in `size` crashes its worker with SIGSEGV (tasks
 * size-1, 2*size-1, ...). A process pool notices the dead worker, counts the
 * task as failed, replaces the worker and completes the rest (status ok,
 * failed >= 1, verified). Under threads, serial and the event loop the signal
 * takes down the whole trial process: status crashed. That is the folklore "a
 * crash takes down a thread pool but not a process pool", measured; for this
 * family `crashed` is a result, not a failure of the run. */
#include <signal.h>

#include "workload.h"

static uint64_t crash_expect(const cb_task_t *t)
{
  return cb_task_seed(t->p->seed, t->index);
}

static int crash_run(const cb_task_t *t, uint64_t *checksum)
{
  if (t->p->size > 0 && t->index % t->p->size == t->p->size - 1)
    raise(SIGSEGV);
  *checksum = crash_expect(t);
  return 0;
}

const cb_workload_t cb_workload_fault_crash = {
  .name = "fault.crash",
  .description = "one task in size crashes its worker with SIGSEGV",
  .size_unit = "tasks per crash",
  .default_size = 100,
  .max_size = CB_SIZE_UNUSED, /* any period: 0 never crashes */
  .default_tasks = 200,
  .run = crash_run,
  .fails_on_purpose = 1,
  .expect = crash_expect,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(50, 200),
               [CB_PROFILE_STANDARD] = CB_SIZING(100, 400),
               [CB_PROFILE_FULL] = CB_SIZING(100, 1000) },
  .test = CB_SIZING(10, 20),
};
