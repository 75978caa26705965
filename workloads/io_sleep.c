/* io.sleep: wait `size` microseconds, like a call to a slow service that costs
 * the caller no CPU. The blocking form sleeps in nanosleep(); the asynchronous
 * form arms a uv_timer when the wait is a whole number of milliseconds (the
 * unit of uv_timer_start) and otherwise a timerfd watched with uv_poll, so
 * sub-millisecond waits are as exact on the loop as in a thread. */
#include <errno.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

static uint64_t sleep_expect(const cb_params_t *p, uint64_t index)
{
  return cb_task_seed(p->seed, index) ^ p->size;
}

static int sleep_run(const cb_params_t *p, void *state, uint64_t index, uint64_t *checksum)
{
  struct timespec ts = {
    .tv_sec = (time_t)(p->size / 1000000u),
    .tv_nsec = (long)(p->size % 1000000u) * 1000,
  };

  CB_UNUSED(state);
  while (nanosleep(&ts, &ts) != 0) {
    if (errno != EINTR)
      return -errno;
  }
  *checksum = sleep_expect(p, index);
  return 0;
}

#if CB_HAVE_LIBUV
typedef struct sleep_slot_s {
  uv_timer_t timer;
  uv_poll_t poll;
  int tfd;
  int use_poll;
  int pending_closes;
  void (*closed)(cb_async_t *a);
} sleep_slot_t;

static void sleep_fire(cb_async_t *a)
{
  a->done(a, 0, sleep_expect(a->params, a->index));
}

static void timer_cb(uv_timer_t *t)
{
  sleep_fire(t->data);
}

static void poll_cb(uv_poll_t *h, int status, int events)
{
  cb_async_t *a = h->data;
  sleep_slot_t *s = a->slot;
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
  sleep_fire(a);
}

static int sleep_open(cb_async_t *a)
{
  sleep_slot_t *s = a->slot;
  int err;

  s->tfd = -1;
  s->use_poll = a->params->size % 1000u != 0;
  if (!s->use_poll) {
    err = uv_timer_init(a->loop, &s->timer);
    s->timer.data = a;
    return err;
  }
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

static int sleep_start(cb_async_t *a)
{
  sleep_slot_t *s = a->slot;
  struct itimerspec its = { { 0, 0 }, { 0, 0 } };

  if (!s->use_poll)
    return uv_timer_start(&s->timer, timer_cb, a->params->size / 1000u, 0);
  its.it_value.tv_sec = (time_t)(a->params->size / 1000000u);
  its.it_value.tv_nsec = (long)(a->params->size % 1000000u) * 1000;
  if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
    its.it_value.tv_nsec = 1; /* zero would disarm the timer */
  if (timerfd_settime(s->tfd, 0, &its, NULL) != 0)
    return -errno;
  return uv_poll_start(&s->poll, UV_READABLE, poll_cb);
}

static void handle_closed(uv_handle_t *h)
{
  cb_async_t *a = h->data;
  sleep_slot_t *s = a->slot;

  if (s->tfd >= 0)
    close(s->tfd); /* only after uv_poll no longer watches it */
  s->tfd = -1;
  s->closed(a);
}

static void sleep_close(cb_async_t *a, void (*closed)(cb_async_t *a))
{
  sleep_slot_t *s = a->slot;

  s->closed = closed;
  uv_close(s->use_poll ? (uv_handle_t *)&s->poll : (uv_handle_t *)&s->timer, handle_closed);
}
#endif

const cb_workload_t cb_workload_io_sleep = {
  .name = "io.sleep",
  .description = "wait size us without using CPU, like a call to a slow service",
  .size_unit = "us",
  .default_size = 1000,
  .default_tasks = 2000,
  .run = sleep_run,
  .expect = sleep_expect,
#if CB_HAVE_LIBUV
  .async_slot_size = sizeof(sleep_slot_t),
  .async_open = sleep_open,
  .async_start = sleep_start,
  .async_close = sleep_close,
#endif
};
