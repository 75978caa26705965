/* The table of chart kinds, and drawing every chart of the cells with it.
 * A kind is one row: its name (what its files are called after), its
 * gnuplot script, when it is drawn (per variant of a workload, once for all
 * the cells, or once for a fleet of several hosts), the chart bit of the
 * workloads it is of if any (cb_workload_t.charts), and its draw function. Rows are drawn in the table's order:
 * per variant, each variant's kinds in turn; then the kinds of all the
 * cells; then, with several hosts, the fleet's. How to add a chart: plot.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "chart.h"
#include "fleet.h"
#include "plot.h"
#include "workload.h"

static const cb__plot_kind_t kinds[] = {
  { .name = "scaling", .script = "scaling.gp", .scope = CB__PLOT_VARIANT,
    .draw = cb__draw_scaling },
  { .name = "speedup", .script = "speedup.gp", .scope = CB__PLOT_VARIANT,
    .draw = cb__draw_speedup },
  { .name = "latency", .script = "latency.gp", .scope = CB__PLOT_VARIANT,
    .draw = cb__draw_latency },
  { .name = "efficiency", .script = "efficiency.gp", .scope = CB__PLOT_VARIANT,
    .draw = cb__draw_efficiency },
  { .name = "memory", .script = "memory.gp", .scope = CB__PLOT_VARIANT,
    .charts = CB_CHART_MEMORY, .draw = cb__draw_memory },
  { .name = "payload", .script = "payload.gp", .scope = CB__PLOT_SET,
    .charts = CB_CHART_PAYLOAD, .draw = cb__draw_payload },
  { .name = "granularity", .script = "granularity.gp", .scope = CB__PLOT_SET,
    .charts = CB_CHART_GRANULARITY, .draw = cb__draw_granularity },
  { .name = "share", .script = "share.gp", .scope = CB__PLOT_SET, .draw = cb__draw_share },
  { .name = "winners", .script = "winners.gp", .scope = CB__PLOT_SET,
    .draw = cb__draw_winners },
  { .name = "hosts-winners", .script = "winners.gp", .scope = CB__PLOT_FLEET,
    .draw = cb__draw_hosts_winners },
  { .name = "hosts-scaling", .script = "hosts-scaling.gp", .scope = CB__PLOT_FLEET,
    .draw = cb__draw_hosts_scaling },
};

/* Mixed work gets no chart per variant (one per share and GIL mode, each of
 * two concurrencies): share-W-cN holds all of them. The message names the
 * per-variant kinds of every workload: "scaling-, speedup-, ... and
 * efficiency-W". */
static void skip_mixed(cb_plot_t *p, const char *workload)
{
  char what[160];
  size_t k, n = 0, last = 0, u = 0;

  for (k = 0; k < CB_ARRAY_SIZE(kinds); k++) {
    if (kinds[k].scope == CB__PLOT_VARIANT && kinds[k].charts == 0)
      last = k;
  }
  what[0] = '\0';
  for (k = 0; k < CB_ARRAY_SIZE(kinds) && u < sizeof(what); k++) {
    if (kinds[k].scope != CB__PLOT_VARIANT || kinds[k].charts != 0)
      continue;
    u += (size_t)snprintf(what + u, sizeof(what) - u, "%s%s-", n == 0 ? "" : k == last ? " and "
                          : ", ", kinds[k].name);
    n++;
  }
  if (u < sizeof(what))
    snprintf(what + u, sizeof(what) - u, "%s", workload);
  cb__plot_skip(p, what, "mixed work is drawn against its CPU share (share-W-cN)");
}

/* A kind of one workload that no cells feed: which workload would. */
static void skip_unfed(cb_plot_t *p, const cb__plot_kind_t *kind)
{
  const cb_workload_t *wl = cb_workload_charting(kind->charts);
  char why[160];

  if (wl != NULL)
    snprintf(why, sizeof(why), "no %s cells (run -w %s)", wl->name, wl->name);
  else
    snprintf(why, sizeof(why), "no workload of this build feeds it");
  cb__plot_skip(p, kind->name, why);
}

/* Every per-variant kind that applies to each variant, in the table's
 * order; then a line for each kind of one workload that it never had. */
static void draw_variants(cb__plot_ctx_t *x, const cb__set_t *set, size_t *buf)
{
  int drawn[CB_ARRAY_SIZE(kinds)] = { 0 };
  size_t i, k;

  for (i = 0; i < set->nv && !cb__plot_stopped(x->p); i++) {
    const cb__variant_t *v = &set->v[i];
    const cb_workload_t *wl = cb_workload_find(v->workload);
    if (wl != NULL && wl->mixed_task_us > 0) {
      if (i == 0 || strcmp(set->v[i - 1].workload, v->workload) != 0)
        skip_mixed(x->p, v->workload);
      continue;
    }
    x->v = v;
    x->ns = cb__series_of(x->cells, v, x->s, buf);
    for (k = 0; k < CB_ARRAY_SIZE(kinds); k++) {
      if (kinds[k].scope != CB__PLOT_VARIANT ||
          (kinds[k].charts != 0 && (wl == NULL || (wl->charts & kinds[k].charts) == 0)))
        continue;
      x->kind = &kinds[k];
      x->workload = kinds[k].charts != 0 ? v->workload : NULL;
      kinds[k].draw(x);
      drawn[k] = 1;
    }
  }
  for (k = 0; k < CB_ARRAY_SIZE(kinds) && !cb__plot_stopped(x->p); k++) {
    if (kinds[k].scope == CB__PLOT_VARIANT && kinds[k].charts != 0 && !drawn[k])
      skip_unfed(x->p, &kinds[k]);
  }
  x->v = NULL;
  x->ns = 0;
  x->workload = NULL;
}

/* The kinds of one scope, in the table's order, until a stop. */
static void draw_scope(cb__plot_ctx_t *x, cb__plot_scope_t scope)
{
  size_t k;

  for (k = 0; k < CB_ARRAY_SIZE(kinds) && !cb__plot_stopped(x->p); k++) {
    if (kinds[k].scope != scope)
      continue;
    x->kind = &kinds[k];
    x->workload = NULL;
    if (kinds[k].charts != 0) {
      const cb_workload_t *wl = cb_workload_charting(kinds[k].charts);
      if (wl == NULL) {
        skip_unfed(x->p, &kinds[k]);
        continue;
      }
      x->workload = wl->name;
    }
    kinds[k].draw(x);
  }
  x->workload = NULL;
}

int cb_plot_charts(cb_plot_t *p, const cb_cells_t *cells, char *err, size_t errlen)
{
  cb__series_t *s = NULL;
  size_t *buf = NULL;
  cb__set_t set;
  cb_fleet_t fl;
  cb__plot_ctx_t x = { .p = p, .cells = cells, .set = &set, .err = err, .errlen = errlen };

  if (cb__set_build(cells, &set) != 0 || (s = calloc(cells->n + 1, sizeof(*s))) == NULL ||
      (buf = malloc((cells->n + 1) * sizeof(*buf))) == NULL) {
    free(s);
    cb__set_free(&set);
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  x.s = s;
  draw_variants(&x, &set, buf);
  draw_scope(&x, CB__PLOT_SET);
  if (cb__plot_stopped(p)) {
    /* nothing more to draw */
  } else if (cb_fleet_hosts(cells, &fl) != 0) {
    cb__plot_skip(p, "hosts-*", "out of memory");
  } else {
    x.fl = &fl;
    if (fl.n > 1)
      draw_scope(&x, CB__PLOT_FLEET);
    cb_fleet_free(&fl);
  }
  free(buf);
  free(s);
  cb__set_free(&set);
  return cb__plot_stopped(p) ? -EINTR : p->failed > 0 ? -EIO : 0;
}
