/* Tests of harness/trial.c: expected checksums, a trial executed in this
 * process, and a trial supervised in a child process. Cells use the real
 * workloads and runners of the registries plus test-only workloads that
 * misbehave on purpose in task 5, or in the first and the last task (a wrong
 * checksum, an error, a crash, a hang), and a test-only runner that reports
 * tasks as coming back twice or never. After every supervised trial no process of it may be left: the
 * hanging tasks write their pids to a page shared with this process, and each
 * of them must be gone, not only our direct children. */
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

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

/* ---- test workloads ------------------------------------------------------ */

enum { MODE_OK, MODE_WRONG, MODE_EIO, MODE_SEGV, MODE_BADPTR, MODE_HANG, MODE_HANG_FORK };

#define BAD_INDEX 5u
/* Or'ed into a mode: misbehave in the first and the last task instead of in
 * task 5, where a verification that skips either end is caught. */
#define AT_EDGES 0x100
#define WRONG_XOR UINT64_C(0x00ff00ff00ff00ff)

/* Shared with every descendant: the pids of processes that hang. */
typedef struct shared_s {
  atomic_int npids;
  atomic_int pids[64];
  char scratch[4096]; /* the trial's scratch directory, as setup saw it */
  int scratch_ok;     /* 1: a private directory (0700) that setup could write in */
} shared_t;
static shared_t *shared;

static void note_pid(void)
{
  int i = atomic_fetch_add(&shared->npids, 1);

  if (i < (int)CB_ARRAY_SIZE(shared->pids))
    atomic_store(&shared->pids[i], (int)getpid());
}

typedef struct mode_s {
  int mode;
} mode_state_t;

/* Every test workload leaves a file in the scratch directory, which the
 * trial must remove whatever becomes of the trial process. */
static int mode_setup(const cb_params_t *p, void **state, int mode)
{
  mode_state_t *m = malloc(sizeof(*m));
  char path[4200];
  struct stat st;
  FILE *f;

  shared->scratch_ok = p->scratch != NULL && stat(p->scratch, &st) == 0 &&
                       S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700;
  if (p->scratch != NULL) {
    snprintf(shared->scratch, sizeof(shared->scratch), "%s", p->scratch);
    snprintf(path, sizeof(path), "%s/left-behind", p->scratch);
    f = fopen(path, "w");
    if (f == NULL || fputs("x\n", f) < 0)
      shared->scratch_ok = 0;
    if (f != NULL)
      fclose(f);
  }
  if (m == NULL)
    return -ENOMEM;
  m->mode = mode;
  *state = m;
  return 0;
}

static int setup_ok(const cb_params_t *p, void **s) { return mode_setup(p, s, MODE_OK); }
static int setup_wrong(const cb_params_t *p, void **s) { return mode_setup(p, s, MODE_WRONG); }
static int setup_eio(const cb_params_t *p, void **s) { return mode_setup(p, s, MODE_EIO); }
static int setup_segv(const cb_params_t *p, void **s) { return mode_setup(p, s, MODE_SEGV); }
static int setup_badptr(const cb_params_t *p, void **s) { return mode_setup(p, s, MODE_BADPTR); }
static int setup_hang(const cb_params_t *p, void **s) { return mode_setup(p, s, MODE_HANG); }
static int setup_hang_fork(const cb_params_t *p, void **s) { return mode_setup(p, s, MODE_HANG_FORK); }
static int setup_wrong_edges(const cb_params_t *p, void **s) { return mode_setup(p, s, MODE_WRONG | AT_EDGES); }
static int setup_eio_edges(const cb_params_t *p, void **s) { return mode_setup(p, s, MODE_EIO | AT_EDGES); }
static int setup_fail(const cb_params_t *p, void **s) { (void)p; (void)s; return -ENOSPC; }

static void mode_teardown(const cb_params_t *p, void *state)
{
  (void)p;
  free(state);
}

static uint64_t mode_sum(const cb_params_t *p, uint64_t index)
{
  return cb_task_seed(p->seed, index) ^ p->size;
}

static uint64_t mode_expect(const cb_task_t *t)
{
  return mode_sum(t->p, t->index);
}

static void hang_forever(void)
{
  note_pid();
  for (;;)
    pause();
}

/* The task body; 0 or -errno. A crash resets the handler first so that a
 * sanitizer's own SIGSEGV handler cannot turn it into an exit status. */
static int mode_task(const cb_params_t *p, int mode, uint64_t index, uint64_t *sum)
{
  static volatile uintptr_t bad_address = 16;

  *sum = mode_sum(p, index);
  if (mode & AT_EDGES ? index != 0 && index + 1 != p->tasks : index != BAD_INDEX)
    return 0;
  switch (mode & ~AT_EDGES) {
  case MODE_WRONG:
    *sum ^= WRONG_XOR;
    break;
  case MODE_EIO:
    return -EIO;
  case MODE_SEGV:
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    break;
  case MODE_BADPTR:
    signal(SIGSEGV, SIG_DFL);
    *(volatile int *)bad_address = 1;
    break;
  case MODE_HANG_FORK:
    if (fork() == 0)
      hang_forever();
    hang_forever();
    break;
  case MODE_HANG:
    hang_forever();
    break;
  default:
    break;
  }
  return 0;
}

static int mode_run(const cb_task_t *t, uint64_t *checksum)
{
  return mode_task(t->p, ((mode_state_t *)t->state)->mode, t->index, checksum);
}

#if CB_HAVE_LIBUV
typedef struct mode_slot_s {
  uv_timer_t timer;
  void (*closed)(cb_async_t *a);
} mode_slot_t;

static int mode_open(cb_async_t *a)
{
  mode_slot_t *s = a->slot;

  s->timer.data = a;
  return uv_timer_init(a->loop, &s->timer);
}

static void mode_timer_cb(uv_timer_t *t)
{
  cb_async_t *a = t->data;
  uint64_t sum;
  int err = mode_task(a->params, ((mode_state_t *)a->state)->mode, a->index, &sum);

  a->done(a, err, sum);
}

static int mode_start(cb_async_t *a)
{
  mode_slot_t *s = a->slot;

  return uv_timer_start(&s->timer, mode_timer_cb, 0, 0);
}

static void mode_handle_closed(uv_handle_t *h)
{
  cb_async_t *a = h->data;

  ((mode_slot_t *)a->slot)->closed(a);
}

static void mode_close(cb_async_t *a, void (*closed)(cb_async_t *a))
{
  mode_slot_t *s = a->slot;

  s->closed = closed;
  uv_close((uv_handle_t *)&s->timer, mode_handle_closed);
}

#define MODE_ASYNC                                                            \
  .async_slot_size = sizeof(mode_slot_t), .async_open = mode_open,             \
  .async_start = mode_start, .async_close = mode_close,
#else
#define MODE_ASYNC
#endif

#define MODE_COMMON                                                           \
  .description = "test only", .size_unit = "none", .default_size = 0,          \
  .default_tasks = 10, .teardown = mode_teardown, .run = mode_run,             \
  .expect = mode_expect,

static const cb_workload_t wl_ok = { .name = "test.ok", .setup = setup_ok, MODE_COMMON MODE_ASYNC };
static const cb_workload_t wl_wrong = { .name = "test.wrong", .setup = setup_wrong, MODE_COMMON MODE_ASYNC };
static const cb_workload_t wl_wrong_inline = { .name = "test.wrong-inline", .setup = setup_wrong, MODE_COMMON };
static const cb_workload_t wl_eio = { .name = "test.eio", .setup = setup_eio, MODE_COMMON MODE_ASYNC };
static const cb_workload_t wl_segv = { .name = "test.segv", .setup = setup_segv,
                                       .fails_on_purpose = 1, MODE_COMMON };
static const cb_workload_t wl_badptr = { .name = "test.badptr", .setup = setup_badptr,
                                         .fails_on_purpose = 1, MODE_COMMON };
/* The same crash in a workload that does not crash on purpose: to the
 * harness, a worker that died was killed from outside. */
static const cb_workload_t wl_segv_unplanned = { .name = "test.segv-unplanned",
                                                 .setup = setup_segv, MODE_COMMON };
/* test.ok, but a workload that kills its workers on purpose (fault.*): a
 * task lost with its worker is failed, and the trial still measured. */
static const cb_workload_t wl_ok_planned = { .name = "test.ok-planned", .setup = setup_ok,
                                             .fails_on_purpose = 1, MODE_COMMON };
static const cb_workload_t wl_hang = { .name = "test.hang", .setup = setup_hang, MODE_COMMON };
static const cb_workload_t wl_hang_fork = { .name = "test.hang-fork", .setup = setup_hang_fork, MODE_COMMON };
static const cb_workload_t wl_setup_fails = { .name = "test.setup-fails", .setup = setup_fail, MODE_COMMON };
static const cb_workload_t wl_wrong_edges = { .name = "test.wrong-edges", .setup = setup_wrong_edges, MODE_COMMON MODE_ASYNC };
static const cb_workload_t wl_wrong_edges_inline = { .name = "test.wrong-edges-inline", .setup = setup_wrong_edges, MODE_COMMON };
static const cb_workload_t wl_eio_edges = { .name = "test.eio-edges", .setup = setup_eio_edges, MODE_COMMON MODE_ASYNC };

/* ---- a test-only runner that loses track of tasks ------------------------ */

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

/* Expected checksums that never come, or that crash their process. */
static uint64_t expect_hang(const cb_task_t *t)
{
  (void)t;
  hang_forever();
  return 0;
}

static uint64_t expect_crash(const cb_task_t *t)
{
  if (t->index == BAD_INDEX) {
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
  }
  return mode_expect(t);
}

static const cb_workload_t wl_expect_hang = {
  .name = "test.expect-hang", .description = "test only", .size_unit = "none",
  .default_tasks = 10, .setup = setup_ok, .teardown = mode_teardown, .run = mode_run,
  .expect = expect_hang,
};
static const cb_workload_t wl_expect_crash = {
  .name = "test.expect-crash", .description = "test only", .size_unit = "none",
  .default_tasks = 10, .setup = setup_ok, .teardown = mode_teardown, .run = mode_run,
  .expect = expect_crash,
};

/* ---- helpers ------------------------------------------------------------- */

static unsigned pus;

#if CB_HAVE_HWLOC
#define PIN_BOUND CB_PIN_COMPACT
#else
#define PIN_BOUND CB_PIN_NONE
#endif

static cb_cell_t make_cell(const cb_workload_t *wl, const char *runner, unsigned c,
                           cb_pin_policy_t pin, uint64_t tasks, uint64_t size)
{
  cb_cell_t cell = cbt_cell(wl, cb_runner_find(runner), c, tasks, size, 77 + c);

  assert_non_null(cell.rn);
  cell.pin = pin;
  cbt_describe_cell(&cell);
  return cell;
}

/* Run the cell in this process (supervise = 0) or in a supervised child. */

/* PREFIX, then the owner's pid in digits, a dash and six more characters. */
static int scratch_name_ok(const char *name, const char *prefix)
{
  size_t n = strlen(prefix);
  size_t digits = 0;

  if (strncmp(name, prefix, n) != 0)
    return 0;
  name += n;
  while (name[digits] >= '0' && name[digits] <= '9')
    digits++;
  return digits > 0 && name[digits] == '-' && strlen(name + digits + 1) == 6;
}

static int trial(const cb_cell_t *cell, int supervise, double timeout_s,
                 volatile const int *stop, cb_trial_t *t)
{
  struct stat st;
  int rc;

  CBT_CHECK(cbt_no_children());
  shared->scratch[0] = '\0';
  shared->scratch_ok = 0;
  rc = cbt_trial(cell, cbt_topo, supervise, timeout_s, stop, t);
  CBT_CHECK(cbt_no_children());
  /* Our workloads saw a private scratch directory, and it is gone with the
   * file they left in it. */
  if (cell->wl->teardown == mode_teardown && cell->wl != &wl_setup_fails && rc != -EINTR) {
    const char *tmp = getenv("TMPDIR");
    char prefix[4096];

    /* $TMPDIR/concbench-PID-XXXXXX: the owner's pid (so a sweep can tell a
     * dead writer's directory), then mkdtemp's six characters */
    snprintf(prefix, sizeof(prefix), "%s/concbench-", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (!scratch_name_ok(shared->scratch, prefix))
      print_error("[%s] scratch '%s'\n", cbt_where, shared->scratch);
    CBT_CHECK(scratch_name_ok(shared->scratch, prefix));
    CBT_CHECK_EQ(shared->scratch_ok, 1);
  }
  if (shared->scratch[0] != '\0') {
    errno = 0;
    if (stat(shared->scratch, &st) == 0 || errno != ENOENT)
      print_error("[%s] scratch %s is still there\n", cbt_where, shared->scratch);
    CBT_CHECK(stat(shared->scratch, &st) != 0 && errno == ENOENT);
  }
  return rc;
}

static void check_ok(const cb_cell_t *cell, const cb_trial_t *t)
{
  unsigned w = cbt_expected_workers(cell->rn, cell->concurrency, pus);

  CBT_CHECK_EQ(t->status, CB_ST_OK);
  CBT_CHECK_EQ(t->msg[0], '\0');
  CBT_CHECK_EQ(t->verified, 1);
  CBT_CHECK_EQ(t->failed, 0);
  CBT_CHECK_EQ(t->wrong, 0);
  CBT_CHECK_EQ(t->workers, w);
  CBT_CHECK_EQ(t->pin_wrap, cell->pin != CB_PIN_NONE && w > pus);
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

/* ---- tests --------------------------------------------------------------- */

static int group_setup(void **state)
{
  if (!cbt_no_children())
    return -1;
  shared = cbt_map_shared(sizeof(*shared));
  if (cbt_topo_setup(state) != 0)
    return -1;
  pus = cb_topo_pus(cbt_topo);
  return 0;
}

static int group_teardown(void **state)
{
  cbt_topo_teardown(state);
  munmap(shared, sizeof(*shared));
  return 0;
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
    cb_cell_t cell = make_cell(cb_workloads[k], "serial", 1, CB_PIN_NONE, 50, 7);

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
                                          ? &wl_ok : cb_workload_find(wls[k].name);
            cb_cell_t cell;

            assert_non_null(wl);
            cell = make_cell(wl, cb_runners[i]->name, cs[ci], pins[pi], 30, wls[k].size);
            CBT_CHECK_EQ(trial(&cell, sup, 60, NULL, &t), 0);
            check_ok(&cell, &t);
            if (strcmp(wls[k].name, "io.sleep") == 0)
              check_sleep_bounds(&cell, &t);
          }
}

/* The message of a wrong checksum in task `index` of the cell. */
static void wrong_msg(const cb_cell_t *cell, uint64_t index, char *buf, size_t len)
{
  uint64_t want = mode_sum(&cell->params, index);

  snprintf(buf, len, "task %llu: checksum %016llx, expected %016llx", (unsigned long long)index,
           (unsigned long long)(want ^ WRONG_XOR), (unsigned long long)want);
}

/* A wrong checksum in task 5 is caught, counted once and named; so are
 * wrong checksums in the first and the last task (both counted, the first
 * named). */
static void test_wrong_checksum(void **state)
{
  const cb_workload_t *wls[] = { &wl_wrong, &wl_wrong_inline, &wl_wrong_edges,
                                 &wl_wrong_edges_inline };
  size_t i, wi;
  cb_trial_t t;
  char msg[160];
  int sup;

  (void)state;
  for (i = 0; i < cb_runners_count; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
      for (sup = 0; sup < 2; sup++) {
        int edges = wls[wi] == &wl_wrong_edges || wls[wi] == &wl_wrong_edges_inline;
        cb_cell_t cell = make_cell(wls[wi], cb_runners[i]->name, 3, CB_PIN_NONE, 12, 0);

        CBT_CHECK_EQ(trial(&cell, sup, 60, NULL, &t), 0);
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
    { &wl_ok, SLOPPY_FIRST_TWICE_LAST_NEVER, CB_ST_WRONG, 2, 0, 10, 0, "task 0 came back 2 times" },
    { &wl_ok, SLOPPY_LAST_NEVER, CB_ST_WRONG, 1, 0, 11, 0, "task 11 came back 0 times" },
    { &wl_ok, SLOPPY_FIRST_LOST, CB_ST_ERROR, 0, 1, 11, 1, KILLED },
    { &wl_ok, SLOPPY_LAST_LOST, CB_ST_ERROR, 0, 1, 11, 1, KILLED },
    { &wl_ok_planned, SLOPPY_FIRST_LOST, CB_ST_OK, 0, 1, 11, 1, "" },
    { &wl_ok_planned, SLOPPY_LAST_LOST, CB_ST_OK, 0, 1, 11, 1, "" },
  };
#undef KILLED
  size_t k;
  cb_trial_t t;
  int sup;

  (void)state;
  for (k = 0; k < CB_ARRAY_SIZE(cases); k++)
    for (sup = 0; sup < 2; sup++) {
      cb_cell_t cell = make_cell(cases[k].wl, "serial", 1, CB_PIN_NONE, 12, 0);

      cell.rn = &rn_sloppy;
      sloppy_mode = cases[k].mode;
      snprintf(cbt_where, sizeof(cbt_where), "%s under test.sloppy, case %zu, %s", cases[k].wl->name, k,
               sup ? "supervised" : "in process");
      CBT_CHECK_EQ(trial(&cell, sup, 60, NULL, &t), 0);
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
  const cb_workload_t *wls[] = { &wl_eio, &wl_eio_edges };
  size_t i, wi;
  cb_trial_t t;
  char msg[160];

  (void)state;
  for (i = 0; i < cb_runners_count; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++) {
      cb_cell_t cell = make_cell(wls[wi], cb_runners[i]->name, 2, CB_PIN_NONE, 12, 0);

      CBT_CHECK_EQ(trial(&cell, 0, 60, NULL, &t), 0);
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
  cb_cell_t cell = make_cell(&wl_setup_fails, "threads", 2, CB_PIN_NONE, 12, 0);
  cb_trial_t t;
  char msg[160];

  (void)state;
  snprintf(msg, sizeof(msg), "test.setup-fails set-up: %s", strerror(ENOSPC));
  CBT_CHECK_EQ(trial(&cell, 0, 60, NULL, &t), -ENOSPC);
  CBT_CHECK_EQ(t.status, CB_ST_ERROR);
  assert_string_equal(t.msg, msg);
  CBT_CHECK_EQ(trial(&cell, 1, 60, NULL, &t), 0);
  CBT_CHECK_EQ(t.status, CB_ST_ERROR);
  assert_string_equal(t.msg, msg);
}

/* A worker that dies when the workload does not kill workers on purpose
 * (here: killed "from outside") spoils the trial: the process pool carries
 * on, but the trial is an error naming the lost task, so that neither the
 * run nor the summary takes it as a measurement. */
static void test_lost_worker_is_an_error(void **state)
{
  cb_cell_t cell = make_cell(&wl_segv_unplanned, "processes", 2, CB_PIN_NONE, 12, 0);
  cb_trial_t t;

  (void)state;
  CBT_CHECK_EQ(trial(&cell, 1, 60, NULL, &t), 0);
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
  cb_cell_t cell = make_cell(&wl_ok, "serial", 1, CB_PIN_NONE, 12, 3);
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

  memset(shared, 0, offsetof(shared_t, scratch));
  cell = make_cell(&wl_expect_hang, "serial", 1, CB_PIN_NONE, 12, 3);
  CBT_CHECK_EQ(cb_trial_expect_supervised(&cell, 12, 0.5, &stop, &e, &fail), 1);
  CBT_CHECK(e == NULL);
  CBT_CHECK_EQ(fail.status, CB_ST_TIMEOUT);
  CBT_CHECK_HAS(fail.msg, "computing the expected checksums: killed after 0.5 s");
  CBT_CHECK(cbt_no_children());
  CBT_CHECK(atomic_load(&shared->npids) == 1 && kill(atomic_load(&shared->pids[0]), 0) != 0);

  cell = make_cell(&wl_expect_crash, "serial", 1, CB_PIN_NONE, 12, 3);
  CBT_CHECK_EQ(cb_trial_expect_supervised(&cell, 12, 60, &stop, &e, &fail), 1);
  CBT_CHECK_EQ(fail.status, CB_ST_CRASHED);
  CBT_CHECK_HAS(fail.msg, "computing the expected checksums: killed by signal 11");
  CBT_CHECK(cbt_no_children());

  /* Asked to stop: -EINTR at once, nothing left. */
  stop = 1;
  cell = make_cell(&wl_expect_hang, "serial", 1, CB_PIN_NONE, 12, 3);
  CBT_CHECK_EQ(cb_trial_expect_supervised(&cell, 12, 60, &stop, &e, &fail), -EINTR);
  CBT_CHECK(cbt_no_children());
}

/* A trial that cannot be set up says which step failed and why. */
static void test_setup_error_is_named(void **state)
{
  cb_cell_t cell = make_cell(&wl_ok, "serial", 1, CB_PIN_NONE, 12, 0);
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
  const cb_workload_t *wls[] = { &wl_segv, &wl_badptr };
  char sig[96];
  size_t i, wi;
  cb_trial_t t;

  (void)state;
  snprintf(sig, sizeof(sig), "trial process killed by signal %d (%s)", SIGSEGV,
           strsignal(SIGSEGV));
  for (i = 0; i < cb_runners_count; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++) {
      const char *rn = cb_runners[i]->name;
      cb_cell_t cell = make_cell(wls[wi], rn, 2, CB_PIN_NONE, 12, 0);

      CBT_CHECK_EQ(trial(&cell, 1, 60, NULL, &t), 0);
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
  int i, n = atomic_load(&shared->npids);

  if (n > (int)CB_ARRAY_SIZE(shared->pids))
    n = (int)CB_ARRAY_SIZE(shared->pids);
  for (i = 0; i < n; i++) {
    int pid = atomic_load(&shared->pids[i]);
    CBT_CHECK(pid > 0);
    errno = 0;
    CBT_CHECK(kill(pid, 0) == -1 && errno == ESRCH);
  }
}

/* A hung trial is killed at the timeout with every process it made,
 * grandchildren (processes workers, a task's own child) included. */
static void test_timeout(void **state)
{
  const cb_workload_t *wls[] = { &wl_hang, &wl_hang_fork };
  size_t i, wi;
  cb_trial_t t;

  (void)state;
  for (i = 0; i < cb_runners_count; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++) {
      cb_cell_t cell = make_cell(wls[wi], cb_runners[i]->name, 3, CB_PIN_NONE, 12, 0);

      atomic_store(&shared->npids, 0);
      CBT_CHECK_EQ(trial(&cell, 1, 0.5, NULL, &t), 0);
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
      CBT_CHECK(atomic_load(&shared->npids) >= 1);
      CBT_CHECK(atomic_load(&shared->npids) <= (wls[wi] == &wl_hang_fork ? 2 : 1));
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
    cell = make_cell(&wl_ok, cb_runners[i]->name, 2, CB_PIN_NONE, 12, 0);
    stop_flag = 1;
    CBT_CHECK_EQ(trial(&cell, 1, 60, &stop_flag, &t), -EINTR);
  }

  assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
  for (i = 0; i < 2; i++) {
    cell = make_cell(&wl_hang_fork, i == 0 ? "threads" : "processes", 2, CB_PIN_NONE, 12, 0);
    atomic_store(&shared->npids, 0);
    stop_flag = 0;
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    /* Without the stop this would end at the 60 s timeout with status timeout. */
    CBT_CHECK_EQ(trial(&cell, 1, 60, &stop_flag, &t), -EINTR);
    CBT_CHECK_EQ(stop_flag, 1);
    check_hang_pids_gone();
  }
  sigaction(SIGALRM, &old, NULL);
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
    cmocka_unit_test(test_crash),
    cmocka_unit_test(test_lost_worker_is_an_error),
    cmocka_unit_test(test_expected_supervised),
    cmocka_unit_test(test_setup_error_is_named),
    cmocka_unit_test(test_timeout),
    cmocka_unit_test(test_stop),
  };

  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
