/* The processes runner: a pool of c forked workers, one task at a time each.
 * What separates it from the thread pool is the model, separate address
 * spaces, and nothing else: how a worker learns its next task is a recorded
 * option (--dispatch: shared, queue, roundtrip) and how payloads travel is
 * another (--transport: pipe, shm), the same for every workload. The kit's
 * fork pool (kit/fpool.c) implements both, the start and end barriers and
 * crash containment: a worker that dies loses the task it held, counted
 * failed, and is replaced.
 *
 * Its kin are processes too (kit/kin.c): a fresh worker is fork + _exit +
 * waitpid, and a token goes to a partner process (one per worker) over a
 * pair of pipes. Under --gil each worker has a GIL of its own, which nobody
 * else ever wants: that is how a process pool escapes Python's GIL. */
#include "gil.h"
#include "kit.h"

static unsigned processes_workers(unsigned c, unsigned pus, unsigned procs)
{
  CB_UNUSED(pus);
  CB_UNUSED(procs);
  return c;
}

static int worker_enter(cb__fworker_t *k)
{
  return cb__worker_enter(k->x, &k->w, &cb__kin_processes, "proc", k->id, 1);
}

/* One worker, one slot: take a task, run it, give its result back. */
static int worker_work(cb__fworker_t *k)
{
  cb__ftask_t t;
  int r;

  while ((r = cb__fpool_take(k, 0, &t)) == 1) {
    cb_gil_enter();
    t.err = cb__task_run(k->x, &k->w, t.in, t.out, t.index, &t.checksum);
    cb_gil_leave();
    if ((r = cb__fpool_give(k, 0, &t, k->w.out)) != 0)
      break;
  }
  return r;
}

static void worker_leave(cb__fworker_t *k)
{
  cb__kin_processes_leave();
  cb__worker_leave(k->x, &k->w);
}

static const cb__fbody_t worker_body = {
  .enter = worker_enter,
  .work = worker_work,
  .leave = worker_leave,
};

static int processes_run(cb_exec_t *x)
{
  x->workers = x->inflight = x->nprocs = x->concurrency;
  x->per_proc = 1;
  return cb__fpool_run(x, &worker_body, x->concurrency, 1);
}

const cb_runner_t cb_runner_processes = {
  .name = "processes",
  .description = "a pool of c forked workers; tasks from a shared counter (or --dispatch)",
  .transports = (const char *const[]){ "pipe", "shm", NULL },
  .dispatches = (const char *const[]){ "shared", "queue", "roundtrip", NULL },
  .kin = &cb__kin_processes,
  .forks_workers = 1,
  .fds_per_worker = 2, /* its two pipes' coordinator ends */
  .model = "processes",
  .survives_crash = 1,
  .procs_per_worker = 1,
  .styles = (const cb_style_t[]){ { "#D55E00", 5 },   /* pipe: vermillion, square */
                                  { "#E69F00", 9 } }, /* shm: orange, triangle */
  .workers = processes_workers,
  .run = processes_run,
};
