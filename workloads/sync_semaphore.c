/* sync.semaphore: each update of the shared counter is guarded by a binary
 * POSIX semaphore (sem_init with pshared = 1, value 1): sem_wait, update,
 * sem_post, like threading.Semaphore(1) used as a lock. See sync.h. */
#include "sync.h"

/* sem_wait; under the GIL, a busy semaphore with the GIL released. */
static int sem_take(sem_t *sem)
{
  int err = 0;

  if (cb_gil_enabled()) {
    if (sem_trywait(sem) == 0)
      return 0;
    if (errno != EAGAIN)
      return -errno;
  }
  cb_gil_release();
  while (err == 0 && sem_wait(sem) != 0)
    err = errno != EINTR ? -errno : 0;
  cb_gil_acquire();
  return err;
}

static int semaphore_run(const cb_task_t *t, uint64_t *checksum)
{
  cb__sync_t *s = t->state;
  uint64_t i;
  int err;

  for (i = 0; i < t->p->size; i++) {
    err = sem_take(&s->sem);
    if (err != 0)
      return err;
    s->value++;
    sem_post(&s->sem);
    if (i % CB__SYNC_EVERY == CB__SYNC_EVERY - 1)
      cb_gil_checkpoint();
  }
  *checksum = cb__sync_expect(t);
  return 0;
}

const cb_workload_t cb_workload_sync_semaphore = {
  .name = "sync.semaphore",
  .description = "size updates of a shared counter, each under a binary semaphore",
  CB__SYNC_COMMON
  .run = semaphore_run,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(2000, 100),
               [CB_PROFILE_STANDARD] = CB_SIZING(10000, 200),
               [CB_PROFILE_FULL] = CB_SIZING(10000, 500) },
  .test = CB_SIZING(200, 20),
};
