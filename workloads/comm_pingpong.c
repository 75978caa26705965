/* comm.pingpong: a task hands a token to a partner and takes it back `size`
 * times; the partner adds one on each visit. Each runner uses its natural
 * hand-off: a mutex and condition variable between two threads, a pair of
 * pipes between two processes, a function call under serial, and two
 * uv_async handles waking each other on one loop under the event loop. The
 * cost of one hand-off is wall time per task / (2 * size). */
#include <errno.h>

#include "gil.h"
#include "workload.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

static uint64_t pp_expect(const cb_task_t *t)
{
  return cb_task_seed(t->p->seed, t->index) + t->p->size;
}

static int pp_run(const cb_task_t *t, uint64_t *checksum)
{
  uint64_t token = cb_task_seed(t->p->seed, t->index);
  int err;

  if (t->kin == NULL || t->kin->pingpong == NULL)
    return -ENOTSUP;
  cb_gil_release(); /* waiting for a partner is a blocking wait */
  err = t->kin->pingpong(t->p->size, &token);
  cb_gil_acquire();
  *checksum = token;
  return err;
}

#if CB_HAVE_LIBUV
typedef struct pp_slot_s {
  uv_async_t mine, partner;
  uint64_t token, left;
  int open;
  void (*closed)(cb_async_t *a);
} pp_slot_t;

static void on_partner(uv_async_t *h)
{
  cb_async_t *a = h->data;
  pp_slot_t *s = a->slot;

  s->token++;
  uv_async_send(&s->mine);
}

static void on_mine(uv_async_t *h)
{
  cb_async_t *a = h->data;
  pp_slot_t *s = a->slot;

  if (--s->left == 0) {
    uv_unref((uv_handle_t *)&s->mine);
    uv_unref((uv_handle_t *)&s->partner);
    a->done(a, 0, s->token);
    return;
  }
  uv_async_send(&s->partner);
}

static int pp_open(cb_async_t *a)
{
  pp_slot_t *s = a->slot;
  int err = uv_async_init(a->loop, &s->mine, on_mine);

  if (err != 0)
    return err;
  s->open = 1;
  err = uv_async_init(a->loop, &s->partner, on_partner);
  if (err != 0)
    return err;
  s->open = 2;
  s->mine.data = s->partner.data = a;
  /* An async handle keeps its loop alive: they are referenced only while a
   * task needs them, so the runner can settle the loop before the clock. */
  uv_unref((uv_handle_t *)&s->mine);
  uv_unref((uv_handle_t *)&s->partner);
  return 0;
}

static int pp_start(cb_async_t *a)
{
  pp_slot_t *s = a->slot;

  s->token = cb_task_seed(a->params->seed, a->index);
  s->left = a->params->size;
  if (s->left == 0) {
    /* Nothing to hand over; still complete from the loop, not from here. */
    s->left = 1;
    s->token--;
  }
  uv_ref((uv_handle_t *)&s->mine);
  uv_ref((uv_handle_t *)&s->partner);
  return uv_async_send(&s->partner);
}

static void pp_closed(uv_handle_t *h)
{
  cb_async_t *a = h->data;
  pp_slot_t *s = a->slot;

  if (--s->open == 0)
    s->closed(a);
}

static void pp_close(cb_async_t *a, void (*closed)(cb_async_t *a))
{
  pp_slot_t *s = a->slot;
  int n = s->open;

  s->closed = closed;
  if (n == 0) {
    closed(a);
    return;
  }
  uv_close((uv_handle_t *)&s->mine, pp_closed);
  if (n == 2)
    uv_close((uv_handle_t *)&s->partner, pp_closed);
}
#endif

const cb_workload_t cb_workload_comm_pingpong = {
  .name = "comm.pingpong",
  .description = "hand a token to a partner of the runner's kind and back, size times",
  .size_unit = "round trips",
  .default_size = 1000,
  .max_size = 100000000,
  .default_tasks = 200,
  .run = pp_run,
  .uses_partner = 1,
  .expect = pp_expect,
#if CB_HAVE_LIBUV
  .async_slot_size = sizeof(pp_slot_t),
  .async_open = pp_open,
  .async_start = pp_start,
  .async_close = pp_close,
#endif
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(100, 40),
               [CB_PROFILE_STANDARD] = CB_SIZING(1000, 40),
               [CB_PROFILE_FULL] = CB_SIZING(1000, 100) },
  .test = CB_SIZING(20, 20),
};
