/* sync.none: the same updates with no protection at all: a plain load, add
 * and store of the shared counter, like `n += 1` from several threads with
 * no lock. Concurrent workers lose updates; the trial counts them
 * (lost_updates) and its status is `racy`, the measured outcome, not a
 * failure. It runs only with --allow-races. Under --gil, threads lose none:
 * the GIL changes hands only at checkpoints, never inside the update (as in
 * CPython 3.10 and later, where `n += 1` is not interrupted in practice);
 * processes, each with a GIL of their own, still do. See sync.h. */
#include "sync.h"

/* The race is the point: ThreadSanitizer must not stop the trial over it. */
#if defined(__has_attribute)
#if __has_attribute(no_sanitize)
#define RACES_ON_PURPOSE __attribute__((no_sanitize("thread")))
#endif
#endif
#ifndef RACES_ON_PURPOSE
#define RACES_ON_PURPOSE
#endif

RACES_ON_PURPOSE static int none_run(const cb_task_t *t, uint64_t *checksum)
{
  cb__sync_t *s = t->state;
  uint64_t i;

  for (i = 0; i < t->p->size; i++) {
    s->value = s->value + 1; /* volatile: a real load and a real store each time */
    if (i % CB__SYNC_EVERY == CB__SYNC_EVERY - 1)
      cb_gil_checkpoint();
  }
  *checksum = cb__sync_expect(t);
  return 0;
}

const cb_workload_t cb_workload_sync_none = {
  .name = "sync.none",
  .description = "size unprotected updates of a shared counter: loses updates (--allow-races)",
  CB__SYNC_COMMON
  .racy = 1,
  .run = none_run,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(2000, 100),
               [CB_PROFILE_STANDARD] = CB_SIZING(10000, 200),
               [CB_PROFILE_FULL] = CB_SIZING(10000, 500) },
  .test = CB_SIZING(200, 20),
};
