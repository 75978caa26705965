/* The eventloop runner: libuv. L = min(c, PUs) loops, each in its own pinned
 * thread, together keep exactly c tasks in flight (loop j has c/L slots, the
 * first c%L loops one more), so concurrency means the same thing as for the
 * other runners. With c = 1 it is the classic single loop.
 *
 * A slot starts a task through the workload's asynchronous form (timers, TCP,
 * fs requests) and starts the next one from the completion callback. A
 * workload without an asynchronous form runs inline in an idle callback and
 * blocks its loop: that is what CPU work does to an event loop, and measuring
 * it is the point. Loops and handles are not thread-safe, so every handle
 * belongs to exactly one loop thread; only the task counter is shared.
 *
 * It lends no kin to blocking tasks: a loop that waits for a partner or a
 * child inside a callback is no event loop. Workloads that need kin bring an
 * asynchronous form, which does the same with handles on the loop.
 *
 * Under --gil (include/gil.h) a loop thread holds the GIL while it runs
 * callbacks and releases it while it waits for events, as CPython's asyncio
 * does in each thread that runs a loop (selector.select() is the one place
 * the loop lets go). libuv has no hook around its epoll_wait, so the runner
 * drives the loop the way an embedder does: uv_run(UV_RUN_NOWAIT) with the
 * GIL held (every callback of that turn, I/O callbacks included, runs under
 * it), then, when uv_backend_timeout() says the loop would block, poll() on
 * uv_backend_fd() with the GIL released. Between turns the loop passes a
 * checkpoint; inline tasks pass their own. With the GIL off the loop runs
 * with UV_RUN_DEFAULT, as it always did. The threads of libuv's pool
 * (io.file) only make the system calls, which CPython runs without the GIL. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "gil.h"
#include "kit.h"

typedef struct pool_s pool_t;
typedef struct loop_s loop_t;

typedef struct slot_s {
  cb_async_t a;
  loop_t *lp;
  uint64_t t_start;
  int open;
} slot_t;

struct loop_s {
  pool_t *pool;
  pthread_t tid;
  unsigned id, nslots, finished, closing;
  slot_t *slots;
  unsigned char *slot_mem;
  unsigned char *out_mem;  /* payload room, one per slot */
  cb__worker_t w;          /* for inline tasks */
  uv_loop_t loop;
  uv_idle_t idle;  /* drives inline tasks */
  uint64_t t_end;
  int err;
  int inited;
};

struct pool_s {
  cb_exec_t *x;
  atomic_uint_fast64_t next;
  cb__gate_t gate, end; /* the start barrier; the end barrier (memory) */
};

static unsigned eventloop_workers(unsigned c, unsigned pus)
{
  return c < pus ? c : (pus > 0 ? pus : 1);
}

static int take(pool_t *p, uint64_t *index)
{
  *index = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
  return *index < p->x->params->tasks;
}

static void slot_closed(cb_async_t *a)
{
  CB_UNUSED(a);
}

/* Close every slot still open; the loop must then run for the callbacks. A
 * slot whose async_open failed left nothing open (the contract). */
static void close_slots(loop_t *lp)
{
  unsigned i;

  for (i = 0; i < lp->nslots && lp->slots != NULL; i++) {
    if (lp->slots[i].open) {
      lp->slots[i].open = 0;
      lp->pool->x->wl->async_close(&lp->slots[i].a, slot_closed);
    }
  }
}

static void loop_finished_slot(loop_t *lp)
{
  if (++lp->finished < lp->nslots)
    return;
  lp->t_end = cb_now_ns();
  close_slots(lp);
}

static void task_done(cb_async_t *a, int err, uint64_t checksum);

/* Start tasks on this slot until one is in flight or none is left. */
static void slot_next(slot_t *s)
{
  pool_t *p = s->lp->pool;
  uint64_t index;
  int err;

  while (take(p, &index)) {
    s->a.index = index;
    s->t_start = cb_now_ns();
    err = p->x->wl->async_start(&s->a);
    if (err == 0)
      return;
    p->x->results[index].err = err;
    p->x->results[index].seen++;
  }
  loop_finished_slot(s->lp);
}

static void task_done(cb_async_t *a, int err, uint64_t checksum)
{
  slot_t *s = a->runner_data;
  cb_task_result_t *r = &s->lp->pool->x->results[a->index];

  r->lat_ns = cb_now_ns() - s->t_start;
  r->checksum = checksum;
  r->err = err;
  r->seen++;
  slot_next(s);
}

/* Inline form: one blocking task per loop iteration, so the loop still turns. */
static void idle_cb(uv_idle_t *h)
{
  loop_t *lp = h->data;
  uint64_t index;

  if (take(lp->pool, &index)) {
    cb__run_one(lp->pool->x, &lp->w, index, cb_now_ns());
    return;
  }
  uv_idle_stop(h);
  lp->t_end = cb_now_ns();
  uv_close((uv_handle_t *)h, NULL);
}

static int open_slots(loop_t *lp)
{
  const cb_workload_t *wl = lp->pool->x->wl;
  size_t sz = wl->async_slot_size, payload = (size_t)lp->pool->x->params->payload;
  unsigned i;
  int err;

  lp->slots = calloc(lp->nslots, sizeof(*lp->slots));
  lp->slot_mem = calloc(lp->nslots, sz > 0 ? sz : 1);
  lp->out_mem = malloc(lp->nslots * (payload > 0 ? payload : 1));
  if (lp->slots == NULL || lp->slot_mem == NULL || lp->out_mem == NULL)
    return -ENOMEM;
  for (i = 0; i < lp->nslots; i++) {
    slot_t *s = &lp->slots[i];
    s->lp = lp;
    s->a.loop = &lp->loop;
    s->a.params = lp->pool->x->params;
    s->a.state = lp->pool->x->state;
    s->a.in = lp->pool->x->in;
    s->a.out = payload > 0 ? lp->out_mem + i * payload : NULL;
    s->a.done = task_done;
    s->a.slot = lp->slot_mem + i * sz;
    s->a.runner_data = s;
    err = wl->async_open != NULL ? wl->async_open(&s->a) : 0;
    if (err != 0)
      return err;
    s->open = 1;
  }
  return 0;
}

static void close_walk(uv_handle_t *h, void *arg)
{
  CB_UNUSED(arg);
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

/* Run the loop until it has nothing left to do; under --gil, with the GIL
 * held except while it waits for events (see the top of the file). */
static void run_loop(uv_loop_t *loop)
{
  struct pollfd pfd = { .fd = uv_backend_fd(loop), .events = POLLIN };
  int timeout;

  if (!cb_gil_enabled()) {
    uv_run(loop, UV_RUN_DEFAULT);
    return;
  }
  cb_gil_enter();
  while (uv_run(loop, UV_RUN_NOWAIT) != 0) {
    cb_gil_checkpoint();
    timeout = uv_backend_timeout(loop);
    if (timeout == 0)
      continue;
    cb_gil_release();
    while (poll(&pfd, 1, timeout) < 0 && errno == EINTR)
      ;
    cb_gil_acquire();
  }
  cb_gil_leave();
}

/* Start the loop's work once every loop is ready; 1 when it ran. */
static int loop_work(loop_t *lp, int inline_form)
{
  unsigned i;

  if (cb__gate_wait(&lp->pool->gate))
    return 0;
  /* The loop's clock still reads the time before the wait at the gate:
   * without this, the first timers would expire early. */
  uv_update_time(&lp->loop);
  cb_gil_enter(); /* starting the first tasks is callback work too */
  if (inline_form)
    uv_idle_start(&lp->idle, idle_cb);
  else
    for (i = 0; i < lp->nslots; i++)
      slot_next(&lp->slots[i]);
  run_loop(&lp->loop);
  return 1;
}

static void *loop_main(void *arg)
{
  loop_t *lp = arg;
  pool_t *p = lp->pool;
  int inline_form = p->x->wl->async_start == NULL;

  lp->err = cb__worker_enter(p->x, &lp->w, NULL, "loop", lp->id, inline_form);
  if (lp->err == 0 && inline_form) {
    lp->err = uv_idle_init(&lp->loop, &lp->idle);
    lp->idle.data = lp;
  } else if (lp->err == 0) {
    lp->err = open_slots(lp);
    if (lp->err == 0)
      uv_run(&lp->loop, UV_RUN_DEFAULT); /* let the slots' opening requests finish */
  }
  if (lp->err != 0) {
    cb__msg(p->x, "loop %u: %s", lp->id, uv_strerror(lp->err));
    cb__gate_abort(&p->gate);
  } else if (loop_work(lp, inline_form)) {
    cb__gate_wait(&p->end); /* every loop alive while memory is sampled */
  }
  /* Whatever happened, close what is still open and let the callbacks run. */
  close_slots(lp);
  uv_walk(&lp->loop, close_walk, NULL);
  uv_run(&lp->loop, UV_RUN_DEFAULT);
  cb__worker_leave(p->x, &lp->w);
  return NULL;
}

static void free_loop(cb_exec_t *x, loop_t *lp)
{
  int err = lp->inited ? uv_loop_close(&lp->loop) : 0;

  if (err != 0)
    cb__msg(x, "loop %u could not be closed: %s", lp->id, uv_strerror(err));
  free(lp->out_mem);
  free(lp->slot_mem);
  free(lp->slots);
}

static int eventloop_run(cb_exec_t *x)
{
  pool_t p = { .x = x };
  loop_t *lps;
  unsigned n = eventloop_workers(x->concurrency, x->pus), started = 0, i;
  uint64_t t_begin, t0, t_last = 0;
  int err = 0;

  lps = calloc(n, sizeof(*lps));
  if (lps == NULL)
    return -ENOMEM;
  cb__gate_init(&p.gate);
  cb__gate_init(&p.end);
  atomic_init(&p.next, 0);
  x->workers = n;
  /* Without an asynchronous form a task blocks its loop: only one per loop
   * is in flight, however many slots the loop has. */
  x->inline_tasks = x->wl->async_start == NULL;
  x->inflight = x->inline_tasks ? n : x->concurrency;

  t_begin = cb_now_ns();
  for (i = 0; i < n && err == 0; i++) {
    lps[i].pool = &p;
    lps[i].id = i;
    lps[i].nslots = x->concurrency / n + (i < x->concurrency % n);
    err = uv_loop_init(&lps[i].loop);
    lps[i].inited = err == 0;
    if (err == 0)
      err = -pthread_create(&lps[i].tid, NULL, loop_main, &lps[i]);
    if (err != 0)
      cb__msg(x, "starting loop %u of %u: %s", i + 1, n, strerror(-err));
    else
      started++;
  }
  if (err != 0)
    cb__gate_abort(&p.gate);
  cb__gate_await(&p.gate, started);
  t0 = cb_now_ns();
  cb__usage_start(x);
  cb__gate_open(&p.gate);
  x->startup_ns = t0 - t_begin;
  if (err == 0 && !cb__gate_aborted(&p.gate) && !cb__gate_await(&p.end, started))
    cb__mem_sample(x);
  cb__gate_open(&p.end);

  for (i = 0; i < started; i++) {
    pthread_join(lps[i].tid, NULL);
    if (err == 0 && lps[i].err != 0)
      err = lps[i].err; /* the first loop that failed, and why */
  }
  for (i = 0; i < started && err == 0; i++) {
    if (lps[i].t_end > t_last)
      t_last = lps[i].t_end;
  }
  if (err == 0) {
    cb__usage_stop(x);
    x->wall_ns = t_last - t0;
    x->teardown_ns = cb_now_ns() - t_last;
  }

  for (i = 0; i < n; i++)
    free_loop(x, &lps[i]);
  cb__gate_destroy(&p.end);
  cb__gate_destroy(&p.gate);
  free(lps);
  return err;
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
