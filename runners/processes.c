/* The processes runner: a pool of c forked workers. What separates it from the
 * thread pool is the model, separate address spaces, and nothing else: how a
 * worker learns its next task is a recorded option (--dispatch), the same
 * for every workload.
 *
 * - "shared" (the default): the next task index comes from an atomic counter
 *   in a MAP_SHARED mapping and results go straight into the trial's shared
 *   result array, as in the thread pool (and in shared-memory process pools).
 *   Workers never wait for the coordinator between tasks.
 * - "queue": Python's multiprocessing.Pool. One task pipe that the
 *   coordinator keeps as full as it will go (as the pool's task handler
 *   does; under "shm", 2c tasks, one buffer each), read by whichever worker
 *   is free under a lock, and one result pipe written under another lock.
 *   It prices pipe IPC per task.
 * - "roundtrip": the coordinator hands each worker one task and waits for
 *   its result before it sends the next: one synchronous round trip per
 *   task, what a naive pool built on one pipe pair per worker costs.
 *
 * Payloads (--payload) travel between the coordinator and the workers by the
 * transport: "pipe" writes the bytes after the task message and the result
 * message; "shm" copies them into a buffer shared with the worker and sends
 * only the buffer's number. In shared mode a worker's inputs are kept two
 * tasks ahead on its own pipe, so it does not wait for the coordinator
 * either. Output bytes are read once by the coordinator where they arrive,
 * and checked for workloads whose result they are (writes_out).
 *
 * The coordinator is the trial process's main thread, not pinned (as in
 * every runner); it sleeps in epoll_wait unless it moves tasks, payloads or
 * results, and its CPU time counts with the trial's (cb__usage_stop).
 *
 * A worker that dies (a crash, a SIGKILL from outside) shows up as
 * end-of-file on its own result pipe. The task it held (its slot in the
 * shared mapping says which) is counted failed once, it is reaped and a
 * replacement is forked while tasks remain: the folklore "a crash does not
 * take down a process pool", implemented rather than assumed. A task that a
 * worker took but could not even record is found at the end: every task
 * handed out that never came back failed with its worker. In queue mode a
 * worker that dies in the middle of a message larger than a pipe's atomic
 * write leaves the shared pipe unusable (multiprocessing.Pool hangs then);
 * the trial ends with an error that says so.
 *
 * Its kin are processes too: a fresh worker is fork + _exit + waitpid, and a
 * token goes to a partner process (one per worker) over a pair of pipes.
 * Workers end with _exit(): they are forks of a process that may hold libuv
 * or stdio state, and must not run its exit handlers. Under --gil each
 * worker has a GIL of its own, which nobody else ever wants: that is how a
 * process pool escapes Python's GIL. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gil.h"
#include "kit.h"

enum { D_SHARED, D_QUEUE, D_ROUNDTRIP };
enum { MSG_READY = 1, MSG_RESULT, MSG_DONE };
enum { W_GONE, W_STARTING, W_RUNNING, W_DONE };

#define NONE UINT64_MAX

/* Coordinator to worker: a task (or, in shared mode, an input for whichever
 * task the worker takes next), followed by the payload under "pipe". */
typedef struct task_msg_s {
  uint64_t index;
  uint32_t buf; /* "shm": the buffer holding its input */
  uint32_t pad;
} task_msg_t;

/* Worker to coordinator, followed by the output bytes under "pipe". Both
 * messages are smaller than PIPE_BUF, so each write is atomic. */
typedef struct msg_s {
  uint32_t type, worker;
  int32_t err;
  uint32_t buf;
  uint64_t index, checksum, t_taken;
} msg_t;

/* Per worker, in the shared mapping; a cache line each. */
typedef struct wshared_s {
  _Alignas(64) _Atomic uint64_t current; /* the task it runs, or NONE */
  _Atomic uint64_t taken;                /* shared mode: tasks it tried to take */
  _Atomic uint32_t current_buf;
  uint64_t t_end;    /* when it stored its last result (shared mode) */
  cb__ru_t ru_start; /* its own use at the release: start-up, not task work */
} wshared_t;

typedef struct shared_s {
  _Alignas(64) atomic_uint_fast64_t next; /* shared mode: the next task */
  _Alignas(64) atomic_int go;             /* start barrier: 0 wait, 1 go, -1 abandon */
  atomic_int leave;                       /* end barrier: 1 once memory is sampled */
  atomic_int broken;                      /* queue: a worker died inside a message */
  pthread_mutex_t rlock, wlock;           /* queue: task pipe readers, result pipe writers */
  wshared_t w[];
} shared_t;

/* What the coordinator still has to write on one pipe. A message starts
 * only when a credit (a task the receiver may hold) and, under "shm", a
 * buffer are free; a result gives both back. */
typedef struct chan_s {
  int fd;
  int id;                /* the worker it feeds, -1 for the queue */
  uint64_t sent;         /* messages started since the reset */
  unsigned credits;
  unsigned *bufs, nbufs; /* free buffers (a stack) */
  int busy;              /* a message is part written */
  task_msg_t head;
  size_t off;
} chan_t;

typedef struct proc_s {
  pid_t pid;
  int res;     /* worker to coordinator (read end) */
  int state;
  int initial; /* forked before the release */
  chan_t out;  /* coordinator to worker: its pipe's write end (-1 once closed)
                  and, in shared and roundtrip modes, what goes on it */
} proc_t;

typedef struct pool_s {
  cb_exec_t *x;
  proc_t *w;
  unsigned n;
  int mode, shm, writes_out;
  size_t payload;
  shared_t *sh;
  size_t sh_len;
  unsigned char *bufs; /* "shm": 2 * payload bytes per buffer, input then output */
  unsigned nbufs;
  unsigned *buf_ids;   /* storage behind the channels' free stacks */
  int ep;
  int tq_rd, rq[2];    /* queue mode: the task pipe's read end, the result pipe */
  chan_t tq_out;       /* queue mode: the task pipe's write end */
  uint64_t next;       /* queue and roundtrip: the next task to hand out */
  uint64_t t_last;
  unsigned live, done;
  unsigned char *recv; /* "pipe": output bytes land here */
  int started;         /* the workers were released */
} pool_t;

static int read_full(int fd, void *buf, size_t len)
{
  size_t got = 0;
  ssize_t r;

  while (got < len) {
    r = read(fd, (char *)buf + got, len - got);
    if (r == 0)
      return got == 0 ? 0 : -EPROTO;
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    got += (size_t)r;
  }
  return 1;
}

static int write_full(int fd, const void *buf, size_t len)
{
  size_t put = 0;
  ssize_t r;

  while (put < len) {
    r = write(fd, (const char *)buf + put, len - put);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    put += (size_t)r;
  }
  return 0;
}

static void close_fd(int *fd)
{
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

/* An event of an earlier epoll_wait may be stale by the time it is handled
 * (a death handled before it drained the pipe, or replaced the worker): read
 * only what is there now. */
static int readable(int fd)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };

  return poll(&pfd, 1, 0) > 0;
}

static void futex_wait(atomic_int *a, int val)
{
  syscall(SYS_futex, a, FUTEX_WAIT, val, NULL, NULL, 0);
}

static void futex_wake(atomic_int *a)
{
  syscall(SYS_futex, a, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Kin: a fresh process, and a partner process for pingpong. */

typedef struct partner_s {
  pid_t pid;
  int to, from;
} partner_t;

static partner_t my_partner = { .pid = -1, .to = -1, .from = -1 };

static int processes_spawn(void)
{
  pid_t pid = fork();

  if (pid < 0)
    return -errno;
  if (pid == 0)
    _exit(0);
  while (waitpid(pid, NULL, 0) < 0) {
    if (errno != EINTR)
      return -errno;
  }
  return 0;
}

static void partner_main(int from, int to)
{
  uint64_t token;

  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  while (read_full(from, &token, sizeof(token)) == 1) {
    token++;
    if (write_full(to, &token, sizeof(token)) != 0)
      break;
  }
  _exit(0);
}

static int processes_partner_start(void)
{
  partner_t *pt = &my_partner;
  int a[2] = { -1, -1 }, b[2] = { -1, -1 }, err = 0;

  if (pt->pid > 0)
    return 0;
  if (pipe2(a, O_CLOEXEC) != 0 || pipe2(b, O_CLOEXEC) != 0) {
    err = -errno;
    goto fail;
  }
  pt->pid = fork();
  if (pt->pid < 0) {
    err = -errno;
    goto fail;
  }
  if (pt->pid == 0) {
    close(a[1]);
    close(b[0]);
    partner_main(a[0], b[1]);
  }
  close(a[0]);
  close(b[1]);
  pt->to = a[1];
  pt->from = b[0];
  return 0;

fail:
  for (int i = 0; i < 2; i++) {
    close_fd(&a[i]);
    close_fd(&b[i]);
  }
  pt->pid = -1;
  return err;
}

static void partner_stop(void)
{
  partner_t *pt = &my_partner;

  if (pt->pid <= 0)
    return;
  close_fd(&pt->to);
  close_fd(&pt->from);
  waitpid(pt->pid, NULL, 0);
  pt->pid = -1;
}

static int processes_pingpong(uint64_t n, uint64_t *token)
{
  partner_t *pt = &my_partner;
  uint64_t i;
  int err = processes_partner_start();

  for (i = 0; i < n && err == 0; i++) {
    err = write_full(pt->to, token, sizeof(*token));
    if (err == 0)
      err = read_full(pt->from, token, sizeof(*token)) == 1 ? 0 : -EPIPE;
  }
  return err;
}

static const cb_kin_t processes_kin = {
  .spawn = processes_spawn,
  .pingpong = processes_pingpong,
  .partner_start = processes_partner_start,
};

static unsigned processes_workers(unsigned c, unsigned pus)
{
  CB_UNUSED(pus);
  return c;
}

/* The worker side. */

typedef struct wk_s {
  pool_t *p;
  unsigned id;
  int ctl, res;        /* its own pipes */
  cb__worker_t w;
  unsigned char *in;   /* "pipe": the input lands here */
} wk_t;

static unsigned char *buf_in(pool_t *p, uint32_t buf)
{
  return p->bufs + (size_t)buf * 2 * p->payload;
}

static unsigned char *buf_out(pool_t *p, uint32_t buf)
{
  return buf_in(p, buf) + p->payload;
}

/* Take a process-shared lock that a dead worker may have held. 0, or -EPIPE
 * when the stream it guards may have been left half way through a message. */
static int lock_robust(pool_t *p, pthread_mutex_t *m)
{
  int r = pthread_mutex_lock(m);

  if (r == EOWNERDEAD) {
    pthread_mutex_consistent(m);
    if (!p->shm && p->payload > 0) {
      atomic_store(&p->sh->broken, 1);
      pthread_mutex_unlock(m);
      return -EPIPE;
    }
    return 0;
  }
  return -r;
}

/* The next task message: from the worker's own pipe, or from the shared
 * task pipe under its lock. 1, 0 at the end of the tasks, or -errno. The
 * worker's slot names the task before the lock is let go. */
static int next_message(wk_t *k, task_msg_t *tm)
{
  pool_t *p = k->p;
  size_t piped = p->shm ? 0 : p->payload;
  int fd = p->mode == D_QUEUE ? p->tq_rd : k->ctl, r, err;

  if (p->mode == D_QUEUE && (err = lock_robust(p, &p->sh->rlock)) != 0)
    return err;
  r = read_full(fd, tm, sizeof(*tm));
  if (r == 1 && piped > 0)
    r = read_full(fd, k->in, piped) == 1 ? 1 : -EPROTO;
  if (r == 1 && tm->index != NONE)
    atomic_store(&p->sh->w[k->id].current, tm->index);
  atomic_store(&p->sh->w[k->id].current_buf, tm->buf);
  if (p->mode == D_QUEUE)
    pthread_mutex_unlock(&p->sh->rlock);
  return r;
}

static int send_result(wk_t *k, const msg_t *m, const unsigned char *out)
{
  pool_t *p = k->p;
  int fd = p->mode == D_QUEUE ? p->rq[1] : k->res, err;

  if (p->mode == D_QUEUE && (err = lock_robust(p, &p->sh->wlock)) != 0)
    return err;
  err = write_full(fd, m, sizeof(*m));
  if (err == 0 && !p->shm && p->payload > 0)
    err = write_full(fd, out, p->payload);
  if (p->mode == D_QUEUE)
    pthread_mutex_unlock(&p->sh->wlock);
  return err;
}

/* One task: take it, run it, hand its result back. 1 when one ran, 0 when
 * none is left, -errno when the worker must stop. */
static int work_one(wk_t *k)
{
  pool_t *p = k->p;
  wshared_t *me = &p->sh->w[k->id];
  task_msg_t tm = { .index = NONE };
  msg_t m = { .type = MSG_RESULT, .worker = k->id };
  unsigned char *in = k->in, *out = k->w.out;
  cb_task_result_t *r;
  uint64_t index = NONE;
  int rc;

  if (p->mode == D_SHARED) {
    /* Counted before the take, so the coordinator, which reads the counter
     * first and this after, never misses a task that needs an input. */
    atomic_fetch_add(&me->taken, 1);
    index = atomic_fetch_add(&p->sh->next, 1);
    if (index >= p->x->params->tasks)
      return 0;
    atomic_store_explicit(&me->current, index, memory_order_relaxed);
  }
  m.t_taken = cb_now_ns();
  if (p->mode != D_SHARED || p->payload > 0) {
    rc = next_message(k, &tm);
    if (rc != 1)
      return rc;
    if (p->mode != D_SHARED) {
      index = tm.index;
      m.t_taken = cb_now_ns();
    }
    if (p->shm) {
      in = buf_in(p, tm.buf);
      out = buf_out(p, tm.buf);
    }
  }
  cb_gil_enter();
  m.err = cb__task_run(p->x, &k->w, in, out, index, &m.checksum);
  cb_gil_leave();
  if (p->mode == D_SHARED && p->payload == 0) {
    r = &p->x->results[index];
    r->checksum = m.checksum;
    r->err = m.err;
    me->t_end = cb_now_ns();
    r->lat_ns = me->t_end - m.t_taken;
    __atomic_fetch_add(&r->seen, 1, __ATOMIC_RELEASE); /* seen is a plain uint32_t */
  } else {
    m.index = index;
    m.buf = tm.buf;
    rc = send_result(k, &m, out);
    if (rc != 0)
      return rc;
  }
  atomic_store_explicit(&me->current, NONE, memory_order_release);
  return 1;
}

/* The body of a worker process; never returns. */
static void worker_main(pool_t *p, unsigned id, int ctl, int res)
{
  wk_t k = { .p = p, .id = id, .ctl = ctl, .res = res };
  msg_t m = { .type = MSG_READY, .worker = id };
  int go, r;

  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* never outlive the pool */
  if (cb__worker_enter(p->x, &k.w, &processes_kin, "proc", id, 1) != 0)
    _exit(3);
  if (!p->shm && p->payload > 0 && (k.in = malloc(p->payload)) == NULL)
    _exit(3);
  if (write_full(res, &m, sizeof(m)) != 0)
    _exit(4);
  while ((go = atomic_load(&p->sh->go)) == 0)
    futex_wait(&p->sh->go, 0);
  if (go < 0)
    _exit(0);
  cb__ru_sample(RUSAGE_SELF, &p->sh->w[id].ru_start);
  while ((r = work_one(&k)) == 1)
    ;
  m.type = MSG_DONE;
  if (r == 0 && write_full(res, &m, sizeof(m)) == 0) {
    while (atomic_load(&p->sh->leave) == 0)
      futex_wait(&p->sh->leave, 0);
  }
  partner_stop();
  cb__worker_leave(p->x, &k.w);
  free(k.in);
  _exit(r == 0 ? 0 : 5);
}

/* The coordinator side. */

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
  atomic_store(&p->sh->w[id].current, NONE);
  atomic_store(&p->sh->w[id].taken, 0);
  w->pid = fork();
  if (w->pid < 0) {
    err = -errno;
    cb__msg(p->x, "fork of worker %u of %u: %s", id + 1, p->n, strerror(-err));
    goto fail;
  }
  if (w->pid == 0) {
    /* Keep only this worker's ends of its own pipes (and the queue's). */
    for (j = 0; j < p->n; j++) {
      close_fd(&p->w[j].out.fd);
      close_fd(&p->w[j].res);
    }
    close_fd(&p->ep);
    close_fd(&p->tq_out.fd);
    close_fd(&p->rq[0]);
    close(cp[1]);
    close(rp[0]);
    worker_main(p, id, cp[0], rp[1]);
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
  close_fd(&rp[0]);
  close_fd(&rp[1]);
  close_fd(&cp[0]);
  close_fd(&cp[1]);
  w->pid = -1;
  w->state = W_GONE;
  return err;
}

/* Give a channel its credits and (under "shm") its buffers first..first+n-1. */
static void chan_reset(pool_t *p, chan_t *ch, unsigned *stack, unsigned first, unsigned n)
{
  unsigned i;

  ch->credits = n;
  ch->sent = 0;
  ch->busy = 0;
  ch->off = 0;
  ch->bufs = stack;
  ch->nbufs = p->shm ? n : 0; /* n is 2c at most under "shm" */
  for (i = 0; i < ch->nbufs; i++)
    stack[i] = first + i;
}

/* The task the next message on a channel carries; 0 when none is left. In
 * shared mode a message is an input for whichever task the worker takes
 * next: one for each task it took, and two ahead while tasks remain. */
static int next_task(pool_t *p, const chan_t *ch, task_msg_t *tm)
{
  int left;

  if (p->mode == D_SHARED) {
    tm->index = NONE;
    left = atomic_load(&p->sh->next) < p->x->params->tasks;
    return ch->sent < atomic_load(&p->sh->w[ch->id].taken) + (left ? 2 : 0);
  }
  if (p->next >= p->x->params->tasks)
    return 0;
  tm->index = p->next++;
  return 1;
}

/* Write what the channel may write now; stop at a full pipe (epoll calls
 * again when it drains). 1 when it has nothing left to send, else 0; -errno. */
static int chan_flush(pool_t *p, chan_t *ch)
{
  size_t len = sizeof(task_msg_t) + (p->shm ? 0 : p->payload), part;
  const void *src;
  ssize_t r;

  while (ch->fd >= 0) {
    if (!ch->busy) {
      if (ch->credits == 0 || (p->shm && ch->nbufs == 0))
        return 0;
      if (!next_task(p, ch, &ch->head))
        return 1;
      ch->sent++;
      ch->credits--;
      ch->head.buf = p->shm ? ch->bufs[--ch->nbufs] : 0;
      if (p->shm && p->payload > 0)
        memcpy(buf_in(p, ch->head.buf), p->x->in, p->payload);
      ch->busy = 1;
      ch->off = 0;
    }
    if (ch->off < sizeof(task_msg_t)) {
      src = (const char *)&ch->head + ch->off;
      part = sizeof(task_msg_t) - ch->off;
    } else {
      src = p->x->in + (ch->off - sizeof(task_msg_t));
      part = len - ch->off;
    }
    r = write(ch->fd, src, part);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0 && errno == EAGAIN)
      return 0;
    if (r < 0)
      return errno == EPIPE ? 0 : -errno; /* EPIPE: it died; its end-of-file is on the way */
    ch->off += (size_t)r;
    if (ch->off == len)
      ch->busy = 0;
  }
  return 1;
}

/* Feed a channel; when no task is left for it, tell its reader so. */
static int feed(pool_t *p, chan_t *ch)
{
  int r = chan_flush(p, ch);

  if (r == 1 && p->mode != D_SHARED && ch->fd >= 0) {
    epoll_ctl(p->ep, EPOLL_CTL_DEL, ch->fd, NULL);
    close_fd(&ch->fd);
  }
  return r < 0 ? r : 0;
}

static chan_t *chan_of(pool_t *p, unsigned id)
{
  return p->mode == D_QUEUE ? &p->tq_out : &p->w[id].out;
}

static int on_result(pool_t *p, int fd, const msg_t *m)
{
  cb_task_result_t *r;
  const unsigned char *out = NULL;
  chan_t *ch;
  uint64_t now;

  if (m->index >= p->x->params->tasks || m->worker >= p->n) {
    cb__msg(p->x, "worker %u sent a result for task %llu of %llu", m->worker,
            (unsigned long long)m->index, (unsigned long long)p->x->params->tasks);
    return -EPROTO;
  }
  if (!p->shm && p->payload > 0) {
    if (read_full(fd, p->recv, p->payload) != 1)
      return -EPIPE; /* it died half way through its answer */
    out = p->recv;
  } else if (p->shm && p->payload > 0) {
    out = buf_out(p, m->buf);
  }
  r = &p->x->results[m->index];
  if (out != NULL && p->writes_out)
    r->out_digest = cb_out_digest(p->x->params, m->index, out);
  now = cb_now_ns();
  r->checksum = m->checksum;
  r->err = m->err;
  r->lat_ns = now - m->t_taken;
  r->seen++;
  p->t_last = now;
  ch = chan_of(p, m->worker);
  ch->credits++;
  if (p->shm)
    ch->bufs[ch->nbufs++] = m->buf;
  return feed(p, ch);
}

static void reap(pool_t *p, unsigned id)
{
  proc_t *w = &p->w[id];

  epoll_ctl(p->ep, EPOLL_CTL_DEL, w->res, NULL);
  if (w->out.fd >= 0)
    epoll_ctl(p->ep, EPOLL_CTL_DEL, w->out.fd, NULL);
  close_fd(&w->res);
  close_fd(&w->out.fd);
  if (w->pid > 0)
    waitpid(w->pid, NULL, 0);
  w->pid = -1;
  w->state = W_GONE;
  p->live--;
}

static int read_results(pool_t *p);

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

/* A worker's own result pipe reached end-of-file: it is gone. */
static int on_death(pool_t *p, unsigned id)
{
  proc_t *w = &p->w[id];
  wshared_t *ws = &p->sh->w[id];
  uint64_t lost = atomic_load(&ws->current);
  int was = w->state, err;

  /* Its last result may still wait in the shared result pipe. */
  if (p->mode == D_QUEUE && (err = read_results(p)) != 0)
    return err;
  if (w->initial && p->started)
    cb__ru_add(&p->x->ru_prestart, &(cb__ru_t){ 0 }, &ws->ru_start);
  reap(p, id);
  if (lost != NONE && p->x->results[lost].seen == 0 && p->x->results[lost].err == 0) {
    p->x->results[lost].err = -ECHILD;
    p->x->failed++;
    p->t_last = cb_now_ns();
    if (p->mode == D_QUEUE) {
      p->tq_out.credits++;
      if (p->shm)
        p->tq_out.bufs[p->tq_out.nbufs++] = atomic_load(&ws->current_buf);
      if ((err = feed(p, &p->tq_out)) != 0)
        return err;
    }
  }
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
    /* Its channel: two inputs ahead in shared mode (none without a
     * payload), one task at a time in roundtrip mode. */
    if (p->mode != D_QUEUE)
      chan_reset(p, &w->out, p->buf_ids + id * 2, id * 2,
                 p->mode == D_ROUNDTRIP ? 1 : p->payload > 0 ? 2 : 0);
    return p->started && p->mode != D_QUEUE ? feed(p, &w->out) : 0;
  case MSG_RESULT:
    if (p->mode != D_QUEUE && w->state == W_RUNNING)
      return on_result(p, w->res, m);
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

/* Every result there is on the shared result pipe. */
static int read_results(pool_t *p)
{
  int queued = 0, err = 0;
  msg_t m;

  do {
    /* Messages are written whole (smaller than PIPE_BUF): a part is never there. */
    if (ioctl(p->rq[0], FIONREAD, &queued) != 0 || queued < (int)sizeof(m))
      return 0;
    if (read_full(p->rq[0], &m, sizeof(m)) != 1 || m.type != MSG_RESULT) {
      cb__msg(p->x, "the result pipe lost its framing");
      return -EPROTO;
    }
    err = on_result(p, p->rq[0], &m);
  } while (err == 0);
  return err;
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
        err = read_results(p);
      } else if (tag == TAG_TQ) {
        err = feed(p, &p->tq_out);
      } else if (tag >= p->n) {
        if (p->w[tag - p->n].state == W_RUNNING)
          err = feed(p, &p->w[tag - p->n].out);
      } else if (p->w[tag].state != W_GONE && readable(p->w[tag].res)) {
        r = read_full(p->w[tag].res, &m, sizeof(m));
        err = r == 1 ? on_message(p, tag, &m) : on_death(p, tag);
      }
    }
    if (err != 0)
      return err;
  }
  /* Every worker is done: what they sent before saying so is in the pipe. */
  return p->mode == D_QUEUE && !startup ? read_results(p) : 0;
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

static void *map_shared(size_t len)
{
  void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

  return m == MAP_FAILED ? NULL : m;
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
  p->buf_ids = calloc(2 * (size_t)p->n, sizeof(*p->buf_ids));
  p->recv = malloc(p->payload > 0 ? p->payload : 1);
  p->sh_len = sizeof(shared_t) + p->n * sizeof(wshared_t);
  p->sh = map_shared(p->sh_len);
  if (p->w == NULL || p->buf_ids == NULL || p->recv == NULL || p->sh == NULL)
    return -ENOMEM;
  for (i = 0; i < p->n; i++)
    p->w[i].res = p->w[i].out.fd = -1;
  atomic_init(&p->sh->next, 0);
  if ((err = init_lock(&p->sh->rlock)) != 0 || (err = init_lock(&p->sh->wlock)) != 0)
    return err;
  p->nbufs = 2 * p->n; /* two per worker, or two per worker's share of the queue */
  if (p->shm && p->payload > 0) {
    p->bufs = map_shared((size_t)p->nbufs * 2 * p->payload);
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
     * many as there are buffers (two per worker). */
    chan_reset(p, &p->tq_out, p->buf_ids, 0, p->shm ? 2 * p->n : UINT_MAX);
    p->tq_out.fd = tq[1];
    if ((err = watch(p, p->rq[0], TAG_RQ, EPOLLIN)) != 0 ||
        (err = watch(p, tq[1], TAG_TQ, EPOLLOUT | EPOLLET)) != 0)
      return err;
  }
  return 0;
}

static void pool_free(pool_t *p)
{
  close_fd(&p->tq_rd);
  close_fd(&p->tq_out.fd);
  close_fd(&p->rq[0]);
  close_fd(&p->rq[1]);
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
  futex_wake(&p->sh->leave);
  if (atomic_load(&p->sh->go) == 0) {
    atomic_store(&p->sh->go, -1);
    futex_wake(&p->sh->go);
  }
  for (i = 0; i < p->n; i++) {
    if (p->w[i].state == W_GONE)
      continue;
    if (kill_them && p->w[i].pid > 0)
      kill(p->w[i].pid, SIGKILL);
    if (p->w[i].initial && p->started && !kill_them)
      cb__ru_add(&p->x->ru_prestart, &(cb__ru_t){ 0 }, &p->sh->w[i].ru_start);
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
    return feed(p, &p->tq_out);
  for (i = 0; i < p->n && err == 0; i++) {
    if (p->mode == D_ROUNDTRIP || p->payload > 0)
      err = feed(p, &p->w[i].out);
  }
  return err;
}

static uint64_t last_result(pool_t *p)
{
  uint64_t t = p->t_last;
  unsigned i;

  for (i = 0; i < p->n; i++) {
    if (p->sh->w[i].t_end > t)
      t = p->sh->w[i].t_end;
  }
  return t;
}

static int processes_run(cb_exec_t *x)
{
  pool_t p = {
    .x = x,
    .n = x->concurrency,
    .mode = mode_of(x->dispatch),
    .shm = x->transport != NULL && strcmp(x->transport, "shm") == 0,
    .writes_out = x->wl->writes_out,
    .payload = (size_t)x->params->payload,
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
  x->workers = x->inflight = p.n;
  x->checks_out = p.writes_out && p.payload > 0;
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
  futex_wake(&p.sh->go);
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

const cb_runner_t cb_runner_processes = {
  .name = "processes",
  .description = "a pool of c forked workers; tasks from a shared counter (or --dispatch)",
  .transports = (const char *const[]){ "pipe", "shm", NULL },
  .dispatches = (const char *const[]){ "shared", "queue", "roundtrip", NULL },
  .kin = &processes_kin,
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
