/* The output formats of a comparison (compare.h): text for people,
 * Markdown for a pull-request comment, JSON, and CSV (one row per line, what
 * `plot --compare` reads). The statistics and verdicts are compare.c's; this
 * file only writes them, as docs/SCHEMA.md, "Output formats", says. */
#include <stdio.h>
#include <string.h>

#include "cb.h"
#include "compare.h"
#include "json.h"

/* The unit of a metric's column (docs/SCHEMA.md, trial CSV). */
static const char *unit_of(int m)
{
  switch (m) {
  case CB_M_throughput: return "tasks/s";
  case CB_M_lat_p50_us:
  case CB_M_lat_p99_us: return "µs";
  case CB_M_maxrss_kb: return "KiB";
  default: return "s";
  }
}

static const char *metric_of(const cb_compare_t *c, const cb_cmp_cell_t *x)
{
  return c->metric[x->metric].name;
}

static void describe_metric(const cb_compare_t *c, const cb_cmp_metric_t *mt, cb_buf_t *out,
                            const char *prefix)
{
  static const char ratio[] = "ratio of medians NEW/BASE with a 95% bootstrap confidence "
                              "interval";
  const char *col = cb_compare_metric_column(mt->m), *ref = cb_reference_runner();
  const char *way = mt->lower_better ? "; lower is better" : "";

  if (!c->speedup) {
    cb_buf_printf(out, "%smetric: %s (%s%s); %s\n", prefix, col, unit_of(mt->m), way, ratio);
    return;
  }
  if (mt->m == CB_M_throughput) {
    cb_buf_printf(out, "%smetric: speedups over %s were compared, not throughput, since %s: "
                       "each trial's throughput divided by the median throughput of the %s "
                       "cell of the same workload, pin, size and payload on the same side; %s\n",
                  prefix, ref, c->speedup_why != NULL ? c->speedup_why : "--speedup was given",
                  ref, ratio);
    return;
  }
  cb_buf_printf(out, "%smetric: %s, not %s, since %s: each trial's %s divided by the median %s "
                     "of the %s cell of the same workload, pin, size and payload on the same "
                     "side%s; %s\n", prefix, mt->name, col,
                c->speedup_why != NULL ? c->speedup_why : "--speedup was given", col, col, ref,
                way, ratio);
}

static void describe_metrics(const cb_compare_t *c, cb_buf_t *out, const char *prefix)
{
  size_t j;

  for (j = 0; j < c->nmetrics; j++)
    describe_metric(c, &c->metric[j], out, prefix);
}

static void describe_test(const cb_compare_t *c, cb_buf_t *out, const char *prefix)
{
  size_t j, lower = 0;
  char rule[160];

  for (j = 0; j < c->nmetrics; j++)
    lower += c->metric[j].lower_better != 0;
  if (lower == 0)
    snprintf(rule, sizeof(rule), "the whole CI below %g", 1 - c->threshold);
  else if (lower == c->nmetrics)
    snprintf(rule, sizeof(rule), "the whole CI above %g", 1 + c->threshold);
  else
    snprintf(rule, sizeof(rule), "the whole CI below %g, or above %g where lower is better",
             1 - c->threshold, 1 + c->threshold);
  cb_buf_printf(out, "%stest: Mann-Whitney U (two-sided), Holm-adjusted over %zu %s; alpha %g, "
                     "threshold %g%% (regression: adjusted p < alpha and %s)\n", prefix,
                c->compared, c->nmetrics > 1 ? "comparisons (cells times metrics)"
                                             : "cells compared",
                c->alpha, 100 * c->threshold, rule);
}

/* "METRIC: " before a metric's summary lines when there are several. */
static void metric_prefix(const cb_compare_t *c, const cb_cmp_metric_t *mt, cb_buf_t *out)
{
  if (c->nmetrics > 1)
    cb_buf_printf(out, "%s: ", mt->name);
}

void cb_compare_counts(const cb_compare_t *c, cb_buf_t *out)
{
  size_t j;

  for (j = 0; j < c->nmetrics; j++) {
    const cb_cmp_metric_t *mt = &c->metric[j];
    metric_prefix(c, mt, out);
    cb_buf_printf(out, "%zu cells compared: %zu slower (regressions), %zu faster, %zu "
                       "unchanged, %zu noisy; %zu only in BASE, %zu only in NEW, %zu not "
                       "comparable\n",
                  mt->compared, mt->count[CB_CMP_V_SLOWER], mt->count[CB_CMP_V_FASTER],
                  mt->count[CB_CMP_V_UNCHANGED], mt->count[CB_CMP_V_NOISY], mt->base_only,
                  mt->new_only, mt->not_comparable);
  }
}

void cb_compare_overall(const cb_compare_t *c, cb_buf_t *out)
{
  size_t j;

  for (j = 0; j < c->nmetrics; j++) {
    const cb_cmp_metric_t *mt = &c->metric[j];
    metric_prefix(c, mt, out);
    if (mt->gm_n == 0)
      cb_buf_printf(out, "geometric mean of the ratios: none (no cell compared)\n");
    else
      cb_buf_printf(out, "geometric mean of the ratios over %zu cell%s: %.3f, 95%% CI [%.3f, "
                         "%.3f]\n", mt->gm_n, mt->gm_n == 1 ? "" : "s", mt->gm, mt->gm_lo,
                    mt->gm_hi);
  }
}

void cb_compare_text(const cb_compare_t *c, cb_buf_t *out)
{
  size_t i, w = 4, wm = 0;
  int any = 0;

  for (i = 0; i < c->n; i++) {
    if (strlen(c->cell[i].name) > w)
      w = strlen(c->cell[i].name);
  }
  /* with several metrics, a column says which one each line is */
  for (i = 0; c->nmetrics > 1 && i < c->nmetrics; i++) {
    if (strlen(c->metric[i].name) > wm)
      wm = strlen(c->metric[i].name);
  }
  cb_buf_printf(out, "BASE %s (host %s)\nNEW  %s (host %s)\n", c->base_label,
                c->base_hosts[0] ? c->base_hosts : "none", c->new_label,
                c->new_hosts[0] ? c->new_hosts : "none");
  describe_metrics(c, out, "");
  describe_test(c, out, "");
  cb_buf_printf(out, "\n%-*s ", (int)w, "cell");
  if (wm > 0)
    cb_buf_printf(out, "%-*s ", (int)wm, "metric");
  cb_buf_printf(out, "%11s %11s %7s %17s %9s %9s  %s\n", "BASE median", "NEW median", "ratio",
                "95% CI", "p", "p(Holm)", "verdict");
  for (i = 0; i < c->n; i++) {
    const cb_cmp_cell_t *x = &c->cell[i];
    if (x->status != CB_CMP_COMPARED)
      continue;
    cb_buf_printf(out, "%-*s ", (int)w, x->name);
    if (wm > 0)
      cb_buf_printf(out, "%-*s ", (int)wm, metric_of(c, x));
    cb_buf_printf(out, "%11.5g %11.5g %7.3f [%6.3f, %6.3f] %9.3g %9.3g  %s%s\n", x->base_median, x->new_median, x->ratio, x->ci_lo, x->ci_hi, x->p,
                  x->p_holm, cb_cmp_verdict_name(x->verdict), x->regression ? "  REGRESSION" : "");
  }
  for (i = 0; i < c->n; i++) {
    const cb_cmp_cell_t *x = &c->cell[i];
    if (x->status == CB_CMP_COMPARED)
      continue;
    if (!any++)
      cb_buf_printf(out, "\nnot compared:\n");
    cb_buf_printf(out, "%-*s ", (int)w, x->name);
    if (wm > 0)
      cb_buf_printf(out, "%-*s ", (int)wm, metric_of(c, x));
    cb_buf_printf(out, "%s\n", x->why);
  }
  cb_buf_printf(out, "\n");
  cb_compare_counts(c, out);
  cb_compare_overall(c, out);
}

void cb_compare_md(const cb_compare_t *c, cb_buf_t *out)
{
  size_t i;
  int any = 0, several = c->nmetrics > 1;

  /* File names and hosts come from anywhere: escaped, so none can change the
   * document (a backtick would end a code span, a '|' a table cell). */
  cb_buf_printf(out, "## concbench compare\n\nBASE ");
  cb_buf_md(out, c->base_label);
  cb_buf_printf(out, " (host ");
  cb_buf_md(out, c->base_hosts);
  cb_buf_printf(out, "), NEW ");
  cb_buf_md(out, c->new_label);
  cb_buf_printf(out, " (host ");
  cb_buf_md(out, c->new_hosts);
  cb_buf_printf(out, ").\n\n");
  describe_metrics(c, out, "- ");
  describe_test(c, out, "- ");
  cb_buf_printf(out, "\n| cell | %sBASE median | NEW median | ratio | 95%% CI | p | p (Holm) | "
                     "verdict |\n|---|%s---:|---:|---:|---|---:|---:|---|\n",
                several ? "metric | " : "", several ? "---|" : "");
  for (i = 0; i < c->n; i++) {
    const cb_cmp_cell_t *x = &c->cell[i];
    if (x->status != CB_CMP_COMPARED)
      continue;
    cb_buf_printf(out, "| `%s` | ", x->name);
    if (several)
      cb_buf_printf(out, "%s | ", metric_of(c, x));
    cb_buf_printf(out, "%.5g | %.5g | %.3f | %.3f – %.3f | %.3g | %.3g | %s%s%s |\n",
                  x->base_median, x->new_median, x->ratio, x->ci_lo, x->ci_hi, x->p,
                  x->p_holm, x->regression ? "**" : "", cb_cmp_verdict_name(x->verdict),
                  x->regression ? " (regression)**" : "");
  }
  for (i = 0; i < c->n; i++) {
    const cb_cmp_cell_t *x = &c->cell[i];
    if (x->status == CB_CMP_COMPARED)
      continue;
    if (!any++)
      cb_buf_printf(out, "\nNot compared:\n\n");
    if (several)
      cb_buf_printf(out, "- `%s` (%s): %s\n", x->name, metric_of(c, x), x->why);
    else
      cb_buf_printf(out, "- `%s`: %s\n", x->name, x->why);
  }
  cb_buf_printf(out, "\n");
  cb_compare_counts(c, out);
  cb_compare_overall(c, out);
}

/* The metric's name, or with several the names comma-separated. */
static json_t *metric_list(const cb_compare_t *c, int *bad)
{
  cb_buf_t b = { 0 };
  json_t *v;
  size_t j;

  for (j = 0; j < c->nmetrics; j++)
    cb_buf_printf(&b, "%s%s", j > 0 ? "," : "", c->metric[j].name);
  if (b.failed || b.data == NULL) {
    *bad = 1;
    cb_buf_free(&b);
    return json_null();
  }
  v = cb_json_str(b.data);
  cb_buf_free(&b);
  return v;
}

static json_t *geomean(const cb_cmp_metric_t *mt, int *bad)
{
  json_t *x = json_object();

  cb_json_set(x, "cells", json_integer((json_int_t)mt->gm_n), bad);
  cb_json_set(x, "ratio", mt->gm_n > 0 ? cb_json_num(mt->gm) : json_null(), bad);
  cb_json_set(x, "ci_lo", mt->gm_n > 0 ? cb_json_num(mt->gm_lo) : json_null(), bad);
  cb_json_set(x, "ci_hi", mt->gm_n > 0 ? cb_json_num(mt->gm_hi) : json_null(), bad);
  return x;
}

void cb_compare_json(const cb_compare_t *c, cb_buf_t *out)
{
  static const char *const f[] = { "base_median", "new_median", "ratio", "ci_lo", "ci_hi", "p",
                                   "p_holm" };
  json_t *root = json_object(), *side, *cells = json_array(), *metrics = json_array(), *x;
  size_t i, k;
  int bad = 0;

  side = json_object();
  cb_json_set(side, "file", cb_json_str(c->base_label), &bad);
  cb_json_set(side, "hosts", cb_json_str(c->base_hosts), &bad);
  cb_json_set(root, "base", side, &bad);
  side = json_object();
  cb_json_set(side, "file", cb_json_str(c->new_label), &bad);
  cb_json_set(side, "hosts", cb_json_str(c->new_hosts), &bad);
  cb_json_set(root, "new", side, &bad);
  cb_json_set(root, "metric", metric_list(c, &bad), &bad);
  cb_json_set(root, "alpha", cb_json_num(c->alpha), &bad);
  cb_json_set(root, "threshold", cb_json_num(c->threshold), &bad);
  cb_json_set(root, "compared", json_integer((json_int_t)c->compared), &bad);
  cb_json_set(root, "needed_n", json_integer((json_int_t)c->needed_n), &bad);
  cb_json_set(root, "regressions", json_integer((json_int_t)c->count[CB_CMP_V_SLOWER]), &bad);
  cb_json_set(root, "faster", json_integer((json_int_t)c->count[CB_CMP_V_FASTER]), &bad);
  cb_json_set(root, "unchanged", json_integer((json_int_t)c->count[CB_CMP_V_UNCHANGED]), &bad);
  cb_json_set(root, "noisy", json_integer((json_int_t)c->count[CB_CMP_V_NOISY]), &bad);
  cb_json_set(root, "base_only", json_integer((json_int_t)c->base_only), &bad);
  cb_json_set(root, "new_only", json_integer((json_int_t)c->new_only), &bad);
  cb_json_set(root, "not_comparable", json_integer((json_int_t)c->not_comparable), &bad);
  for (i = 0; i < c->n; i++) {
    const cb_cmp_cell_t *y = &c->cell[i];
    const double v[] = { y->base_median, y->new_median, y->ratio, y->ci_lo,
                         y->ci_hi, y->p, y->p_holm };
    x = json_object();
    cb_json_set(x, "name", cb_json_str(y->name), &bad);
    cb_json_set(x, "metric", json_string(metric_of(c, y)), &bad);
    for (k = 0; k < CB_CMP_KEYS; k++)
      cb_json_set(x, cb_compare_key_columns[k], cb_json_str(y->key[k]), &bad);
    cb_json_set(x, "status", json_string(cb_cmp_status_name(y->status)), &bad);
    cb_json_set(x, "base_n", json_integer((json_int_t)y->base_n), &bad);
    cb_json_set(x, "new_n", json_integer((json_int_t)y->new_n), &bad);
    if (y->status == CB_CMP_COMPARED) {
      for (k = 0; k < CB_ARRAY_SIZE(f); k++)
        cb_json_set(x, f[k], cb_json_num(v[k]), &bad);
      cb_json_set(x, "verdict", json_string(cb_cmp_verdict_name(y->verdict)), &bad);
      cb_json_set(x, "regression", json_boolean(y->regression), &bad);
    } else {
      cb_json_set(x, "reason", cb_json_str(y->why), &bad);
    }
    cb_json_push(cells, x, &bad);
  }
  cb_json_set(root, "geomean", geomean(&c->metric[0], &bad), &bad);
  for (k = 0; k < c->nmetrics; k++) {
    const cb_cmp_metric_t *mt = &c->metric[k];
    x = json_object();
    cb_json_set(x, "name", json_string(mt->name), &bad);
    cb_json_set(x, "lower_is_better", json_boolean(mt->lower_better), &bad);
    cb_json_set(x, "compared", json_integer((json_int_t)mt->compared), &bad);
    cb_json_set(x, "regressions", json_integer((json_int_t)mt->count[CB_CMP_V_SLOWER]), &bad);
    cb_json_set(x, "faster", json_integer((json_int_t)mt->count[CB_CMP_V_FASTER]), &bad);
    cb_json_set(x, "unchanged", json_integer((json_int_t)mt->count[CB_CMP_V_UNCHANGED]), &bad);
    cb_json_set(x, "noisy", json_integer((json_int_t)mt->count[CB_CMP_V_NOISY]), &bad);
    cb_json_set(x, "geomean", geomean(mt, &bad), &bad);
    cb_json_push(metrics, x, &bad);
  }
  cb_json_set(root, "metrics", metrics, &bad);
  cb_json_set(root, "cells", cells, &bad);
  if (cb_json_dump(root, bad, out) != 0)
    out->failed = 1;
  json_decref(root);
}

void cb_compare_csv(const cb_compare_t *c, cb_buf_t *out)
{
  size_t i, k;

  cb_buf_printf(out, "name");
  for (k = 0; k < CB_CMP_KEYS; k++)
    cb_buf_printf(out, ",%s", cb_compare_key_columns[k]);
  cb_buf_printf(out, ",metric,status,base_n,new_n,base_median,new_median,ratio,ci_lo,ci_hi,"
                     "p,p_holm,verdict,regression,reason\n");
  for (i = 0; i < c->n; i++) {
    const cb_cmp_cell_t *x = &c->cell[i];
    const double v[] = { x->base_median, x->new_median, x->ratio, x->ci_lo,
                         x->ci_hi, x->p, x->p_holm };
    cb_buf_csv_str(out, x->name);
    for (k = 0; k < CB_CMP_KEYS; k++) {
      cb_buf_put(out, ",", 1);
      cb_buf_csv_str(out, x->key[k]);
    }
    cb_buf_printf(out, ",%s,%s,%zu,%zu", metric_of(c, x), cb_cmp_status_name(x->status),
                  x->base_n, x->new_n);
    for (k = 0; k < CB_ARRAY_SIZE(v); k++) {
      cb_buf_put(out, ",", 1);
      if (x->status == CB_CMP_COMPARED)
        cb_buf_csv_double(out, v[k]);
    }
    cb_buf_printf(out, ",%s,%d,", cb_cmp_verdict_name(x->verdict), x->regression);
    cb_buf_csv_str(out, x->status == CB_CMP_COMPARED ? "" : x->why);
    cb_buf_put(out, "\n", 1);
  }
}

