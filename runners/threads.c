/* The threads runner: a pool of c pthreads in the trial process. Tasks are
 * handed out through shared memory (one atomic counter) and results are stored
 * in place, so nothing is copied: this is what a thread pool costs at its
 * cheapest. Workers are created before the clock starts and wait at a start
 * barrier; the clock runs from their release to the last result.
 *
 * Its kin are threads too: a fresh worker is pthread_create + pthread_join,
 * and a token goes to a partner thread (one per worker, started on first use
 * and joined when the worker leaves) through a mutex and condition variable,
 * the hand-off a thread pool's queue is built from.
 *
 * Under --gil (include/gil.h) a worker holds the GIL from its first task to
 * its last and passes a checkpoint between tasks, like a CPython pool worker
 * that takes the next item off a non-empty queue without letting go of the
 * GIL; it gives the GIL up at the task code's checkpoints and blocking
 * waits. (Dropping it between tasks would wake a waiter for nothing and
 * restart its switch interval every task.) */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "gil.h"
#include "kit.h"

typedef struct pool_s pool_t;

/* A worker's partner for pingpong; `lock` guards token, turn and quit. */
typedef struct partner_s {
  pthread_t tid;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  uint64_t token;
  int turn; /* 0: the worker holds the token, 1: the partner does */
  int quit;
} partner_t;

static __thread partner_t *my_partner;

static void *empty_body(void *arg)
{
  return arg;
}

static int threads_spawn(void)
{
  pthread_t tid;
  int err = -pthread_create(&tid, NULL, empty_body, NULL);

  if (err == 0)
    err = -pthread_join(tid, NULL);
  return err;
}

static void *partner_main(void *arg)
{
  partner_t *pt = arg;

  pthread_mutex_lock(&pt->lock);
  for (;;) {
    while (pt->turn != 1 && !pt->quit)
      pthread_cond_wait(&pt->cond, &pt->lock);
    if (pt->quit)
      break;
    pt->token++;
    pt->turn = 0;
    pthread_cond_signal(&pt->cond);
  }
  pthread_mutex_unlock(&pt->lock);
  return NULL;
}

static int partner_start(partner_t **out)
{
  partner_t *pt = calloc(1, sizeof(*pt));
  int err;

  if (pt == NULL)
    return -ENOMEM;
  pthread_mutex_init(&pt->lock, NULL);
  pthread_cond_init(&pt->cond, NULL);
  err = -pthread_create(&pt->tid, NULL, partner_main, pt);
  if (err != 0) {
    pthread_cond_destroy(&pt->cond);
    pthread_mutex_destroy(&pt->lock);
    free(pt);
    return err;
  }
  *out = pt;
  return 0;
}

static void partner_stop(void)
{
  partner_t *pt = my_partner;

  if (pt == NULL)
    return;
  pthread_mutex_lock(&pt->lock);
  pt->quit = 1;
  pthread_cond_signal(&pt->cond);
  pthread_mutex_unlock(&pt->lock);
  pthread_join(pt->tid, NULL);
  pthread_cond_destroy(&pt->cond);
  pthread_mutex_destroy(&pt->lock);
  free(pt);
  my_partner = NULL;
}

static int threads_partner_start(void)
{
  return my_partner != NULL ? 0 : partner_start(&my_partner);
}

static int threads_pingpong(uint64_t n, uint64_t *token)
{
  partner_t *pt;
  uint64_t i;
  int err;

  if (my_partner == NULL && (err = partner_start(&my_partner)) != 0)
    return err;
  pt = my_partner;
  pthread_mutex_lock(&pt->lock);
  pt->token = *token;
  for (i = 0; i < n; i++) {
    pt->turn = 1;
    pthread_cond_signal(&pt->cond);
    while (pt->turn != 0)
      pthread_cond_wait(&pt->cond, &pt->lock);
  }
  *token = pt->token;
  pthread_mutex_unlock(&pt->lock);
  return 0;
}

static const cb_kin_t threads_kin = {
  .spawn = threads_spawn,
  .pingpong = threads_pingpong,
  .partner_start = threads_partner_start,
};

typedef struct worker_s {
  pool_t *pool;
  pthread_t tid;
  unsigned id;
  uint64_t t_end;
} worker_t;

struct pool_s {
  cb_exec_t *x;
  atomic_uint_fast64_t next;
  cb__gate_t gate, end; /* the start barrier; the end barrier (memory) */
};

static unsigned threads_workers(unsigned c, unsigned pus)
{
  CB_UNUSED(pus);
  return c;
}

static void *worker_main(void *arg)
{
  worker_t *w = arg;
  pool_t *p = w->pool;
  uint64_t i, n = p->x->params->tasks, t;
  cb__worker_t cw;

  if (cb__worker_enter(p->x, &cw, &threads_kin, "thr", w->id, 1) != 0) {
    cb__gate_abort(&p->gate);
  } else if (!cb__gate_wait(&p->gate)) {
    cb_gil_enter();
    for (;;) {
      i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
      if (i >= n)
        break;
      t = cb_now_ns();
      cb__run_one(p->x, &cw, i, t);
      cb_gil_checkpoint();
    }
    w->t_end = cb_now_ns();
    cb_gil_leave();
    cb__gate_wait(&p->end);
  }
  partner_stop();
  cb__worker_leave(p->x, &cw);
  return NULL;
}

/* Start every worker; returns how many run. */
static int spawn_all(pool_t *p, worker_t *ws, unsigned n, unsigned *started)
{
  unsigned i;
  int err = 0;

  for (i = 0; i < n; i++) {
    ws[i].pool = p;
    ws[i].id = i;
    err = -pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]);
    if (err != 0) {
      cb__msg(p->x, "pthread_create of worker %u of %u: %s", i + 1, n, strerror(-err));
      break;
    }
  }
  *started = i;
  return err;
}

static int threads_run(cb_exec_t *x)
{
  pool_t p = { .x = x };
  worker_t *ws;
  unsigned n = x->concurrency, started = 0, i;
  uint64_t t_begin, t0, t_last = 0;
  int err;

  ws = calloc(n, sizeof(*ws));
  if (ws == NULL)
    return -ENOMEM;
  cb__gate_init(&p.gate);
  cb__gate_init(&p.end);
  atomic_init(&p.next, 0);
  x->workers = n;
  x->inflight = n;

  t_begin = cb_now_ns();
  err = spawn_all(&p, ws, n, &started);
  if (err != 0)
    cb__gate_abort(&p.gate);
  cb__gate_await(&p.gate, started);
  t0 = cb_now_ns();
  cb__usage_start(x);
  cb__gate_open(&p.gate);
  x->startup_ns = t0 - t_begin;
  if (err == 0 && cb__gate_aborted(&p.gate))
    err = -EINVAL; /* a worker could not be pinned; its message is in x->msg */

  /* Every worker that started its tasks waits at the end barrier: memory is
   * sampled while all of them are alive. */
  if (err == 0 && !cb__gate_await(&p.end, started))
    cb__mem_sample(x);
  cb__gate_open(&p.end);
  for (i = 0; i < started; i++)
    pthread_join(ws[i].tid, NULL);
  for (i = 0; i < started && err == 0; i++) {
    if (ws[i].t_end > t_last)
      t_last = ws[i].t_end;
  }
  if (err == 0) {
    cb__usage_stop(x);
    x->wall_ns = t_last - t0;
    x->teardown_ns = cb_now_ns() - t_last;
  }

  cb__gate_destroy(&p.end);
  cb__gate_destroy(&p.gate);
  free(ws);
  return err;
}

const cb_runner_t cb_runner_threads = {
  .name = "threads",
  .description = "a pool of c pthreads; tasks and results move through shared memory",
  .transports = (const char *const[]){ "inproc", NULL },
  .dispatches = (const char *const[]){ "shared", NULL },
  .kin = &threads_kin,
  .model = "threads",
  .procs_per_worker = 1,
  .styles = (const cb_style_t[]){ { "#0072B2", 7 } }, /* blue, circle */
  .workers = threads_workers,
  .run = threads_run,
};
