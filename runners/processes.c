/* The processes runner: a pool of c forked workers. Every task descriptor and
 * every result crosses a process boundary through a real pipe, one pair per
 * worker, because that is what a process pool costs in real life. Each worker
 * has exactly one task in flight, so c workers keep c tasks in flight.
 *
 * A worker that dies (a crash, a SIGKILL from outside) shows up as end-of-file
 * on its result pipe: its in-flight task is counted as failed, the worker is
 * reaped and a replacement is forked while tasks remain. That is the folklore
 * "a crash does not take down a process pool", implemented rather than assumed.
 *
 * With a payload, the transport decides how the bytes travel. "pipe": they
 * follow the descriptor and the result on the same pipes, so every byte is
 * copied into the kernel and out again each way, as in a pool that sends
 * work to its workers. "shm": each worker shares a mapping with the
 * coordinator (input half, output half); the coordinator copies the input in
 * and the output out, the worker works in place, and only the descriptors
 * cross the pipes. The difference between the two is the transport's own
 * cost; what remains is the cost of copying.
 *
 * Its kin are processes too: a fresh worker is fork + _exit + waitpid, and a
 * token goes to a partner process (one per worker, forked on first use and
 * reaped when the worker leaves) over a pair of pipes.
 *
 * Workers end with _exit(): they are forks of a process that may hold libuv or
 * stdio state, and must not run its exit handlers.
 *
 * Under --gil each worker has a GIL of its own (fork copies the trial
 * process's, which nobody holds): it takes it for each task and lets go while
 * it waits on its pipes. Nobody else ever wants it, which is how a process
 * pool escapes Python's GIL. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gil.h"
#include "runner.h"

enum { MSG_READY = 1, MSG_RESULT, MSG_STATS };

/* Worker to coordinator; small enough for pipe writes to be atomic. */
typedef struct msg_s {
  uint32_t type;
  int32_t err;
  uint64_t index, checksum;
  uint64_t user_ns, sys_ns, vcsw, ivcsw, pss_kb;
} msg_t;

enum { W_STARTING, W_IDLE, W_BUSY, W_CLOSING, W_GONE };

typedef struct proc_s {
  unsigned char *shm; /* "shm" transport: payload in, then payload out */
  pid_t pid;
  int task_fd;   /* coordinator writes task indices */
  int res_fd;    /* coordinator reads msg_t */
  int state;
  uint64_t index, t_sent;
} proc_t;

typedef struct pool_s {
  cb_exec_t *x;
  proc_t *w;
  unsigned n;
  int ep;
  uint64_t next, done, t_last;
  unsigned live;
  int stopping; /* shutting down: only collect statistics and reap */
  int shm;      /* the "shm" transport */
  unsigned char *recv; /* payloads coming back land here */
} pool_t;

static int read_full(int fd, void *buf, size_t len);
static int write_full(int fd, const void *buf, size_t len);

/* A worker's partner for pingpong: the token goes out on `to`, back on `from`. */
typedef struct partner_s {
  pid_t pid;
  int to, from;
} partner_t;

static __thread partner_t my_partner = { .pid = -1, .to = -1, .from = -1 };

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

static int partner_start(partner_t *pt)
{
  int a[2] = { -1, -1 }, b[2] = { -1, -1 }, err = 0;

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
    if (a[i] >= 0)
      close(a[i]);
    if (b[i] >= 0)
      close(b[i]);
  }
  pt->pid = -1;
  return err;
}

static void partner_stop(void)
{
  partner_t *pt = &my_partner;

  if (pt->pid <= 0)
    return;
  close(pt->to);
  close(pt->from);
  waitpid(pt->pid, NULL, 0);
  pt->pid = -1;
  pt->to = pt->from = -1;
}

static int processes_pingpong(uint64_t n, uint64_t *token)
{
  partner_t *pt = &my_partner;
  uint64_t i;
  int err;

  if (pt->pid <= 0 && (err = partner_start(pt)) != 0)
    return err;
  for (i = 0; i < n; i++) {
    err = write_full(pt->to, token, sizeof(*token));
    if (err == 0)
      err = read_full(pt->from, token, sizeof(*token)) == 1 ? 0 : -EPIPE;
    if (err != 0)
      return err;
  }
  return 0;
}

static const cb_kin_t processes_kin = {
  .spawn = processes_spawn,
  .pingpong = processes_pingpong,
};

static unsigned processes_workers(unsigned c, unsigned pus)
{
  CB_UNUSED(pus);
  return c;
}

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

/* Serve tasks until the coordinator closes the task pipe. 0 at a clean end. */
static int worker_serve(cb_exec_t *x, cb__worker_t *w, unsigned char *in, unsigned char *shm,
                        int task_fd, int res_fd)
{
  size_t payload = (size_t)x->params->payload;
  size_t piped = shm != NULL ? 0 : payload;
  unsigned char *out = shm != NULL ? shm + payload : w->out;
  uint64_t index;
  msg_t m;
  int r;

  if (shm != NULL)
    in = shm;
  while ((r = read_full(task_fd, &index, sizeof(index))) == 1) {
    if (piped > 0 && read_full(task_fd, in, piped) != 1)
      return -EPROTO;
    memset(&m, 0, sizeof(m));
    m.type = MSG_RESULT;
    m.index = index;
    cb_gil_enter();
    m.err = cb__task_run(x, w, in, out, index, &m.checksum);
    cb_gil_leave();
    if (write_full(res_fd, &m, sizeof(m)) != 0 ||
        (piped > 0 && write_full(res_fd, out, piped) != 0))
      return -EPIPE;
  }
  return r;
}

/* The body of a worker process; never returns. */
static void worker_main(cb_exec_t *x, unsigned id, unsigned char *shm, int task_fd, int res_fd)
{
  msg_t m = { .type = MSG_READY };
  unsigned char *in = NULL;
  cb__ru_t ru0, ru1;
  cb__worker_t w;
  int r;

  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* never outlive the pool */
  if (cb__worker_enter(x, &w, &processes_kin, "proc", id, 1) != 0)
    _exit(3);
  if (x->params->payload > 0 && (in = malloc((size_t)x->params->payload)) == NULL)
    _exit(3);
  if (write_full(res_fd, &m, sizeof(m)) != 0)
    _exit(4);
  cb__ru_sample(RUSAGE_SELF, &ru0);
  r = worker_serve(x, &w, in, shm, task_fd, res_fd);
  cb__ru_sample(RUSAGE_SELF, &ru1);
  memset(&m, 0, sizeof(m));
  m.type = MSG_STATS;
  m.user_ns = ru1.user_ns - ru0.user_ns;
  m.sys_ns = ru1.sys_ns - ru0.sys_ns;
  m.vcsw = ru1.vcsw - ru0.vcsw;
  m.ivcsw = ru1.ivcsw - ru0.ivcsw;
  m.pss_kb = cb__mem_pss_kb(0);
  partner_stop();
  cb__worker_leave(x, &w);
  free(in);
  write_full(res_fd, &m, sizeof(m));
  _exit(r == 0 ? 0 : 5);
}

/* Fork worker `id` into its slot, with a fresh pair of pipes. */
static int spawn(pool_t *p, unsigned id)
{
  proc_t *w = &p->w[id];
  struct epoll_event ev = { .events = EPOLLIN };
  int tp[2] = { -1, -1 }, rp[2] = { -1, -1 }, err = 0;
  unsigned j;

  if (pipe2(tp, O_CLOEXEC) != 0 || pipe2(rp, O_CLOEXEC) != 0) {
    err = -errno;
    cb__msg(p->x, "pipe for worker %u: %s", id, strerror(-err));
    goto fail;
  }
  w->pid = fork();
  if (w->pid < 0) {
    err = -errno;
    cb__msg(p->x, "fork of worker %u of %u: %s", id + 1, p->n, strerror(-err));
    goto fail;
  }
  if (w->pid == 0) {
    /* Keep only this worker's own ends of its own pipes. */
    for (j = 0; j < p->n; j++) {
      if (j != id) {
        close_fd(&p->w[j].task_fd);
        close_fd(&p->w[j].res_fd);
      }
    }
    close(tp[1]);
    close(rp[0]);
    worker_main(p->x, id, w->shm, tp[0], rp[1]);
  }
  close(tp[0]);
  close(rp[1]);
  w->task_fd = tp[1];
  w->res_fd = rp[0];
  w->state = W_STARTING;
  ev.data.u32 = id;
  if (epoll_ctl(p->ep, EPOLL_CTL_ADD, w->res_fd, &ev) != 0) {
    err = -errno;
    cb__msg(p->x, "epoll_ctl: %s", strerror(-err));
    return err; /* the slot is live; the caller's shutdown reaps it */
  }
  p->live++;
  return 0;

fail:
  close_fd(&rp[0]);
  close_fd(&rp[1]);
  close_fd(&tp[0]);
  close_fd(&tp[1]);
  w->pid = -1;
  w->state = W_GONE;
  return err;
}

/* Give worker `id` its next task, or tell it to finish when none is left. */
static int feed(pool_t *p, unsigned id)
{
  proc_t *w = &p->w[id];
  int err;

  if (p->next >= p->x->params->tasks) {
    close_fd(&w->task_fd);
    w->state = W_CLOSING;
    return 0;
  }
  w->index = p->next++;
  w->state = W_BUSY;
  w->t_sent = cb_now_ns();
  if (p->shm && p->x->params->payload > 0)
    memcpy(w->shm, p->x->in, (size_t)p->x->params->payload);
  err = write_full(w->task_fd, &w->index, sizeof(w->index));
  if (err == 0 && !p->shm && p->x->params->payload > 0)
    err = write_full(w->task_fd, p->x->in, (size_t)p->x->params->payload);
  if (err == -EPIPE)
    err = 0; /* it died; its end-of-file is on the way and handled there */
  return err;
}

static void reap(pool_t *p, unsigned id)
{
  proc_t *w = &p->w[id];

  epoll_ctl(p->ep, EPOLL_CTL_DEL, w->res_fd, NULL);
  close_fd(&w->res_fd);
  close_fd(&w->task_fd);
  if (w->pid > 0)
    waitpid(w->pid, NULL, 0);
  w->pid = -1;
  w->state = W_GONE;
  p->live--;
}

/* A worker's result pipe reached end-of-file. */
static int on_death(pool_t *p, unsigned id)
{
  proc_t *w = &p->w[id];
  int was = w->state;

  if (was == W_BUSY) {
    p->x->results[w->index].err = -ECHILD;
    p->x->failed++;
    p->done++;
    p->t_last = cb_now_ns();
  }
  reap(p, id);
  if (p->stopping)
    return 0;
  if (was == W_STARTING) {
    cb__msg(p->x, "worker %u died during start-up", id);
    return -ECHILD;
  }
  if (was != W_CLOSING && p->next < p->x->params->tasks)
    return spawn(p, id);
  return 0;
}

static int on_message(pool_t *p, unsigned id, const msg_t *m)
{
  proc_t *w = &p->w[id];
  cb_task_result_t *r;

  if (p->stopping && m->type != MSG_STATS)
    return 0;
  switch (m->type) {
  case MSG_READY:
    w->state = W_IDLE;
    return p->t_last != 0 ? feed(p, id) : 0; /* a replacement joins at once */
  case MSG_RESULT:
    if (w->state != W_BUSY || m->index != w->index)
      break;
    if (p->shm && p->x->params->payload > 0)
      memcpy(p->recv, w->shm + p->x->params->payload, (size_t)p->x->params->payload);
    else if (p->x->params->payload > 0 &&
             read_full(w->res_fd, p->recv, (size_t)p->x->params->payload) != 1)
      return on_death(p, id); /* died half-way through its answer */
    r = &p->x->results[m->index];
    p->t_last = cb_now_ns();
    r->lat_ns = p->t_last - w->t_sent;
    r->checksum = m->checksum;
    r->err = m->err;
    r->seen++;
    p->done++;
    return feed(p, id);
  case MSG_STATS:
    p->x->usage.user_ns += m->user_ns;
    p->x->usage.sys_ns += m->sys_ns;
    p->x->usage.vcsw += m->vcsw;
    p->x->usage.ivcsw += m->ivcsw;
    p->x->usage.mem_kb += m->pss_kb;
    return 0;
  default:
    break;
  }
  cb__msg(p->x, "worker %u sent an unexpected message (type %u)", id, m->type);
  return -EPROTO;
}

/* Serve events until no worker is left (or, in start-up, all are ready). */
static int serve(pool_t *p, int startup)
{
  struct epoll_event ev[64];
  unsigned ready = 0;
  msg_t m;
  int n, i, r, err = 0;

  while (p->live > 0 && err == 0 && !(startup && ready == p->n)) {
    n = epoll_wait(p->ep, ev, (int)CB_ARRAY_SIZE(ev), -1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    for (i = 0; i < n && err == 0; i++) {
      unsigned id = ev[i].data.u32;
      r = read_full(p->w[id].res_fd, &m, sizeof(m));
      if (r == 1) {
        ready += m.type == MSG_READY;
        err = on_message(p, id, &m);
      } else {
        err = on_death(p, id);
      }
    }
  }
  return err;
}

/* One shared mapping per worker for the "shm" transport, made before any
 * fork so that every worker (and any replacement) inherits its own. */
static int map_all(pool_t *p)
{
  size_t len = 2 * (size_t)p->x->params->payload;
  unsigned i;

  if (len == 0)
    return 0;
  for (i = 0; i < p->n; i++) {
    p->w[i].shm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->w[i].shm == MAP_FAILED) {
      p->w[i].shm = NULL;
      return -errno;
    }
  }
  return 0;
}

static void unmap_all(pool_t *p)
{
  size_t len = 2 * (size_t)p->x->params->payload;
  unsigned i;

  for (i = 0; p->w != NULL && i < p->n; i++) {
    if (p->w[i].shm != NULL)
      munmap(p->w[i].shm, len);
  }
}

/* Close every task pipe, collect what is left and reap every worker. */
static void shutdown_pool(pool_t *p, int kill_them)
{
  unsigned i;

  p->stopping = 1;
  for (i = 0; i < p->n; i++) {
    if (p->w[i].state == W_GONE)
      continue;
    if (kill_them && p->w[i].pid > 0)
      kill(p->w[i].pid, SIGKILL);
    close_fd(&p->w[i].task_fd);
    p->w[i].state = W_CLOSING;
  }
  serve(p, 0);
}

static int processes_run(cb_exec_t *x)
{
  pool_t p = { .x = x, .n = x->concurrency, .ep = -1 };
  struct sigaction ign = { .sa_handler = SIG_IGN }, old;
  uint64_t t_begin, t0;
  unsigned i;
  int err = 0;

  /* A write to a dead worker must fail with EPIPE, not kill the trial. */
  sigaction(SIGPIPE, &ign, &old);
  x->workers = p.n;
  p.w = calloc(p.n, sizeof(*p.w));
  p.recv = malloc(x->params->payload > 0 ? (size_t)x->params->payload : 1);
  p.ep = epoll_create1(EPOLL_CLOEXEC);
  if (p.w == NULL || p.recv == NULL || p.ep < 0) {
    err = p.w == NULL || p.recv == NULL ? -ENOMEM : -errno;
    goto out;
  }
  for (i = 0; i < p.n; i++) {
    p.w[i].task_fd = p.w[i].res_fd = -1;
    p.w[i].state = W_GONE;
  }
  p.shm = x->transport != NULL && strcmp(x->transport, "shm") == 0;
  err = p.shm ? map_all(&p) : 0;
  if (err != 0) {
    cb__msg(x, "shared memory for %u workers: %s", p.n, strerror(-err));
    goto out;
  }

  t_begin = cb_now_ns();
  for (i = 0; i < p.n && err == 0; i++)
    err = spawn(&p, i);
  if (err == 0)
    err = serve(&p, 1);
  if (err != 0)
    goto stop;

  t0 = cb_now_ns();
  x->startup_ns = t0 - t_begin;
  p.t_last = t0;
  for (i = 0; i < p.n && err == 0; i++)
    err = feed(&p, i);
  if (err == 0)
    err = serve(&p, 0);
  if (err == 0 && p.done != x->params->tasks) {
    cb__msg(x, "only %llu of %llu tasks came back", (unsigned long long)p.done,
            (unsigned long long)x->params->tasks);
    err = -EPROTO;
  }
  if (err == 0) {
    x->wall_ns = p.t_last - t0;
    x->usage.mem_kb += cb__mem_pss_kb(0);
    x->teardown_ns = cb_now_ns() - p.t_last;
  }

stop:
  shutdown_pool(&p, err != 0);
out:
  if (p.ep >= 0)
    close(p.ep);
  unmap_all(&p);
  free(p.recv);
  free(p.w);
  sigaction(SIGPIPE, &old, NULL);
  return err;
}

const cb_runner_t cb_runner_processes = {
  .name = "processes",
  .description = "a pool of c forked workers; tasks and results cross pipes",
  .transports = (const char *const[]){ "pipe", "shm", NULL },
  .kin = &processes_kin,
  .workers = processes_workers,
  .run = processes_run,
};
