/* comm.payload: each task takes --payload bytes in and gives as many back,
 * transformed by a key derived from its index; the checksum covers every byte
 * of the output. The work on the bytes is one pass, so what differs between
 * runners is the moving: threads pass pointers, processes copy the bytes
 * through their transport both ways (pipe, or shared memory with
 * --transport shm), which is the folklore "processes pay for every byte they
 * exchange", measured against payload size. */
#include "gil.h"
#include "workload.h"

enum { CHECKPOINT_EVERY = 65536 }; /* bytes between GIL checkpoints */

static uint64_t payload_sum(const cb_task_t *t)
{
  size_t i = 0, n = (size_t)t->p->payload, end;
  uint64_t key = cb_mix64(t->index + 1);

  while (i < n) {
    end = n - i > CHECKPOINT_EVERY ? i + CHECKPOINT_EVERY : n;
    for (; i < end; i++)
      t->out[i] = t->in[i] ^ (unsigned char)(key >> (8 * (i & 7)));
    cb_gil_checkpoint();
  }
  return cb_digest(t->out, n, cb_task_seed(t->p->seed, t->index));
}

static int payload_run(const cb_task_t *t, uint64_t *checksum)
{
  *checksum = payload_sum(t);
  return 0;
}

const cb_workload_t cb_workload_comm_payload = {
  .name = "comm.payload",
  .description = "transform --payload bytes in and out per task: the cost of moving data",
  .size_unit = "none",
  .default_size = 0,
  .max_size = CB_SIZE_UNUSED,
  .default_tasks = 2000,
  .default_payload = 65536,
  .run = payload_run,
  .writes_out = 1,
  .expect = payload_sum,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(0, 400),
               [CB_PROFILE_STANDARD] = CB_SIZING(0, 200),
               [CB_PROFILE_FULL] = CB_SIZING(0, 200) },
  .test = CB_SIZING(0, 30),
  .charts = CB_CHART_PAYLOAD,
};
