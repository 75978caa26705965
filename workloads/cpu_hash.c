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
