/* The one list of workloads, in the order `concbench list` shows them,
 * made from list.def (one line per workload), and the order of their
 * families on charts. */
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

/* The order of families on charts, which is not the order of `concbench
 * list` (that one starts with noop, the harness's own cost): computation
 * first, then waiting, mixed work, communication, synchronisation, worker
 * life, faults and the empty task. A family missing here follows them in
 * registry order. */
static const char *const chart_families[] = { "cpu", "io", "mix", "comm", "sync", "life",
                                              "fault", "noop" };

/* 1 when `family` (len bytes) is the family of workload `w`. */
static int of_family(const cb_workload_t *w, const char *family, size_t len)
{
  return strcspn(w->name, ".") == len && strncmp(w->name, family, len) == 0;
}

int cb_workload_family_rank(const char *workload)
{
  size_t i, len = strcspn(workload, ".");
  int rank = (int)CB_ARRAY_SIZE(chart_families);

  for (i = 0; i < CB_ARRAY_SIZE(chart_families); i++) {
    if (strlen(chart_families[i]) == len && strncmp(chart_families[i], workload, len) == 0)
      return (int)i;
  }
  for (i = 0; i < cb_workloads_count; i++) {
    if (of_family(cb_workloads[i], workload, len))
      return rank + (int)i;
  }
  return rank + (int)cb_workloads_count;
}

const cb_workload_t *cb_workload_charting(unsigned bit)
{
  size_t i;

  for (i = 0; i < cb_workloads_count; i++) {
    if ((cb_workloads[i]->charts & bit) != 0)
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
