/* Comparison of two trial CSVs: the statistics and verdicts; see compare.h,
 * and docs/SCHEMA.md for the rules (compare_out.c writes the result). Each
 * side is grouped into cells by the summary code (which keys on the host
 * too); a cell's compare key is that key without the host, so one file may
 * not hold the same compare key for two hosts (it would be ambiguous which
 * to compare) (compare_side.c). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "compare.h"
#include "cells.h"
#include "compare_side.h"
#include "fingerprint.h"
#include "runner.h"
#include "stats.h"
#include "summary.h"
#include "validate.h"

/* The summary's metrics by CB_M_* index: the column compared, and its label
 * when divided by the reference (the speedup, for throughput). */
static const char *const metric_columns[] = {
#define CB_CMP_COLUMN(m) #m,
  CB_METRICS(CB_CMP_COLUMN)
#undef CB_CMP_COLUMN
};
static const char *const metric_relative[] = {
#define CB_CMP_RELATIVE(m) "relative_" #m,
  CB_METRICS(CB_CMP_RELATIVE)
#undef CB_CMP_RELATIVE
};

/* Names in natural order (c:2 before c:16), then metrics in the order asked. */
static int cmp_cell_name(const void *a, const void *b)
{
  const cb_cmp_cell_t *x = a, *y = b;
  int c = strverscmp(x->name, y->name);

  return c != 0 ? c : (x->metric > y->metric) - (x->metric < y->metric);
}

size_t cb_compare_needed_n(size_t m, double alpha)
{
  size_t n;

  if (m == 0)
    return 0;
  for (n = 1; n < 1000; n++) {
    if (cb_mw_min_p(n, n) * (double)m < alpha)
      return n;
  }
  return n;
}

/* FNV-1a: a fixed bootstrap seed per cell, so a comparison is reproducible. */
static uint64_t name_seed(const char *s)
{
  uint64_t h = UINT64_C(0xcbf29ce484222325);

  for (; *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
  return h;
}

static double median_of(const double *v, size_t n)
{
  cb_summary_t s;
  double *tmp = malloc((n > 0 ? n : 1) * sizeof(*tmp));

  if (tmp == NULL)
    return 0;
  memcpy(tmp, v, n * sizeof(*tmp));
  cb_summarize(tmp, n, 0.95, &s);
  free(tmp);
  return s.median;
}

/* A ratio below 1 is worse when higher is better, above 1 when lower is. */
static cb_cmp_verdict_t verdict(const cb_cmp_cell_t *c, int lower_better, double alpha, double t)
{
  int sig = c->p_holm < alpha, down = sig && c->ci_hi < 1 - t, up = sig && c->ci_lo > 1 + t;

  if (lower_better ? up : down)
    return CB_CMP_V_SLOWER;
  if (lower_better ? down : up)
    return CB_CMP_V_FASTER;
  if (c->ci_lo >= 1 - t && c->ci_hi <= 1 + t)
    return CB_CMP_V_UNCHANGED;
  return CB_CMP_V_NOISY;
}

/* The samples of a cell for a metric: as measured, or over the reference's
 * median of its side. NULL on ENOMEM. */
static double *samples(const cb__side_t *s, size_t cell, int m, double divisor, size_t *n)
{
  double *v = cb_cell_samples(&s->cells, cell, metric_columns[m], n);
  size_t i;

  for (i = 0; v != NULL && divisor != 1 && i < *n; i++)
    v[i] /= divisor;
  return v;
}

/* Divisor of a cell's samples on one side; 0 when the cell is not comparable
 * (with *why set). */
static double divisor_of(const cb__side_t *s, const cb__keyv_t key, int m, int speedup,
                         const char *side, char *why, size_t whylen)
{
  long sc;
  double med = 0;

  if (!speedup)
    return 1;
  sc = cb__side_reference(s, key);
  if (sc >= 0 && s->cells.cell[sc].n_ok > 0)
    med = s->cells.cell[sc].m[m].median;
  if (!(med > 0)) {
    snprintf(why, whylen, "no %s cell with ok trials in %s", cb_reference_runner(), side);
    return 0;
  }
  return med;
}

/* The bootstrap seed of a line: its cell's name, and its metric unless
 * throughput (so that a comparison of throughput alone is as it was). */
static uint64_t line_seed(const char *name, int m)
{
  uint64_t h = name_seed(name);
  const char *s = metric_columns[m];

  if (m == CB_M_throughput)
    return h;
  for (h = (h ^ '|') * UINT64_C(0x100000001b3); *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
  return h;
}

/* Compare one pair of cells. The samples of a compared cell are kept in *pr
 * (the caller frees them) for the overall geometric mean. */
static void compare_cell(const cb__side_t *b, long bi, const cb__side_t *nw, long ni, int m,
                         int speedup, unsigned rounds, cb_cmp_cell_t *c, cb_pair_t *pr)
{
  double db, dn, *x = NULL, *y = NULL;
  size_t nx = 0, ny = 0;

  c->base_n = b->cells.cell[bi].n_ok;
  c->new_n = nw->cells.cell[ni].n_ok;
  if (speedup && cb__is_reference(c->key[CB__CK_RUNNER])) {
    c->status = CB_CMP_REFERENCE;
    snprintf(c->why, sizeof(c->why), "the %s reference of speedups", c->key[CB__CK_RUNNER]);
    return;
  }
  if (c->base_n == 0 || c->new_n == 0) {
    c->status = CB_CMP_NO_DATA;
    snprintf(c->why, sizeof(c->why), "%s",
             c->base_n + c->new_n == 0 ? "no ok trial in BASE nor NEW"
             : c->base_n == 0          ? "no ok trial in BASE"
                                       : "no ok trial in NEW");
    return;
  }
  db = divisor_of(b, b->key[bi], m, speedup, "BASE", c->why, sizeof(c->why));
  dn = divisor_of(nw, nw->key[ni], m, speedup, "NEW", c->why, sizeof(c->why));
  if (db == 0 || dn == 0) {
    c->status = CB_CMP_NO_SERIAL;
    return;
  }
  x = samples(b, (size_t)bi, m, db, &nx);
  y = samples(nw, (size_t)ni, m, dn, &ny);
  c->status = CB_CMP_COMPARED;
  if (x == NULL || y == NULL) {
    c->p = -1; /* out of memory: reported by the caller */
  } else {
    c->base_median = median_of(x, nx);
    c->new_median = median_of(y, ny);
    if (!(c->base_median > 0)) {
      c->status = CB_CMP_NO_DATA;
      snprintf(c->why, sizeof(c->why), "median %s 0 in BASE", metric_columns[m]);
    } else {
      c->p = cb_mann_whitney_p(x, nx, y, ny);
      c->ratio = cb_bootstrap_ratio(x, nx, y, ny, 0.95, rounds, line_seed(c->name, m),
                                    &c->ci_lo, &c->ci_hi);
      if (c->ratio > 0) {
        *pr = (cb_pair_t){ .x = x, .nx = nx, .y = y, .ny = ny };
        return;
      }
    }
  }
  free(x);
  free(y);
}

/* The geometric mean of the ratios of the cells compared whose ratio is
 * above 0 (a zero median in NEW has no logarithm; such a cell is left out
 * and not counted). */
static void overall(cb_cmp_metric_t *mt, const cb_pair_t *pr, size_t k, unsigned rounds)
{
  mt->gm_n = k;
  if (k > 0)
    mt->gm = cb_bootstrap_geomean(pr, k, 0.95, rounds, line_seed("geometric mean", mt->m),
                                  &mt->gm_lo, &mt->gm_hi);
}

void cb_compare_free(cb_compare_t *c)
{
  size_t i, k;

  for (i = 0; c->cell != NULL && i < c->n; i++) {
    free(c->cell[i].name);
    for (k = 0; k < CB_CMP_KEYS; k++)
      free(c->cell[i].key[k]);
  }
  free(c->cell);
  free(c->speedup_why);
  free(c->base_hosts);
  free(c->new_hosts);
  free(c->base_label);
  free(c->new_label);
  memset(c, 0, sizeof(*c));
}

/* Pair BASE's cells with NEW's: out->cell gets the union, each cell once per
 * metric (line i * nmetrics + j), with index pairs per cell. */
static int pair_cells(const cb__side_t *b, const cb__side_t *nw, cb_compare_t *out, long *bi, long *ni)
{
  size_t nm = out->nmetrics;
  size_t i, k, n = 0;
  cb__keyv_t *keys;
  char **names;
  int rc = 0;

  for (i = 0; i < b->cells.n; i++) {
    bi[n] = (long)i;
    ni[n++] = cb__side_find(nw, b->key[i]);
  }
  for (i = 0; i < nw->cells.n; i++) {
    if (cb__side_find(b, nw->key[i]) < 0) {
      bi[n] = -1;
      ni[n++] = (long)i;
    }
  }
  keys = malloc((n > 0 ? n : 1) * sizeof(*keys));
  names = calloc(n > 0 ? n : 1, sizeof(*names));
  out->cell = calloc(n * nm > 0 ? n * nm : 1, sizeof(*out->cell));
  if (keys == NULL || names == NULL || out->cell == NULL) {
    rc = -ENOMEM;
    goto out;
  }
  for (i = 0; i < n; i++)
    memcpy(keys[i], bi[i] >= 0 ? b->key[bi[i]] : nw->key[ni[i]], sizeof(keys[i]));
  rc = cb__cmp_names((const cb__keyv_t *)keys, n, names);
  for (i = 0; rc == 0 && i < n * nm; i++) {
    cb_cmp_cell_t *c = &out->cell[out->n++];
    c->metric = i % nm;
    c->name = strdup(names[i / nm]);
    if (c->name == NULL)
      rc = -ENOMEM;
    for (k = 0; k < CB_CMP_KEYS; k++) {
      c->key[k] = strdup(keys[i / nm][k]);
      if (c->key[k] == NULL)
        rc = -ENOMEM;
    }
  }
out:
  cb_cell_names_free(names, n);
  free(keys);
  return rc;
}

/* Throughput is comparable as it is only between results of one machine,
 * one on each side, the same: decided by the machine's fingerprint, never
 * by the host name. Sets out->speedup and, when set, out->speedup_why. */
static int speedup_reason(const cb__side_t *b, const cb__side_t *nw, const cb_compare_opts_t *o,
                          cb_compare_t *out)
{
  char diff[768], why[1024] = "";

  if (o->speedup)
    snprintf(why, sizeof(why), "--speedup was given");
  else if (o->same_machine)
    why[0] = '\0';
  else if (b->fp_several || nw->fp_several)
    snprintf(why, sizeof(why), "%s holds results of several machines or builds",
             b->fp_several ? "BASE" : "NEW");
  else if (b->nhosts > 1 || nw->nhosts > 1)
    snprintf(why, sizeof(why), "a file holds several hosts");
  else if (b->cells.n > 0 && nw->cells.n > 0 &&
           cb_fp_diff(&b->fp, &nw->fp, CB_FP_MACHINE, 0, "BASE", "NEW", diff, sizeof(diff)) > 0)
    snprintf(why, sizeof(why), "the machines differ (%s)", diff);
  out->speedup = why[0] != '\0';
  if (out->speedup && (out->speedup_why = strdup(why)) == NULL)
    return -ENOMEM;
  return 0;
}

static int too_few(const cb_compare_t *out, char *err, size_t errlen)
{
  const cb_cmp_cell_t *first = NULL, *last = NULL;
  char others[64] = "";
  size_t i, more = 0;

  for (i = 0; i < out->n; i++) {
    const cb_cmp_cell_t *c = &out->cell[i];
    if (c->status != CB_CMP_COMPARED ||
        cb_mw_min_p(c->base_n, c->new_n) * (double)out->compared < out->alpha)
      continue;
    /* the lines of a cell are neighbours until the result is sorted */
    if (first == NULL)
      first = c;
    else if (strcmp(c->name, last->name) != 0)
      more++;
    last = c;
  }
  if (first == NULL)
    return 0;
  if (more > 0)
    snprintf(others, sizeof(others), " (and %zu more cell%s)", more, more > 1 ? "s" : "");
  snprintf(err, errlen,
           "too few repetitions: cell %s has %zu ok trials in %s and %zu in %s%s; with %zu "
           "%s at alpha %g (Holm), Mann-Whitney needs at least %zu per side "
           "(the smallest p-value of %zu against %zu is %.3g, times %zu%s): run with "
           "--reps %zu or more",
           first->name, first->base_n, out->base_label, first->new_n, out->new_label,
           others, out->compared,
           out->nmetrics > 1 ? "comparisons (cells times metrics)" : "cells compared",
           out->alpha, out->needed_n, first->base_n, first->new_n,
           cb_mw_min_p(first->base_n, first->new_n), out->compared,
           out->nmetrics > 1 ? "" : " cells", out->needed_n);
  return -ERANGE;
}

/* The metrics asked for, labelled once the metric (or its ratio to the
 * reference) is known. */
static void set_metrics(const cb_compare_opts_t *o, cb_compare_t *out)
{
  size_t j;

  out->nmetrics = o->nmetrics > 0 ? o->nmetrics : 1;
  for (j = 0; j < out->nmetrics; j++) {
    cb_cmp_metric_t *mt = &out->metric[j];
    mt->m = o->nmetrics > 0 ? o->metrics[j] : CB_M_throughput;
    mt->lower_better = mt->m != CB_M_throughput;
  }
}

static void label_metrics(cb_compare_t *out)
{
  size_t j;

  for (j = 0; j < out->nmetrics; j++) {
    cb_cmp_metric_t *mt = &out->metric[j];
    mt->name = !out->speedup                ? metric_columns[mt->m]
               : mt->m == CB_M_throughput ? "speedup"
                                          : metric_relative[mt->m];
  }
}

/* Verdicts once p holds the Holm-adjusted p-values of the lines compared,
 * in line order; counts per metric and over all. */
static void judge(cb_compare_t *out, const double *p)
{
  size_t i, k = 0;

  for (i = 0; i < out->n; i++) {
    cb_cmp_cell_t *c = &out->cell[i];
    cb_cmp_metric_t *mt = &out->metric[c->metric];
    switch (c->status) {
    case CB_CMP_COMPARED:
      c->p_holm = p[k++];
      c->verdict = verdict(c, mt->lower_better, out->alpha, out->threshold);
      c->regression = c->verdict == CB_CMP_V_SLOWER;
      mt->compared++;
      break;
    case CB_CMP_BASE_ONLY: mt->base_only++; break;
    case CB_CMP_NEW_ONLY: mt->new_only++; break;
    default: mt->not_comparable++; break;
    }
    mt->count[c->verdict]++;
    out->count[c->verdict]++;
  }
  for (k = 0; k < out->nmetrics; k++) {
    out->base_only += out->metric[k].base_only;
    out->new_only += out->metric[k].new_only;
    out->not_comparable += out->metric[k].not_comparable;
  }
}

int cb_compare_tables(const cb_table_t *base, const cb_table_t *new_, const cb_compare_opts_t *o,
                      cb_compare_t *out, char *err, size_t errlen)
{
  /* On the heap: a side holds a fingerprint, too large for a small stack. */
  cb__side_t *sides = calloc(2, sizeof(*sides)), *b = sides, *nw = sides + 1;
  long *bi = NULL, *ni = NULL;
  double *p = NULL;
  cb_pair_t *pr = NULL; /* per metric j: pr[j * stride ...], npr[j] of them */
  size_t i, j, nm, stride = 0, npr[CB_M__COUNT] = { 0 };
  int rc;

  memset(out, 0, sizeof(*out));
  if (sides == NULL) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  out->alpha = o->alpha;
  out->threshold = o->threshold;
  set_metrics(o, out);
  nm = out->nmetrics;
  rc = cb__side_load(base, o->base_label, b, err, errlen);
  if (rc == 0)
    rc = cb__side_load(new_, o->new_label, nw, err, errlen);
  if (rc != 0)
    goto out;
  rc = -ENOMEM;
  stride = b->cells.n + 1;
  out->base_hosts = strdup(b->hosts);
  out->new_hosts = strdup(nw->hosts);
  out->base_label = strdup(o->base_label);
  out->new_label = strdup(o->new_label);
  bi = malloc((b->cells.n + nw->cells.n + 1) * sizeof(*bi));
  ni = malloc((b->cells.n + nw->cells.n + 1) * sizeof(*ni));
  p = malloc(stride * nm * sizeof(*p));
  pr = calloc(stride * nm, sizeof(*pr));
  if (out->base_hosts == NULL || out->new_hosts == NULL || out->base_label == NULL ||
      out->new_label == NULL || bi == NULL || ni == NULL || p == NULL || pr == NULL ||
      pair_cells(b, nw, out, bi, ni) != 0)
    goto out;
  if (speedup_reason(b, nw, o, out) != 0)
    goto out;
  label_metrics(out);
  for (i = 0; i < out->n; i++) {
    cb_cmp_cell_t *c = &out->cell[i];
    long x = bi[i / nm], y = ni[i / nm];
    cb_pair_t *slot;
    j = c->metric;
    slot = &pr[j * stride + npr[j]];
    if (x < 0 || y < 0) {
      c->status = x < 0 ? CB_CMP_NEW_ONLY : CB_CMP_BASE_ONLY;
      snprintf(c->why, sizeof(c->why), "%s", x < 0 ? "only in NEW" : "only in BASE");
      c->base_n = x < 0 ? 0 : b->cells.cell[x].n_ok;
      c->new_n = y < 0 ? 0 : nw->cells.cell[y].n_ok;
      continue;
    }
    compare_cell(b, x, nw, y, out->metric[j].m, out->speedup, o->rounds, c, slot);
    npr[j] += slot->x != NULL;
    if (c->status == CB_CMP_COMPARED && c->p < 0)
      goto out;
    if (c->status == CB_CMP_COMPARED)
      p[out->compared++] = c->p;
  }
  out->needed_n = cb_compare_needed_n(out->compared, out->alpha);
  rc = too_few(out, err, errlen);
  if (rc != 0)
    goto out;
  cb_holm(p, out->compared);
  for (j = 0; j < nm; j++)
    overall(&out->metric[j], &pr[j * stride], npr[j], o->rounds);
  judge(out, p);
  qsort(out->cell, out->n, sizeof(*out->cell), cmp_cell_name);
  rc = 0;
out:
  if (rc == -ENOMEM)
    snprintf(err, errlen, "out of memory");
  if (rc != 0)
    cb_compare_free(out);
  for (j = 0; pr != NULL && j < nm; j++) {
    for (i = 0; i < npr[j]; i++) {
      free((double *)pr[j * stride + i].x);
      free((double *)pr[j * stride + i].y);
    }
  }
  free(pr);
  free(bi);
  free(ni);
  free(p);
  cb__side_free(b);
  cb__side_free(nw);
  free(sides);
  return rc;
}

int cb_compare_files(const char *base_path, const char *new_path, const cb_compare_opts_t *o,
                     cb_compare_t *out, char *err, size_t errlen)
{
  cb_compare_opts_t opts = *o;
  cb_table_t tb, tn;
  int rc;

  memset(out, 0, sizeof(*out));
  rc = cb_trials_load(base_path, &tb, err, errlen);
  if (rc != 0)
    return rc;
  rc = cb_trials_load(new_path, &tn, err, errlen);
  if (rc != 0) {
    cb_table_free(&tb);
    return rc;
  }
  opts.base_label = base_path;
  opts.new_label = new_path;
  rc = cb_compare_tables(&tb, &tn, &opts, out, err, errlen);
  cb_table_free(&tb);
  cb_table_free(&tn);
  return rc;
}

const char *cb_cmp_verdict_name(cb_cmp_verdict_t v)
{
  static const char *const names[] = { "", "unchanged", "faster", "slower", "noisy" };

  return (size_t)v < CB_ARRAY_SIZE(names) ? names[v] : "";
}

const char *cb_cmp_status_name(cb_cmp_status_t s)
{
  static const char *const names[] = { "compared",  "base-only", "new-only",
                                       "no-data",   "no-serial", "reference" };

  return (size_t)s < CB_ARRAY_SIZE(names) ? names[s] : "";
}


const char *cb_compare_metric_names(void)
{
  static char names[256];
  size_t i, used = 0;

  if (names[0] == '\0') {
    for (i = 0; i < CB_ARRAY_SIZE(metric_columns) && used < sizeof(names); i++)
      used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", i > 0 ? ", " : "",
                               metric_columns[i]);
  }
  return names;
}

int cb_compare_metrics_parse(const char *list, cb_compare_opts_t *o, char *bad, size_t badlen)
{
  const char *p = list, *end;
  size_t len, i, j;

  o->nmetrics = 0;
  do {
    end = strchr(p, ',');
    len = end != NULL ? (size_t)(end - p) : strlen(p);
    for (i = 0; i < CB_ARRAY_SIZE(metric_columns); i++) {
      if (strlen(metric_columns[i]) == len && strncmp(metric_columns[i], p, len) == 0)
        break;
    }
    for (j = 0; i < CB_ARRAY_SIZE(metric_columns) && j < o->nmetrics; j++) {
      if (o->metrics[j] == (int)i)
        i = CB_ARRAY_SIZE(metric_columns); /* listed twice */
    }
    if (i == CB_ARRAY_SIZE(metric_columns) || o->nmetrics == CB_M__COUNT) {
      snprintf(bad, badlen, "%.*s", (int)len, p);
      o->nmetrics = 0;
      return -EINVAL;
    }
    o->metrics[o->nmetrics++] = (int)i;
    p = end != NULL ? end + 1 : NULL;
  } while (p != NULL);
  return 0;
}

const char *cb_compare_metric_column(int m)
{
  return m >= 0 && (size_t)m < CB_ARRAY_SIZE(metric_columns) ? metric_columns[m] : "";
}
