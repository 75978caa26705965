/* The kin that runners lend to blocking tasks (cb_task_t.kin), one per
 * model. Threads: a fresh worker is pthread_create + pthread_join, and a
 * token goes to a partner thread (one per worker, started on first use and
 * joined when the worker leaves) through a mutex and condition variable, the
 * hand-off a thread pool's queue is built from. Processes: a fresh worker is
 * fork + _exit + waitpid, and a token goes to a partner process (one per
 * worker) over a pair of pipes. Here, not in a runner, so that a hybrid lends
 * the kin of the workers it really has. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kit.h"

/* A worker's partner for pingpong; `lock` guards token, turn and quit. */
typedef struct tpartner_s {
  pthread_t tid;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  uint64_t token;
  int turn; /* 0: the worker holds the token, 1: the partner does */
  int quit;
} tpartner_t;

static __thread tpartner_t *my_tpartner;

static void *empty_body(void *arg)
{
  return arg;
}

static int threads_spawn(void)
{
  pthread_t tid;
  int err = -pthread_create(&tid, NULL, empty_body, NULL);

  if (err == 0)
    err = -pthread_join(tid, NULL);
  return err;
}

static void *tpartner_main(void *arg)
{
  tpartner_t *pt = arg;

  pthread_mutex_lock(&pt->lock);
  for (;;) {
    while (pt->turn != 1 && !pt->quit)
      pthread_cond_wait(&pt->cond, &pt->lock);
    if (pt->quit)
      break;
    pt->token++;
    pt->turn = 0;
    pthread_cond_signal(&pt->cond);
  }
  pthread_mutex_unlock(&pt->lock);
  return NULL;
}

static int tpartner_start(tpartner_t **out)
{
  tpartner_t *pt = calloc(1, sizeof(*pt));
  int err;

  if (pt == NULL)
    return -ENOMEM;
  pthread_mutex_init(&pt->lock, NULL);
  pthread_cond_init(&pt->cond, NULL);
  err = -pthread_create(&pt->tid, NULL, tpartner_main, pt);
  if (err != 0) {
    pthread_cond_destroy(&pt->cond);
    pthread_mutex_destroy(&pt->lock);
    free(pt);
    return err;
  }
  *out = pt;
  return 0;
}

void cb__kin_threads_leave(void)
{
  tpartner_t *pt = my_tpartner;

  if (pt == NULL)
    return;
  pthread_mutex_lock(&pt->lock);
  pt->quit = 1;
  pthread_cond_signal(&pt->cond);
  pthread_mutex_unlock(&pt->lock);
  pthread_join(pt->tid, NULL);
  pthread_cond_destroy(&pt->cond);
  pthread_mutex_destroy(&pt->lock);
  free(pt);
  my_tpartner = NULL;
}

static int threads_partner_start(void)
{
  return my_tpartner != NULL ? 0 : tpartner_start(&my_tpartner);
}

static int threads_pingpong(uint64_t n, uint64_t *token)
{
  tpartner_t *pt;
  uint64_t i;
  int err;

  if (my_tpartner == NULL && (err = tpartner_start(&my_tpartner)) != 0)
    return err;
  pt = my_tpartner;
  pthread_mutex_lock(&pt->lock);
  pt->token = *token;
  for (i = 0; i < n; i++) {
    pt->turn = 1;
    pthread_cond_signal(&pt->cond);
    while (pt->turn != 0)
      pthread_cond_wait(&pt->cond, &pt->lock);
  }
  *token = pt->token;
  pthread_mutex_unlock(&pt->lock);
  return 0;
}

const cb_kin_t cb__kin_threads = {
  .spawn = threads_spawn,
  .pingpong = threads_pingpong,
  .partner_start = threads_partner_start,
};

typedef struct ppartner_s {
  pid_t pid;
  int to, from;
} ppartner_t;

static ppartner_t my_ppartner = { .pid = -1, .to = -1, .from = -1 };

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

static void ppartner_main(int from, int to)
{
  uint64_t token;

  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  while (cb__read_full(from, &token, sizeof(token)) == 1) {
    token++;
    if (cb__write_full(to, &token, sizeof(token)) != 0)
      break;
  }
  _exit(0);
}

static int processes_partner_start(void)
{
  ppartner_t *pt = &my_ppartner;
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
    ppartner_main(a[0], b[1]);
  }
  close(a[0]);
  close(b[1]);
  pt->to = a[1];
  pt->from = b[0];
  return 0;

fail:
  for (int i = 0; i < 2; i++) {
    cb__close_fd(&a[i]);
    cb__close_fd(&b[i]);
  }
  pt->pid = -1;
  return err;
}

void cb__kin_processes_leave(void)
{
  ppartner_t *pt = &my_ppartner;

  if (pt->pid <= 0)
    return;
  cb__close_fd(&pt->to);
  cb__close_fd(&pt->from);
  waitpid(pt->pid, NULL, 0);
  pt->pid = -1;
}

static int processes_pingpong(uint64_t n, uint64_t *token)
{
  ppartner_t *pt = &my_ppartner;
  uint64_t i;
  int err = processes_partner_start();

  for (i = 0; i < n && err == 0; i++) {
    err = cb__write_full(pt->to, token, sizeof(*token));
    if (err == 0)
      err = cb__read_full(pt->from, token, sizeof(*token)) == 1 ? 0 : -EPIPE;
  }
  return err;
}

const cb_kin_t cb__kin_processes = {
  .spawn = processes_spawn,
  .pingpong = processes_pingpong,
  .partner_start = processes_partner_start,
};
