/* Tests of harness/trial.c on what a trial finds: status names, expected
 * checksums, correct trials of every registry workload and runner (in this
 * process and supervised), a wrong checksum, tasks that come back twice,
 * never or lost (a test-only runner that misreports them), a task's error and
 * a set-up that fails. Cells use the real workloads and runners of the
 * registries plus the test-only workloads of tests/test_trl.c that misbehave
 * on purpose. Crashes, hangs and stops: test_trial_supervised.c. */
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

/* How the sloppy runner misreports: which tasks come back how often. */
enum { SLOPPY_FIRST_TWICE_LAST_NEVER, SLOPPY_LAST_NEVER, SLOPPY_FIRST_LOST, SLOPPY_LAST_LOST };

static int sloppy_mode;

static unsigned one_worker(unsigned c, unsigned pus, unsigned procs)
{
  (void)c;
  (void)pus;
  (void)procs;
  return 1;
}

/* Runs every task once in the blocking form, then misreports the first or
 * the last: counted twice, never, or lost with a worker (-ECHILD, as a
 * process pool reports a task whose worker died). */
static int sloppy_run(cb_exec_t *x)
{
  uint64_t i, n = x->params->tasks;
  void *slot = NULL;

  x->workers = 1;
  for (i = 0; i < n; i++) {
    cb_task_t t = { .p = x->params, .state = x->state, .index = i, .worker = &slot };
    x->results[i].err = x->wl->run(&t, &x->results[i].checksum);
    x->results[i].seen = 1;
    x->results[i].lat_ns = 1000 * (i + 1); /* 1, 2, ..., n us */
  }
  x->wall_ns = 1000000;
  switch (sloppy_mode) {
  case SLOPPY_FIRST_TWICE_LAST_NEVER:
    x->results[0].seen = 2;
    x->results[n - 1].seen = 0;
    break;
  case SLOPPY_LAST_NEVER:
    x->results[n - 1].seen = 0;
    break;
  case SLOPPY_FIRST_LOST:
  case SLOPPY_LAST_LOST:
    i = sloppy_mode == SLOPPY_FIRST_LOST ? 0 : n - 1;
    x->results[i].seen = 0;
    x->results[i].err = -ECHILD;
    x->failed = 1;
    break;
  default:
    break;
  }
  return 0;
}

static const cb_runner_t rn_sloppy = {
  .name = "test.sloppy",
  .description = "test only",
  .transports = (const char *const[]){ "inproc", NULL },
  .dispatches = (const char *const[]){ "none", NULL },
  .workers = one_worker,
  .run = sloppy_run,
};

#if CB_HAVE_HWLOC
#define PIN_BOUND CB_PIN_COMPACT
#else
#define PIN_BOUND CB_PIN_NONE
#endif

static void check_ok(const cb_cell_t *cell, const cb_trial_t *t)
{
  unsigned w = cbt_expected_workers(cell->rn, cell->concurrency, trl_pus);

  CBT_CHECK_EQ(t->status, CB_ST_OK);
  CBT_CHECK_EQ(t->msg[0], '\0');
  CBT_CHECK_EQ(t->verified, 1);
  CBT_CHECK_EQ(t->failed, 0);
  CBT_CHECK_EQ(t->wrong, 0);
  CBT_CHECK_EQ(t->workers, w);
  CBT_CHECK_EQ(t->pin_wrap, cell->pin != CB_PIN_NONE && w > trl_pus);
  CBT_CHECK(t->wall_s > 0);
  /* throughput is completed tasks per second of wall time */
  CBT_CHECK(t->throughput * t->wall_s > (double)cell->params.tasks * 0.999999);
  CBT_CHECK(t->throughput * t->wall_s < (double)cell->params.tasks * 1.000001);
  /* every task's latency lies inside the clocked task phase */
  CBT_CHECK(t->lat_p50_us <= t->lat_p99_us);
  CBT_CHECK(t->lat_p99_us <= t->wall_s * 1e6);
}

/* io.sleep's tasks never end early, so with at most c in flight the clock
 * reads at least ceil(tasks / c) waits (serial: tasks waits), and every
 * latency is at least one wait. */
static void check_sleep_bounds(const cb_cell_t *cell, const cb_trial_t *t)
{
  uint64_t n = cell->params.tasks, c = cell->concurrency;
  uint64_t waves = strcmp(cell->rn->name, "serial") == 0 ? n : (n + c - 1) / c;
  double bound_s = (double)waves * (double)cell->params.size / 1e6;

  if (t->wall_s < bound_s)
    print_error("[%s] wall %.9f s < %llu waits of %llu us\n", cbt_where, t->wall_s,
                (unsigned long long)waves, (unsigned long long)cell->params.size);
  CBT_CHECK(t->wall_s >= bound_s);
  CBT_CHECK(t->throughput <= (double)n / bound_s);
  CBT_CHECK(t->lat_p50_us >= (double)cell->params.size);
  CBT_CHECK(t->lat_p99_us >= (double)cell->params.size);
}

static void test_status_names(void **state)
{
  (void)state;
  assert_string_equal(cb_status_name(CB_ST_OK), "ok");
  assert_string_equal(cb_status_name(CB_ST_CRASHED), "crashed");
  assert_string_equal(cb_status_name(CB_ST_TIMEOUT), "timeout");
  assert_string_equal(cb_status_name(CB_ST_WRONG), "wrong");
  assert_string_equal(cb_status_name(CB_ST_ERROR), "error");
  assert_string_equal(cb_status_name(CB_ST_RACY), "racy");
  assert_string_equal(cb_status_name((cb_status_t)(CB_ST_RACY + 1)), "?");
  assert_string_equal(cb_status_name((cb_status_t)-1), "?");
}

static void test_expected(void **state)
{
  size_t k;
  uint64_t i, *e = NULL;

  (void)state;
  for (k = 0; k < cb_workloads_count; k++) {
    cb_cell_t cell = trl_make_cell(cb_workloads[k], "serial", 1, CB_PIN_NONE, 50, 7);

    cb_task_t t = { .p = &cell.params };

    CBT_CHECK_EQ(cb_trial_expected(&cell, 50, &e), 0);
    for (i = 0; i < 50; i++) {
      t.index = i;
      CBT_CHECK_EQ(e[i], cell.wl->expect(&t));
    }
    free(e);
  }
}

/* Correct trials of real and test workloads under every runner, in this
 * process and supervised. */
static void test_correct_trials(void **state)
{
  static const struct {
    const char *name;
    uint64_t size;
  } wls[] = { { "test.ok", 0 }, { "noop", 0 }, { "cpu.hash", 500 }, { "io.sleep", 200 } };
  static const unsigned cs[] = { 1, 4 };
  static const cb_pin_policy_t pins[] = { CB_PIN_NONE, PIN_BOUND };
  size_t i, k, ci, pi;
  cb_trial_t t;
  int sup;

  (void)state;
  for (i = 0; i < cb_runners_count; i++)
    for (k = 0; k < CB_ARRAY_SIZE(wls); k++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++)
        for (pi = 0; pi < CB_ARRAY_SIZE(pins); pi++)
          for (sup = 0; sup < 2; sup++) {
            const cb_workload_t *wl = strcmp(wls[k].name, "test.ok") == 0
                                          ? &trl_wl_ok : cb_workload_find(wls[k].name);
            cb_cell_t cell;

            assert_non_null(wl);
            cell = trl_make_cell(wl, cb_runners[i]->name, cs[ci], pins[pi], 30, wls[k].size);
            CBT_CHECK_EQ(trl_trial(&cell, sup, 60, NULL, &t), 0);
            check_ok(&cell, &t);
            if (strcmp(wls[k].name, "io.sleep") == 0)
              check_sleep_bounds(&cell, &t);
          }
}

/* The message of a wrong checksum in task `index` of the cell. */
static void wrong_msg(const cb_cell_t *cell, uint64_t index, char *buf, size_t len)
{
  uint64_t want = trl_mode_sum(&cell->params, index);

  snprintf(buf, len, "task %llu: checksum %016llx, expected %016llx", (unsigned long long)index,
           (unsigned long long)(want ^ WRONG_XOR), (unsigned long long)want);
}

/* A wrong checksum in task 5 is caught, counted once and named; so are
 * wrong checksums in the first and the last task (both counted, the first
 * named). */
static void test_wrong_checksum(void **state)
{
  const cb_workload_t *wls[] = { &trl_wl_wrong, &trl_wl_wrong_inline, &trl_wl_wrong_edges,
                                 &trl_wl_wrong_edges_inline };
  size_t i, wi;
  cb_trial_t t;
  char msg[160];
  int sup;

  (void)state;
  for (i = 0; i < cb_runners_count; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
      for (sup = 0; sup < 2; sup++) {
        int edges = wls[wi] == &trl_wl_wrong_edges || wls[wi] == &trl_wl_wrong_edges_inline;
        cb_cell_t cell = trl_make_cell(wls[wi], cb_runners[i]->name, 3, CB_PIN_NONE, 12, 0);

        CBT_CHECK_EQ(trl_trial(&cell, sup, 60, NULL, &t), 0);
        CBT_CHECK_EQ(t.status, CB_ST_WRONG);
        CBT_CHECK_EQ(t.verified, 0);
        CBT_CHECK_EQ(t.wrong, edges ? 2 : 1);
        CBT_CHECK_EQ(t.failed, 0);
        wrong_msg(&cell, edges ? 0 : BAD_INDEX, msg, sizeof(msg));
        if (strcmp(t.msg, msg) != 0)
          print_error("[%s] msg \"%s\", expected \"%s\"\n", cbt_where, t.msg, msg);
        CBT_CHECK(strcmp(t.msg, msg) == 0);
      }
}

/* Tasks that come back twice or never, or are lost with their worker, at
 * either end of the trial: the first two make it wrong, each counted; a
 * lost task is failed, not wrong, and makes the trial an error unless the
 * workload kills its workers on purpose. */
static void test_tasks_lost_or_twice(void **state)
{
#define KILLED "1 task lost with a worker that died (killed from outside?)"
  static const struct {
    const cb_workload_t *wl;
    int mode;
    cb_status_t status;
    uint64_t wrong, failed, good;
    int verified;
    const char *msg;
  } cases[] = {
    { &trl_wl_ok, SLOPPY_FIRST_TWICE_LAST_NEVER, CB_ST_WRONG, 2, 0, 10, 0, "task 0 came back 2 times" },
    { &trl_wl_ok, SLOPPY_LAST_NEVER, CB_ST_WRONG, 1, 0, 11, 0, "task 11 came back 0 times" },
    { &trl_wl_ok, SLOPPY_FIRST_LOST, CB_ST_ERROR, 0, 1, 11, 1, KILLED },
    { &trl_wl_ok, SLOPPY_LAST_LOST, CB_ST_ERROR, 0, 1, 11, 1, KILLED },
    { &trl_wl_ok_planned, SLOPPY_FIRST_LOST, CB_ST_OK, 0, 1, 11, 1, "" },
    { &trl_wl_ok_planned, SLOPPY_LAST_LOST, CB_ST_OK, 0, 1, 11, 1, "" },
  };
#undef KILLED
  size_t k;
  cb_trial_t t;
  int sup;

  (void)state;
  for (k = 0; k < CB_ARRAY_SIZE(cases); k++)
    for (sup = 0; sup < 2; sup++) {
      cb_cell_t cell = trl_make_cell(cases[k].wl, "serial", 1, CB_PIN_NONE, 12, 0);

      cell.rn = &rn_sloppy;
      sloppy_mode = cases[k].mode;
      snprintf(cbt_where, sizeof(cbt_where), "%s under test.sloppy, case %zu, %s", cases[k].wl->name, k,
               sup ? "supervised" : "in process");
      CBT_CHECK_EQ(trl_trial(&cell, sup, 60, NULL, &t), 0);
      CBT_CHECK_EQ(t.status, cases[k].status);
      CBT_CHECK_EQ(t.wrong, cases[k].wrong);
      CBT_CHECK_EQ(t.failed, cases[k].failed);
      CBT_CHECK_EQ(t.verified, cases[k].verified);
      {
        const char *want = cases[k].msg != NULL ? cases[k].msg : "";
        if (strcmp(t.msg, want) != 0)
          print_error("[%s] msg \"%s\", expected \"%s\"\n", cbt_where, t.msg, want);
        CBT_CHECK(strcmp(t.msg, want) == 0);
      }
      /* the clock the runner reported, and the tasks that came back right */
      CBT_CHECK(t.wall_s == 1e-3);
      CBT_CHECK(t.throughput * t.wall_s > (double)cases[k].good * 0.999999);
      CBT_CHECK(t.throughput * t.wall_s < (double)cases[k].good * 1.000001);
      /* Percentiles of 1..12 us (type 7: position q (n - 1) between closest
       * ranks) over the tasks that came back: p50 of 1..12 is 6.5, p99 at
       * position 10.89 is 11.89; without task 12 (or task 1) p50 is the
       * 6th of 11 values, 6 (or 7), and p99 at position 9.9 is 10.9 (or
       * 11.9); task 1 twice counts once. */
      {
        double p50 = 6.5, p99 = 11.89;
        if (cases[k].mode == SLOPPY_LAST_NEVER || cases[k].mode == SLOPPY_LAST_LOST ||
            cases[k].mode == SLOPPY_FIRST_TWICE_LAST_NEVER) {
          p50 = 6;
          p99 = 10.9;
        } else if (cases[k].mode == SLOPPY_FIRST_LOST) {
          p50 = 7;
          p99 = 11.9;
        }
        if (fabs(t.lat_p50_us - p50) > 1e-9 || fabs(t.lat_p99_us - p99) > 1e-9)
          print_error("[%s] p50 %.17g us, p99 %.17g us\n", cbt_where, t.lat_p50_us, t.lat_p99_us);
        CBT_CHECK(fabs(t.lat_p50_us - p50) <= 1e-9);
        CBT_CHECK(fabs(t.lat_p99_us - p99) <= 1e-9);
      }
    }
}

/* A task that returns an error makes the trial an error, naming the task;
 * errors in the first and the last task are both counted. */
static void test_task_error(void **state)
{
  const cb_workload_t *wls[] = { &trl_wl_eio, &trl_wl_eio_edges };
  size_t i, wi;
  cb_trial_t t;
  char msg[160];

  (void)state;
  for (i = 0; i < cb_runners_count; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++) {
      cb_cell_t cell = trl_make_cell(wls[wi], cb_runners[i]->name, 2, CB_PIN_NONE, 12, 0);

      CBT_CHECK_EQ(trl_trial(&cell, 0, 60, NULL, &t), 0);
      CBT_CHECK_EQ(t.status, CB_ST_ERROR);
      CBT_CHECK_EQ(t.verified, 0);
      CBT_CHECK_EQ(t.wrong, 0);
      CBT_CHECK_EQ(t.failed, wi == 0 ? 1 : 2);
      snprintf(msg, sizeof(msg), "task %u: %s", wi == 0 ? BAD_INDEX : 0u, strerror(EIO));
      if (strcmp(t.msg, msg) != 0)
        print_error("[%s] msg \"%s\", expected \"%s\"\n", cbt_where, t.msg, msg);
      CBT_CHECK(strcmp(t.msg, msg) == 0);
    }
}

static void test_setup_failure(void **state)
{
  cb_cell_t cell = trl_make_cell(&trl_wl_setup_fails, "threads", 2, CB_PIN_NONE, 12, 0);
  cb_trial_t t;
  char msg[160];

  (void)state;
  snprintf(msg, sizeof(msg), "test.setup-fails set-up: %s", strerror(ENOSPC));
  CBT_CHECK_EQ(trl_trial(&cell, 0, 60, NULL, &t), -ENOSPC);
  CBT_CHECK_EQ(t.status, CB_ST_ERROR);
  assert_string_equal(t.msg, msg);
  CBT_CHECK_EQ(trl_trial(&cell, 1, 60, NULL, &t), 0);
  CBT_CHECK_EQ(t.status, CB_ST_ERROR);
  assert_string_equal(t.msg, msg);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_status_names),
    cmocka_unit_test(test_expected),
    cmocka_unit_test(test_correct_trials),
    cmocka_unit_test(test_wrong_checksum),
    cmocka_unit_test(test_tasks_lost_or_twice),
    cmocka_unit_test(test_task_error),
    cmocka_unit_test(test_setup_failure),
  };

  return cmocka_run_group_tests(tests, trl_group_setup, trl_group_teardown);
}
