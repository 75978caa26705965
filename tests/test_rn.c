/* The runner tests' test-only workloads and how they run one cell
 * (test_rn.h), written once so that each test_runners*.c holds only what it
 * checks. */
#include "test_rn.h"

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

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

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

unsigned rn_blast_want;

static int setup_blast(const cb_params_t *p, void **s)
{
  int rc = rec_setup(p, s, MODE_BLAST);

  if (rc == 0)
    ((rec_t *)*s)->want = rn_blast_want;
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

const cb_workload_t rn_wl_record = {
  .name = "test.record", .setup = setup_ok, .expect = rec_expect, REC_COMMON REC_ASYNC
};

const cb_workload_t rn_wl_record_inline = {
  .name = "test.record-inline", .setup = setup_ok, .expect = rec_expect, REC_COMMON
};

const cb_workload_t rn_wl_wrong = {
  .name = "test.wrong", .setup = setup_wrong, .expect = rec_expect, REC_COMMON REC_ASYNC
};

const cb_workload_t rn_wl_wrong_inline = {
  .name = "test.wrong-inline", .setup = setup_wrong, .expect = rec_expect, REC_COMMON
};

const cb_workload_t rn_wl_kill = {
  .name = "test.kill", .setup = setup_kill, .expect = rec_expect, REC_COMMON
};

const cb_workload_t rn_wl_exit = {
  .name = "test.exit", .setup = setup_exit, .expect = rec_expect, REC_COMMON
};

const cb_workload_t rn_wl_blast = {
  .name = "test.blast", .setup = setup_blast, .expect = rec_expect, REC_COMMON
};

const cb_workload_t rn_wl_kin = {
  .name = "test.kin", .setup = setup_kin, .expect = kin_expect, REC_COMMON
};

unsigned rn_pus;

static char scratch[] = "/tmp/cb-test-runners-XXXXXX";

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

cbt_variant_t rn_variants[64];

size_t rn_nvariants;

/* Set up `wl`, run it under `rn` and check that the run left nothing behind.
 * The state stays for the caller to inspect until run_end. */
/* The processes a hybrid is asked for (x.procs); 0: one per PU. */
unsigned rn_run_procs;

void rn_run_cell(run_t *r, const cbt_variant_t *v, const cb_workload_t *wl,
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
           "pin=%s", wl->name, rn->name, v->dispatch, v->transport, rn_run_procs, c, (unsigned long long)tasks,
           (unsigned long long)size,
           (unsigned long long)payload,
           pin == PIN_NO_PLAN ? "(no plan)" : cb_pin_name((cb_pin_policy_t)pin));

  r->x.wl = wl;
  r->x.dispatch = v->dispatch;
  r->x.transport = v->transport;
  r->x.params = &r->params;
  r->x.concurrency = c;
  r->x.pus = rn_pus;
  r->x.procs = rn_run_procs > 0 ? rn_run_procs : rn_pus;
  r->x.results = cb_results_map(tasks);
  assert_non_null(r->x.results);
  if (payload > 0) {
    r->in = malloc((size_t)payload);
    assert_non_null(r->in);
    cb_payload_fill(&r->params, r->in);
    r->x.in = r->in;
  }
  if (pin != PIN_NO_PLAN) {
    CBT_CHECK_EQ(cb_plan_compute(cbt_topo, (cb_pin_policy_t)pin, rn->workers(c, rn_pus, r->x.procs),
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

void rn_run_end(run_t *r)
{
  if (r->wl->teardown != NULL)
    r->wl->teardown(&r->params, r->state);
  if (r->x.plan != NULL)
    cb_plan_free(&r->plan);
  free(r->in);
  cb_results_unmap(r->x.results, r->params.tasks);
}

/* The checksum task `index` must bring back, computed as the trial does. */
uint64_t rn_expect_of(const run_t *r, uint64_t index)
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
void rn_check_clock_covers_tasks(const run_t *r)
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

int rn_is_runner(const cb_runner_t *rn, const char *name)
{
  return strcmp(rn->name, name) == 0;
}

/* Every task ran once and came back once with its own checksum; every
 * worker that runs blocking tasks opened its workload slot once and closed it. */
void rn_check_all_once(run_t *r)
{
  rec_t *s = r->state;
  uint64_t i, e;

  CBT_CHECK_EQ(r->rc, 0);
  CBT_CHECK_EQ(r->x.msg[0], '\0');
  CBT_CHECK_EQ(r->x.failed, 0);
  if (rn_run_procs == 0)
    CBT_CHECK_EQ(r->x.workers, cbt_expected_workers(r->rn, r->x.concurrency, rn_pus));
  CBT_CHECK_EQ(r->x.workers, r->rn->workers(r->x.concurrency, rn_pus, r->x.procs));
  rn_check_clock_covers_tasks(r);
  CBT_CHECK_EQ(atomic_load(&s->misuse), 0);
  for (i = 0; i < r->params.tasks; i++) {
    e = rn_expect_of(r, i);
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

static void *nothing(void *arg)
{
  return arg;
}

int rn_group_setup(void **state)
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
  rn_nvariants = cbt_variants(rn_variants, CBT_ARRAY_SIZE(rn_variants));
  rn_pus = cb_topo_pus(cbt_topo);
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

int rn_group_teardown(void **state)
{
  cbt_topo_teardown(state);
  /* fails if a workload left a file behind */
  return rmdir(scratch) == 0 ? 0 : -1;
}
