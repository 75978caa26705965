/* What the sync.* workloads share. Each task makes `size` updates of one
 * shared counter (+1 each), under contention from the other workers, with the
 * primitive its workload names; the trial then checks that the counter
 * holds tasks x size (cb_workload_t.verify), which no task's checksum can see.
 *
 * The state lives in one MAP_SHARED anonymous mapping that setup makes in
 * the trial process before any worker exists, so the same primitives serve
 * every runner: threads and loop threads share the mapping as any memory,
 * forked workers inherit it. The primitives are process-shared for that
 * reason (PTHREAD_PROCESS_SHARED mutexes, sem_init(pshared = 1), lock-free
 * atomics in the mapping); for threads that means shared rather than private
 * futexes when a wait has to sleep. Each field has a cache line of its own.
 *
 * Under --gil a busy lock is waited for with the GIL released, after a
 * failed try, as CPython's lock.acquire() does; a checkpoint every 64
 * updates sits outside the critical section, so a thread never gives the GIL
 * away while it holds the lock. */
#ifndef CB_SYNC_H
#define CB_SYNC_H

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>

#include "gil.h"
#include "workload.h"

typedef struct cb__sync_s {
  _Alignas(64) volatile uint64_t value;   /* updated under a lock, or not at all (sync.none) */
  _Alignas(64) atomic_uint_fast64_t avalue; /* updated by atomic increments (sync.atomic) */
  _Alignas(64) pthread_mutex_t mutex;
  _Alignas(64) pthread_mutex_t rmutex;    /* recursive */
  _Alignas(64) sem_t sem;                 /* binary: initial value 1 */
} cb__sync_t;

/* A GIL checkpoint after every CB__SYNC_EVERY-th update. */
#define CB__SYNC_EVERY 64u

int cb__sync_setup(const cb_params_t *p, void **state);
void cb__sync_teardown(const cb_params_t *p, void *state);
uint64_t cb__sync_expect(const cb_task_t *t);
int cb__sync_verify(const cb_params_t *p, void *state, uint64_t *lost, char *why, size_t len);

/* Take a mutex; under the GIL, a busy one with the GIL released. 0 or -errno. */
static inline int cb__sync_lock(pthread_mutex_t *m)
{
  int err;

  if (!cb_gil_enabled())
    return -pthread_mutex_lock(m);
  err = pthread_mutex_trylock(m);
  if (err == EBUSY) {
    cb_gil_release();
    err = pthread_mutex_lock(m);
    cb_gil_acquire();
  }
  return -err;
}

/* The members every sync.* workload shares. */
#define CB__SYNC_COMMON                    \
  .size_unit = "updates",                  \
  .default_size = 10000,                   \
  .max_size = 1000000000,                  \
  .default_tasks = 200,                    \
  .setup = cb__sync_setup,                 \
  .teardown = cb__sync_teardown,           \
  .expect = cb__sync_expect,               \
  .verify = cb__sync_verify,

#endif
