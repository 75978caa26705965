/* Children that are always reaped and never outlive their caller; see
 * spawn.h. An exec error travels back through a close-on-exec pipe, as in
 * the gnuplot launcher. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cb.h"
#include "signals.h"
#include "spawn.h"

enum { GRACE_S = 10 };

static sigset_t blocked, saved;
static struct sigaction saved_chld;
static int stop_sig;

void cb_spawn_begin(void)
{
  struct sigaction dfl = { .sa_handler = SIG_DFL };

  cb_sig_termset(&blocked); /* SIGINT, SIGTERM, SIGHUP, ...: harness/signals.h */
  sigaddset(&blocked, SIGCHLD);
  sigprocmask(SIG_BLOCK, &blocked, &saved);
  /* An inherited SIG_IGN would make the kernel reap children by itself. */
  sigaction(SIGCHLD, &dfl, &saved_chld);
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  stop_sig = 0;
}

/* Take one blocked signal, waiting at most `ns` (0: do not wait). Returns
 * the signal or 0. */
static int take(uint64_t ns)
{
  struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u) };
  int sig = sigtimedwait(&blocked, NULL, &ts);

  if (sig > 0 && sig != SIGCHLD) {
    if (stop_sig == 0)
      stop_sig = sig;
  }
  return sig > 0 ? sig : 0;
}

int cb_spawn_stopped(void)
{
  while (take(0) != 0)
    ;
  return stop_sig;
}

/* Reap whatever has ended; 1 when `pid` was among them (*status set). */
static int reap(pid_t pid, int *status)
{
  int st, found = 0;
  pid_t p;

  while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
    if (p == pid) {
      *status = st;
      found = 1;
    }
  }
  return found;
}

/* Wait until `pid` ends or `ns` pass (UINT64_MAX: for ever); a stop signal
 * ends the wait early when stop_early. 1 when it ended. */
static int wait_for(pid_t pid, int *status, uint64_t ns, int stop_early)
{
  uint64_t deadline = ns == UINT64_MAX ? UINT64_MAX : cb_now_ns() + ns, now;

  for (;;) {
    if (reap(pid, status))
      return 1;
    if (stop_early && stop_sig != 0)
      return 0;
    now = cb_now_ns();
    if (now >= deadline)
      return 0;
    /* At most a second per wait: a SIGCHLD may have been taken by
     * cb_spawn_stopped's polling before this wait began. */
    take(deadline - now < 1000000000u ? deadline - now : 1000000000u);
  }
}

static void stop_child(pid_t pid, int *status)
{
  kill(-pid, SIGTERM);
  if (wait_for(pid, status, (uint64_t)GRACE_S * 1000000000u, 0))
    return;
  kill(-pid, SIGKILL);
  wait_for(pid, status, UINT64_MAX, 0);
}

static int redirect(const char *path, int fd, int flags)
{
  int f = open(path, flags | O_CLOEXEC, 0644);

  if (f < 0)
    return -1;
  if (dup2(f, fd) < 0)
    return -1;
  close(f);
  return 0;
}

static void child(char *const argv[], const cb_spawn_io_t *io, int report)
{
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  int code;

  setpgid(0, 0);
  cb_sig_default();
  sigaction(SIGCHLD, &dfl, NULL);
  sigprocmask(SIG_SETMASK, &saved, NULL);
  sigprocmask(SIG_UNBLOCK, &blocked, NULL);
  if (redirect("/dev/null", 0, O_RDONLY) != 0 ||
      redirect(io->out != NULL ? io->out : "/dev/null", 1, O_WRONLY | O_CREAT | O_TRUNC) != 0 ||
      (io->err != NULL && strcmp(io->err, "-") == 0 && dup2(1, 2) < 0) ||
      (io->err != NULL && strcmp(io->err, "-") != 0 &&
       redirect(io->err, 2, O_WRONLY | O_CREAT | O_TRUNC) != 0) ||
      (io->cwd != NULL && chdir(io->cwd) != 0)) {
    code = errno;
  } else {
    execvp(argv[0], argv);
    code = errno;
  }
  if (write(report, &code, sizeof(code)) < 0)
    _exit(127);
  _exit(127);
}

int cb_spawn_run(char *const argv[], const cb_spawn_io_t *io, double timeout_s, int *status)
{
  static const cb_spawn_io_t none = { 0 };
  int fds[2], code = 0;
  ssize_t n;
  pid_t pid;

  if (io == NULL)
    io = &none;
  if (cb_spawn_stopped() != 0 && !io->always)
    return -EINTR;
  if (pipe2(fds, O_CLOEXEC) != 0)
    return -errno;
  fflush(NULL); /* nothing buffered may be written twice */
  pid = fork();
  if (pid < 0) {
    code = errno;
    close(fds[0]);
    close(fds[1]);
    return -code;
  }
  if (pid == 0)
    child(argv, io, fds[1]);
  setpgid(pid, pid); /* also here: no window in which a kill could miss it */
  close(fds[1]);
  do
    n = read(fds[0], &code, sizeof(code));
  while (n < 0 && errno == EINTR);
  close(fds[0]);
  if (n == (ssize_t)sizeof(code)) {
    wait_for(pid, status, UINT64_MAX, 0);
    return -code;
  }
  if (wait_for(pid, status, timeout_s > 0 ? (uint64_t)(timeout_s * 1e9) : UINT64_MAX,
               !io->always))
    return 0;
  stop_child(pid, status);
  return stop_sig != 0 && !io->always ? -EINTR : -ETIMEDOUT;
}

/* The children of this process, from /proc (they may be orphans that came
 * back to us as the subreaper). Returns how many it found, up to max. */
static size_t children(pid_t *out, size_t max)
{
  static char buf[4096]; /* static: a small stack must do */
  char path[64];
  size_t n = 0, len;
  char *p, *end;
  FILE *f;

  snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
  f = fopen(path, "re");
  if (f == NULL)
    return 0;
  len = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[len] = '\0';
  for (p = buf; n < max; p = end) {
    long v = strtol(p, &end, 10);
    if (end == p)
      break;
    out[n++] = (pid_t)v;
  }
  return n;
}

int cb_spawn_end(void)
{
  pid_t left[256];
  size_t n, i;
  int st, sig;

  /* Killing one may hand its own children over to us: until none is left. */
  while ((n = children(left, CB_ARRAY_SIZE(left))) > 0) {
    for (i = 0; i < n; i++) {
      kill(-left[i], SIGKILL);
      kill(left[i], SIGKILL);
    }
    for (i = 0; i < n; i++)
      while (waitpid(left[i], &st, 0) < 0 && errno == EINTR)
        ;
  }
  while (waitpid(-1, &st, WNOHANG) > 0)
    ;
  sig = cb_spawn_stopped();
  prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
  sigaction(SIGCHLD, &saved_chld, NULL);
  sigprocmask(SIG_SETMASK, &saved, NULL);
  return sig;
}
