/* The threads runner: a pool of c pthreads in the trial process. Tasks are
 * handed out through shared memory (one atomic counter) and results are stored
 * in place, so nothing is copied: this is what a thread pool costs at its
 * cheapest. Workers are created before the clock starts and wait at a start
 * barrier; the clock runs from their release to the last result (the kit's
 * thread pool keeps these rules). Its kin are threads too (kit/kin.c).
 *
 * Under --gil (include/gil.h) a worker holds the GIL from its first task to
 * its last and passes a checkpoint between tasks, like a CPython pool worker
 * that takes the next item off a non-empty queue without letting go of the
 * GIL; it gives the GIL up at the task code's checkpoints and blocking
 * waits. (Dropping it between tasks would wake a waiter for nothing and
 * restart its switch interval every task.) */
#include "gil.h"
#include "kit.h"

static unsigned threads_workers(unsigned c, unsigned pus, unsigned procs)
{
  CB_UNUSED(pus);
  CB_UNUSED(procs);
  return c;
}

static int worker_enter(cb__thread_t *t)
{
  return cb__worker_enter(t->pool->x, &t->w, &cb__kin_threads, "thr", t->worker, 1);
}

static void worker_work(cb__thread_t *t)
{
  cb__tpool_t *p = t->pool;
  uint64_t i, now;

  cb_gil_enter();
  while (cb__tpool_take(p, &i)) {
    now = cb_now_ns();
    cb__run_one(p->x, &t->w, i, now);
    cb_gil_checkpoint();
  }
  t->t_end = cb_now_ns();
  cb_gil_leave();
}

static void worker_leave(cb__thread_t *t)
{
  cb__kin_threads_leave();
  cb__worker_leave(t->pool->x, &t->w);
}

static const cb__tbody_t worker_body = {
  .enter = worker_enter,
  .work = worker_work,
  .leave = worker_leave,
};

static int threads_run(cb_exec_t *x)
{
  cb__tpool_t p;
  uint64_t t_begin;
  int err;

  x->workers = x->concurrency;
  x->inflight = x->concurrency;
  x->nprocs = 1;
  x->per_proc = x->concurrency;
  t_begin = cb_now_ns();
  err = cb__tpool_start(&p, x, &worker_body, NULL, x->concurrency, 0, 1);
  return cb__tpool_trial(&p, x, err, t_begin);
}

const cb_runner_t cb_runner_threads = {
  .name = "threads",
  .description = "a pool of c pthreads; tasks and results move through shared memory",
  .transports = (const char *const[]){ "inproc", NULL },
  .dispatches = (const char *const[]){ "shared", NULL },
  .kin = &cb__kin_threads,
  .model = "threads",
  .procs_per_worker = 1,
  .styles = (const cb_style_t[]){ { "#0072B2", 7 } }, /* blue, circle */
  .workers = threads_workers,
  .run = threads_run,
};
