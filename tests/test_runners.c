/* Tests of the runners' contract, each runner called directly through its
 * cb_runner_t on the test-only workloads of tests/test_rn.c: its traits, the
 * workers it starts, each task exactly once, every result and every payload
 * byte delivered, never more than c in flight, kin, a wrong checksum coming
 * back unchanged, a dead process worker survived. Around every run the test
 * checks that nothing survives it: no child process, no fd, no thread.
 *
 * Verification of checksums is the trial's job (test_trial.c); here a wrong
 * checksum must only come back unchanged. */
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

/* Under the asynchronous form: every task started through it; every slot
 * was opened and closed; loop j of L holds c/L slots (the first c%L one
 * more); and a loop keeps all its slots busy: it starts them all before it
 * turns, and a slot that finds no task means none is left, so its most tasks
 * in flight are min(tasks it started, its slots). */
static void check_loops(run_t *r)
{
  rec_t *s = r->state;
  unsigned c = r->x.concurrency, L = r->x.workers, j, n = 0, opened = 0, started = 0;
  unsigned small = c / L, big = small + (c % L != 0), nbig = 0;

  CBT_CHECK_EQ(atomic_load(&s->async_starts), r->params.tasks);
  CBT_CHECK_EQ(atomic_load(&s->async_opens), c);
  CBT_CHECK_EQ(atomic_load(&s->async_closes), c);
  for (j = 0; j < MAX_LOOPS && atomic_load(&s->loops[j].loop) != NULL; j++) {
    const rec_loop_t *l = &s->loops[j];

    n++;
    opened += l->opened;
    started += l->started;
    CBT_CHECK(l->opened == small || l->opened == big);
    nbig += l->opened == big && big != small;
    CBT_CHECK_EQ(l->inflight, 0);
    CBT_CHECK_EQ(l->max_inflight, l->started < l->opened ? l->started : l->opened);
  }
  CBT_CHECK_EQ(n, L);
  CBT_CHECK_EQ(opened, c);
  CBT_CHECK_EQ(nbig, c % L);
  CBT_CHECK_EQ(started, r->params.tasks);
}

/* What every runner must tell the harness: a model name, a chart style per
 * transport (a colour and a filled point type whose open one exists), and
 * threads or processes per worker unless its tasks run in the trial
 * process's own thread (the reference). */
static void check_traits(const cb_runner_t *r)
{
  size_t k, h;

  snprintf(cbt_where, sizeof(cbt_where), "runner %s", r->name);
  CBT_CHECK(r->model != NULL && r->model[0] != '\0');
  CBT_CHECK(r->styles != NULL);
  for (k = 0; r->styles != NULL && r->transports[k] != NULL; k++) {
    const char *c = r->styles[k].color;

    CBT_CHECK(c != NULL && c[0] == '#' && strlen(c) == 7);
    for (h = 1; c != NULL && h < 7 && h < strlen(c); h++)
      CBT_CHECK(isxdigit((unsigned char)c[h]));
    CBT_CHECK(r->styles[k].point >= 2);
  }
  CBT_CHECK_EQ(r->procs_per_worker == 0, r->reference);
}

static void test_registry(void **state)
{
  static const char *const names[] = { "serial", "threads", "processes", "procs-threads",
#if CB_HAVE_LIBUV
                                       "eventloop", "loop1", "procs-loops",
#endif
  };
  size_t i;

  (void)state;
  assert_int_equal(cb_runners_count, CB_ARRAY_SIZE(names));
  for (i = 0; i < CB_ARRAY_SIZE(names); i++) {
    assert_ptr_equal(cb_runner_find(names[i]), cb_runners[i]);
    assert_string_equal(cb_runners[i]->name, names[i]);
    assert_non_null(cb_runners[i]->description);
    assert_non_null(cb_runners[i]->transports);
    assert_non_null(cb_runners[i]->transports[0]);
    assert_true(cb_runner_has_transport(cb_runners[i], cb_runners[i]->transports[0]));
    assert_false(cb_runner_has_transport(cb_runners[i], "carrier-pigeon"));
    assert_non_null(cb_runners[i]->workers);
    assert_non_null(cb_runners[i]->run);
    check_traits(cb_runners[i]);
  }
  /* the traits the harness reads instead of the names */
  assert_string_equal(cb_runner_find("processes")->styles[1].color, "#E69F00");
  for (i = 0; i < CB_ARRAY_SIZE(names); i++) {
    assert_string_equal(cb_runners[i]->model,
                        strcmp(names[i], "loop1") == 0 ? "eventloop" : names[i]);
    assert_int_equal(cb_runners[i]->survives_crash, strcmp(names[i], "processes") == 0 ||
                                                        strncmp(names[i], "procs-", 6) == 0);
    assert_int_equal(cb_runners[i]->takes_procs, strncmp(names[i], "procs-", 6) == 0);
  }
  assert_true(cb_runner_default_transport("processes", "pipe"));
  assert_false(cb_runner_default_transport("processes", "shm"));
  assert_true(cb_runner_default_transport("threads", "inproc"));
  assert_false(cb_runner_default_transport("threads", "pipe"));
  assert_true(cb_runner_default_transport("threads", ""));
  /* a runner this build does not know: any known runner's default */
  assert_true(cb_runner_default_transport("fibers", "pipe"));
  assert_false(cb_runner_default_transport("fibers", "shm"));
  assert_null(cb_runner_find("thread"));
  assert_null(cb_runner_find(""));
}

static void test_workers_rule(void **state)
{
  static const unsigned cs[] = { 1, 2, 3, 4, 7, 16, 64 };
  size_t i, k;

  (void)state;
  for (i = 0; i < cb_runners_count; i++) {
    for (k = 0; k < CB_ARRAY_SIZE(cs); k++) {
      snprintf(cbt_where, sizeof(cbt_where), "%s c=%u", cb_runners[i]->name, cs[k]);
      CBT_CHECK_EQ(cb_runners[i]->workers(cs[k], rn_pus, rn_pus),
                   cbt_expected_workers(cb_runners[i], cs[k], rn_pus));
    }
  }
#if CB_HAVE_LIBUV
  assert_int_equal(cb_runner_find("eventloop")->workers(16, 4, 0), 4);
  assert_int_equal(cb_runner_find("eventloop")->workers(3, 4, 0), 3);
  assert_int_equal(cb_runner_find("eventloop")->workers(5, 0, 0), 1);
  assert_int_equal(cb_runner_find("loop1")->workers(1000, 4, 0), 1);
  /* a hybrid: P processes of T = ceil(c / P), the last with the rest */
  assert_int_equal(cb_runner_find("procs-loops")->workers(16, 4, 4), 4);
  assert_int_equal(cb_runner_find("procs-loops")->workers(16, 4, 0), 4);
  assert_int_equal(cb_runner_find("procs-loops")->workers(3, 2, 8), 3);
  assert_int_equal(cb_runner_find("procs-loops")->workers(5, 2, 4), 3);
  assert_int_equal(cb_runner_find("procs-threads")->workers(5, 2, 4), 5);
#endif
  {
    unsigned t = 0;
    assert_int_equal(cb_procs_split(10, 4, 2, &t), 4); /* 3 + 3 + 3 + 1 */
    assert_int_equal(t, 3);
    assert_int_equal(cb_procs_split(5, 4, 2, &t), 3); /* 2 + 2 + 1 */
    assert_int_equal(t, 2);
    assert_int_equal(cb_procs_split(5, 3, 2, &t), 3); /* again: the same split */
    assert_int_equal(t, 2);
    assert_int_equal(cb_procs_split(2, 8, 2, &t), 2); /* P > c: T = 1 */
    assert_int_equal(t, 1);
    assert_int_equal(cb_procs_split(12, 0, 3, &t), 3); /* 0: one per PU */
    assert_int_equal(t, 4);
    assert_int_equal(cb_procs_split(7, 1, 2, &t), 1);
    assert_int_equal(t, 7);
  }
}

/* Every runner x c in {1, 2, 3, 16} x tasks in {1, 7, 1000}, with and without
 * the asynchronous form, without a plan and with NONE and COMPACT plans; then
 * with payloads, one of them larger than a pipe's buffer. */
static void test_every_task_exactly_once(void **state)
{
  static const unsigned cs[] = { 1, 2, 3, 16 };
  static const uint64_t ntasks[] = { 1, 7, 1000 };
  static const int pins[] = { PIN_NO_PLAN, CB_PIN_NONE,
#if CB_HAVE_HWLOC
                              CB_PIN_COMPACT,
#endif
  };
  const cb_workload_t *wls[] = { &rn_wl_record, &rn_wl_record_inline };
  size_t i, ci, ti, pi, wi;
  run_t r;

  (void)state;
  for (i = 0; i < rn_nvariants; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++)
        for (ti = 0; ti < CB_ARRAY_SIZE(ntasks); ti++)
          for (pi = 0; pi < CB_ARRAY_SIZE(pins); pi++) {
            const cb_runner_t *rn = rn_variants[i].rn;
            unsigned c = cs[ci];
            rec_t *s;

            rn_run_cell(&r, &rn_variants[i], wls[wi], ntasks[ti], 0, 0, c, pins[pi]);
            s = r.state;
            rn_check_all_once(&r);
            /* Never more than c tasks in flight; serial has exactly one. */
            CBT_CHECK(atomic_load(&s->max_inflight) <= c);
            CBT_CHECK(atomic_load(&s->max_inflight) >= 1);
            if (rn_is_runner(rn, "serial"))
              CBT_CHECK_EQ(atomic_load(&s->max_inflight), 1);
            if (rn->async_form && wls[wi]->async_start != NULL && !rn->forks_workers) {
              check_loops(&r);
            } else if (rn->async_form && wls[wi]->async_start != NULL) {
              /* loops in processes of their own: hybrids.c checks each */
              CBT_CHECK_EQ(atomic_load(&s->async_starts), r.params.tasks);
              CBT_CHECK_EQ(atomic_load(&s->async_opens), c);
              CBT_CHECK_EQ(atomic_load(&s->async_closes), c);
            } else {
              CBT_CHECK_EQ(atomic_load(&s->async_starts), 0);
              CBT_CHECK_EQ(atomic_load(&s->async_opens), 0);
            }
            rn_run_end(&r);
          }
}

static void test_payloads(void **state)
{
  static const uint64_t payloads[] = { 1, 100, 4097, 200000 };
  static const unsigned cs[] = { 1, 3 };
  const cb_workload_t *wls[] = { &rn_wl_record, &rn_wl_record_inline };
  size_t i, ci, pi, wi;
  run_t r;

  (void)state;
  for (i = 0; i < rn_nvariants; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++)
        for (pi = 0; pi < CB_ARRAY_SIZE(payloads); pi++) {
          rn_run_cell(&r, &rn_variants[i], wls[wi], 20, 0, payloads[pi], cs[ci], CB_PIN_NONE);
          rn_check_all_once(&r);
          rn_run_end(&r);
        }
}

/* Tasks that use their runner's kin: a fresh worker and a partner that adds
 * 1 to a token on each visit. Partners are reaped (checked by run_cell). */
static void test_kin(void **state)
{
  static const unsigned cs[] = { 1, 3 };
  size_t i, ci;
  run_t r;

  (void)state;
  for (i = 0; i < rn_nvariants; i++) {
    const cb_runner_t *rn = rn_variants[i].rn;
    if (rn->kin == NULL) {
      snprintf(cbt_where, sizeof(cbt_where), "%s", rn->name);
      CBT_CHECK(rn->async_form);
      continue;
    }
    CBT_CHECK(rn->kin->spawn != NULL && rn->kin->pingpong != NULL);
    for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
      rn_run_cell(&r, &rn_variants[i], &rn_wl_kin, 20, 0, 0, cs[ci], CB_PIN_NONE);
      rn_check_all_once(&r);
      rn_run_end(&r);
    }
  }
}

/* A wrong checksum comes back as it is: the runner does not judge it. */
static void test_wrong_checksum_comes_back(void **state)
{
  static const unsigned cs[] = { 1, 3 };
  const cb_workload_t *wls[] = { &rn_wl_wrong, &rn_wl_wrong_inline };
  size_t i, ci, wi;
  uint64_t k;
  run_t r;

  (void)state;
  for (i = 0; i < rn_nvariants; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
        rec_t *s;

        rn_run_cell(&r, &rn_variants[i], wls[wi], 12, 0, 0, cs[ci], CB_PIN_NONE);
        s = r.state;
        CBT_CHECK_EQ(r.rc, 0);
        CBT_CHECK_EQ(r.x.failed, 0);
        for (k = 0; k < r.params.tasks; k++) {
          uint64_t want = rn_expect_of(&r, k) ^ (k == BAD_INDEX ? WRONG_XOR : 0);
          CBT_CHECK_EQ(atomic_load(&s->count[k]), 1);
          CBT_CHECK_EQ(r.x.results[k].seen, 1);
          CBT_CHECK_EQ(r.x.results[k].err, 0);
          CBT_CHECK_EQ(r.x.results[k].checksum, want);
        }
        rn_run_end(&r);
      }
}

/* A worker process that dies in task 5 costs that task only: the pool
 * replaces it and every other task comes back. */
static void test_processes_survive_dead_worker(void **state)
{
  static const unsigned cs[] = { 1, 2, 3, 16 };
  static const uint64_t ntasks[] = { 6, 20, 200 };
  static const uint64_t payloads[] = { 0, 3000 };
  const cb_workload_t *wls[] = { &rn_wl_kill, &rn_wl_exit };
  size_t ci, ti, wi, vi, pi;
  uint64_t k;
  run_t r;

  (void)state;
  for (vi = 0; vi < rn_nvariants; vi++)
  for (pi = 0; pi < CB_ARRAY_SIZE(payloads); pi++)
  for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
    for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++)
      for (ti = 0; ti < CB_ARRAY_SIZE(ntasks); ti++) {
        rec_t *s;

        if (!rn_is_runner(rn_variants[vi].rn, "processes"))
          continue;
        rn_run_cell(&r, &rn_variants[vi], wls[wi], ntasks[ti], 0, payloads[pi], cs[ci], CB_PIN_NONE);
        s = r.state;
        CBT_CHECK_EQ(r.rc, 0);
        CBT_CHECK_EQ(r.x.failed, 1);
        CBT_CHECK_EQ(r.x.workers, cs[ci]);
        rn_check_clock_covers_tasks(&r);
        CBT_CHECK_EQ(r.x.results[BAD_INDEX].err, -ECHILD);
        CBT_CHECK_EQ(r.x.results[BAD_INDEX].seen, 0);
        for (k = 0; k < r.params.tasks; k++) {
          CBT_CHECK_EQ(atomic_load(&s->count[k]), 1);
          if (k == BAD_INDEX)
            continue;
          CBT_CHECK_EQ(r.x.results[k].seen, 1);
          CBT_CHECK_EQ(r.x.results[k].err, 0);
          CBT_CHECK_EQ(r.x.results[k].checksum, rn_expect_of(&r, k));
        }
        /* every worker but the dead one closed its slot; the dead one was
         * replaced at most once (not at all when no task was left) */
        CBT_CHECK_EQ(atomic_load(&s->worker_opens), atomic_load(&s->worker_closes) + 1);
        CBT_CHECK(atomic_load(&s->worker_opens) >= cs[ci]);
        CBT_CHECK(atomic_load(&s->worker_opens) <= cs[ci] + 1);
        CBT_CHECK_EQ(atomic_load(&s->misuse), 0);
        rn_run_end(&r);
      }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_registry),
    cmocka_unit_test(test_workers_rule),
    cmocka_unit_test(test_every_task_exactly_once),
    cmocka_unit_test(test_payloads),
    cmocka_unit_test(test_kin),
    cmocka_unit_test(test_wrong_checksum_comes_back),
    cmocka_unit_test(test_processes_survive_dead_worker),
  };

  return cmocka_run_group_tests(tests, rn_group_setup, rn_group_teardown);
}
