/* A thread pool: n threads between a start and an end barrier, each doing
 * what its body says (take tasks from a counter, or drive an event loop).
 * The threads and eventloop runners are this pool with two bodies; a hybrid
 * runs one inside each forked worker. The barriers are where runner.h's
 * rules are kept: the clock starts when every thread waits and is released,
 * memory is sampled while every thread is alive, every thread is joined. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kit.h"

static void *thread_main(void *arg)
{
  cb__thread_t *t = arg;
  cb__tpool_t *p = t->pool;

  t->err = p->body->enter(t);
  if (t->err != 0) {
    cb__gate_abort(&p->gate);
  } else if (!cb__gate_wait(&p->gate)) {
    p->body->work(t);
    cb__gate_wait(&p->end); /* every thread alive while memory is sampled */
  }
  p->body->leave(t);
  return NULL;
}

int cb__tpool_start(cb__tpool_t *p, cb_exec_t *x, const cb__tbody_t *body, void *arg,
                    unsigned n, unsigned first, int measure)
{
  unsigned i;
  int err = 0;

  memset(p, 0, sizeof(*p));
  p->x = x;
  p->body = body;
  p->arg = arg;
  p->n = n;
  p->first = first;
  p->measure = measure;
  cb__gate_init(&p->gate);
  cb__gate_init(&p->end);
  atomic_init(&p->next, 0);
  /* Aligned: a thread's record is its own cache lines (cb__thread_t). */
  p->th = aligned_alloc(_Alignof(cb__thread_t), (n > 0 ? n : 1) * sizeof(*p->th));
  if (p->th == NULL)
    err = -ENOMEM;
  else
    memset(p->th, 0, (n > 0 ? n : 1) * sizeof(*p->th));
  for (i = 0; i < n && err == 0; i++) {
    p->th[i].pool = p;
    p->th[i].id = i;
    p->th[i].worker = first + i;
    err = -pthread_create(&p->th[i].tid, NULL, thread_main, &p->th[i]);
    if (err != 0)
      cb__msg(x, "pthread_create of worker %u of %u: %s", i + 1, n, strerror(-err));
    else
      p->started++;
  }
  if (err != 0)
    cb__gate_abort(&p->gate);
  cb__gate_await(&p->gate, p->started);
  if (err == 0 && cb__gate_aborted(&p->gate))
    err = -EINVAL; /* a thread could not enter; its message is in x->msg */
  return err;
}

uint64_t cb__tpool_release(cb__tpool_t *p)
{
  uint64_t t0 = cb_now_ns();

  if (p->measure)
    cb__usage_start(p->x);
  p->released = 1;
  cb__gate_open(&p->gate);
  return t0;
}

int cb__tpool_finish(cb__tpool_t *p, uint64_t *t_last)
{
  unsigned i;

  *t_last = 0;
  if (cb__gate_aborted(&p->gate) || cb__gate_await(&p->end, p->started))
    return 1;
  /* Every thread set its t_end before it arrived at the end barrier. */
  for (i = 0; i < p->started; i++) {
    if (p->th[i].t_end > *t_last)
      *t_last = p->th[i].t_end;
  }
  return 0;
}

int cb__tpool_trial(cb__tpool_t *p, cb_exec_t *x, int err, uint64_t t_begin)
{
  uint64_t t0 = 0, t_last = 0;
  int stop_err;

  if (err == 0) {
    t0 = cb__tpool_release(p);
    x->startup_ns = t0 - t_begin;
    if (!cb__tpool_finish(p, &t_last))
      cb__mem_sample(x); /* every thread waits at the end barrier: all alive */
  }
  stop_err = cb__tpool_stop(p);
  if (err == 0)
    err = stop_err;
  if (err == 0) {
    cb__usage_stop(x);
    x->wall_ns = t_last - t0;
    x->teardown_ns = cb_now_ns() - t_last;
  }
  return err;
}

int cb__tpool_stop(cb__tpool_t *p)
{
  unsigned i;
  int err = 0;

  if (!p->released)
    cb__gate_abort(&p->gate); /* abandoned before the release: no task runs */
  cb__gate_open(&p->end);
  for (i = 0; i < p->started; i++) {
    pthread_join(p->th[i].tid, NULL);
    if (err == 0 && p->th[i].err != 0)
      err = p->th[i].err;
  }
  if (err == 0 && p->released && cb__gate_aborted(&p->gate))
    err = -EINVAL;
  cb__gate_destroy(&p->end);
  cb__gate_destroy(&p->gate);
  free(p->th);
  p->th = NULL;
  return err;
}
