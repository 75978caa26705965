/* cpu.hash: pure integer work, `size` rounds of a 64-bit mixing function in a
 * dependent chain, so neither the compiler nor the CPU can skip or overlap
 * rounds. No memory traffic, no system calls: the purest test of whether a
 * concurrency model lets CPU work scale across cores. */
#include "workload.h"

static uint64_t hash_expect(const cb_task_t *t)
{
  uint64_t x = cb_task_seed(t->p->seed, t->index), i;

  for (i = 0; i < t->p->size; i++)
    x = cb_mix64(x + i);
  return x;
}

static int hash_run(const cb_task_t *t, uint64_t *checksum)
{
  *checksum = hash_expect(t);
  return 0;
}

const cb_workload_t cb_workload_cpu_hash = {
  .name = "cpu.hash",
  .description = "integer mixing in a dependent chain: CPU-bound, no memory traffic",
  .size_unit = "iterations",
  .default_size = 20000,
  .default_tasks = 2000,
  .run = hash_run,
  .expect = hash_expect,
};
