/* What the remaining workloads promise beyond their checksum: life.idle's
 * memory counts every worker, io.sleep and life.idle on a loop never end a
 * task early, mix.sleep's plan holds its CPU share (also at its ends), and
 * comm.pingpong's checksum holds at the smallest sizes. The executable runs
 * with TMPDIR set to a fresh directory of its own (tests/test_wl.c). */
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

/* ---- life.idle ------------------------------------------------------------ */

/* 64 idle workers: each model reports the memory of the trial; 64 processes
 * (Pss summed over all of them) hold more than one process with 64 timers. */
static void test_life_idle_memory(void **state)
{
  static const char *const runners[] = { "threads", "processes", "eventloop" };
  uint64_t kb[CB_ARRAY_SIZE(runners)] = { 0 };
  size_t i;
  cb_trial_t t;

  (void)state;
  for (i = 0; i < CB_ARRAY_SIZE(runners); i++) {
    const cb_runner_t *rn = cb_runner_find(runners[i]);
    cb_cell_t cell;

    if (rn == NULL) {
      print_message("%s is not built; skipped\n", runners[i]);
      continue;
    }
    cell = wlt_cell(cbt_find_wl("life.idle"), rn, 64, 64, 10000, 0);
    CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
    wlt_check_ok(&cell, &t);
    CBT_CHECK(t.maxrss_kb > 0);
    kb[i] = t.maxrss_kb;
  }
  print_message("life.idle c=64 memory: threads %llu KiB, processes %llu KiB, eventloop %llu KiB\n",
                (unsigned long long)kb[0], (unsigned long long)kb[1], (unsigned long long)kb[2]);
  if (kb[2] > 0) {
    snprintf(cbt_where, sizeof(cbt_where), "life.idle c=64: processes %llu KiB vs eventloop %llu KiB",
             (unsigned long long)kb[1], (unsigned long long)kb[2]);
    CBT_CHECK(kb[1] > kb[2]);
  }
}

/* ---- io.sleep and life.idle on a loop ----------------------------------- */

#if CB_HAVE_LIBUV
/* What the asynchronous form reported, for one slot driven by the test. */
typedef struct sleep_run_s {
  const cb_workload_t *wl;
  uint64_t started[3], ended[3];
  uint64_t sums[3];
  int errs[3];
  unsigned done, tasks, closed;
} sleep_run_t;

static void sleep_closed(cb_async_t *a)
{
  ((sleep_run_t *)a->runner_data)->closed++;
}

static void sleep_done(cb_async_t *a, int err, uint64_t checksum)
{
  sleep_run_t *sr = a->runner_data;
  unsigned k = sr->done++;

  sr->ended[k] = cb_now_ns();
  sr->errs[k] = err;
  sr->sums[k] = checksum;
  if (sr->done < sr->tasks) {
    /* the next task, from the callback, as the runner does */
    a->index = sr->done;
    sr->started[sr->done] = cb_now_ns();
    if (sr->wl->async_start(a) != 0)
      sr->tasks = sr->done;
  }
  if (sr->done == sr->tasks)
    sr->wl->async_close(a, sleep_closed);
}

/* A wait on the loop never ends before its size, whatever the loop's cached
 * clock says. The first task is started from outside any callback 1.5 ms
 * after the loop last read its clock (as a runner starts its first wave, or
 * a loop that ran callbacks for a while): a uv_timer, which counts whole
 * milliseconds from that cached time, fired at once there. The next two
 * start from the completion callback. Sizes of whole milliseconds and not. */
static void test_sleep_async_never_early(void **state)
{
  static const struct {
    const char *name;
    uint64_t sizes[4];
  } cases[] = {
    { "io.sleep", { 1000, 2000, 300, 1500 } },
    { "life.idle", { 1000, 2000, 300, 1500 } },
    { "mix.sleep", { 0, 30, 100, 70 } }, /* % CPU of 1 ms: waits of 1000, 700, 0, 300 us */
  };
  struct timespec stale = { 0, 1500000 };
  size_t wi, si, k;

  (void)state;
  for (wi = 0; wi < CB_ARRAY_SIZE(cases); wi++)
    for (si = 0; si < CB_ARRAY_SIZE(cases[wi].sizes); si++) {
      const cb_workload_t *wl = cbt_find_wl(cases[wi].name);
      uint64_t size = cases[wi].sizes[si];
      /* the wait a task must not cut short: all of it, or the share not CPU */
      uint64_t wait_us = wl->mixed_task_us > 0 ? wl->mixed_task_us * (100 - size) / 100 : size;
      cb_params_t p = { .tasks = 3, .size = size, .seed = 21, .calib = wlt_calib_of(wl) };
      cb_task_t tk = { .p = &p };
      sleep_run_t sr = { .wl = wl, .tasks = 3 };
      void *slot = calloc(1, wl->async_slot_size);
      cb_async_t a = { .params = &p, .done = sleep_done, .slot = slot, .runner_data = &sr };
      uv_loop_t loop;

      snprintf(cbt_where, sizeof(cbt_where), "%s, size %llu %s, on a loop", cases[wi].name,
               (unsigned long long)size, wl->size_unit);
      assert_non_null(slot);
      assert_non_null(wl->async_start);
      assert_int_equal(uv_loop_init(&loop), 0);
      a.loop = &loop;
      CBT_CHECK_EQ(wl->async_open(&a), 0);
      uv_update_time(&loop);
      nanosleep(&stale, NULL);
      sr.started[0] = cb_now_ns();
      CBT_CHECK_EQ(wl->async_start(&a), 0);
      CBT_CHECK_EQ(sr.done, 0); /* never from inside async_start */
      CBT_CHECK_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
      CBT_CHECK_EQ(sr.done, 3);
      CBT_CHECK_EQ(sr.closed, 1);
      for (k = 0; k < 3; k++) {
        tk.index = k;
        if (sr.ended[k] - sr.started[k] < wait_us * 1000u)
          print_error("[%s] task %zu ended after %llu ns\n", cbt_where, k,
                      (unsigned long long)(sr.ended[k] - sr.started[k]));
        CBT_CHECK(sr.ended[k] - sr.started[k] >= wait_us * 1000u);
        CBT_CHECK_EQ(sr.errs[k], 0);
        CBT_CHECK_EQ(sr.sums[k], wl->expect(&tk));
      }
      CBT_CHECK_EQ(uv_loop_close(&loop), 0);
      free(slot);
    }
}
#endif

/* ---- mix.sleep ------------------------------------------------------------ */

/* A task's split: at 0% it waits the whole millisecond and computes
 * nothing, at 100% it computes a calibrated millisecond and does not wait,
 * in between the rounds of its share are halved around the wait; the chain
 * carries on across the wait; a wait cut short by one nanosecond
 * complements the checksum; share and calibration both change it. */
static void test_mix_plan(void **state)
{
  static const struct {
    uint64_t calib, size, before, after, wait_us;
  } cases[] = {
    { 4000, 0, 0, 0, 1000 },    { 4000, 100, 2000, 2000, 0 }, { 4000, 25, 500, 500, 750 },
    { 4000, 1, 20, 20, 990 },   { 3011, 10, 150, 151, 900 },  { 0, 50, 0, 0, 500 },
  };
  cb__mix_plan_t plan;
  cb_params_t p = { .seed = 3 };
  uint64_t x;
  size_t i;

  (void)state;
  for (i = 0; i < CB_ARRAY_SIZE(cases); i++) {
    snprintf(cbt_where, sizeof(cbt_where), "mix plan, calib %llu, %llu%%",
             (unsigned long long)cases[i].calib, (unsigned long long)cases[i].size);
    p.calib = cases[i].calib;
    p.size = cases[i].size;
    cb__mix_plan(&p, 1000, &plan);
    CBT_CHECK_EQ(plan.rounds_before, cases[i].before);
    CBT_CHECK_EQ(plan.rounds_after, cases[i].after);
    CBT_CHECK_EQ(plan.wait_us, cases[i].wait_us);
    x = cb__mix_rounds(cb__mix_start(&p, 5), 0, plan.rounds_before + plan.rounds_after);
    CBT_CHECK_EQ(cb__mix_expect(&p, 5, 1000),
             cb__mix_rounds(cb__mix_rounds(cb__mix_start(&p, 5), 0, plan.rounds_before),
                            plan.rounds_before, plan.rounds_after));
    CBT_CHECK_EQ(cb__mix_expect(&p, 5, 1000), x);
    CBT_CHECK_EQ(cb__mix_sum(&plan, x, plan.wait_us * 1000u), x);
    CBT_CHECK_EQ(cb__mix_sum(&plan, x, plan.wait_us * 1000u + 1), x);
    if (plan.wait_us > 0)
      CBT_CHECK_EQ(cb__mix_sum(&plan, x, plan.wait_us * 1000u - 1), ~x);
  }
  p.calib = 4000;
  p.size = 25;
  x = cb__mix_expect(&p, 5, 1000);
  CBT_CHECK(cb__mix_expect(&p, 6, 1000) != x);
  p.size = 26;
  CBT_CHECK(cb__mix_expect(&p, 5, 1000) != x);
  p.size = 25;
  p.calib = 4004; /* 1001 rounds instead of 1000 */
  CBT_CHECK(cb__mix_expect(&p, 5, 1000) != x);
}

/* At 0% a mix.sleep task is io.sleep of 1 ms (and a mix.tcp task a round
 * trip to a server that thinks for 1 ms): the trial lasts at least its
 * tasks' waits and uses next to no CPU; at 100% it is a CPU task of a
 * calibrated millisecond, as cpu.hash of that many rounds is: both use
 * between half and twice a millisecond of CPU per task (the calibration
 * takes the fastest of its batches; CPU time, unlike wall time, does not
 * grow when other processes take the CPU). Serial, so that the trial's CPU
 * is its tasks'. */
static void test_mix_extremes(void **state)
{
  enum { N = 40 };
  const cb_runner_t *serial = cb_runner_find("serial");
  const cb_workload_t *mix = cbt_find_wl("mix.sleep");
  const double ms = 1e-3 * N; /* N tasks of 1 ms */
  cb_cell_t cell;
  cb_trial_t t;
  double cpu[2];
  int k;

  (void)state;
  assert_non_null(serial);
  for (k = 0; k < 3; k++) { /* io.sleep of 1 ms; mix.sleep and mix.tcp at 0% */
    cell = wlt_cell(k == 0 ? cbt_find_wl("io.sleep") : k == 1 ? mix : cbt_find_wl("mix.tcp"), serial,
                     1, N, k == 0 ? 1000 : 0, k == 2 ? 64 : 0);
    CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
    wlt_check_ok(&cell, &t);
    CBT_CHECK(t.wall_s >= ms);
    CBT_CHECK(t.user_s + t.sys_s < 0.25 * ms);
  }
  for (k = 0; k < 2; k++) { /* cpu.hash of a calibrated ms, mix.sleep at 100% */
    cell = wlt_cell(k == 0 ? cbt_find_wl("cpu.hash") : mix, serial, 1, N,
                     k == 0 ? wlt_calib_of(mix) : 100, 0);
    CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
    wlt_check_ok(&cell, &t);
    cpu[k] = t.user_s + t.sys_s;
    if (cpu[k] < 0.5 * ms || cpu[k] > 2 * ms)
      print_error("[%s] %.4f s of CPU for %d tasks\n", cbt_where, cpu[k], N);
    CBT_CHECK(cpu[k] >= 0.5 * ms && cpu[k] <= 2 * ms);
    CBT_CHECK(t.wall_s >= 0.5 * ms);
  }
}

/* ---- comm.pingpong -------------------------------------------------------- */

static void test_pingpong_small_sizes(void **state)
{
  static const uint64_t sizes[] = { 0, 1 };
  static const unsigned cs[] = { 1, 3 };
  const cb_workload_t *wl = cbt_find_wl("comm.pingpong");
  cb_params_t p = { .seed = 11 };
  cb_task_t tk = { .p = &p, .index = 4 };
  size_t i, si, ci;
  cb_trial_t t;

  (void)state;
  /* the contract: the token comes back with one added per visit */
  for (si = 0; si < 3; si++) {
    p.size = si * 10;
    snprintf(cbt_where, sizeof(cbt_where), "comm.pingpong expect, size %zu", si * 10);
    CBT_CHECK_EQ(wl->expect(&tk), cb_task_seed(p.seed, tk.index) + p.size);
  }
  for (i = 0; i < cb_runners_count; i++)
    for (si = 0; si < CB_ARRAY_SIZE(sizes); si++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
        const cb_runner_t *rn = cb_runners[i];
        cb_cell_t cell;

        if (wlt_is_runner(rn, "serial") && cs[ci] != 1)
          continue;
        cell = wlt_cell(wl, rn, cs[ci], 20, sizes[si], 0);
        CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
        wlt_check_ok(&cell, &t);
      }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_life_idle_memory),
    cmocka_unit_test(test_pingpong_small_sizes),
    cmocka_unit_test(test_mix_plan),
    cmocka_unit_test(test_mix_extremes),
#if CB_HAVE_LIBUV
    cmocka_unit_test(test_sleep_async_never_early),
#endif
  };

  return cmocka_run_group_tests(tests, wlt_group_setup, wlt_group_teardown);
}
