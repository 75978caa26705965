/* fault.error: one task in `size` fails by returning an error (-EIO) instead
 * of its result (tasks size-1, 2*size-1, ...): the C analogue of an exception
 * raised in a Python worker thread. Every runner hands the error back as
 * that task's outcome and goes on with the others, so the trial completes
 * (status ok) with failed = the errored tasks under every model. Beside
 * fault.crash (a fatal signal, which takes down the process it happens in)
 * it answers the folklore "an error only takes down the thread it occurs
 * in": it depends on the kind of failure, and the report shows which. */
#include <errno.h>

#include "workload.h"

static uint64_t error_expect(const cb_task_t *t)
{
  return cb_task_seed(t->p->seed, t->index);
}

static int error_run(const cb_task_t *t, uint64_t *checksum)
{
  if (t->p->size > 0 && t->index % t->p->size == t->p->size - 1)
    return -EIO;
  *checksum = error_expect(t);
  return 0;
}

const cb_workload_t cb_workload_fault_error = {
  .name = "fault.error",
  .description = "one task in size returns an error instead of its result",
  .size_unit = "tasks per error",
  .default_size = 100,
  .max_size = CB_SIZE_UNUSED, /* any period: 0 never fails */
  .default_tasks = 200,
  .run = error_run,
  .expect = error_expect,
  .fails_on_purpose = 1,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(50, 200),
               [CB_PROFILE_STANDARD] = CB_SIZING(100, 400),
               [CB_PROFILE_FULL] = CB_SIZING(100, 1000) },
  .test = CB_SIZING(10, 20),
};
