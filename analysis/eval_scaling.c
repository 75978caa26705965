/* Evaluators that compare a cell with its own series at c = 1
 * (analysis/claim.h): the speedup a model gets under the GIL, and what
 * contention does to the cost of every update. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "claim.h"


/* Under the GIL, speedup from c = 1 to c: none claimed for threads on CPU
 * work (the claim's cpu_work), a speedup for waits and for processes (the
 * claim's others and side). "A speedup" means more than
 * half way from none to the ideal (min(c, PUs) for CPU work, c for waits);
 * both ways are tested by Mann-Whitney against the c = 1 samples scaled by
 * that bound. */
void cb__eval_gil(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                  const char *payload, cb__judge_t *j, cb_finding_t *f)
{
  char name[64], side[80], other[80], h1[32], hc[32];
  unsigned long c_, pus;
  double ideal, bound, floor, p, s, m1;
  int cpu, expect_speedup, faster;
  size_t c;
  long one;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  cb__scoped(k->side, k->gil, side, sizeof(side));
  cb__scoped(k->others, k->gil, other, sizeof(other));
  for (c = 0; c < cells->n; c++) {
    const char *wl = cb_cell_key(cells, c, "workload");
    cpu = fnmatch(k->cpu_work, wl, 0) == 0;
    c_ = cb__conc(cells, c);
    if (!cb__is_gil(cells, c) || cells->cell[c].n_ok == 0 || c_ < 2 ||
        fnmatch(k->workloads, wl, 0) != 0 || cb_cell_reference(cells, c))
      continue;
    cb_contestant(cells, c, name, sizeof(name));
    if (strcmp(name, other) != 0 && strcmp(name, side) != 0)
      continue;
    one = cb__find(cells, c, name, "1", NULL);
    if (one < 0)
      continue;
    pus = strtoul(cb_cell_key(cells, c, "pus"), NULL, 10);
    ideal = cpu ? (double)(c_ < pus || pus == 0 ? c_ : pus) : (double)c_;
    bound = (1 + ideal) / 2;
    p = cb__scaled_p(cells, c, (size_t)one, "throughput", bound, &floor, &faster);
    expect_speedup = !(cpu && strcmp(name, other) == 0);
    m1 = cb__median_of(cells, (size_t)one, "throughput");
    s = m1 > 0 ? cb__median_of(cells, c, "throughput") / m1 : 0;
    cb__human(cb__median_of(cells, (size_t)one, "throughput"), h1, sizeof(h1));
    cb__human(cb__median_of(cells, c, "throughput"), hc, sizeof(hc));
    cb__judge_add(j, p, floor, faster == expect_speedup,
                  "%s, %s: %s tasks/s at c=1, %s at c=%lu (x%.2f; claimed: %s x%.2g)", wl, name,
                  h1, hc, c_, s, expect_speedup ? "a speedup above" : "no speedup, below", bound);
  }
}

/* Every update costs more at c >= 2 than at c = 1 (without the GIL, which
 * would serialise the workers and hide the contention). */
void cb__eval_contention(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                         const char *payload, cb__judge_t *j, cb_finding_t *f)
{
  char name[64], h1[48], hc[48];
  double m1, mc, floor, p;
  size_t c;
  long one;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  for (c = 0; c < cells->n; c++) {
    const char *wl = cb_cell_key(cells, c, "workload");
    if (fnmatch(k->workloads, wl, 0) != 0 || cb__is_gil(cells, c) || cells->cell[c].n_ok == 0 ||
        cb__conc(cells, c) < 2 || cb_cell_reference(cells, c))
      continue;
    cb_contestant(cells, c, name, sizeof(name));
    one = cb__find(cells, c, name, "1", NULL);
    if (one < 0)
      continue;
    m1 = cb__median_of(cells, (size_t)one, "throughput");
    mc = cb__median_of(cells, c, "throughput");
    p = cb_cells_p(cells, (size_t)one, c, "throughput", &floor);
    cb__per_update(cells, (size_t)one, h1, sizeof(h1));
    cb__per_update(cells, c, hc, sizeof(hc));
    cb__judge_add(j, p, floor, m1 > mc, "%s, %s: %s at c=1, %s at c=%s (x%.2f)", wl, name, h1, hc,
                  cb_cell_key(cells, c, "concurrency"), mc > 0 ? m1 / mc : 0);
  }
}
