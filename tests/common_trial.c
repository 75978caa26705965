/* The test helpers for processes and trials (tests/common.h): children and
 * shared memory, the failing case `cbt_where`, a described cell, every
 * runner variant, the workers a runner starts, and one trial run with the
 * expected checksums the harness computes. */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char cbt_where[256];

/* ---- processes ------------------------------------------------------------ */

void cbt_sleep_ms(long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

int cbt_no_children(void)
{
  errno = 0;
  return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

void *cbt_map_shared(size_t len)
{
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

  if (p == MAP_FAILED)
    fail_msg("mmap %zu shared bytes: %s", len, strerror(errno));
  return p;
}

int cbt_under_valgrind(void)
{
  return getenv("CB_UNDER_VALGRIND") != NULL;
}

/* ---- trials ---------------------------------------------------------------- */

const cb_workload_t *cbt_find_wl(const char *name)
{
  const cb_workload_t *wl = cb_workload_find(name);

  if (wl == NULL)
    fail_msg("workload %s is not in the registry", name);
  return wl;
}

cb_cell_t cbt_cell(const cb_workload_t *wl, const cb_runner_t *rn, unsigned c, uint64_t tasks,
                   uint64_t size, uint64_t seed)
{
  cb_cell_t cell = {
    .wl = wl,
    .rn = rn,
    .pin = CB_PIN_NONE,
    .concurrency = c,
    .params = { .tasks = tasks, .size = size, .seed = seed },
  };

  cbt_describe_cell(&cell);
  return cell;
}

void cbt_describe_cell(const cb_cell_t *cell)
{
  size_t used;

  used = (size_t)snprintf(cbt_where, sizeof(cbt_where), "%s under %s", cell->wl->name,
                          cell->rn != NULL ? cell->rn->name : "(a runner not in this build)");
  if (cell->dispatch != NULL && used < sizeof(cbt_where))
    used += (size_t)snprintf(cbt_where + used, sizeof(cbt_where) - used, "/%s/%s",
                             cell->dispatch, cell->transport != NULL ? cell->transport : "-");
  if (cell->gil && used < sizeof(cbt_where))
    used += (size_t)snprintf(cbt_where + used, sizeof(cbt_where) - used, "+gil");
  if (used < sizeof(cbt_where))
    used += (size_t)snprintf(cbt_where + used, sizeof(cbt_where) - used, ", c=%u",
                             cell->concurrency);
  if (cell->pin != CB_PIN_NONE && used < sizeof(cbt_where))
    used += (size_t)snprintf(cbt_where + used, sizeof(cbt_where) - used, ", pin=%s",
                             cb_pin_name(cell->pin));
  if (used < sizeof(cbt_where))
    used += (size_t)snprintf(cbt_where + used, sizeof(cbt_where) - used,
                             ", tasks=%llu, size=%llu", (unsigned long long)cell->params.tasks,
                             (unsigned long long)cell->params.size);
  if (cell->params.payload != 0 && used < sizeof(cbt_where))
    snprintf(cbt_where + used, sizeof(cbt_where) - used, ", payload=%llu",
             (unsigned long long)cell->params.payload);
}

size_t cbt_variants(cbt_variant_t *v, size_t max)
{
  size_t i, d, t, n = 0;

  for (i = 0; i < cb_runners_count; i++)
    for (d = 0; cb_runners[i]->dispatches[d] != NULL; d++)
      for (t = 0; cb_runners[i]->transports[t] != NULL; t++)
        if (n < max)
          v[n++] = (cbt_variant_t){ cb_runners[i], cb_runners[i]->dispatches[d],
                                    cb_runners[i]->transports[t] };
  return n;
}

unsigned cbt_expected_workers(const cb_runner_t *rn, unsigned c, unsigned pus)
{
  if (strcmp(rn->name, "serial") == 0)
    return 1;
  if (strcmp(rn->name, "eventloop") == 0)
    return c < pus ? c : pus;
  if (strcmp(rn->name, "loop1") == 0)
    return 1;
  if (strcmp(rn->name, "procs-loops") == 0) /* one loop per process, P = PUs */
    return c < pus ? c : pus > 0 ? (c + (c + pus - 1) / pus - 1) / ((c + pus - 1) / pus) : 1;
  return c; /* threads, processes, procs-threads (every thread of every process) */
}

int cbt_trial(const cb_cell_t *cell, const cb_topo_t *topo, int supervise, double timeout_s,
              volatile const int *stop, cb_trial_t *t)
{
  uint64_t *expected = NULL;
  int rc;

  CBT_CHECK_EQ(cb_trial_expected(cell, cell->params.tasks, &expected), 0);
  if (supervise)
    rc = cb_trial_supervised(cell, topo, expected, timeout_s, stop, t);
  else
    rc = cb_trial_execute(cell, topo, expected, t);
  free(expected);
  return rc;
}
