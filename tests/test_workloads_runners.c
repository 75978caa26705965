/* Every workload of the registry (but fault.*, tested here apart, and
 * sync.none, which races on purpose and is tested in test_sync.c), run as a
 * trial (cb_trial_supervised) under every runner with small sizes, must
 * come back ok and verified; fault.crash kills exactly its tasks and
 * fault.error fails exactly its own.
 *
 * The executable runs with TMPDIR set to a fresh directory of its own
 * (tests/test_wl.c); every trial makes its scratch directory there, so after
 * each trial that directory must be empty again, crashed trials included,
 * and no child process may be left. */
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cb_config.h"
#include "io_tcp.h"
#include "mix.h"
#include "trial.h"
#include "common.h"
#include "test_wl.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

/* ---- every workload under every runner ----------------------------------- */

typedef struct wcase_s {
  const char *name;
  uint64_t size, payload, tasks; /* tasks 0: one per unit of concurrency */
} wcase_t;

/* Cases beside each workload's test size (cb_workload_t.test) at its
 * default payload: a payload that is no multiple of a word, and the ends of
 * the mixed workloads' CPU share, with and without a payload. */
static const wcase_t extra_cases[] = {
  { "comm.payload", 0, 1000, 30 },
  { "mix.sleep", 0, 0, 30 },
  { "mix.sleep", 100, 0, 30 },
  { "mix.tcp", 0, 64, 30 },
  { "mix.tcp", 100, 0, 30 },
};

static void run_case(const cb_workload_t *wl, const wcase_t *wc)
{
  static const unsigned cs[] = { 1, 2, 16 };
  size_t i, ci;
  cb_trial_t t;

  for (i = 0; i < cb_runners_count; i++)
    for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
      const cb_runner_t *rn = cb_runners[i];
      unsigned c = cs[ci];
      cb_cell_t cell;

      if (wlt_is_runner(rn, "serial") && c != 1)
        continue;
      cell = wlt_cell(wl, rn, c, wc->tasks > 0 ? wc->tasks : c, wc->size, wc->payload);
      CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
      wlt_check_ok(&cell, &t);
    }
}

static void test_every_workload_every_runner(void **state)
{
  size_t k, covered = 0;

  (void)state;
  for (k = 0; k < cb_workloads_count; k++) {
    const cb_workload_t *wl = cb_workloads[k];
    wcase_t wc = { wl->name, wl->test.size, wl->default_payload, wl->test.tasks };

    /* fault.* and sync.none are tested apart (the last in test_sync.c) */
    if (wl->fails_on_purpose || wl->racy)
      continue;
    run_case(wl, &wc);
    covered++;
  }
  for (k = 0; k < CB_ARRAY_SIZE(extra_cases); k++)
    run_case(cbt_find_wl(extra_cases[k].name), &extra_cases[k]);
  /* every workload of the registry but fault.crash, fault.error and sync.none */
  assert_int_equal(covered + 3, cb_workloads_count);
}

/* ---- fault.crash ---------------------------------------------------------- */

/* fault.crash raises SIGSEGV and relies on its default action. A trial
 * process inherits this process's handlers, and cmocka catches SIGSEGV
 * during a test (a sanitizer may too): in a trial process its handler would
 * jump back into a copy of the test runner. So the default action is put
 * back around these trials (see the report: the trial process does not reset
 * it itself). */
static struct sigaction segv_saved;

static void segv_default(void)
{
  struct sigaction dfl = { .sa_handler = SIG_DFL };

  assert_int_equal(sigaction(SIGSEGV, &dfl, &segv_saved), 0);
}

static void segv_restore(void)
{
  sigaction(SIGSEGV, &segv_saved, NULL);
}

static void test_fault_crash(void **state)
{
  static const unsigned cs[] = { 1, 2, 4 };
  const cb_workload_t *wl = cbt_find_wl("fault.crash");
  char sig[96];
  size_t i, ci;
  cb_trial_t t;

  (void)state;
  snprintf(sig, sizeof(sig), "trial process killed by signal %d (%s)", SIGSEGV,
           strsignal(SIGSEGV));
  segv_default();
  for (i = 0; i < cb_runners_count; i++)
    for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
      const cb_runner_t *rn = cb_runners[i];
      cb_cell_t cell;

      if (wlt_is_runner(rn, "serial") && cs[ci] != 1)
        continue;
      cell = wlt_cell(wl, rn, cs[ci], 20, 5, 0);
      CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
      if (rn->survives_crash) {
        /* tasks 4, 9, 14 and 19 die with their workers; the rest verify.
         * A hybrid's crash also costs the other tasks its process held: at
         * most T (per_proc) per crash. */
        if (t.status != CB_ST_OK)
          print_error("[%s] status %s: %s\n", cbt_where, cb_status_name(t.status), t.msg);
        CBT_CHECK_EQ(t.status, CB_ST_OK);
        if (wlt_is_runner(rn, "processes"))
          CBT_CHECK_EQ(t.failed, 4);
        CBT_CHECK(t.failed >= 4 && t.failed <= 4 * (uint64_t)t.per_proc);
        CBT_CHECK_EQ(t.wrong, 0);
        CBT_CHECK_EQ(t.verified, 1);
        /* The clock ends at the last result, a lost task's included: at
         * c = 1 the last process dies on the last task (19) and no survivor
         * marks an end, yet the trial lasted. */
        CBT_CHECK(t.wall_s > 0 && t.throughput > 0);
        CBT_CHECK_EQ(t.workers, rn->workers(cs[ci], cb_topo_pus(cbt_topo), cb_topo_pus(cbt_topo)));
      } else {
        if (t.status != CB_ST_CRASHED)
          print_error("[%s] status %s: %s\n", cbt_where, cb_status_name(t.status), t.msg);
        CBT_CHECK_EQ(t.status, CB_ST_CRASHED);
        CBT_CHECK_EQ(t.verified, 0);
        if (strcmp(t.msg, sig) != 0)
          print_error("[%s] msg \"%s\"\n", cbt_where, t.msg);
        CBT_CHECK(strcmp(t.msg, sig) == 0);
      }
    }
  segv_restore();
}

/* Which tasks fault.crash loses, seen in the results of the processes runner
 * itself (the trial reports only how many). */
static void test_fault_crash_which_tasks(void **state)
{
  const cb_workload_t *wl = cbt_find_wl("fault.crash");
  const cb_runner_t *rn = cb_runner_find("processes");
  cb_params_t p = { .tasks = 20, .size = 5, .seed = 9, .scratch = wlt_tmpdir };
  cb_task_result_t *res = cb_results_map(20);
  cb_exec_t x = { .wl = wl, .params = &p, .concurrency = 3, .pus = wlt_pus, .results = res };
  cb_task_t tk = { .p = &p };
  uint64_t i;

  (void)state;
  assert_non_null(rn);
  snprintf(cbt_where, sizeof(cbt_where), "fault.crash under the processes runner, c=3");
  assert_non_null(res);
  CBT_CHECK(cbt_no_children());
  segv_default();
  CBT_CHECK_EQ(rn->run(&x), 0);
  segv_restore();
  CBT_CHECK(cbt_no_children());
  CBT_CHECK_EQ(x.failed, 4);
  for (i = 0; i < 20; i++) {
    snprintf(cbt_where, sizeof(cbt_where), "fault.crash under processes, task %llu",
             (unsigned long long)i);
    tk.index = i;
    if (i % 5 == 4) {
      CBT_CHECK_EQ(res[i].seen, 0);
      CBT_CHECK_EQ(res[i].err, -ECHILD);
    } else {
      CBT_CHECK_EQ(res[i].seen, 1);
      CBT_CHECK_EQ(res[i].err, 0);
      CBT_CHECK_EQ(res[i].checksum, wl->expect(&tk));
    }
  }
  /* size 0 crashes nothing */
  snprintf(cbt_where, sizeof(cbt_where), "fault.crash, size 0");
  for (i = 0; i < 20; i++) {
    uint64_t sum = 0;
    p.size = 0;
    tk.index = i;
    CBT_CHECK_EQ(wl->run(&tk, &sum), 0);
    CBT_CHECK_EQ(sum, wl->expect(&tk));
  }
  cb_results_unmap(res, 20);
}

/* ---- fault.error ------------------------------------------------------------ */

/* A task that returns an error fails alone under every runner and variant:
 * the trial completes (ok, verified), `failed` counts exactly the errored
 * tasks (4, 9, 14 and 19 of 20 with size 5), and throughput counts only the
 * 16 that came back right. */
static void test_fault_error(void **state)
{
  static const unsigned cs[] = { 1, 2, 4 };
  const cb_workload_t *wl = cbt_find_wl("fault.error");
  size_t i, d, ci;
  cb_trial_t t;

  (void)state;
  for (i = 0; i < cb_runners_count; i++)
    for (d = 0; cb_runners[i]->dispatches[d] != NULL; d++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
        cb_cell_t cell = wlt_cell(wl, cb_runners[i], cs[ci], 20, 5, 0);

        if (cb_runners[i]->reference && cs[ci] != 1)
          continue;
        cell.dispatch = cb_runners[i]->dispatches[d];
        CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
        if (t.status != CB_ST_OK)
          print_error("[%s] %s: %s\n", cbt_where, cb_status_name(t.status), t.msg);
        CBT_CHECK_EQ(t.status, CB_ST_OK);
        CBT_CHECK_EQ(t.failed, 4);
        CBT_CHECK_EQ(t.wrong, 0);
        CBT_CHECK_EQ(t.verified, 1);
        CBT_CHECK(t.throughput * t.wall_s > 16 * 0.999999 && t.throughput * t.wall_s < 16 * 1.000001);
      }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_workload_every_runner),
    cmocka_unit_test(test_fault_crash),
    cmocka_unit_test(test_fault_crash_which_tasks),
    cmocka_unit_test(test_fault_error),
  };

  return cmocka_run_group_tests(tests, wlt_group_setup, wlt_group_teardown);
}
