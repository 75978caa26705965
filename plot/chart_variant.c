/* The charts of each variant of a workload (see series.c): throughput,
 * speedup over serial, latency p50 and p99, and tasks per CPU-second against
 * the concurrency, one line per contestant; and the memory of idle
 * workers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "chart.h"
#include "workload.h"

static int pt_latency(const cb_cells_t *cells, size_t c, double *v, const void *ctx)
{
  CB_UNUSED(ctx);
  /* µs to s, so the axis can name its unit with an SI prefix */
  cb__pt_metric(cells, c, v, CB_M_lat_p50_us, 1e-6);
  cb__pt_metric(cells, c, v + 3, CB_M_lat_p99_us, 1e-6);
  return v[0] > 0 && v[3] > 0 ? 6 : 0;
}

static int pt_memory(const cb_cells_t *cells, size_t c, double *v, const void *ctx)
{
  CB_UNUSED(ctx);
  return cb__pt_metric(cells, c, v, CB_M_maxrss_kb, 1024);
}

/* Tasks per CPU-second of each trial, summarised like any metric. */
static int pt_efficiency(const cb_cells_t *cells, size_t c, double *v, const void *ctx)
{
  size_t n, nu, ns, nf, i, k = 0;
  double *tasks = cb_cell_samples(cells, c, "tasks", &n);
  double *user = cb_cell_samples(cells, c, "user_s", &nu);
  double *sys = cb_cell_samples(cells, c, "sys_s", &ns);
  double *failed = cb_cell_samples(cells, c, "failed", &nf);
  cb_summary_t s;
  int rc = 0;

  CB_UNUSED(ctx);
  if (tasks != NULL && user != NULL && sys != NULL && failed != NULL && n == nu && n == ns &&
      n == nf) {
    for (i = 0; i < n; i++) {
      double cpu = user[i] + sys[i];
      if (cpu > 0)
        tasks[k++] = (tasks[i] - failed[i]) / cpu;
    }
    if (k > 0) {
      cb_summarize(tasks, k, 0.95, &s);
      v[0] = s.median;
      v[1] = s.ci_lo;
      v[2] = s.ci_hi;
      rc = 3;
    }
  }
  free(tasks);
  free(user);
  free(sys);
  free(failed);
  return rc;
}

/* Start a variant's line chart: named KIND-WORKLOAD[-SUFFIX], its title
 * "WORKLOAD: WHAT (how the variant differs)", subtitles and note. */
static void begin(cb__plot_ctx_t *x, cb__chart_t *ch, cb__lines_t *l, const char *what,
                  const char *extra)
{
  char title[256], sub[512];

  cb__chart_init(ch, x->kind->script, "%s-%s%s", x->kind->name, x->v->workload, x->v->suffix);
  cb__lines_init(l, ch, "concurrency");
  snprintf(title, sizeof(title), "%s: %s%s%s%s", x->v->workload, what,
           x->v->what[0] ? " (" : "", x->v->what, x->v->what[0] ? ")" : "");
  cb__line2(x, sub, sizeof(sub));
  cb__titles(ch, x->cells, x->v->cell, x->v->n, title, sub);
  cb__note(ch, x, extra);
}

/* Draw a line chart of every series but those `skip_reference` leaves out. */
static void draw_lines(cb__plot_ctx_t *x, cb__chart_t *ch, cb__lines_t *l, cb__point_fn fn,
                       const void *pctx, int skip_reference, double log_ratio, cb__unit_t kind,
                       const char *unit)
{
  size_t i;

  for (i = 0; i < x->ns; i++) {
    if (!(skip_reference && cb__series_reference(&x->s[i])))
      cb__lines_add(l, x->cells, &x->s[i], fn, pctx);
  }
  if (l->n == 0) {
    cb__plot_skip(x->p, ch->name, "no series with ok trials");
    return;
  }
  cb__lines_vars(l, 0, cb__wide(l, log_ratio), kind, unit);
  cb__chart_draw(x->p, ch, x->err, x->errlen);
}

void cb__draw_scaling(cb__plot_ctx_t *x)
{
  cb__chart_t ch;
  cb__lines_t l;
  long sc = cb__reference_cell(x->cells, x->s, x->ns);

  begin(x, &ch, &l, "throughput vs concurrency", NULL);
  cb__var_d(&ch, "reference", sc >= 0);
  if (sc >= 0) {
    const cb_summary_t *s = cb__metric(x->cells, (size_t)sc, CB_M_throughput);
    cb_plot_style_t st;
    char name[64], title[80];
    cb_contestant(x->cells, (size_t)sc, name, sizeof(name));
    cb_plot_style(name, &st);
    snprintf(title, sizeof(title), "%s (c = 1)", name);
    cb__var_d(&ch, "ref_y", s->median);
    cb__var_d(&ch, "ref_lo", s->ci_lo);
    cb__var_d(&ch, "ref_hi", s->ci_hi);
    cb__var_s(&ch, "ref_color", st.color);
    cb__var_s(&ch, "ref_title", title);
    cb__see_y(&l, s->ci_lo);
    cb__see_y(&l, s->ci_hi);
  }
  draw_lines(x, &ch, &l, cb__pt_throughput, NULL, 1, 30, CB__UNIT_SI, "");
  cb__lines_free(&l);
  cb__chart_free(&ch);
}

void cb__draw_speedup(cb__plot_ctx_t *x)
{
  cb__chart_t ch;
  cb__lines_t l;
  const cb_workload_t *wl = cb_workload_find(x->v->workload);
  int cpu_bound = wl != NULL && (wl->charts & CB_CHART_CPU_BOUND) != 0;
  long sc = cb__reference_cell(x->cells, x->s, x->ns);
  double serial, pus;
  size_t i;

  if (sc < 0) {
    cb__chart_init(&ch, x->kind->script, "%s-%s%s", x->kind->name, x->v->workload,
                   x->v->suffix);
    cb__plot_skip(x->p, ch.name, "no serial cell with ok trials to divide by");
    cb__chart_free(&ch);
    return;
  }
  serial = cb__metric(x->cells, (size_t)sc, CB_M_throughput)->median;
  begin(x, &ch, &l, "speedup over serial", "speedup = median throughput / serial's median; "
        "bars: the runner's CI over serial's median");
  pus = cb__key_num(x->cells, x->v->cell[0], "pus");
  cb__var_d(&ch, "cpu_bound", cpu_bound);
  cb__var_d(&ch, "pus", pus > 0 ? pus : 1);
  for (i = 0; i < x->ns; i++) {
    if (!cb__series_reference(&x->s[i]))
      cb__lines_add(&l, x->cells, &x->s[i], cb__pt_speedup, &serial);
  }
  if (l.n == 0) {
    cb__plot_skip(x->p, ch.name, "only serial has ok trials");
  } else {
    /* The ideal line is part of the picture: keep it in range. */
    double top = cpu_bound ? (l.xmax < pus ? l.xmax : pus) : l.xmax;
    cb__see_y(&l, top);
    cb__see_y(&l, 1);
    cb__lines_vars(&l, 0, cb__wide(&l, 8), CB__UNIT_TIMES, "");
    cb__chart_draw(x->p, &ch, x->err, x->errlen);
  }
  cb__lines_free(&l);
  cb__chart_free(&ch);
}

void cb__draw_latency(cb__plot_ctx_t *x)
{
  cb__chart_t ch;
  cb__lines_t l;

  begin(x, &ch, &l, "task latency p50 and p99 vs concurrency", NULL);
  draw_lines(x, &ch, &l, pt_latency, NULL, 0, 10, CB__UNIT_SI, "s");
  cb__lines_free(&l);
  cb__chart_free(&ch);
}

void cb__draw_efficiency(cb__plot_ctx_t *x)
{
  cb__chart_t ch;
  cb__lines_t l;

  begin(x, &ch, &l, "tasks per CPU-second vs concurrency",
        "CPU time: user + system of all workers during the task phase");
  draw_lines(x, &ch, &l, pt_efficiency, NULL, 0, 30, CB__UNIT_SI, "");
  cb__lines_free(&l);
  cb__chart_free(&ch);
}

/* "per worker (slope over c): threads 9.1 KiB, processes 112 KiB; Pss of
 * the trial process and its descendants, all workers alive". */
static void memory_note(const cb__plot_ctx_t *x, char *buf, size_t len)
{
  cb_group_t *g;
  size_t i, k, u;

  u = (size_t)snprintf(buf, len, "per worker, the slope over c:");
  for (i = 0; i < x->ns && u < len; i++) {
    if (x->s[i].n < 2 || cb_series_groups(x->cells, x->s[i].cell[0], "maxrss_kb", &g, &k) != 0)
      continue;
    u += (size_t)snprintf(buf + u, len - u, " %s %.1f KiB,", x->s[i].name, cb_slope(g, k));
    cb_groups_free(g, k);
  }
  if (u < len)
    snprintf(buf + u - 1, len - u + 1, "; memory: Pss of the trial process and all its "
             "descendants, while every worker is alive");
}

/* One workload's chart (the table's row names it), not named after it. */
void cb__draw_memory(cb__plot_ctx_t *x)
{
  cb__chart_t ch;
  cb__lines_t l;
  char title[256], sub[512], slopes[512];

  cb__chart_init(&ch, x->kind->script, "%s%s", x->kind->name, x->v->suffix);
  cb__lines_init(&l, &ch, "concurrency");
  snprintf(title, sizeof(title), "Memory of c idle workers (%s%s%s)", x->v->workload,
           x->v->what[0] ? ", " : "", x->v->what);
  cb__line2(x, sub, sizeof(sub));
  cb__titles(&ch, x->cells, x->v->cell, x->v->n, title, sub);
  memory_note(x, slopes, sizeof(slopes));
  cb__note(&ch, x, slopes);
  draw_lines(x, &ch, &l, pt_memory, NULL, 0, 4, CB__UNIT_IEC, "B");
  cb__lines_free(&l);
  cb__chart_free(&ch);
}
