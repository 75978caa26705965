/* The runner contract. A runner is one file in runners/ that fills in one
 * `const cb_runner_t` and one line in runners/registry.c. It executes every
 * task of one trial exactly once under its concurrency model and hands every
 * result back to the trial process through `cb_exec_t`.
 *
 * Rules every runner keeps: workers are created before the clock starts and
 * wait at a start barrier; the clock (wall_ns) covers the task phase only;
 * start-up and tear-down are timed apart; every worker is reaped (joined or
 * waited for) before run() returns, also on error. */
#ifndef CB_RUNNER_H
#define CB_RUNNER_H

#include <pthread.h>
#include <stdint.h>

#include "workload.h"
#include "topo.h"

/* One task's outcome, written only by the runner that ran it. A cache line
 * each: neighbouring tasks run on different workers at once, and the
 * harness's own bookkeeping must not make them share a line (false sharing
 * would be charged to the runner being measured). */
typedef struct cb_task_result_s {
  _Alignas(64) uint64_t checksum;
  uint64_t lat_ns;   /* from hand-out to a worker until its result is back */
  uint32_t seen;     /* how many times a result came back: must end at 1 */
  int32_t err;       /* 0, or -errno from the task, or -ECHILD if its worker died */
} cb_task_result_t;

/* CPU and memory use of all workers during the task phase. */
typedef struct cb_usage_s {
  uint64_t user_ns, sys_ns;
  uint64_t vcsw, ivcsw;
  uint64_t mem_kb;   /* peak memory of all workers together; see results/SCHEMA.md */
} cb_usage_t;

typedef struct cb_exec_s {
  /* in */
  const cb_workload_t *wl;
  const cb_params_t *params;
  void *state;              /* the workload's, from setup */
  const unsigned char *in;  /* the payload input (params->payload bytes), or NULL */
  const char *transport;    /* one of the runner's transports */
  unsigned concurrency;     /* tasks in flight at once */
  unsigned pus;             /* processing units of the machine */
  const cb_plan_t *plan;    /* placement of `workers` workers */
  cb_task_result_t *results;/* params->tasks entries, zeroed */

  /* out */
  unsigned workers;
  uint64_t startup_ns, wall_ns, teardown_ns;
  cb_usage_t usage;
  uint64_t failed;          /* tasks lost with a dead worker */
  char msg[160];            /* why run() failed, for the CSV */
} cb_exec_t;

typedef struct cb_runner_s {
  const char *name;
  const char *description;
  /* How tasks and results may travel (NULL-terminated; the first is the
   * default): "inproc" for pointers in one process, "pipe", "shm". */
  const char *const *transports;
  const cb_kin_t *kin;      /* what its tasks may ask of it (cb_task_t.kin) */
  /* Workers this runner creates for concurrency c on a machine with `pus` PUs. */
  unsigned (*workers)(unsigned c, unsigned pus);
  /* 0 when every task ran (even if some failed), else -errno with x->msg set. */
  int (*run)(cb_exec_t *x);
} cb_runner_t;

extern const cb_runner_t *const cb_runners[];
extern const size_t cb_runners_count;
const cb_runner_t *cb_runner_find(const char *name);
/* 1 when `name` is one of the runner's transports. */
int cb_runner_has_transport(const cb_runner_t *r, const char *name);

/* Helpers shared by the runners (bench/exec.c). */

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

/* The task phase's share of a worker's rusage (RUSAGE_THREAD or RUSAGE_SELF). */
typedef struct cb__ru_s {
  uint64_t user_ns, sys_ns, vcsw, ivcsw;
} cb__ru_t;
void cb__ru_sample(int who, cb__ru_t *out);
void cb__ru_accumulate(cb_usage_t *u, const cb__ru_t *start, const cb__ru_t *end);
/* Peak resident memory of the calling process, KiB. */
uint64_t cb__mem_peak_kb(void);
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
/* Run task `index` in the blocking form and record its result and latency. */
void cb__run_one(cb_exec_t *x, cb__worker_t *w, uint64_t index);
void cb__msg(cb_exec_t *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
