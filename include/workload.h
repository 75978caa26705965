/* The workload contract. A workload is one file that fills in one
 * `const cb_workload_t` and one line in workloads/registry.c; the compiler
 * checks every workload against this struct. A workload never knows which
 * runner calls it: it offers a blocking form (serial, threads, processes and
 * inline on the event loop) and, optionally, an asynchronous form for libuv.
 * What it needs from "whoever runs me" (a partner to hand a token to, a fresh
 * worker of the same kind) it asks through cb_kin_t. */
#ifndef CB_WORKLOAD_H
#define CB_WORKLOAD_H

#include <stdint.h>
#include <stddef.h>

#include "cb.h"

typedef struct cb_params_s {
  uint64_t tasks;      /* tasks per trial */
  uint64_t size;       /* work per task, in the workload's unit */
  uint64_t payload;    /* bytes carried in and out with each task */
  uint64_t seed;
  uint64_t calib;      /* the workload's calibration (cb_workload_t.calibrate),
                          measured once per run; 0 for a workload without one */
  const char *scratch; /* the trial's private directory (0700); removed after
                          the trial by the supervisor, even after a crash */
} cb_params_t;

/* Services of the runner that runs a task, in the runner's own terms. */
typedef struct cb_kin_s {
  /* Create one fresh worker of the runner's kind, run an empty body in it
   * and reap it (a thread, a process). 0 or -errno. */
  int (*spawn)(void);
  /* Hand a token to a partner of the runner's kind and take it back, n
   * times; the partner adds 1 to it on each visit. 0 or -errno. */
  int (*pingpong)(uint64_t n, uint64_t *token);
  /* Start the calling worker's pingpong partner now, so that the first task
   * does not pay for it inside the clock (runners call it before their start
   * barrier for workloads with `uses_partner`). 0 or -errno. */
  int (*partner_start)(void);
} cb_kin_t;

/* One task, as a runner hands it to the blocking form. */
typedef struct cb_task_s {
  const cb_params_t *p;
  void *state;               /* the trial's, from setup */
  uint64_t index;
  const unsigned char *in;   /* p->payload bytes from the coordinator (cb_payload_fill) */
  unsigned char *out;        /* room for p->payload bytes back to it */
  void **worker;             /* this worker's own slot, NULL until the workload sets it */
  const cb_kin_t *kin;       /* NULL when computing expected values */
} cb_task_t;

typedef struct cb_async_s cb_async_t;
typedef void (*cb_async_done_fn)(cb_async_t *a, int err, uint64_t checksum);

/* One in-flight slot of the event loop runner. The runner owns it; the
 * workload keeps its handles in `slot` (async_slot_size bytes, zeroed), which
 * lives from async_open to the callback of async_close. Requests that
 * async_open starts (a connect) complete before the clock starts. */
struct cb_async_s {
  void *loop;                /* uv_loop_t * */
  const cb_params_t *params;
  void *state;               /* from setup */
  uint64_t index;            /* task being run by async_start */
  const unsigned char *in;   /* as in cb_task_t */
  unsigned char *out;
  cb_async_done_fn done;     /* call exactly once per async_start, never from inside it */
  void *slot;
  void *runner_data;
};

/* max_size of a workload whose size means nothing: any value is taken. */
#define CB_SIZE_UNUSED UINT64_MAX

/* A trial's size and task count, as one of a workload's traits below;
 * CB_SIZING marks it given, so that a test can find one that is not. */
typedef struct cb_sizing_s {
  uint64_t size;
  uint64_t tasks; /* 0: the workload's default (one per unit of concurrency) */
  int given;
} cb_sizing_t;
#define CB_SIZING(s, t) { .size = (s), .tasks = (t), .given = 1 }

/* The profiles of `concbench run --profile` (harness/profile.c), as indices
 * of cb_workload_t.profile. */
enum { CB_PROFILE_QUICK, CB_PROFILE_STANDARD, CB_PROFILE_FULL, CB_PROFILES };

/* Charts a workload feeds besides those every workload gets (scaling,
 * speedup, latency, efficiency), as bits of cb_workload_t.charts. */
enum {
  /* the speedup's ideal is min(c, PUs): each task keeps a PU busy (cpu.*) */
  CB_CHART_CPU_BOUND = 1u << 0,
  /* payload: throughput against payload bytes per transport (comm.payload) */
  CB_CHART_PAYLOAD = 1u << 1,
  /* memory: memory against workers, and its slope per worker (life.idle) */
  CB_CHART_MEMORY = 1u << 2,
  /* granularity: the process pool's cost against the time one task takes,
   * along a sweep of sizes (cpu.hash) */
  CB_CHART_GRANULARITY = 1u << 3,
};

typedef struct cb_workload_s {
  const char *name;        /* family.name, e.g. "cpu.hash"; family = text before '.' */
  const char *description; /* one line */
  const char *size_unit;   /* e.g. "iterations", "us" */
  uint64_t default_size;
  /* The largest size accepted: a larger one is refused before any trial
   * (exit 2 naming it), so that no task overflows its arithmetic or asks
   * for absurd memory or hours of work. CB_SIZE_UNUSED when size is not
   * used at all. */
  uint64_t max_size;
  uint64_t default_tasks;  /* 0: one task per unit of concurrency */
  uint64_t default_payload;
  /* File descriptors and ephemeral ports one in-flight task holds in the
   * process that runs it, in the blocking and in the asynchronous form, so
   * that a run is refused up front when the machine's limits cannot take it
   * (harness/capacity.c). */
  unsigned fds_per_task, async_fds_per_task, ports_per_task;

  /* Its size is the CPU share, in percent, of a task that lasts this many
   * microseconds and waits for the rest (mix.*): the report and the charts
   * read such a workload against that share, with the ideal of c such tasks
   * on the machine's PUs. 0 for every other workload. */
  uint64_t mixed_task_us;
  /* Measure what the workload's unit of work costs on this machine (mix.*:
   * rounds of its CPU part per millisecond), once per run in the
   * coordinator before any trial; the run hands the value to every task and
   * to the expected checksums as cb_params_t.calib, so that all trials of a
   * run do the same work. 0 or -errno. Optional. */
  int (*calibrate)(uint64_t *calib);

  /* Trial set-up in the trial process, before any worker exists; teardown after
   * they are all gone. Both optional. */
  int (*setup)(const cb_params_t *p, void **state);
  void (*teardown)(const cb_params_t *p, void *state);

  /* Blocking form: run the task, store its checksum. 0 or -errno. */
  int (*run)(const cb_task_t *t, uint64_t *checksum);
  /* Per-worker resources (a connection, buffers): worker_open runs in each
   * worker before the start barrier, so it is not timed; worker_close
   * releases what is in the slot (set here or by run) after the worker's
   * last task. Both optional. */
  int (*worker_open)(const cb_params_t *p, void *state, void **worker);
  void (*worker_close)(const cb_params_t *p, void *state, void *worker);

  /* The checksum task t->index must produce, computed without concurrency
   * (t->kin is NULL, t->state is NULL, t->in and t->out are as for run). */
  uint64_t (*expect)(const cb_task_t *t);
  /* Trial-level check of shared state (optional), in the trial process after
   * the runner finished and before teardown, when every task came back
   * right: a task's checksum cannot see what the others did to it. 0 when
   * the state is what the tasks must have left; else -EDOM with *lost set to
   * the updates that are missing and `why` saying what was found. */
  int (*verify)(const cb_params_t *p, void *state, uint64_t *lost, char *why, size_t len);
  /* Races on purpose (sync.none): run only with --allow-races, and lost
   * updates are its measured result (status racy), not a failure. */
  int racy;
  /* Fails on purpose (fault.*): tasks that return an error, and a crash of
   * the trial process or of a worker, are its measured result, not a
   * failure of the run: a trial whose only fault is its planned failures is
   * ok, with `failed` counting them. For any other workload a task lost with
   * its worker (one killed from outside) makes the trial an error. */
  int fails_on_purpose;
  /* Its tasks hand tokens to a partner (cb_kin_t.pingpong): the runner starts
   * each worker's partner before the start barrier. */
  int uses_partner;
  /* Its result is the `out` bytes themselves: where they cross a process
   * boundary, the trial process checks what arrived against the bytes the
   * task must produce (cb_trial_expected). */
  int writes_out;

  /* Size and tasks under each profile (profile[CB_PROFILE_QUICK] and so on)
   * where the profile holds no experiment of its own for the workload, so
   * that a new workload runs under every profile without an entry there:
   * quick is small, for CI; standard makes a serial trial last tens of
   * milliseconds here; full as standard or larger. */
  cb_sizing_t profile[CB_PROFILES];
  /* Small size and tasks for the unit tests (a trial of milliseconds). */
  cb_sizing_t test;
  /* The charts it feeds besides every workload's: CB_CHART_* bits. */
  unsigned charts;

  /* Asynchronous form (optional; without it the event loop runs `run` inline
   * and blocks, which is what such a task does to a loop). */
  size_t async_slot_size;
  int (*async_open)(cb_async_t *a);
  int (*async_start)(cb_async_t *a);
  void (*async_close)(cb_async_t *a, void (*closed)(cb_async_t *a));
} cb_workload_t;

/* The registry: every workload, in the order `concbench list` shows them. */
extern const cb_workload_t *const cb_workloads[];
extern const size_t cb_workloads_count;

const cb_workload_t *cb_workload_find(const char *name);
/* Family of a workload: "cpu" for "cpu.hash"; "noop" for "noop". */
size_t cb_workload_family(const cb_workload_t *w, char *buf, size_t len);
/* The place of a workload's family on charts, from a workload name that
 * this build may not know ("cpu.hash", "noop"): the families in the
 * registry's chart order first, then any other family of the registry in
 * the order its first workload appears, then every family it does not know
 * (all of one rank). */
int cb_workload_family_rank(const char *workload);
/* The first workload of the registry that feeds the chart `bit` (one of
 * CB_CHART_*), or NULL. */
const cb_workload_t *cb_workload_charting(unsigned bit);
/* Tasks of a trial: the default may depend on the concurrency. */
uint64_t cb_workload_tasks(const cb_workload_t *w, unsigned concurrency);

/* The payload every task receives: p->payload bytes derived from p->seed. */
void cb_payload_fill(const cb_params_t *p, unsigned char *buf);
/* A 64-bit digest of bytes, for checksums over payloads and files. */
uint64_t cb_digest(const void *buf, size_t len, uint64_t seed);
/* The digest of task `index`'s p->payload output bytes, by which the trial
 * process checks the bytes that crossed a process boundary (writes_out). */
uint64_t cb_out_digest(const cb_params_t *p, uint64_t index, const unsigned char *out);

#endif
