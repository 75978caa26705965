/* The fork pool: forked worker processes that take tasks by a dispatch mode
 * and move payloads by a transport, with crash containment, run by the
 * trial process's main thread as coordinator. What each worker process
 * does between its start and end barriers is its body's (kit.h): one
 * worker loop (processes.c), or a thread pool, or a loop, for a hybrid.
 *
 * - "shared" (the default): the next task index comes from an atomic counter
 *   in a MAP_SHARED mapping and results go straight into the trial's shared
 *   result array, as in the thread pool (and in shared-memory process pools).
 *   Workers never wait for the coordinator between tasks.
 * - "queue": Python's multiprocessing.Pool. One task pipe that the
 *   coordinator keeps as full as it will go (as the pool's task handler
 *   does; under "shm", two tasks per slot, one buffer each), read by
 *   whichever worker is free under a lock, and one result pipe written
 *   under another lock. It prices pipe IPC per task.
 * - "roundtrip": the coordinator hands each worker slot one task and waits
 *   for its result before it sends the next: one synchronous round trip per
 *   task, what a naive pool built on one pipe pair per worker costs.
 *
 * Payloads (--payload) travel between the coordinator and the workers by the
 * transport: "pipe" writes the bytes after the task message and the result
 * message; "shm" copies them into a buffer shared with the worker and sends
 * only the buffer's number. In shared mode a worker's inputs are kept two
 * tasks per slot ahead on its own pipe, so it does not wait for the
 * coordinator either. Output bytes are read once by the coordinator where
 * they arrive, and checked for workloads whose result they are (writes_out).
 *
 * The coordinator is not pinned (as in every runner); it sleeps in
 * epoll_wait unless it moves tasks, payloads or results, and its CPU time
 * counts with the trial's (cb__usage_stop).
 *
 * A worker that dies (a crash, a SIGKILL from outside) shows up as
 * end-of-file on its own result pipe. The tasks its slots held (the shared
 * mapping says which) are counted failed once, it is reaped and a
 * replacement is forked while tasks remain: the folklore "a crash does not
 * take down a process pool", implemented rather than assumed. A task that a
 * worker took but could not even record is found at the end: every task
 * handed out that never came back failed with its worker. In queue mode a
 * worker that dies in the middle of a message larger than a pipe's atomic
 * write leaves the shared pipe unusable (multiprocessing.Pool hangs then);
 * the trial ends with an error that says so. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fpool.h"

static int watch(pool_t *p, int fd, uint32_t tag, uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.u32 = tag };

  return epoll_ctl(p->ep, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

/* Fork worker `id` into its slot, with a fresh pair of pipes. */
static int spawn(pool_t *p, unsigned id, int initial)
{
  proc_t *w = &p->w[id];
  int cp[2] = { -1, -1 }, rp[2] = { -1, -1 }, err = 0;
  unsigned j;

  if (pipe2(cp, O_CLOEXEC) != 0 || pipe2(rp, O_CLOEXEC) != 0) {
    err = -errno;
    cb__msg(p->x, "pipe for worker %u: %s", id, strerror(-err));
    goto fail;
  }
  for (j = 0; j < p->slots; j++) {
    atomic_store(&cb__fpool_proc(p, id)[j].current, NONE);
    atomic_store(&cb__fpool_proc(p, id)[j].taken, 0);
  }
  w->pid = fork();
  if (w->pid < 0) {
    err = -errno;
    cb__msg(p->x, "fork of worker %u of %u: %s", id + 1, p->n, strerror(-err));
    goto fail;
  }
  if (w->pid == 0) {
    /* Keep only this worker's ends of its own pipes (and the queue's). */
    for (j = 0; j < p->n; j++) {
      cb__close_fd(&p->w[j].out.fd);
      cb__close_fd(&p->w[j].res);
    }
    cb__close_fd(&p->ep);
    cb__close_fd(&p->tq_out.fd);
    cb__close_fd(&p->rq[0]);
    close(cp[1]);
    close(rp[0]);
    cb__fwork_main(p, id, cp[0], rp[1]);
  }
  close(cp[0]);
  close(rp[1]);
  memset(&w->out, 0, sizeof(w->out));
  w->out.fd = cp[1];
  w->out.id = (int)id;
  w->res = rp[0];
  w->state = W_STARTING;
  w->initial = initial;
  p->live++;
  fcntl(w->out.fd, F_SETFL, O_NONBLOCK);
  err = watch(p, w->res, id, EPOLLIN);
  if (err == 0)
    err = watch(p, w->out.fd, p->n + id, EPOLLOUT | EPOLLET);
  if (err != 0)
    cb__msg(p->x, "epoll_ctl: %s", strerror(-err)); /* the caller's shutdown reaps it */
  return err;

fail:
  cb__close_fd(&rp[0]);
  cb__close_fd(&rp[1]);
  cb__close_fd(&cp[0]);
  cb__close_fd(&cp[1]);
  w->pid = -1;
  w->state = W_GONE;
  return err;
}

static void reap(pool_t *p, unsigned id)
{
  proc_t *w = &p->w[id];

  epoll_ctl(p->ep, EPOLL_CTL_DEL, w->res, NULL);
  if (w->out.fd >= 0)
    epoll_ctl(p->ep, EPOLL_CTL_DEL, w->out.fd, NULL);
  cb__close_fd(&w->res);
  cb__close_fd(&w->out.fd);
  if (w->pid > 0)
    waitpid(w->pid, NULL, 0);
  w->pid = -1;
  w->state = W_GONE;
  p->live--;
}

/* Work may remain for a replacement. */
static int work_left(pool_t *p)
{
  int queued = 0;

  if (p->mode == D_SHARED)
    return atomic_load(&p->sh->next) < p->x->params->tasks;
  if (p->next < p->x->params->tasks)
    return 1;
  return p->mode == D_QUEUE && ioctl(p->tq_rd, FIONREAD, &queued) == 0 && queued > 0;
}

/* A task that a dead worker's slot held is lost: counted failed once, and
 * in queue mode its credit and buffer go back to the queue. */
static int lose(pool_t *p, wshared_t *slot)
{
  uint64_t lost = atomic_load(&slot->current);

  if (lost == NONE || p->x->results[lost].seen != 0 || p->x->results[lost].err != 0)
    return 0;
  p->x->results[lost].err = -ECHILD;
  p->x->failed++;
  p->t_last = cb_now_ns();
  if (p->mode != D_QUEUE)
    return 0;
  p->tq_out.credits++;
  if (p->shm)
    p->tq_out.bufs[p->tq_out.nbufs++] = atomic_load(&slot->current_buf);
  return cb__fchan_feed(p, &p->tq_out);
}

/* A worker's own result pipe reached end-of-file: it is gone, and with it
 * the tasks its slots held. */
static int on_death(pool_t *p, unsigned id)
{
  proc_t *w = &p->w[id];
  wshared_t *ws = cb__fpool_proc(p, id);
  int was = w->state, err = 0;
  unsigned j;

  /* Its last result may still wait in the shared result pipe. */
  if (p->mode == D_QUEUE && (err = cb__fchan_read_results(p)) != 0)
    return err;
  if (w->initial && p->started)
    cb__ru_add(&p->x->ru_prestart, &(cb__ru_t){ 0 }, &ws->ru_start);
  reap(p, id);
  /* Its death is the last thing it did in the task phase: the tasks it held
   * end there, failed, even when the pool cannot name them until the end
   * (a loop's slots: count_lost), and even when no survivor marks a later
   * end (the last process died on the last task). */
  if (p->started && was != W_DONE)
    p->t_last = cb_now_ns();
  for (j = 0; j < p->slots && err == 0; j++)
    err = lose(p, &ws[j]);
  if (err != 0)
    return err;
  if (atomic_load(&p->sh->broken)) {
    cb__msg(p->x, "a worker died inside a message on the shared task or result pipe: "
            "the queue is unusable (multiprocessing.Pool hangs in this case)");
    return -EPIPE;
  }
  if (was == W_STARTING) {
    cb__msg(p->x, "worker %u died during start-up", id);
    return -ECHILD;
  }
  if (was == W_DONE || !work_left(p))
    return 0;
  err = spawn(p, id, 0);
  return err;
}

static int on_message(pool_t *p, unsigned id, const msg_t *m)
{
  proc_t *w = &p->w[id];

  switch (m->type) {
  case MSG_READY:
    if (w->state != W_STARTING)
      break;
    w->state = W_RUNNING;
    /* Its channel: two inputs per slot ahead in shared mode (none
     * without a payload), one task per slot at a time in roundtrip mode. */
    if (p->mode != D_QUEUE)
      cb__fchan_reset(p, &w->out, p->buf_ids + id * 2 * p->slots, id * 2 * p->slots,
                      (p->mode == D_ROUNDTRIP ? 1 : p->payload > 0 ? 2 : 0) *
                          cb__fpool_slots(p, id));
    return p->started && p->mode != D_QUEUE ? cb__fchan_feed(p, &w->out) : 0;
  case MSG_RESULT:
    if (p->mode != D_QUEUE && w->state == W_RUNNING)
      return cb__fchan_on_result(p, w->res, m);
    break;
  case MSG_DONE:
    if (w->state != W_RUNNING)
      break;
    w->state = W_DONE;
    p->done++;
    return 0;
  default:
    break;
  }
  cb__msg(p->x, "worker %u sent an unexpected message (type %u)", id, m->type);
  return -EPROTO;
}

enum { TAG_RQ = 0x7ffffffe, TAG_TQ = 0x7fffffff };

/* Serve events until every live worker is done (or, at start-up, ready). */
static int serve(pool_t *p, int startup)
{
  struct epoll_event ev[64];
  unsigned ready;
  msg_t m;
  int n, i, r, err = 0;

  for (;;) {
    for (ready = 0, i = 0; i < (int)p->n; i++)
      ready += p->w[i].state == (startup ? W_RUNNING : W_DONE);
    if (ready == p->live && !(startup && p->live < p->n))
      break;
    n = epoll_wait(p->ep, ev, (int)CB_ARRAY_SIZE(ev), -1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    for (i = 0; i < n && err == 0; i++) {
      uint32_t tag = ev[i].data.u32;
      if (tag == TAG_RQ) {
        err = cb__fchan_read_results(p);
      } else if (tag == TAG_TQ) {
        err = cb__fchan_feed(p, &p->tq_out);
      } else if (tag >= p->n) {
        if (p->w[tag - p->n].state == W_RUNNING)
          err = cb__fchan_feed(p, &p->w[tag - p->n].out);
      } else if (p->w[tag].state != W_GONE && cb__readable(p->w[tag].res)) {
        r = cb__read_full(p->w[tag].res, &m, sizeof(m));
        err = r == 1 ? on_message(p, tag, &m) : on_death(p, tag);
      }
    }
    if (err != 0)
      return err;
  }
  /* Every worker is done: what they sent before saying so is in the pipe. */
  return p->mode == D_QUEUE && !startup ? cb__fchan_read_results(p) : 0;
}

/* Tasks handed out that never came back were lost with a worker that could
 * not even record them. */
static void count_lost(pool_t *p)
{
  uint64_t n = p->mode == D_SHARED ? atomic_load(&p->sh->next) : p->next, i;

  if (n > p->x->params->tasks)
    n = p->x->params->tasks;
  for (i = 0; i < n; i++) {
    if (p->x->results[i].seen == 0 && p->x->results[i].err == 0) {
      p->x->results[i].err = -ECHILD;
      p->x->failed++;
    }
  }
}

static int init_lock(pthread_mutex_t *m)
{
  pthread_mutexattr_t a;
  int err;

  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  err = -pthread_mutex_init(m, &a);
  pthread_mutexattr_destroy(&a);
  return err;
}

/* The shared mapping, the "shm" buffers, the queue's pipes: all made before
 * the first fork, so every worker (and any replacement) inherits them. */
static int pool_init(pool_t *p)
{
  cb_exec_t *x = p->x;
  int tq[2] = { -1, -1 }, err = 0;
  unsigned i;

  p->w = calloc(p->n, sizeof(*p->w));
  p->buf_ids = calloc(2 * (size_t)p->n * p->slots, sizeof(*p->buf_ids));
  p->recv = malloc(p->payload > 0 ? p->payload : 1);
  p->sh_len = sizeof(shared_t) + (size_t)p->n * p->slots * sizeof(wshared_t);
  p->sh = cb__map_shared(p->sh_len);
  if (p->w == NULL || p->buf_ids == NULL || p->recv == NULL || p->sh == NULL)
    return -ENOMEM;
  for (i = 0; i < p->n; i++)
    p->w[i].res = p->w[i].out.fd = -1;
  atomic_init(&p->sh->next, 0);
  if ((err = init_lock(&p->sh->rlock)) != 0 || (err = init_lock(&p->sh->wlock)) != 0)
    return err;
  p->nbufs = 2 * p->n * p->slots; /* two per slot, or two per slot's share of the queue */
  if (p->shm && p->payload > 0) {
    p->bufs = cb__map_shared((size_t)p->nbufs * 2 * p->payload);
    if (p->bufs == NULL) {
      cb__msg(x, "shared memory for %u payload buffers: %s", p->nbufs, strerror(errno));
      return -errno;
    }
  }
  if (p->mode == D_QUEUE) {
    if (pipe2(tq, O_CLOEXEC) != 0 || pipe2(p->rq, O_CLOEXEC) != 0)
      return -errno;
    p->tq_rd = tq[0];
    fcntl(tq[1], F_SETFL, O_NONBLOCK);
    /* Like multiprocessing.Pool's task handler, the coordinator puts every
     * task into the queue as fast as the pipe takes them; under "shm" as
     * many as there are buffers (two per slot). */
    cb__fchan_reset(p, &p->tq_out, p->buf_ids, 0, p->shm ? p->nbufs : UINT_MAX);
    p->tq_out.fd = tq[1];
    if ((err = watch(p, p->rq[0], TAG_RQ, EPOLLIN)) != 0 ||
        (err = watch(p, tq[1], TAG_TQ, EPOLLOUT | EPOLLET)) != 0)
      return err;
  }
  return 0;
}

static void pool_free(pool_t *p)
{
  cb__close_fd(&p->tq_rd);
  cb__close_fd(&p->tq_out.fd);
  cb__close_fd(&p->rq[0]);
  cb__close_fd(&p->rq[1]);
  if (p->ep >= 0)
    close(p->ep);
  if (p->bufs != NULL)
    munmap(p->bufs, (size_t)p->nbufs * 2 * p->payload);
  if (p->sh != NULL) {
    pthread_mutex_destroy(&p->sh->rlock);
    pthread_mutex_destroy(&p->sh->wlock);
    munmap(p->sh, p->sh_len);
  }
  free(p->recv);
  free(p->buf_ids);
  free(p->w);
}

/* Let every worker go (after an error: kill them first) and reap them all. */
static void shutdown_pool(pool_t *p, int kill_them)
{
  unsigned i;

  atomic_store(&p->sh->leave, 1);
  cb__futex_wake(&p->sh->leave);
  if (atomic_load(&p->sh->go) == 0) {
    atomic_store(&p->sh->go, -1);
    cb__futex_wake(&p->sh->go);
  }
  for (i = 0; i < p->n; i++) {
    if (p->w[i].state == W_GONE)
      continue;
    if (kill_them && p->w[i].pid > 0)
      kill(p->w[i].pid, SIGKILL);
    if (p->w[i].initial && p->started && !kill_them)
      cb__ru_add(&p->x->ru_prestart, &(cb__ru_t){ 0 }, &cb__fpool_proc(p, i)->ru_start);
    reap(p, i);
  }
}

static int mode_of(const char *dispatch)
{
  if (dispatch != NULL && strcmp(dispatch, "queue") == 0)
    return D_QUEUE;
  if (dispatch != NULL && strcmp(dispatch, "roundtrip") == 0)
    return D_ROUNDTRIP;
  return D_SHARED;
}

/* Prime every channel before the clock: a pool's queue is full when its
 * workers start. */
static int prime(pool_t *p)
{
  unsigned i;
  int err = 0;

  if (p->mode == D_QUEUE)
    return cb__fchan_feed(p, &p->tq_out);
  for (i = 0; i < p->n && err == 0; i++) {
    if (p->mode == D_ROUNDTRIP || p->payload > 0)
      err = cb__fchan_feed(p, &p->w[i].out);
  }
  return err;
}

static uint64_t last_result(pool_t *p)
{
  uint64_t t = p->t_last;
  unsigned i;

  for (i = 0; i < p->n * p->slots; i++) {
    if (p->sh->w[i].t_end > t)
      t = p->sh->w[i].t_end;
  }
  return t;
}

/* last: slots of the last process; inplace: the body moves no payload
 * through the pool (kit.h, cb__fpool_run_hybrid). */
static int pool_run(cb_exec_t *x, const cb__fbody_t *body, unsigned procs, unsigned slots,
                    unsigned last, int inplace)
{
  pool_t p = {
    .x = x,
    .body = body,
    .n = procs,
    .slots = slots > 0 ? slots : 1,
    .last = last > 0 && last < slots ? last : slots > 0 ? slots : 1,
    .mode = mode_of(x->dispatch),
    .shm = x->transport != NULL && strcmp(x->transport, "shm") == 0,
    .writes_out = x->wl->writes_out,
    .payload = inplace ? 0 : (size_t)x->params->payload,
    .ep = -1,
    .tq_rd = -1,
    .tq_out = { .fd = -1, .id = -1 },
    .rq = { -1, -1 },
  };
  struct sigaction ign = { .sa_handler = SIG_IGN }, old;
  uint64_t t_begin, t0, t_last;
  unsigned i;
  int err;

  /* A write to a dead worker must fail with EPIPE, not kill the trial. */
  sigaction(SIGPIPE, &ign, &old);
  x->checks_out = !inplace && p.writes_out && p.payload > 0;
  p.ep = epoll_create1(EPOLL_CLOEXEC);
  err = p.ep < 0 ? -errno : pool_init(&p);
  if (err != 0) {
    cb__msg(x, "setting up the pool: %s", strerror(-err));
    goto out;
  }

  t_begin = cb_now_ns();
  for (i = 0; i < p.n && err == 0; i++)
    err = spawn(&p, i, 1);
  if (err == 0)
    err = serve(&p, 1);
  if (err == 0)
    err = prime(&p);
  if (err != 0)
    goto stop;

  t0 = cb_now_ns();
  x->startup_ns = t0 - t_begin;
  p.t_last = t0;
  cb__usage_start(x);
  p.started = 1;
  atomic_store(&p.sh->go, 1);
  cb__futex_wake(&p.sh->go);
  err = serve(&p, 0);
  if (err != 0)
    goto stop;
  cb__mem_sample(x); /* every worker done and waiting: all alive */
  t_last = last_result(&p);
  shutdown_pool(&p, 0);
  count_lost(&p);
  cb__usage_stop(x);
  x->wall_ns = t_last - t0;
  x->teardown_ns = cb_now_ns() - t_last;
  goto out;

stop:
  shutdown_pool(&p, 1);
out:
  pool_free(&p);
  sigaction(SIGPIPE, &old, NULL);
  return err;
}

int cb__fpool_run(cb_exec_t *x, const cb__fbody_t *body, unsigned procs, unsigned slots)
{
  return pool_run(x, body, procs, slots, slots, 0);
}

int cb__fpool_run_hybrid(cb_exec_t *x, const cb__fbody_t *body, unsigned procs, unsigned slots,
                         unsigned last, int inplace)
{
  return pool_run(x, body, procs, slots, last, inplace);
}
