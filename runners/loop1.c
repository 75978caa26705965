/* The loop1 runner: one libuv loop in one thread keeps all c tasks in
 * flight, for any c: the default of asyncio and node, beside eventloop's
 * loop per PU. It is the kit's loop driver with one loop (kit/uvloop.c says
 * how a loop keeps its slots busy and how it holds the GIL); the model is
 * the event loop's, so it competes as eventloop's variant. A workload
 * without an asynchronous form runs inline and blocks the loop: one task in
 * flight. It lends no kin to blocking tasks. */
#include "kit.h"

static unsigned loop1_workers(unsigned c, unsigned pus, unsigned procs)
{
  CB_UNUSED(c);
  CB_UNUSED(pus);
  CB_UNUSED(procs);
  return 1;
}

static int loop1_run(cb_exec_t *x)
{
  cb__loops_t p;
  uint64_t t_begin;
  int err;

  x->workers = x->nprocs = 1;
  x->per_proc = x->concurrency;
  x->inline_tasks = x->wl->async_start == NULL;
  x->inflight = x->inline_tasks ? 1 : x->concurrency;

  t_begin = cb_now_ns();
  err = cb__loops_start(&p, x, 1, x->concurrency, 0, 1, NULL);
  return cb__tpool_trial(&p.threads, x, err, t_begin);
}

const cb_runner_t cb_runner_loop1 = {
  .name = "loop1",
  .description = "libuv: one loop in one thread keeps c tasks in flight (asyncio's, node's)",
  .transports = (const char *const[]){ "inproc", NULL },
  .dispatches = (const char *const[]){ "shared", NULL },
  .kin = NULL,
  .async_form = 1,
  .model = "eventloop",
  .procs_per_worker = 1, /* the loop thread */
  .styles = (const cb_style_t[]){ { "#F0E442", 11 } }, /* yellow, triangle down (a loop) */
  .workers = loop1_workers,
  .run = loop1_run,
};
