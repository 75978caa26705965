/* What the mix.* workloads share: a task that computes, waits and computes
 * again (a request that parses, waits on a backend, renders), `size` percent
 * of its mixed_task_us in CPU and the rest waiting. The CPU part is rounds
 * of cpu.hash's mixing function in one dependent chain, with a GIL
 * checkpoint every 1024 rounds; how many rounds make a microsecond is
 * measured once per run (cb__mix_calibrate, the workload's `calibrate`) and
 * reaches every task as params.calib, so that "20% CPU of a 1 ms request"
 * means 200 us of this machine's CPU, and every trial of the run does the
 * same work. Half of the rounds run before the wait and half after it; the
 * chain carries on across the wait, so the checksum is right only when both
 * halves ran, in order, on the task's own data. The wait is each workload's
 * own (a timer, a round trip); it must not end early: a task whose wait was
 * cut short returns the complement of its checksum. */
#ifndef CB_MIX_H
#define CB_MIX_H

#include "workload.h"

/* One task's split: CPU rounds before and after the wait, and the wait. */
typedef struct cb__mix_plan_s {
  uint64_t rounds_before, rounds_after;
  uint64_t wait_us;
} cb__mix_plan_t;

void cb__mix_plan(const cb_params_t *p, uint64_t task_us, cb__mix_plan_t *plan);
/* The chain's starting value for task `index`. */
uint64_t cb__mix_start(const cb_params_t *p, uint64_t index);
/* `n` rounds of the chain from x, the first numbered `from`; GIL checkpoints
 * between blocks of rounds. */
uint64_t cb__mix_rounds(uint64_t x, uint64_t from, uint64_t n);
/* The checksum of a task whose chain ended at x and whose wait lasted
 * waited_ns: x when the wait was whole, ~x when it was cut short. */
uint64_t cb__mix_sum(const cb__mix_plan_t *plan, uint64_t x, uint64_t waited_ns);
/* The checksum task t->index must produce. */
uint64_t cb__mix_expect(const cb_params_t *p, uint64_t index, uint64_t task_us);
/* Rounds of the chain per millisecond on this machine: the fastest of a few
 * timed batches (the least disturbed). */
int cb__mix_calibrate(uint64_t *calib);

#endif
