/* What the runner tests (test_runners.c, test_runners_models.c) share: the
 * test-only workloads (not in the registry): "test.record" counts, in memory
 * shared across fork, how often each task ran, how many tasks were in flight
 * at once, which worker slots were opened and closed and which kin the tasks
 * were given, and its checksum covers the payload bytes a task received; and
 * one cell run through a runner's cb_runner_t with a cb_exec_t filled in the
 * way harness/trial.c fills it, checked to leave no child process, no fd and
 * no thread behind (tests/test_rn.c). */
#ifndef CB_TESTS_TEST_RN_H
#define CB_TESTS_TEST_RN_H

#include <stdatomic.h>
#include <stdint.h>

#include "cb_config.h"
#include "runner.h"
#include "topo.h"
#include "workload.h"
#include "common.h"

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

extern unsigned rn_blast_want;

#define REC_COMMON                                                            \
  .description = "test only", .size_unit = "none", .default_size = 0,          \
  .default_tasks = 10, .teardown = rec_teardown, .run = rec_run,               \
  .worker_open = rec_worker_open, .worker_close = rec_worker_close,

extern const cb_workload_t rn_wl_record;

extern const cb_workload_t rn_wl_record_inline;

extern const cb_workload_t rn_wl_wrong;

extern const cb_workload_t rn_wl_wrong_inline;

extern const cb_workload_t rn_wl_kill;

extern const cb_workload_t rn_wl_exit;

extern const cb_workload_t rn_wl_blast;

extern const cb_workload_t rn_wl_kin;

extern unsigned rn_pus;

#define PIN_NO_PLAN (-1)

extern cbt_variant_t rn_variants[64];

extern size_t rn_nvariants;

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
extern unsigned rn_run_procs;

void rn_run_cell(run_t *r, const cbt_variant_t *v, const cb_workload_t *wl,
                 uint64_t tasks, uint64_t size, uint64_t payload, unsigned c, int pin);

void rn_run_end(run_t *r);

/* The checksum task `index` must bring back, computed as the trial does. */
uint64_t rn_expect_of(const run_t *r, uint64_t index);

/* The clock covers every task: a task's latency runs from the moment a
 * worker took it to the moment its result was visible, both inside the
 * clocked task phase, so none is longer than the wall time. (Their sum is
 * not bounded by c times the wall time: a process pool's worker takes its
 * next task while its last result still waits to be read.) */
void rn_check_clock_covers_tasks(const run_t *r);

int rn_is_runner(const cb_runner_t *rn, const char *name);

/* Every task ran once and came back once with its own checksum; every
 * worker that runs blocking tasks opened its workload slot once and closed it. */
void rn_check_all_once(run_t *r);

int rn_group_setup(void **state);

int rn_group_teardown(void **state);

#endif
