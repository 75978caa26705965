/* Cells into variants and series, the units every chart is drawn from.
 * Cells are sorted by workload (by family, in the registry's chart order:
 * cb_workload_family_rank), variant, contestant in legend order and concurrency. A
 * variant is the cells of one workload that share host, pin, size, payload
 * and switch interval. A workload measured with one variant gets charts
 * named after it alone (scaling-cpu.hash); when it has several, the variant
 * with the most cells keeps the plain name and the others get a suffix
 * naming what differs (scaling-comm.payload-payload4096), so links to the
 * plain names (the report's) always land on a chart. A series is one
 * contestant's cells of a variant, one per concurrency. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "chart.h"
#include "runner.h"
#include "workload.h"

static double num(const char *s)
{
  char *end;
  double v = strtod(s, &end);

  return end != s ? v : NAN;
}

double cb__key_num(const cb_cells_t *cells, size_t c, const char *col)
{
  return num(cb_cell_key(cells, c, col));
}

double cb__concurrency(const cb_cells_t *cells, size_t c)
{
  return cb__key_num(cells, c, "concurrency");
}

const cb_summary_t *cb__metric(const cb_cells_t *cells, size_t c, int m)
{
  return &cells->cell[c].m[m];
}

/* Numbers compare as numbers, anything else as text. */
static int cmp_values(const char *a, const char *b)
{
  char *ea, *eb;
  double x = strtod(a, &ea), y = strtod(b, &eb);

  if (*a != '\0' && *b != '\0' && *ea == '\0' && *eb == '\0' && x != y)
    return x < y ? -1 : 1;
  return strcmp(a, b);
}

static const char *const variant_cols[] = { "host", "pin", "size", "payload",
                                            "switch_interval_us" };

static const cb_cells_t *sort_cells; /* qsort has no context argument */

static int cmp_workload(size_t a, size_t b)
{
  const char *x = cb_cell_key(sort_cells, a, "workload");
  const char *y = cb_cell_key(sort_cells, b, "workload");
  int d = cb_workload_family_rank(x) - cb_workload_family_rank(y);

  return d != 0 ? d : strcmp(x, y);
}

static int cmp_variant(size_t a, size_t b)
{
  size_t i;
  int d = cmp_workload(a, b);

  for (i = 0; d == 0 && i < CB_ARRAY_SIZE(variant_cols); i++)
    d = cmp_values(cb_cell_key(sort_cells, a, variant_cols[i]),
                   cb_cell_key(sort_cells, b, variant_cols[i]));
  return d;
}

static int cmp_contestant(size_t a, size_t b)
{
  char x[64], y[64];
  int d;

  cb_contestant(sort_cells, a, x, sizeof(x));
  cb_contestant(sort_cells, b, y, sizeof(y));
  d = cb_plot_rank(x) - cb_plot_rank(y);
  return d != 0 ? d : strcmp(x, y);
}

static int cmp_cells(const void *pa, const void *pb)
{
  size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
  int d = cmp_variant(a, b);

  if (d == 0)
    d = cmp_contestant(a, b);
  if (d == 0)
    d = cmp_values(cb_cell_key(sort_cells, a, "concurrency"),
                   cb_cell_key(sort_cells, b, "concurrency"));
  if (d == 0) /* the same point twice (other tasks): the more trials first */
    d = (sort_cells->cell[a].n_ok < sort_cells->cell[b].n_ok) -
        (sort_cells->cell[a].n_ok > sort_cells->cell[b].n_ok);
  return d != 0 ? d : (a > b) - (a < b);
}

void cb__set_free(cb__set_t *s)
{
  free(s->order);
  free(s->v);
  free(s->variant_of);
  memset(s, 0, sizeof(*s));
}

static void describe_dim(cb__variant_t *v, const char *col, const char *val)
{
  char safe[64], shown[64];
  size_t u = strlen(v->suffix), w = strlen(v->what), r = strlen(v->row);

  cb__safe_name(val, safe, sizeof(safe));
  if (strcmp(col, "payload") == 0)
    cb__human_bytes(num(val), shown, sizeof(shown));
  else if (strcmp(col, "switch_interval_us") == 0)
    snprintf(shown, sizeof(shown), "%s µs", val);
  else
    snprintf(shown, sizeof(shown), "%s", val);
  if (strcmp(col, "switch_interval_us") == 0) {
    snprintf(v->suffix + u, sizeof(v->suffix) - u, "-si%s", safe);
    snprintf(v->what + w, sizeof(v->what) - w, "%sswitch interval %s", w ? ", " : "", shown);
  } else {
    snprintf(v->suffix + u, sizeof(v->suffix) - u, "-%s%s", col, safe);
    snprintf(v->what + w, sizeof(v->what) - w, "%s%s %s", w ? ", " : "", col, shown);
  }
  snprintf(v->row + r, sizeof(v->row) - r, "%s%s%s", r ? ", " : " ",
           strcmp(col, "payload") == 0 || strcmp(col, "switch_interval_us") == 0 ? "" : col,
           strcmp(col, "payload") == 0 || strcmp(col, "switch_interval_us") == 0 ? "" : " ");
  r = strlen(v->row);
  snprintf(v->row + r, sizeof(v->row) - r, "%s", shown);
}

/* Name the variants of one workload, v[0..n). */
static void name_variants(const cb_cells_t *cells, cb__variant_t *v, size_t n)
{
  size_t i, k, main = 0;
  int varies[CB_ARRAY_SIZE(variant_cols)] = { 0 };

  if (n < 2)
    return;
  for (k = 0; k < CB_ARRAY_SIZE(variant_cols); k++) {
    for (i = 1; i < n; i++)
      varies[k] |= strcmp(cb_cell_key(cells, v[i].cell[0], variant_cols[k]),
                          cb_cell_key(cells, v[0].cell[0], variant_cols[k])) != 0;
  }
  for (i = 1; i < n; i++) {
    if (v[i].n > v[main].n)
      main = i;
  }
  for (i = 0; i < n; i++) {
    for (k = 0; k < CB_ARRAY_SIZE(variant_cols); k++) {
      if (varies[k])
        describe_dim(&v[i], variant_cols[k], cb_cell_key(cells, v[i].cell[0], variant_cols[k]));
    }
    if (i == main)
      v[i].suffix[0] = '\0';
  }
}

int cb__set_build(const cb_cells_t *cells, cb__set_t *s)
{
  size_t i, start;

  memset(s, 0, sizeof(*s));
  s->cells = cells;
  s->order = malloc((cells->n + 1) * sizeof(*s->order));
  s->v = calloc(cells->n + 1, sizeof(*s->v));
  s->variant_of = malloc((cells->n + 1) * sizeof(*s->variant_of));
  if (s->order == NULL || s->v == NULL || s->variant_of == NULL) {
    cb__set_free(s);
    return -ENOMEM;
  }
  for (i = 0; i < cells->n; i++)
    s->order[i] = i;
  sort_cells = cells;
  qsort(s->order, cells->n, sizeof(*s->order), cmp_cells);
  for (i = 0; i < cells->n; i++) {
    if (i == 0 || cmp_variant(s->order[i - 1], s->order[i]) != 0) {
      s->v[s->nv].workload = cb_cell_key(cells, s->order[i], "workload");
      s->v[s->nv].cell = &s->order[i];
      s->nv++;
    }
    s->v[s->nv - 1].n++;
    s->variant_of[s->order[i]] = (long)s->nv - 1;
  }
  for (start = 0, i = 1; i <= s->nv; i++) {
    if (i == s->nv || strcmp(s->v[i].workload, s->v[start].workload) != 0) {
      name_variants(cells, &s->v[start], i - start);
      start = i;
    }
  }
  return 0;
}

/* The series of a variant (at most v->n of them), one point per
 * concurrency; their cells are copied into buf (v->n entries). */
size_t cb__series_of(const cb_cells_t *cells, const cb__variant_t *v, cb__series_t *out,
                     size_t *buf)
{
  size_t i, n = 0, used = 0;
  char name[64];

  for (i = 0; i < v->n; i++) {
    cb_contestant(cells, v->cell[i], name, sizeof(name));
    if (n == 0 || strcmp(out[n - 1].name, name) != 0) {
      snprintf(out[n].name, sizeof(out[n].name), "%s", name);
      out[n].cell = &buf[used];
      out[n].n = 0;
      n++;
    }
    /* The same concurrency again (another task count): the sort put the
     * cell with more trials first; keep that one. */
    if (out[n - 1].n > 0 && cb__concurrency(cells, out[n - 1].cell[out[n - 1].n - 1]) ==
                                cb__concurrency(cells, v->cell[i]))
      continue;
    buf[used++] = v->cell[i];
    out[n - 1].n++;
  }
  return n;
}

int cb__series_reference(const cb__series_t *s)
{
  const cb_runner_t *r = cb_runner_find(s->name);

  return r != NULL && r->reference;
}

static long find_reference(const cb__series_t *s, size_t ns)
{
  size_t i;

  for (i = 0; i < ns; i++) {
    if (cb__series_reference(&s[i]))
      return (long)i;
  }
  return -1;
}

/* The reference cell to compare with: c = 1, ok trials, a median above 0. */
long cb__reference_cell(const cb_cells_t *cells, const cb__series_t *s, size_t ns)
{
  long i = find_reference(s, ns);
  size_t k;

  for (k = 0; i >= 0 && k < s[i].n; k++) {
    size_t c = s[i].cell[k];
    if (cells->cell[c].n_ok > 0 && cb__metric(cells, c, CB_M_throughput)->median > 0)
      return (long)c;
  }
  return -1;
}

int cb__gil_of(const cb_cells_t *cells, size_t c)
{
  return strcmp(cb_cell_key(cells, c, "gil"), "1") == 0;
}

/* A variant's setting without its host: the variants of one setting on the
 * hosts are the panels of one chart. */
int cb__same_setting(const cb_cells_t *cells, const cb__variant_t *a, const cb__variant_t *b)
{
  size_t k;

  if (strcmp(a->workload, b->workload) != 0)
    return 0;
  for (k = 0; k < CB_ARRAY_SIZE(variant_cols); k++) {
    if (strcmp(variant_cols[k], "host") != 0 &&
        strcmp(cb_cell_key(cells, a->cell[0], variant_cols[k]),
               cb_cell_key(cells, b->cell[0], variant_cols[k])) != 0)
      return 0;
  }
  return 1;
}

/* "-size2000-payload64": what sets a setting apart from the workload's
 * main one (the setting with the most cells keeps the plain name). */
void cb__setting_suffix(const cb_cells_t *cells, const cb__set_t *set, size_t v, char *buf,
                        size_t len)
{
  size_t i, k, best = v, count, best_count = 0, u = 0;
  char safe[64];

  buf[0] = '\0';
  for (i = 0; i < set->nv; i++) {
    if (strcmp(set->v[i].workload, set->v[v].workload) != 0)
      continue;
    for (k = 0, count = 0; k < set->nv; k++)
      count += cb__same_setting(cells, &set->v[i], &set->v[k]) ? set->v[k].n : 0;
    if (count > best_count) {
      best_count = count;
      best = i;
    }
  }
  if (cb__same_setting(cells, &set->v[best], &set->v[v]))
    return;
  for (k = 0; k < CB_ARRAY_SIZE(variant_cols) && u < len; k++) {
    const char *a = cb_cell_key(cells, set->v[v].cell[0], variant_cols[k]);
    if (strcmp(variant_cols[k], "host") == 0 ||
        strcmp(a, cb_cell_key(cells, set->v[best].cell[0], variant_cols[k])) == 0)
      continue;
    cb__safe_name(a, safe, sizeof(safe));
    u += (size_t)snprintf(buf + u, len - u, "-%s%s",
                          strcmp(variant_cols[k], "switch_interval_us") == 0 ? "si"
                                                                             : variant_cols[k],
                          safe);
  }
}


/* Group cells (in their order) into one series per contestant, in order of
 * first appearance; s has room for n series. 0 or -ENOMEM (the series made
 * so far are in *ns, to be freed). */
int cb__series_group(const cb_cells_t *cells, const size_t *cell, size_t n, cb__series_t *s,
                     size_t *ns)
{
  char name[64];
  size_t i, k;

  for (i = 0; i < n; i++) {
    cb_contestant(cells, cell[i], name, sizeof(name));
    for (k = 0; k < *ns && strcmp(s[k].name, name) != 0; k++)
      ;
    if (k == *ns) {
      snprintf(s[k].name, sizeof(s[k].name), "%s", name);
      if ((s[k].cell = malloc(n * sizeof(*s[k].cell))) == NULL)
        return -ENOMEM;
      ++*ns;
    }
    s[k].cell[s[k].n++] = cell[i];
  }
  return 0;
}

/* Each series by x, ascending; cells of equal x keep their order. */
void cb__series_sort(const cb_cells_t *cells, cb__series_t *s, size_t ns, cb__x_fn x)
{
  size_t i, j, k, t;

  for (i = 0; i < ns; i++) {
    size_t *c = s[i].cell;
    for (k = 1; k < s[i].n; k++) {
      for (j = k; j > 0 && x(cells, c[j - 1]) > x(cells, c[j]); j--) {
        t = c[j];
        c[j] = c[j - 1];
        c[j - 1] = t;
      }
    }
  }
}
