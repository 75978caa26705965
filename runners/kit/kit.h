/* The runner kit: what a runner is composed from, so that runners differ
 * only in their concurrency model. Public to runners, below them; the
 * harness sees include/runner.h only. exec.c holds the one method for CPU
 * time and memory, worker entry and exit, and the start barrier; kin.c the
 * threads' and processes' kin; fd.c the descriptor helpers; tpool.c a thread
 * pool; fpool.c, fchan.c and fwork.c a fork pool; uvloop.c the libuv loop
 * driver.
 *
 * How a hybrid composes (issue 15): P processes holding T tasks each is
 * cb__fpool_run(x, &body, P, T), with c = P * T tasks in flight.
 * - Processes of threads (x->workers = P * T: process i owns plan indexes
 *   i*T .. i*T+T-1): body.enter starts a thread pool in the child,
 *   cb__tpool_start(tp, x, &tbody, k, T, k->id * T, 0) (measure 0: the
 *   fork pool measures), whose threads cb__worker_enter with the threads'
 *   kin at their own plan index (t->worker) and so are pinned; body.work is
 *   cb__tpool_release + cb__tpool_finish (threads alive at the end barrier,
 *   as memory wants); body.leave is cb__tpool_stop. Thread j takes and gives
 *   through slot j: cb__fpool_take(k, t->id, ...), run on &t->w,
 *   cb__fpool_give(k, t->id, ...). A crash of the process loses exactly
 *   the tasks its T slots held; every dispatch mode and transport works (a
 *   process's T slots share its pipes under k->lock). One GIL per process
 *   comes for free: each child has its own copy of the GIL.
 * - Processes of loops (x->workers = P, one loop thread at plan index i):
 *   body.enter is cb__loops_start(lp, x, 1, T, k->id, 0,
 *   cb__fpool_counter(k)): one loop per process with T slots, taking from
 *   the pool's shared counter, results in place (shared dispatch, no
 *   payload crossing); body.work releases it, finishes and passes the loop's
 *   last result to cb__fpool_mark_end (run by cb__fpool_run_hybrid with
 *   inplace: no payload crosses the pool); a crashed process's in-flight tasks
 *   are counted failed at the end of the trial.
 * Results always land in x->results (a shared mapping); start-up, the
 * clock, CPU time (forked workers' start-up set apart) and reaping stay the
 * fork pool's, so a hybrid keeps runner.h's rules without code of its own. */
#ifndef CB_KIT_H
#define CB_KIT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "runner.h"

/* The start barrier of in-process workers: each worker arrives and waits;
 * the coordinator waits for all of them, reads the clock and releases them,
 * so the clock starts before the first task can. `lock` guards the rest. */
typedef struct cb__gate_s {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  unsigned ready;
  int go, abort;
} cb__gate_t;
void cb__gate_init(cb__gate_t *g);
void cb__gate_destroy(cb__gate_t *g);
/* Worker side: 0 to start work, 1 when the trial was abandoned. */
int cb__gate_wait(cb__gate_t *g);
/* Worker side: give up before arriving (the coordinator stops waiting). */
void cb__gate_abort(cb__gate_t *g);
/* Coordinator side: wait for n arrivals (or an abort), release, return the
 * instant of release. `abort` abandons the trial instead. */
uint64_t cb__gate_release(cb__gate_t *g, unsigned n, int abort);
/* 1 when some worker gave up. */
int cb__gate_aborted(cb__gate_t *g);

/* Only the runner's barrier code may split a release in two: wait for n
 * arrivals (or an abort; 1 then), do what must happen while every worker
 * waits, then open the gate. */
int cb__gate_await(cb__gate_t *g, unsigned n);
void cb__gate_open(cb__gate_t *g);

/* rusage of `who` (RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD). */
void cb__ru_sample(int who, cb__ru_t *out);
/* *acc += end - start. */
void cb__ru_add(cb__ru_t *acc, const cb__ru_t *start, const cb__ru_t *end);

/* The one method for CPU time and context switches. The trial calls
 * cb__usage_begin() (runner.h) before run() (children's use so far); the runner calls
 * cb__usage_start() when it releases its workers and cb__usage_stop() once
 * every worker has been joined or reaped. The result, in x->usage, is the
 * trial process's own use between the two (every thread: coordinator,
 * workers, partners, libuv's pool) plus that of every child reaped since
 * cb__usage_begin (forked workers with their own partners and children),
 * less what forked workers had used before the release (x->ru_prestart,
 * which a forking runner adds up): start-up is not task work. */
void cb__usage_start(cb_exec_t *x);
void cb__usage_stop(cb_exec_t *x);
/* The one method for memory: the sum of Pss (smaps_rollup) over the calling
 * process and all its descendants, at one instant, into x->usage.mem_kb. A
 * runner calls it at its end barrier, while every worker is alive. */
void cb__mem_sample(cb_exec_t *x);
/* Proportional set size of process `pid` (0 = self) from smaps_rollup, KiB. */
uint64_t cb__mem_pss_kb(int pid);
/* What one worker keeps for the tasks it runs. */
typedef struct cb__worker_s {
  const cb_kin_t *kin;
  void *slot;          /* the workload's (cb_task_t.worker) */
  unsigned char *out;  /* payload output room */
} cb__worker_t;

/* Make the calling thread worker `i`: name it ("cb-thr-3") so top and perf
 * show who is who, give it a 1 ns timer slack so that timed waits end when
 * asked (the default 50 us would be charged to whichever model sleeps most),
 * bind it per the plan and give it its payload room; when it will run the
 * blocking form, open the workload's per-worker resources too. 0 or -errno,
 * with failures in x->msg. */
int cb__worker_enter(cb_exec_t *x, cb__worker_t *w, const cb_kin_t *kin, const char *kind,
                     unsigned i, int blocking);
/* The same for worker `i` bound by plan index `place`, for a runner whose
 * workers are not placed in their own order (a hybrid keeps a process's
 * threads on its own PUs: cb_procs_plan_index). */
int cb__worker_enter_at(cb_exec_t *x, cb__worker_t *w, const cb_kin_t *kin, const char *kind,
                        unsigned i, unsigned place, int blocking);
/* After the worker's last task: release the workload's slot and the room. */
void cb__worker_leave(cb_exec_t *x, cb__worker_t *w);
/* Run task `index` in the blocking form with payload input `in` and output
 * room `out` (NULL: the worker's own). */
int cb__task_run(cb_exec_t *x, cb__worker_t *w, const unsigned char *in, unsigned char *out,
                 uint64_t index, uint64_t *checksum);
/* Run task `index` in the blocking form and record its result and latency
 * (from `t_taken`, when the worker took it, to now). */
void cb__run_one(cb_exec_t *x, cb__worker_t *w, uint64_t index, uint64_t t_taken);
void cb__msg(cb_exec_t *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Descriptor helpers (fd.c). */

/* Read exactly len bytes: 1, 0 at end-of-file before the first byte,
 * -EPROTO at end-of-file inside them, or -errno. EINTR is retried. */
int cb__read_full(int fd, void *buf, size_t len);
/* Write all len bytes: 0 or -errno. EINTR is retried. */
int cb__write_full(int fd, const void *buf, size_t len);
/* Close *fd when open and mark it closed (-1). */
void cb__close_fd(int *fd);
/* 1 when fd has bytes (or end-of-file) to read now. An event of an earlier
 * epoll_wait may be stale by the time it is handled: read only what is there. */
int cb__readable(int fd);
/* Sleep while *a == val, across processes (a MAP_SHARED word); wake all. */
void cb__futex_wait(atomic_int *a, int val);
void cb__futex_wake(atomic_int *a);
/* len bytes of zeroed memory shared with every later fork, or NULL. */
void *cb__map_shared(size_t len);

/* Kin (kin.c): the threads' and the processes' (see kin.c), and what a
 * worker calls as it leaves, to stop the partner its tasks may have started
 * (a partner thread of the calling thread; the partner process of the
 * calling process). */
extern const cb_kin_t cb__kin_threads, cb__kin_processes;
void cb__kin_threads_leave(void);
void cb__kin_processes_leave(void);

/* Thread pool (tpool.c): n threads, each worker `first + id` of the plan,
 * between a start barrier and an end barrier. What a thread does is its
 * body's; the pool keeps the rules of runner.h: the threads are created and
 * wait at the start barrier before the clock starts; the clock starts at
 * their release; memory is sampled at the end barrier, while every thread
 * is alive; every thread is joined before cb__tpool_stop returns. It works
 * the same in the trial process and in a forked worker (where `measure` is
 * 0, since the fork pool measures for the whole trial). */
typedef struct cb__tpool_s cb__tpool_t;
/* A cache line apart from its neighbours: each thread writes its own. */
typedef struct cb__thread_s {
  _Alignas(64) cb__worker_t w; /* for a body whose thread runs blocking tasks */
  cb__tpool_t *pool;
  pthread_t tid;
  unsigned id;     /* 0..n-1 in its pool */
  unsigned worker; /* first + id: its plan index and name */
  uint64_t t_end;  /* when its last result was stored; the body sets it */
  int err;         /* why enter failed; the body's message is in x->msg */
  void *data;      /* the body's */
} cb__thread_t;

typedef struct cb__tbody_s {
  /* Before the start barrier, off the clock: 0 or -errno (the pool is
   * abandoned then). */
  int (*enter)(cb__thread_t *t);
  /* After the release: run tasks until none is left, then set t->t_end. */
  void (*work)(cb__thread_t *t);
  /* After the end barrier, or when the trial was abandoned; also after a
   * failed enter: give back whatever enter took. */
  void (*leave)(cb__thread_t *t);
} cb__tbody_t;

struct cb__tpool_s {
  cb_exec_t *x;
  const cb__tbody_t *body;
  void *arg;                 /* the body's, shared by its threads */
  unsigned n, first, started;
  int measure;               /* 1: cb__usage_start at the release */
  int released;
  cb__thread_t *th;
  cb__gate_t gate, end;      /* the start barrier; the end barrier (memory) */
  atomic_uint_fast64_t next; /* a task counter for bodies that take from it */
};

/* Create the n threads and wait until every one waits at the start barrier
 * (or one gave up). 0, or -errno with x->msg set; the pool must be stopped
 * in any case. */
int cb__tpool_start(cb__tpool_t *p, cb_exec_t *x, const cb__tbody_t *body, void *arg,
                    unsigned n, unsigned first, int measure);
/* Read the clock, start the usage method when the pool measures, release
 * the threads; the instant of release. Called once, after start. */
uint64_t cb__tpool_release(cb__tpool_t *p);
/* Wait at the end barrier until every thread has run its tasks (they wait
 * there, alive, until cb__tpool_stop): 0 and the latest t_end in *t_last,
 * or 1 when the trial was abandoned (a thread gave up). */
int cb__tpool_finish(cb__tpool_t *p, uint64_t *t_last);
/* Let every thread leave and join it: 0, or the first error a thread had
 * (-EINVAL when one gave up without saying). */
int cb__tpool_stop(cb__tpool_t *p);
/* The whole trial of an in-process pool that measures (threads, loops),
 * after cb__tpool_start returned `err` at `t_begin`: release, wait at the
 * end barrier, sample memory with every thread alive, stop, and fill
 * x->startup_ns, wall_ns, teardown_ns and usage. 0 or -errno. */
int cb__tpool_trial(cb__tpool_t *p, cb_exec_t *x, int err, uint64_t t_begin);
/* The next task from the pool's own counter: 1 and *index, or 0 when none is
 * left. One relaxed atomic add, as a thread pool's shared queue at its
 * cheapest. */
static inline int cb__tpool_take(cb__tpool_t *p, uint64_t *index)
{
  *index = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
  return *index < p->x->params->tasks;
}

/* Loop driver (uvloop.c, built with libuv): `loops` threads, each running
 * one libuv loop, together keep `slots` tasks in flight, in the workload's
 * asynchronous form, or inline (one blocking task per loop turn) when it
 * has none. Tasks come from the counter `next` (NULL: the driver's own),
 * results go into x->results in place. Start it, then use the thread pool
 * calls on `threads` (release, finish, stop), as the threads runner does. */
typedef struct cb__loops_s {
  cb__tpool_t threads;
  cb_exec_t *x;
  atomic_uint_fast64_t *next;
  unsigned slots;
  int inline_form; /* the workload has no asynchronous form */
} cb__loops_t;
int cb__loops_start(cb__loops_t *p, cb_exec_t *x, unsigned loops, unsigned slots,
                    unsigned first, int measure, atomic_uint_fast64_t *next);

/* Fork pool (fpool.c, fchan.c, fwork.c): `procs` forked worker processes,
 * each holding up to `slots` tasks at once, fed by x->dispatch ("shared",
 * "queue", "roundtrip") with payloads by x->transport ("pipe", "shm"),
 * coordinated by the calling thread. cb__fpool_run does the whole trial by
 * runner.h's rules (start-up, release, clock, memory at the end barrier,
 * usage, reaping); a worker killed mid-task loses exactly the tasks its
 * slots held, counted failed, and is replaced while tasks remain. What a
 * worker process does is its body's, in the forked child:
 *   enter: before the start barrier (make its workers: cb__worker_enter,
 *          a thread pool, a loop); 0 or -errno (the trial then fails);
 *   work:  after the release, run tasks through cb__fpool_take/give, one
 *          caller per slot at a time, until take returns 0; its workers
 *          stay alive (memory is sampled after every process's work); 0 or
 *          -errno;
 *   leave: after the end barrier: end what enter made.
 * The process then _exits; it never returns to the trial's code. */
typedef struct cb__fpool_s cb__fpool_t;
typedef struct cb__fworker_s {
  cb__fpool_t *p;
  cb_exec_t *x;
  unsigned id;          /* its process index: 0..procs-1 */
  unsigned slots;
  int ctl, res;         /* its own pipes: tasks in, results out */
  unsigned char *in;    /* "pipe": input room, payload bytes per slot */
  pthread_mutex_t lock; /* its pipes, when several slots share them */
  cb__worker_t w;       /* for a body that runs tasks on its main thread */
  void *data;           /* the body's */
} cb__fworker_t;

typedef struct cb__fbody_s {
  int (*enter)(cb__fworker_t *k);
  int (*work)(cb__fworker_t *k);
  void (*leave)(cb__fworker_t *k);
} cb__fbody_t;

/* One task as a worker holds it: take fills index, t_taken, buf and the
 * payload's in and out (out NULL: the worker's own room); the body fills
 * err and checksum before it gives it back. */
typedef struct cb__ftask_s {
  uint64_t index, t_taken, checksum;
  const unsigned char *in;
  unsigned char *out;
  uint32_t buf;
  int err;
} cb__ftask_t;

/* Run every task of x under the pool (sets x->checks_out, not x->workers
 * or x->inflight, which are the runner's). 0 or -errno with x->msg set. */
int cb__fpool_run(cb_exec_t *x, const cb__fbody_t *body, unsigned procs, unsigned slots);
/* In a worker: the next task for `slot`: 1, 0 when none is left, -errno
 * when the worker must stop. It marks the slot as holding the task. */
int cb__fpool_take(cb__fworker_t *k, unsigned slot, cb__ftask_t *t);
/* Hand a task's result back (output bytes from t->out, else own_out) and
 * free its slot: 0 or -errno. */
int cb__fpool_give(cb__fworker_t *k, unsigned slot, const cb__ftask_t *t,
                   const unsigned char *own_out);
/* A hybrid's pool: the same, but the last process holds only `last` tasks
 * (1..slots: cb_procs_split's remainder; its k->slots says so), and with
 * `inplace` the body moves no payload through the pool: it takes tasks
 * itself from cb__fpool_counter (shared dispatch only), reads the payload
 * input where the fork left it (x->in) and stores results in place, so the
 * pool sends no inputs, gives its workers no input room and checks no
 * output bytes (processes of loops). */
int cb__fpool_run_hybrid(cb_exec_t *x, const cb__fbody_t *body, unsigned procs, unsigned slots,
                         unsigned last, int inplace);
/* 1 when take and give may wait on a pipe (a dispatch mode other than
 * shared, or a payload): a thread that holds its process's GIL lets it go
 * around them, as CPython does around a blocking read. */
int cb__fpool_waits(const cb__fworker_t *k);
/* For a body that takes tasks itself (a loop driver, in shared mode
 * without a payload): the pool's shared task counter, and where it says
 * when its process stored its last result. Tasks taken so but never
 * recorded are counted failed at the end, not when the process dies. */
atomic_uint_fast64_t *cb__fpool_counter(cb__fworker_t *k);
void cb__fpool_mark_end(cb__fworker_t *k, uint64_t t_end);

#endif
