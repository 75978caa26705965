/* Trials: execute one cell once, verify every task, and supervise that in a
 * fresh child process.
 *
 * The trial process is a child of the coordinator in its own process group.
 * It writes one cb_trial_t to a pipe and leaves with _exit(). The coordinator
 * waits for that record under the timeout; whatever happens it then kills the
 * whole group and reaps every descendant (the coordinator is a child
 * subreaper, so workers orphaned by a crashed trial process come back to it),
 * so no process of one trial survives into the next. The supervisor also owns
 * the trial's scratch directory: it creates it before the fork and removes it
 * after the reaping, so files survive neither a crash nor a timeout. A
 * scratch directory is named after the process that owns it
 * (concbench-PID-XXXXXX), so that when that process was killed before it
 * could remove it (SIGKILL), a later run finds it and removes it.
 *
 * Whatever runs on a trial's behalf runs under the same supervision: the
 * expected checksums are computed in a child of their own, in its own
 * process group, into a mapping shared with the coordinator, and killed at
 * the trial timeout, so the coordinator itself never runs workload code. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gil.h"
#include "signals.h"
#include "stats.h"
#include "trial.h"

static const char *const status_names[] = {
  [CB_ST_OK] = "ok",
  [CB_ST_CRASHED] = "crashed",
  [CB_ST_TIMEOUT] = "timeout",
  [CB_ST_WRONG] = "wrong",
  [CB_ST_ERROR] = "error",
  [CB_ST_RACY] = "racy",
};

const char *cb_status_name(cb_status_t s)
{
  if ((size_t)s >= CB_ARRAY_SIZE(status_names))
    return "?";
  return status_names[s];
}

static void set_msg(cb_trial_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_msg(cb_trial_t *t, const char *fmt, ...)
{
  va_list ap;

  if (t->msg[0] != '\0')
    return;
  va_start(ap, fmt);
  vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
  va_end(ap);
}

unsigned cb_trial_stride(const cb_cell_t *cell)
{
  return cell->wl->writes_out && cell->params.payload > 0 ? 2 : 1;
}

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

#define SCRATCH_PREFIX "concbench-"

static const char *scratch_base(void)
{
  const char *tmp = getenv("TMPDIR");

  return tmp != NULL && *tmp != '\0' ? tmp : "/tmp";
}

/* A private directory for the trial's files, mode 0700, named after its
 * owner; malloc'd into *out (NULL when out of memory). */
static int scratch_make(char **out)
{
  size_t n = strlen(scratch_base()) + sizeof("/" SCRATCH_PREFIX "-XXXXXX") + 24;
  char *dir = malloc(n);
  int err = 0;

  *out = NULL;
  if (dir == NULL)
    return -ENOMEM;
  snprintf(dir, n, "%s/" SCRATCH_PREFIX "%ld-XXXXXX", scratch_base(), (long)getpid());
  if (mkdtemp(dir) == NULL)
    err = -errno;
  *out = dir;
  return err;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
  CB_UNUSED(st);
  CB_UNUSED(f);
  if (type == FTW_DP)
    rmdir(path);
  else
    unlink(path);
  return 0;
}

static void scratch_remove(const char *path)
{
  nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int cb_scratch_check(char *why, size_t len)
{
  char *dir;
  int err = scratch_make(&dir);

  if (err != 0)
    snprintf(why, len, "cannot create a scratch directory in %s'%s': %s",
             getenv("TMPDIR") != NULL && *getenv("TMPDIR") != '\0' ? "TMPDIR " : "",
             scratch_base(), strerror(-err));
  else
    rmdir(dir);
  free(dir);
  return err;
}

size_t cb_scratch_sweep(void)
{
  const char *base = scratch_base();
  struct dirent *e;
  struct stat st;
  size_t removed = 0, n;
  DIR *d = opendir(base);
  char *path, tail[8];
  long pid;

  while (d != NULL && (e = readdir(d)) != NULL) {
    /* concbench-PID-XXXXXX, made by mkdtemp: six characters after the PID */
    if (sscanf(e->d_name, SCRATCH_PREFIX "%ld-%7s", &pid, tail) != 2 || pid <= 0 ||
        strlen(tail) != 6 || pid == (long)getpid())
      continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue; /* its owner lives (or is not ours to ask about) */
    n = strlen(base) + strlen(e->d_name) + 2;
    if ((path = malloc(n)) == NULL)
      break;
    snprintf(path, n, "%s/%s", base, e->d_name);
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
      scratch_remove(path);
      removed += lstat(path, &st) != 0;
    }
    free(path);
  }
  if (d != NULL)
    closedir(d);
  return removed;
}

/* Compare every task with its expected checksum (and, where its output
 * bytes crossed a process boundary, what arrived with what the task must
 * have produced); fill the verdict and count the tasks that came back right. */
static void verify(const cb_cell_t *cell, const cb_exec_t *x, const uint64_t *expected,
                   cb_trial_t *t, uint64_t *good)
{
  uint64_t i, n = cell->params.tasks, errors = 0, sum, out;
  unsigned stride = cb_trial_stride(cell);
  int check_out = x->checks_out && stride == 2;
  const cb_task_result_t *r;

  *good = 0;
  for (i = 0; i < n; i++) {
    r = &x->results[i];
    /* A calibration trial (no expected values) is timed, never recorded:
     * what came back once without an error counts as right. */
    sum = expected != NULL ? expected[i * stride] : r->checksum;
    out = expected == NULL ? r->out_digest : stride == 2 ? expected[i * stride + 1] : 0;
    if (r->err == -ECHILD && r->seen == 0)
      continue; /* lost with its worker, counted in failed */
    if (r->seen != 1) {
      t->wrong++;
      set_msg(t, "task %llu came back %u times", (unsigned long long)i, r->seen);
    } else if (r->err != 0) {
      errors++;
      set_msg(t, "task %llu: %s", (unsigned long long)i, strerror(-r->err));
    } else if (r->checksum != sum) {
      t->wrong++;
      set_msg(t, "task %llu: checksum %016llx, expected %016llx", (unsigned long long)i,
              (unsigned long long)r->checksum, (unsigned long long)sum);
    } else if (check_out && r->out_digest != out) {
      t->wrong++;
      set_msg(t, "task %llu: its output bytes arrived changed (digest %016llx, expected "
              "%016llx)", (unsigned long long)i, (unsigned long long)r->out_digest,
              (unsigned long long)out);
    } else {
      ++*good;
    }
  }
  t->failed = x->failed + errors;
  t->verified = t->wrong == 0 && (errors == 0 || cell->wl->fails_on_purpose);
  if (t->wrong > 0) {
    t->status = CB_ST_WRONG;
  } else if (errors > 0 && !cell->wl->fails_on_purpose) {
    t->status = CB_ST_ERROR;
  } else if (x->failed > 0 && !cell->wl->fails_on_purpose) {
    /* Only a workload that fails on purpose (fault.*) kills its workers:
     * for anything else a dead worker was killed from outside, and the
     * trial did not measure the model. */
    t->status = CB_ST_ERROR;
    set_msg(t, "%llu task%s lost with a worker that died (killed from outside?)",
            (unsigned long long)x->failed, x->failed == 1 ? "" : "s");
  }
}

/* The workload's own check of its shared state, once every task is right. */
static void verify_shared(const cb_cell_t *cell, void *state, cb_trial_t *t)
{
  char why[128] = "";
  uint64_t lost = 0;

  if (cell->wl->verify == NULL || t->status != CB_ST_OK || t->failed > 0)
    return;
  if (cell->wl->verify(&cell->params, state, &lost, why, sizeof(why)) == 0)
    return;
  t->lost = lost;
  t->verified = 0;
  t->status = cell->wl->racy && lost > 0 ? CB_ST_RACY : CB_ST_WRONG;
  set_msg(t, "%s", why[0] != '\0' ? why : "shared state is wrong after the trial");
}

/* Latency percentiles over the tasks that came back. */
static int latencies(const cb_cell_t *cell, const cb_exec_t *x, cb_trial_t *t)
{
  uint64_t i, k = 0, n = cell->params.tasks, *lat;

  lat = malloc(n * sizeof(*lat));
  if (lat == NULL)
    return -ENOMEM;
  for (i = 0; i < n; i++) {
    if (x->results[i].seen > 0)
      lat[k++] = x->results[i].lat_ns;
  }
  t->lat_p50_us = cb_percentile_u64(lat, k, 0.50) / 1e3;
  t->lat_p99_us = cb_percentile_u64(lat, k, 0.99) / 1e3;
  free(lat);
  return 0;
}

/* Throughput counts the tasks that came back right, and nothing else. */
static void fill_measures(const cb_exec_t *x, uint64_t good, cb_trial_t *t)
{
  t->workers = x->workers;
  t->inflight = x->inflight;
  t->procs = x->nprocs;
  t->per_proc = x->per_proc;
  t->inline_tasks = x->inline_tasks;
  t->wall_s = (double)x->wall_ns / 1e9;
  t->startup_s = (double)x->startup_ns / 1e9;
  t->teardown_s = (double)x->teardown_ns / 1e9;
  t->throughput = x->wall_ns > 0 ? (double)good / t->wall_s : 0;
  t->user_s = (double)x->usage.user_ns / 1e9;
  t->sys_s = (double)x->usage.sys_ns / 1e9;
  t->vcsw = x->usage.vcsw;
  t->ivcsw = x->usage.ivcsw;
  t->maxrss_kb = x->usage.mem_kb;
}

/* The trial proper, with its parameters complete (scratch set). */
static int execute(const cb_cell_t *cell, const cb_topo_t *topo, const uint64_t *expected,
                   cb_trial_t *out)
{
  cb_exec_t x = {
    .wl = cell->wl,
    .params = &cell->params,
    .concurrency = cell->concurrency,
    .transport = cell->transport != NULL ? cell->transport : cell->rn->transports[0],
    .dispatch = cell->dispatch != NULL ? cell->dispatch : cell->rn->dispatches[0],
    .pus = cb_topo_pus(topo),
    .procs = cell->procs > 0 ? cell->procs : cb_topo_pus(topo) > 0 ? cb_topo_pus(topo) : 1,
  };
  size_t payload = (size_t)cell->params.payload;
  unsigned char *in = NULL;
  cb_plan_t plan = { 0 };
  void *state = NULL;
  uint64_t switches, good = 0;
  int err, have_plan = 0, have_state = 0;

  /* Shared for every runner: forked workers write results in place as
   * threads do, and no runner gets memory of another kind. */
  x.results = cb_results_map(cell->params.tasks);
  in = payload > 0 ? malloc(payload) : NULL;
  if (x.results == NULL || (payload > 0 && in == NULL)) {
    err = -ENOMEM;
    set_msg(out, "no memory for %llu task results and the payload",
            (unsigned long long)cell->params.tasks);
    goto out;
  }
  if (payload > 0)
    cb_payload_fill(&cell->params, in);
  x.in = in;
  err = cb_plan_compute(topo, cell->pin, cell->rn->workers(cell->concurrency, x.pus, x.procs), &plan);
  if (err != 0) {
    set_msg(out, "placement plan: %s", strerror(-err));
    goto out;
  }
  have_plan = 1;
  x.plan = &plan;
  out->pin_wrap = plan.wrapped;
  if (cell->wl->setup != NULL) {
    err = cell->wl->setup(&cell->params, &state);
    if (err != 0) {
      set_msg(out, "%s set-up: %s", cell->wl->name, strerror(-err));
      goto out;
    }
  }
  have_state = 1;
  x.state = state;

  err = cb_gil_init(cell->gil, cell->switch_us);
  if (err != 0) {
    set_msg(out, "GIL mode: %s", strerror(-err));
    goto out;
  }
  cb__usage_begin(&x);
  err = cell->rn->run(&x);
  switches = cb_gil_switches();
  cb_gil_fini();
  if (err != 0) {
    set_msg(out, "%s", x.msg[0] != '\0' ? x.msg : strerror(-err));
    goto out;
  }
  out->status = CB_ST_OK;
  out->gil_switches = switches;
  verify(cell, &x, expected, out, &good);
  verify_shared(cell, state, out);
  fill_measures(&x, good, out);
  err = latencies(cell, &x, out);

out:
  if (have_state && cell->wl->teardown != NULL)
    cell->wl->teardown(&cell->params, state);
  if (have_plan)
    cb_plan_free(&plan);
  free(in);
  cb_results_unmap(x.results, cell->params.tasks);
  return err;
}

int cb_trial_execute(const cb_cell_t *cell, const cb_topo_t *topo,
                     const uint64_t *expected, cb_trial_t *out)
{
  cb_cell_t own = *cell;
  char *dir;
  int err;

  memset(out, 0, sizeof(*out));
  out->status = CB_ST_ERROR;
  if (cell->params.scratch != NULL)
    return execute(cell, topo, expected, out);
  err = scratch_make(&dir);
  if (err != 0) {
    set_msg(out, "scratch directory in %s: %s", scratch_base(), strerror(-err));
    free(dir);
    return err;
  }
  own.params.scratch = dir;
  err = execute(&own, topo, expected, out);
  scratch_remove(dir);
  free(dir);
  return err;
}

/* The body of the trial process; never returns. */
static void trial_child(const cb_cell_t *cell, const cb_topo_t *topo,
                        const uint64_t *expected, int fd, pid_t coordinator)
{
  static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  struct rlimit no_core = { 0, 0 };
  size_t i;
  cb_trial_t t;
  ssize_t r;

  setpgid(0, 0);
  /* If the coordinator dies (killed by a CI timeout), so does the trial, and
   * with it every process of the trial, which die with their parent too. */
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != coordinator)
    _exit(1); /* it was gone before the death signal was armed */
  /* A crash is a result here, not something to debug: no core files. */
  setrlimit(RLIMIT_CORE, &no_core);
  /* The default action for every signal a trial may die of: a crash must
   * kill the trial process (status crashed), whatever handler the
   * coordinator's process had installed (a sanitizer's, a test runner's). */
  for (i = 0; i < CB_ARRAY_SIZE(fatal); i++)
    sigaction(fatal[i], &dfl, NULL);
  cb_sig_default(); /* and the coordinator's handlers of SIGTERM & co. are not ours */
  prctl(PR_SET_NAME, "cb-trial", 0, 0, 0);
  cb_trial_execute(cell, topo, expected, &t);
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
    n = poll(&pfd, 1, dead ? 0 : (deadline - now) / 1000000u > 100 ? 100
                                  : (int)((deadline - now) / 1000000u) + 1);
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

/* Kill what is left of the trial's process group and reap it all. */
static void kill_group(pid_t pgid, int *child_status, pid_t child)
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

static void describe_death(int st, cb_trial_t *t)
{
  if (WIFSIGNALED(st)) {
    t->status = CB_ST_CRASHED;
    set_msg(t, "trial process killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
  } else {
    t->status = CB_ST_ERROR;
    set_msg(t, "trial process exited with status %d without a result",
            WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  }
}

int cb_trial_supervised(const cb_cell_t *cell, const cb_topo_t *topo,
                        const uint64_t *expected, double timeout_s,
                        volatile const int *stop, cb_trial_t *out)
{
  int fds[2] = { -1, -1 }, r, st = 0, err;
  cb_cell_t own = *cell;
  char *dir = NULL;
  pid_t pid, coordinator;

  memset(out, 0, sizeof(*out));
  out->status = CB_ST_ERROR;
  /* Orphaned workers of a crashed trial must come back to us to be reaped. */
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  err = scratch_make(&dir);
  if (err != 0) {
    set_msg(out, "cannot create its scratch directory in %s: %s", scratch_base(), strerror(-err));
    free(dir);
    return err;
  }
  own.params.scratch = dir;
  cell = &own;
  if (pipe2(fds, O_CLOEXEC) != 0) {
    err = -errno;
    set_msg(out, "cannot make its pipe: %s", strerror(-err));
    goto out;
  }
  fflush(NULL); /* nothing buffered may be written twice */
  coordinator = getpid();
  pid = fork();
  if (pid < 0) {
    err = -errno;
    set_msg(out, "cannot fork its process: %s", strerror(-err));
    goto out;
  }
  if (pid == 0) {
    close(fds[0]);
    trial_child(cell, topo, expected, fds[1], coordinator);
  }
  setpgid(pid, pid); /* also here: no window in which a kill could miss it */
  close(fds[1]);
  fds[1] = -1;

  r = await_record(fds[0], pid, &st, timeout_s, stop, out);
  kill_group(pid, &st, pid);
  if (r == -EINTR) {
    err = -EINTR;
  } else if (r == -ETIMEDOUT) {
    memset(out, 0, sizeof(*out));
    out->status = CB_ST_TIMEOUT;
    set_msg(out, "killed after %g s (--trial-timeout)", timeout_s);
  } else if (r != 1) {
    memset(out, 0, sizeof(*out));
    describe_death(st, out);
  }

out:
  if (fds[0] >= 0)
    close(fds[0]);
  if (fds[1] >= 0)
    close(fds[1]);
  scratch_remove(dir);
  free(dir);
  return err;
}

/* ---- expected checksums, computed under supervision ------------------- */

static size_t expect_bytes(const cb_cell_t *cell, uint64_t tasks)
{
  return (size_t)(tasks > 0 ? tasks : 1) * cb_trial_stride(cell) * sizeof(uint64_t);
}

/* The body of the child that computes them; never returns. */
static void expect_child(const cb_cell_t *cell, uint64_t tasks, uint64_t *map, int fd,
                         pid_t coordinator)
{
  struct rlimit no_core = { 0, 0 };
  char done = 1;
  ssize_t r;

  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != coordinator)
    _exit(1);
  setrlimit(RLIMIT_CORE, &no_core);
  cb_sig_default();
  prctl(PR_SET_NAME, "cb-expect", 0, 0, 0);
  if (expect_into(cell, tasks, map) != 0)
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
    n = poll(&pfd, 1, (deadline - now) / 1000000u > 100 ? 100
                      : (int)((deadline - now) / 1000000u) + 1);
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
  int fds[2] = { -1, -1 }, r, st = 0, err = 0;
  size_t bytes = expect_bytes(cell, tasks);
  uint64_t *map;
  pid_t pid, coordinator;

  *out = NULL;
  memset(fail, 0, sizeof(*fail));
  fail->status = CB_ST_ERROR;
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) {
    err = -errno;
    set_msg(fail, "no memory for the expected checksums of %llu tasks: %s",
            (unsigned long long)tasks, strerror(-err));
    return err;
  }
  if (pipe2(fds, O_CLOEXEC) != 0) {
    err = -errno;
    set_msg(fail, "cannot make a pipe for the expected checksums: %s", strerror(-err));
    goto out;
  }
  fflush(NULL);
  coordinator = getpid();
  pid = fork();
  if (pid < 0) {
    err = -errno;
    set_msg(fail, "cannot fork to compute the expected checksums: %s", strerror(-err));
    goto out;
  }
  if (pid == 0) {
    close(fds[0]);
    expect_child(cell, tasks, map, fds[1], coordinator);
  }
  setpgid(pid, pid);
  close(fds[1]);
  fds[1] = -1;
  r = await_done(fds[0], timeout_s, stop);
  kill_group(pid, &st, pid);
  if (r == 1) {
    *out = map;
    map = NULL;
  } else if (r == -EINTR) {
    err = -EINTR;
  } else if (r == -ETIMEDOUT) {
    fail->status = CB_ST_TIMEOUT;
    set_msg(fail, "computing the expected checksums: killed after %g s (--trial-timeout)",
            timeout_s);
    err = 1;
  } else {
    if (WIFSIGNALED(st)) {
      fail->status = CB_ST_CRASHED;
      set_msg(fail, "computing the expected checksums: killed by signal %d (%s)",
              WTERMSIG(st), strsignal(WTERMSIG(st)));
    } else {
      set_msg(fail, "computing the expected checksums: %s",
              WIFEXITED(st) && WEXITSTATUS(st) == 2 ? "out of memory"
                                                    : "the process ended without them");
    }
    err = 1;
  }

out:
  if (fds[0] >= 0)
    close(fds[0]);
  if (fds[1] >= 0)
    close(fds[1]);
  if (map != NULL)
    munmap(map, bytes);
  return err;
}

void cb_trial_expect_free(const cb_cell_t *cell, uint64_t *expected, uint64_t tasks)
{
  if (expected != NULL)
    munmap(expected, expect_bytes(cell, tasks));
}
