/* Evaluators that compare two cells in the same setting (analysis/claim.h):
 * the side's model against each opponent's in throughput (a Mann-Whitney
 * test of their trials) or in memory per worker (the bootstrap of the
 * slopes' difference), and one workload against another under each model,
 * within a margin ("no more than") or not ("cheaper"). */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "claim.h"
#include "stats.h"


/* The side's cells against each opponent's in the same setting: better
 * than it, or (a claim with a margin) no worse than it by more than the
 * margin, both tested by Mann-Whitney (the latter against the opponent's
 * samples scaled by the margin). */
void cb__eval_duels(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                    const char *payload, cb__judge_t *j, cb_finding_t *f)
{
  const char *unit = strcmp(k->metric, "throughput") == 0 ? "tasks/s" : "";
  char name[64], side[80], other[80], hs[32], ho[32];
  const char *p, *comma;
  double ms, mo, pv, floor;
  int more, as_claimed;
  size_t c;
  long o;

  CB_UNUSED(alpha);
  CB_UNUSED(f);
  cb__scoped(k->side, k->gil, side, sizeof(side));
  for (c = 0; c < cells->n; c++) {
    cb_contestant(cells, c, name, sizeof(name));
    if (strcmp(name, side) != 0 || cells->cell[c].n_ok == 0 || cb__is_gil(cells, c) != k->gil ||
        fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0 ||
        cb__conc(cells, c) < k->min_c ||
        (payload != NULL && strcmp(cb_cell_key(cells, c, "payload"), payload) != 0))
      continue;
    for (p = k->others; *p != '\0'; p = *comma ? comma + 1 : comma) {
      comma = p + strcspn(p, ",");
      snprintf(name, sizeof(name), "%.*s", (int)(comma - p), p);
      cb__scoped(name, k->gil, other, sizeof(other));
      o = cb__find(cells, c, other, NULL, NULL);
      if (o < 0)
        continue;
      ms = cb__median_of(cells, c, k->metric);
      mo = cb__median_of(cells, (size_t)o, k->metric);
      if (k->margin > 0) {
        /* "keeps up within the margin": the side against the opponent
         * scaled by 1 - margin (higher is better) or 1 + margin */
        pv = cb__scaled_p(cells, c, (size_t)o, k->metric,
                          k->higher_better ? 1 - k->margin : 1 + k->margin, &floor, &more);
        as_claimed = k->higher_better ? more : !more;
      } else {
        pv = cb_cells_p(cells, c, (size_t)o, k->metric, &floor);
        as_claimed = k->higher_better ? ms > mo : ms < mo;
      }
      cb__human(ms, hs, sizeof(hs));
      cb__human(mo, ho, sizeof(ho));
      cb__judge_add(j, pv, floor, as_claimed, "%s, c=%s: %s %s %s vs %s %s %s (%+.0f%%)",
                    cb_cell_key(cells, c, "workload"), cb_cell_key(cells, c, "concurrency"), side,
                    hs, unit, other, ho, unit, mo != 0 ? 100 * (ms / mo - 1) : 0);
    }
  }
}

/* Per-worker cost: the slope of the metric over concurrency of the side's
 * series against each opponent's, by the bootstrap of the difference. */
void cb__eval_slopes(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                     const char *payload, cb__judge_t *j, cb_finding_t *f)
{
  cb_group_t *a = NULL, *b = NULL;
  size_t ka = 0, kb = 0, c, d;
  char name[64], side[80], other[80];
  double sa, sb, diff, lo, hi, p;
  long o;

  CB_UNUSED(payload);
  CB_UNUSED(f);
  cb__scoped(k->side, k->gil, side, sizeof(side));
  cb__scoped(k->others, k->gil, other, sizeof(other));
  for (c = 0; c < cells->n; c++) {
    cb_contestant(cells, c, name, sizeof(name));
    if (strcmp(name, side) != 0 || cells->cell[c].n_ok == 0 || cb__is_gil(cells, c) != k->gil ||
        fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0)
      continue;
    for (d = 0; d < c && !(cells->cell[d].n_ok > 0 && cb_same_series(cells, c, d)); d++)
      ;
    o = cb__find(cells, c, other, NULL, NULL);
    if (d < c || o < 0)
      continue; /* one comparison a series, from its first cell */
    if (cb_series_groups(cells, c, k->metric, &a, &ka) == 0 &&
        cb_series_groups(cells, (size_t)o, k->metric, &b, &kb) == 0) {
      sa = cb_slope(a, ka);
      sb = cb_slope(b, kb);
      if (ka < 2 || kb < 2) {
        cb__judge_add(j, 1, 1, 0, "%s: %s and %s at one concurrency only: no slope",
                      cb_cell_key(cells, c, "workload"), side, other);
      } else {
        diff = cb_bootstrap_slope(a, ka, b, kb, 1 - alpha, 2000, 0x5eed, &lo, &hi, &p);
        cb__judge_add(j, p, 1.0 / 2000, k->higher_better ? diff < 0 : diff > 0,
                      "%s, c=%s..%lu: %s %.1f KiB per worker vs %s %.1f KiB (difference %.1f "
                      "KiB, %.0f%% CI [%.1f, %.1f])", cb_cell_key(cells, c, "workload"),
                      cb_cell_key(cells, c, "concurrency"), (unsigned long)b[kb - 1].x, side, sa,
                      other, sb, diff, 100 * (1 - alpha), lo, hi);
      }
    }
    cb_groups_free(a, ka);
    cb_groups_free(b, kb);
    a = b = NULL;
    ka = kb = 0;
  }
}


/* `side` (a workload) costs more or less than `other` per task in the same
 * setting; a bound of 1 + margin claims "no more than, within the margin". */
void cb__eval_cheaper(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                      const char *payload, cb__judge_t *j, cb_finding_t *f)
{
  char name[64], hs[48], ho[48];
  double ms, mo, floor, p, scale = 1 - k->margin;
  int more;
  size_t c;
  long o;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  for (c = 0; c < cells->n; c++) {
    if (strcmp(cb_cell_key(cells, c, "workload"), k->side) != 0 || cells->cell[c].n_ok == 0 ||
        cb_cell_reference(cells, c) || cb__is_gil(cells, c))
      continue;
    cb_contestant(cells, c, name, sizeof(name));
    o = cb__find(cells, c, name, NULL, k->others);
    if (o < 0)
      continue;
    ms = cb__median_of(cells, c, "throughput");
    mo = cb__median_of(cells, (size_t)o, "throughput");
    p = cb__scaled_p(cells, c, (size_t)o, "throughput", scale, &floor, &more);
    cb__per_update(cells, c, hs, sizeof(hs));
    cb__per_update(cells, (size_t)o, ho, sizeof(ho));
    cb__judge_add(j, p, floor, more, "%s, c=%s: %s %s, %s %s (%s %+.0f%%)", name,
                  cb_cell_key(cells, c, "concurrency"), k->side, hs, k->others, ho, k->side,
                  ms > 0 ? 100 * (mo / ms - 1) : 0);
  }
}
