/* Contests between runners; see analysis.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "cells.h"
#include "runner.h"
#include "stats.h"

/* A contest: every key column but the runner and its variants (transport,
 * dispatch mode) and the task count. */
static const char *const group_columns[] = { "host", "workload", "concurrency", "size",
                                             "payload", "pin", "gil", "switch_interval_us" };

int cb_cell_reference(const cb_cells_t *cells, size_t cell)
{
  const cb_runner_t *rn = cb_runner_find(cb_cell_key(cells, cell, "runner"));

  return rn != NULL && rn->reference;
}

void cb_model(const cb_cells_t *cells, size_t cell, char *buf, size_t len)
{
  const char *name = cb_cell_key(cells, cell, "runner");
  const cb_runner_t *rn = cb_runner_find(name);

  /* a runner this build does not know stands for a model of its own name */
  snprintf(buf, len, "%s%s", rn != NULL && rn->model != NULL ? rn->model : name,
           strcmp(cb_cell_key(cells, cell, "gil"), "1") == 0 ? "+gil" : "");
}

void cb_variant(const cb_cells_t *cells, size_t cell, char *buf, size_t len)
{
  const char *rn = cb_cell_key(cells, cell, "runner");
  const char *tr = cb_cell_key(cells, cell, "transport");
  const char *ds = cb_cell_key(cells, cell, "dispatch");
  int odd_tr = !cb_runner_default_transport(rn, tr), odd_ds = !cb_default_dispatch(rn, ds);

  snprintf(buf, len, "%s%s%s", odd_tr ? tr : "", odd_tr && odd_ds ? "/" : "", odd_ds ? ds : "");
}

void cb_contestant(const cb_cells_t *cells, size_t cell, char *buf, size_t len)
{
  const char *rn = cb_cell_key(cells, cell, "runner");
  const char *tr = cb_cell_key(cells, cell, "transport");
  const char *ds = cb_cell_key(cells, cell, "dispatch");
  const char *gil = strcmp(cb_cell_key(cells, cell, "gil"), "1") == 0 ? "+gil" : "";
  size_t used;

  used = (size_t)snprintf(buf, len, "%s", rn);
  if (!cb_runner_default_transport(rn, tr) && used < len)
    used += (size_t)snprintf(buf + used, len - used, "/%s", tr);
  if (!cb_default_dispatch(rn, ds) && used < len)
    used += (size_t)snprintf(buf + used, len - used, "/%s", ds);
  if (used < len)
    snprintf(buf + used, len - used, "%s", gil);
}

int cb_cell_short_handed(const cb_cells_t *cells, size_t cell)
{
  const char *in = cb_cell_key(cells, cell, "inflight");

  return in[0] != '\0' &&
         strtoul(in, NULL, 10) < strtoul(cb_cell_key(cells, cell, "concurrency"), NULL, 10);
}

int cb_cell_inline(const cb_cells_t *cells, size_t cell)
{
  return strcmp(cb_cell_key(cells, cell, "inline"), "1") == 0;
}

int cb_same_series(const cb_cells_t *cells, size_t a, size_t b)
{
  static const char *const keys[] = { "host", "workload", "size", "payload", "pin" };
  char x[64], y[64];
  size_t i;

  for (i = 0; i < CB_ARRAY_SIZE(keys); i++) {
    if (strcmp(cb_cell_key(cells, a, keys[i]), cb_cell_key(cells, b, keys[i])) != 0)
      return 0;
  }
  cb_contestant(cells, a, x, sizeof(x));
  cb_contestant(cells, b, y, sizeof(y));
  return strcmp(x, y) == 0;
}

void cb_groups_free(cb_group_t *g, size_t k)
{
  size_t i;

  for (i = 0; g != NULL && i < k; i++)
    free((double *)g[i].y);
  free(g);
}

int cb_series_groups(const cb_cells_t *cells, size_t like, const char *metric,
                     cb_group_t **out, size_t *k)
{
  cb_group_t *g = calloc(cells->n > 0 ? cells->n : 1, sizeof(*g));
  size_t c, n = 0;

  if (g == NULL)
    return -ENOMEM;
  for (c = 0; c < cells->n; c++) {
    if (cells->cell[c].n_ok == 0 || !cb_same_series(cells, like, c))
      continue;
    g[n].x = strtod(cb_cell_key(cells, c, "concurrency"), NULL);
    g[n].y = cb_cell_samples(cells, c, metric, &g[n].n);
    if (g[n].y == NULL) {
      cb_groups_free(g, n);
      return -ENOMEM;
    }
    n++;
  }
  *out = g;
  *k = n;
  return 0;
}

static int same_group(const cb_cells_t *cells, size_t a, size_t b)
{
  size_t i;

  for (i = 0; i < CB_ARRAY_SIZE(group_columns); i++) {
    if (strcmp(cb_cell_key(cells, a, group_columns[i]), cb_cell_key(cells, b, group_columns[i])))
      return 0;
  }
  return 1;
}

double cb_cells_p(const cb_cells_t *cells, size_t a, size_t b, const char *metric,
                  double *floor)
{
  size_t na = 0, nb = 0;
  double *x = cb_cell_samples(cells, a, metric, &na);
  double *y = cb_cell_samples(cells, b, metric, &nb);
  double p = x != NULL && y != NULL ? cb_mann_whitney_p(x, na, y, nb) : 1;

  if (floor != NULL)
    *floor = cb_mw_min_p(na, nb);
  free(x);
  free(y);
  return p;
}

static double median_tp(const cb_cells_t *cells, size_t c)
{
  return cells->cell[c].m[CB_M_throughput].median;
}

static int same_model(const cb_cells_t *cells, size_t a, size_t b)
{
  char x[64], y[64];

  cb_model(cells, a, x, sizeof(x));
  cb_model(cells, b, y, sizeof(y));
  return strcmp(x, y) == 0;
}

/* A cell that may compete: it has ok trials, ran c in flight, and stands
 * for a concurrency model, not the reference. */
static int competes(const cb_cells_t *cells, size_t c)
{
  return cells->cell[c].n_ok > 0 && !cb_cell_short_handed(cells, c) &&
         !cb_cell_reference(cells, c);
}

/* Decide one group, whose first cell is `first`. Each model is represented
 * by its best variant (transport, dispatch mode): variants of one model do
 * not compete with each other. */
static void decide(const cb_cells_t *cells, size_t first, const char *done, double alpha,
                   cb_contest_t *k)
{
  size_t c, d;
  long best;

  memset(k, 0, sizeof(*k));
  k->first = first;
  k->runner_up = -1;
  k->winner = first;
  k->p = 1;
  for (c = first; c < cells->n; c++) {
    if (done[c] || !same_group(cells, first, c) || !competes(cells, c))
      continue;
    /* c stands for its model only if no variant of the model beats it */
    for (best = (long)c, d = first; d < cells->n; d++) {
      if (d != c && !done[d] && same_group(cells, first, d) && competes(cells, d) &&
          same_model(cells, c, d) &&
          (median_tp(cells, d) > median_tp(cells, c) ||
           (median_tp(cells, d) == median_tp(cells, c) && d < c)))
        best = (long)d;
    }
    if (best != (long)c)
      continue;
    k->contestants++;
    if (k->contestants == 1 || median_tp(cells, c) > median_tp(cells, k->winner)) {
      if (k->contestants > 1)
        k->runner_up = (long)k->winner;
      k->winner = c;
    } else if (k->runner_up < 0 || median_tp(cells, c) > median_tp(cells, (size_t)k->runner_up)) {
      k->runner_up = (long)c;
    }
  }
  if (k->runner_up >= 0) {
    double up = median_tp(cells, (size_t)k->runner_up);
    k->margin = up > 0 ? median_tp(cells, k->winner) / up - 1 : 0;
    k->p = cb_cells_p(cells, k->winner, (size_t)k->runner_up, "throughput", NULL);
  }
  k->tie = k->runner_up >= 0 && k->p >= alpha;
}

int cb_contests(const cb_cells_t *cells, double alpha, cb_contest_t **out, size_t *n)
{
  char *done = calloc(cells->n > 0 ? cells->n : 1, 1);
  cb_contest_t *k = calloc(cells->n > 0 ? cells->n : 1, sizeof(*k));
  size_t c, d, m = 0;

  if (done == NULL || k == NULL) {
    free(done);
    free(k);
    return -ENOMEM;
  }
  for (c = 0; c < cells->n; c++) {
    if (done[c])
      continue;
    decide(cells, c, done, alpha, &k[m]);
    for (d = c; d < cells->n; d++)
      done[d] |= same_group(cells, c, d);
    if (k[m].contestants > 0)
      m++;
  }
  free(done);
  *out = k;
  *n = m;
  return 0;
}
