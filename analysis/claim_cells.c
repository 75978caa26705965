/* The cells a claim compares, and their numbers said for people
 * (analysis/claim.h): the evaluators' shared helpers. A claim compares a
 * cell with another of the same setting (host, workload, size, payload, pin,
 * GIL switch interval), found by contestant name or as the reference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "claim.h"
#include "parse.h"
#include "stats.h"

double cb__median_of(const cb_cells_t *cells, size_t c, const char *metric)
{
  size_t n = 0;
  double *v = cb_cell_samples(cells, c, metric, &n), m;
  cb_summary_t s;

  if (v == NULL)
    return 0;
  cb_summarize(v, n, 0.95, &s);
  m = s.median;
  free(v);
  return m;
}

/* 12.3k, 4.56M: numbers for people. */
void cb__human(double v, char *buf, size_t len)
{
  static const char *const suffix[] = { "", "k", "M", "G" };
  size_t i = 0;

  while (v >= 1000 && i + 1 < CB_ARRAY_SIZE(suffix)) {
    v /= 1000;
    i++;
  }
  snprintf(buf, len, v >= 100 || i == 0 ? "%.0f%s" : "%.3g%s", v, suffix[i]);
}

/* 9.1 µs, 2.3 ms: a duration in seconds for people. */
void cb__duration(double s, char *buf, size_t len)
{
  if (s < 1e-6)
    snprintf(buf, len, "%.3g ns", s * 1e9);
  else if (s < 1e-3)
    snprintf(buf, len, "%.3g µs", s * 1e6);
  else if (s < 1)
    snprintf(buf, len, "%.3g ms", s * 1e3);
  else
    snprintf(buf, len, "%.3g s", s);
}

unsigned long cb__conc(const cb_cells_t *cells, size_t c)
{
  return strtoul(cb_cell_key(cells, c, "concurrency"), NULL, 10);
}

int cb__is_gil(const cb_cells_t *cells, size_t c)
{
  return strcmp(cb_cell_key(cells, c, "gil"), "1") == 0;
}

int cb__key_eq(const cb_cells_t *cells, size_t a, size_t b, const char *column)
{
  return strcmp(cb_cell_key(cells, a, column), cb_cell_key(cells, b, column)) == 0;
}

/* The cell in the same setting as cell `c` at concurrency `at` (NULL: c's)
 * of workload `workload` (NULL: c's), with measured trials, for which
 * `is_it` holds; -1 if none. */
static long find_where(const cb_cells_t *cells, size_t c, const char *at, const char *workload,
                       int (*is_it)(const cb_cells_t *cells, size_t d, const char *who),
                       const char *who)
{
  static const char *const same[] = { "host", "size", "payload", "pin", "switch_interval_us" };
  size_t d, i;

  for (d = 0; d < cells->n; d++) {
    if (cells->cell[d].n_ok == 0 ||
        strcmp(cb_cell_key(cells, d, "workload"),
               workload != NULL ? workload : cb_cell_key(cells, c, "workload")) != 0 ||
        strcmp(cb_cell_key(cells, d, "concurrency"),
               at != NULL ? at : cb_cell_key(cells, c, "concurrency")) != 0)
      continue;
    if (!is_it(cells, d, who))
      continue;
    for (i = 0; i < CB_ARRAY_SIZE(same) && cb__key_eq(cells, c, d, same[i]); i++)
      ;
    if (i == CB_ARRAY_SIZE(same))
      return (long)d;
  }
  return -1;
}

static int named(const cb_cells_t *cells, size_t d, const char *who)
{
  char name[64];

  cb_contestant(cells, d, name, sizeof(name));
  return strcmp(name, who) == 0;
}

/* The reference runner's cell in its default variant without the GIL: its
 * contestant name is its runner's name. */
static int plain_reference(const cb_cells_t *cells, size_t d, const char *who)
{
  CB_UNUSED(who);
  return cb_cell_reference(cells, d) && named(cells, d, cb_cell_key(cells, d, "runner"));
}

long cb__find(const cb_cells_t *cells, size_t c, const char *who, const char *at,
              const char *workload)
{
  return find_where(cells, c, at, workload, named, who);
}

long cb__find_reference(const cb_cells_t *cells, size_t c, const char *at)
{
  return find_where(cells, c, at, NULL, plain_reference, NULL);
}

/* Mann-Whitney of a's samples against b's scaled by `scale`: is a
 * different from scale x b? *a_more says which way the medians go. */
double cb__scaled_p(const cb_cells_t *cells, size_t a, size_t b, const char *metric,
                    double scale, double *floor, int *a_more)
{
  size_t na = 0, nb = 0, i;
  double *x = cb_cell_samples(cells, a, metric, &na);
  double *y = cb_cell_samples(cells, b, metric, &nb);
  double p = 1;

  *floor = cb_mw_min_p(na, nb);
  *a_more = 0;
  if (x != NULL && y != NULL) {
    for (i = 0; i < nb; i++)
      y[i] *= scale;
    p = cb_mann_whitney_p(x, na, y, nb);
    *a_more = cb__median_of(cells, a, metric) > scale * cb__median_of(cells, b, metric);
  }
  free(x);
  free(y);
  return p;
}

/* "21.3 ns/update" from a cell's median throughput and its size (updates
 * per task), or tasks/s without a size. */
void cb__per_update(const cb_cells_t *cells, size_t c, char *buf, size_t len)
{
  double tp = cb__median_of(cells, c, "throughput");
  double size = strtod(cb_cell_key(cells, c, "size"), NULL);
  char h[16];

  if (tp > 0 && size > 0) {
    snprintf(buf, len, "%.3g ns/update", 1e9 / (tp * size));
  } else {
    cb__human(tp, h, sizeof(h));
    snprintf(buf, len, "%s tasks/s", h);
  }
}

/* "processes" or "processes+gil": a contestant name in the claim's scope. */
void cb__scoped(const char *name, int gil, char *buf, size_t len)
{
  snprintf(buf, len, "%s%s", name, gil == 1 ? "+gil" : "");
}

int cb__judges_model(const cb_cells_t *cells, size_t c, const cb__claim_t *k)
{
  char model[64];

  if (k->others == NULL)
    return 1;
  cb_model(cells, c, model, sizeof(model));
  model[strcspn(model, "+")] = '\0';
  return (k->side != NULL && strcmp(model, k->side) == 0) || cb_list_names(k->others, model);
}

/* Trials of a cell with a given status. */
size_t cb__count_status(const cb_cells_t *cells, size_t c, const char *status)
{
  long col = cb_table_col(cells->table, "status");
  size_t i, n = 0;

  for (i = 0; col >= 0 && i < cells->cell[c].nrows; i++)
    n += strcmp(cb_table_get(cells->table, cells->cell[c].rows[i], (size_t)col), status) == 0;
  return n;
}

