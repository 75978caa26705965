/* The runner kit: what a runner is composed from, so that runners differ
 * only in their concurrency model. Public to runners, below them; the
 * harness sees include/runner.h only. exec.c holds the one method for CPU
 * time and memory, worker entry and exit, and the start barrier; kin.c the
 * threads' and processes' kin; fd.c the descriptor helpers; tpool.c a thread
 * pool; fpool.c and fchan.c a fork pool; uvloop.c the libuv loop driver. */
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

#endif
