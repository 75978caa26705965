/* What an adversarial user tries with signals and kills
 * (docs/RELIABILITY.md, "Adversarial use"), one test per class of failure:
 *
 * - a run killed with SIGKILL, whose scratch directory the next run
 *   removes, as the next writer removes temporary files of writers killed
 *   half way;
 * - plot interrupted while gnuplot runs, and a gnuplot that writes
 *   incomplete charts (a full disk), and too few file descriptors;
 * - workers killed from outside.
 *
 * Each test runs the binary (path in $CONCBENCH) with fork+execv, never a
 * shell; the test makes itself a child subreaper (tests/test_rel.c), so a
 * process that outlives the command it belongs to comes back here and is
 * counted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "stats.h"
#include "summary.h"
#include "table.h"
#include "common.h"
#include "test_rel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 40
#define POLL_MS 20

/* ---- 6. kills and signals ------------------------------------------------- */

/* A scratch directory of this run's own, in `tmp`, or "" when none yet. */
static void scratch_of(const char *tmp, pid_t pid, char *buf, size_t len)
{
  char prefix[64];
  struct dirent *e;
  DIR *d = opendir(tmp);

  buf[0] = '\0';
  snprintf(prefix, sizeof(prefix), "concbench-%ld-", (long)pid);
  while (d != NULL && (e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
      snprintf(buf, len, "%s/%s", tmp, e->d_name);
  }
  if (d != NULL)
    closedir(d);
}

/* SIGKILL leaves the trial's scratch directory; the next run removes it,
 * and leaves alone one whose owner lives and one that is not a concbench
 * scratch directory. */
static void test_killed_run_scratch_is_swept(void **state)
{
  static const char *const slow[] = { "run", "-w", "io.sleep", "-s", "1000000", "-t", "100",
                                      "-r", "serial", "--reps", "1", "--warmup", "0", "-q",
                                      "-o", "out.csv", NULL };
  static const char *const quick[] = { "run", "-w", "noop", "-r", "serial", "-t", "10",
                                       "--reps", "1", "--warmup", "0", "-q", "-o", "q.csv",
                                       NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], tmp[256], left[512], seen[512], alive[320], other[320];
  int null = open("/dev/null", O_WRONLY | O_CLOEXEC), st;
  long waited;
  cbt_result_t r;
  pid_t pid;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "sweep");
  rel_make_dir(tmp, sizeof(tmp), "sweep-tmp");
  o.dir = dir;
  o.tmpdir = tmp;
  /* One of a live owner (us), one not of ours by name. */
  snprintf(alive, sizeof(alive), "%s/concbench-%ld-abcdef", tmp, (long)getpid());
  assert_int_equal(mkdir(alive, 0700), 0);
  snprintf(other, sizeof(other), "%s/concbench-notapid", tmp);
  assert_int_equal(mkdir(other, 0700), 0);
  pid = cbt_start(&o, slow, null, null);
  /* Seen twice: the trial's, not the one run makes and removes at start to
   * check TMPDIR. */
  for (waited = 0, seen[0] = '\0';; waited += POLL_MS) {
    scratch_of(tmp, pid, left, sizeof(left));
    if (left[0] != '\0' && strcmp(left, seen) == 0)
      break;
    snprintf(seen, sizeof(seen), "%s", left);
    if (waited > REL_WAIT_S * 1000L) {
      kill(pid, SIGKILL);
      fail_msg("no scratch directory of the run appeared in %s", tmp);
    }
    cbt_sleep_ms(POLL_MS);
  }
  assert_int_equal(kill(pid, SIGKILL), 0);
  st = cbt_wait(pid, REL_WAIT_S, "the killed run");
  assert_true(WIFSIGNALED(st));
  assert_true(rel_none_alive()); /* its trial died with it */
  if (!cbt_exists(left))
    fail_msg("SIGKILL left no scratch directory: nothing to test");
  rel_run(&o, quick, &r);
  rel_expect_exit(&r, 0, "the next run");
  cbt_result_free(&r);
  if (cbt_exists(left))
    fail_msg("the next run did not remove %s", left);
  assert_true(cbt_exists(alive));
  assert_true(cbt_exists(other));
  close(null);
  cbt_remove_tree(tmp);
  cbt_remove_tree(dir);
}

/* The PID of a process that has ended. */
static pid_t dead_pid(void)
{
  pid_t pid = fork();

  assert_true(pid >= 0);
  if (pid == 0)
    _exit(0);
  assert_int_equal(waitpid(pid, NULL, 0), pid);
  return pid;
}

/* Temporary files of writers killed with SIGKILL (an atomic write, a chart
 * being drawn) are removed by the next command that writes there; those of
 * a live writer, and files that only look alike, stay. */
static void test_stale_temporaries_swept(void **state)
{
  static const char *const summary[] = { "summary", "in.csv", "-q", "-o", "out.csv", NULL };
  static const char *const plot[] = { "plot", "in.csv", "-o", "charts", "-q", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], path[512];
  long dead = (long)dead_pid(), live = (long)getpid();
  struct {
    const char *fmt;
    long pid;
    int stays;
  } files[] = {
    { "%s/out.csv.tmp-%ld-a1b2c3", 0, 0 },
    { "%s/out.csv.tmp-%ld-d4e5f6", 1, 1 },
    { "%s/out.csv.tmp-x%ld", 0, 1 },
    { "%s/charts/.scaling-noop.tmp-%ld.png", 0, 0 },
    { "%s/charts/data/scaling-noop.dat.tmp-%ld-g7h8i9", 0, 0 },
    { "%s/charts/.winners.tmp-%ld.svg", 1, 1 },
  };
  cbt_result_t r;
  size_t i;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "temps");
  rel_make_trials(dir, "in.csv");
  o.dir = dir;
  snprintf(path, sizeof(path), "%s/charts", dir);
  assert_int_equal(mkdir(path, 0755), 0);
  snprintf(path, sizeof(path), "%s/charts/data", dir);
  assert_int_equal(mkdir(path, 0755), 0);
  for (i = 0; i < ARRAY_SIZE(files); i++) {
    snprintf(path, sizeof(path), files[i].fmt, dir, files[i].pid ? live : dead);
    cbt_write_file(path, "half");
  }
  rel_run(&o, summary, &r);
  rel_expect_exit(&r, 0, "summary");
  cbt_result_free(&r);
  rel_run(&o, plot, &r);
  rel_expect_exit(&r, 0, "plot");
  cbt_result_free(&r);
  for (i = 0; i < ARRAY_SIZE(files); i++) {
    snprintf(path, sizeof(path), files[i].fmt, dir, files[i].pid ? live : dead);
    if (cbt_exists(path) != files[i].stays)
      fail_msg("%s: %s", path, files[i].stays ? "removed, though not stale" : "left behind");
  }
  cbt_remove_tree(dir);
}

/* A gnuplot that waits for ever: plot, asked to stop, kills and reaps it. */
static const char sleeping_gnuplot[] = "#!/bin/sh\nexec sleep 600\n";
/* A gnuplot that "succeeds" but writes incomplete charts, as on a full
 * disk: an empty PNG, an SVG without its end. */
static const char truncating_gnuplot[] =
    "#!/bin/sh\n"
    "out=$(printf '%s' \"$2\" | sed -n \"s/.*out='\\([^']*\\)'.*/\\1/p\")\n"
    ": > \"$out.png\"\n"
    "printf '<svg' > \"$out.svg\"\n"
    "exit 0\n";

static void write_script(const char *path, const char *text)
{
  cbt_write_file(path, text);
  assert_int_equal(chmod(path, 0755), 0);
}

/* Nothing in dir whose name has ".tmp" in it. */
static void no_temporary(const char *dir)
{
  struct dirent *e;
  DIR *d = opendir(dir);

  assert_non_null(d);
  while ((e = readdir(d)) != NULL) {
    if (strstr(e->d_name, ".tmp") != NULL)
      fail_msg("temporary file '%s' left in %s", e->d_name, dir);
  }
  closedir(d);
}

static void test_plot_stopped_and_full_disk(void **state)
{
  static const char *const plot[] = { "plot", "in.csv", "-o", "charts", "-q", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], gp[320], charts[320], chart[400], errp[320], *text, gp_env[360];
  const char *env[] = { gp_env, NULL };
  int errfd, st, sigs[] = { SIGTERM, SIGHUP, SIGINT };
  size_t i;
  long waited;
  cbt_result_t r;
  pid_t pid, child;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "plot");
  rel_make_trials(dir, "in.csv");
  o.dir = dir;
  rel_path_in(gp, sizeof(gp), dir, "sleeping-gnuplot");
  write_script(gp, sleeping_gnuplot);
  rel_path_in(charts, sizeof(charts), dir, "charts");
  rel_path_in(errp, sizeof(errp), dir, "plot.err");
  snprintf(gp_env, sizeof(gp_env), "CONCBENCH_GNUPLOT=%s", gp);
  o.env = env;
  for (i = 0; i < ARRAY_SIZE(sigs); i++) {
    errfd = open(errp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(errfd >= 0);
    pid = cbt_start(&o, plot, errfd, errfd);
    /* until plot has started its gnuplot */
    for (waited = 0;; waited += POLL_MS) {
      char path[64], line[256];
      FILE *f;
      snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", (long)pid, (long)pid);
      f = fopen(path, "re");
      child = f != NULL && fgets(line, sizeof(line), f) != NULL ? atoi(line) : 0;
      if (f != NULL)
        fclose(f);
      if (child > 0)
        break;
      if (waited > REL_WAIT_S * 1000L) {
        kill(pid, SIGKILL);
        fail_msg("plot never started gnuplot");
      }
      cbt_sleep_ms(POLL_MS);
    }
    assert_int_equal(kill(pid, sigs[i]), 0);
    st = cbt_wait(pid, REL_WAIT_S, "plot after a signal");
    text = cbt_slurp_fd(errfd, NULL);
    close(errfd);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 128 + sigs[i])
      fail_msg("plot: status %#x after signal %d, expected exit %d: %s", st, sigs[i],
               128 + sigs[i], text);
    cbt_expect_in(text, "interrupted", "plot's stderr");
    free(text);
    assert_int_equal(rel_survivors(), 0); /* gnuplot did not outlive it */
    assert_true(kill(child, 0) != 0);
    no_temporary(charts);
  }

  /* Charts drawn, then a "full disk": they stay as they were, no empty or
   * partial chart is left, and plot says so and exits 1. */
  o.env = NULL;
  rel_run(&o, plot, &r);
  rel_expect_exit(&r, 0, "plot");
  cbt_result_free(&r);
  rel_path_in(chart, sizeof(chart), charts, "scaling-noop.png");
  text = cbt_slurp_path(chart, NULL);
  assert_true(strlen(text) >= 4 && memcmp(text + 1, "PNG", 3) == 0);
  free(text);
  rel_path_in(gp, sizeof(gp), dir, "truncating-gnuplot");
  write_script(gp, truncating_gnuplot);
  snprintf(gp_env, sizeof(gp_env), "CONCBENCH_GNUPLOT=%s", gp);
  o.env = env;
  rel_run(&o, plot, &r);
  rel_expect_exit(&r, 1, "plot on a full disk");
  cbt_expect_in(r.err, "incomplete png", "plot's stderr");
  rel_expect_lines(r.err, "plot on a full disk");
  cbt_result_free(&r);
  text = cbt_slurp_path(chart, NULL);
  assert_true(strlen(text) >= 4 && memcmp(text + 1, "PNG", 3) == 0);
  free(text);
  no_temporary(charts);

  /* Too few file descriptors to start gnuplot (ulimit -n 5): the message
   * names the real cause, never "its message is above" with none above. */
  o.env = NULL;
  o.nofile = 5;
  rel_run(&o, plot, &r);
  o.nofile = 0;
  rel_expect_exit(&r, 1, "plot with 5 file descriptors");
  cbt_expect_in(r.err, strerror(EMFILE), "plot's stderr");
  if (strstr(r.err, "above") != NULL)
    fail_msg("plot points at a message above: %s", r.err);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}


/* ---- 11. workers killed from outside -------------------------------------- */

/* The children of pid, from /proc, into pids (at most max). */
static size_t children_of(pid_t pid, pid_t *pids, size_t max)
{
  char path[64], buf[4096], *p, *end;
  size_t n = 0;
  FILE *f;

  snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", (long)pid, (long)pid);
  f = fopen(path, "re");
  if (f == NULL)
    return 0;
  if (fgets(buf, sizeof(buf), f) != NULL) {
    for (p = buf; n < max; p = end) {
      long v = strtol(p, &end, 10);
      if (end == p)
        break;
      pids[n++] = (pid_t)v;
    }
  }
  fclose(f);
  return n;
}

/* 1 when process pid sleeps in nanosleep: an io.sleep worker in a task,
 * past its start-up (a kill then loses a task, not a worker being born). */
static int in_task(pid_t pid)
{
  char path[64], wchan[64] = "";
  FILE *f;

  snprintf(path, sizeof(path), "/proc/%ld/wchan", (long)pid);
  f = fopen(path, "re");
  if (f != NULL) {
    if (fgets(wchan, sizeof(wchan), f) == NULL)
      wchan[0] = '\0';
    fclose(f);
  }
  return strstr(wchan, "nanosleep") != NULL;
}

static void test_killed_workers(void **state)
{
  static const char *const slow[] = { "run", "-w", "io.sleep", "-s", "100000", "-t", "400",
                                      "-r", "processes", "-c", "4", "-p", "none", "--reps", "1",
                                      "--warmup", "0", "-o", "out.csv", NULL };
  static const char *const crash[] = { "run", "-w", "fault.crash", "-r", "processes", "-c",
                                       "2", "-t", "40", "-s", "10", "--reps", "2", "--warmup",
                                       "0", "-q", "-o", "crash.csv", NULL };
  static const char *const summary[] = { "summary", "out.csv", "-q", NULL };
  static const char *const summary_crash[] = { "summary", "crash.csv", "-q", NULL };
  static const char *const report[] = { "report", "out.csv", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], errp[320], *text;
  pid_t pid, trial[4], workers[16];
  size_t ntrial, nworkers;
  int errfd, st;
  long waited;
  cbt_result_t r;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "killed");
  o.dir = dir;
  rel_path_in(errp, sizeof(errp), dir, "run.err");
  errfd = open(errp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true(errfd >= 0);
  pid = cbt_start(&o, slow, errfd, errfd);
  /* until the trial process has its four workers, two of them in a task */
  for (waited = 0;; waited += POLL_MS) {
    ntrial = children_of(pid, trial, ARRAY_SIZE(trial));
    nworkers = ntrial == 1 ? children_of(trial[0], workers, ARRAY_SIZE(workers)) : 0;
    if (nworkers >= 4 && in_task(workers[0]) && in_task(workers[1]))
      break;
    if (waited > REL_WAIT_S * 1000L) {
      kill(pid, SIGKILL);
      fail_msg("no trial with four workers in their tasks");
    }
    cbt_sleep_ms(POLL_MS);
  }
  assert_int_equal(kill(workers[0], SIGKILL), 0);
  assert_int_equal(kill(workers[1], SIGKILL), 0);
  st = cbt_wait(pid, REL_WAIT_S, "the run whose workers were killed");
  text = cbt_slurp_fd(errfd, NULL);
  close(errfd);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 1)
    fail_msg("run: status %#x, expected exit 1 (a trial not ok): %s", st, text);
  cbt_expect_in(text, "lost with a worker that died", "run's stderr");
  free(text);
  rel_run(&o, summary, &r);
  rel_expect_exit(&r, 0, "summary");
  cbt_expect_in(r.out, "lost-tasks", "the summary's flags");
  cbt_expect_in(r.out, ",2\n", "the summary's failed_tasks");
  cbt_result_free(&r);
  rel_run(&o, report, &r);
  rel_expect_exit(&r, 0, "report");
  cbt_expect_in(r.out, "| io.sleep | processes | 4 | 0 of 1 | 2 |", "the report's failures");
  cbt_result_free(&r);

  /* fault.crash's workers die on purpose: its trials stay results. */
  rel_run(&o, crash, &r);
  rel_expect_exit(&r, 0, "fault.crash under processes");
  cbt_result_free(&r);
  rel_run(&o, summary_crash, &r);
  rel_expect_exit(&r, 0, "summary of fault.crash");
  if (strstr(r.out, "lost-tasks") != NULL || strstr(r.out, "failures") != NULL)
    fail_msg("fault.crash's planned failures are flagged: %s", r.out);
  cbt_result_free(&r);
  assert_int_equal(rel_survivors(), 0);
  cbt_remove_tree(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_killed_run_scratch_is_swept),
    cmocka_unit_test(test_stale_temporaries_swept),
    cmocka_unit_test(test_plot_stopped_and_full_disk),
    cmocka_unit_test(test_killed_workers),
  };

  if (rel_start() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
