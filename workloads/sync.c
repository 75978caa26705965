/* The shared state of the sync.* workloads: set-up, teardown, the expected
 * checksums and the trial-level check of the counter; see sync.h. */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "sync.h"

int cb__sync_setup(const cb_params_t *p, void **state)
{
  pthread_mutexattr_t ma;
  cb__sync_t *s;
  int err;

  CB_UNUSED(p);
  s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (s == MAP_FAILED)
    return -errno;
  err = -pthread_mutexattr_init(&ma);
  if (err == 0)
    err = -pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  if (err == 0)
    err = -pthread_mutex_init(&s->mutex, &ma);
  if (err == 0)
    err = -pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
  if (err == 0)
    err = -pthread_mutex_init(&s->rmutex, &ma);
  pthread_mutexattr_destroy(&ma);
  if (err == 0 && sem_init(&s->sem, 1, 1) != 0)
    err = -errno;
  if (err != 0) {
    munmap(s, sizeof(*s));
    return err;
  }
  atomic_init(&s->avalue, 0);
  *state = s;
  return 0;
}

void cb__sync_teardown(const cb_params_t *p, void *state)
{
  cb__sync_t *s = state;

  CB_UNUSED(p);
  sem_destroy(&s->sem);
  pthread_mutex_destroy(&s->rmutex);
  pthread_mutex_destroy(&s->mutex);
  munmap(s, sizeof(*s));
}

uint64_t cb__sync_expect(const cb_task_t *t)
{
  return cb_task_seed(t->p->seed, t->index) ^ t->p->size;
}

int cb__sync_verify(const cb_params_t *p, void *state, uint64_t *lost, char *why, size_t len)
{
  cb__sync_t *s = state;
  uint64_t want = p->tasks * p->size;
  /* Each workload updates one of the two; the other stays 0. */
  uint64_t got = s->value + atomic_load(&s->avalue);

  *lost = got < want ? want - got : 0;
  if (got == want)
    return 0;
  snprintf(why, len, "shared counter is %llu after %llu updates: %llu %s",
           (unsigned long long)got, (unsigned long long)want,
           (unsigned long long)(got < want ? want - got : got - want),
           got < want ? "lost" : "too many");
  return -EDOM;
}
