/* mix.sleep: a request that computes, waits and computes again, `size`
 * percent of a millisecond in CPU (mix.h) and the rest in a timed wait, the
 * way io.sleep waits (sleep.h): nanosleep() with the GIL released in the
 * blocking form; on a loop, the CPU parts run inline in the loop's callbacks
 * (the start and the wake-up) and the wait is a timerfd watched by the loop,
 * so the other requests of the loop wait meanwhile and only the CPU parts
 * block it. At 0% it is io.sleep of 1 ms, at 100% a CPU task of 1 ms. */
#include <errno.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "gil.h"
#include "mix.h"
#include "sleep.h"

enum { TASK_US = 1000 };

static int mix_setup(const cb_params_t *p, void **state)
{
  *state = NULL;
  return p->calib > 0 ? 0 : -EINVAL; /* a run calibrates first (cb_matrix_calibrate) */
}

static uint64_t mix_expect(const cb_task_t *t)
{
  return cb__mix_expect(t->p, t->index, TASK_US);
}

static int mix_run(const cb_task_t *t, uint64_t *checksum)
{
  cb__mix_plan_t plan;
  struct timespec ts;
  uint64_t x, t0, t1;
  int err = 0;

  cb__mix_plan(t->p, TASK_US, &plan);
  x = cb__mix_rounds(cb__mix_start(t->p, t->index), 0, plan.rounds_before);
  ts.tv_sec = (time_t)(plan.wait_us / 1000000u);
  ts.tv_nsec = (long)(plan.wait_us % 1000000u) * 1000;
  cb_gil_release(); /* time.sleep() lets go of the GIL */
  t0 = t1 = cb_now_ns();
  if (plan.wait_us > 0) {
    while (err == 0 && nanosleep(&ts, &ts) != 0)
      err = errno != EINTR ? -errno : 0;
    t1 = cb_now_ns();
  }
  cb_gil_acquire();
  x = cb__mix_rounds(x, plan.rounds_before, plan.rounds_after);
  *checksum = cb__mix_sum(&plan, x, t1 - t0);
  return err;
}

#if CB_HAVE_LIBUV
/* The timed wait's slot (sleep.h) first, so that cb__sleep_open and
 * cb__sleep_close work on it; then the task's chain across the wait. */
typedef struct mix_slot_s {
  cb__sleep_slot_t sl;
  cb__mix_plan_t plan;
  uint64_t x;
} mix_slot_t;

static void woken(uv_poll_t *h, int status, int events)
{
  cb_async_t *a = h->data;
  mix_slot_t *s = a->slot;
  uint64_t expirations, waited = cb_now_ns() - s->sl.t_start;

  CB_UNUSED(events);
  uv_poll_stop(h);
  if (status < 0) {
    a->done(a, status, 0);
    return;
  }
  if (read(s->sl.tfd, &expirations, sizeof(expirations)) < 0) {
    a->done(a, -errno, 0);
    return;
  }
  s->x = cb__mix_rounds(s->x, s->plan.rounds_before, s->plan.rounds_after);
  a->done(a, 0, cb__mix_sum(&s->plan, s->x, waited));
}

static int mix_start(cb_async_t *a)
{
  mix_slot_t *s = a->slot;
  struct itimerspec its = { { 0, 0 }, { 0, 0 } };

  cb__mix_plan(a->params, TASK_US, &s->plan);
  s->x = cb__mix_rounds(cb__mix_start(a->params, a->index), 0, s->plan.rounds_before);
  its.it_value.tv_sec = (time_t)(s->plan.wait_us / 1000000u);
  its.it_value.tv_nsec = (long)(s->plan.wait_us % 1000000u) * 1000;
  /* No wait (100% CPU) still goes round the loop once: zero would disarm
   * the timer, and `done` must not be called from here. */
  if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
    its.it_value.tv_nsec = 1;
  s->sl.t_start = cb_now_ns();
  if (timerfd_settime(s->sl.tfd, 0, &its, NULL) != 0)
    return -errno;
  return uv_poll_start(&s->sl.poll, UV_READABLE, woken);
}
#endif

const cb_workload_t cb_workload_mix_sleep = {
  .name = "mix.sleep",
  .description = "compute, wait, compute: size % CPU of a 1 ms request, the rest a timed wait",
  .size_unit = "% CPU",
  .default_size = 10,
  .max_size = 100,
  .default_tasks = 2000,
  .async_fds_per_task = 1, /* its timerfd */
  .mixed_task_us = TASK_US,
  .calibrate = cb__mix_calibrate,
  .setup = mix_setup,
  .run = mix_run,
  .expect = mix_expect,
#if CB_HAVE_LIBUV
  .async_slot_size = sizeof(mix_slot_t),
  .async_open = cb__sleep_open,
  .async_start = mix_start,
  .async_close = cb__sleep_close,
#endif
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(10, 30),
               [CB_PROFILE_STANDARD] = CB_SIZING(10, 120),
               [CB_PROFILE_FULL] = CB_SIZING(10, 2000) },
  .test = CB_SIZING(30, 30),
};
