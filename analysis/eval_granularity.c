/* Task granularity (analysis/claim.h): how long a task must be before a
 * process pool costs no more than threads (within the claim's margin), per
 * variant (dispatch mode), at c = PUs without the GIL; the crossing is
 * log-interpolated between the steps on either side of the bound. */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "claim.h"
#include "stats.h"

/* The task time of the cell's size without concurrency: 1 / throughput of
 * the reference runner (cb_runner_t.reference) at c = 1, else c /
 * throughput of the cell itself. */
static double task_time(const cb_cells_t *cells, size_t c)
{
  long s = cb__find_reference(cells, c, "1");
  double tp = s >= 0 ? cb__median_of(cells, (size_t)s, "throughput") : 0;

  if (tp > 0)
    return 1 / tp;
  tp = cb__median_of(cells, c, "throughput");
  return tp > 0 ? (double)cb__conc(cells, c) / tp : 0;
}

enum { VARIANTS = 16, STEPS = 32 }; /* variants (dispatch modes) and task sizes, at most */

typedef struct step_s {
  double t, ratio; /* serial task time; median throughput ratio to threads */
  int kind;        /* 1 within the bound, -1 below it, 0 not significant */
} step_t;

static int by_time(const void *a, const void *b)
{
  double x = ((const step_t *)a)->t, y = ((const step_t *)b)->t;

  return (x > y) - (x < y);
}

/* Where a variant's steps cross the bound against `than`: after the last
 * significantly below it, at the first significantly within it;
 * log-interpolated. */
static void crossover(step_t *s, size_t n, double bound, const char *who, const char *than,
                      cb__judge_t *j)
{
  char lo[32], hi[32], at[32];
  size_t i, below = n, within = n;
  double t;
  size_t used = strlen(j->note);

  qsort(s, n, sizeof(*s), by_time);
  for (i = 0; i < n; i++) {
    if (s[i].kind < 0)
      below = i;
  }
  for (i = below == n ? 0 : below + 1; i < n && within == n; i++) {
    if (s[i].kind > 0)
      within = i;
  }
  if (n == 0 || used >= sizeof(j->note))
    return;
  if (below == n && within < n) {
    cb__duration(s[0].t, lo, sizeof(lo));
    snprintf(j->note + used, sizeof(j->note) - used, "%s is within %.0f%% of %s at every task "
             "time measured (from %s). ", who, 100 * (1 - bound), than, lo);
  } else if (within == n) {
    cb__duration(s[n - 1].t, hi, sizeof(hi));
    snprintf(j->note + used, sizeof(j->note) - used, "%s is not shown within %.0f%% of %s up "
             "to %s per task. ", who, 100 * (1 - bound), than, hi);
  } else {
    /* the median ratio meets the bound between steps below and within */
    t = s[within].t;
    if (s[below].ratio < bound && s[within].ratio > s[below].ratio)
      t = exp(log(s[below].t) + (log(s[within].t) - log(s[below].t)) *
                                    (bound - s[below].ratio) / (s[within].ratio - s[below].ratio));
    cb__duration(t, at, sizeof(at));
    cb__duration(s[below].t, lo, sizeof(lo));
    cb__duration(s[within].t, hi, sizeof(hi));
    snprintf(j->note + used, sizeof(j->note) - used, "%s comes within %.0f%% of %s from about "
             "%s per task (between %s, x%.2f, and %s, x%.2f). ", who, 100 * (1 - bound), than,
             at, lo, s[below].ratio, hi, s[within].ratio);
  }
}

/* How long a task must be before the side (a process pool) costs no more
 * than the other (threads) within the claim's margin, per variant of the
 * side (dispatch mode), at c = PUs without the GIL. */
void cb__eval_granularity(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                          const char *payload, cb__judge_t *j, cb_finding_t *f)
{
  const double bound = 1 - k->margin;
  char who[VARIANTS][64], name[64], tt[32];
  step_t (*steps)[STEPS] = calloc(VARIANTS, sizeof(*steps)); /* 12 KiB: not on the stack */
  size_t nsteps[VARIANTS] = { 0 }, nwho = 0, c, w;
  double floor, p, tp, tt_s, ratio;
  int more;
  long t;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  if (steps == NULL) {
    j->failed = 1;
    return;
  }
  for (c = 0; c < cells->n; c++) {
    if (fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0 ||
        cells->cell[c].n_ok == 0 || cb__is_gil(cells, c) ||
        strcmp(cb_cell_key(cells, c, "concurrency"), cb_cell_key(cells, c, "pus")) != 0)
      continue;
    cb_contestant(cells, c, name, sizeof(name));
    if (strncmp(name, k->side, strlen(k->side)) != 0)
      continue;
    t = cb__find(cells, c, k->others, NULL, NULL);
    if (t < 0)
      continue;
    for (w = 0; w < nwho && strcmp(who[w], name) != 0; w++)
      ;
    if (w == nwho) {
      if (nwho == CB_ARRAY_SIZE(who))
        continue;
      snprintf(who[nwho++], sizeof(who[w]), "%s", name);
    }
    p = cb__scaled_p(cells, c, (size_t)t, "throughput", bound, &floor, &more);
    tp = cb__median_of(cells, (size_t)t, "throughput");
    tt_s = task_time(cells, c);
    cb__duration(tt_s, tt, sizeof(tt));
    ratio = tp > 0 ? cb__median_of(cells, c, "throughput") / tp : 0;
    cb__judge_add(j, p, floor, more, "%s, %s per task (size %s), c=%s: %s at x%.2f of %s",
                  cb_cell_key(cells, c, "workload"), tt, cb_cell_key(cells, c, "size"),
                  cb_cell_key(cells, c, "concurrency"), name, ratio, k->others);
    if (nsteps[w] < CB_ARRAY_SIZE(steps[w]))
      steps[w][nsteps[w]++] = (step_t){ tt_s, ratio, 0 };
    /* significance is decided after Holm; remember the raw direction now,
     * the kind is filled from the judged comparison below */
    steps[w][nsteps[w] - 1].kind = (int)j->n; /* index of its comparison, +1 */
  }
  /* Holm over the claim, then each step's kind from its comparison. */
  if (j->n > 0) {
    double *adj = malloc(j->n * sizeof(*adj));
    size_t i;

    if (adj == NULL) {
      j->failed = 1;
      free(steps);
      return;
    }
    for (i = 0; i < j->n; i++)
      adj[i] = j->v[i].p;
    cb_holm(adj, j->n);
    for (w = 0; w < nwho; w++) {
      for (i = 0; i < nsteps[w]; i++) {
        size_t ci = (size_t)steps[w][i].kind - 1;
        steps[w][i].kind = adj[ci] < alpha && j->v[ci].floor < alpha
                               ? (j->v[ci].as_claimed ? 1 : -1)
                               : 0;
      }
      crossover(steps[w], nsteps[w], bound, who[w], k->others, j);
    }
    free(adj);
  }
  free(steps);
}
