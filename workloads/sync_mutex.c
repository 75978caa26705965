/* sync.mutex: each update of the shared counter takes and releases one
 * mutex (pthread_mutex_t, process-shared), like `with lock: n += 1` around a
 * threading.Lock. See sync.h for what all sync.* workloads share. */
#include "sync.h"

static int mutex_run(const cb_task_t *t, uint64_t *checksum)
{
  cb__sync_t *s = t->state;
  uint64_t i;
  int err;

  for (i = 0; i < t->p->size; i++) {
    err = cb__sync_lock(&s->mutex);
    if (err != 0)
      return err;
    s->value++;
    pthread_mutex_unlock(&s->mutex);
    if (i % CB__SYNC_EVERY == CB__SYNC_EVERY - 1)
      cb_gil_checkpoint();
  }
  *checksum = cb__sync_expect(t);
  return 0;
}

const cb_workload_t cb_workload_sync_mutex = {
  .name = "sync.mutex",
  .description = "size updates of a shared counter, each under a mutex",
  CB__SYNC_COMMON
  .run = mutex_run,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(2000, 100),
               [CB_PROFILE_STANDARD] = CB_SIZING(10000, 200),
               [CB_PROFILE_FULL] = CB_SIZING(10000, 500) },
  .test = CB_SIZING(200, 20),
};
