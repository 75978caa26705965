/* Tests of what a trial measures, the same way for every runner and every
 * variant of it (dispatch mode, transport): CPU time counts helpers, children
 * and the trial process's own threads; memory grows by what each worker
 * touches and is never below serial's; a wait that ends early and bytes
 * changed on their way back from a process are wrong results. Each bound is
 * derived from work the test itself did (CPU time it burnt, bytes it
 * touched), never from a wall-clock threshold. And the harness's own memory
 * (the result array) is resident before any clock starts. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cb_config.h"
#include "runner.h"
#include "sleep.h"
#include "trial.h"
#include "workload.h"
#include "common.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

/* The sanitizers give every thread (ThreadSanitizer: megabytes) and every
 * allocation (AddressSanitizer: an eighth more, its shadow) state of their
 * own: there a worker costs more than what it touched, and only the lower
 * bound of memory per worker holds. */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define CB_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define CB_SANITIZED 1
#endif
#endif
#ifndef CB_SANITIZED
#define CB_SANITIZED 0
#endif

static unsigned pus;

static cbt_variant_t variants[64];
static size_t nvariants;

static cb_cell_t make_cell(const cb_workload_t *wl, const cbt_variant_t *v, unsigned c,
                           uint64_t tasks, uint64_t size, uint64_t payload)
{
  cb_cell_t cell = cbt_cell(wl, v->rn, c, tasks, size, 5 + c);

  cell.transport = v->transport;
  cell.dispatch = v->dispatch;
  cell.params.payload = payload;
  cbt_describe_cell(&cell);
  return cell;
}

/* One supervised trial, as `concbench run` runs it. */
static void trial(const cb_cell_t *cell, cb_trial_t *t)
{
  CBT_CHECK_EQ(cbt_trial(cell, cbt_topo, 1, 120, NULL, t), 0);
}

static int is_runner(const cbt_variant_t *v, const char *name)
{
  return strcmp(v->rn->name, name) == 0;
}

/* ---- CPU time: helpers, children and the trial process's own threads ---- */

enum { SPIN_US = 20000, COORD_SPIN_US = 50000, SPIN_TASKS = 4 };

static uint64_t cpu_ns(clockid_t clock)
{
  struct timespec ts;

  clock_gettime(clock, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Burn `us` microseconds of the calling thread's (or process's) CPU time. */
static void burn(clockid_t clock, uint64_t us)
{
  uint64_t end = cpu_ns(clock) + us * 1000u;
  volatile uint64_t x = 0;

  while (cpu_ns(clock) < end)
    x++;
}

typedef struct spin_state_s {
  atomic_int task_began, helper_done;
} spin_state_t;

/* Whether setup starts the trial process's thread (set by the test before
 * each trial; the trial process inherits it). */
static int with_trial_thread = 1;

static void *spin_thread(void *arg)
{
  (void)arg;
  burn(CLOCK_THREAD_CPUTIME_ID, SPIN_US);
  return NULL;
}

/* A thread of the trial process that works during the task phase, like a
 * coordinator or libuv's pool: it waits for the first task, burns its share
 * and tells task 0, which waits for it, so the work falls between the
 * release and the end of the phase. */
static void *trial_thread(void *arg)
{
  spin_state_t *s = arg;
  struct timespec ms = { 0, 1000000 };

  while (!atomic_load(&s->task_began))
    nanosleep(&ms, NULL);
  burn(CLOCK_THREAD_CPUTIME_ID, COORD_SPIN_US);
  atomic_store(&s->helper_done, 1);
  return NULL;
}

/* Detached: workers forked while it runs must not see a thread of theirs
 * that nobody joins (ThreadSanitizer reports it as leaked); teardown waits
 * for its flag instead. */
static int start_detached(spin_state_t *s)
{
  pthread_attr_t a;
  pthread_t tid;
  int err;

  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  err = pthread_create(&tid, &a, trial_thread, s);
  pthread_attr_destroy(&a);
  return err;
}

static int spin_setup(const cb_params_t *p, void **state)
{
  spin_state_t *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                         -1, 0);

  (void)p;
  if (s == MAP_FAILED)
    return -errno;
  atomic_store(&s->helper_done, !with_trial_thread);
  if (with_trial_thread && start_detached(s) != 0) {
    munmap(s, sizeof(*s));
    return -EAGAIN;
  }
  *state = s;
  return 0;
}

static void spin_teardown(const cb_params_t *p, void *state)
{
  spin_state_t *s = state;
  struct timespec ms = { 0, 1000000 };

  (void)p;
  atomic_store(&s->task_began, 1);
  while (!atomic_load(&s->helper_done))
    nanosleep(&ms, NULL);
  munmap(s, sizeof(*s));
}

static uint64_t spin_expect(const cb_task_t *t)
{
  return cb_task_seed(t->p->seed, t->index);
}

/* A helper thread and a child process each burn SPIN_US, and both are
 * reaped before the task returns. */
static int spin_run(const cb_task_t *t, uint64_t *checksum)
{
  spin_state_t *s = t->state;
  struct timespec ms = { 0, 1000000 };
  pthread_t tid;
  pid_t pid;

  atomic_store(&s->task_began, 1);
  if (pthread_create(&tid, NULL, spin_thread, NULL) != 0)
    return -EAGAIN;
  pthread_join(tid, NULL);
  pid = fork();
  if (pid < 0)
    return -errno;
  if (pid == 0) {
    burn(CLOCK_PROCESS_CPUTIME_ID, SPIN_US);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  while (t->index == 0 && !atomic_load(&s->helper_done))
    nanosleep(&ms, NULL);
  *checksum = spin_expect(t);
  return 0;
}

static const cb_workload_t wl_spin = {
  .name = "test.spin", .description = "test only", .size_unit = "none",
  .setup = spin_setup, .teardown = spin_teardown, .run = spin_run, .expect = spin_expect,
};

static void test_cpu_counts_everyone(void **state)
{
  static const unsigned cs[] = { 1, 2 };
  double least;
  size_t v, k;
  cb_trial_t t;

  (void)state;
  for (v = 0; v < nvariants; v++)
    for (k = 0; k < CB_ARRAY_SIZE(cs); k++) {
      cb_cell_t cell = make_cell(&wl_spin, &variants[v], cs[k], SPIN_TASKS, 0, 0);
      /* Not where workers are forked: a child forked while another thread
       * of its parent holds a lock (the allocator's, a sanitizer's) may
       * deadlock when it allocates or starts a thread of its own. The
       * trial process's own use is counted by the same RUSAGE_SELF for
       * every runner, shown by the others. */
      with_trial_thread = !variants[v].rn->forks_workers;
      /* rusage reports whole microseconds per thread and process: allow a
       * microsecond for each of them (a few hundred at most here). */
      least = (SPIN_TASKS * 2.0 * SPIN_US + (with_trial_thread ? COORD_SPIN_US : 0)) * 1e-6 -
              1e-3;
      trial(&cell, &t);
      with_trial_thread = 1;
      if (t.status != CB_ST_OK || t.failed != 0)
        print_error("[%s] %s\n", cbt_where, t.msg);
      CBT_CHECK_EQ(t.status, CB_ST_OK);
      CBT_CHECK_EQ(t.failed, 0);
      CBT_CHECK_EQ(t.verified, 1);
      if (t.user_s + t.sys_s < least)
        print_error("[%s] CPU %.6f s, at least %.6f s burnt\n", cbt_where, t.user_s + t.sys_s, least);
      CBT_CHECK(t.user_s + t.sys_s >= least);
    }
}

/* ---- memory: what each worker touches, counted once per worker ---------- */

enum { TOUCH_BYTES = 16 << 20 };

static int touch_open(const cb_params_t *p, void *state, void **worker)
{
  unsigned char *b = malloc(TOUCH_BYTES);

  (void)p;
  (void)state;
  if (b == NULL)
    return -ENOMEM;
  memset(b, 0x5a, TOUCH_BYTES);
  *worker = b;
  return 0;
}

static void touch_close(const cb_params_t *p, void *state, void *worker)
{
  (void)p;
  (void)state;
  free(worker);
}

static uint64_t touch_expect(const cb_task_t *t)
{
  return cb_task_seed(t->p->seed, t->index);
}

static int touch_run(const cb_task_t *t, uint64_t *checksum)
{
  const unsigned char *b = *t->worker;

  *checksum = b[t->index % TOUCH_BYTES] == 0x5a ? touch_expect(t) : 0;
  return 0;
}

static const cb_workload_t wl_touch = {
  .name = "test.touch", .description = "test only", .size_unit = "none",
  .run = touch_run, .expect = touch_expect, .worker_open = touch_open,
  .worker_close = touch_close,
};

/* Memory grows by what each worker touched (16 MiB), plus at most 1 MiB of
 * its own (a stack, a process's private pages), between c = 1 and c = 2;
 * and no runner is ever measured below serial. Below, a few pages of
 * accounting are allowed (`below`): the rest of two trial processes differ
 * by a few pages (an event loop's step is 16408 KiB as a rule; one CI run
 * under meson's parallel tests measured 16363). A worker left uncounted
 * would be 16 MiB short. */
static void test_memory_per_worker(void **state)
{
  const double per = TOUCH_BYTES / 1024.0, slack = 1024.0, below = 128.0;
  cb_cell_t cell;
  cb_trial_t t1, t2, ts;
  double slope;
  size_t v;

  (void)state;
  for (v = 0; v < nvariants && !is_runner(&variants[v], "serial"); v++)
    ;
  assert_true(v < nvariants);
  cell = make_cell(&wl_touch, &variants[v], 1, 8, 0, 0);
  trial(&cell, &ts);
  CBT_CHECK_EQ(ts.status, CB_ST_OK);
  CBT_CHECK((double)ts.maxrss_kb >= per);
  for (v = 0; v < nvariants; v++) {
    if (is_runner(&variants[v], "serial"))
      continue;
    cell = make_cell(&wl_touch, &variants[v], 1, 8, 0, 0);
    trial(&cell, &t1);
    cell = make_cell(&wl_touch, &variants[v], 2, 8, 0, 0);
    trial(&cell, &t2);
    CBT_CHECK_EQ(t1.status, CB_ST_OK);
    CBT_CHECK_EQ(t2.status, CB_ST_OK);
    CBT_CHECK_EQ(t1.failed + t2.failed, 0);
    CBT_CHECK(t1.maxrss_kb >= ts.maxrss_kb);
    CBT_CHECK(t2.maxrss_kb >= ts.maxrss_kb);
    if (t2.workers == t1.workers)
      continue; /* an event loop on one PU: one loop either way */
    slope = ((double)t2.maxrss_kb - (double)t1.maxrss_kb) / (t2.workers - t1.workers);
    if (slope < per - below || (!CB_SANITIZED && slope > per + slack))
      print_error("[%s] %.0f KiB per worker (%llu -> %llu KiB), %.0f touched\n", cbt_where, slope,
                  (unsigned long long)t1.maxrss_kb, (unsigned long long)t2.maxrss_kb, per);
    CBT_CHECK(slope >= per - below);
    CBT_CHECK(CB_SANITIZED || slope <= per + slack);
  }
}

/* ---- a wait that ends early is wrong ------------------------------------ */

#if CB_HAVE_LIBUV
typedef struct early_s {
  int called, err;
  uint64_t sum;
} early_t;

static void early_done(cb_async_t *a, int err, uint64_t checksum)
{
  early_t *e = a->runner_data;

  e->called++;
  e->err = err;
  e->sum = checksum;
}

static void early_closed(cb_async_t *a)
{
  (void)a;
}

/* The loop form of io.sleep, with its timer cut short after it was armed
 * (cut = 1) or left alone. */
static void wait_once(int cut, early_t *e)
{
  const cb_workload_t *wl = cb_workload_find("io.sleep");
  cb_params_t p = { .tasks = 1, .size = 300000, .seed = 3 };
  struct itimerspec soon = { { 0, 0 }, { 0, 1 } };
  cb__sleep_slot_t slot;
  uv_loop_t loop;
  cb_async_t a = { .loop = &loop, .params = &p, .index = 0, .done = early_done,
                   .slot = &slot, .runner_data = e };

  memset(&slot, 0, sizeof(slot));
  memset(e, 0, sizeof(*e));
  assert_int_equal(uv_loop_init(&loop), 0);
  assert_int_equal(wl->async_open(&a), 0);
  assert_int_equal(wl->async_start(&a), 0);
  if (cut)
    assert_int_equal(timerfd_settime(slot.tfd, 0, &soon, NULL), 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  wl->async_close(&a, early_closed);
  uv_run(&loop, UV_RUN_DEFAULT);
  assert_int_equal(uv_loop_close(&loop), 0);
}
#endif

static void test_early_wait_is_wrong(void **state)
{
  const cb_workload_t *wl = cb_workload_find("io.sleep");
  cb_params_t p = { .tasks = 1, .size = 300000, .seed = 3 };
  cb_task_t t = { .p = &p, .index = 0 };
  uint64_t sum = 0;

  (void)state;
  assert_non_null(wl);
  snprintf(cbt_where, sizeof(cbt_where), "io.sleep, blocking form");
  assert_int_equal(wl->run(&t, &sum), 0);
  assert_true(sum == wl->expect(&t));
#if CB_HAVE_LIBUV
  {
    early_t e;

    snprintf(cbt_where, sizeof(cbt_where), "io.sleep on a loop, whole wait");
    wait_once(0, &e);
    CBT_CHECK_EQ(e.called, 1);
    CBT_CHECK_EQ(e.err, 0);
    CBT_CHECK(e.sum == wl->expect(&t));
    snprintf(cbt_where, sizeof(cbt_where), "io.sleep on a loop, wait cut short");
    wait_once(1, &e);
    CBT_CHECK_EQ(e.called, 1);
    CBT_CHECK_EQ(e.err, 0);
    CBT_CHECK(e.sum != wl->expect(&t));
  }
#endif
}

/* ---- output bytes changed on the way back ------------------------------- */

static void fill_out(const cb_task_t *t)
{
  size_t i, n = (size_t)t->p->payload;

  for (i = 0; i < n; i++)
    t->out[i] = (unsigned char)(t->in[i] + t->index + i);
}

static uint64_t out_expect(const cb_task_t *t)
{
  fill_out(t);
  return cb_digest(t->out, (size_t)t->p->payload, t->index);
}

/* The task's own checksum is right; then the first task's first byte and
 * the last task's last byte change, as a transport that corrupts them would. */
static int corrupt_run(const cb_task_t *t, uint64_t *checksum)
{
  size_t n = (size_t)t->p->payload;

  *checksum = out_expect(t);
  if (t->index == 0)
    t->out[0] ^= 1;
  if (t->index == t->p->tasks - 1)
    t->out[n - 1] ^= 0x80;
  return 0;
}

static const cb_workload_t wl_corrupt = {
  .name = "test.corrupt-out", .description = "test only", .size_unit = "none",
  .run = corrupt_run, .expect = out_expect, .writes_out = 1,
};

static int clean_run(const cb_task_t *t, uint64_t *checksum)
{
  *checksum = out_expect(t);
  return 0;
}

static const cb_workload_t wl_clean_out = {
  .name = "test.clean-out", .description = "test only", .size_unit = "none",
  .run = clean_run, .expect = out_expect, .writes_out = 1,
};

static void test_corrupt_bytes_from_processes(void **state)
{
  static const uint64_t payloads[] = { 64, 100000 };
  size_t v, k;
  cb_trial_t t;

  (void)state;
  for (v = 0; v < nvariants; v++)
    for (k = 0; k < CB_ARRAY_SIZE(payloads); k++) {
      cb_cell_t cell = make_cell(&wl_clean_out, &variants[v], 2, 9, 0, payloads[k]);
      trial(&cell, &t);
      CBT_CHECK_EQ(t.status, CB_ST_OK);
      if (!is_runner(&variants[v], "processes"))
        continue; /* the bytes never left the process that made them */
      CBT_CHECK_EQ(t.failed, 0);
      cell = make_cell(&wl_corrupt, &variants[v], 2, 9, 0, payloads[k]);
      trial(&cell, &t);
      CBT_CHECK_EQ(t.status, CB_ST_WRONG);
      CBT_CHECK_EQ(t.wrong, 2);
      CBT_CHECK(strstr(t.msg, "output bytes arrived changed") != NULL);
    }
}

/* ---- the results array ------------------------------------------------------ */

/* Every page of a trial's result array is resident before any runner starts
 * its clock, so no task pays for the harness's page faults. */
static void test_results_resident(void **state)
{
  const uint64_t tasks = 100000; /* 6.4 MB: about 1600 pages */
  long page = sysconf(_SC_PAGESIZE);
  size_t len = tasks * sizeof(cb_task_result_t), npages = (len + (size_t)page - 1) / (size_t)page;
  unsigned char *vec = malloc(npages);
  cb_task_result_t *r = cb_results_map(tasks);
  size_t i, resident = 0;

  (void)state;
  assert_non_null(vec);
  assert_non_null(r);
  assert_int_equal(mincore(r, len, vec), 0);
  for (i = 0; i < npages; i++)
    resident += vec[i] & 1;
  assert_int_equal(resident, npages);
  for (i = 0; i < tasks; i++)
    assert_true(r[i].checksum == 0 && r[i].seen == 0 && r[i].err == 0);
  cb_results_unmap(r, tasks);
  free(vec);
}

/* Rss in KiB of the calling process's mapping that starts at `at`, from
 * /proc/self/smaps: the pages it has page table entries for. */
static long mapped_kb(const void *at)
{
  char line[512], start[32];
  FILE *f = fopen("/proc/self/smaps", "re");
  long kb = -1;
  int in = 0;

  assert_non_null(f);
  snprintf(start, sizeof(start), "%lx-", (unsigned long)(uintptr_t)at);
  while (fgets(line, sizeof(line), f) != NULL) {
    if (line[strspn(line, "0123456789abcdef")] == '-') /* a mapping's first line */
      in = strncmp(line, start, strlen(start)) == 0;
    else if (in && sscanf(line, "Rss: %ld kB", &kb) == 1)
      break;
  }
  fclose(f);
  return kb;
}

/* A forked worker inherits no page table entries of the shared result
 * array; cb_results_prefault maps them all before its clock starts (else
 * each first result of a page would fault inside the task phase, which
 * threads never do). The child reports its Rss before and after. */
static void test_results_prefault_in_a_fork(void **state)
{
  const uint64_t tasks = 100000;
  long want = (long)(tasks * sizeof(cb_task_result_t) / 1024), got[2];
  cb_task_result_t *r = cb_results_map(tasks);
  int fd[2], st;
  pid_t pid;

  (void)state;
  assert_non_null(r);
  assert_int_equal(pipe(fd), 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    got[0] = mapped_kb(r);
    cb_results_prefault(r, tasks);
    got[1] = mapped_kb(r);
    _exit(write(fd[1], got, sizeof(got)) == (ssize_t)sizeof(got) ? 0 : 1);
  }
  assert_int_equal(read(fd[0], got, sizeof(got)), (ssize_t)sizeof(got));
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  if (got[0] >= want)
    fail_msg("the fork had %ld KiB mapped before: nothing to test", got[0]);
  if (got[1] < want)
    fail_msg("mapped %ld KiB before, %ld after, of %ld", got[0], got[1], want);
  close(fd[0]);
  close(fd[1]);
  cb_results_unmap(r, tasks);
}

/* ---- setup --------------------------------------------------------------- */

static int group_setup(void **state)
{
  if (cbt_topo_setup(state) != 0)
    return -1;
  pus = cb_topo_pus(cbt_topo);
  nvariants = cbt_variants(variants, CBT_ARRAY_SIZE(variants));
  return 0;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cpu_counts_everyone),
    cmocka_unit_test(test_memory_per_worker),
    cmocka_unit_test(test_early_wait_is_wrong),
    cmocka_unit_test(test_corrupt_bytes_from_processes),
    cmocka_unit_test(test_results_resident),
    cmocka_unit_test(test_results_prefault_in_a_fork),
  };

  return cmocka_run_group_tests(tests, group_setup, cbt_topo_teardown);
}
