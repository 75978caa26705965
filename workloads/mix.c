/* The CPU part, calibration and checksum of the mix.* workloads; see mix.h. */
#include <errno.h>

#include "gil.h"
#include "mix.h"

enum { CHECKPOINT_EVERY = 1024 };

void cb__mix_plan(const cb_params_t *p, uint64_t task_us, cb__mix_plan_t *plan)
{
  uint64_t cpu_us = task_us * p->size / 100;
  uint64_t rounds = p->calib * cpu_us / 1000; /* calib: rounds per ms */

  plan->rounds_before = rounds / 2;
  plan->rounds_after = rounds - rounds / 2;
  plan->wait_us = task_us - cpu_us;
}

uint64_t cb__mix_start(const cb_params_t *p, uint64_t index)
{
  return cb_task_seed(p->seed, index) ^ p->size;
}

uint64_t cb__mix_rounds(uint64_t x, uint64_t from, uint64_t n)
{
  uint64_t i = from, end = from + n, stop;

  while (i < end) {
    stop = end - i > CHECKPOINT_EVERY ? i + CHECKPOINT_EVERY : end;
    for (; i < stop; i++)
      x = cb_mix64(x + i);
    cb_gil_checkpoint();
  }
  return x;
}

uint64_t cb__mix_sum(const cb__mix_plan_t *plan, uint64_t x, uint64_t waited_ns)
{
  return waited_ns >= plan->wait_us * 1000u ? x : ~x;
}

uint64_t cb__mix_expect(const cb_params_t *p, uint64_t index, uint64_t task_us)
{
  cb__mix_plan_t plan;
  uint64_t x;

  cb__mix_plan(p, task_us, &plan);
  x = cb__mix_rounds(cb__mix_start(p, index), 0, plan.rounds_before);
  x = cb__mix_rounds(x, plan.rounds_before, plan.rounds_after);
  return cb__mix_sum(&plan, x, plan.wait_us * 1000u);
}

int cb__mix_calibrate(uint64_t *calib)
{
  enum { BATCH = 1u << 18, TRIES = 7 }; /* about a millisecond each here */
  volatile uint64_t sink;
  uint64_t best = UINT64_MAX, t0, dt;
  int k;

  for (k = 0; k < TRIES; k++) {
    t0 = cb_now_ns();
    sink = cb__mix_rounds((uint64_t)k, 0, BATCH);
    dt = cb_now_ns() - t0;
    if (dt < best)
      best = dt;
  }
  (void)sink;
  *calib = best > 0 ? (uint64_t)BATCH * 1000000u / best : 0;
  return *calib > 0 ? 0 : -ERANGE;
}
