/* Tests of GIL mode (include/gil.h, `run --gil`) in trials: the lock's own
 * API; that under the GIL no two workers of threads, serial or the event loop
 * are ever inside task code at once, while processes (a GIL each) are; that
 * the switch interval is honoured (hand-offs between two CPU-bound threads,
 * counted by the GIL itself, against the trial's wall time); that blocking
 * waits release it (two sleeps overlap); that every registry workload still
 * runs and verifies under every runner with it. The CSV, the cell key, the
 * report and the command line: test_gil_report.c.
 *
 * "Inside task code" is watched by the test workload test.in-gil: it counts
 * itself in and out of an atomic counter in shared memory around each stretch
 * of work between two checkpoints and records the highest count seen. Timing
 * checks have wide margins and are retried, as the machine may be busy. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis.h"
#include "gil.h"
#include "report.h"
#include "summary.h"
#include "trial.h"
#include "common.h"

#define TRIAL_TIMEOUT_S 120

#define RETRIES 4

enum { WATCH_PROCS = 256 };

typedef struct watch_s {
  atomic_uint inside, max_inside;
  /* the same per process (a hybrid's: one GIL each), by pid */
  struct {
    atomic_int pid;
    atomic_uint inside, max_inside;
  } proc[WATCH_PROCS];
} watch_t;

static watch_t *watch; /* MAP_SHARED: workers of a process pool write it too */

enum { STRETCH = 2000, SLEEP_EVERY = 16 };

static uint64_t spin(uint64_t x, unsigned n)
{
  unsigned i;

  for (i = 0; i < n; i++)
    x = cb_mix64(x + i);
  return x;
}

static void count_in(atomic_uint *inside, atomic_uint *max)
{
  unsigned n = atomic_fetch_add(inside, 1) + 1, m = atomic_load(max);

  while (n > m && !atomic_compare_exchange_weak(max, &m, n))
    ;
}

/* The calling process's entry (claimed on first use; the last one is
 * shared by any process beyond WATCH_PROCS, which then counts too much). */
static unsigned proc_slot(void)
{
  int me = (int)getpid(), cur;
  unsigned i;

  for (i = 0; i + 1 < WATCH_PROCS; i++) {
    cur = 0;
    if (atomic_compare_exchange_strong(&watch->proc[i].pid, &cur, me) || cur == me)
      return i;
  }
  return WATCH_PROCS - 1;
}

static void enter(void)
{
  unsigned s = proc_slot();

  count_in(&watch->inside, &watch->max_inside);
  count_in(&watch->proc[s].inside, &watch->proc[s].max_inside);
}

static void leave(void)
{
  atomic_fetch_sub(&watch->proc[proc_slot()].inside, 1);
  atomic_fetch_sub(&watch->inside, 1);
}

/* The most one process had inside at once, and how many processes ran any. */
static unsigned max_inside_one_proc(unsigned *procs)
{
  unsigned i, m = 0;

  for (i = 0, *procs = 0; i < WATCH_PROCS && atomic_load(&watch->proc[i].pid) != 0; i++) {
    (*procs)++;
    if (atomic_load(&watch->proc[i].max_inside) > m)
      m = atomic_load(&watch->proc[i].max_inside);
  }
  return m;
}

static uint64_t in_gil_expect(const cb_task_t *t)
{
  uint64_t x = cb_task_seed(t->p->seed, t->index), k;

  for (k = 0; k < t->p->size; k++)
    x = spin(x, STRETCH);
  return x;
}

/* `size` stretches of work, each counted inside, a checkpoint between two;
 * every SLEEP_EVERY-th a short sleep with the GIL released. */
static int in_gil_run(const cb_task_t *t, uint64_t *checksum)
{
  struct timespec ts = { 0, 20000 };
  uint64_t x = cb_task_seed(t->p->seed, t->index), k;

  for (k = 0; k < t->p->size; k++) {
    enter();
    x = spin(x, STRETCH);
    leave();
    cb_gil_checkpoint();
    if (k % SLEEP_EVERY == SLEEP_EVERY - 1) {
      cb_gil_release();
      nanosleep(&ts, NULL);
      cb_gil_acquire();
    }
  }
  *checksum = x;
  return 0;
}

static const cb_workload_t wl_in_gil = {
  .name = "test.in-gil",
  .description = "count workers inside task code",
  .size_unit = "stretches",
  .run = in_gil_run,
  .expect = in_gil_expect,
};

static cb_cell_t make_cell(const cb_workload_t *wl, const char *runner, unsigned c, int gil,
                           uint64_t switch_us, uint64_t tasks, uint64_t size)
{
  cb_cell_t cell = cbt_cell(wl, cb_runner_find(runner), c, tasks, size, 11 + c);

  cell.gil = gil;
  cell.switch_us = gil ? switch_us : 0;
  cbt_describe_cell(&cell);
  return cell;
}

/* A supervised trial (a deadlock becomes a timeout, not a hung test). */
static void run_trial(const cb_cell_t *cell, cb_trial_t *t)
{
  if (cell->rn == NULL) {
    print_error("[%s] no such runner in this build\n", cbt_where);
    fail();
  }
  CBT_CHECK_EQ(cbt_trial(cell, cbt_topo, 1, TRIAL_TIMEOUT_S, NULL, t), 0);
  if (t->status != CB_ST_OK)
    print_error("[%s] status %s: %s\n", cbt_where, cb_status_name(t->status), t->msg);
  CBT_CHECK_EQ(t->status, CB_ST_OK);
  CBT_CHECK_EQ(t->verified, 1);
}

static unsigned max_inside(const cb_cell_t *cell)
{
  cb_trial_t t;

  memset(watch, 0, sizeof(*watch));
  run_trial(cell, &t);
  CBT_CHECK_EQ(atomic_load(&watch->inside), 0);
  return atomic_load(&watch->max_inside);
}

static int has_runner(const char *name)
{
  return cb_runner_find(name) != NULL;
}

static void test_api(void **state)
{
  (void)state;
  snprintf(cbt_where, sizeof(cbt_where), "GIL API");
  /* off: everything is a no-op */
  CBT_CHECK_EQ(cb_gil_init(0, 5000), 0);
  CBT_CHECK_EQ(cb_gil_enabled(), 0);
  cb_gil_enter();
  CBT_CHECK_EQ(cb_gil_held(), 0);
  cb_gil_checkpoint();
  cb_gil_release();
  cb_gil_acquire();
  cb_gil_leave();
  CBT_CHECK_EQ(cb_gil_switches(), 0);
  /* on needs an interval */
  CBT_CHECK_EQ(cb_gil_init(1, 0), -EINVAL);
  CBT_CHECK_EQ(cb_gil_enabled(), 0);
  CBT_CHECK_EQ(cb_gil_init(1, 5000), 0);
  CBT_CHECK_EQ(cb_gil_enabled(), 1);
  CBT_CHECK_EQ(cb_gil_held(), 0);
  /* Not holding it: a checkpoint has nothing to hand over, and a
   * release/acquire pair (a worker's set-up) takes nothing. */
  cb_gil_checkpoint();
  cb_gil_release();
  cb_gil_acquire();
  CBT_CHECK_EQ(cb_gil_held(), 0);
  CBT_CHECK_EQ(cb_gil_switches(), 0);
  cb_gil_enter();
  CBT_CHECK_EQ(cb_gil_held(), 1);
  cb_gil_enter(); /* already held: no-op, no deadlock */
  CBT_CHECK_EQ(cb_gil_held(), 1);
  cb_gil_checkpoint(); /* nobody waits */
  CBT_CHECK_EQ(cb_gil_held(), 1);
  errno = EAGAIN;
  cb_gil_release(); /* keeps errno, for the call it wrapped */
  CBT_CHECK_EQ(errno, EAGAIN);
  CBT_CHECK_EQ(cb_gil_held(), 0);
  errno = ENOENT;
  cb_gil_acquire(); /* takes back what the release let go of */
  CBT_CHECK_EQ(errno, ENOENT);
  CBT_CHECK_EQ(cb_gil_held(), 1);
  cb_gil_acquire(); /* nothing more to take back */
  CBT_CHECK_EQ(cb_gil_held(), 1);
  cb_gil_leave();
  CBT_CHECK_EQ(cb_gil_held(), 0);
  CBT_CHECK_EQ(cb_gil_switches(), 1); /* the same thread twice is one hand-off */
  cb_gil_fini();
  CBT_CHECK_EQ(cb_gil_enabled(), 0);
  CBT_CHECK_EQ(cb_gil_switches(), 0);
}

static void test_one_worker_inside(void **state)
{
  static const struct {
    const char *runner;
    unsigned c;
  } cases[] = { { "serial", 1 }, { "threads", 2 }, { "threads", 4 }, { "eventloop", 2 },
                { "eventloop", 4 } };
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    cb_cell_t cell;

    if (!has_runner(cases[i].runner))
      continue;
    cell = make_cell(&wl_in_gil, cases[i].runner, cases[i].c, 1, 1000, 4 * cases[i].c, 400);
    CBT_CHECK_EQ(max_inside(&cell), 1);
  }
}

/* The watch can see two at once: without the GIL, and with processes, which
 * each have a GIL of their own. Retried: on a busy machine two runnable
 * workers need not be on the CPUs at the same moment. */
static void test_overlap_without_one_gil(void **state)
{
  static const struct {
    const char *runner;
    int gil;
  } cases[] = { { "threads", 0 }, { "processes", 1 } };
  size_t i;
  unsigned m = 0;
  int k;

  (void)state;
  if (cbt_under_valgrind())
    skip();
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    cb_cell_t cell = make_cell(&wl_in_gil, cases[i].runner, 2, cases[i].gil, 1000, 8, 400);

    for (k = 0, m = 0; k < RETRIES && m < 2; k++)
      m = max_inside(&cell);
    CBT_CHECK_EQ(m, 2);
  }
}

/* A hybrid under the GIL: one GIL per process, shared by its threads (or
 * held by its loop): never two workers of one process inside task code at
 * once, while two processes are (retried, as above). P = 1 is one GIL for
 * all: one inside at a time in all. */
static void test_gil_per_process(void **state)
{
  static const struct {
    const char *runner;
    unsigned procs, c;
  } cases[] = { { "procs-threads", 2, 4 }, { "procs-threads", 1, 3 }, { "procs-threads", 3, 6 },
                { "procs-loops", 2, 4 } };
  size_t i;
  unsigned m, one, nprocs;
  int k;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    cb_cell_t cell;

    if (!has_runner(cases[i].runner))
      continue;
    cell = make_cell(&wl_in_gil, cases[i].runner, cases[i].c, 1, 1000, 4 * cases[i].c, 400);
    cell.procs = cases[i].procs;
    for (k = 0, m = 0; k < RETRIES; k++) {
      m = max_inside(&cell);
      one = max_inside_one_proc(&nprocs);
      CBT_CHECK_EQ(one, 1);
      CBT_CHECK(nprocs >= cases[i].procs); /* replacements none: no crash */
      CBT_CHECK(nprocs <= cases[i].procs);
      if (cases[i].procs == 1)
        CBT_CHECK_EQ(m, 1);
      CBT_CHECK(m <= cases[i].procs); /* one GIL each */
      if (m >= 2 || cases[i].procs == 1 || cbt_under_valgrind())
        break;
    }
    if (cases[i].procs > 1 && !cbt_under_valgrind())
      CBT_CHECK(m >= 2);
  }
}

/* Ahead of the machine's other work for a while: on a busy machine a
 * holder that is off the CPU cannot see a drop request, and every hand-off
 * then waits for the scheduler as well as for the interval (with a load of
 * 4 per CPU here: half the hand-offs). SCHED_FIFO when allowed (the trial
 * process and its threads inherit it), else a lower nice value, else as is.
 * Returns what was used, for the message. */
static const char *run_ahead(int on)
{
  static struct sched_param normal;
  static int policy = -1, nice_before;
  struct sched_param fifo = { .sched_priority = 1 };

  if (!on) {
    if (policy >= 0)
      sched_setscheduler(0, policy, &normal);
    setpriority(PRIO_PROCESS, 0, nice_before);
    return "";
  }
  policy = sched_getscheduler(0);
  sched_getparam(0, &normal);
  errno = 0;
  nice_before = getpriority(PRIO_PROCESS, 0);
  if (sched_setscheduler(0, SCHED_FIFO, &fifo) == 0)
    return "SCHED_FIFO";
  if (setpriority(PRIO_PROCESS, 0, -10) == 0)
    return "nice -10";
  return "normal priority";
}

/* Two CPU-bound threads (cpu.hash, checkpoints every 1024 rounds): each holds
 * the GIL for one switch interval until the other's drop request, so the GIL
 * changes hands about wall / interval times. A structural count, with a
 * factor of 2 either way and retries for a busy machine. */
static void test_switch_interval(void **state)
{
  static const uint64_t intervals_us[] = { 5000, 2000 };
  const cb_workload_t *hash = cb_workload_find("cpu.hash");
  size_t i;
  int k, ok;

  (void)state;
  if (cbt_under_valgrind())
    skip();
  assert_non_null(hash);
  print_message("  running at %s\n", run_ahead(1));
  for (i = 0; i < sizeof(intervals_us) / sizeof(intervals_us[0]); i++) {
    double ratio = 0;
    uint64_t size = 20000, tasks = 8;
    cb_trial_t t;

    ok = 0;
    for (k = 0; k < RETRIES && !ok; k++) {
      cb_cell_t cell = make_cell(hash, "threads", 2, 1, intervals_us[i], tasks, size);

      run_trial(&cell, &t);
      /* Size the trial to about 200 ms of task phase on this machine. */
      if (t.wall_s < 0.15 || t.wall_s > 0.6) {
        tasks = (uint64_t)((double)tasks * 0.2 / (t.wall_s > 0 ? t.wall_s : 1e-3)) + 2;
        k--;
        if (tasks > 200000)
          fail_msg("cannot size a 200 ms trial (%g s for %llu tasks)", t.wall_s,
                   (unsigned long long)tasks);
        continue;
      }
      ratio = (double)t.gil_switches / (t.wall_s * 1e6 / (double)intervals_us[i]);
      print_message("  interval %llu us: %llu hand-offs in %.3f s: %.2f x wall/interval\n",
                    (unsigned long long)intervals_us[i], (unsigned long long)t.gil_switches,
                    t.wall_s, ratio);
      ok = ratio >= 0.5 && ratio <= 2.0;
    }
    snprintf(cbt_where, sizeof(cbt_where), "threads+gil, interval %llu us: ratio %.2f",
             (unsigned long long)intervals_us[i], ratio);
    if (!ok)
      run_ahead(0);
    CBT_CHECK(ok);
  }
  run_ahead(0);
  CBT_CHECK_EQ(sched_getscheduler(0), SCHED_OTHER);
}

/* Processes have a GIL each and nobody wants it: the trial process's own
 * GIL never changes hands; serial takes it once. */
static void test_switches_per_runner(void **state)
{
  const cb_workload_t *hash = cb_workload_find("cpu.hash");
  cb_cell_t cell;
  cb_trial_t t;

  (void)state;
  cell = make_cell(hash, "processes", 2, 1, 5000, 8, 2000);
  run_trial(&cell, &t);
  CBT_CHECK_EQ(t.gil_switches, 0);
  cell = make_cell(hash, "serial", 1, 1, 5000, 8, 2000);
  run_trial(&cell, &t);
  CBT_CHECK_EQ(t.gil_switches, 1);
  cell = make_cell(hash, "threads", 2, 0, 5000, 8, 2000);
  run_trial(&cell, &t);
  CBT_CHECK_EQ(t.gil_switches, 0); /* GIL mode off */
}

/* io.sleep's own blocking form, watched: a task counts as inside from the
 * moment the harness hands it the GIL until io.sleep's run returns. */
static const cb_workload_t *io_sleep;

static int sleep_watch_run(const cb_task_t *t, uint64_t *checksum)
{
  int rc;

  enter();
  rc = io_sleep->run(t, checksum);
  leave();
  return rc;
}

/* Two io.sleep tasks of 100 ms at c = 2 overlap under the GIL: the second
 * enters io.sleep while the first waits in it, which it could not if the
 * wait held the GIL (an order of events, not a time bound). The event loop
 * waits in its loop, never in a task: its two timers are both admitted and
 * no task ran inline. */
static void test_waits_overlap(void **state)
{
  static const char *const runners[] = { "threads", "processes" };
  cb_workload_t watched;
  size_t i;
  int k;
  unsigned m = 0;

  (void)state;
  io_sleep = cb_workload_find("io.sleep");
  assert_non_null(io_sleep);
  watched = *io_sleep;
  watched.name = "test.io-sleep-watched";
  watched.run = sleep_watch_run;
  watched.async_slot_size = 0;
  watched.async_open = NULL;
  watched.async_start = NULL;
  watched.async_close = NULL;
  for (i = 0; i < sizeof(runners) / sizeof(runners[0]); i++) {
    /* A task that starts 100 ms late (a busy machine) no longer overlaps. */
    for (k = 0, m = 0; k < RETRIES && m < 2; k++) {
      cb_cell_t cell = make_cell(&watched, runners[i], 2, 1, 5000, 2, 100000);
      m = max_inside(&cell);
    }
    snprintf(cbt_where, sizeof(cbt_where), "io.sleep 2 x 100 ms under %s+gil, c=2: at most %u inside",
             runners[i], m);
    CBT_CHECK_EQ(m, 2);
  }
  if (has_runner("eventloop")) {
    cb_cell_t cell = make_cell(io_sleep, "eventloop", 2, 1, 5000, 2, 100000);
    cb_trial_t t;

    run_trial(&cell, &t);
    CBT_CHECK_EQ(t.inline_tasks, 0);
    CBT_CHECK_EQ(t.inflight, 2);
  }
}

static void test_every_workload_under_gil(void **state)
{
  static const struct {
    const char *name;
    uint64_t size, payload, tasks;
  } cases[] = {
    { "noop", 0, 0, 40 },          { "cpu.hash", 2000, 0, 40 },
    { "cpu.fp", 32, 0, 40 },       { "cpu.matmul", 16, 0, 20 },
    { "cpu.alloc", 200, 0, 20 },   { "io.sleep", 200, 0, 20 },
    { "io.tcp", 50, 64, 20 },      { "io.file", 4, 0, 10 },
    { "comm.pingpong", 20, 0, 10 }, { "comm.payload", 0, 100000, 10 },
    { "life.spawn", 0, 0, 10 },    { "life.idle", 1000, 0, 0 },
    { "mix.sleep", 30, 0, 20 },    { "mix.tcp", 30, 64, 20 },
  };
  static const unsigned cs[] = { 1, 2, 4 };
  size_t i, r, k;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    for (r = 0; r < cb_runners_count; r++)
      for (k = 0; k < sizeof(cs) / sizeof(cs[0]); k++) {
        const cb_workload_t *wl = cb_workload_find(cases[i].name);
        const char *rn = cb_runners[r]->name;
        cb_cell_t cell;
        cb_trial_t t;

        if (strcmp(rn, "serial") == 0 && cs[k] != 1)
          continue;
        assert_non_null(wl);
        cell = make_cell(wl, rn, cs[k], 1, 1000, cases[i].tasks > 0 ? cases[i].tasks : cs[k],
                         cases[i].size);
        cell.params.payload = cases[i].payload;
        if (wl->calibrate != NULL) /* as a run does, once (cb_matrix_calibrate) */
          assert_int_equal(wl->calibrate(&cell.params.calib), 0);
        run_trial(&cell, &t);
        CBT_CHECK_EQ(t.failed, 0);
      }
}

static int group_setup(void **state)
{
  watch = cbt_map_shared(sizeof(*watch));
  return cbt_topo_setup(state);
}

static int group_teardown(void **state)
{
  cbt_topo_teardown(state);
  munmap(watch, sizeof(*watch));
  return 0;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_api),
    cmocka_unit_test(test_one_worker_inside),
    cmocka_unit_test(test_gil_per_process),
    cmocka_unit_test(test_overlap_without_one_gil),
    cmocka_unit_test(test_switch_interval),
    cmocka_unit_test(test_switches_per_runner),
    cmocka_unit_test(test_waits_overlap),
    cmocka_unit_test(test_every_workload_under_gil),
  };

  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
