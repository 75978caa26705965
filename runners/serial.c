/* The serial runner: the trial process runs every task itself, one after the
 * other. It is the baseline every speedup is measured against, so it does
 * nothing a concurrent runner would not also have to do. Its kin are plain
 * function calls: "starting a worker" or "handing a token to a partner" costs
 * it a call through a pointer, the floor under what threads and processes
 * pay for the same. Under --gil it holds the one GIL (uncontended) from the
 * first task to the last. */
#include "gil.h"
#include "kit.h"

static unsigned serial_workers(unsigned c, unsigned pus, unsigned procs)
{
  CB_UNUSED(c);
  CB_UNUSED(pus);
  CB_UNUSED(procs);
  return 1;
}

static void empty_body(void)
{
}

/* Called through volatile pointers so the compiler cannot remove the calls. */
static void (*volatile body)(void) = empty_body;

static void partner_visit(uint64_t *token)
{
  (*token)++;
}

static void (*volatile visit)(uint64_t *token) = partner_visit;

static int serial_spawn(void)
{
  body();
  return 0;
}

static int serial_pingpong(uint64_t n, uint64_t *token)
{
  uint64_t i;

  for (i = 0; i < n; i++)
    visit(token);
  return 0;
}

static const cb_kin_t serial_kin = {
  .spawn = serial_spawn,
  .pingpong = serial_pingpong,
};

static int serial_run(cb_exec_t *x)
{
  cb__worker_t w;
  uint64_t t0, t_last, i;
  int err;

  x->workers = 1;
  x->inflight = 1;
  x->nprocs = x->per_proc = 1;
  t0 = cb_now_ns();
  err = cb__worker_enter(x, &w, &serial_kin, "serial", 0, 1);
  x->startup_ns = cb_now_ns() - t0;
  if (err == 0) {
    cb__usage_start(x);
    t0 = t_last = cb_now_ns();
    cb_gil_enter();
    for (i = 0; i < x->params->tasks; i++) {
      cb__run_one(x, &w, i, t_last);
      t_last = cb_now_ns();
      cb_gil_checkpoint();
    }
    cb_gil_leave();
    x->wall_ns = t_last - t0;
    cb__mem_sample(x); /* the one worker is alive: it is this process */
  }
  cb__worker_leave(x, &w);
  if (err == 0) {
    cb__usage_stop(x);
    x->teardown_ns = cb_now_ns() - t_last;
  }
  return err;
}

const cb_runner_t cb_runner_serial = {
  .name = "serial",
  .description = "the trial process runs every task itself, one at a time (the baseline)",
  .transports = (const char *const[]){ "inproc", NULL },
  .dispatches = (const char *const[]){ "none", NULL },
  .kin = &serial_kin,
  .reference = 1,
  .model = "serial",
  .procs_per_worker = 0, /* the trial process runs every task itself */
  .styles = (const cb_style_t[]){ { "#000000", 13 } }, /* black, diamond */
  .workers = serial_workers,
  .run = serial_run,
};
