/* mix.tcp: a request that computes, calls a backend and computes again,
 * `size` percent of a millisecond in CPU (mix.h) and the rest a round trip
 * to io.tcp's server over loopback TCP, the server thinking for that rest
 * before it answers. It is io.tcp with CPU around each call, and it uses
 * io.tcp's own server and clients through that workload's struct: set-up
 * starts the server with the think time of this share, the blocking form
 * makes io.tcp's blocking call between the two CPU parts (its socket calls
 * let go of the GIL), and on a loop the CPU parts run inline in the loop's
 * callbacks (the start, and the reply's) around io.tcp's asynchronous call,
 * which holds one io.tcp slot inside this one. The reply's digest goes into
 * the chain between the two halves, so the checksum is right only when the
 * reply was the right one; a round trip shorter than the think time comes
 * back complemented. */
#include <errno.h>
#include <stdlib.h>

#include "gil.h"
#include "io_tcp.h"
#include "mix.h"

enum { TASK_US = 1000 };

/* The trial's: io.tcp's state, and the parameters io.tcp's functions are
 * called with (the size is the server's think time). */
typedef struct mix_tcp_state_s {
  void *tcp;
  cb_params_t q;
} mix_tcp_state_t;

static const cb_workload_t *const tcp = &cb_workload_io_tcp;

static void think_params(const cb_params_t *p, cb_params_t *q)
{
  cb__mix_plan_t plan;

  cb__mix_plan(p, TASK_US, &plan);
  *q = *p;
  q->size = plan.wait_us;
}

static int mix_tcp_setup(const cb_params_t *p, void **state)
{
  mix_tcp_state_t *st;
  int err;

  if (p->calib == 0)
    return -EINVAL; /* a run calibrates first (cb_matrix_calibrate) */
  if ((st = calloc(1, sizeof(*st))) == NULL)
    return -ENOMEM;
  think_params(p, &st->q);
  err = tcp->setup(&st->q, &st->tcp);
  if (err != 0) {
    free(st);
    return err;
  }
  *state = st;
  return 0;
}

static void mix_tcp_teardown(const cb_params_t *p, void *state)
{
  mix_tcp_state_t *st = state;

  CB_UNUSED(p);
  tcp->teardown(&st->q, st->tcp);
  free(st);
}

static int mix_tcp_worker_open(const cb_params_t *p, void *state, void **worker)
{
  mix_tcp_state_t *st = state;

  CB_UNUSED(p);
  return tcp->worker_open(&st->q, st->tcp, worker);
}

static void mix_tcp_worker_close(const cb_params_t *p, void *state, void *worker)
{
  mix_tcp_state_t *st = state;

  CB_UNUSED(p);
  tcp->worker_close(&st->q, st->tcp, worker);
}

static uint64_t mix_tcp_expect(const cb_task_t *t)
{
  cb__mix_plan_t plan;
  cb_params_t q;
  cb_task_t tt = *t;
  uint64_t x;

  cb__mix_plan(t->p, TASK_US, &plan);
  think_params(t->p, &q);
  tt.p = &q;
  x = cb__mix_rounds(cb__mix_start(t->p, t->index), 0, plan.rounds_before);
  x = cb__mix_rounds(x ^ tcp->expect(&tt), plan.rounds_before, plan.rounds_after);
  return cb__mix_sum(&plan, x, plan.wait_us * 1000u);
}

static int mix_tcp_run(const cb_task_t *t, uint64_t *checksum)
{
  mix_tcp_state_t *st = t->state;
  cb__mix_plan_t plan;
  cb_task_t tt = *t;
  uint64_t x, reply = 0, t0;
  int err;

  cb__mix_plan(t->p, TASK_US, &plan);
  tt.p = &st->q;
  tt.state = st->tcp;
  x = cb__mix_rounds(cb__mix_start(t->p, t->index), 0, plan.rounds_before);
  t0 = cb_now_ns();
  err = tcp->run(&tt, &reply);
  t0 = cb_now_ns() - t0;
  if (err != 0)
    return err;
  x = cb__mix_rounds(x ^ reply, plan.rounds_before, plan.rounds_after);
  *checksum = cb__mix_sum(&plan, x, t0);
  return 0;
}

#if CB_HAVE_LIBUV
/* io.tcp's call of this slot (its own slot beside it, allocated when the
 * slot opens: io.tcp's slot type is its own) and the chain across it. */
typedef struct mix_tcp_slot_s {
  cb_async_t call;
  void *call_slot;
  cb__mix_plan_t plan;
  uint64_t x, t_start;
  void (*closed)(cb_async_t *a);
} mix_tcp_slot_t;

static void replied(cb_async_t *call, int err, uint64_t reply)
{
  cb_async_t *a = call->runner_data;
  mix_tcp_slot_t *s = a->slot;
  uint64_t waited = cb_now_ns() - s->t_start;

  if (err != 0) {
    a->done(a, err, 0);
    return;
  }
  s->x = cb__mix_rounds(s->x ^ reply, s->plan.rounds_before, s->plan.rounds_after);
  a->done(a, 0, cb__mix_sum(&s->plan, s->x, waited));
}

static int mix_tcp_open(cb_async_t *a)
{
  mix_tcp_slot_t *s = a->slot;
  mix_tcp_state_t *st = a->state;
  int err;

  s->call_slot = calloc(1, tcp->async_slot_size);
  if (s->call_slot == NULL)
    return -ENOMEM;
  s->call = (cb_async_t){ .loop = a->loop, .params = &st->q, .state = st->tcp, .in = a->in,
                          .out = a->out, .done = replied, .slot = s->call_slot,
                          .runner_data = a };
  err = tcp->async_open(&s->call);
  if (err != 0) { /* it left nothing open */
    free(s->call_slot);
    s->call_slot = NULL;
  }
  return err;
}

static int mix_tcp_start(cb_async_t *a)
{
  mix_tcp_slot_t *s = a->slot;

  cb__mix_plan(a->params, TASK_US, &s->plan);
  s->x = cb__mix_rounds(cb__mix_start(a->params, a->index), 0, s->plan.rounds_before);
  s->call.index = a->index;
  s->t_start = cb_now_ns();
  return tcp->async_start(&s->call);
}

static void call_closed(cb_async_t *call)
{
  cb_async_t *a = call->runner_data;
  mix_tcp_slot_t *s = a->slot;

  free(s->call_slot);
  s->call_slot = NULL;
  s->closed(a);
}

static void mix_tcp_close(cb_async_t *a, void (*closed)(cb_async_t *a))
{
  mix_tcp_slot_t *s = a->slot;

  s->closed = closed;
  tcp->async_close(&s->call, call_closed);
}
#endif

const cb_workload_t cb_workload_mix_tcp = {
  .name = "mix.tcp",
  .description = "compute, call, compute: size % CPU of a 1 ms request, the rest a loopback "
                 "round trip to io.tcp's server",
  .size_unit = "% CPU",
  .default_size = 10,
  .max_size = 100,
  .default_tasks = 2000,
  .default_payload = 64,
  .fds_per_task = 1,
  .async_fds_per_task = 1,
  .ports_per_task = 1,
  .mixed_task_us = TASK_US,
  .calibrate = cb__mix_calibrate,
  .setup = mix_tcp_setup,
  .teardown = mix_tcp_teardown,
  .run = mix_tcp_run,
  .worker_open = mix_tcp_worker_open,
  .worker_close = mix_tcp_worker_close,
  .expect = mix_tcp_expect,
#if CB_HAVE_LIBUV
  .async_slot_size = sizeof(mix_tcp_slot_t),
  .async_open = mix_tcp_open,
  .async_start = mix_tcp_start,
  .async_close = mix_tcp_close,
#endif
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(10, 30),
               [CB_PROFILE_STANDARD] = CB_SIZING(10, 120),
               [CB_PROFILE_FULL] = CB_SIZING(10, 2000) },
  .test = CB_SIZING(30, 30),
};
