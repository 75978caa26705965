/* The runner contract. A runner is one file in runners/ that fills in one
 * `const cb_runner_t` and one line in runners/list.def. It executes every
 * task of one trial exactly once under its concurrency model and hands every
 * result back to the trial process through `cb_exec_t`.
 *
 * Rules every runner keeps, so that runners differ only in their model:
 * - workers are created before the clock starts and wait at a start barrier;
 *   the clock (wall_ns) runs from their release to the moment the last
 *   result is visible to the trial process; start-up and tear-down are
 *   timed apart;
 * - a task's latency runs from the moment a worker takes it to the moment
 *   its result is visible to the trial process;
 * - CPU time and context switches are those of the whole trial during the
 *   task phase: cb__usage_start() at the release, cb__usage_stop() once
 *   every worker is gone (runners/kit/exec.c says how);
 * - memory is sampled once, by cb__mem_sample(), after the last task and
 *   before any worker leaves (an end barrier), so that every worker is alive;
 * - every worker is reaped (joined or waited for) before run() returns,
 *   also on error. */
#ifndef CB_RUNNER_H
#define CB_RUNNER_H

#include <stdint.h>

#include "workload.h"
#include "plan.h"

/* One task's outcome, written only by the runner that ran it. A cache line
 * each: neighbouring tasks run on different workers at once, and the
 * harness's own bookkeeping must not make them share a line (false sharing
 * would be charged to the runner being measured). The trial process maps
 * the array shared, so forked workers can write it in place as threads do. */
typedef struct cb_task_result_s {
  _Alignas(64) uint64_t checksum;
  uint64_t lat_ns;     /* from a worker taking it until its result is visible */
  uint64_t out_digest; /* cb_digest of the output bytes as they reached the trial
                          process, when they crossed a process boundary */
  uint32_t seen;       /* how many times a result came back: must end at 1 */
  int32_t err;         /* 0, or -errno from the task, or -ECHILD if its worker died */
} cb_task_result_t;

/* The task phase's share of rusage (user and system CPU, context switches). */
typedef struct cb__ru_s {
  uint64_t user_ns, sys_ns, vcsw, ivcsw;
} cb__ru_t;

/* CPU and memory use of the trial during the task phase. */
typedef struct cb_usage_s {
  uint64_t user_ns, sys_ns;
  uint64_t vcsw, ivcsw;
  uint64_t mem_kb;   /* Pss of the trial process and its descendants; docs/SCHEMA.md */
} cb_usage_t;

typedef struct cb_exec_s {
  /* in */
  const cb_workload_t *wl;
  const cb_params_t *params;
  void *state;              /* the workload's, from setup */
  const unsigned char *in;  /* the payload input (params->payload bytes), or NULL */
  const char *transport;    /* one of the runner's transports */
  const char *dispatch;     /* one of the runner's dispatch modes */
  unsigned concurrency;     /* tasks in flight at once */
  unsigned pus;             /* processing units of the machine */
  unsigned procs;           /* processes asked for (--procs; takes_procs runners), never 0 */
  const cb_plan_t *plan;    /* placement of `workers` workers */
  cb_task_result_t *results;/* params->tasks entries, zeroed, in a shared mapping */

  /* out */
  unsigned workers;
  unsigned inflight;        /* tasks that could really be in flight at once */
  unsigned nprocs;          /* processes that ran tasks (the CSV's procs) */
  unsigned per_proc;        /* tasks in flight per process (the CSV's per_proc) */
  int inline_tasks;         /* 1: the tasks ran inline on loop threads (no async form) */
  int checks_out;           /* 1: results[].out_digest holds the received bytes' digest */
  uint64_t startup_ns, wall_ns, teardown_ns;
  cb_usage_t usage;
  uint64_t failed;          /* tasks lost with a dead worker */
  char msg[160];            /* why run() failed, for the CSV */

  /* measurement state, exec.c's */
  cb__ru_t ru_self0, ru_kids0;
  cb__ru_t ru_prestart;     /* forked workers' own use before the release */
} cb_exec_t;

/* A chart's series style (cb_runner_t.styles). */
typedef struct cb_style_s {
  const char *color;
  int point;
} cb_style_t;

typedef struct cb_runner_s {
  const char *name;
  const char *description;
  /* How payloads may travel (NULL-terminated; the first is the default):
   * "inproc" for pointers in one process, "pipe", "shm". */
  const char *const *transports;
  /* How a worker learns its next task (NULL-terminated; the first is the
   * default): "shared" (a shared counter), "queue" (one shared task pipe kept
   * filled ahead of the workers), "roundtrip" (the coordinator hands each
   * worker one task at a time), "none" (serial). */
  const char *const *dispatches;
  const cb_kin_t *kin;      /* what its tasks may ask of it (cb_task_t.kin) */
  /* A reference, not a concurrency model (serial): charts draw it, speedups
   * divide by it, contests and claims never name it a winner. */
  int reference;
  /* Its workers are processes of their own (their tasks' descriptors live
   * there), and the trial process holds this many descriptors per worker:
   * what the limit checks (harness/capacity.c) count. */
  int forks_workers;
  unsigned fds_per_worker;
  /* It runs a workload's asynchronous form when there is one (the event
   * loop): its tasks hold the workload's async_fds_per_task. */
  int async_form;
  /* The concurrency model it stands for, as the winners map, the report and
   * its claims name it ("threads"): runners that are variants of one model
   * share it and compete as one. */
  const char *model;
  /* A worker's crash costs only that worker's tasks: the pool goes on with
   * the others (a process pool); without it the crash takes the trial
   * process down (threads, an event loop). */
  int survives_crash;
  /* Threads or processes each worker adds against RLIMIT_NPROC and
   * kernel.threads-max (harness/capacity.c); 0 when its tasks run on the
   * trial process's own thread (serial). */
  unsigned procs_per_worker;
  /* It runs P processes of T tasks in flight each (a hybrid): --procs
   * picks P, cb_procs_split says how c is split, workers() gets P. */
  int takes_procs;
  /* How charts draw it, one per transport in the same order (the first for
   * the default): a colour "#RRGGBB" and gnuplot's filled point type (the
   * open one, for its GIL mode, is one less). A contestant with another
   * variant (a dispatch mode) gets a colour of its own name. */
  const cb_style_t *styles;
  /* Workers (threads or processes placed by the plan) this runner creates
   * for concurrency c on a machine with `pus` PUs, with `procs` processes
   * asked for (takes_procs runners; others ignore it). */
  unsigned (*workers)(unsigned c, unsigned pus, unsigned procs);
  /* 0 when every task ran (even if some failed), else -errno with x->msg set. */
  int (*run)(cb_exec_t *x);
} cb_runner_t;

/* How a hybrid splits c tasks in flight over the `procs` processes asked
 * for (0: one per PU, `pus`): T = ceil(c / min(procs, c)) tasks per process
 * in ceil(c / T) processes (the count returned), every one holding T but
 * the last, which holds the rest, c - (P - 1) * T. When procs divides c
 * that is procs processes of c / procs; otherwise fewer may be needed
 * (c = 5 over 4: T = 2 in 3 processes, 2 + 2 + 1). Splitting c over the
 * returned count gives the same split again. */
static inline unsigned cb_procs_split(unsigned c, unsigned procs, unsigned pus, unsigned *per)
{
  unsigned p = procs > 0 ? procs : pus > 0 ? pus : 1, t;

  c = c > 0 ? c : 1;
  p = p < c ? p : c;
  t = (c + p - 1) / p;
  if (per != NULL)
    *per = t;
  return (c + t - 1) / t;
}

/* The plan index that worker j of process i of a hybrid is bound by, for c
 * tasks in flight split as cb_procs_split says on a machine of `pus` PUs:
 * i*T + j while the plan gives every worker a PU of its own (c <= pus);
 * once it wraps, the PUs are shared out to the processes in blocks of
 * pus / P, so that a process's workers stay on its own PUs, as a prefork
 * server's processes would be placed. (Bound by i*T + j, a wrapped plan
 * spread every process over every PU, and under the GIL two processes'
 * running threads often shared one PU: procs-threads+gil at c = 16 on 2
 * PUs ran at x1.2 of c = 1 instead of x2.) */
static inline unsigned cb_procs_plan_index(unsigned c, unsigned procs, unsigned pus, unsigned i,
                                           unsigned j)
{
  unsigned per, p = cb_procs_split(c, procs, pus, &per), block;

  if (c <= pus || p > pus)
    return i * per + j;
  block = pus / p;
  return i * block + j % block;
}

/* The result array of `tasks` tasks, zeroed, in a shared anonymous mapping
 * (cb_exec_t.results), or NULL; and its release. Its pages are resident on
 * return: were they faulted in as tasks first write their results, the
 * clock would charge every task the harness's page faults (a quarter of a
 * noop task's cost here, and a noise of its own). */
cb_task_result_t *cb_results_map(uint64_t tasks);
void cb_results_unmap(cb_task_result_t *r, uint64_t tasks);
/* The array's pages mapped writable in the calling process too: a forked
 * worker inherits no page table entries of a shared mapping, and would
 * fault each page in on its first result, inside the clock, where threads
 * fault none. Called by a worker process before the start barrier. */
void cb_results_prefault(cb_task_result_t *r, uint64_t tasks);

extern const cb_runner_t *const cb_runners[];
extern const size_t cb_runners_count;
const cb_runner_t *cb_runner_find(const char *name);
/* 1 when `name` is one of the runner's transports / dispatch modes. */
int cb_runner_has_transport(const cb_runner_t *r, const char *name);
int cb_runner_has_dispatch(const cb_runner_t *r, const char *name);
/* 1 when `transport` is the default of the runner named `runner`: its first
 * transport, or an empty one (a CSV that did not record it); for a runner
 * this build does not know, any known runner's default. */
int cb_runner_default_transport(const char *runner, const char *transport);

/* The one method for CPU time and context switches starts here: the trial
 * calls cb__usage_begin() before run() (children's use so far); the rest of
 * the method is the runners' (runners/kit/kit.h). */
void cb__usage_begin(cb_exec_t *x);

#endif
