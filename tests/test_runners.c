/* Tests of the runners, called directly through their cb_runner_t with a
 * cb_exec_t filled in the way harness/trial.c fills it. The workloads here are
 * test-only (not in the registry): "test.record" counts, in memory shared
 * across fork, how often each task ran, how many tasks were in flight at
 * once, which worker slots were opened and closed and which kin the tasks
 * were given, and its checksum covers the payload bytes a task received. So
 * every runner can be checked for "each task exactly once, every result and
 * every payload byte delivered, never more than c in flight". Around every
 * run the test checks that nothing survives it: no child process, no fd, no
 * thread.
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

/* ---- checks that say which case failed ---------------------------------- */

/* ---- the test workloads -------------------------------------------------- */

enum { MODE_OK, MODE_WRONG, MODE_KILL, MODE_EXIT, MODE_KIN, MODE_BLAST };

#define BAD_INDEX 5u
#define WRONG_XOR UINT64_C(0x00ff00ff00ff00ff)
#define PINGPONGS 3u

/* What one event loop did, written only by its own thread (found by its
 * uv_loop_t) and read after the runner joined it. */
typedef struct rec_loop_s {
  void *_Atomic loop;
  unsigned opened, started, inflight, max_inflight;
} rec_loop_t;

#define MAX_LOOPS 64

/* Lives in one MAP_SHARED mapping, so processes workers write the same
 * counters as the coordinator reads. */
typedef struct rec_s {
  rec_loop_t loops[MAX_LOOPS];
  size_t len;
  uint64_t tasks;
  int mode;
  const cb_kin_t *_Atomic kin_seen;
  atomic_uint kin_null;
  atomic_uint inflight, max_inflight;
  atomic_uint async_opens, async_starts, async_closes, misuse;
  atomic_uint worker_opens, worker_closes;
  unsigned want;       /* MODE_BLAST: tasks in flight when task 0 kills its process */
  atomic_int killer;   /* MODE_BLAST: the process task 0 killed */
  atomic_uint count[];
} rec_t;

static int rec_setup(const cb_params_t *p, void **state, int mode)
{
  size_t len = sizeof(rec_t) + p->tasks * sizeof(atomic_uint);
  rec_t *r;

  r = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (r == MAP_FAILED)
    return -errno;
  r->len = len;
  r->tasks = p->tasks;
  r->mode = mode;
  *state = r;
  return 0;
}

static int setup_ok(const cb_params_t *p, void **s) { return rec_setup(p, s, MODE_OK); }
static int setup_wrong(const cb_params_t *p, void **s) { return rec_setup(p, s, MODE_WRONG); }
static int setup_kill(const cb_params_t *p, void **s) { return rec_setup(p, s, MODE_KILL); }
static int setup_exit(const cb_params_t *p, void **s) { return rec_setup(p, s, MODE_EXIT); }
static int setup_kin(const cb_params_t *p, void **s) { return rec_setup(p, s, MODE_KIN); }
static unsigned blast_want;
static int setup_blast(const cb_params_t *p, void **s)
{
  int rc = rec_setup(p, s, MODE_BLAST);

  if (rc == 0)
    ((rec_t *)*s)->want = blast_want;
  return rc;
}

static void rec_teardown(const cb_params_t *p, void *state)
{
  rec_t *r = state;

  (void)p;
  munmap(r, r->len);
}

/* A task's checksum covers its index and every byte of its payload input, so
 * a runner that hands over the wrong bytes is caught. */
static uint64_t rec_sum(const cb_params_t *p, uint64_t index, const unsigned char *in)
{
  uint64_t sum = cb_task_seed(p->seed, index);

  if (p->payload > 0)
    sum ^= cb_digest(in, (size_t)p->payload, index);
  return sum;
}

static uint64_t rec_expect(const cb_task_t *t)
{
  return rec_sum(t->p, t->index, t->in);
}

static uint64_t kin_expect(const cb_task_t *t)
{
  return rec_sum(t->p, t->index, t->in) + PINGPONGS;
}

static void rec_enter(rec_t *r)
{
  unsigned n = atomic_fetch_add(&r->inflight, 1) + 1;
  unsigned m = atomic_load(&r->max_inflight);

  while (n > m && !atomic_compare_exchange_weak(&r->max_inflight, &m, n))
    ;
}

/* The body of a task in either form: count it, then misbehave if asked. */
static uint64_t rec_finish(const cb_params_t *p, rec_t *r, uint64_t index,
                           const unsigned char *in, unsigned char *out)
{
  uint64_t sum = rec_sum(p, index, in);

  if (index >= r->tasks) {
    atomic_fetch_add(&r->misuse, 1);
    return 0;
  }
  if (p->payload > 0)
    memset(out, (int)(index & 0xff), (size_t)p->payload); /* all of the room is ours */
  atomic_fetch_add(&r->count[index], 1);
  if (index == BAD_INDEX) {
    switch (r->mode) {
    case MODE_WRONG:
      sum ^= WRONG_XOR;
      break;
    case MODE_KILL:
      raise(SIGKILL);
      break;
    case MODE_EXIT:
      _exit(7);
    default:
      break;
    }
  }
  atomic_fetch_sub(&r->inflight, 1);
  return sum;
}

/* MODE_BLAST: task 0 waits until `want` tasks are in flight (every slot of
 * every process busy), names its process and kills it; every other task
 * waits for that, and those of the killed process never return: they die
 * with it. So exactly the tasks the process held are lost. (Waits poll:
 * the test's tasks have no other way to wait across processes.) */
static void rec_blast(rec_t *r, uint64_t index)
{
  struct timespec ts = { 0, 200000 };

  if (index == 0) {
    while (atomic_load(&r->inflight) < r->want)
      nanosleep(&ts, NULL);
    atomic_store(&r->killer, (int)getpid());
    raise(SIGKILL);
  }
  while (atomic_load(&r->killer) == 0)
    nanosleep(&ts, NULL);
  while (atomic_load(&r->killer) == (int)getpid())
    nanosleep(&ts, NULL);
}

static int rec_run(const cb_task_t *t, uint64_t *checksum)
{
  rec_t *r = t->state;
  uint64_t token = 0;
  int err;

  rec_enter(r);
  atomic_store(&r->kin_seen, t->kin);
  if (t->kin == NULL)
    atomic_fetch_add(&r->kin_null, 1);
  /* worker_open gave every worker a slot of its own before its first task. */
  if (t->worker == NULL || *t->worker == NULL || **(unsigned **)t->worker != 0xc0ffee)
    atomic_fetch_add(&r->misuse, 1);
  if (r->mode == MODE_BLAST)
    rec_blast(r, t->index);
  if (r->mode == MODE_KIN) {
    if (t->kin == NULL)
      return -ENOTSUP;
    err = t->kin->spawn();
    if (err == 0)
      err = t->kin->pingpong(PINGPONGS, &token);
    if (err != 0)
      return err;
  }
  *checksum = rec_finish(t->p, r, t->index, t->in, t->out) + token;
  return 0;
}

static int rec_worker_open(const cb_params_t *p, void *state, void **worker)
{
  rec_t *r = state;
  unsigned *w = malloc(sizeof(*w));

  (void)p;
  if (w == NULL)
    return -ENOMEM;
  if (*worker != NULL)
    atomic_fetch_add(&r->misuse, 1);
  *w = 0xc0ffee;
  *worker = w;
  atomic_fetch_add(&r->worker_opens, 1);
  return 0;
}

static void rec_worker_close(const cb_params_t *p, void *state, void *worker)
{
  rec_t *r = state;

  (void)p;
  if (worker == NULL || *(unsigned *)worker != 0xc0ffee)
    atomic_fetch_add(&r->misuse, 1);
  free(worker);
  atomic_fetch_add(&r->worker_closes, 1);
}

#if CB_HAVE_LIBUV
static rec_loop_t *rec_loop(rec_t *r, void *loop)
{
  unsigned i;
  void *cur;

  for (i = 0; i < MAX_LOOPS; i++) {
    cur = NULL;
    if (atomic_compare_exchange_strong(&r->loops[i].loop, &cur, loop) || cur == loop)
      return &r->loops[i];
  }
  abort();
}

/* Asynchronous form: a 0 ms uv_timer per slot; the checksum is delivered from
 * the timer's callback, never from async_start. */
typedef struct rec_slot_s {
  uv_timer_t timer;
  void (*closed)(cb_async_t *a);
  int busy;
} rec_slot_t;

static int rec_open(cb_async_t *a)
{
  rec_slot_t *s = a->slot;
  rec_t *r = a->state;
  const unsigned char *b = a->slot;
  size_t i;

  for (i = 0; i < sizeof(*s); i++) {
    if (b[i] != 0)
      atomic_fetch_add(&r->misuse, 1); /* the slot must come zeroed */
  }
  atomic_fetch_add(&r->async_opens, 1);
  rec_loop(r, a->loop)->opened++;
  s->timer.data = a;
  return uv_timer_init(a->loop, &s->timer);
}

static void rec_timer_cb(uv_timer_t *t)
{
  cb_async_t *a = t->data;
  rec_slot_t *s = a->slot;
  uint64_t sum;

  s->busy = 0;
  rec_loop(a->state, a->loop)->inflight--;
  sum = rec_finish(a->params, a->state, a->index, a->in, a->out);
  a->done(a, 0, sum);
}

static int rec_start(cb_async_t *a)
{
  rec_slot_t *s = a->slot;
  rec_t *r = a->state;
  rec_loop_t *l = rec_loop(r, a->loop);

  if (++l->inflight > l->max_inflight)
    l->max_inflight = l->inflight;
  l->started++;
  if (s->busy)
    atomic_fetch_add(&r->misuse, 1); /* a slot holds one task at a time */
  s->busy = 1;
  atomic_fetch_add(&r->async_starts, 1);
  rec_enter(r);
  s->timer.data = a;
  return uv_timer_start(&s->timer, rec_timer_cb, 0, 0);
}

static void rec_handle_closed(uv_handle_t *h)
{
  cb_async_t *a = h->data;
  rec_slot_t *s = a->slot;
  rec_t *r = a->state;

  atomic_fetch_add(&r->async_closes, 1);
  s->closed(a);
}

static void rec_close(cb_async_t *a, void (*closed)(cb_async_t *a))
{
  rec_slot_t *s = a->slot;

  s->closed = closed;
  uv_close((uv_handle_t *)&s->timer, rec_handle_closed);
}

#define REC_ASYNC                                                             \
  .async_slot_size = sizeof(rec_slot_t), .async_open = rec_open,               \
  .async_start = rec_start, .async_close = rec_close,
#else
#define REC_ASYNC
#endif

#define REC_COMMON                                                            \
  .description = "test only", .size_unit = "none", .default_size = 0,          \
  .default_tasks = 10, .teardown = rec_teardown, .run = rec_run,               \
  .worker_open = rec_worker_open, .worker_close = rec_worker_close,

static const cb_workload_t wl_record = {
  .name = "test.record", .setup = setup_ok, .expect = rec_expect, REC_COMMON REC_ASYNC
};
static const cb_workload_t wl_record_inline = {
  .name = "test.record-inline", .setup = setup_ok, .expect = rec_expect, REC_COMMON
};
static const cb_workload_t wl_wrong = {
  .name = "test.wrong", .setup = setup_wrong, .expect = rec_expect, REC_COMMON REC_ASYNC
};
static const cb_workload_t wl_wrong_inline = {
  .name = "test.wrong-inline", .setup = setup_wrong, .expect = rec_expect, REC_COMMON
};
static const cb_workload_t wl_kill = {
  .name = "test.kill", .setup = setup_kill, .expect = rec_expect, REC_COMMON
};
static const cb_workload_t wl_exit = {
  .name = "test.exit", .setup = setup_exit, .expect = rec_expect, REC_COMMON
};
static const cb_workload_t wl_blast = {
  .name = "test.blast", .setup = setup_blast, .expect = rec_expect, REC_COMMON
};
static const cb_workload_t wl_kin = {
  .name = "test.kin", .setup = setup_kin, .expect = kin_expect, REC_COMMON
};

/* ---- running one cell ---------------------------------------------------- */

static unsigned pus;
static char scratch[] = "/tmp/cb-test-runners-XXXXXX";

#define PIN_NO_PLAN (-1)
#if CB_HAVE_HWLOC
#define PIN_BOUND CB_PIN_COMPACT
#else
#define PIN_BOUND CB_PIN_NONE
#endif

static int count_entries(const char *dir)
{
  struct dirent *e;
  DIR *d = opendir(dir);
  int n = 0;

  assert_non_null(d);
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] != '.')
      n++;
  }
  closedir(d);
  return n;
}

/* A joined thread may linger in /proc for a moment after pthread_join; wait
 * for it to go (bounded, not a performance threshold). */
static int settled_threads(int want)
{
  struct timespec ts = { 0, 1000000 };
  int n = count_entries("/proc/self/task"), i;

  for (i = 0; i < 2000 && n != want; i++) {
    nanosleep(&ts, NULL);
    n = count_entries("/proc/self/task");
  }
  return n;
}

static cbt_variant_t variants[64];
static size_t nvariants;

typedef struct run_s {
  const cb_runner_t *rn;
  const cb_workload_t *wl;
  cb_params_t params;
  cb_exec_t x;
  cb_plan_t plan;
  unsigned char *in;
  void *state;
  int rc;
} run_t;

/* Set up `wl`, run it under `rn` and check that the run left nothing behind.
 * The state stays for the caller to inspect until run_end. */
/* The processes a hybrid is asked for (x.procs); 0: one per PU. */
static unsigned run_procs;

static void run_cell(run_t *r, const cbt_variant_t *v, const cb_workload_t *wl,
                     uint64_t tasks, uint64_t size, uint64_t payload, unsigned c, int pin)
{
  const cb_runner_t *rn = v->rn;
  cpu_set_t aff;
  int fds0, thr0;

  memset(r, 0, sizeof(*r));
  r->rn = rn;
  r->wl = wl;
  r->params = (cb_params_t){ .tasks = tasks, .size = size, .payload = payload,
                             .seed = 0x1234 + tasks + c, .scratch = scratch };
  snprintf(cbt_where, sizeof(cbt_where), "%s under %s/%s/%s, P=%u, c=%u, tasks=%llu, size=%llu, payload=%llu, "
           "pin=%s", wl->name, rn->name, v->dispatch, v->transport, run_procs, c, (unsigned long long)tasks,
           (unsigned long long)size,
           (unsigned long long)payload,
           pin == PIN_NO_PLAN ? "(no plan)" : cb_pin_name((cb_pin_policy_t)pin));

  r->x.wl = wl;
  r->x.dispatch = v->dispatch;
  r->x.transport = v->transport;
  r->x.params = &r->params;
  r->x.concurrency = c;
  r->x.pus = pus;
  r->x.procs = run_procs > 0 ? run_procs : pus;
  r->x.results = cb_results_map(tasks);
  assert_non_null(r->x.results);
  if (payload > 0) {
    r->in = malloc((size_t)payload);
    assert_non_null(r->in);
    cb_payload_fill(&r->params, r->in);
    r->x.in = r->in;
  }
  if (pin != PIN_NO_PLAN) {
    CBT_CHECK_EQ(cb_plan_compute(cbt_topo, (cb_pin_policy_t)pin, rn->workers(c, pus, r->x.procs),
                                 &r->plan), 0);
    r->x.plan = &r->plan;
  }
  if (wl->setup != NULL)
    CBT_CHECK_EQ(wl->setup(&r->params, &r->state), 0);
  r->x.state = r->state;

  CBT_CHECK(cbt_no_children());
  fds0 = count_entries("/proc/self/fd");
  thr0 = count_entries("/proc/self/task");
  /* The serial runner binds the calling thread; later cases must not inherit it. */
  assert_int_equal(sched_getaffinity(0, sizeof(aff), &aff), 0);

  r->rc = rn->run(&r->x);

  assert_int_equal(sched_setaffinity(0, sizeof(aff), &aff), 0);
  CBT_CHECK(cbt_no_children());
  CBT_CHECK_EQ(count_entries("/proc/self/fd"), fds0);
  CBT_CHECK_EQ(settled_threads(thr0), thr0);
}

static void run_end(run_t *r)
{
  if (r->wl->teardown != NULL)
    r->wl->teardown(&r->params, r->state);
  if (r->x.plan != NULL)
    cb_plan_free(&r->plan);
  free(r->in);
  cb_results_unmap(r->x.results, r->params.tasks);
}

/* The checksum task `index` must bring back, computed as the trial does. */
static uint64_t expect_of(const run_t *r, uint64_t index)
{
  unsigned char *room = r->params.payload > 0 ? malloc((size_t)r->params.payload) : NULL;
  cb_task_t t = { .p = &r->params, .index = index, .in = r->in, .out = room };
  uint64_t e = r->wl->expect(&t);

  free(room);
  return e;
}

/* The clock covers every task: a task's latency runs from the moment a
 * worker took it to the moment its result was visible, both inside the
 * clocked task phase, so none is longer than the wall time. (Their sum is
 * not bounded by c times the wall time: a process pool's worker takes its
 * next task while its last result still waits to be read.) */
static void check_clock_covers_tasks(const run_t *r)
{
  uint64_t i, max = 0;

  for (i = 0; i < r->params.tasks; i++) {
    if (r->x.results[i].seen > 0 && r->x.results[i].lat_ns > max)
      max = r->x.results[i].lat_ns;
  }
  if (r->x.wall_ns < max)
    print_error("[%s] wall %llu ns, longest task %llu ns\n", cbt_where,
                (unsigned long long)r->x.wall_ns, (unsigned long long)max);
  CBT_CHECK(r->x.wall_ns > 0);
  CBT_CHECK(r->x.wall_ns >= max);
}

static int is_runner(const cb_runner_t *rn, const char *name)
{
  return strcmp(rn->name, name) == 0;
}

/* Every task ran once and came back once with its own checksum; every
 * worker that runs blocking tasks opened its workload slot once and closed it. */
static void check_all_once(run_t *r)
{
  rec_t *s = r->state;
  uint64_t i, e;

  CBT_CHECK_EQ(r->rc, 0);
  CBT_CHECK_EQ(r->x.msg[0], '\0');
  CBT_CHECK_EQ(r->x.failed, 0);
  if (run_procs == 0)
    CBT_CHECK_EQ(r->x.workers, cbt_expected_workers(r->rn, r->x.concurrency, pus));
  CBT_CHECK_EQ(r->x.workers, r->rn->workers(r->x.concurrency, pus, r->x.procs));
  check_clock_covers_tasks(r);
  CBT_CHECK_EQ(atomic_load(&s->misuse), 0);
  for (i = 0; i < r->params.tasks; i++) {
    e = expect_of(r, i);
    if (atomic_load(&s->count[i]) != 1 || r->x.results[i].seen != 1 ||
        r->x.results[i].err != 0 || r->x.results[i].checksum != e)
      print_error("[%s] task %llu\n", cbt_where, (unsigned long long)i);
    CBT_CHECK_EQ(atomic_load(&s->count[i]), 1);
    CBT_CHECK_EQ(r->x.results[i].seen, 1);
    CBT_CHECK_EQ(r->x.results[i].err, 0);
    CBT_CHECK_EQ(r->x.results[i].checksum, e);
  }
  if (r->rn->async_form && r->wl->async_start != NULL)
    CBT_CHECK_EQ(atomic_load(&s->worker_opens), 0);
  else
    CBT_CHECK_EQ(atomic_load(&s->worker_opens), r->x.workers);
  CBT_CHECK_EQ(atomic_load(&s->worker_closes), atomic_load(&s->worker_opens));
  /* Blocking tasks get the runner's kin (none from the event loop). */
  if (atomic_load(&s->async_starts) < r->params.tasks) {
    CBT_CHECK(atomic_load(&s->kin_seen) == r->rn->kin);
    if (r->rn->kin == NULL)
      CBT_CHECK_EQ(atomic_load(&s->kin_null), r->params.tasks);
  }
}

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

/* ---- tests --------------------------------------------------------------- */

static void *nothing(void *arg)
{
  return arg;
}

static int group_setup(void **state)
{
  pthread_t tid;

  /* ThreadSanitizer starts a helper thread at the first pthread_create;
   * start it now so that it does not count as a thread left by a runner. */
  if (pthread_create(&tid, NULL, nothing, NULL) != 0 || pthread_join(tid, NULL) != 0)
    return -1;
  if (!cbt_no_children())
    return -1; /* the leak checks below need a process without children */
  if (cbt_topo_setup(state) != 0)
    return -1;
  nvariants = cbt_variants(variants, CBT_ARRAY_SIZE(variants));
  pus = cb_topo_pus(cbt_topo);
  if (mkdtemp(scratch) == NULL)
    return -1;
#if CB_HAVE_LIBUV
  {
    /* libuv opens process-wide fds once (its signal lock pipe) at the first
     * uv_loop_init; open them now so that they do not count as a leak. */
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0)
      return -1;
    uv_loop_close(&loop);
  }
#endif
  return 0;
}

static int group_teardown(void **state)
{
  cbt_topo_teardown(state);
  /* fails if a workload left a file behind */
  return rmdir(scratch) == 0 ? 0 : -1;
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
      CBT_CHECK_EQ(cb_runners[i]->workers(cs[k], pus, pus),
                   cbt_expected_workers(cb_runners[i], cs[k], pus));
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
  const cb_workload_t *wls[] = { &wl_record, &wl_record_inline };
  size_t i, ci, ti, pi, wi;
  run_t r;

  (void)state;
  for (i = 0; i < nvariants; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++)
        for (ti = 0; ti < CB_ARRAY_SIZE(ntasks); ti++)
          for (pi = 0; pi < CB_ARRAY_SIZE(pins); pi++) {
            const cb_runner_t *rn = variants[i].rn;
            unsigned c = cs[ci];
            rec_t *s;

            run_cell(&r, &variants[i], wls[wi], ntasks[ti], 0, 0, c, pins[pi]);
            s = r.state;
            check_all_once(&r);
            /* Never more than c tasks in flight; serial has exactly one. */
            CBT_CHECK(atomic_load(&s->max_inflight) <= c);
            CBT_CHECK(atomic_load(&s->max_inflight) >= 1);
            if (is_runner(rn, "serial"))
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
            run_end(&r);
          }
}

static void test_payloads(void **state)
{
  static const uint64_t payloads[] = { 1, 100, 4097, 200000 };
  static const unsigned cs[] = { 1, 3 };
  const cb_workload_t *wls[] = { &wl_record, &wl_record_inline };
  size_t i, ci, pi, wi;
  run_t r;

  (void)state;
  for (i = 0; i < nvariants; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++)
        for (pi = 0; pi < CB_ARRAY_SIZE(payloads); pi++) {
          run_cell(&r, &variants[i], wls[wi], 20, 0, payloads[pi], cs[ci], CB_PIN_NONE);
          check_all_once(&r);
          run_end(&r);
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
  for (i = 0; i < nvariants; i++) {
    const cb_runner_t *rn = variants[i].rn;
    if (rn->kin == NULL) {
      snprintf(cbt_where, sizeof(cbt_where), "%s", rn->name);
      CBT_CHECK(rn->async_form);
      continue;
    }
    CBT_CHECK(rn->kin->spawn != NULL && rn->kin->pingpong != NULL);
    for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
      run_cell(&r, &variants[i], &wl_kin, 20, 0, 0, cs[ci], CB_PIN_NONE);
      check_all_once(&r);
      run_end(&r);
    }
  }
}

/* A wrong checksum comes back as it is: the runner does not judge it. */
static void test_wrong_checksum_comes_back(void **state)
{
  static const unsigned cs[] = { 1, 3 };
  const cb_workload_t *wls[] = { &wl_wrong, &wl_wrong_inline };
  size_t i, ci, wi;
  uint64_t k;
  run_t r;

  (void)state;
  for (i = 0; i < nvariants; i++)
    for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
        rec_t *s;

        run_cell(&r, &variants[i], wls[wi], 12, 0, 0, cs[ci], CB_PIN_NONE);
        s = r.state;
        CBT_CHECK_EQ(r.rc, 0);
        CBT_CHECK_EQ(r.x.failed, 0);
        for (k = 0; k < r.params.tasks; k++) {
          uint64_t want = expect_of(&r, k) ^ (k == BAD_INDEX ? WRONG_XOR : 0);
          CBT_CHECK_EQ(atomic_load(&s->count[k]), 1);
          CBT_CHECK_EQ(r.x.results[k].seen, 1);
          CBT_CHECK_EQ(r.x.results[k].err, 0);
          CBT_CHECK_EQ(r.x.results[k].checksum, want);
        }
        run_end(&r);
      }
}

/* A worker process that dies in task 5 costs that task only: the pool
 * replaces it and every other task comes back. */
static void test_processes_survive_dead_worker(void **state)
{
  static const unsigned cs[] = { 1, 2, 3, 16 };
  static const uint64_t ntasks[] = { 6, 20, 200 };
  static const uint64_t payloads[] = { 0, 3000 };
  const cb_workload_t *wls[] = { &wl_kill, &wl_exit };
  size_t ci, ti, wi, vi, pi;
  uint64_t k;
  run_t r;

  (void)state;
  for (vi = 0; vi < nvariants; vi++)
  for (pi = 0; pi < CB_ARRAY_SIZE(payloads); pi++)
  for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
    for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++)
      for (ti = 0; ti < CB_ARRAY_SIZE(ntasks); ti++) {
        rec_t *s;

        if (!is_runner(variants[vi].rn, "processes"))
          continue;
        run_cell(&r, &variants[vi], wls[wi], ntasks[ti], 0, payloads[pi], cs[ci], CB_PIN_NONE);
        s = r.state;
        CBT_CHECK_EQ(r.rc, 0);
        CBT_CHECK_EQ(r.x.failed, 1);
        CBT_CHECK_EQ(r.x.workers, cs[ci]);
        check_clock_covers_tasks(&r);
        CBT_CHECK_EQ(r.x.results[BAD_INDEX].err, -ECHILD);
        CBT_CHECK_EQ(r.x.results[BAD_INDEX].seen, 0);
        for (k = 0; k < r.params.tasks; k++) {
          CBT_CHECK_EQ(atomic_load(&s->count[k]), 1);
          if (k == BAD_INDEX)
            continue;
          CBT_CHECK_EQ(r.x.results[k].seen, 1);
          CBT_CHECK_EQ(r.x.results[k].err, 0);
          CBT_CHECK_EQ(r.x.results[k].checksum, expect_of(&r, k));
        }
        /* every worker but the dead one closed its slot; the dead one was
         * replaced at most once (not at all when no task was left) */
        CBT_CHECK_EQ(atomic_load(&s->worker_opens), atomic_load(&s->worker_closes) + 1);
        CBT_CHECK(atomic_load(&s->worker_opens) >= cs[ci]);
        CBT_CHECK(atomic_load(&s->worker_opens) <= cs[ci] + 1);
        CBT_CHECK_EQ(atomic_load(&s->misuse), 0);
        run_end(&r);
      }
}

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
    for (i = 0; i < nvariants; i++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
        run_cell(&r, &variants[i], wl, 24, cases[k].size, 0, cs[ci], PIN_BOUND);
        CBT_CHECK_EQ(r.rc, 0);
        CBT_CHECK_EQ(r.x.msg[0], '\0');
        CBT_CHECK_EQ(r.x.failed, 0);
        CBT_CHECK_EQ(r.x.workers, cbt_expected_workers(variants[i].rn, cs[ci], pus));
        check_clock_covers_tasks(&r);
        for (t = 0; t < r.params.tasks; t++) {
          CBT_CHECK_EQ(r.x.results[t].seen, 1);
          CBT_CHECK_EQ(r.x.results[t].err, 0);
          CBT_CHECK_EQ(r.x.results[t].checksum, expect_of(&r, t));
          /* A sleep never ends early, under any runner. */
          if (cases[k].sleeps)
            CBT_CHECK(r.x.results[t].lat_ns >= cases[k].size * 1000u);
        }
        run_end(&r);
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
  for (i = 0; i < nvariants; i++)
    for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++)
      for (si = 0; si < CB_ARRAY_SIZE(sizes); si++) {
        const cb_runner_t *rn = variants[i].rn;
        unsigned c = cs[ci];
        uint64_t k = 2, tasks = k * c + 1, waves = is_runner(rn, "serial") ? tasks : k + 1;
        uint64_t bound = waves * sizes[si] * 1000u;

        if (is_runner(rn, "serial") && c > 2)
          continue; /* c means nothing to it; two are enough */
        run_cell(&r, &variants[i], wl, tasks, sizes[si], 0, c, PIN_BOUND);
        CBT_CHECK_EQ(r.rc, 0);
        CBT_CHECK_EQ(r.x.failed, 0);
        if (r.x.wall_ns < bound)
          print_error("[%s] wall %llu ns < %llu waits of %llu us\n", cbt_where,
                      (unsigned long long)r.x.wall_ns, (unsigned long long)waves,
                      (unsigned long long)sizes[si]);
        CBT_CHECK(r.x.wall_ns >= bound);
        check_clock_covers_tasks(&r);
        for (t = 0; t < tasks; t++) {
          CBT_CHECK_EQ(r.x.results[t].seen, 1);
          CBT_CHECK_EQ(r.x.results[t].checksum, expect_of(&r, t));
          CBT_CHECK(r.x.results[t].lat_ns >= sizes[si] * 1000u);
        }
        run_end(&r);
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
  const cb_workload_t *wls[] = { &wl_record, &wl_record_inline };
  size_t i, pi, ci, wi, yi;
  unsigned per, n;
  run_t r;

  (void)state;
  for (i = 0; i < nvariants; i++)
    for (pi = 0; pi < CB_ARRAY_SIZE(ps); pi++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++)
        for (wi = 0; wi < CB_ARRAY_SIZE(wls); wi++)
          for (yi = 0; yi < CB_ARRAY_SIZE(payloads); yi++) {
            const cb_runner_t *rn = variants[i].rn;
            unsigned c = cs[ci];
            rec_t *s;

            if (!rn->takes_procs)
              continue;
            run_procs = ps[pi];
            run_cell(&r, &variants[i], wls[wi], 60, 0, payloads[yi], c, PIN_BOUND);
            s = r.state;
            check_all_once(&r);
            n = cb_procs_split(c, ps[pi], pus, &per);
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
            run_end(&r);
            run_procs = 0;
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
  for (i = 0; i < nvariants; i++)
    for (k = 0; k < CB_ARRAY_SIZE(cases); k++) {
      const cb_runner_t *rn = variants[i].rn;
      rec_t *s;

      if (!rn->takes_procs)
        continue;
      n = cb_procs_split(cases[k].c, cases[k].p, pus, &per);
      last = cases[k].c - (n - 1) * per;
      blast_want = rn->async_form ? n : cases[k].c; /* wl_blast has no async form */
      run_procs = cases[k].p;
      run_cell(&r, &variants[i], &wl_blast, 40, 0, 0, cases[k].c, CB_PIN_NONE);
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
        CBT_CHECK_EQ(r.x.results[t].checksum, expect_of(&r, t));
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
      run_end(&r);
      run_procs = 0;
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
  run_cell(&r, &v, wl, 3000, size, 0, 1000, PIN_BOUND);
  CBT_CHECK_EQ(r.rc, 0);
  CBT_CHECK_EQ(r.x.failed, 0);
  CBT_CHECK_EQ(r.x.workers, 1);
  CBT_CHECK_EQ(r.x.inflight, 1000);
  CBT_CHECK_EQ(r.x.inline_tasks, 0);
  CBT_CHECK_EQ(r.x.nprocs, 1);
  CBT_CHECK_EQ(r.x.per_proc, 1000);
  CBT_CHECK(r.x.wall_ns >= 3 * size * 1000u);
  check_clock_covers_tasks(&r);
  for (t = 0; t < r.params.tasks; t++) {
    CBT_CHECK_EQ(r.x.results[t].seen, 1);
    CBT_CHECK_EQ(r.x.results[t].err, 0);
    CBT_CHECK_EQ(r.x.results[t].checksum, expect_of(&r, t));
    CBT_CHECK(r.x.results[t].lat_ns >= size * 1000u);
  }
  run_end(&r);
#else
  (void)state;
  skip();
#endif
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
    cmocka_unit_test(test_registry_workloads),
    cmocka_unit_test(test_clock_lower_bound),
    cmocka_unit_test(test_hybrid_splits),
    cmocka_unit_test(test_hybrid_dead_process),
    cmocka_unit_test(test_loop1_thousand),
  };

  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
