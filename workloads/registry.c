/* The one list of workloads, in the order `concbench list` shows them.
 * Adding a workload is one file in this directory and one line here (plus its
 * extern declaration just above). */
#include <string.h>

#include "workload.h"

extern const cb_workload_t cb_workload_noop;
extern const cb_workload_t cb_workload_cpu_hash;
extern const cb_workload_t cb_workload_cpu_fp;
extern const cb_workload_t cb_workload_cpu_matmul;
extern const cb_workload_t cb_workload_cpu_alloc;
extern const cb_workload_t cb_workload_io_sleep;
extern const cb_workload_t cb_workload_io_tcp;
extern const cb_workload_t cb_workload_io_file;
extern const cb_workload_t cb_workload_comm_pingpong;
extern const cb_workload_t cb_workload_comm_payload;
extern const cb_workload_t cb_workload_life_spawn;
extern const cb_workload_t cb_workload_life_idle;
extern const cb_workload_t cb_workload_fault_crash;
extern const cb_workload_t cb_workload_fault_error;
extern const cb_workload_t cb_workload_sync_mutex;
extern const cb_workload_t cb_workload_sync_rmutex;
extern const cb_workload_t cb_workload_sync_semaphore;
extern const cb_workload_t cb_workload_sync_atomic;
extern const cb_workload_t cb_workload_sync_none;

const cb_workload_t *const cb_workloads[] = {
  &cb_workload_noop,
  &cb_workload_cpu_hash,
  &cb_workload_cpu_fp,
  &cb_workload_cpu_matmul,
  &cb_workload_cpu_alloc,
  &cb_workload_io_sleep,
  &cb_workload_io_tcp,
  &cb_workload_io_file,
  &cb_workload_comm_pingpong,
  &cb_workload_comm_payload,
  &cb_workload_life_spawn,
  &cb_workload_life_idle,
  &cb_workload_fault_crash,
  &cb_workload_fault_error,
  &cb_workload_sync_mutex,
  &cb_workload_sync_rmutex,
  &cb_workload_sync_semaphore,
  &cb_workload_sync_atomic,
  &cb_workload_sync_none,
};
const size_t cb_workloads_count = CB_ARRAY_SIZE(cb_workloads);

const cb_workload_t *cb_workload_find(const char *name)
{
  size_t i;

  for (i = 0; i < cb_workloads_count; i++) {
    if (strcmp(cb_workloads[i]->name, name) == 0)
      return cb_workloads[i];
  }
  return NULL;
}

size_t cb_workload_family(const cb_workload_t *w, char *buf, size_t len)
{
  const char *dot = strchr(w->name, '.');
  size_t n = dot != NULL ? (size_t)(dot - w->name) : strlen(w->name);

  if (len == 0)
    return n;
  if (n >= len)
    n = len - 1;
  memcpy(buf, w->name, n);
  buf[n] = '\0';
  return n;
}

uint64_t cb_workload_tasks(const cb_workload_t *w, unsigned concurrency)
{
  return w->default_tasks > 0 ? w->default_tasks : concurrency;
}
