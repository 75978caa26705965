/* The libuv loop driver: L loop threads (a thread pool whose body runs a
 * loop) that together keep `slots` tasks in flight (loop j has slots/L, the
 * first slots%L loops one more). The eventloop runner is this driver in the
 * trial process; a hybrid runs one loop with T slots in each forked worker.
 *
 * A slot starts a task through the workload's asynchronous form (timers, TCP,
 * fs requests) and starts the next one from the completion callback. A
 * workload without an asynchronous form runs inline in an idle callback and
 * blocks its loop: that is what CPU work does to an event loop, and measuring
 * it is the point. Loops and handles are not thread-safe, so every handle
 * belongs to exactly one loop thread; only the task counter is shared.
 *
 * Under --gil (include/gil.h) a loop thread holds the GIL while it runs
 * callbacks and releases it while it waits for events, as CPython's asyncio
 * does in each thread that runs a loop (selector.select() is the one place
 * the loop lets go). libuv has no hook around its epoll_wait, so the driver
 * runs the loop the way an embedder does: uv_run(UV_RUN_NOWAIT) with the
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

typedef struct loop_s loop_t;

typedef struct slot_s {
  cb_async_t a;
  loop_t *lp;
  uint64_t t_start;
  int open;
} slot_t;

struct loop_s {
  cb__loops_t *pool;
  cb__thread_t *t;
  unsigned nslots, finished;
  slot_t *slots;
  unsigned char *slot_mem;
  unsigned char *out_mem;  /* payload room, one per slot */
  uv_loop_t loop;
  uv_idle_t idle;  /* drives inline tasks */
  uint64_t t_end;
  int inited;
};

static int take(cb__loops_t *p, uint64_t *index)
{
  *index = atomic_fetch_add_explicit(p->next, 1, memory_order_relaxed);
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
  cb__loops_t *p = s->lp->pool;
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
    cb__run_one(lp->pool->x, &lp->t->w, index, cb_now_ns());
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

/* The loop's work, once every loop is ready and released. */
static void loop_work(cb__thread_t *t)
{
  loop_t *lp = t->data;
  unsigned i;

  /* The loop's clock still reads the time before the wait at the gate:
   * without this, the first timers would expire early. */
  uv_update_time(&lp->loop);
  cb_gil_enter(); /* starting the first tasks is callback work too */
  if (lp->pool->inline_form)
    uv_idle_start(&lp->idle, idle_cb);
  else
    for (i = 0; i < lp->nslots; i++)
      slot_next(&lp->slots[i]);
  run_loop(&lp->loop);
  t->t_end = lp->t_end;
}

/* Before the start barrier: the thread becomes worker t->worker, its loop
 * is made and, in the asynchronous form, its slots opened. */
static int loop_enter(cb__thread_t *t)
{
  cb__loops_t *p = t->pool->arg;
  loop_t *lp = calloc(1, sizeof(*lp));
  int err;

  t->data = lp;
  if (lp == NULL) {
    cb__msg(p->x, "loop %u: no memory", t->worker);
    return -ENOMEM;
  }
  lp->pool = p;
  lp->t = t;
  lp->nslots = p->slots / t->pool->n + (t->id < p->slots % t->pool->n);
  err = cb__worker_enter(p->x, &t->w, NULL, "loop", t->worker, p->inline_form);
  if (err == 0) {
    err = uv_loop_init(&lp->loop);
    lp->inited = err == 0;
  }
  if (err == 0 && p->inline_form) {
    err = uv_idle_init(&lp->loop, &lp->idle);
    lp->idle.data = lp;
  } else if (err == 0) {
    err = open_slots(lp);
    if (err == 0)
      uv_run(&lp->loop, UV_RUN_DEFAULT); /* let the slots' opening requests finish */
  }
  if (err != 0)
    cb__msg(p->x, "loop %u: %s", t->worker, uv_strerror(err));
  return err;
}

/* Whatever happened, close what is still open and let the callbacks run. */
static void loop_leave(cb__thread_t *t)
{
  loop_t *lp = t->data;
  int err;

  if (lp == NULL)
    return;
  if (lp->inited) {
    close_slots(lp);
    uv_walk(&lp->loop, close_walk, NULL);
    uv_run(&lp->loop, UV_RUN_DEFAULT);
  }
  cb__worker_leave(lp->pool->x, &t->w);
  err = lp->inited ? uv_loop_close(&lp->loop) : 0;
  if (err != 0)
    cb__msg(lp->pool->x, "loop %u could not be closed: %s", t->worker, uv_strerror(err));
  free(lp->out_mem);
  free(lp->slot_mem);
  free(lp->slots);
  free(lp);
  t->data = NULL;
}

static const cb__tbody_t loop_body = {
  .enter = loop_enter,
  .work = loop_work,
  .leave = loop_leave,
};

int cb__loops_start(cb__loops_t *p, cb_exec_t *x, unsigned loops, unsigned slots,
                    unsigned first, int measure, atomic_uint_fast64_t *next)
{
  p->x = x;
  p->slots = slots;
  p->inline_form = x->wl->async_start == NULL;
  p->next = next != NULL ? next : &p->threads.next;
  return cb__tpool_start(&p->threads, x, &loop_body, p, loops, first, measure);
}
