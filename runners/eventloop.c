/* The eventloop runner: libuv. L = min(c, PUs) loops, each in its own pinned
 * thread, together keep exactly c tasks in flight (the kit's loop driver,
 * kit/uvloop.c, says how, and how the GIL is held), so concurrency means the
 * same thing as for the other runners. With c = 1 it is the classic single
 * loop.
 *
 * It lends no kin to blocking tasks: a loop that waits for a partner or a
 * child inside a callback is no event loop. Workloads that need kin bring an
 * asynchronous form, which does the same with handles on the loop. */
#include "kit.h"

static unsigned eventloop_workers(unsigned c, unsigned pus, unsigned procs)
{
  CB_UNUSED(procs);
  return c < pus ? c : (pus > 0 ? pus : 1);
}

static int eventloop_run(cb_exec_t *x)
{
  cb__loops_t p;
  unsigned n = eventloop_workers(x->concurrency, x->pus, 0);
  uint64_t t_begin;
  int err;

  x->workers = n;
  x->nprocs = 1;
  x->per_proc = x->concurrency;
  /* Without an asynchronous form a task blocks its loop: only one per loop
   * is in flight, however many slots the loop has. */
  x->inline_tasks = x->wl->async_start == NULL;
  x->inflight = x->inline_tasks ? n : x->concurrency;

  t_begin = cb_now_ns();
  err = cb__loops_start(&p, x, n, x->concurrency, 0, 1, NULL);
  return cb__tpool_trial(&p.threads, x, err, t_begin);
}

const cb_runner_t cb_runner_eventloop = {
  .name = "eventloop",
  .description = "libuv: min(c, PUs) loops in pinned threads keep c tasks in flight",
  .transports = (const char *const[]){ "inproc", NULL },
  .dispatches = (const char *const[]){ "shared", NULL },
  .kin = NULL,
  .async_form = 1,
  .model = "eventloop",
  .procs_per_worker = 1, /* a loop thread */
  .styles = (const cb_style_t[]){ { "#009E73", 11 } }, /* bluish green, triangle down */
  .workers = eventloop_workers,
  .run = eventloop_run,
};
