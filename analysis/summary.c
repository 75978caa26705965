/* Cells and their statistics; see summary.h. Grouping sorts the rows by
 * their key once (by a hash of it, n log n however many cells there are) and
 * then restores the order in which cells first appear, which is the order
 * they ran in; cb_cells_sort puts them in the order people read them. Every
 * statistic of a cell is O(n log n) in its trials, so a million rows take
 * seconds. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "cells.h"
#include "runner.h"
#include "summary.h"
#include "validate.h"
#include "workload.h"

static const char *const metric_names[] = {
#define CB_METRIC_NAME(m) #m,
  CB_METRICS(CB_METRIC_NAME)
#undef CB_METRIC_NAME
};

/* Columns copied from the cell's first trial: what the cell ran on. */
static const char *const context_columns[] = { "family", "cpu_model", "pus", "cores",
                                                "inflight", "inline" };

enum {
  COL_STATUS = 0,
  COL_FAILED = 1, /* optional */
  COL_KEY = 2,
  COL_METRIC = COL_KEY + CB_KEYS,
  COL_CONTEXT = COL_METRIC + CB_M__COUNT,
};
_Static_assert(COL_CONTEXT + CB_ARRAY_SIZE(context_columns) <= CB_ARRAY_SIZE(((cb_cells_t *)0)->col),
               "cb_cells_t.col is too small for the columns used");

typedef struct keyed_s {
  uint64_t hash; /* of the row's key */
  size_t row;
} keyed_t;

static const long *sort_cols;       /* qsort has no context argument */
static const cb_table_t *sort_table;

/* Key column i of a row; an optional key the file lacks reads as its
 * default (col < 0 only for those: find_columns requires the rest). */
static const char *key_field(const cb_table_t *t, size_t row, const long *col, size_t i)
{
  const char *raw = col[COL_KEY + i] >= 0 ? cb_table_get(t, row, (size_t)col[COL_KEY + i])
                                          : cb_key_absent(cb_key_columns[i]);

  if (i != CB_KEY_PROCS)
    return raw;
  return cb_key_value(cb_key_columns[i], key_field(t, row, col, CB_KEY_RUNNER), raw);
}

static int cmp_keyed(const void *a, const void *b)
{
  const keyed_t *x = a, *y = b;
  size_t i;
  int c;

  for (i = 0; i < cb_key_columns_count; i++) {
    c = strcmp(key_field(sort_table, x->row, sort_cols, i),
               key_field(sort_table, y->row, sort_cols, i));
    if (c != 0)
      return c;
  }
  return (x->row > y->row) - (x->row < y->row);
}

/* FNV-1a over the key fields, each followed by a byte no field holds. */
static uint64_t key_hash(const cb_table_t *t, size_t row, const long *col)
{
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  const unsigned char *p;
  size_t i;

  for (i = 0; i < cb_key_columns_count; i++) {
    for (p = (const unsigned char *)key_field(t, row, col, i); *p != '\0'; p++)
      h = (h ^ *p) * UINT64_C(0x100000001b3);
    h = (h ^ 0xff) * UINT64_C(0x100000001b3);
  }
  return h;
}

static int cmp_hashed(const void *a, const void *b)
{
  const keyed_t *x = a, *y = b;

  if (x->hash != y->hash)
    return x->hash < y->hash ? -1 : 1;
  return (x->row > y->row) - (x->row < y->row);
}

static int same_key(const cb_table_t *t, const long *col, size_t a, size_t b);

/* Bring rows with equal keys together: sort by the key's hash (integers,
 * not eleven strings per comparison), then check each run of equal hashes;
 * a run that mixes keys (a collision) is sorted by the keys themselves. */
static void sort_by_key(const cb_table_t *t, const long *col, keyed_t *k, size_t n)
{
  size_t a, b, j;

  for (j = 0; j < n; j++)
    k[j].hash = key_hash(t, k[j].row, col);
  qsort(k, n, sizeof(*k), cmp_hashed);
  for (a = 0; a < n; a = b) {
    for (b = a + 1; b < n && k[b].hash == k[a].hash; b++)
      ;
    for (j = a + 1; j < b && same_key(t, col, k[a].row, k[j].row); j++)
      ;
    if (j < b) {
      sort_cols = col;
      sort_table = t;
      qsort(k + a, b - a, sizeof(*k), cmp_keyed);
    }
  }
}

static int cmp_first_row(const void *a, const void *b)
{
  const cb_cell_sum_t *x = a, *y = b;

  return (x->rows[0] > y->rows[0]) - (x->rows[0] < y->rows[0]);
}

static const cb_table_t *order_table; /* qsort has no context argument */

/* Position of a name in a registry; unknown names after all known ones. */
static size_t workload_rank(const char *name)
{
  size_t i;

  for (i = 0; i < cb_workloads_count && strcmp(cb_workloads[i]->name, name) != 0; i++)
    ;
  return i;
}

static size_t runner_rank(const char *name)
{
  size_t i;

  for (i = 0; i < cb_runners_count && strcmp(cb_runners[i]->name, name) != 0; i++)
    ;
  return i;
}

static const char *row_key(size_t row, const char *column)
{
  long col = cb_table_col(order_table, column);

  return col >= 0 ? cb_table_get(order_table, row, (size_t)col) : cb_key_absent(column);
}

/* Cells in the order people read them: by host and workload (registry
 * order), its size, payload and GIL mode, then concurrency, runner and
 * transport; numbers as numbers. */
static int cmp_cell_order(const void *a, const void *b)
{
  static const struct {
    const char *column;
    char kind; /* 'w' workload rank, 'r' runner rank, 'n' number, 's' string */
  } order[] = {
    { "host", 's' }, { "workload", 'w' }, { "size", 'n' }, { "payload", 'n' }, { "gil", 'n' },
    { "switch_interval_us", 'n' }, { "concurrency", 'n' }, { "runner", 'r' },
    { "transport", 's' }, { "dispatch", 's' }, { "procs", 'n' }, { "pin", 's' }, { "tasks", 'n' },
  };
  size_t ra = ((const cb_cell_sum_t *)a)->rows[0], rb = ((const cb_cell_sum_t *)b)->rows[0], i;
  const char *x, *y;
  double dx, dy;
  int c;

  for (i = 0; i < CB_ARRAY_SIZE(order); i++) {
    x = row_key(ra, order[i].column);
    y = row_key(rb, order[i].column);
    if (order[i].kind == 'w')
      c = (workload_rank(x) > workload_rank(y)) - (workload_rank(x) < workload_rank(y));
    else if (order[i].kind == 'r')
      c = (runner_rank(x) > runner_rank(y)) - (runner_rank(x) < runner_rank(y));
    else if (order[i].kind == 'n') {
      dx = strtod(x, NULL);
      dy = strtod(y, NULL);
      c = (dx > dy) - (dx < dy);
    } else {
      c = 0;
    }
    if (c == 0)
      c = strcmp(x, y);
    if (c != 0)
      return c;
  }
  return (ra > rb) - (ra < rb);
}

static int find_columns(const cb_table_t *t, long *col, char *err, size_t errlen)
{
  size_t i;

  if (cb_table_require(t, (const char *const[]){ "status" }, 1, err, errlen) != 0 ||
      cb_table_require(t, metric_names, CB_M__COUNT, err, errlen) != 0)
    return -EINVAL;
  col[COL_STATUS] = cb_table_col(t, "status");
  col[COL_FAILED] = cb_table_col(t, "failed");
  for (i = 0; i < cb_key_columns_count; i++) {
    col[COL_KEY + i] = cb_table_col(t, cb_key_columns[i]);
    if (col[COL_KEY + i] < 0 && cb_key_absent(cb_key_columns[i]) == NULL)
      return cb_table_require(t, &cb_key_columns[i], 1, err, errlen);
  }
  for (i = 0; i < CB_M__COUNT; i++)
    col[COL_METRIC + i] = cb_table_col(t, metric_names[i]);
  for (i = 0; i < CB_ARRAY_SIZE(context_columns); i++)
    col[COL_CONTEXT + i] = cb_table_col(t, context_columns[i]); /* optional: -1 */
  return 0;
}

static int same_key(const cb_table_t *t, const long *col, size_t a, size_t b)
{
  size_t i;

  for (i = 0; i < cb_key_columns_count; i++) {
    if (strcmp(key_field(t, a, col, i), key_field(t, b, col, i)) != 0)
      return 0;
  }
  return 1;
}

/* Split the sorted rows into cells. */
static int group(cb_cells_t *cells, const keyed_t *k, size_t nrows)
{
  size_t i, start = 0;
  cb_cell_sum_t *c;

  cells->cell = calloc(nrows > 0 ? nrows : 1, sizeof(*cells->cell));
  if (cells->cell == NULL)
    return -ENOMEM;
  for (i = 1; i <= nrows; i++) {
    if (i < nrows && same_key(cells->table, cells->col, k[start].row, k[i].row))
      continue;
    c = &cells->cell[cells->n++];
    c->nrows = i - start;
    c->rows = malloc(c->nrows * sizeof(*c->rows));
    if (c->rows == NULL)
      return -ENOMEM;
    for (size_t j = 0; j < c->nrows; j++)
      c->rows[j] = k[start + j].row;
    start = i;
  }
  qsort(cells->cell, cells->n, sizeof(*cells->cell), cmp_first_row);
  return 0;
}

static int parse_number(const char *s, double *v)
{
  char *end;

  if (*s == '\0')
    return -EINVAL;
  *v = strtod(s, &end);
  return *end == '\0' && !isnan(*v) ? 0 : -EINVAL;
}

/* Tasks lost in a row (its failed column; 0 without one). */
static uint64_t row_failed(const cb_cells_t *cells, size_t row)
{
  long col = cells->col[COL_FAILED];

  return col >= 0 ? strtoull(cb_table_get(cells->table, row, (size_t)col), NULL, 10) : 0;
}

/* A row that measured its cell: ok, or racy (sync.none, measured to the end:
 * its lost updates are the result), and no task lost with its worker unless
 * the workload kills workers on purpose (fault.crash). A row that lost tasks
 * otherwise (a worker killed from outside; a CSV written before such trials
 * became errors) did not measure the model. */
static int row_measured(const cb_cells_t *cells, size_t cell, size_t row)
{
  const char *st = cb_table_get(cells->table, row, (size_t)cells->col[COL_STATUS]);
  const cb_workload_t *wl;

  if (strcmp(st, "ok") != 0 && strcmp(st, "racy") != 0)
    return 0;
  if (row_failed(cells, row) == 0)
    return 1;
  wl = cb_workload_find(cb_cell_key(cells, cell, "workload"));
  return wl != NULL && wl->fails_on_purpose;
}

/* The same, decided once per row when the cells are built. */
static int measured(const cb_cells_t *cells, size_t cell, size_t row)
{
  return cells->measured != NULL ? cells->measured[row] : row_measured(cells, cell, row);
}

double *cb_cell_samples(const cb_cells_t *cells, size_t cell, const char *column, size_t *n)
{
  const cb_cell_sum_t *c = &cells->cell[cell];
  const cb_table_t *t = cells->table;
  long col = cb_table_col(t, column);
  double *v = malloc((c->nrows > 0 ? c->nrows : 1) * sizeof(*v));
  size_t i;

  *n = 0;
  if (v == NULL || col < 0)
    return v;
  for (i = 0; i < c->nrows; i++) {
    if (!measured(cells, cell, c->rows[i]))
      continue;
    if (parse_number(cb_table_get(t, c->rows[i], (size_t)col), &v[*n]) == 0)
      (*n)++;
  }
  return v;
}

static void flag(const cb_cells_t *cells, size_t cell)
{
  cb_cell_sum_t *c = &cells->cell[cell];
  const cb_summary_t *tp = &c->m[CB_M_throughput];
  const cb_workload_t *wl = cb_workload_find(cb_cell_key(cells, cell, "workload"));

  if (c->n_ok < c->nrows)
    c->flags |= CB_FLAG_FAILURES;
  if (c->failed_tasks > 0 && !(wl != NULL && wl->fails_on_purpose))
    c->flags |= CB_FLAG_LOST | CB_FLAG_FAILURES;
  if (c->n_ok == 0) {
    c->flags |= CB_FLAG_NO_DATA;
    return;
  }
  if (tp->cv > 0.10)
    c->flags |= CB_FLAG_HIGH_CV;
  if (tp->median > 0 && (tp->min < 0.5 * tp->median || tp->max > 1.5 * tp->median))
    c->flags |= CB_FLAG_OUTLIER;
  if (c->m[CB_M_wall_s].median < 0.005)
    c->flags |= CB_FLAG_SHORT;
}

static int summarize(cb_cells_t *cells)
{
  unsigned char *ok = calloc(cells->table->rows > 0 ? cells->table->rows : 1, 1);
  size_t i, m, n;
  double *v;

  if (ok == NULL)
    return -ENOMEM;
  for (i = 0; i < cells->n; i++) {
    for (m = 0; m < cells->cell[i].nrows; m++)
      ok[cells->cell[i].rows[m]] = (unsigned char)row_measured(cells, i, cells->cell[i].rows[m]);
  }
  cells->measured = ok;

  for (i = 0; i < cells->n; i++) {
    cb_cell_sum_t *c = &cells->cell[i];
    for (m = 0; m < CB_M__COUNT; m++) {
      v = cb_cell_samples(cells, i, metric_names[m], &n);
      if (v == NULL)
        return -ENOMEM;
      cb_summarize(v, n, 0.95, &c->m[m]);
      c->n_ok = n;
      free(v);
    }
    for (m = 0; m < c->nrows; m++)
      c->failed_tasks += row_failed(cells, c->rows[m]);
    flag(cells, i);
  }
  return 0;
}

int cb_cells_build(const cb_table_t *t, cb_cells_t *cells, char *err, size_t errlen)
{
  size_t r, nrows = t->rows > 0 ? t->rows - 1 : 0;
  keyed_t *k = NULL;
  int rc;

  memset(cells, 0, sizeof(*cells));
  cells->table = t;
  rc = find_columns(t, cells->col, err, errlen);
  if (rc == 0)
    rc = cb_trials_check(t, err, errlen); /* so later readers need not */
  if (rc != 0)
    return rc;
  k = malloc((nrows > 0 ? nrows : 1) * sizeof(*k));
  if (k == NULL)
    return -ENOMEM;
  for (r = 0; r < nrows; r++)
    k[r].row = r + 1;
  sort_by_key(t, cells->col, k, nrows);
  rc = group(cells, k, nrows);
  if (rc == 0)
    rc = summarize(cells);
  free(k);
  if (rc != 0) {
    snprintf(err, errlen, "out of memory");
    cb_cells_free(cells);
  }
  return rc;
}

void cb_cells_sort(cb_cells_t *cells)
{
  order_table = cells->table;
  qsort(cells->cell, cells->n, sizeof(*cells->cell), cmp_cell_order);
}

void cb_cells_free(cb_cells_t *cells)
{
  size_t i;

  for (i = 0; cells->cell != NULL && i < cells->n; i++)
    free(cells->cell[i].rows);
  free(cells->cell);
  free(cells->measured);
  memset(cells, 0, sizeof(*cells));
}

const char *cb_cell_key(const cb_cells_t *cells, size_t cell, const char *column)
{
  long col = cb_table_col(cells->table, column);
  const char *absent, *raw;

  if (col < 0)
    return (absent = cb_key_absent(column)) != NULL ? absent : "";
  raw = cb_table_get(cells->table, cells->cell[cell].rows[0], (size_t)col);
  if (strcmp(column, "procs") != 0)
    return raw;
  return cb_key_value(column, cb_cell_key(cells, cell, "runner"), raw);
}

void cb_flags_text(unsigned flags, char *buf, size_t len)
{
  static const char *const names[] = { "high-cv", "outlier", "short", "failures", "no-data",
                                       "lost-tasks" };
  size_t i, used = 0;

  buf[0] = '\0';
  for (i = 0; i < CB_ARRAY_SIZE(names) && used < len; i++) {
    if (flags & (1u << i))
      used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ";" : "", names[i]);
  }
}

static const char *hint(unsigned flags)
{
  if (flags & CB_FLAG_LOST)
    return "tasks were lost with workers that died (killed from outside?): see the message "
           "column of the trial CSV";
  if (flags & CB_FLAG_NO_DATA)
    return "every trial failed: see the message column of the trial CSV";
  if (flags & CB_FLAG_SHORT)
    return "trials shorter than 5 ms: raise --tasks so each lasts longer";
  if (flags & (CB_FLAG_HIGH_CV | CB_FLAG_OUTLIER))
    return "noisy: more --reps, pin workers (-p compact or cores), a quieter machine (`concbench "
           "env` times the machine's own noise)";
  if (flags & CB_FLAG_FAILURES)
    return "some trials failed: see the message column of the trial CSV";
  return "";
}

static const char *const stat_names[] = { "median", "mean", "stddev", "mad", "cv", "min",
                                          "max", "ci_lo", "ci_hi" };

static void stat_values(const cb_summary_t *s, double *v)
{
  v[0] = s->median;
  v[1] = s->mean;
  v[2] = s->stddev;
  v[3] = s->mad;
  v[4] = s->cv;
  v[5] = s->min;
  v[6] = s->max;
  v[7] = s->ci_lo;
  v[8] = s->ci_hi;
}

static void csv_header(cb_buf_t *out)
{
  size_t i, m;

  for (i = 0; i < cb_key_columns_count; i++)
    cb_buf_printf(out, "%s,", cb_key_columns[i]);
  for (i = 0; i < CB_ARRAY_SIZE(context_columns); i++)
    cb_buf_printf(out, "%s,", context_columns[i]);
  cb_buf_printf(out, "trials,n,ci_level");
  for (m = 0; m < CB_M__COUNT; m++) {
    for (i = 0; i < CB_ARRAY_SIZE(stat_names); i++)
      cb_buf_printf(out, ",%s_%s", metric_names[m], stat_names[i]);
  }
  cb_buf_printf(out, ",flags,hint,failed_tasks\n");
}

void cb_cells_csv(const cb_cells_t *cells, cb_buf_t *out)
{
  double v[CB_ARRAY_SIZE(stat_names)];
  char flags[96];
  size_t c, i, m;

  csv_header(out);
  for (c = 0; c < cells->n; c++) {
    const cb_cell_sum_t *cs = &cells->cell[c];
    for (i = 0; i < cb_key_columns_count; i++) {
      cb_buf_csv_str(out, cb_cell_key(cells, c, cb_key_columns[i]));
      cb_buf_put(out, ",", 1);
    }
    for (i = 0; i < CB_ARRAY_SIZE(context_columns); i++) {
      cb_buf_csv_str(out, cb_cell_key(cells, c, context_columns[i]));
      cb_buf_put(out, ",", 1);
    }
    cb_buf_printf(out, "%zu,%zu,", cs->nrows, cs->n_ok);
    cb_buf_csv_double(out, cs->m[CB_M_throughput].ci_level);
    for (m = 0; m < CB_M__COUNT; m++) {
      stat_values(&cs->m[m], v);
      for (i = 0; i < CB_ARRAY_SIZE(v); i++) {
        cb_buf_put(out, ",", 1);
        cb_buf_csv_double(out, v[i]);
      }
    }
    cb_flags_text(cs->flags, flags, sizeof(flags));
    cb_buf_printf(out, ",%s,", flags);
    cb_buf_csv_str(out, hint(cs->flags));
    cb_buf_printf(out, ",%llu\n", (unsigned long long)cs->failed_tasks);
  }
}

size_t cb_cells_warn(const cb_cells_t *cells, FILE *f)
{
  char flags[96];
  size_t c, n = 0;

  for (c = 0; c < cells->n; c++) {
    const cb_cell_sum_t *cs = &cells->cell[c];
    if (cs->flags == 0)
      continue;
    cb_flags_text(cs->flags, flags, sizeof(flags));
    fprintf(f, "concbench: unstable: %s %s c=%s: %s (cv %.1f%%, median wall %.4g s): %s\n",
            cb_cell_key(cells, c, "workload"), cb_cell_key(cells, c, "runner"),
            cb_cell_key(cells, c, "concurrency"), flags, 100 * cs->m[CB_M_throughput].cv,
            cs->m[CB_M_wall_s].median, hint(cs->flags));
    n++;
  }
  return n;
}
