/* Mixed work (a task that computes for a share of its time and waits for
 * the rest): throughput against that CPU share, per workload and
 * concurrency, with the ideal curves on all PUs and on one CPU. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "chart.h"
#include "workload.h"

/* Where a share of 0 sits on the log axis: left of 1%, labelled "0%". */
#define SHARE_ZERO 0.3

static double share_x(const cb_cells_t *cells, size_t c)
{
  double s = cb__key_num(cells, c, "size");

  return s > 0 ? s : SHARE_ZERO;
}

/* The ideal throughput of c tasks of task_s seconds, `share` percent of it
 * CPU, on `cpus` CPUs: every task in flight all the time, or every CPU busy,
 * whichever bounds first. */
static double share_ideal(double c, double task_s, double share, double cpus)
{
  double waits = c / task_s, cpu = share > 0 ? cpus / (task_s * share / 100) : INFINITY;

  return waits < cpu ? waits : cpu;
}

/* The two ideal curves as the last two data blocks: on all PUs, and on one
 * CPU (a GIL shared by threads and loops), sampled densely on the log axis. */
static void share_ideals(cb__chart_t *ch, cb__lines_t *l, double c, double task_s, double pus)
{
  double cpus[2] = { pus, 1 }, x, y;
  int k, i;

  for (k = 0; k < 2; k++) {
    cb_buf_printf(&ch->data, "\n\n# ideal on %g CPUs\n", cpus[k]);
    for (i = 0; i <= 60; i++) {
      x = i == 0 ? SHARE_ZERO : pow(10, 2.0 * (i - 1) / 59); /* 1% to 100% */
      y = share_ideal(c, task_s, x == SHARE_ZERO ? 0 : x, cpus[k]);
      cb_buf_printf(&ch->data, "%.10g %.10g\n", x, y);
      cb__see_y(l, y);
    }
  }
}

/* One chart per mixed workload (a `mixed_task_us` in the registry) and
 * concurrency: median throughput against the CPU share per contestant, with
 * the ideal curves; the report's claims on mixed work link to them. */
static void share_one(cb__plot_ctx_t *x, const cb_workload_t *wl, unsigned long c_)
{
  cb_plot_t *p = x->p;
  const cb__set_t *set = x->set;
  const cb_cells_t *cells = set->cells;
  size_t i, n = 0, ns = 0;
  size_t *pick = malloc((cells->n + 1) * sizeof(*pick));
  cb__series_t *s = calloc(cells->n + 1, sizeof(*s));
  cb__variant_t v = { 0 };
  double pus = 0;
  cb__chart_t ch;
  cb__lines_t l;
  cb_buf_t tics = { 0 };
  char title[256], sub[512], tr[160], label[16];

  if (pick == NULL || s == NULL)
    goto out;
  for (i = 0; i < cells->n; i++) {
    size_t c = set->order[i];
    if (strcmp(cb_cell_key(cells, c, "workload"), wl->name) != 0 ||
        cb__concurrency(cells, c) != c_ || cb_cell_reference(cells, c) ||
        cells->cell[c].n_ok == 0)
      continue;
    pick[n++] = c;
    pus = cb__key_num(cells, c, "pus");
  }
  if (cb__series_group(cells, pick, n, s, &ns) != 0)
    goto out;
  cb__series_sort(cells, s, ns, share_x); /* each series by share */
  cb__chart_init(&ch, x->kind->script, "%s-%s-c%lu", x->kind->name, wl->name, c_);
  cb__lines_init(&l, &ch, "size");
  l.xfn = share_x;
  v.workload = wl->name;
  v.cell = pick;
  v.n = n;
  snprintf(title, sizeof(title), "%s: throughput vs CPU share per task (c = %lu)", wl->name,
           c_);
  cb__trials_text(cells, pick, n, tr, sizeof(tr));
  snprintf(sub, sizeof(sub), "each task %g ms: share %% CPU, the rest waiting  ·  pin %s  ·  %s",
           (double)wl->mixed_task_us / 1000, cb_cell_key(cells, pick[0], "pin"), tr);
  cb__titles(&ch, cells, pick, n, title, sub);
  {
    cb__plot_ctx_t y = { .p = p, .cells = cells, .v = &v, .s = s, .ns = ns };
    cb__note(&ch, &y, "grey: the ideal, c tasks on all PUs (solid) and on one CPU, as under a GIL "
                  "shared by threads or loops (dashed)");
  }
  for (i = 0; i < ns; i++)
    cb__lines_add(&l, cells, &s[i], cb__pt_throughput, NULL);
  if (l.n == 0) {
    cb__plot_skip(p, ch.name, "no series with ok trials");
  } else {
    share_ideals(&ch, &l, (double)c_, (double)wl->mixed_task_us / 1e6, pus > 0 ? pus : 1);
    cb__lines_vars(&l, CB__X_PLAIN, 1, CB__UNIT_SI, "");
    qsort(l.xs, l.nx, sizeof(l.xs[0]), cb__cmp_double);
    for (i = 0; i < l.nx; i++) {
      snprintf(label, sizeof(label), "%g%%%%", l.xs[i] == SHARE_ZERO ? 0 : l.xs[i]);
      cb_buf_printf(&tics, "%s\"%s\" %.10g", i ? ", " : "", label, l.xs[i]);
    }
    /* gnuplot reads tic labels as formats: "%%" is a percent sign. The last
     * assignment of xtics wins. */
    cb__var_s(&ch, "xtics", tics.data != NULL ? tics.data : "1");
    cb__chart_draw(p, &ch, x->err, x->errlen);
  }
  cb_buf_free(&tics);
  cb__lines_free(&l);
  cb__chart_free(&ch);
out:
  for (i = 0; s != NULL && i < ns; i++)
    free(s[i].cell);
  free(s);
  free(pick);
}

/* Every mixed workload at each concurrency it ran at. */
void cb__draw_share(cb__plot_ctx_t *x)
{
  cb_plot_t *p = x->p;
  const cb_cells_t *cells = x->cells;
  unsigned long seen[16];
  size_t w, c, k, nseen;

  for (w = 0; w < cb_workloads_count && !cb__plot_stopped(p); w++) {
    if (cb_workloads[w]->mixed_task_us == 0)
      continue;
    nseen = 0;
    for (c = 0; c < cells->n && !cb__plot_stopped(p); c++) {
      unsigned long c_ = (unsigned long)cb__concurrency(cells, c);
      if (strcmp(cb_cell_key(cells, c, "workload"), cb_workloads[w]->name) != 0 ||
          cb_cell_reference(cells, c))
        continue;
      for (k = 0; k < nseen && seen[k] != c_; k++)
        ;
      if (k < nseen || nseen == CB_ARRAY_SIZE(seen))
        continue;
      seen[nseen++] = c_;
      share_one(x, cb_workloads[w], c_);
    }
  }
}
