/* Helpers that every runner needs in the same way: sampling a worker's CPU
 * time and context switches, reading memory use, naming and pinning workers,
 * and running one task in its blocking form with its latency. Kept here so
 * that the runners differ only in their concurrency model. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "runner.h"

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

void cb__ru_accumulate(cb_usage_t *u, const cb__ru_t *start, const cb__ru_t *end)
{
  u->user_ns += end->user_ns - start->user_ns;
  u->sys_ns += end->sys_ns - start->sys_ns;
  u->vcsw += end->vcsw - start->vcsw;
  u->ivcsw += end->ivcsw - start->ivcsw;
}

uint64_t cb__mem_peak_kb(void)
{
  struct rusage ru;

  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return 0;
  return (uint64_t)ru.ru_maxrss;
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

void cb__run_one(cb_exec_t *x, cb__worker_t *w, uint64_t index)
{
  cb_task_result_t *r = &x->results[index];
  uint64_t sum = 0, t0;
  int err;

  t0 = cb_now_ns();
  err = cb__task_run(x, w, x->in, NULL, index, &sum);
  r->lat_ns = cb_now_ns() - t0;
  r->checksum = sum;
  r->err = err;
  __atomic_fetch_add(&r->seen, 1, __ATOMIC_RELAXED);
}

int cb__worker_enter(cb_exec_t *x, cb__worker_t *w, const cb_kin_t *kin, const char *kind,
                     unsigned i, int blocking)
{
  char name[16];
  int err = 0;

  memset(w, 0, sizeof(*w));
  w->kin = kin;
  snprintf(name, sizeof(name), "cb-%s-%u", kind, i);
  prctl(PR_SET_NAME, name, 0, 0, 0);
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  if (x->plan != NULL) {
    err = cb_plan_bind_self(x->plan, i);
    if (err != 0)
      cb__msg(x, "binding worker %u to PU %d: %s", i, x->plan->pu[i], strerror(-err));
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

uint64_t cb__gate_release(cb__gate_t *g, unsigned n, int abort)
{
  uint64_t t0;

  pthread_mutex_lock(&g->lock);
  if (abort)
    g->abort = 1;
  while (g->ready < n && !g->abort)
    pthread_cond_wait(&g->cond, &g->lock);
  t0 = cb_now_ns();
  g->go = 1;
  pthread_cond_broadcast(&g->cond);
  pthread_mutex_unlock(&g->lock);
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
