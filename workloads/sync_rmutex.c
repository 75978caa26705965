/* sync.rmutex: each update of the shared counter takes a recursive mutex
 * twice and releases it twice, like a method holding a threading.RLock that
 * calls another one taking it again. Against sync.mutex it prices the
 * recursion: an owner check and a count on top of the lock. See sync.h. */
#include "sync.h"

static int rmutex_run(const cb_task_t *t, uint64_t *checksum)
{
  cb__sync_t *s = t->state;
  uint64_t i;
  int err;

  for (i = 0; i < t->p->size; i++) {
    err = cb__sync_lock(&s->rmutex);
    if (err != 0)
      return err;
    err = cb__sync_lock(&s->rmutex); /* re-entered: never blocks */
    if (err != 0) {
      pthread_mutex_unlock(&s->rmutex);
      return err;
    }
    s->value++;
    pthread_mutex_unlock(&s->rmutex);
    pthread_mutex_unlock(&s->rmutex);
    if (i % CB__SYNC_EVERY == CB__SYNC_EVERY - 1)
      cb_gil_checkpoint();
  }
  *checksum = cb__sync_expect(t);
  return 0;
}

const cb_workload_t cb_workload_sync_rmutex = {
  .name = "sync.rmutex",
  .description = "size updates of a shared counter, each under a recursive mutex taken twice",
  CB__SYNC_COMMON
  .run = rmutex_run,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(2000, 100),
               [CB_PROFILE_STANDARD] = CB_SIZING(10000, 200),
               [CB_PROFILE_FULL] = CB_SIZING(10000, 500) },
  .test = CB_SIZING(200, 20),
};
