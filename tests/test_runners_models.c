/* Tests of what single runners promise beyond the contract, called directly
 * through their cb_runner_t (tests/test_rn.c): every registry workload under
 * every runner, the trial clock covering its tasks, the hybrid's split into
 * processes and threads and its dead process, one loop keeping a thousand
 * waits in flight. Nothing may survive a run: no child process, no fd, no
 * thread. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cb_config.h"
#include "runner.h"
#include "topo.h"
#include "workload.h"
#include "common.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif
#include "test_rn.h"

#if CB_HAVE_HWLOC
#define PIN_BOUND CB_PIN_COMPACT
#else
#define PIN_BOUND CB_PIN_NONE
#endif

/* The real workloads of the registry, verified under every runner. */
static void test_registry_workloads(void **state)
{
  static const struct {
    const char *name;
    uint64_t size;
    int sleeps; /* size is a wait in us that no task may cut short */
  } cases[] = {
    { "noop", 0, 0 },
    { "cpu.hash", 500, 0 },
    { "io.sleep", 200, 1 },
    { "io.sleep", 1000, 1 }, /* a whole millisecond: a uv_timer would fire early */
  };
  static const unsigned cs[] = { 1, 2, 8 };
  size_t i, ci, k;
  uint64_t t;
  run_t r;

  (void)state;
  for (k = 0; k < CB_ARRAY_SIZE(cases); k++) {
    const cb_workload_t *wl = cb_workload_find(cases[k].name);

    assert_non_null(wl);
    for (i = 0; i < rn_nvariants; i++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
        rn_run_cell(&r, &rn_variants[i], wl, 24, cases[k].size, 0, cs[ci], PIN_BOUND);
        CBT_CHECK_EQ(r.rc, 0);
        CBT_CHECK_EQ(r.x.msg[0], '\0');
        CBT_CHECK_EQ(r.x.failed, 0);
        CBT_CHECK_EQ(r.x.workers, cbt_expected_workers(rn_variants[i].rn, cs[ci], rn_pus));
        rn_check_clock_covers_tasks(&r);
        for (t = 0; t < r.params.tasks; t++) {
          CBT_CHECK_EQ(r.x.results[t].seen, 1);
          CBT_CHECK_EQ(r.x.results[t].err, 0);
          CBT_CHECK_EQ(r.x.results[t].checksum, rn_expect_of(&r, t));
          /* A sleep never ends early, under any runner. */
          if (cases[k].sleeps)
            CBT_CHECK(r.x.results[t].lat_ns >= cases[k].size * 1000u);
        }
        rn_run_end(&r);
      }
  }
}

/* The clock's lower bound. An io.sleep task never ends before its `size`
 * us, so with at most c in flight, T tasks take at least ceil(T/c) waits
 * one after the other (serial: T): wall >= ceil(T/c) * size, exactly, on any
 * machine. T = k c + 1 leaves one last wave of one task, so a clock that
 * stops when the first worker runs out of tasks (after k waits) instead of
 * the last is caught. Every task also waits its whole size, and the first
 * and the last tasks of a runner's clock are inside it. Sizes: under a
 * millisecond, a whole one (where a loop timer in whole milliseconds would
 * be early) and one between. */
static void test_clock_lower_bound(void **state)
{
  static const unsigned cs[] = { 1, 2, 3, 5, 8 };
  static const uint64_t sizes[] = { 300, 1000, 1500 };
  const cb_workload_t *wl = cb_workload_find("io.sleep");
  size_t i, ci, si;
  uint64_t t;
  run_t r;

  (void)state;
  assert_non_null(wl);
  for (i = 0; i < rn_nvariants; i++)
    for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++)
      for (si = 0; si < CB_ARRAY_SIZE(sizes); si++) {
        const cb_runner_t *rn = rn_variants[i].rn;
        unsigned c = cs[ci];
        uint64_t k = 2, tasks = k * c + 1, waves = rn_is_runner(rn, "serial") ? tasks : k + 1;
        uint64_t bound = waves * sizes[si] * 1000u;

        if (rn_is_runner(rn, "serial") && c > 2)
          continue; /* c means nothing to it; two are enough */
        rn_run_cell(&r, &rn_variants[i], wl, tasks, sizes[si], 0, c, PIN_BOUND);
        CBT_CHECK_EQ(r.rc, 0);
        CBT_CHECK_EQ(r.x.failed, 0);
        if (r.x.wall_ns < bound)
          print_error("[%s] wall %llu ns < %llu waits of %llu us\n", cbt_where,
                      (unsigned long long)r.x.wall_ns, (unsigned long long)waves,
                      (unsigned long long)sizes[si]);
        CBT_CHECK(r.x.wall_ns >= bound);
        rn_check_clock_covers_tasks(&r);
        for (t = 0; t < tasks; t++) {
          CBT_CHECK_EQ(r.x.results[t].seen, 1);
          CBT_CHECK_EQ(r.x.results[t].checksum, rn_expect_of(&r, t));
          CBT_CHECK(r.x.results[t].lat_ns >= sizes[si] * 1000u);
        }
        rn_run_end(&r);
      }
}

/* The hybrids at several (P, c), P = 1 and T = 1 among them, by every
 * dispatch mode and transport they take: every task exactly once; the
 * split as cb_procs_split says; P = 1 has the workers of threads (one
 * process of c threads) or of loop1 (one loop), T = 1 those of processes. */
static void test_hybrid_splits(void **state)
{
  static const unsigned ps[] = { 1, 2, 3, 0 }, cs[] = { 1, 2, 5, 6 };
  static const uint64_t payloads[] = { 0, 3000 };
  const cb_workload_t *wls[] = { &rn_wl_record, &rn_wl_record_inline };
  size_t i, pi, ci, wi, yi;
  unsigned per, n;
  run_t r;

  (void)state;
  for (i = 0; i < rn_nvariants; i++)
    for (pi = 0; pi < CB_ARRAY_SIZE(ps); pi++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++)
        for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
          for (yi = 0; yi < CB_ARRAY_SIZE(payloads); yi++) {
            const cb_runner_t *rn = rn_variants[i].rn;
            unsigned c = cs[ci];
            rec_t *s;

            if (!rn->takes_procs)
              continue;
            rn_run_procs = ps[pi];
            rn_run_cell(&r, &rn_variants[i], wls[wi], 60, 0, payloads[yi], c, PIN_BOUND);
            s = r.state;
            rn_check_all_once(&r);
            n = cb_procs_split(c, ps[pi], rn_pus, &per);
            CBT_CHECK_EQ(r.x.nprocs, n);
            CBT_CHECK_EQ(r.x.per_proc, per);
            CBT_CHECK(atomic_load(&s->max_inflight) <= c);
            if (!rn->async_form)
              CBT_CHECK_EQ(r.x.workers, c); /* threads' and processes' count */
            else
              CBT_CHECK_EQ(r.x.workers, n); /* a loop per process: loop1's at P = 1 */
            if (ps[pi] == 1)
              CBT_CHECK_EQ(n, 1);
            if (ps[pi] >= c && ps[pi] > 0)
              CBT_CHECK(n == c && per == 1);
            if (rn->async_form && wls[wi]->async_start == NULL)
              CBT_CHECK_EQ(r.x.inflight, n);
            else
              CBT_CHECK_EQ(r.x.inflight, c);
            rn_run_end(&r);
            rn_run_procs = 0;
          }
}

/* A process of a hybrid killed with tasks in flight loses exactly those:
 * its T (procs-threads: each thread holds one; procs-loops with blocking
 * tasks: one, which blocks its loop), counted failed; the pool replaces
 * it and every other task comes back verified. */
static void test_hybrid_dead_process(void **state)
{
  static const struct {
    unsigned p, c;
  } cases[] = { { 1, 3 }, { 2, 4 }, { 3, 6 }, { 4, 4 }, { 2, 5 } };
  size_t i, k;
  uint64_t t, lost;
  unsigned per, n, last;
  run_t r;

  (void)state;
  for (i = 0; i < rn_nvariants; i++)
    for (k = 0; k < CB_ARRAY_SIZE(cases); k++) {
      const cb_runner_t *rn = rn_variants[i].rn;
      rec_t *s;

      if (!rn->takes_procs)
        continue;
      n = cb_procs_split(cases[k].c, cases[k].p, rn_pus, &per);
      last = cases[k].c - (n - 1) * per;
      rn_blast_want = rn->async_form ? n : cases[k].c; /* wl_blast has no async form */
      rn_run_procs = cases[k].p;
      rn_run_cell(&r, &rn_variants[i], &rn_wl_blast, 40, 0, 0, cases[k].c, CB_PIN_NONE);
      s = r.state;
      CBT_CHECK_EQ(r.rc, 0);
      CBT_CHECK_EQ(r.x.nprocs, n);
      for (t = 0, lost = 0; t < r.params.tasks; t++) {
        if (r.x.results[t].err == -ECHILD) {
          lost++;
          CBT_CHECK_EQ(r.x.results[t].seen, 0);
          CBT_CHECK_EQ(atomic_load(&s->count[t]), 0);
          continue;
        }
        CBT_CHECK_EQ(atomic_load(&s->count[t]), 1);
        CBT_CHECK_EQ(r.x.results[t].seen, 1);
        CBT_CHECK_EQ(r.x.results[t].err, 0);
        CBT_CHECK_EQ(r.x.results[t].checksum, rn_expect_of(&r, t));
      }
      CBT_CHECK_EQ(r.x.results[0].err, -ECHILD);
      CBT_CHECK_EQ(r.x.failed, lost);
      if (rn->async_form)
        CBT_CHECK_EQ(lost, 1);
      else if (last == per)
        CBT_CHECK_EQ(lost, per);
      else
        CBT_CHECK(lost == per || lost == last);
      /* the dead process's workers never closed their slots; its
       * replacement's did */
      CBT_CHECK_EQ(atomic_load(&s->worker_opens) - atomic_load(&s->worker_closes),
                   rn->async_form ? 1 : lost);
      CBT_CHECK_EQ(atomic_load(&s->misuse), 0);
      rn_run_end(&r);
      rn_run_procs = 0;
    }
}

/* One loop in one thread for any c (asyncio's default): io.sleep at
 * c = 1000 keeps 1000 waits in flight on its one worker, every task
 * verified, none cut short, and 3000 tasks take at least 3 waits. */
static void test_loop1_thousand(void **state)
{
#if CB_HAVE_LIBUV
  const cb_workload_t *wl = cb_workload_find("io.sleep");
  cbt_variant_t v = { cb_runner_find("loop1"), "shared", "inproc" };
  uint64_t t, size = 2000;
  run_t r;

  (void)state;
  assert_non_null(wl);
  assert_non_null(v.rn);
  rn_run_cell(&r, &v, wl, 3000, size, 0, 1000, PIN_BOUND);
  CBT_CHECK_EQ(r.rc, 0);
  CBT_CHECK_EQ(r.x.failed, 0);
  CBT_CHECK_EQ(r.x.workers, 1);
  CBT_CHECK_EQ(r.x.inflight, 1000);
  CBT_CHECK_EQ(r.x.inline_tasks, 0);
  CBT_CHECK_EQ(r.x.nprocs, 1);
  CBT_CHECK_EQ(r.x.per_proc, 1000);
  CBT_CHECK(r.x.wall_ns >= 3 * size * 1000u);
  rn_check_clock_covers_tasks(&r);
  for (t = 0; t < r.params.tasks; t++) {
    CBT_CHECK_EQ(r.x.results[t].seen, 1);
    CBT_CHECK_EQ(r.x.results[t].err, 0);
    CBT_CHECK_EQ(r.x.results[t].checksum, rn_expect_of(&r, t));
    CBT_CHECK(r.x.results[t].lat_ns >= size * 1000u);
  }
  rn_run_end(&r);
#else
  (void)state;
  skip();
#endif
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_registry_workloads),
    cmocka_unit_test(test_clock_lower_bound),
    cmocka_unit_test(test_hybrid_splits),
    cmocka_unit_test(test_hybrid_dead_process),
    cmocka_unit_test(test_loop1_thousand),
  };

  return cmocka_run_group_tests(tests, rn_group_setup, rn_group_teardown);
}
