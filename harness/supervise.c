/* The supervision of a trial: cb_trial_supervised runs cb_trial_execute in
 * a fresh child process and makes sure nothing of it outlives it.
 *
 * The trial process is a child of the coordinator in its own process group.
 * It writes one cb_trial_t to a pipe and leaves with _exit(). The coordinator
 * waits for that record under the timeout; whatever happens it then kills the
 * whole group and reaps every descendant (the coordinator is a child
 * subreaper, so workers orphaned by a crashed trial process come back to it),
 * so no process of one trial survives into the next. The supervisor also owns
 * the trial's scratch directory (scratch.c): it creates it before the fork
 * and removes it after the reaping, so files survive neither a crash nor a
 * timeout. The fork, the child's first steps and the reaping serve the child
 * that computes the expected checksums as well (expect.c): whatever runs on
 * a trial's behalf runs under the same supervision. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signals.h"
#include "trial.h"
#include "trial_int.h"

int cb__trial_fork(cb__child_body_t body, void *arg, pid_t *pid, int *rfd, int *at_fork)
{
  int fds[2], err;
  pid_t coordinator;

  if (pipe2(fds, O_CLOEXEC) != 0) {
    *at_fork = 0;
    return -errno;
  }
  fflush(NULL); /* nothing buffered may be written twice */
  coordinator = getpid();
  *pid = fork();
  if (*pid < 0) {
    err = -errno;
    *at_fork = 1;
    close(fds[0]);
    close(fds[1]);
    return err;
  }
  if (*pid == 0) {
    close(fds[0]);
    body(arg, fds[1], coordinator);
  }
  setpgid(*pid, *pid); /* also here: no window in which a kill could miss it */
  close(fds[1]);
  *rfd = fds[0];
  return 0;
}

void cb__trial_child_begin(pid_t coordinator)
{
  struct rlimit no_core = { 0, 0 };

  setpgid(0, 0);
  /* If the coordinator dies (killed by a CI timeout), so does the child, and
   * with it every process of the trial, which die with their parent too. */
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != coordinator)
    _exit(1); /* it was gone before the death signal was armed */
  /* A crash is a result here, not something to debug: no core files. */
  setrlimit(RLIMIT_CORE, &no_core);
}

int cb__trial_poll_ms(uint64_t deadline, uint64_t now)
{
  return (deadline - now) / 1000000u > 100 ? 100 : (int)((deadline - now) / 1000000u) + 1;
}

void cb__trial_kill_group(pid_t pgid, int *child_status, pid_t child)
{
  int st;
  pid_t p;

  kill(-pgid, SIGKILL);
  for (;;) {
    p = waitpid(-pgid, &st, 0);
    if (p < 0 && errno == EINTR)
      continue;
    if (p < 0)
      break;
    if (p == child)
      *child_status = st;
  }
}

/* What the trial process runs (cb__child_body_t). */
typedef struct trial_arg_s {
  const cb_cell_t *cell;
  const cb_topo_t *topo;
  const uint64_t *expected;
} trial_arg_t;

/* The body of the trial process; never returns. */
static void trial_child(void *arg, int fd, pid_t coordinator)
{
  static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  const trial_arg_t *a = arg;
  size_t i;
  cb_trial_t t;
  ssize_t r;

  cb__trial_child_begin(coordinator);
  /* The default action for every signal a trial may die of: a crash must
   * kill the trial process (status crashed), whatever handler the
   * coordinator's process had installed (a sanitizer's, a test runner's). */
  for (i = 0; i < CB_ARRAY_SIZE(fatal); i++)
    sigaction(fatal[i], &dfl, NULL);
  cb_sig_default(); /* and the coordinator's handlers of SIGTERM & co. are not ours */
  prctl(PR_SET_NAME, "cb-trial", 0, 0, 0);
  cb_trial_execute(a->cell, a->topo, a->expected, &t);
  do {
    r = write(fd, &t, sizeof(t));
  } while (r < 0 && errno == EINTR);
  _exit(r == (ssize_t)sizeof(t) ? 0 : 1);
}

/* Wait for the trial's record. 1 = got it, 0 = the trial process ended
 * without one (*child_status says how), -ETIMEDOUT, -EINTR (asked to stop)
 * or -errno. End-of-file alone cannot tell that the trial process died: its
 * workers inherit the pipe's write end, so its death is checked as well. */
static int await_record(int fd, pid_t child, int *child_status, double timeout_s,
                        volatile const int *stop, cb_trial_t *t)
{
  uint64_t deadline = cb_now_ns() + (uint64_t)(timeout_s * 1e9), now;
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  size_t got = 0;
  ssize_t r;
  int n, dead = 0;

  while (got < sizeof(*t)) {
    if (stop != NULL && *stop)
      return -EINTR;
    now = cb_now_ns();
    if (now >= deadline)
      return -ETIMEDOUT;
    /* Wake at least every 100 ms to notice a stop request. */
    n = poll(&pfd, 1, dead ? 0 : cb__trial_poll_ms(deadline, now));
    if (n < 0 && errno != EINTR)
      return -errno;
    if (n == 0 && dead)
      return 0; /* dead, and nothing more in the pipe */
    if (n <= 0) {
      /* Dead: one more look at the pipe, where its record may wait. */
      dead = waitpid(child, child_status, WNOHANG) == child;
      continue;
    }
    r = read(fd, (char *)t + got, sizeof(*t) - got);
    if (r == 0)
      return 0;
    if (r < 0 && errno != EINTR)
      return -errno;
    if (r > 0)
      got += (size_t)r;
  }
  return 1;
}

static void describe_death(int st, cb_trial_t *t)
{
  if (WIFSIGNALED(st)) {
    t->status = CB_ST_CRASHED;
    cb__trial_msg(t, "trial process killed by signal %d (%s)", WTERMSIG(st),
                  strsignal(WTERMSIG(st)));
  } else {
    t->status = CB_ST_ERROR;
    cb__trial_msg(t, "trial process exited with status %d without a result",
                  WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  }
}

int cb_trial_supervised(const cb_cell_t *cell, const cb_topo_t *topo,
                        const uint64_t *expected, double timeout_s,
                        volatile const int *stop, cb_trial_t *out)
{
  cb_cell_t own = *cell;
  trial_arg_t arg = { .cell = &own, .topo = topo, .expected = expected };
  int at_fork;
  char *dir = NULL;
  int rfd = -1, r, st = 0, err;
  pid_t pid;

  memset(out, 0, sizeof(*out));
  out->status = CB_ST_ERROR;
  /* Orphaned workers of a crashed trial must come back to us to be reaped. */
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  err = cb__scratch_make(&dir);
  if (err != 0) {
    cb__trial_msg(out, "cannot create its scratch directory in %s: %s", cb__scratch_base(),
                  strerror(-err));
    free(dir);
    return err;
  }
  own.params.scratch = dir;
  err = cb__trial_fork(trial_child, &arg, &pid, &rfd, &at_fork);
  if (err != 0) {
    cb__trial_msg(out, !at_fork ? "cannot make its pipe: %s" : "cannot fork its process: %s",
                  strerror(-err));
    goto out;
  }

  r = await_record(rfd, pid, &st, timeout_s, stop, out);
  cb__trial_kill_group(pid, &st, pid);
  if (r == -EINTR) {
    err = -EINTR;
  } else if (r == -ETIMEDOUT) {
    memset(out, 0, sizeof(*out));
    out->status = CB_ST_TIMEOUT;
    cb__trial_msg(out, "killed after %g s (--trial-timeout)", timeout_s);
  } else if (r != 1) {
    memset(out, 0, sizeof(*out));
    describe_death(st, out);
  }

out:
  if (rfd >= 0)
    close(rfd);
  cb__scratch_remove(dir);
  free(dir);
  return err;
}

