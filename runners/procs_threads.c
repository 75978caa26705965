/* The procs-threads runner: P forked processes, each with a pool of T
 * threads, c = P x T tasks in flight (prefork + threads: Apache's worker
 * MPM, gunicorn's gthread workers). --procs picks P (default one per PU);
 * cb_procs_split (include/runner.h) says how c is split when P does not
 * divide it: T = ceil(c / P) each and the last process the rest. It is the
 * kit's fork pool with a thread pool as each process's body (runners/kit/
 * kit.h, "Processes of threads"), so it differs from threads and processes
 * only in the model: P = 1 is a thread pool in one forked worker, T = 1 a
 * process pool.
 *
 * Thread j of process i is worker i*T + j, pinned by its process's share
 * of the plan (cb_procs_plan_index), and
 * takes and gives through its process's slot j, by any dispatch mode and
 * transport of the fork pool; a process's threads share its pipes. A crash
 * kills the process with the T tasks its threads held, counted failed, and
 * the pool forks a replacement while tasks remain. Under --gil each process
 * has one GIL of its own (its copy), which its threads share as a thread
 * pool's do: held from the first task to the last with a checkpoint between
 * tasks, and let go around a take or give that may wait on a pipe. */
#include <errno.h>
#include <stdlib.h>

#include "gil.h"
#include "kit.h"

static unsigned procs_threads_workers(unsigned c, unsigned pus, unsigned procs)
{
  CB_UNUSED(pus);
  CB_UNUSED(procs);
  return c > 0 ? c : 1; /* every thread of every process */
}

/* Thread j of process i is bound by its process's share of the plan
 * (cb_procs_plan_index: its own block of PUs once the plan wraps). */
static int thread_enter(cb__thread_t *t)
{
  const cb__fworker_t *k = t->pool->arg;
  const cb_exec_t *x = k->x;

  return cb__worker_enter_at(t->pool->x, &t->w, &cb__kin_threads, "pthr", t->worker,
                             cb_procs_plan_index(x->concurrency, x->procs, x->pus, k->id, t->id),
                             1);
}

static void thread_work(cb__thread_t *t)
{
  cb__fworker_t *k = t->pool->arg;
  int waits = cb__fpool_waits(k);
  cb__ftask_t task;
  int r;

  cb_gil_enter();
  for (;;) {
    if (waits)
      cb_gil_release();
    if ((r = cb__fpool_take(k, t->id, &task)) != 1)
      break;
    if (waits)
      cb_gil_acquire();
    task.err = cb__task_run(k->x, &t->w, task.in, task.out, task.index, &task.checksum);
    if (waits)
      cb_gil_release();
    if ((r = cb__fpool_give(k, t->id, &task, t->w.out)) != 0)
      break;
    if (waits)
      cb_gil_acquire();
    cb_gil_checkpoint();
  }
  if (waits)
    cb_gil_acquire();
  t->err = r < 0 ? r : 0; /* the process's work says so */
  t->t_end = cb_now_ns();
  cb_gil_leave();
}

static void thread_leave(cb__thread_t *t)
{
  cb__kin_threads_leave();
  cb__worker_leave(t->pool->x, &t->w);
}

static const cb__tbody_t thread_body = {
  .enter = thread_enter,
  .work = thread_work,
  .leave = thread_leave,
};

/* Process k->id's thread pool: its k->slots threads at its share of the
 * plan, started before the fork pool's start barrier. */
static int proc_enter(cb__fworker_t *k)
{
  unsigned per;
  cb__tpool_t *tp = calloc(1, sizeof(*tp));
  int err;

  if (tp == NULL)
    return -ENOMEM;
  cb_procs_split(k->x->concurrency, k->x->procs, k->x->pus, &per);
  k->data = tp;
  err = cb__tpool_start(tp, k->x, &thread_body, k, k->slots, k->id * per, 0);
  return err;
}

static int proc_work(cb__fworker_t *k)
{
  cb__tpool_t *tp = k->data;
  uint64_t t_last;
  unsigned j;

  cb__tpool_release(tp);
  if (cb__tpool_finish(tp, &t_last) != 0)
    return -ECANCELED;
  for (j = 0; j < tp->n; j++) {
    if (tp->th[j].err != 0)
      return tp->th[j].err;
  }
  return 0;
}

static void proc_leave(cb__fworker_t *k)
{
  cb__tpool_t *tp = k->data;

  if (tp != NULL) {
    cb__tpool_stop(tp);
    free(tp);
    k->data = NULL;
  }
}

static const cb__fbody_t proc_body = {
  .enter = proc_enter,
  .work = proc_work,
  .leave = proc_leave,
};

static int procs_threads_run(cb_exec_t *x)
{
  unsigned per, n = cb_procs_split(x->concurrency, x->procs, x->pus, &per);

  x->workers = x->inflight = x->concurrency;
  x->nprocs = n;
  x->per_proc = per;
  return cb__fpool_run_hybrid(x, &proc_body, n, per, x->concurrency - (n - 1) * per, 0);
}

const cb_runner_t cb_runner_procs_threads = {
  .name = "procs-threads",
  .description = "P forked processes (--procs) with a pool of T threads each, c = P x T",
  .transports = (const char *const[]){ "pipe", "shm", NULL },
  .dispatches = (const char *const[]){ "shared", "queue", "roundtrip", NULL },
  .kin = &cb__kin_threads,
  .forks_workers = 1,
  .fds_per_worker = 2, /* at most: a process's two pipes' coordinator ends, T >= 1 threads */
  .model = "procs-threads",
  .survives_crash = 1,
  .procs_per_worker = 2, /* at most: its thread and a process of its own (T = 1) */
  .takes_procs = 1,
  .styles = (const cb_style_t[]){ { "#CC79A7", 15 },   /* pipe: reddish purple, pentagon */
                                  { "#999999", 15 } }, /* shm: grey, pentagon */
  .workers = procs_threads_workers,
  .run = procs_threads_run,
};
