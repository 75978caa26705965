/* io.sleep: wait `size` microseconds, like a call to a slow service that costs
 * the caller no CPU. How the wait is done, blocking and on a loop, is in
 * sleep.h (life.idle waits the same way). */
#include <errno.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "gil.h"
#include "sleep.h"

/* The checksum of a task whose wait began at `t0` and ended at `t1`: right
 * only when it lasted the whole `size` microseconds. */
static uint64_t sleep_sum(const cb_params_t *p, uint64_t index, uint64_t t0, uint64_t t1)
{
  uint64_t sum = cb_task_seed(p->seed, index) ^ p->size;

  return t1 - t0 >= p->size * 1000u ? sum : ~sum;
}

uint64_t cb__sleep_expect(const cb_task_t *t)
{
  return sleep_sum(t->p, t->index, 0, t->p->size * 1000u);
}

int cb__sleep_run(const cb_task_t *t, uint64_t *checksum)
{
  struct timespec ts = {
    .tv_sec = (time_t)(t->p->size / 1000000u),
    .tv_nsec = (long)(t->p->size % 1000000u) * 1000,
  };
  uint64_t t0;
  int err = 0;

  cb_gil_release(); /* time.sleep() lets go of the GIL */
  t0 = cb_now_ns();
  while (err == 0 && nanosleep(&ts, &ts) != 0)
    err = errno != EINTR ? -errno : 0;
  *checksum = sleep_sum(t->p, t->index, t0, cb_now_ns());
  cb_gil_acquire();
  return err;
}

#if CB_HAVE_LIBUV
static void poll_cb(uv_poll_t *h, int status, int events)
{
  cb_async_t *a = h->data;
  cb__sleep_slot_t *s = a->slot;
  uint64_t expirations;

  CB_UNUSED(events);
  uv_poll_stop(h);
  if (status < 0) {
    a->done(a, status, 0);
    return;
  }
  if (read(s->tfd, &expirations, sizeof(expirations)) < 0) {
    a->done(a, -errno, 0);
    return;
  }
  a->done(a, 0, sleep_sum(a->params, a->index, s->t_start, cb_now_ns()));
}

int cb__sleep_open(cb_async_t *a)
{
  cb__sleep_slot_t *s = a->slot;
  int err;

  s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (s->tfd < 0)
    return -errno;
  err = uv_poll_init(a->loop, &s->poll, s->tfd);
  if (err != 0) {
    close(s->tfd);
    s->tfd = -1;
  }
  s->poll.data = a;
  return err;
}

int cb__sleep_start(cb_async_t *a)
{
  cb__sleep_slot_t *s = a->slot;
  struct itimerspec its = { { 0, 0 }, { 0, 0 } };

  its.it_value.tv_sec = (time_t)(a->params->size / 1000000u);
  its.it_value.tv_nsec = (long)(a->params->size % 1000000u) * 1000;
  if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
    its.it_value.tv_nsec = 1; /* zero would disarm the timer */
  s->t_start = cb_now_ns();
  if (timerfd_settime(s->tfd, 0, &its, NULL) != 0)
    return -errno;
  return uv_poll_start(&s->poll, UV_READABLE, poll_cb);
}

static void handle_closed(uv_handle_t *h)
{
  cb_async_t *a = h->data;
  cb__sleep_slot_t *s = a->slot;

  close(s->tfd); /* only now that uv_poll no longer watches it */
  s->tfd = -1;
  s->closed(a);
}

void cb__sleep_close(cb_async_t *a, void (*closed)(cb_async_t *a))
{
  cb__sleep_slot_t *s = a->slot;

  s->closed = closed;
  uv_close((uv_handle_t *)&s->poll, handle_closed);
}
#endif

const cb_workload_t cb_workload_io_sleep = {
  .name = "io.sleep",
  .description = "wait size us without using CPU, like a call to a slow service",
  .size_unit = "us",
  .default_size = 1000,
  .max_size = 60000000, /* a minute */
  .default_tasks = 2000,
  .async_fds_per_task = 1, /* its timerfd; nanosleep needs none */
  .run = cb__sleep_run,
  .expect = cb__sleep_expect,
  CB__SLEEP_ASYNC
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(1000, 32),
               [CB_PROFILE_STANDARD] = CB_SIZING(1000, 256),
               [CB_PROFILE_FULL] = CB_SIZING(1000, 4096) },
  .test = CB_SIZING(100, 30),
};
