/* The procs-loops runner: P forked processes, each running one libuv loop
 * that keeps T tasks in flight, c = P x T (nginx, node's cluster, uvicorn
 * with workers). --procs picks P (default one per PU); cb_procs_split
 * (include/runner.h) says how c is split when P does not divide it. It is
 * the kit's fork pool with the kit's loop driver as each process's body
 * (runners/kit/kit.h, "Processes of loops"), so it differs from eventloop
 * and processes only in the model.
 *
 * Process i's loop thread is worker i of the plan (pinned there). What the
 * kit supports for loops is shared dispatch: each loop takes task indexes
 * from the pool's shared counter and stores results in place in the shared
 * result array; the payload input is read where the fork left it, so no
 * payload crosses a process boundary (transport "inproc"). A crash kills a
 * process with the tasks its loop held: they are counted failed when the
 * trial ends (tasks taken from the counter that never came back), not when
 * the process dies, and the pool forks a replacement while tasks remain.
 * Under --gil each process has one GIL of its own, held by its loop as the
 * eventloop runner's loops hold theirs (kit/uvloop.c). Like eventloop, it
 * lends no kin to blocking tasks. */
#include <errno.h>
#include <stdlib.h>

#include "kit.h"

static unsigned procs_loops_workers(unsigned c, unsigned pus, unsigned procs)
{
  return cb_procs_split(c, procs, pus, NULL); /* one loop thread per process */
}

static int proc_enter(cb__fworker_t *k)
{
  cb__loops_t *lp = calloc(1, sizeof(*lp));

  if (lp == NULL)
    return -ENOMEM;
  k->data = lp;
  return cb__loops_start(lp, k->x, 1, k->slots, k->id, 0, cb__fpool_counter(k));
}

static int proc_work(cb__fworker_t *k)
{
  cb__loops_t *lp = k->data;
  uint64_t t_last = 0;

  cb__tpool_release(&lp->threads);
  if (cb__tpool_finish(&lp->threads, &t_last) != 0)
    return -ECANCELED;
  cb__fpool_mark_end(k, t_last);
  return 0;
}

static void proc_leave(cb__fworker_t *k)
{
  cb__loops_t *lp = k->data;

  if (lp != NULL) {
    cb__tpool_stop(&lp->threads);
    free(lp);
    k->data = NULL;
  }
}

static const cb__fbody_t proc_body = {
  .enter = proc_enter,
  .work = proc_work,
  .leave = proc_leave,
};

static int procs_loops_run(cb_exec_t *x)
{
  unsigned per, n = cb_procs_split(x->concurrency, x->procs, x->pus, &per);

  x->workers = x->nprocs = n;
  x->per_proc = per;
  /* Without an asynchronous form a task blocks its loop: one in flight per
   * process, however many slots its loop has (as for eventloop). */
  x->inline_tasks = x->wl->async_start == NULL;
  x->inflight = x->inline_tasks ? n : x->concurrency;
  return cb__fpool_run_hybrid(x, &proc_body, n, per, x->concurrency - (n - 1) * per, 1);
}

const cb_runner_t cb_runner_procs_loops = {
  .name = "procs-loops",
  .description = "P forked processes (--procs) with one libuv loop of T tasks each, c = P x T; "
                 "shared dispatch only",
  .transports = (const char *const[]){ "inproc", NULL },
  .dispatches = (const char *const[]){ "shared", NULL },
  .kin = NULL,
  .forks_workers = 1,
  .fds_per_worker = 2, /* a process's two pipes' coordinator ends */
  .async_form = 1,
  .model = "procs-loops",
  .survives_crash = 1,
  .procs_per_worker = 2, /* its loop thread and its process's main thread */
  .takes_procs = 1,
  .styles = (const cb_style_t[]){ { "#56B4E9", 15 } }, /* sky blue, pentagon (a hybrid) */
  .workers = procs_loops_workers,
  .run = procs_loops_run,
};
