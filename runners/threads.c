/* The threads runner: a pool of c pthreads in the trial process. Tasks are
 * handed out through shared memory (one atomic counter) and results are stored
 * in place, so nothing is copied: this is what a thread pool costs at its
 * cheapest. Workers are created before the clock starts and wait at a start
 * barrier; the clock runs from their release to the last result. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "runner.h"

typedef struct pool_s pool_t;

typedef struct worker_s {
  pool_t *pool;
  pthread_t tid;
  unsigned id;
  cb__ru_t ru0, ru1;
  uint64_t t_end;
} worker_t;

struct pool_s {
  cb_exec_t *x;
  atomic_uint_fast64_t next;
  cb__gate_t gate;
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
  uint64_t i, n = p->x->params->tasks;

  if (cb__worker_enter(p->x, "thr", w->id) != 0) {
    cb__gate_abort(&p->gate);
    return NULL;
  }
  if (cb__gate_wait(&p->gate))
    return NULL;
  cb__ru_sample(RUSAGE_THREAD, &w->ru0);
  while ((i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed)) < n)
    cb__run_one(p->x, i);
  w->t_end = cb_now_ns();
  cb__ru_sample(RUSAGE_THREAD, &w->ru1);
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
  atomic_init(&p.next, 0);
  x->workers = n;

  t_begin = cb_now_ns();
  err = spawn_all(&p, ws, n, &started);
  t0 = cb__gate_release(&p.gate, started, err != 0);
  x->startup_ns = t0 - t_begin;
  if (err == 0 && cb__gate_aborted(&p.gate))
    err = -EINVAL; /* a worker could not be pinned; its message is in x->msg */

  for (i = 0; i < started; i++)
    pthread_join(ws[i].tid, NULL);
  for (i = 0; i < started && err == 0; i++) {
    if (ws[i].t_end > t_last)
      t_last = ws[i].t_end;
    cb__ru_accumulate(&x->usage, &ws[i].ru0, &ws[i].ru1);
  }
  if (err == 0) {
    x->wall_ns = t_last - t0;
    x->teardown_ns = cb_now_ns() - t_last;
    x->usage.mem_kb = cb__mem_peak_kb();
  }

  cb__gate_destroy(&p.gate);
  free(ws);
  return err;
}

const cb_runner_t cb_runner_threads = {
  .name = "threads",
  .description = "a pool of c pthreads; tasks and results move through shared memory",
  .transport = "inproc",
  .workers = threads_workers,
  .run = threads_run,
};
