/* Charts; see plot.h. Every chart is built the same way: pick its cells,
 * write one data block per series (two blank lines apart, gnuplot's
 * `index`), collect the -e assignments the script reads (names, colours,
 * axis ranges, titles), write the data file, run gnuplot once: the script
 * draws the PNG and the SVG in one go.
 *
 * Cells are grouped into variants: the cells of one workload that share
 * host, pin, size, payload and switch interval. A workload measured with one
 * variant gets charts named after it alone (scaling-cpu.hash); when it has
 * several, the variant with the most cells keeps the plain name and the
 * others get a suffix naming what differs (scaling-comm.payload-payload4096),
 * so links to the plain names (the report's) always land on a chart. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis.h"
#include "cb.h"
#include "usage.h"
#include "fleet.h"
#include "chart.h"
#include "plot.h"
#include "signals.h"
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

/* Draw a line chart of every series but those `skip_serial` leaves out. */
static void draw_lines(cb__plot_ctx_t *x, cb__chart_t *ch, cb__lines_t *l, cb__point_fn fn, const void *pctx,
                       int skip_serial, double log_ratio, cb__unit_t kind, const char *unit)
{
  size_t i;

  for (i = 0; i < x->ns; i++) {
    if (!(skip_serial && cb__is_serial(&x->s[i])))
      cb__lines_add(l, x->cells, &x->s[i], fn, pctx);
  }
  if (l->n == 0) {
    cb__plot_skip(x->p, ch->name, "no series with ok trials");
    return;
  }
  cb__lines_vars(l, 0, cb__wide(l, log_ratio), kind, unit);
  cb__chart_draw(x->p, ch, x->err, x->errlen);
}

static void chart_scaling(cb__plot_ctx_t *x)
{
  cb__chart_t ch;
  cb__lines_t l;
  char title[256], sub[512];
  long sc = cb__serial_cell(x->cells, x->s, x->ns);

  cb__chart_init(&ch, "scaling.gp", "scaling-%s%s", x->v->workload, x->v->suffix);
  cb__lines_init(&l, &ch, "concurrency");
  snprintf(title, sizeof(title), "%s: throughput vs concurrency%s%s%s", x->v->workload,
           x->v->what[0] ? " (" : "", x->v->what, x->v->what[0] ? ")" : "");
  cb__line2(x, sub, sizeof(sub));
  cb__titles(&ch, x->cells, x->v->cell, x->v->n, title, sub);
  cb__note(&ch, x, NULL);
  cb__var_d(&ch, "serial", sc >= 0);
  if (sc >= 0) {
    const cb_summary_t *s = cb__metric(x->cells, (size_t)sc, CB_M_throughput);
    cb_plot_style_t st;
    cb_plot_style("serial", &st);
    cb__var_d(&ch, "serial_y", s->median);
    cb__var_d(&ch, "serial_lo", s->ci_lo);
    cb__var_d(&ch, "serial_hi", s->ci_hi);
    cb__var_s(&ch, "serial_color", st.color);
    cb__see_y(&l, s->ci_lo);
    cb__see_y(&l, s->ci_hi);
  }
  draw_lines(x, &ch, &l, cb__pt_throughput, NULL, 1, 30, CB__UNIT_SI, "");
  cb__lines_free(&l);
  cb__chart_free(&ch);
}

static void chart_speedup(cb__plot_ctx_t *x)
{
  cb__chart_t ch;
  cb__lines_t l;
  char title[256], sub[512], fam[32];
  long sc = cb__serial_cell(x->cells, x->s, x->ns);
  double serial, pus;
  size_t i;

  cb__chart_init(&ch, "speedup.gp", "speedup-%s%s", x->v->workload, x->v->suffix);
  if (sc < 0) {
    cb__plot_skip(x->p, ch.name, "no serial cell with ok trials to divide by");
    cb__chart_free(&ch);
    return;
  }
  serial = cb__metric(x->cells, (size_t)sc, CB_M_throughput)->median;
  cb__lines_init(&l, &ch, "concurrency");
  snprintf(title, sizeof(title), "%s: speedup over serial%s%s%s", x->v->workload,
           x->v->what[0] ? " (" : "", x->v->what, x->v->what[0] ? ")" : "");
  cb__line2(x, sub, sizeof(sub));
  cb__titles(&ch, x->cells, x->v->cell, x->v->n, title, sub);
  cb__note(&ch, x, "speedup = median throughput / serial's median; bars: the runner's CI over "
               "serial's median");
  snprintf(fam, sizeof(fam), "%s", cb_cell_key(x->cells, x->v->cell[0], "family"));
  if (fam[0] == '\0')
    snprintf(fam, sizeof(fam), "%.*s", (int)strcspn(x->v->workload, "."), x->v->workload);
  pus = cb__key_num(x->cells, x->v->cell[0], "pus");
  cb__var_d(&ch, "cpu", strcmp(fam, "cpu") == 0);
  cb__var_d(&ch, "pus", pus > 0 ? pus : 1);
  for (i = 0; i < x->ns; i++) {
    if (!cb__is_serial(&x->s[i]))
      cb__lines_add(&l, x->cells, &x->s[i], cb__pt_speedup, &serial);
  }
  if (l.n == 0) {
    cb__plot_skip(x->p, ch.name, "only serial has ok trials");
  } else {
    /* The ideal line is part of the picture: keep it in range. */
    double top = strcmp(fam, "cpu") == 0 ? (l.xmax < pus ? l.xmax : pus) : l.xmax;
    cb__see_y(&l, top);
    cb__see_y(&l, 1);
    cb__lines_vars(&l, 0, cb__wide(&l, 8), CB__UNIT_TIMES, "");
    cb__chart_draw(x->p, &ch, x->err, x->errlen);
  }
  cb__lines_free(&l);
  cb__chart_free(&ch);
}

static void chart_latency(cb__plot_ctx_t *x)
{
  cb__chart_t ch;
  cb__lines_t l;
  char title[256], sub[512];

  cb__chart_init(&ch, "latency.gp", "latency-%s%s", x->v->workload, x->v->suffix);
  cb__lines_init(&l, &ch, "concurrency");
  snprintf(title, sizeof(title), "%s: task latency p50 and p99 vs concurrency%s%s%s",
           x->v->workload, x->v->what[0] ? " (" : "", x->v->what, x->v->what[0] ? ")" : "");
  cb__line2(x, sub, sizeof(sub));
  cb__titles(&ch, x->cells, x->v->cell, x->v->n, title, sub);
  cb__note(&ch, x, NULL);
  draw_lines(x, &ch, &l, pt_latency, NULL, 0, 10, CB__UNIT_SI, "s");
  cb__lines_free(&l);
  cb__chart_free(&ch);
}

static void chart_efficiency(cb__plot_ctx_t *x)
{
  cb__chart_t ch;
  cb__lines_t l;
  char title[256], sub[512];

  cb__chart_init(&ch, "efficiency.gp", "efficiency-%s%s", x->v->workload, x->v->suffix);
  cb__lines_init(&l, &ch, "concurrency");
  snprintf(title, sizeof(title), "%s: tasks per CPU-second vs concurrency%s%s%s",
           x->v->workload, x->v->what[0] ? " (" : "", x->v->what, x->v->what[0] ? ")" : "");
  cb__line2(x, sub, sizeof(sub));
  cb__titles(&ch, x->cells, x->v->cell, x->v->n, title, sub);
  cb__note(&ch, x, "CPU time: user + system of all workers during the task phase");
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

static void chart_memory(cb__plot_ctx_t *x)
{
  cb__chart_t ch;
  cb__lines_t l;
  char title[256], sub[512], slopes[512];

  cb__chart_init(&ch, "memory.gp", "memory%s", x->v->suffix);
  cb__lines_init(&l, &ch, "concurrency");
  snprintf(title, sizeof(title), "Memory of c idle workers (%s%s%s%s)", x->v->workload,
           x->v->what[0] ? ", " : "", x->v->what, "");
  cb__line2(x, sub, sizeof(sub));
  cb__titles(&ch, x->cells, x->v->cell, x->v->n, title, sub);
  memory_note(x, slopes, sizeof(slopes));
  cb__note(&ch, x, slopes);
  draw_lines(x, &ch, &l, pt_memory, NULL, 0, 4, CB__UNIT_IEC, "B");
  cb__lines_free(&l);
  cb__chart_free(&ch);
}

/* ---- payload ---------------------------------------------------------- */

static int pt_bytes(const cb_cells_t *cells, size_t c, double *v, const void *ctx)
{
  CB_UNUSED(ctx);
  /* in and out */
  return cb__pt_metric(cells, c, v, CB_M_throughput, 2 * cb__key_num(cells, c, "payload"));
}

static void chart_payload(cb_plot_t *p, const cb__set_t *set, char *err, size_t errlen)
{
  const cb_cells_t *cells = set->cells;
  const char *name = "payload";
  size_t i, k, n = 0, ns = 0, npay = 0;
  double pus = 0, best = 0, pays[64];
  size_t *pick = NULL;
  cb__series_t *s = NULL;
  cb__variant_t v = { 0 };
  cb__chart_t ch;
  cb__lines_t l;
  char title[256], sub[512], wl[320], tr[160], extra[160];

  /* The concurrency: the largest at most PUs that a concurrent runner ran
   * (all cores busy, none oversubscribed), else the smallest. */
  for (i = 0; i < cells->n; i++) {
    size_t c = set->order[i];
    double cc = cb__concurrency(cells, c);
    if (strcmp(cb_cell_key(cells, c, "workload"), "comm.payload") != 0 ||
        cells->cell[c].n_ok == 0)
      continue;
    if (pus == 0)
      pus = cb__key_num(cells, c, "pus");
    if (strcmp(cb_cell_key(cells, c, "runner"), "serial") == 0)
      continue;
    if ((cc <= pus && cc > best) || (best == 0) || (best > pus && cc < best))
      best = cc;
  }
  if (best == 0) {
    cb__plot_skip(p, name, "no comm.payload cells with ok trials of a concurrent runner");
    return;
  }
  pick = malloc((cells->n + 1) * sizeof(*pick));
  s = calloc(cells->n + 1, sizeof(*s));
  if (pick == NULL || s == NULL) {
    cb__plot_skip(p, name, "out of memory");
    goto out;
  }
  /* Cells at that concurrency, by contestant then payload (the set's order
   * is by payload first, through the variants). */
  for (i = 0; i < cells->n; i++) {
    size_t c = set->order[i];
    if (strcmp(cb_cell_key(cells, c, "workload"), "comm.payload") == 0 && cb__concurrency(cells, c) == best)
      pick[n++] = c;
  }
  for (i = 0; i < n; i++) {
    char name_i[64];
    double pay = cb__key_num(cells, pick[i], "payload");
    cb_contestant(cells, pick[i], name_i, sizeof(name_i));
    for (k = 0; k < npay && pays[k] != pay; k++)
      ;
    if (k == npay && npay < CB_ARRAY_SIZE(pays) && pay > 0)
      pays[npay++] = pay;
    for (k = 0; k < ns && strcmp(s[k].name, name_i) != 0; k++)
      ;
    if (k == ns) {
      snprintf(s[ns].name, sizeof(s[ns].name), "%s", name_i);
      s[ns].cell = malloc(n * sizeof(*s[ns].cell));
      if (s[ns].cell == NULL)
        goto out;
      ns++;
    }
    s[k].cell[s[k].n++] = pick[i];
  }
  if (npay < 2) {
    cb__plot_skip(p, name, "comm.payload ran with one payload size (run it with e.g. "
                  "--payload 64,65536,1048576)");
    goto out;
  }
  /* Series in legend order, each by payload. */
  for (i = 0; i < ns; i++) {
    for (k = i + 1; k < ns; k++) {
      if (cb_plot_rank(s[k].name) < cb_plot_rank(s[i].name)) {
        cb__series_t t = s[i];
        s[i] = s[k];
        s[k] = t;
      }
    }
  }
  for (i = 0; i < ns; i++) {
    size_t *c = s[i].cell;
    for (k = 1; k < s[i].n; k++) {
      for (size_t j = k; j > 0 && cb__key_num(cells, c[j - 1], "payload") > cb__key_num(cells, c[j], "payload"); j--) {
        size_t t = c[j];
        c[j] = c[j - 1];
        c[j - 1] = t;
      }
    }
  }
  cb__chart_init(&ch, "payload.gp", "%s", name);
  cb__lines_init(&l, &ch, "payload");
  v.workload = "comm.payload";
  v.cell = pick;
  v.n = n;
  snprintf(title, sizeof(title), "comm.payload: data moved vs payload size (c = %g)", best);
  cb__workload_text(cells, &v, 0, wl, sizeof(wl));
  cb__trials_text(cells, pick, n, tr, sizeof(tr));
  snprintf(sub, sizeof(sub), "%s  ·  %s", wl, tr);
  cb__titles(&ch, cells, pick, n, title, sub);
  {
    cb__plot_ctx_t x = { .p = p, .cells = cells, .v = &v, .s = s, .ns = ns };
    snprintf(extra, sizeof(extra), "bytes moved = 2 x payload x tasks/s (in and out); "
                                   "threads and eventloop pass pointers, processes copy");
    cb__note(&ch, &x, extra);
  }
  for (i = 0; i < ns; i++)
    cb__lines_add(&l, cells, &s[i], pt_bytes, NULL);
  if (l.n == 0) {
    cb__plot_skip(p, name, "no comm.payload series with ok trials");
  } else {
    cb__lines_vars(&l, CB__X_BYTES, 1, CB__UNIT_IEC, "B/s");
    cb__chart_draw(p, &ch, err, errlen);
  }
  cb__lines_free(&l);
  cb__chart_free(&ch);
out:
  for (i = 0; s != NULL && i < ns; i++)
    free(s[i].cell);
  free(s);
  free(pick);
}

/* ---- granularity ------------------------------------------------------ */

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

/* cpu.hash at c = PUs without the GIL over several sizes: how efficient each
 * model is against the time one task takes, with serial at each size as
 * the measure of that time. */
static void chart_granularity(cb_plot_t *p, const cb__set_t *set, char *err, size_t errlen)
{
  const cb_cells_t *cells = set->cells;
  const char *name = "granularity";
  size_t i, k, n = 0, ns = 0, nsizes = 0;
  double sizes[64];
  size_t *pick = NULL;
  cb__series_t *s = NULL;
  cb__variant_t v = { 0 };
  cb__chart_t ch;
  cb__lines_t l;
  char title[256], sub[512], wl[320], tr[160];

  pick = malloc((cells->n + 1) * sizeof(*pick));
  s = calloc(cells->n + 1, sizeof(*s));
  if (pick == NULL || s == NULL) {
    cb__plot_skip(p, name, "out of memory");
    goto out;
  }
  for (i = 0; i < cells->n; i++) {
    size_t c = set->order[i];
    double sz = cb__key_num(cells, c, "size");
    if (strcmp(cb_cell_key(cells, c, "workload"), "cpu.hash") != 0 || cb__gil_of(cells, c) ||
        cb_cell_reference(cells, c) || cells->cell[c].n_ok == 0 ||
        cb__concurrency(cells, c) != cb__key_num(cells, c, "pus") || serial_task_time(cells, c) <= 0)
      continue;
    pick[n++] = c;
    for (k = 0; k < nsizes && sizes[k] != sz; k++)
      ;
    if (k == nsizes && nsizes < CB_ARRAY_SIZE(sizes))
      sizes[nsizes++] = sz;
  }
  if (nsizes < 2) {
    cb__plot_skip(p, name, "cpu.hash ran at c = PUs with fewer than two sizes beside serial (the "
                  "standard profile sweeps them)");
    goto out;
  }
  for (i = 0; i < n; i++) {
    char name_i[64];
    cb_contestant(cells, pick[i], name_i, sizeof(name_i));
    for (k = 0; k < ns && strcmp(s[k].name, name_i) != 0; k++)
      ;
    if (k == ns) {
      snprintf(s[ns].name, sizeof(s[ns].name), "%s", name_i);
      if ((s[ns].cell = malloc(n * sizeof(*s[ns].cell))) == NULL)
        goto out;
      ns++;
    }
    s[k].cell[s[k].n++] = pick[i];
  }
  for (i = 0; i < ns; i++) { /* each series by task time */
    size_t *c = s[i].cell, j, t;
    for (k = 1; k < s[i].n; k++)
      for (j = k; j > 0 && serial_task_time(cells, c[j - 1]) > serial_task_time(cells, c[j]);
           j--) {
        t = c[j];
        c[j] = c[j - 1];
        c[j - 1] = t;
      }
  }
  cb__chart_init(&ch, "granularity.gp", "%s", name);
  cb__lines_init(&l, &ch, "size");
  l.xfn = serial_task_time;
  v.workload = "cpu.hash";
  v.cell = pick;
  v.n = n;
  snprintf(title, sizeof(title), "Efficiency against task duration (cpu.hash, c = %g)",
           cb__key_num(cells, pick[0], "pus"));
  qsort(sizes, nsizes, sizeof(sizes[0]), cb__cmp_double);
  snprintf(wl, sizeof(wl), "cpu.hash at %zu sizes, %g to %g %s, pin %s", nsizes, sizes[0],
           sizes[nsizes - 1], cb_cell_key(cells, pick[0], "size_unit")[0] != '\0'
                                  ? cb_cell_key(cells, pick[0], "size_unit") : "iterations",
           cb_cell_key(cells, pick[0], "pin"));
  cb__trials_text(cells, pick, n, tr, sizeof(tr));
  snprintf(sub, sizeof(sub), "%s  ·  %s", wl, tr);
  cb__titles(&ch, cells, pick, n, title, sub);
  {
    cb__plot_ctx_t x = { .p = p, .cells = cells, .v = &v, .s = s, .ns = ns };
    cb__note(&ch, &x, "efficiency = tasks/s / (c x serial tasks/s of the same size); task "
                  "duration = serial time per task; dashed: within 5% of ideal");
  }
  for (i = 0; i < ns; i++)
    cb__lines_add(&l, cells, &s[i], pt_relative, NULL);
  if (l.n == 0) {
    cb__plot_skip(p, name, "no series with ok trials");
  } else {
    cb__lines_vars(&l, CB__X_TIME, 0, CB__UNIT_TIMES, "");
    cb__chart_draw(p, &ch, err, errlen);
  }
  cb__lines_free(&l);
  cb__chart_free(&ch);
out:
  for (i = 0; s != NULL && i < ns; i++)
    free(s[i].cell);
  free(s);
  free(pick);
}

/* ---- throughput against the CPU share (mixed work) ---------------------- */

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
static void chart_share_one(cb_plot_t *p, const cb__set_t *set, const cb_workload_t *wl,
                            unsigned long c_, char *err, size_t errlen)
{
  const cb_cells_t *cells = set->cells;
  size_t i, k, n = 0, ns = 0;
  size_t *pick = malloc((cells->n + 1) * sizeof(*pick));
  cb__series_t *s = calloc(cells->n + 1, sizeof(*s));
  cb__variant_t v = { 0 };
  double pus = 0;
  cb__chart_t ch;
  cb__lines_t l;
  cb_buf_t tics = { 0 };
  char title[256], sub[512], tr[160], label[16], name_i[64];

  if (pick == NULL || s == NULL)
    goto out;
  for (i = 0; i < cells->n; i++) {
    size_t c = set->order[i];
    if (strcmp(cb_cell_key(cells, c, "workload"), wl->name) != 0 || cb__concurrency(cells, c) != c_ ||
        cb_cell_reference(cells, c) || cells->cell[c].n_ok == 0)
      continue;
    pick[n++] = c;
    pus = cb__key_num(cells, c, "pus");
  }
  for (i = 0; i < n; i++) {
    cb_contestant(cells, pick[i], name_i, sizeof(name_i));
    for (k = 0; k < ns && strcmp(s[k].name, name_i) != 0; k++)
      ;
    if (k == ns) {
      snprintf(s[ns].name, sizeof(s[ns].name), "%s", name_i);
      if ((s[ns].cell = malloc(n * sizeof(*s[ns].cell))) == NULL)
        goto out;
      ns++;
    }
    s[k].cell[s[k].n++] = pick[i];
  }
  for (i = 0; i < ns; i++) { /* each series by share */
    size_t *cc = s[i].cell, j, t;
    for (k = 1; k < s[i].n; k++)
      for (j = k; j > 0 && share_x(cells, cc[j - 1]) > share_x(cells, cc[j]); j--) {
        t = cc[j];
        cc[j] = cc[j - 1];
        cc[j - 1] = t;
      }
  }
  cb__chart_init(&ch, "share.gp", "share-%s-c%lu", wl->name, c_);
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
    cb__plot_ctx_t x = { .p = p, .cells = cells, .v = &v, .s = s, .ns = ns };
    cb__note(&ch, &x, "grey: the ideal, c tasks on all PUs (solid) and on one CPU, as under a GIL "
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
    cb__chart_draw(p, &ch, err, errlen);
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

static void chart_share(cb_plot_t *p, const cb__set_t *set, char *err, size_t errlen)
{
  const cb_cells_t *cells = set->cells;
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
      chart_share_one(p, set, cb_workloads[w], c_, err, errlen);
    }
  }
}

/* ---- winners ---------------------------------------------------------- */

static void margin_label(const cb_contest_t *k, char *buf, size_t len)
{
  double ratio = 1 + k->margin;

  if (k->runner_up < 0)
    snprintf(buf, len, "alone");
  else if (k->tie)
    snprintf(buf, len, "tie");
  else if (ratio < 2)
    snprintf(buf, len, "+%.0f%%", 100 * k->margin);
  else
    snprintf(buf, len, ratio < 10 ? "×%.1f" : "×%.0f", ratio);
}

/* The legend of the winners map: every contestant that won a cell, in
 * legend order, then "tie". */
static void winners_legend(const cb_cells_t *cells, const cb_contest_t *k, size_t nk,
                           char *names, size_t nlen, char *colors, size_t clen)
{
  char won[16][64];
  size_t i, j, n = 0, un = 0, uc = 0;
  int tie = 0;
  cb_plot_style_t st;

  for (i = 0; i < nk; i++) {
    tie |= k[i].tie;
    if (k[i].tie || n == CB_ARRAY_SIZE(won))
      continue;
    cb_model(cells, k[i].winner, won[n], sizeof(won[n]));
    for (j = 0; j < n && strcmp(won[j], won[n]) != 0; j++)
      ;
    if (j < n)
      continue;
    /* insert in rank order */
    for (j = n++; j > 0 && cb_plot_rank(won[j]) < cb_plot_rank(won[j - 1]); j--) {
      char t[64];
      memcpy(t, won[j], sizeof(t));
      memcpy(won[j], won[j - 1], sizeof(t));
      memcpy(won[j - 1], t, sizeof(t));
    }
  }
  names[0] = colors[0] = '\0';
  for (i = 0; i < n && un < nlen && uc < clen; i++) {
    cb_plot_style(won[i], &st);
    un += (size_t)snprintf(names + un, nlen - un, "%s%s", i ? " " : "", won[i]);
    uc += (size_t)snprintf(colors + uc, clen - uc, "%s%s", i ? " " : "", st.color);
  }
  if (tie && un < nlen && uc < clen) {
    snprintf(names + un, nlen - un, "%stie", n ? " " : "");
    snprintf(colors + uc, clen - uc, "%s%s", n ? " " : "", CB__TIE_COLOR);
  }
}

/* Rows: the variants that held a contest, first on top; columns: every
 * concurrency, ascending. One data line per contest. */
/* A cell of a mixed workload (its size a CPU share: `mixed_task_us`). */
static int mixed_cell(const cb_cells_t *cells, size_t c)
{
  const cb_workload_t *wl = cb_workload_find(cb_cell_key(cells, c, "workload"));

  return wl != NULL && wl->mixed_task_us > 0;
}

static void chart_winners(cb_plot_t *p, const cb__set_t *set, char *err, size_t errlen)
{
  const cb_cells_t *cells = set->cells;
  cb_contest_t *k = NULL;
  size_t nk = 0, i, j, ncol = 0, nrow = 0, undecidable = 0, fewest = SIZE_MAX, longest = 8;
  size_t inline_wins = 0, used, mixed;
  size_t *all = NULL;
  double cols[64];
  long *row_of = NULL;
  char label[48], row[512], col[32], sub[512], variant[32];
  static char names[1024], colors[512]; /* static: a small stack must do (one chart at a time) */
  cb__chart_t ch;

  cb__chart_init(&ch, "winners.gp", "winners");
  if (cb_contests(cells, 0.05, &k, &nk) != 0 ||
      (row_of = malloc(2 * (set->nv + 1) * sizeof(*row_of))) == NULL ||
      (all = malloc((cells->n + 1) * sizeof(*all))) == NULL) {
    cb__plot_skip(p, ch.name, "out of memory");
    goto out;
  }
  /* Mixed work has its own map of who wins where: share-W-cN, by share. */
  for (i = j = 0; i < nk; i++) {
    if (!mixed_cell(cells, k[i].first))
      k[j++] = k[i];
  }
  mixed = nk - j;
  nk = j;
  if (nk == 0) {
    cb__plot_skip(p, ch.name, mixed > 0 ? "only mixed work, drawn against its CPU share (share-W-cN)"
                               : "no cell has ok trials");
    goto out;
  }
  /* A row per variant of the set and GIL mode: contests with and without
   * the GIL are apart (row 2 * variant + gil). */
  for (i = 0; i < 2 * set->nv; i++)
    row_of[i] = -1;
  for (i = 0; i < nk; i++) {
    double c = cb__concurrency(cells, k[i].first);
    for (j = 0; j < ncol && cols[j] != c; j++)
      ;
    if (j == ncol && ncol < CB_ARRAY_SIZE(cols))
      cols[ncol++] = c;
    row_of[2 * set->variant_of[k[i].first] + cb__gil_of(cells, k[i].first)] = 0;
  }
  qsort(cols, ncol, sizeof(cols[0]), cb__cmp_double);
  for (i = 0; i < 2 * set->nv; i++) {
    if (row_of[i] == 0)
      row_of[i] = (long)++nrow;
  }
  for (i = 0; i < nk; i++) {
    const cb_contest_t *w = &k[i];
    long vi = 2 * set->variant_of[w->first] + cb__gil_of(cells, w->first);
    const cb__variant_t *v = &set->v[vi / 2];
    double c = cb__concurrency(cells, w->first);
    const char *color;
    cb_plot_style_t st;
    char name[64];

    for (j = 0; j < ncol && cols[j] != c; j++)
      ;
    if (j == ncol)
      continue;
    cb_model(cells, w->winner, name, sizeof(name));
    cb_plot_style(name, &st);
    color = w->tie ? CB__TIE_COLOR : st.color;
    margin_label(w, label, sizeof(label));
    cb_variant(cells, w->winner, variant, sizeof(variant));
    if (!w->tie && variant[0] != '\0')
      snprintf(label + strlen(label), sizeof(label) - strlen(label), " %s", variant);
    if (!w->tie && cb_cell_inline(cells, w->winner)) {
      inline_wins++;
      snprintf(label + strlen(label), sizeof(label) - strlen(label), "*");
    }
    snprintf(row, sizeof(row), "%s%s%s", v->workload, v->row, vi % 2 ? " +gil" : "");
    if (strlen(row) > longest)
      longest = strlen(row);
    snprintf(col, sizeof(col), "%g", c);
    /* col row fill label text-colour row-name col-name winner */
    cb_buf_printf(&ch.data, "%zu %ld 0x%06X ", j + 1, (long)nrow + 1 - row_of[vi],
                  cb__hex_color(color));
    cb__data_str(&ch.data, label);
    cb_buf_printf(&ch.data, " 0x%06X ", cb__text_on(color));
    cb__data_str(&ch.data, row);
    cb_buf_put(&ch.data, " ", 1);
    cb__data_str(&ch.data, col);
    cb_buf_put(&ch.data, " ", 1);
    cb__data_str(&ch.data, name);
    cb_buf_put(&ch.data, "\n", 1);
    if (w->runner_up >= 0) {
      size_t a = cells->cell[w->winner].n_ok, b = cells->cell[w->runner_up].n_ok;
      undecidable += cb_mw_min_p(a, b) >= 0.05;
      fewest = a < fewest ? a : fewest;
      fewest = b < fewest ? b : fewest;
    }
  }
  winners_legend(cells, k, nk, names, sizeof(names), colors, sizeof(colors));
  snprintf(sub, sizeof(sub), "label: winning model's median over the runner-up's, and its best "
                             "variant  ·  tie: Mann-Whitney p >= 0.05  ·  alone: no other model "
                             "had ok trials");
  used = 0;
  row[0] = '\0';
  if (inline_wins > 0)
    used = (size_t)snprintf(row, sizeof(row), "*: tasks ran inline on event loop threads, as "
                            "many loops as in flight (a pool of loop threads, not waits "
                            "overlapped); loops short of c in flight do not compete");
  if (undecidable > 0 && used < sizeof(row))
    used += (size_t)snprintf(row + used, sizeof(row) - used, "%s%zu cell%s cannot reach p < "
                             "0.05 with %zu trials per runner: run with --reps 5 or more",
                             used ? "  ·  " : "", undecidable, undecidable > 1 ? "s" : "",
                             fewest);
  if (mixed > 0 && used < sizeof(row))
    snprintf(row + used, sizeof(row) - used, "%smixed work (by CPU share): the share-W-cN "
             "charts", used ? "  ·  " : "");
  cb__var_s(&ch, "note", row);
  for (i = 0; i < cells->n; i++)
    all[i] = i;
  cb__titles(&ch, cells, all, cells->n, "Who wins: highest median throughput", sub);
  cb__var_s(&ch, "names", names);
  cb__var_s(&ch, "colors", colors);
  cb__var_d(&ch, "ncols", (double)ncol);
  cb__var_d(&ch, "lmargin", (double)longest * 0.95 + 2);
  cb__var_d(&ch, "nrows", (double)nrow);
  cb__var_d(&ch, "W", ncol * 110 + 520 < 1280 ? 1280 : (double)ncol * 110 + 520);
  cb__var_d(&ch, "H", nrow * 46 + 280 < 720 ? 720 : (double)nrow * 46 + 280);
  cb__chart_draw(p, &ch, err, errlen);
out:
  free(all);
  free(row_of);
  free(k);
  cb__chart_free(&ch);
}

/* ---- per host ----------------------------------------------------------
 * Charts of a CSV of several hosts (a merged fleet): the winners map with
 * one column per host, and per workload one chart of small multiples, a
 * panel per host, each host's throughput divided by the best median that
 * host reached on the workload, so that the panels compare the models on
 * each machine and not the machines. */

/* Rows: settings (workload x c, or workload at p->at_c); columns: hosts. */
static void chart_hosts_winners(cb_plot_t *p, const cb_cells_t *cells, const cb_fleet_t *fl,
                                char *err, size_t errlen)
{
  cb_fleet_map_t m;
  char label[64], name[64], variant[32], names[1024], colors[512], sub[512], note_[256];
  size_t r, i, longest = 8, undecidable = 0;
  cb__chart_t ch;

  cb__chart_init(&ch, "winners.gp", "hosts-winners");
  if (cb_fleet_winners(cells, fl, 0.05, p->at_c, &m) != 0) {
    cb__plot_skip(p, ch.name, "out of memory");
    cb__chart_free(&ch);
    return;
  }
  if (m.nrows == 0) {
    cb__plot_skip(p, ch.name, p->at_c > 0 ? "no contest at that concurrency" : "no cell has ok trials");
    goto out;
  }
  for (r = 0; r < m.nrows; r++) {
    if (strlen(m.row[r]) > longest)
      longest = strlen(m.row[r]);
    for (i = 0; i < fl->n; i++) {
      long ki = m.at[r * fl->n + i];
      const cb_contest_t *w;
      cb_plot_style_t st;
      const char *color;
      if (ki < 0)
        continue;
      w = &m.k[ki];
      cb_model(cells, w->winner, name, sizeof(name));
      cb_plot_style(name, &st);
      color = w->tie ? CB__TIE_COLOR : st.color;
      margin_label(w, label, sizeof(label));
      cb_variant(cells, w->winner, variant, sizeof(variant));
      if (!w->tie && variant[0] != '\0')
        snprintf(label + strlen(label), sizeof(label) - strlen(label), " %s", variant);
      if (w->runner_up >= 0)
        undecidable += cb_mw_min_p(cells->cell[w->winner].n_ok,
                                   cells->cell[w->runner_up].n_ok) >= 0.05;
      /* col row fill label text-colour row-name col-name winner */
      cb_buf_printf(&ch.data, "%zu %zu 0x%06X ", i + 1, m.nrows - r, cb__hex_color(color));
      cb__data_str(&ch.data, label);
      cb_buf_printf(&ch.data, " 0x%06X ", cb__text_on(color));
      cb__data_str(&ch.data, m.row[r]);
      cb_buf_put(&ch.data, " ", 1);
      cb__data_str(&ch.data, fl->host[i].label);
      cb_buf_put(&ch.data, " ", 1);
      cb__data_str(&ch.data, name);
      cb_buf_put(&ch.data, "\n", 1);
    }
  }
  winners_legend(cells, m.k, m.nk, names, sizeof(names), colors, sizeof(colors));
  snprintf(sub, sizeof(sub), "rows: workload%s  ·  columns: hosts, each judged on its own "
           "trials", p->at_c > 0 ? "" : " and concurrency c");
  snprintf(note_, sizeof(note_), "blank: the host did not run it%s",
           undecidable > 0 ? "  ·  some ties cannot be decided with so few trials: run with "
                             "--reps 5 or more" : "");
  cb__var_s(&ch, "note", note_);
  if (p->at_c > 0)
    snprintf(label, sizeof(label), "Who wins on each host at c = %lu", p->at_c);
  cb__var_s(&ch, "ttl", p->at_c > 0 ? label : "Who wins on each host: highest median throughput");
  cb__var_s(&ch, "sub1", sub);
  cb__var_s(&ch, "sub2", "label: the winning model's median over the runner-up's on that host  ·  "
                     "tie: Mann-Whitney p >= 0.05");
  cb__var_s(&ch, "xlab", "host");
  cb__var_s(&ch, "names", names);
  cb__var_s(&ch, "colors", colors);
  cb__var_d(&ch, "ncols", (double)fl->n);
  cb__var_d(&ch, "lmargin", (double)longest * 0.95 + 2);
  cb__var_d(&ch, "nrows", (double)m.nrows);
  cb__var_d(&ch, "W", fl->n * 170 + longest * 12 + 420 < 1280 ? 1280
                                                           : (double)(fl->n * 170 + longest * 12 + 420));
  cb__var_d(&ch, "H", m.nrows * 46 + 280 < 720 ? 720 : (double)m.nrows * 46 + 280);
  cb__chart_draw(p, &ch, err, errlen);
out:
  cb_fleet_map_free(&m);
  cb__chart_free(&ch);
}

static void append_word(cb_buf_t *b, const char *w)
{
  cb_buf_printf(b, "%s%s", b->len ? " " : "", w);
}

/* One chart of small multiples: the setting of variant `first`, a panel
 * per host that ran it, each normalised by the best median of a model (not
 * serial, the reference) on its host. */
static void chart_hosts_scaling(cb_plot_t *p, const cb__set_t *set, const cb_fleet_t *fl,
                                size_t first, const char *done, cb__series_t *s, size_t *buf,
                                char *err, size_t errlen)
{
  const cb_cells_t *cells = set->cells;
  cb_buf_t titles_ = { 0 }, starts = { 0 }, counts = { 0 }, lnames = { 0 }, lcolors = { 0 };
  cb_buf_t lpoints = { 0 }, ldashes = { 0 };
  char suffix[160], title[256], sub[512], seen[16][64], wl[320];
  size_t h, v, i, k, ns, panels = 0, nseen = 0, block = 0;
  cb_plot_style_t st;
  cb__chart_t ch;
  cb__lines_t l;

  cb__setting_suffix(cells, set, first, suffix, sizeof(suffix));
  cb__chart_init(&ch, "hosts-scaling.gp", "hosts-scaling-%s%s", set->v[first].workload, suffix);
  cb__lines_init(&l, &ch, "concurrency");
  for (h = 0; h < fl->n; h++) {
    double best = 0;
    size_t before = l.n;
    for (v = first; v < set->nv; v++) {
      if (!done[v] && cb__same_setting(cells, &set->v[first], &set->v[v]) &&
          strcmp(cb_cell_key(cells, set->v[v].cell[0], "host"), fl->host[h].id) == 0)
        break;
    }
    if (v == set->nv)
      continue;
    ns = cb__series_of(cells, &set->v[v], s, buf);
    for (i = 0; i < ns; i++) {
      for (k = 0; k < s[i].n && !cb__is_serial(&s[i]); k++) {
        const cb_cell_sum_t *c = &cells->cell[s[i].cell[k]];
        if (c->n_ok > 0 && c->m[CB_M_throughput].median > best)
          best = c->m[CB_M_throughput].median;
      }
    }
    if (best <= 0)
      continue;
    for (i = 0; i < ns; i++) {
      /* serial is the reference, not a model: left out, as in contests;
       * cb__pt_speedup divides by its context: here the host's best */
      if (cb__is_serial(&s[i]) || cb__lines_add(&l, cells, &s[i], cb__pt_speedup, &best) == 0)
        continue;
      for (k = 0; k < nseen && strcmp(seen[k], s[i].name) != 0; k++)
        ;
      if (k == nseen && nseen < CB_ARRAY_SIZE(seen)) {
        snprintf(seen[nseen++], sizeof(seen[0]), "%s", s[i].name);
        cb_plot_style(s[i].name, &st);
        append_word(&lnames, s[i].name);
        append_word(&lcolors, st.color);
        cb_buf_printf(&lpoints, "%s%d", lpoints.len ? " " : "", st.point);
        cb_buf_printf(&ldashes, "%s%d", ldashes.len ? " " : "", st.dash);
      }
    }
    if (l.n == before)
      continue;
    cb_buf_printf(&titles_, "%s%s", panels ? "|" : "", fl->host[h].label);
    cb_buf_printf(&starts, "%s%zu", panels ? " " : "", block + 1);
    cb_buf_printf(&counts, "%s%zu", panels ? " " : "", l.n - before);
    block = l.n;
    panels++;
  }
  if (panels == 0) {
    cb__plot_skip(p, ch.name, "no host has ok trials of it");
    goto out;
  }
  snprintf(title, sizeof(title), "%s: throughput vs concurrency on each host, as a fraction of "
           "that host's best", set->v[first].workload);
  cb__workload_text(cells, &set->v[first], 1, wl, sizeof(wl));
  cb__trials_text(cells, set->v[first].cell, set->v[first].n, sub, sizeof(sub));
  snprintf(sub + strlen(sub), sizeof(sub) - strlen(sub), "  ·  %s", wl);
  cb__var_s(&ch, "ttl", title);
  cb__var_s(&ch, "sub1", sub);
  cb__var_s(&ch, "sub2", "1 = the best median throughput of a model on that host (serial, the "
                     "reference, left out): each panel compares the models on its machine");
  cb__var_s(&ch, "note", "");
  cb__var_s(&ch, "ptitles", titles_.data != NULL ? titles_.data : "");
  cb__var_s(&ch, "pstart", starts.data != NULL ? starts.data : "");
  cb__var_s(&ch, "pcount", counts.data != NULL ? counts.data : "");
  cb__var_d(&ch, "panels", (double)panels);
  cb__var_s(&ch, "lnames", lnames.data != NULL ? lnames.data : "");
  cb__var_s(&ch, "lcolors", lcolors.data != NULL ? lcolors.data : "");
  cb__var_s(&ch, "lpoints", lpoints.data != NULL ? lpoints.data : "");
  cb__var_s(&ch, "ldashes", ldashes.data != NULL ? ldashes.data : "");
  cb__lines_vars(&l, 0, 0, CB__UNIT_TIMES, "");
  /* the normalised axis is the same on every panel: 0 to a little over 1 */
  cb__var_d(&ch, "W", panels < 3 ? 560.0 * (double)panels + 420 : 1680 + 420);
  cb__var_d(&ch, "H", 300 + 420 * (double)((panels + 2) / 3));
  cb__chart_draw(p, &ch, err, errlen);
out:
  cb_buf_free(&titles_);
  cb_buf_free(&starts);
  cb_buf_free(&counts);
  cb_buf_free(&lnames);
  cb_buf_free(&lcolors);
  cb_buf_free(&lpoints);
  cb_buf_free(&ldashes);
  cb__lines_free(&l);
  cb__chart_free(&ch);
}

static void charts_per_host(cb_plot_t *p, const cb__set_t *set, const cb_fleet_t *fl, char *err,
                            size_t errlen)
{
  const cb_cells_t *cells = set->cells;
  char *done = calloc(set->nv + 1, 1);
  cb__series_t *s = calloc(cells->n + 1, sizeof(*s));
  size_t *buf = malloc((cells->n + 1) * sizeof(*buf));
  size_t v, w;

  if (done == NULL || s == NULL || buf == NULL) {
    cb__plot_skip(p, "hosts-*", "out of memory");
    goto out;
  }
  chart_hosts_winners(p, cells, fl, err, errlen);
  for (v = 0; v < set->nv; v++) {
    if (done[v])
      continue;
    chart_hosts_scaling(p, set, fl, v, done, s, buf, err, errlen);
    for (w = v; w < set->nv; w++)
      done[w] |= cb__same_setting(cells, &set->v[v], &set->v[w]);
  }
out:
  free(buf);
  free(s);
  free(done);
}

/* ---- all of them ------------------------------------------------------ */

/* Mixed work gets no chart per variant (one per share and GIL mode, each of
 * two concurrencies): share-W-cN holds all of them. */
static void skip_mixed(cb_plot_t *p, const char *workload)
{
  char what[160];

  snprintf(what, sizeof(what), "scaling-, speedup-, latency- and efficiency-%s", workload);
  cb__plot_skip(p, what, "mixed work is drawn against its CPU share (share-W-cN)");
}

int cb_plot_charts(cb_plot_t *p, const cb_cells_t *cells, char *err, size_t errlen)
{
  cb__series_t *s = NULL;
  size_t *buf = NULL;
  size_t i, ns;
  cb__set_t set;
  cb_fleet_t fl;
  int memory = 0;

  if (cb__set_build(cells, &set) != 0 || (s = calloc(cells->n + 1, sizeof(*s))) == NULL ||
      (buf = malloc((cells->n + 1) * sizeof(*buf))) == NULL) {
    free(s);
    cb__set_free(&set);
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  for (i = 0; i < set.nv && !cb__plot_stopped(p); i++) {
    const cb__variant_t *v = &set.v[i];
    const cb_workload_t *wl = cb_workload_find(v->workload);
    cb__plot_ctx_t x = { .p = p, .cells = cells, .v = v, .s = s, .err = err, .errlen = errlen };
    if (wl != NULL && wl->mixed_task_us > 0) {
      if (i == 0 || strcmp(set.v[i - 1].workload, v->workload) != 0)
        skip_mixed(p, v->workload);
      continue;
    }
    ns = cb__series_of(cells, v, s, buf);
    x.ns = ns;
    chart_scaling(&x);
    chart_speedup(&x);
    chart_latency(&x);
    chart_efficiency(&x);
    if (strcmp(v->workload, "life.idle") == 0) {
      chart_memory(&x);
      memory = 1;
    }
  }
  if (!memory && !cb__plot_stopped(p))
    cb__plot_skip(p, "memory", "no life.idle cells (run -w life.idle)");
  if (!cb__plot_stopped(p))
    chart_payload(p, &set, err, errlen);
  if (!cb__plot_stopped(p))
    chart_granularity(p, &set, err, errlen);
  if (!cb__plot_stopped(p))
    chart_share(p, &set, err, errlen);
  if (!cb__plot_stopped(p))
    chart_winners(p, &set, err, errlen);
  if (cb__plot_stopped(p)) {
    /* nothing more to draw */
  } else if (cb_fleet_hosts(cells, &fl) != 0) {
    cb__plot_skip(p, "hosts-*", "out of memory");
  } else {
    if (fl.n > 1)
      charts_per_host(p, &set, &fl, err, errlen);
    cb_fleet_free(&fl);
  }
  free(buf);
  free(s);
  cb__set_free(&set);
  return cb__plot_stopped(p) ? -EINTR : p->failed > 0 ? -EIO : 0;
}

/* ---- compare ---------------------------------------------------------- */

int cb_plot_compare(cb_plot_t *p, const cb_compare_t *cmp, char *err, size_t errlen)
{
  static const cb_cmp_verdict_t order[] = { CB_CMP_V_SLOWER, CB_CMP_V_FASTER,
                                            CB_CMP_V_UNCHANGED, CB_CMP_V_NOISY };
  static const char *const legend[] = { "slower (regression)", "faster", "unchanged", "noisy" };
  size_t i, n = 0, row = 0, longest = 8;
  double lo = 1 - cmp->threshold, hi = 1 + cmp->threshold;
  char sub[512], sub2[256], note[256];
  cb_buf_t regrows = { 0 }, names = { 0 }, colors = { 0 };
  cb__chart_t ch;

  cb__chart_init(&ch, "compare.gp", "compare");
  for (i = 0; i < cmp->n; i++)
    n += cmp->cell[i].status == CB_CMP_COMPARED;
  if (n == 0) {
    cb__plot_skip(p, ch.name, "no cell is in both files with ok trials on both sides");
    cb__chart_free(&ch);
    return 0;
  }
  for (i = 0; i < cmp->n; i++) {
    const cb_cmp_cell_t *c = &cmp->cell[i];
    if (c->status != CB_CMP_COMPARED)
      continue;
    /* row (first on top), ratio, CI, colour, regression, name, verdict */
    cb_buf_printf(&ch.data, "%zu %.10g %.10g %.10g 0x%06X %d ", n - row, c->ratio, c->ci_lo,
                  c->ci_hi, cb__hex_color(cb__verdict_color(c->verdict)), c->regression);
    cb__data_str(&ch.data, c->name);
    cb_buf_put(&ch.data, " ", 1);
    cb__data_str(&ch.data, cb_cmp_verdict_name(c->verdict));
    cb_buf_put(&ch.data, "\n", 1);
    if (c->regression)
      cb_buf_printf(&regrows, "%s%zu", regrows.len ? " " : "", n - row);
    row++;
    if (strlen(c->name) > longest)
      longest = strlen(c->name);
    if (c->ci_lo > 0 && c->ci_lo < lo)
      lo = c->ci_lo;
    if (c->ci_hi > hi)
      hi = c->ci_hi;
  }
  /* The legend: the verdicts that occur. Labels have spaces: '|' apart. */
  for (i = 0; i < CB_ARRAY_SIZE(order); i++) {
    if (cmp->count[order[i]] == 0)
      continue;
    cb_buf_printf(&names, "%s%s", names.len ? "|" : "", legend[i]);
    cb_buf_printf(&colors, "%s%s", colors.len ? " " : "", cb__verdict_color(order[i]));
  }
  snprintf(sub, sizeof(sub), "NEW %s (%s)  /  BASE %s (%s)", cmp->new_label, cmp->new_hosts,
           cmp->base_label, cmp->base_hosts);
  snprintf(sub2, sizeof(sub2), "%zu slower (regressions), %zu faster, %zu unchanged, %zu noisy",
           cmp->count[CB_CMP_V_SLOWER], cmp->count[CB_CMP_V_FASTER],
           cmp->count[CB_CMP_V_UNCHANGED], cmp->count[CB_CMP_V_NOISY]);
  snprintf(note, sizeof(note), "bars: bootstrap 95%% CI of the ratio of medians  ·  "
           "verdicts as concbench compare: Mann-Whitney, Holm, alpha %g, threshold %g%%",
           cmp->alpha, 100 * cmp->threshold);
  cb__var_s(&ch, "ttl", cmp->speedup ? "Compare: NEW / BASE speedup over serial, per cell"
                                  : "Compare: NEW / BASE median throughput, per cell");
  cb__var_s(&ch, "sub1", sub);
  cb__var_s(&ch, "sub2", sub2);
  cb__var_s(&ch, "note", note);
  cb__var_s(&ch, "metric", cmp->speedup ? "speedup over serial" : "median throughput");
  cb__var_s(&ch, "names", names.data != NULL ? names.data : "");
  cb__var_s(&ch, "colors", colors.data != NULL ? colors.data : "");
  cb__var_d(&ch, "n", (double)n);
  cb__var_s(&ch, "regrows", regrows.data != NULL ? regrows.data : "");
  cb__var_d(&ch, "threshold", cmp->threshold);
  cb__var_d(&ch, "xmin", lo / 1.15);
  cb__var_d(&ch, "xmax", hi * 1.15);
  cb__var_d(&ch, "lmargin", (double)longest * 0.8 + 2);
  cb__var_d(&ch, "W", 1280);
  cb__var_d(&ch, "H", n * 26 + 300 < 720 ? 720 : (double)n * 26 + 300);
  cb_buf_free(&regrows);
  cb_buf_free(&names);
  cb_buf_free(&colors);
  cb__chart_draw(p, &ch, err, errlen);
  cb__chart_free(&ch);
  return cb__plot_stopped(p) ? -EINTR : p->failed > 0 ? -EIO : 0;
}
