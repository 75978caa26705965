/* The trial tests' test-only workloads and how they run one trial
 * (test_trl.h), written once so that each test_trial*.c holds only what it
 * checks. */
#include "test_trl.h"

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

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

shared_t *trl_shared;

static void note_pid(void)
{
  int i = atomic_fetch_add(&trl_shared->npids, 1);

  if (i < (int)CB_ARRAY_SIZE(trl_shared->pids))
    atomic_store(&trl_shared->pids[i], (int)getpid());
}

/* Every test workload leaves a file in the scratch directory, which the
 * trial must remove whatever becomes of the trial process. */
static int mode_setup(const cb_params_t *p, void **state, int mode)
{
  mode_state_t *m = malloc(sizeof(*m));
  char path[4200];
  struct stat st;
  FILE *f;

  trl_shared->scratch_ok = p->scratch != NULL && stat(p->scratch, &st) == 0 &&
                       S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700;
  if (p->scratch != NULL) {
    snprintf(trl_shared->scratch, sizeof(trl_shared->scratch), "%s", p->scratch);
    snprintf(path, sizeof(path), "%s/left-behind", p->scratch);
    f = fopen(path, "w");
    if (f == NULL || fputs("x\n", f) < 0)
      trl_shared->scratch_ok = 0;
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

uint64_t trl_mode_sum(const cb_params_t *p, uint64_t index)
{
  return cb_task_seed(p->seed, index) ^ p->size;
}

static uint64_t mode_expect(const cb_task_t *t)
{
  return trl_mode_sum(t->p, t->index);
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

  *sum = trl_mode_sum(p, index);
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

const cb_workload_t trl_wl_ok = { .name = "test.ok", .setup = setup_ok, MODE_COMMON MODE_ASYNC };
const cb_workload_t trl_wl_wrong = { .name = "test.wrong", .setup = setup_wrong, MODE_COMMON MODE_ASYNC };
const cb_workload_t trl_wl_wrong_inline = { .name = "test.wrong-inline", .setup = setup_wrong, MODE_COMMON };
const cb_workload_t trl_wl_eio = { .name = "test.eio", .setup = setup_eio, MODE_COMMON MODE_ASYNC };

const cb_workload_t trl_wl_segv = { .name = "test.segv", .setup = setup_segv,
                                       .fails_on_purpose = 1, MODE_COMMON };

const cb_workload_t trl_wl_badptr = { .name = "test.badptr", .setup = setup_badptr,
                                         .fails_on_purpose = 1, MODE_COMMON };

/* The same crash in a workload that does not crash on purpose: to the
 * harness, a worker that died was killed from outside. */
const cb_workload_t trl_wl_segv_unplanned = { .name = "test.segv-unplanned",
                                                 .setup = setup_segv, MODE_COMMON };

/* test.ok, but a workload that kills its workers on purpose (fault.*): a
 * task lost with its worker is failed, and the trial still measured. */
const cb_workload_t trl_wl_ok_planned = { .name = "test.ok-planned", .setup = setup_ok,
                                             .fails_on_purpose = 1, MODE_COMMON };

const cb_workload_t trl_wl_hang = { .name = "test.hang", .setup = setup_hang, MODE_COMMON };
const cb_workload_t trl_wl_hang_fork = { .name = "test.hang-fork", .setup = setup_hang_fork, MODE_COMMON };
const cb_workload_t trl_wl_setup_fails = { .name = "test.setup-fails", .setup = setup_fail, MODE_COMMON };
const cb_workload_t trl_wl_wrong_edges = { .name = "test.wrong-edges", .setup = setup_wrong_edges, MODE_COMMON MODE_ASYNC };
const cb_workload_t trl_wl_wrong_edges_inline = { .name = "test.wrong-edges-inline", .setup = setup_wrong_edges, MODE_COMMON };
const cb_workload_t trl_wl_eio_edges = { .name = "test.eio-edges", .setup = setup_eio_edges, MODE_COMMON MODE_ASYNC };

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

const cb_workload_t trl_wl_expect_hang = {
  .name = "test.expect-hang", .description = "test only", .size_unit = "none",
  .default_tasks = 10, .setup = setup_ok, .teardown = mode_teardown, .run = mode_run,
  .expect = expect_hang,
};

const cb_workload_t trl_wl_expect_crash = {
  .name = "test.expect-crash", .description = "test only", .size_unit = "none",
  .default_tasks = 10, .setup = setup_ok, .teardown = mode_teardown, .run = mode_run,
  .expect = expect_crash,
};

unsigned trl_pus;

cb_cell_t trl_make_cell(const cb_workload_t *wl, const char *runner, unsigned c,
                        cb_pin_policy_t pin, uint64_t tasks, uint64_t size)
{
  cb_cell_t cell = cbt_cell(wl, cb_runner_find(runner), c, tasks, size, 77 + c);

  assert_non_null(cell.rn);
  cell.pin = pin;
  cbt_describe_cell(&cell);
  return cell;
}

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

int trl_trial(const cb_cell_t *cell, int supervise, double timeout_s,
              volatile const int *stop, cb_trial_t *t)
{
  struct stat st;
  int rc;

  CBT_CHECK(cbt_no_children());
  trl_shared->scratch[0] = '\0';
  trl_shared->scratch_ok = 0;
  rc = cbt_trial(cell, cbt_topo, supervise, timeout_s, stop, t);
  CBT_CHECK(cbt_no_children());
  /* Our workloads saw a private scratch directory, and it is gone with the
   * file they left in it. */
  if (cell->wl->teardown == mode_teardown && cell->wl != &trl_wl_setup_fails && rc != -EINTR) {
    const char *tmp = getenv("TMPDIR");
    char prefix[4096];

    /* $TMPDIR/concbench-PID-XXXXXX: the owner's pid (so a sweep can tell a
     * dead writer's directory), then mkdtemp's six characters */
    snprintf(prefix, sizeof(prefix), "%s/concbench-", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (!scratch_name_ok(trl_shared->scratch, prefix))
      print_error("[%s] scratch '%s'\n", cbt_where, trl_shared->scratch);
    CBT_CHECK(scratch_name_ok(trl_shared->scratch, prefix));
    CBT_CHECK_EQ(trl_shared->scratch_ok, 1);
  }
  if (trl_shared->scratch[0] != '\0') {
    errno = 0;
    if (stat(trl_shared->scratch, &st) == 0 || errno != ENOENT)
      print_error("[%s] scratch %s is still there\n", cbt_where, trl_shared->scratch);
    CBT_CHECK(stat(trl_shared->scratch, &st) != 0 && errno == ENOENT);
  }
  return rc;
}

int trl_group_setup(void **state)
{
  if (!cbt_no_children())
    return -1;
  trl_shared = cbt_map_shared(sizeof(*trl_shared));
  if (cbt_topo_setup(state) != 0)
    return -1;
  trl_pus = cb_topo_pus(cbt_topo);
  return 0;
}

int trl_group_teardown(void **state)
{
  cbt_topo_teardown(state);
  munmap(trl_shared, sizeof(*trl_shared));
  return 0;
}
