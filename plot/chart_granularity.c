/* The granularity chart: how efficient each model is against the time one
 * task takes, with serial at each size as the measure of that time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "chart.h"

/* The serial task time of a cell's size: 1 / the median throughput of the
 * serial cell of that size (0 when there is none). */
static double serial_task_time(const cb_cells_t *cells, size_t c)
{
  size_t d;

  for (d = 0; d < cells->n; d++) {
    if (cells->cell[d].n_ok > 0 && cb_cell_reference(cells, d) &&
        strcmp(cb_cell_key(cells, d, "workload"), cb_cell_key(cells, c, "workload")) == 0 &&
        strcmp(cb_cell_key(cells, d, "size"), cb_cell_key(cells, c, "size")) == 0 &&
        strcmp(cb_cell_key(cells, d, "host"), cb_cell_key(cells, c, "host")) == 0 &&
        strcmp(cb_cell_key(cells, d, "gil"), cb_cell_key(cells, c, "gil")) == 0 &&
        cb__metric(cells, d, CB_M_throughput)->median > 0)
      return 1 / cb__metric(cells, d, CB_M_throughput)->median;
  }
  return 0;
}

/* Throughput relative to c serial workers: 1 is the ideal, c times serial. */
static int pt_relative(const cb_cells_t *cells, size_t c, double *v, const void *ctx)
{
  double t = serial_task_time(cells, c);

  CB_UNUSED(ctx);
  if (t <= 0)
    return 0;
  return cb__pt_metric(cells, c, v, CB_M_throughput, t / cb__concurrency(cells, c));
}

/* The kind's workload (CB_CHART_GRANULARITY) at c = PUs without the GIL
 * over several sizes: how efficient each model is against the time one
 * task takes, with serial at each size as the measure of that time. */
void cb__draw_granularity(cb__plot_ctx_t *x)
{
  cb_plot_t *p = x->p;
  const cb__set_t *set = x->set;
  const cb_cells_t *cells = set->cells;
  const char *name = x->kind->name, *wname = x->workload;
  size_t i, k, n = 0, ns = 0, nsizes = 0;
  double sizes[64];
  size_t *pick = NULL;
  cb__series_t *s = NULL;
  cb__variant_t v = { 0 };
  cb__chart_t ch;
  cb__lines_t l;
  char title[256], sub[512], wl[320], tr[160], why[160];

  pick = malloc((cells->n + 1) * sizeof(*pick));
  s = calloc(cells->n + 1, sizeof(*s));
  if (pick == NULL || s == NULL) {
    cb__plot_skip(p, name, "out of memory");
    goto out;
  }
  for (i = 0; i < cells->n; i++) {
    size_t c = set->order[i];
    double sz = cb__key_num(cells, c, "size");
    if (strcmp(cb_cell_key(cells, c, "workload"), wname) != 0 || cb__gil_of(cells, c) ||
        cb_cell_reference(cells, c) || cells->cell[c].n_ok == 0 ||
        cb__concurrency(cells, c) != cb__key_num(cells, c, "pus") ||
        serial_task_time(cells, c) <= 0)
      continue;
    pick[n++] = c;
    for (k = 0; k < nsizes && sizes[k] != sz; k++)
      ;
    if (k == nsizes && nsizes < CB_ARRAY_SIZE(sizes))
      sizes[nsizes++] = sz;
  }
  if (nsizes < 2) {
    snprintf(why, sizeof(why), "%s ran at c = PUs with fewer than two sizes beside serial (the "
             "standard profile sweeps them)", wname);
    cb__plot_skip(p, name, why);
    goto out;
  }
  if (cb__series_group(cells, pick, n, s, &ns) != 0)
    goto out;
  cb__series_sort(cells, s, ns, serial_task_time); /* each series by task time */
  cb__chart_init(&ch, x->kind->script, "%s", name);
  cb__lines_init(&l, &ch, "size");
  l.xfn = serial_task_time;
  v.workload = wname;
  v.cell = pick;
  v.n = n;
  snprintf(title, sizeof(title), "Efficiency against task duration (%s, c = %g)", wname,
           cb__key_num(cells, pick[0], "pus"));
  qsort(sizes, nsizes, sizeof(sizes[0]), cb__cmp_double);
  snprintf(wl, sizeof(wl), "%s at %zu sizes, %g to %g %s, pin %s", wname, nsizes, sizes[0],
           sizes[nsizes - 1], cb_cell_key(cells, pick[0], "size_unit")[0] != '\0'
                                  ? cb_cell_key(cells, pick[0], "size_unit") : "iterations",
           cb_cell_key(cells, pick[0], "pin"));
  cb__trials_text(cells, pick, n, tr, sizeof(tr));
  snprintf(sub, sizeof(sub), "%s  ·  %s", wl, tr);
  cb__titles(&ch, cells, pick, n, title, sub);
  {
    cb__plot_ctx_t y = { .p = p, .cells = cells, .v = &v, .s = s, .ns = ns };
    cb__note(&ch, &y, "efficiency = tasks/s / (c x serial tasks/s of the same size); task "
                  "duration = serial time per task; dashed: within 5% of ideal");
  }
  for (i = 0; i < ns; i++)
    cb__lines_add(&l, cells, &s[i], pt_relative, NULL);
  if (l.n == 0) {
    cb__plot_skip(p, name, "no series with ok trials");
  } else {
    cb__lines_vars(&l, CB__X_TIME, 0, CB__UNIT_TIMES, "");
    cb__chart_draw(p, &ch, x->err, x->errlen);
  }
  cb__lines_free(&l);
  cb__chart_free(&ch);
out:
  for (i = 0; s != NULL && i < ns; i++)
    free(s[i].cell);
  free(s);
  free(pick);
}
