/* Helpers that every runner needs in the same way: the one method for CPU
 * time, context switches and memory (runner.h states the rules), naming and
 * pinning workers, the start and end barriers of in-process workers, and
 * running one task in its blocking form with its latency. Kept here so that
 * the runners differ only in their concurrency model. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kit.h"

static uint64_t tv_ns(struct timeval tv)
{
  return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

void cb__ru_sample(int who, cb__ru_t *out)
{
  struct rusage ru;

  memset(out, 0, sizeof(*out));
  if (getrusage(who, &ru) != 0)
    return;
  out->user_ns = tv_ns(ru.ru_utime);
  out->sys_ns = tv_ns(ru.ru_stime);
  out->vcsw = (uint64_t)ru.ru_nvcsw;
  out->ivcsw = (uint64_t)ru.ru_nivcsw;
}

void cb__ru_add(cb__ru_t *acc, const cb__ru_t *start, const cb__ru_t *end)
{
  acc->user_ns += end->user_ns - start->user_ns;
  acc->sys_ns += end->sys_ns - start->sys_ns;
  acc->vcsw += end->vcsw - start->vcsw;
  acc->ivcsw += end->ivcsw - start->ivcsw;
}

void cb__usage_begin(cb_exec_t *x)
{
  cb__ru_sample(RUSAGE_CHILDREN, &x->ru_kids0);
  memset(&x->ru_prestart, 0, sizeof(x->ru_prestart));
}

void cb__usage_start(cb_exec_t *x)
{
  cb__ru_sample(RUSAGE_SELF, &x->ru_self0);
}

static uint64_t minus(uint64_t a, uint64_t b)
{
  return a > b ? a - b : 0;
}

void cb__usage_stop(cb_exec_t *x)
{
  cb__ru_t self1, kids1, sum = { 0 };

  cb__ru_sample(RUSAGE_SELF, &self1);
  cb__ru_sample(RUSAGE_CHILDREN, &kids1);
  cb__ru_add(&sum, &x->ru_self0, &self1);
  cb__ru_add(&sum, &x->ru_kids0, &kids1);
  /* rusage has microsecond resolution: a worker's pre-start share can
   * round above what its reaped total adds; never go below zero. */
  x->usage.user_ns = minus(sum.user_ns, x->ru_prestart.user_ns);
  x->usage.sys_ns = minus(sum.sys_ns, x->ru_prestart.sys_ns);
  x->usage.vcsw = minus(sum.vcsw, x->ru_prestart.vcsw);
  x->usage.ivcsw = minus(sum.ivcsw, x->ru_prestart.ivcsw);
}

/* Parent of process `pid` from /proc/PID/stat (the field after the command
 * name, which may itself hold spaces and parentheses), or -1. */
static long parent_of(long pid)
{
  char path[64], buf[512], *p;
  long ppid = -1;
  size_t n;
  FILE *f;

  snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
  f = fopen(path, "re");
  if (f == NULL)
    return -1;
  n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  p = strrchr(buf, ')');
  if (p == NULL || sscanf(p + 1, " %*c %ld", &ppid) != 1)
    return -1;
  return ppid;
}

typedef struct proc_s {
  long pid, ppid;
  int mine; /* the calling process or one of its descendants */
} proc_t;

static int by_pid(const void *a, const void *b)
{
  long x = ((const proc_t *)a)->pid, y = ((const proc_t *)b)->pid;

  return (x > y) - (x < y);
}

/* Every process on the machine with its parent, sorted by pid (malloc'd). */
static size_t list_processes(proc_t **out)
{
  proc_t *ps = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  char *end;
  long pid;
  DIR *d = opendir("/proc");

  while (d != NULL && (e = readdir(d)) != NULL) {
    pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0)
      continue;
    if (CB_GROW(ps, cap, n, 512) != 0)
      break;
    ps[n].pid = pid;
    ps[n].ppid = parent_of(pid);
    ps[n].mine = 0;
    n++;
  }
  if (d != NULL)
    closedir(d);
  if (n > 0)
    qsort(ps, n, sizeof(*ps), by_pid);
  *out = ps;
  return n;
}

void cb__mem_sample(cb_exec_t *x)
{
  proc_t *ps = NULL, key, *parent;
  size_t n = list_processes(&ps), i;
  uint64_t kb = 0;
  int grew = 1;

  key.pid = (long)getpid();
  parent = n > 0 ? bsearch(&key, ps, n, sizeof(*ps), by_pid) : NULL;
  if (parent != NULL)
    parent->mine = 1;
  else
    kb = cb__mem_pss_kb(0); /* not in the list: /proc unreadable */
  /* Descendants are found generation by generation (trial process, workers,
   * their partners and children); a pass that finds none ends the walk. */
  while (grew) {
    grew = 0;
    for (i = 0; i < n; i++) {
      if (ps[i].mine)
        continue;
      key.pid = ps[i].ppid;
      parent = bsearch(&key, ps, n, sizeof(*ps), by_pid);
      if (parent != NULL && parent->mine)
        ps[i].mine = grew = 1;
    }
  }
  for (i = 0; i < n; i++) {
    if (ps[i].mine)
      kb += cb__mem_pss_kb((int)ps[i].pid);
  }
  free(ps);
  x->usage.mem_kb = kb;
}

cb_task_result_t *cb_results_map(uint64_t tasks)
{
  void *p = mmap(NULL, (tasks > 0 ? tasks : 1) * sizeof(cb_task_result_t),
                 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

  return p == MAP_FAILED ? NULL : p;
}

void cb_results_prefault(cb_task_result_t *r, uint64_t tasks)
{
  size_t len = (tasks > 0 ? tasks : 1) * sizeof(*r), page = (size_t)sysconf(_SC_PAGESIZE), i;
  const volatile unsigned char *b = (const volatile unsigned char *)r;

  if (r == NULL || madvise(r, len, MADV_POPULATE_WRITE) == 0)
    return;
  /* Before Linux 5.14: a read maps a page of a shared mapping writable
   * (a write could race with a respawned worker's neighbours). */
  for (i = 0; i < len; i += page)
    (void)b[i];
}

void cb_results_unmap(cb_task_result_t *r, uint64_t tasks)
{
  if (r != NULL)
    munmap(r, (tasks > 0 ? tasks : 1) * sizeof(*r));
}

uint64_t cb__mem_pss_kb(int pid)
{
  char path[64], line[256];
  uint64_t kb = 0;
  FILE *f;

  if (pid > 0)
    snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
  else
    snprintf(path, sizeof(path), "/proc/self/smaps_rollup");
  f = fopen(path, "re");
  if (f == NULL)
    return 0;
  while (fgets(line, sizeof(line), f) != NULL) {
    if (sscanf(line, "Pss: %" SCNu64, &kb) == 1)
      break;
  }
  fclose(f);
  return kb;
}


int cb__task_run(cb_exec_t *x, cb__worker_t *w, const unsigned char *in, unsigned char *out,
                 uint64_t index, uint64_t *checksum)
{
  cb_task_t t = {
    .p = x->params,
    .state = x->state,
    .index = index,
    .in = in,
    .out = out != NULL ? out : w->out,
    .worker = &w->slot,
    .kin = w->kin,
  };

  *checksum = 0;
  return x->wl->run(&t, checksum);
}

void cb__run_one(cb_exec_t *x, cb__worker_t *w, uint64_t index, uint64_t t_taken)
{
  cb_task_result_t *r = &x->results[index];
  uint64_t sum = 0;
  int err;

  err = cb__task_run(x, w, x->in, NULL, index, &sum);
  r->lat_ns = cb_now_ns() - t_taken;
  r->checksum = sum;
  r->err = err;
  __atomic_fetch_add(&r->seen, 1, __ATOMIC_RELAXED);
}

int cb__worker_enter(cb_exec_t *x, cb__worker_t *w, const cb_kin_t *kin, const char *kind,
                     unsigned i, int blocking)
{
  return cb__worker_enter_at(x, w, kin, kind, i, i, blocking);
}

int cb__worker_enter_at(cb_exec_t *x, cb__worker_t *w, const cb_kin_t *kin, const char *kind,
                        unsigned i, unsigned place, int blocking)
{
  char name[16];
  int err = 0;

  memset(w, 0, sizeof(*w));
  w->kin = kin;
  snprintf(name, sizeof(name), "cb-%s-%u", kind, i);
  prctl(PR_SET_NAME, name, 0, 0, 0);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  if (x->plan != NULL) {
    err = cb_plan_bind_self(x->plan, place);
    if (err != 0)
      cb__msg(x, "binding worker %u to PU %d: %s", i,
              place < x->plan->workers ? x->plan->pu[place] : -1, strerror(-err));
  }
  if (err == 0 && x->params->payload > 0) {
    w->out = malloc((size_t)x->params->payload);
    if (w->out == NULL) {
      err = -ENOMEM;
      cb__msg(x, "worker %u: no memory for a %llu-byte payload", i,
              (unsigned long long)x->params->payload);
    }
  }
  if (err == 0 && blocking && x->wl->worker_open != NULL) {
    err = x->wl->worker_open(x->params, x->state, &w->slot);
    if (err != 0)
      cb__msg(x, "worker %u: %s: %s", i, x->wl->name, strerror(-err));
  }
  if (err == 0 && blocking && x->wl->uses_partner && kin != NULL && kin->partner_start != NULL) {
    err = kin->partner_start();
    if (err != 0)
      cb__msg(x, "worker %u: starting its partner: %s", i, strerror(-err));
  }
  return err;
}

void cb__worker_leave(cb_exec_t *x, cb__worker_t *w)
{
  if (w->slot != NULL && x->wl->worker_close != NULL)
    x->wl->worker_close(x->params, x->state, w->slot);
  w->slot = NULL;
  free(w->out);
  w->out = NULL;
}

/* Workers of one trial may fail together; the lock keeps the first cause
 * whole, later ones are usually its echoes. */
static pthread_mutex_t msg_lock = PTHREAD_MUTEX_INITIALIZER;

void cb__msg(cb_exec_t *x, const char *fmt, ...)
{
  va_list ap;

  pthread_mutex_lock(&msg_lock);
  if (x->msg[0] == '\0') {
    va_start(ap, fmt);
    vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
    va_end(ap);
  }
  pthread_mutex_unlock(&msg_lock);
}

void cb__gate_init(cb__gate_t *g)
{
  memset(g, 0, sizeof(*g));
  pthread_mutex_init(&g->lock, NULL);
  pthread_cond_init(&g->cond, NULL);
}

void cb__gate_destroy(cb__gate_t *g)
{
  pthread_cond_destroy(&g->cond);
  pthread_mutex_destroy(&g->lock);
}

int cb__gate_wait(cb__gate_t *g)
{
  int abandon;

  pthread_mutex_lock(&g->lock);
  g->ready++;
  pthread_cond_broadcast(&g->cond);
  while (!g->go && !g->abort)
    pthread_cond_wait(&g->cond, &g->lock);
  abandon = g->abort;
  pthread_mutex_unlock(&g->lock);
  return abandon;
}

void cb__gate_abort(cb__gate_t *g)
{
  pthread_mutex_lock(&g->lock);
  g->abort = 1;
  pthread_cond_broadcast(&g->cond);
  pthread_mutex_unlock(&g->lock);
}

int cb__gate_await(cb__gate_t *g, unsigned n)
{
  int abandon;

  pthread_mutex_lock(&g->lock);
  while (g->ready < n && !g->abort)
    pthread_cond_wait(&g->cond, &g->lock);
  abandon = g->abort;
  pthread_mutex_unlock(&g->lock);
  return abandon;
}

void cb__gate_open(cb__gate_t *g)
{
  pthread_mutex_lock(&g->lock);
  g->go = 1;
  pthread_cond_broadcast(&g->cond);
  pthread_mutex_unlock(&g->lock);
}

uint64_t cb__gate_release(cb__gate_t *g, unsigned n, int abort)
{
  uint64_t t0;

  if (abort)
    cb__gate_abort(g);
  cb__gate_await(g, n);
  t0 = cb_now_ns();
  cb__gate_open(g);
  return t0;
}

int cb__gate_aborted(cb__gate_t *g)
{
  int a;

  pthread_mutex_lock(&g->lock);
  a = g->abort;
  pthread_mutex_unlock(&g->lock);
  return a;
}
