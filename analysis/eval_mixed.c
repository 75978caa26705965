/* Mixed work (analysis/claim.h): mix.* workloads, whose size is the CPU
 * share of a task, judged along that share. Each series (workload,
 * concurrency, setting) says, after Holm over the claim, where the winner
 * changes and where the medians meet. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "claim.h"
#include "stats.h"

enum { MIX_SERIES = 16, MIX_STEPS = 32 };

typedef struct mix_step_s {
  double share, ratio; /* CPU share (%); median throughput, side / other */
  size_t cmp;          /* its comparison in the judge, then its kind */
  int kind;            /* 1 side significantly ahead, -1 behind, 0 neither */
} mix_step_t;

typedef struct mix_series_s {
  size_t first;        /* a side cell of the series: workload, c, setting */
  size_t n;
  mix_step_t step[MIX_STEPS];
} mix_series_t;

static int by_share(const void *a, const void *b)
{
  double x = ((const mix_step_t *)a)->share, y = ((const mix_step_t *)b)->share;

  return (x > y) - (x < y);
}

/* The series of side cell c: same workload, concurrency and setting. */
static size_t mix_series_of(const cb_cells_t *cells, mix_series_t *s, size_t *ns, size_t c)
{
  static const char *const same[] = { "host", "workload", "concurrency", "payload", "pin",
                                      "switch_interval_us" };
  size_t i, k;

  for (i = 0; i < *ns; i++) {
    for (k = 0; k < CB_ARRAY_SIZE(same) && cb__key_eq(cells, s[i].first, c, same[k]); k++)
      ;
    if (k == CB_ARRAY_SIZE(same))
      return i;
  }
  if (*ns < MIX_SERIES) {
    s[*ns].first = c;
    s[*ns].n = 0;
    (*ns)++;
  }
  return *ns - 1 < i ? *ns - 1 : i;
}

/* Where the ratio's line crosses 1 between steps a and b (the first pair of
 * neighbours whose ratios lie on either side of it), linear in the share;
 * -1 when none does. */
static double ratio_meets_one(const mix_step_t *st, size_t a, size_t b)
{
  size_t i;

  for (i = a; i < b; i++) {
    double r1 = st[i].ratio - 1, r2 = st[i + 1].ratio - 1;
    if (r1 != 0 && (r1 > 0) != (r2 > 0))
      return st[i].share + (st[i + 1].share - st[i].share) * r1 / (r1 - r2);
  }
  return -1;
}

/* "1%" or "1-25%": the shares of steps a..b. */
static void share_span(const mix_step_t *st, size_t a, size_t b, char *buf, size_t len)
{
  if (a == b)
    snprintf(buf, len, "%g%%", st[a].share);
  else
    snprintf(buf, len, "%g-%g%%", st[a].share, st[b].share);
}

/* One series' sentence: who is ahead at which shares, from the lowest
 * share to the highest ("threads+gil ahead at 0%, tied at 1-25%, ..."),
 * then each change of winner as the interval between the last share where
 * one model is significantly ahead and the next where the other is (its
 * uncertainty), with the share at which the median ratio crosses 1 inside
 * it. */
static void mix_sentence(const mix_series_t *s, const cb_cells_t *cells, const char *side,
                         const char *other, char *buf, size_t len)
{
  const mix_step_t *st = s->step;
  size_t i, j, last = s->n, used, changes = 0;
  char span[32];
  double at;

  used = (size_t)snprintf(buf, len, "%s, c=%s: ", cb_cell_key(cells, s->first, "workload"),
                          cb_cell_key(cells, s->first, "concurrency"));
  for (i = 0; i < s->n && used < len; i = j) {
    for (j = i + 1; j < s->n && st[j].kind == st[i].kind; j++)
      ;
    share_span(st, i, j - 1, span, sizeof(span));
    used += (size_t)snprintf(buf + used, len - used, "%s%s%s at %s", i > 0 ? ", " : "",
                             st[i].kind > 0 ? side : st[i].kind < 0 ? other : "tied",
                             st[i].kind != 0 ? " ahead" : "", span);
  }
  if (used < len)
    used += (size_t)snprintf(buf + used, len - used, " CPU");
  for (i = 0; i < s->n && used < len; i++) {
    if (st[i].kind == 0)
      continue;
    if (last < s->n && st[last].kind != st[i].kind) {
      used += (size_t)snprintf(buf + used, len - used, "%s the winner changes between %g%% "
                               "and %g%%", changes ? ", and again" : ":", st[last].share,
                               st[i].share);
      at = ratio_meets_one(st, last, i);
      if (at >= 0 && used < len)
        used += (size_t)snprintf(buf + used, len - used, " (the medians meet at about %.2g%%)",
                                 at);
      changes++;
    }
    last = i;
  }
  if (used < len)
    snprintf(buf + used, len - used, "%s. ", changes > 0 ? "" : ": no change of winner");
}

/* Mixed work (mix.*, whose size is the CPU share): the side against the
 * other at every share, per series (workload, concurrency, setting); after
 * Holm over the claim, each series says where the winner changes. */
void cb__eval_crossover(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                        const char *payload, cb__judge_t *j, cb_finding_t *f)
{
  mix_series_t *s = calloc(MIX_SERIES, sizeof(*s));
  char name[64], side[80], other[80], hs[32], ho[32], line[400];
  size_t c, ns = 0, i, q, used;
  double ms, mo, pv, floor, *adj = NULL;
  long o;

  CB_UNUSED(payload);
  CB_UNUSED(f);
  if (s == NULL) {
    j->failed = 1;
    return;
  }
  cb__scoped(k->side, k->gil, side, sizeof(side));
  cb__scoped(k->others, k->gil, other, sizeof(other));
  for (c = 0; c < cells->n; c++) {
    cb_contestant(cells, c, name, sizeof(name));
    if (strcmp(name, side) != 0 || cells->cell[c].n_ok == 0 || cb__is_gil(cells, c) != k->gil ||
        fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0)
      continue;
    o = cb__find(cells, c, other, NULL, NULL);
    if (o < 0)
      continue;
    i = mix_series_of(cells, s, &ns, c);
    if (s[i].n == MIX_STEPS)
      continue;
    ms = cb__median_of(cells, c, "throughput");
    mo = cb__median_of(cells, (size_t)o, "throughput");
    pv = cb_cells_p(cells, c, (size_t)o, "throughput", &floor);
    cb__human(ms, hs, sizeof(hs));
    cb__human(mo, ho, sizeof(ho));
    s[i].step[s[i].n++] = (mix_step_t){ strtod(cb_cell_key(cells, c, "size"), NULL),
                                        mo > 0 ? ms / mo : 0, j->n, 0 };
    cb__judge_add(j, pv, floor, ms > mo, "%s, c=%s, %s%% CPU: %s %s tasks/s vs %s %s (%+.0f%%)",
                  cb_cell_key(cells, c, "workload"), cb_cell_key(cells, c, "concurrency"),
                  cb_cell_key(cells, c, "size"), side, hs, other, ho,
                  mo != 0 ? 100 * (ms / mo - 1) : 0);
  }
  if (j->n > 0 && (adj = malloc(j->n * sizeof(*adj))) == NULL)
    j->failed = 1;
  for (i = 0; adj != NULL && i < j->n; i++)
    adj[i] = j->v[i].p;
  if (adj != NULL)
    cb_holm(adj, j->n);
  used = strlen(j->note);
  for (i = 0; adj != NULL && i < ns; i++) {
    for (q = 0; q < s[i].n; q++) {
      const cb__cmp_t *cm = &j->v[s[i].step[q].cmp];
      s[i].step[q].kind = adj[s[i].step[q].cmp] < alpha && cm->floor < alpha
                              ? (cm->as_claimed ? 1 : -1) : 0;
    }
    qsort(s[i].step, s[i].n, sizeof(s[i].step[0]), by_share);
    mix_sentence(&s[i], cells, side, other, line, sizeof(line));
    if (used < sizeof(j->note))
      used += (size_t)snprintf(j->note + used, sizeof(j->note) - used, "%s", line);
  }
  free(adj);
  free(s);
}
