/* Line charts' data: one block per series (two blank lines apart,
 * gnuplot's `index`; a series with no point is left out), the series'
 * names and styles, and the axes as -e assignments; and the points most
 * charts draw (a metric's median and confidence interval, scaled). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "chart.h"

void cb__lines_init(cb__lines_t *l, cb__chart_t *ch, const char *xcol)
{
  memset(l, 0, sizeof(*l));
  l->ch = ch;
  l->xcol = xcol;
  l->ymin = INFINITY;
  l->xmin = INFINITY;
  l->ymax = -INFINITY;
  l->xmax = -INFINITY;
}

void cb__lines_free(cb__lines_t *l)
{
  cb_buf_free(&l->names);
  cb_buf_free(&l->colors);
  cb_buf_free(&l->points);
  cb_buf_free(&l->dashes);
}

void cb__see_y(cb__lines_t *l, double y)
{
  if (isfinite(y) && y > 0) {
    l->ymin = y < l->ymin ? y : l->ymin;
    l->ymax = y > l->ymax ? y : l->ymax;
  }
}

static void see_x(cb__lines_t *l, double x)
{
  size_t i;

  l->xmin = x < l->xmin ? x : l->xmin;
  l->xmax = x > l->xmax ? x : l->xmax;
  for (i = 0; i < l->nx && l->xs[i] != x; i++)
    ;
  if (i == l->nx && l->nx < CB_ARRAY_SIZE(l->xs))
    l->xs[l->nx++] = x;
}

/* One block of the data file; returns the points written (a series with
 * none is left out altogether). */
size_t cb__lines_add(cb__lines_t *l, const cb_cells_t *cells, const cb__series_t *s,
                     cb__point_fn fn, const void *ctx)
{
  cb_plot_style_t st;
  double v[6];
  size_t i, pts = 0;
  int k, j;

  for (i = 0; i < s->n; i++) {
    double x = l->xfn != NULL ? l->xfn(cells, s->cell[i]) : cb__key_num(cells, s->cell[i], l->xcol);
    if (cells->cell[s->cell[i]].n_ok == 0 || !(x > 0))
      continue;
    k = fn(cells, s->cell[i], v, ctx);
    if (k == 0 || !isfinite(v[0]))
      continue;
    if (pts == 0)
      cb_buf_printf(&l->ch->data, "%s# %s\n", l->n > 0 ? "\n\n" : "", s->name);
    cb_buf_printf(&l->ch->data, "%.10g", x);
    for (j = 0; j < k; j++) {
      cb_buf_printf(&l->ch->data, " %.10g", isfinite(v[j]) ? v[j] : NAN);
      cb__see_y(l, v[j]);
    }
    cb_buf_put(&l->ch->data, "\n", 1);
    see_x(l, x);
    pts++;
  }
  if (pts == 0)
    return 0;
  cb_plot_style(s->name, &st);
  cb_buf_printf(&l->names, "%s%s", l->n ? " " : "", s->name);
  cb_buf_printf(&l->colors, "%s%s", l->n ? " " : "", st.color);
  cb_buf_printf(&l->points, "%s%d", l->n ? " " : "", st.point);
  cb_buf_printf(&l->dashes, "%s%d", l->n ? " " : "", st.dash);
  l->n++;
  return pts;
}

/* The assignments every line chart's script reads: the series, the x axis
 * (concurrency on log2, or payload bytes), the y axis. */

void cb__lines_vars(cb__lines_t *l, int x_kind, int log_y, cb__unit_t kind, const char *unit)
{
  cb_buf_t tics = { 0 };
  char label[32];
  cb__axis_t y;
  size_t i, step;

  qsort(l->xs, l->nx, sizeof(l->xs[0]), cb__cmp_double);
  step = l->nx > 12 ? (l->nx + 11) / 12 : 1;
  for (i = 0; i < l->nx; i += step) {
    if (x_kind != CB__X_PLAIN) {
      if (x_kind == CB__X_BYTES)
        cb__human_bytes(l->xs[i], label, sizeof(label));
      else
        cb__tic_label(l->xs[i], CB__UNIT_SI, "s", label, sizeof(label));
      cb_buf_printf(&tics, "%s\"%s\" %.10g", i ? ", " : "", label, l->xs[i]);
    } else {
      cb_buf_printf(&tics, "%s%.10g", i ? ", " : "", l->xs[i]);
    }
  }
  cb__var_s(l->ch, "xtics", tics.data != NULL ? tics.data : "1");
  cb_buf_free(&tics);
  cb__var_d(l->ch, "n", (double)l->n);
  cb__var_s(l->ch, "names", l->names.data != NULL ? l->names.data : "");
  cb__var_s(l->ch, "colors", l->colors.data != NULL ? l->colors.data : "");
  cb__var_s(l->ch, "points", l->points.data != NULL ? l->points.data : "");
  cb__var_s(l->ch, "dashes", l->dashes.data != NULL ? l->dashes.data : "");
  /* Room either side on the log axis. */
  cb__var_d(l->ch, "xmin", l->xmin / (l->nx > 1 ? 1.3 : 2));
  cb__var_d(l->ch, "xmax", l->xmax * (l->nx > 1 ? 1.3 : 2));
  cb__axis_make(&y, l->ymin, l->ymax, log_y, kind, unit);
  cb__var_d(l->ch, "logy", y.log);
  cb__var_d(l->ch, "ylo", y.lo);
  cb__var_d(l->ch, "yhi", y.hi);
  cb__var_s(l->ch, "ytics", y.tics);
  cb__var_d(l->ch, "W", 1280);
  cb__var_d(l->ch, "H", 720);
}

/* Log when the values span more than `ratio`. */
int cb__wide(const cb__lines_t *l, double ratio)
{
  return isfinite(l->ymin) && l->ymin > 0 && l->ymax / l->ymin > ratio;
}

int cb__pt_metric(const cb_cells_t *cells, size_t c, double *v, int m, double scale)
{
  const cb_summary_t *s = cb__metric(cells, c, m);

  v[0] = s->median * scale;
  v[1] = s->ci_lo * scale;
  v[2] = s->ci_hi * scale;
  return 3;
}

int cb__pt_throughput(const cb_cells_t *cells, size_t c, double *v, const void *ctx)
{
  CB_UNUSED(ctx);
  return cb__pt_metric(cells, c, v, CB_M_throughput, 1);
}

int cb__pt_speedup(const cb_cells_t *cells, size_t c, double *v, const void *ctx)
{
  double serial = *(const double *)ctx;

  return cb__pt_metric(cells, c, v, CB_M_throughput, 1 / serial);
}
