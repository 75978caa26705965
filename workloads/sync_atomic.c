/* sync.atomic: each update of the shared counter is one atomic increment
 * (atomic_fetch_add, a locked add on x86): no lock to take, but the cache
 * line still travels between the cores that update it. See sync.h. */
#include "sync.h"

static int atomic_run(const cb_task_t *t, uint64_t *checksum)
{
  cb__sync_t *s = t->state;
  uint64_t i;

  for (i = 0; i < t->p->size; i++) {
    atomic_fetch_add(&s->avalue, 1);
    if (i % CB__SYNC_EVERY == CB__SYNC_EVERY - 1)
      cb_gil_checkpoint();
  }
  *checksum = cb__sync_expect(t);
  return 0;
}

const cb_workload_t cb_workload_sync_atomic = {
  .name = "sync.atomic",
  .description = "size updates of a shared counter, each an atomic increment",
  CB__SYNC_COMMON
  .run = atomic_run,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(2000, 100),
               [CB_PROFILE_STANDARD] = CB_SIZING(10000, 200),
               [CB_PROFILE_FULL] = CB_SIZING(10000, 500) },
  .test = CB_SIZING(200, 20),
};
