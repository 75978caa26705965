/* Integration test of an interrupted run (DESIGN.md, "Measurement" and
 * "CLI"): `concbench run` (path in $CONCBENCH, started with fork+execv, never
 * a shell) gets a terminating signal (SIGINT, SIGTERM, and as well SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM) once its CSV holds a first
 * trial, and must exit 128 + the signal, leaving a CSV that parses and holds
 * only finished (ok) trials, the summary and the --json file beside it, no
 * temporary file, no lock file, no scratch directory (the run gets a TMPDIR
 * of its own, which must be empty afterwards) and no process: this test
 * makes itself a child subreaper before starting the run, so every
 * descendant that outlives concbench is re-parented here, where waitpid
 * finds it. Waits are bounded, never timed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"
#include "matrix.h"
#include "table.h"

#define POLL_MS 20
#define START_WAIT_S 60 /* until the first trial is in the CSV */
#define EXIT_WAIT_S 60  /* from the signal to concbench's exit */
#define REAP_WAIT_S 10  /* for descendants, which should not exist at all */

/* Kill and reap whatever descendants were handed to us: a failing test must
 * not leave them running. Only our own children (by /proc) are touched. */
static void kill_our_children(void)
{
  char path[300], buf[512], *p;
  struct dirent *d;
  DIR *proc = opendir("/proc");
  FILE *f;
  int ppid;

  while (proc != NULL && (d = readdir(proc)) != NULL) {
    if (d->d_name[0] < '1' || d->d_name[0] > '9')
      continue;
    snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
    if ((f = fopen(path, "re")) == NULL)
      continue;
    p = fgets(buf, sizeof(buf), f) != NULL ? strrchr(buf, ')') : NULL;
    if (p != NULL && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == getpid())
      kill((pid_t)atoi(d->d_name), SIGKILL);
    fclose(f);
  }
  if (proc != NULL)
    closedir(proc);
  while (waitpid(-1, NULL, WNOHANG) > 0)
    ;
}

/* concbench with argv (TMPDIR tmpdir unless NULL), its stdout to
 * /dev/null, its stderr into err. */
static pid_t spawn(const char *const *argv, const char *tmpdir, int err)
{
  const cbt_spawn_t o = { .tmpdir = tmpdir };
  int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  pid_t pid;

  assert_true(null >= 0);
  pid = cbt_start(&o, argv, null, err);
  close(null);
  return pid;
}

/* Data rows in the CSV at `path`, or 0 when it is not there (yet). */
static size_t csv_rows(const char *path)
{
  char err[256];
  cb_table_t t;
  size_t n;

  if (cb_table_load(path, &t, err, sizeof(err)) != 0)
    return 0;
  n = t.rows > 0 ? t.rows - 1 : 0;
  cb_table_free(&t);
  return n;
}

/* After concbench is gone: how many of its descendants outlived it (they
 * come to us, the subreaper), or -1 when some still lived at the deadline. */
static int survivors(void)
{
  long waited;
  int n = 0;
  pid_t r;

  for (waited = 0; waited <= REAP_WAIT_S * 1000L; waited += POLL_MS) {
    while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
      n++;
    if (r < 0 && errno == ECHILD)
      return n;
    cbt_sleep_ms(POLL_MS);
  }
  return -1;
}

/* `finished`: the trials run said the CSV holds. */
static void check_files(const char *dir, size_t finished)
{
  char path[512], err[256], listing[512], *json;
  cb_table_t t;
  size_t r, names = 0;
  long status;

  snprintf(path, sizeof(path), "%s/out.csv", dir);
  if (cb_table_load(path, &t, err, sizeof(err)) != 0)
    fail_msg("the CSV of the interrupted run does not parse: %s", err);
  status = cb_table_col(&t, "status");
  assert_true(status >= 0);
  assert_true(t.rows >= 2);
  /* 4 cells x 20 reps: an interrupted run finished fewer. */
  assert_true(t.rows - 1 < 80);
  /* Every one it finished: also those after the file's last rewrite, which
   * comes at most every 2 s while a run goes on. */
  if (t.rows - 1 != finished)
    fail_msg("the CSV holds %zu trials, run said %zu finished", t.rows - 1, finished);
  for (r = 1; r < t.rows; r++) {
    if (strcmp(cb_table_get(&t, r, (size_t)status), "ok") != 0)
      fail_msg("line %zu: status '%s': an interrupted trial was recorded", t.line[r],
               cb_table_get(&t, r, (size_t)status));
  }

  /* The JSON holds every trial of the CSV. */
  snprintf(path, sizeof(path), "%s/out.json", dir);
  json = cbt_try_slurp_path(path, NULL);
  if (json == NULL)
    fail_msg("no --json file after the interrupt: %s", strerror(errno));
  assert_true(json[0] != '\0');
  assert_non_null(strstr(json, "\"benchmarks\": ["));
  for (const char *p = json; (p = strstr(p, "\"run_name\": ")) != NULL; p++)
    names++;
  assert_int_equal(names, t.rows - 1);
  free(json);
  cb_table_free(&t);

  /* Exactly the files of a run, no temporary one left over. */
  cbt_listing(dir, listing, sizeof(listing));
  if (strcmp(listing, "out.csv out.json out.meta.json out.summary.csv") != 0)
    fail_msg("%s holds '%s', not exactly a run's four files", dir, listing);
  cbt_remove_tree(dir);
}

/* Nothing in the run's own TMPDIR; then remove it. */
static void check_tmpdir_empty(const char *tmp)
{
  char listing[512];

  cbt_listing(tmp, listing, sizeof(listing));
  if (listing[0] != '\0')
    fail_msg("'%s' left in TMPDIR %s", listing, tmp);
  assert_int_equal(rmdir(tmp), 0);
}

/* Wait (bounded) until the CSV at `out` holds a first trial; fail if the
 * run ends before, or kill it and fail after START_WAIT_S. */
static void wait_first_row(pid_t pid, const char *out, int err)
{
  char errtext[4096];
  long waited;
  int status;

  for (waited = 0; csv_rows(out) == 0; waited += POLL_MS) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      cbt_read_fd(err, errtext, sizeof(errtext));
      fail_msg("concbench ended (status %#x) before its first trial: %s", status, errtext);
    }
    if (waited > START_WAIT_S * 1000L) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      kill_our_children();
      fail_msg("no trial in %s after %d s (warm-ups of other cells first?)", out, START_WAIT_S);
    }
    cbt_sleep_ms(POLL_MS);
  }
}

static void interrupt_with(int sig)
{
  char dir[256], out[320], json[320], errtext[4096], tmp[256];
  const char *argv[] = { "run", "-w", "io.sleep", "-s", "20000", "-t", "10",
                         "-r", "threads,processes", "-c", "1,2", "-p", "none", "--reps", "20",
                         "-q", "-o", out, "--json", json, NULL };
  int err = cbt_temp_fd(), status, left;
  size_t finished;
  const char *p;
  pid_t pid;

  assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  assert_true(cbt_no_children());
  cbt_make_dir(dir, sizeof(dir), "interrupt");
  snprintf(out, sizeof(out), "%s/out.csv", dir);
  snprintf(json, sizeof(json), "%s/out.json", dir);
  cbt_make_dir(tmp, sizeof(tmp), "interrupt-tmp");

  pid = spawn(argv, tmp, err);
  wait_first_row(pid, out, err);
  /* Trials that finish now reach the file only at its next rewrite, or
   * when the run stops: the stop must write them. */
  cbt_sleep_ms(1000);

  assert_int_equal(kill(pid, sig), 0);
  if (cbt_try_wait(pid, EXIT_WAIT_S, &status) != 0) {
    kill_our_children();
    fail_msg("concbench did not exit within %d s of signal %d", EXIT_WAIT_S, sig);
  }
  cbt_read_fd(err, errtext, sizeof(errtext));
  close(err);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 128 + sig)
    fail_msg("status %#x after signal %d, expected exit %d; stderr: %s", status, sig, 128 + sig,
             errtext);
  if (strstr(errtext, "interrupted") == NULL)
    fail_msg("stderr does not say it was interrupted: %s", errtext);
  p = strstr(errtext, "interrupted by signal");
  p = p != NULL ? strstr(p, "; ") : NULL;
  if (p == NULL || sscanf(p, "; %zu finished trials", &finished) != 1)
    fail_msg("stderr does not say how many trials finished: %s", errtext);

  left = survivors();
  if (left != 0) {
    kill_our_children();
    if (left < 0)
      fail_msg("descendants of concbench still run %d s after it exited", REAP_WAIT_S);
    fail_msg("%d descendant(s) of concbench outlived it", left);
  }
  check_files(dir, finished);
  check_tmpdir_empty(tmp);
}

static void test_sigint(void **state)
{
  (void)state;
  interrupt_with(SIGINT);
}

static void test_sigterm(void **state)
{
  (void)state;
  interrupt_with(SIGTERM);
}

/* The other signals that end a process by default, sent from outside: the
 * same clean stop as SIGINT and SIGTERM. */
static void test_other_terminating_signals(void **state)
{
  static const int sigs[] = { SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM };
  size_t i;

  (void)state;
  for (i = 0; i < CBT_ARRAY_SIZE(sigs); i++)
    interrupt_with(sigs[i]);
}

/* A run keeps what it measured before an interrupt even when other cells'
 * warm-ups are slow: each cell's warm-up runs just before its first recorded
 * trial, not all warm-ups first. Two cells, a fast one (io.sleep 20 ms) and
 * one whose every trial takes two minutes; the seed is picked so that the
 * fast cell comes first. Its recorded trial must reach the CSV while the
 * slow cell is still ahead; then SIGINT, exit 130, and that row kept. With
 * all warm-ups first, the slow warm-up would keep the CSV empty for two
 * minutes, beyond the bounded wait. */
static void test_interrupt_keeps_recorded(void **state)
{
  char dir[256], out[320], seed[32], errtext[4096];
  const char *argv[] = { "run", "-w", "io.sleep", "-s", "20000,60000000", "-t", "2",
                         "-r", "serial", "-c", "1", "-p", "none", "--reps", "3", "--warmup", "1",
                         "--trial-timeout", "600", "--seed", seed, "-q", "-o", out, NULL };
  int err = cbt_temp_fd(), status;
  long k;
  pid_t pid;

  (void)state;
  /* The matrix lists the sizes in order: cell 0 is the fast one. */
  for (k = 1; k < 1000; k++) {
    size_t n;
    cb_slot_t *s = cb_schedule(2, 1, 3, (uint64_t)k, &n);
    int fast_first = s != NULL && s[0].cell == 0 && s[1].cell == 0 && s[1].rep == 0;
    free(s);
    if (fast_first)
      break;
  }
  assert_true(k < 1000);
  snprintf(seed, sizeof(seed), "%ld", k);
  cbt_make_dir(dir, sizeof(dir), "interrupt");
  snprintf(out, sizeof(out), "%s/out.csv", dir);
  assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  pid = spawn(argv, NULL, err);
  wait_first_row(pid, out, err);
  assert_int_equal(kill(pid, SIGINT), 0);
  if (cbt_try_wait(pid, EXIT_WAIT_S, &status) != 0) {
    kill_our_children();
    fail_msg("concbench did not exit within %d s of SIGINT", EXIT_WAIT_S);
  }
  cbt_read_fd(err, errtext, sizeof(errtext));
  close(err);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 128 + SIGINT)
    fail_msg("status %#x after SIGINT, expected exit 130; stderr: %s", status, errtext);
  /* the fast cell's first recorded trial (perhaps its others), nothing of
   * the slow cell */
  assert_true(csv_rows(out) >= 1 && csv_rows(out) <= 3);
  assert_int_equal(survivors(), 0);
  cbt_remove_tree(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sigint),
    cmocka_unit_test(test_sigterm),
    cmocka_unit_test(test_other_terminating_signals),
    cmocka_unit_test(test_interrupt_keeps_recorded),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
