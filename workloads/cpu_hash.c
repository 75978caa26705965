/* cpu.hash: pure integer work, `size` rounds of a 64-bit mixing function in a
 * dependent chain, so neither the compiler nor the CPU can skip or overlap
 * rounds. No memory traffic, no system calls: the purest test of whether a
 * concurrency model lets CPU work scale across cores. A GIL checkpoint
 * every 1024 rounds (a few microseconds) sits outside the inner loop. */
#include "gil.h"
#include "workload.h"

enum { CHECKPOINT_EVERY = 1024 };

static uint64_t hash_expect(const cb_task_t *t)
{
  uint64_t x = cb_task_seed(t->p->seed, t->index), i = 0, n = t->p->size, end;

  while (i < n) {
    end = n - i > CHECKPOINT_EVERY ? i + CHECKPOINT_EVERY : n;
    for (; i < end; i++)
      x = cb_mix64(x + i);
    cb_gil_checkpoint();
  }
  return x;
}

/* -Dslow_cpu_hash=true (a test build only) sets this to 1: every task then
 * also does a quarter more rounds whose result is thrown away, so the
 * checksum stays right and only the time grows (scripts/ab-selftest checks
 * that `concbench ab` flags cpu.hash and nothing else). It is data, read
 * once per task, so that both builds have the very same code: with the
 * extra loop compiled in only for the slow build, the code after it moved,
 * and cpu.matmul's inner loop, now aligned differently, ran 10-20% slower. */
static volatile unsigned slow_quarters = CB_SLOW_CPU_HASH;

static int hash_run(const cb_task_t *t, uint64_t *checksum)
{
  uint64_t x = t->index, i, extra = t->p->size / 4 * slow_quarters;
  volatile uint64_t sink;

  for (i = 0; i < extra; i++)
    x = cb_mix64(x + i);
  sink = x;
  (void)sink;
  *checksum = hash_expect(t);
  return 0;
}

const cb_workload_t cb_workload_cpu_hash = {
  .name = "cpu.hash",
  .description = "integer mixing in a dependent chain: CPU-bound, no memory traffic",
  .size_unit = "iterations",
  .default_size = 20000,
  .max_size = UINT64_C(10000000000), /* about 35 s per task here */
  .default_tasks = 2000,
  .run = hash_run,
  .expect = hash_expect,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(2000, 3000),
               [CB_PROFILE_STANDARD] = CB_SIZING(20000, 400),
               [CB_PROFILE_FULL] = CB_SIZING(20000, 1000) },
  .test = CB_SIZING(200, 40),
  .charts = CB_CHART_CPU_BOUND | CB_CHART_GRANULARITY,
};
