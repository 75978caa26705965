/* The one list of workloads, in the order `concbench list` shows them,
 * made from list.def (one line per workload). */
#include <string.h>

#include "workload.h"

#define CB_WORKLOAD(name) extern const cb_workload_t cb_workload_##name;
#include "list.def"
#undef CB_WORKLOAD

const cb_workload_t *const cb_workloads[] = {
#define CB_WORKLOAD(name) &cb_workload_##name,
#include "list.def"
#undef CB_WORKLOAD
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
