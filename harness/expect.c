/* The checksum every task of a cell must produce: computed serially by the
 * workload's `expect` (cb_trial_expected), or the same in a supervised child
 * of its own (supervise.c: its own process group, killed at the trial
 * timeout) into a mapping shared with the coordinator
 * (cb_trial_expect_supervised), so that the coordinator itself never runs
 * workload code. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signals.h"
#include "trial.h"
#include "trial_int.h"

/* The expected values of tasks 0..tasks-1 into e (tasks * stride entries).
 * 0 or -ENOMEM. */
static int expect_into(const cb_cell_t *cell, uint64_t tasks, uint64_t *e)
{
  size_t payload = (size_t)cell->params.payload;
  unsigned char *in = NULL, *room = NULL;
  cb_task_t t = { .p = &cell->params };
  unsigned stride = cb_trial_stride(cell);
  int err = 0;

  if (payload > 0) {
    in = malloc(payload);
    room = malloc(payload);
    if (in == NULL || room == NULL) {
      err = -ENOMEM;
      goto out;
    }
    cb_payload_fill(&cell->params, in);
  }
  t.in = in;
  t.out = room;
  for (t.index = 0; t.index < tasks; t.index++) {
    e[t.index * stride] = cell->wl->expect(&t);
    if (stride == 2)
      e[t.index * 2 + 1] = cb_out_digest(&cell->params, t.index, room);
  }
out:
  free(room);
  free(in);
  return err;
}

int cb_trial_expected(const cb_cell_t *cell, uint64_t tasks, uint64_t **out)
{
  uint64_t *e = malloc((tasks > 0 ? tasks : 1) * cb_trial_stride(cell) * sizeof(*e));
  int err;

  if (e == NULL)
    return -ENOMEM;
  err = expect_into(cell, tasks, e);
  if (err != 0) {
    free(e);
    return err;
  }
  *out = e;
  return 0;
}

static size_t expect_bytes(const cb_cell_t *cell, uint64_t tasks)
{
  return (size_t)(tasks > 0 ? tasks : 1) * cb_trial_stride(cell) * sizeof(uint64_t);
}

/* What the child computes (cb__child_body_t). */
typedef struct expect_arg_s {
  const cb_cell_t *cell;
  uint64_t tasks;
  uint64_t *map;
} expect_arg_t;

/* The body of the child that computes them; never returns. */
static void expect_child(void *arg, int fd, pid_t coordinator)
{
  const expect_arg_t *a = arg;
  char done = 1;
  ssize_t r;

  cb__trial_child_begin(coordinator);
  cb_sig_default();
  prctl(PR_SET_NAME, "cb-expect", 0, 0, 0);
  if (expect_into(a->cell, a->tasks, a->map) != 0)
    _exit(2);
  do {
    r = write(fd, &done, 1);
  } while (r < 0 && errno == EINTR);
  _exit(r == 1 ? 0 : 1);
}

/* Wait for the child's one byte: 1 = done, 0 = it ended without it,
 * -ETIMEDOUT, -EINTR or -errno. The write end is the child's alone (nothing
 * it forks would hold it), so end-of-file means it is gone. */
static int await_done(int fd, double timeout_s, volatile const int *stop)
{
  uint64_t deadline = cb_now_ns() + (uint64_t)(timeout_s * 1e9), now;
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  char done;
  ssize_t r;
  int n;

  for (;;) {
    if (stop != NULL && *stop)
      return -EINTR;
    now = cb_now_ns();
    if (now >= deadline)
      return -ETIMEDOUT;
    n = poll(&pfd, 1, cb__trial_poll_ms(deadline, now));
    if (n < 0 && errno != EINTR)
      return -errno;
    if (n <= 0)
      continue;
    r = read(fd, &done, 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -errno;
    return r == 1 ? 1 : 0;
  }
}

int cb_trial_expect_supervised(const cb_cell_t *cell, uint64_t tasks, double timeout_s,
                               volatile const int *stop, uint64_t **out, cb_trial_t *fail)
{
  expect_arg_t arg = { .cell = cell, .tasks = tasks };
  size_t bytes = expect_bytes(cell, tasks);
  int at_fork;
  uint64_t *map;
  int rfd = -1, r, st = 0, err = 0;
  pid_t pid;

  *out = NULL;
  memset(fail, 0, sizeof(*fail));
  fail->status = CB_ST_ERROR;
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) {
    err = -errno;
    cb__trial_msg(fail, "no memory for the expected checksums of %llu tasks: %s",
                  (unsigned long long)tasks, strerror(-err));
    return err;
  }
  arg.map = map;
  err = cb__trial_fork(expect_child, &arg, &pid, &rfd, &at_fork);
  if (err != 0) {
    cb__trial_msg(fail, !at_fork
                            ? "cannot make a pipe for the expected checksums: %s"
                            : "cannot fork to compute the expected checksums: %s",
                  strerror(-err));
    goto out;
  }
  r = await_done(rfd, timeout_s, stop);
  cb__trial_kill_group(pid, &st, pid);
  if (r == 1) {
    *out = map;
    map = NULL;
  } else if (r == -EINTR) {
    err = -EINTR;
  } else if (r == -ETIMEDOUT) {
    fail->status = CB_ST_TIMEOUT;
    cb__trial_msg(fail, "computing the expected checksums: killed after %g s (--trial-timeout)",
                  timeout_s);
    err = 1;
  } else {
    if (WIFSIGNALED(st)) {
      fail->status = CB_ST_CRASHED;
      cb__trial_msg(fail, "computing the expected checksums: killed by signal %d (%s)",
                    WTERMSIG(st), strsignal(WTERMSIG(st)));
    } else {
      cb__trial_msg(fail, "computing the expected checksums: %s",
                    WIFEXITED(st) && WEXITSTATUS(st) == 2 ? "out of memory"
                                                          : "the process ended without them");
    }
    err = 1;
  }

out:
  if (rfd >= 0)
    close(rfd);
  if (map != NULL)
    munmap(map, bytes);
  return err;
}

void cb_trial_expect_free(const cb_cell_t *cell, uint64_t *expected, uint64_t tasks)
{
  if (expected != NULL)
    munmap(expected, expect_bytes(cell, tasks));
}
