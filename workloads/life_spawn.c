/* life.spawn: each task creates one fresh worker of the runner's kind, runs an
 * empty body in it and reaps it: pthread_create + pthread_join under threads,
 * fork + waitpid under processes, a plain call under serial, and under the
 * event loop a new handle whose callback runs once before it is closed. The
 * folklore "threads are cheaper to start than processes", measured per task
 * (lat_p50_us) and per second (throughput). */
#include <errno.h>

#include "gil.h"
#include "workload.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

static uint64_t spawn_expect(const cb_task_t *t)
{
  return cb_task_seed(t->p->seed, t->index);
}

static int spawn_run(const cb_task_t *t, uint64_t *checksum)
{
  int err;

  if (t->kin == NULL || t->kin->spawn == NULL)
    return -ENOTSUP;
  cb_gil_release(); /* starting and joining a worker waits for it */
  err = t->kin->spawn();
  cb_gil_acquire();
  *checksum = spawn_expect(t);
  return err;
}

#if CB_HAVE_LIBUV
typedef struct spawn_slot_s {
  uv_idle_t idle;
} spawn_slot_t;

static void spawn_closed(uv_handle_t *h)
{
  cb_async_t *a = h->data;

  a->done(a, 0, cb_task_seed(a->params->seed, a->index));
}

static void spawn_body(uv_idle_t *h)
{
  uv_idle_stop(h);
  uv_close((uv_handle_t *)h, spawn_closed);
}

static int spawn_start(cb_async_t *a)
{
  spawn_slot_t *s = a->slot;
  int err = uv_idle_init(a->loop, &s->idle);

  if (err != 0)
    return err;
  s->idle.data = a;
  return uv_idle_start(&s->idle, spawn_body);
}

/* Each task's handle is closed by the task itself: nothing is left open. */
static void spawn_close(cb_async_t *a, void (*closed)(cb_async_t *a))
{
  closed(a);
}
#endif

const cb_workload_t cb_workload_life_spawn = {
  .name = "life.spawn",
  .description = "start one fresh worker of the runner's kind per task and reap it",
  .size_unit = "none",
  .default_size = 0,
  .max_size = CB_SIZE_UNUSED,
  .default_tasks = 1000,
  .run = spawn_run,
  .expect = spawn_expect,
#if CB_HAVE_LIBUV
  .async_slot_size = sizeof(spawn_slot_t),
  .async_start = spawn_start,
  .async_close = spawn_close,
#endif
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(0, 300),
               [CB_PROFILE_STANDARD] = CB_SIZING(0, 500),
               [CB_PROFILE_FULL] = CB_SIZING(0, 1000) },
  .test = CB_SIZING(0, 20),
};
