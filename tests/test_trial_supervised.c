/* Tests of harness/trial.c's supervised trial, in a child process, when
 * things go wrong: a crash, a worker lost when no crash was planned, expected
 * checksums computed in a child that hangs or crashes, a set-up error named,
 * a timeout and a stop. Cells use the test-only workloads of
 * tests/test_trl.c. After every supervised trial no process of it may be
 * left: the hanging tasks write their pids to a page shared with this
 * process, and each of them must be gone, not only our direct children. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cb_config.h"
#include "trial.h"
#include "common.h"
#include "test_trl.h"

/* A worker that dies when the workload does not kill workers on purpose
 * (here: killed "from outside") spoils the trial: the process pool carries
 * on, but the trial is an error naming the lost task, so that neither the
 * run nor the summary takes it as a measurement. */
static void test_lost_worker_is_an_error(void **state)
{
  cb_cell_t cell = trl_make_cell(&trl_wl_segv_unplanned, "processes", 2, CB_PIN_NONE, 12, 0);
  cb_trial_t t;

  (void)state;
  CBT_CHECK_EQ(trl_trial(&cell, 1, 60, NULL, &t), 0);
  CBT_CHECK_EQ(t.status, CB_ST_ERROR);
  CBT_CHECK_EQ(t.failed, 1);
  CBT_CHECK_EQ(t.wrong, 0);
  CBT_CHECK_HAS(t.msg, "1 task lost with a worker that died");
}

/* The expected checksums are computed in a supervised child into shared
 * memory: right when all goes well, and when the computation hangs or
 * crashes, the coordinator gets a status to record (timeout, crashed), never
 * a hang or a crash of its own, and no process is left. */
static void test_expected_supervised(void **state)
{
  cb_cell_t cell = trl_make_cell(&trl_wl_ok, "serial", 1, CB_PIN_NONE, 12, 3);
  uint64_t *e = NULL, *want = NULL, i;
  volatile int stop = 0;
  cb_trial_t fail;

  (void)state;
  CBT_CHECK_EQ(cb_trial_expected(&cell, 12, &want), 0);
  CBT_CHECK_EQ(cb_trial_expect_supervised(&cell, 12, 60, &stop, &e, &fail), 0);
  assert_non_null(e);
  for (i = 0; i < 12; i++)
    CBT_CHECK_EQ(e[i], want[i]);
  cb_trial_expect_free(&cell, e, 12);
  free(want);
  CBT_CHECK(cbt_no_children());

  memset(trl_shared, 0, offsetof(shared_t, scratch));
  cell = trl_make_cell(&trl_wl_expect_hang, "serial", 1, CB_PIN_NONE, 12, 3);
  CBT_CHECK_EQ(cb_trial_expect_supervised(&cell, 12, 0.5, &stop, &e, &fail), 1);
  CBT_CHECK(e == NULL);
  CBT_CHECK_EQ(fail.status, CB_ST_TIMEOUT);
  CBT_CHECK_HAS(fail.msg, "computing the expected checksums: killed after 0.5 s");
  CBT_CHECK(cbt_no_children());
  CBT_CHECK(atomic_load(&trl_shared->npids) == 1 && kill(atomic_load(&trl_shared->pids[0]), 0) != 0);

  cell = trl_make_cell(&trl_wl_expect_crash, "serial", 1, CB_PIN_NONE, 12, 3);
  CBT_CHECK_EQ(cb_trial_expect_supervised(&cell, 12, 60, &stop, &e, &fail), 1);
  CBT_CHECK_EQ(fail.status, CB_ST_CRASHED);
  CBT_CHECK_HAS(fail.msg, "computing the expected checksums: killed by signal 11");
  CBT_CHECK(cbt_no_children());

  /* Asked to stop: -EINTR at once, nothing left. */
  stop = 1;
  cell = trl_make_cell(&trl_wl_expect_hang, "serial", 1, CB_PIN_NONE, 12, 3);
  CBT_CHECK_EQ(cb_trial_expect_supervised(&cell, 12, 60, &stop, &e, &fail), -EINTR);
  CBT_CHECK(cbt_no_children());
}

/* A trial that cannot be set up says which step failed and why. */
static void test_setup_error_is_named(void **state)
{
  cb_cell_t cell = trl_make_cell(&trl_wl_ok, "serial", 1, CB_PIN_NONE, 12, 0);
  const char *old = getenv("TMPDIR");
  char *saved = old != NULL ? strdup(old) : NULL;
  cb_trial_t t;
  int err;

  (void)state;
  setenv("TMPDIR", "/nonexistent-cb-tmp", 1);
  err = cb_trial_supervised(&cell, cbt_topo, NULL, 60, NULL, &t);
  if (saved != NULL)
    setenv("TMPDIR", saved, 1);
  else
    unsetenv("TMPDIR");
  free(saved);
  CBT_CHECK_EQ(err, -ENOENT);
  CBT_CHECK_HAS(t.msg, "cannot create its scratch directory in /nonexistent-cb-tmp");
  CBT_CHECK_HAS(t.msg, strerror(ENOENT));
  CBT_CHECK(cbt_no_children());
}

/* A crash kills the trial process of the in-process runners; the process
 * pool loses one task and carries on. */
static void test_crash(void **state)
{
  const cb_workload_t *wls[] = { &trl_wl_segv, &trl_wl_badptr };
  char sig[96];
  size_t i, wi;
  cb_trial_t t;

  (void)state;
  snprintf(sig, sizeof(sig), "trial process killed by signal %d (%s)", SIGSEGV,
           strsignal(SIGSEGV));
  for (i = 0; i < cb_runners_count; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++) {
      const char *rn = cb_runners[i]->name;
      cb_cell_t cell = trl_make_cell(wls[wi], rn, 2, CB_PIN_NONE, 12, 0);

      CBT_CHECK_EQ(trl_trial(&cell, 1, 60, NULL, &t), 0);
      if (cb_runners[i]->survives_crash) {
        /* the crash costs its process's tasks in flight: 1 for processes,
         * at most T (per_proc) for a hybrid */
        CBT_CHECK_EQ(t.status, CB_ST_OK);
        CBT_CHECK(t.failed >= 1 && t.failed <= t.per_proc);
        if (strcmp(rn, "processes") == 0)
          CBT_CHECK_EQ(t.failed, 1);
        CBT_CHECK_EQ(t.wrong, 0);
        CBT_CHECK_EQ(t.verified, 1);
        CBT_CHECK_EQ(t.msg[0], '\0');
        CBT_CHECK_EQ(t.workers, cb_runners[i]->workers(2, cb_topo_pus(cbt_topo), cb_topo_pus(cbt_topo)));
        /* throughput counts the tasks that completed */
        CBT_CHECK(t.throughput * t.wall_s >
                  (double)(cell.params.tasks - t.failed) * 0.999999);
        CBT_CHECK(t.throughput * t.wall_s <
                  (double)(cell.params.tasks - t.failed) * 1.000001);
      } else {
        CBT_CHECK_EQ(t.status, CB_ST_CRASHED);
        CBT_CHECK_EQ(t.verified, 0);
        if (strcmp(t.msg, sig) != 0)
          print_error("[%s] msg \"%s\", expected \"%s\"\n", cbt_where, t.msg, sig);
        CBT_CHECK(strcmp(t.msg, sig) == 0);
      }
    }
}

static void check_hang_pids_gone(void)
{
  int i, n = atomic_load(&trl_shared->npids);

  if (n > (int)CB_ARRAY_SIZE(trl_shared->pids))
    n = (int)CB_ARRAY_SIZE(trl_shared->pids);
  for (i = 0; i < n; i++) {
    int pid = atomic_load(&trl_shared->pids[i]);
    CBT_CHECK(pid > 0);
    errno = 0;
    CBT_CHECK(kill(pid, 0) == -1 && errno == ESRCH);
  }
}

/* A hung trial is killed at the timeout with every process it made,
 * grandchildren (processes workers, a task's own child) included. */
static void test_timeout(void **state)
{
  const cb_workload_t *wls[] = { &trl_wl_hang, &trl_wl_hang_fork };
  size_t i, wi;
  cb_trial_t t;

  (void)state;
  for (i = 0; i < cb_runners_count; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++) {
      cb_cell_t cell = trl_make_cell(wls[wi], cb_runners[i]->name, 3, CB_PIN_NONE, 12, 0);

      atomic_store(&trl_shared->npids, 0);
      CBT_CHECK_EQ(trl_trial(&cell, 1, 0.5, NULL, &t), 0);
      CBT_CHECK_EQ(t.status, CB_ST_TIMEOUT);
      CBT_CHECK_EQ(t.verified, 0);
      CBT_CHECK_EQ(t.wrong, 0);
      CBT_CHECK_EQ(t.failed, 0);
      CBT_CHECK(t.wall_s == 0 && t.throughput == 0);
      if (strcmp(t.msg, "killed after 0.5 s (--trial-timeout)") != 0)
        print_error("[%s] msg \"%s\"\n", cbt_where, t.msg);
      CBT_CHECK(strcmp(t.msg, "killed after 0.5 s (--trial-timeout)") == 0);
      /* Only task 5 hangs, and was reached before the timeout: one process
       * hangs, or with test.hang-fork it and its child (which may not have
       * noted itself yet when the timeout struck). */
      CBT_CHECK(atomic_load(&trl_shared->npids) >= 1);
      CBT_CHECK(atomic_load(&trl_shared->npids) <= (wls[wi] == &trl_wl_hang_fork ? 2 : 1));
      check_hang_pids_gone();
    }
}

static volatile int stop_flag;

static void on_alarm(int sig)
{
  (void)sig;
  stop_flag = 1;
}

/* A stop request kills the trial and reports -EINTR: set before the call,
 * and set by a signal while a trial hangs. */
static void test_stop(void **state)
{
  struct sigaction sa = { .sa_handler = on_alarm }, old;
  struct itimerval it = { .it_value = { 0, 200000 } };
  cb_cell_t cell;
  cb_trial_t t;
  size_t i;

  (void)state;
  for (i = 0; i < cb_runners_count; i++) {
    cell = trl_make_cell(&trl_wl_ok, cb_runners[i]->name, 2, CB_PIN_NONE, 12, 0);
    stop_flag = 1;
    CBT_CHECK_EQ(trl_trial(&cell, 1, 60, &stop_flag, &t), -EINTR);
  }

  assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
  for (i = 0; i < 2; i++) {
    cell = trl_make_cell(&trl_wl_hang_fork, i == 0 ? "threads" : "processes", 2, CB_PIN_NONE, 12, 0);
    atomic_store(&trl_shared->npids, 0);
    stop_flag = 0;
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    /* Without the stop this would end at the 60 s timeout with status timeout. */
    CBT_CHECK_EQ(trl_trial(&cell, 1, 60, &stop_flag, &t), -EINTR);
    CBT_CHECK_EQ(stop_flag, 1);
    check_hang_pids_gone();
  }
  sigaction(SIGALRM, &old, NULL);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_crash),
    cmocka_unit_test(test_lost_worker_is_an_error),
    cmocka_unit_test(test_expected_supervised),
    cmocka_unit_test(test_setup_error_is_named),
    cmocka_unit_test(test_timeout),
    cmocka_unit_test(test_stop),
  };

  return cmocka_run_group_tests(tests, trl_group_setup, trl_group_teardown);
}
