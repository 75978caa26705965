/* The exports of one trial CSV, built with jansson (harness/json.h: valid UTF-8,
 * null where Google Benchmark would write NaN or Infinity); see export.h.
 * A benchmark's name is what compare.py matches runs by, so it must be the
 * same for every trial of a cell and differ between cells: the cell's name
 * (cells.h, over the cells of the file, host included) and /real_time
 * (Google Benchmark's mark of a benchmark timed by wall clock); so a name
 * depends on the other cells of the file only when it has to. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "cells.h"
#include "export.h"
#include "json.h"
#include "summary.h"

/* A cell with at least one ok trial: one Google Benchmark "instance". */
typedef struct bench_s {
  size_t cell;
  cb_buf_t name;
  uint64_t tasks;
  size_t family, instance;
} bench_t;

/* A column of data row r, or "" when the column or the row is missing. */
static const char *field(const cb_table_t *t, size_t r, const char *column)
{
  long c = cb_table_col(t, column);

  return c >= 0 && r < t->rows ? cb_table_get(t, r, (size_t)c) : "";
}

static double number(const cb_table_t *t, size_t r, const char *column)
{
  return strtod(field(t, r, column), NULL); /* cb_cells_build checked it */
}

static int parse_tasks(const char *s, uint64_t *v)
{
  char *end;

  if (*s < '0' || *s > '9')
    return -EINVAL;
  errno = 0;
  *v = strtoull(s, &end, 10);
  return *end == '\0' && errno == 0 && *v > 0 ? 0 : -EINVAL;
}

static int is_ok(const cb_cells_t *cells, size_t row)
{
  return strcmp(field(cells->table, row, "status"), "ok") == 0;
}

/* Name the benchmarks as cells.h names cells (over this file's cells, host
 * included), then mark them timed by wall clock. */
static int name_benches(const cb_cells_t *cells, bench_t *b, size_t n)
{
  cb_keyv_t *key = malloc((n > 0 ? n : 1) * sizeof(*key));
  char **name = calloc(n > 0 ? n : 1, sizeof(*name));
  size_t i, k;
  int rc = key == NULL || name == NULL ? -ENOMEM : 0;

  for (i = 0; rc == 0 && i < n; i++) {
    for (k = 0; k < CB_KEYS; k++)
      key[i][k] = cb_cell_key(cells, b[i].cell, cb_key_columns[k]);
  }
  if (rc == 0)
    rc = cb_cell_names((const cb_keyv_t *)key, n, name);
  for (i = 0; rc == 0 && i < n; i++) {
    cb_buf_printf(&b[i].name, "%s/real_time", name[i]);
    if (b[i].name.failed)
      rc = -ENOMEM;
  }
  cb_cell_names_free(name, n);
  free(key);
  return rc;
}

/* The benchmarks of the cells that have ok trials, named, numbered by family
 * (workload) and instance, as Google Benchmark numbers them. */
static int make_benches(const cb_cells_t *cells, bench_t *b, size_t *n, char *err, size_t errlen)
{
  size_t c, i, families = 0;

  *n = 0;
  for (c = 0; c < cells->n; c++) {
    const char *tasks = cb_cell_key(cells, c, "tasks");
    const char *wl = cb_cell_key(cells, c, "workload");
    bench_t *x = &b[*n];
    if (cells->cell[c].n_ok == 0)
      continue;
    x->cell = c;
    if (parse_tasks(tasks, &x->tasks) != 0) {
      snprintf(err, errlen, "line %zu: tasks '%s' is not a whole number above 0",
               cells->table->line[cells->cell[c].rows[0]], tasks);
      return -EINVAL;
    }
    x->family = families;
    for (i = 0; i < *n; i++) {
      if (strcmp(cb_cell_key(cells, b[i].cell, "workload"), wl) == 0) {
        x->family = b[i].family;
        x->instance++;
      }
    }
    families += x->instance == 0;
    (*n)++;
  }
  return name_benches(cells, b, *n);
}

/* An ISO 8601 time with "Z" as Google Benchmark writes it ("+00:00"). */
static void date_text(const char *iso, char *buf, size_t len)
{
  size_t n = strlen(iso);

  if (n > 0 && iso[n - 1] == 'Z')
    snprintf(buf, len, "%.*s+00:00", (int)(n - 1), iso);
  else
    snprintf(buf, len, "%s", iso);
}

static json_t *context(const cb_table_t *t, const cb_meta_t *meta, int *bad)
{
  const char *build = field(t, 1, "build_type");
  json_t *ctx = json_object(), *caches = json_array(), *load = json_array();
  char date[64];
  size_t i;

  if (*build == '\0')
    build = CB_BUILDTYPE;
  date_text(meta != NULL ? meta->started : field(t, 1, "timestamp"), date, sizeof(date));
  cb_json_set(ctx, "date", cb_json_str(date), bad);
  cb_json_set(ctx, "host_name", cb_json_str(meta != NULL ? meta->host : field(t, 1, "host")), bad);
  cb_json_set(ctx, "executable", cb_json_str("concbench"), bad);
  cb_json_set(ctx, "num_cpus", json_integer(meta != NULL ? (json_int_t)meta->pus
                                            : (json_int_t)strtoll(field(t, 1, "pus"), NULL, 10)),
              bad);
  cb_json_set(ctx, "mhz_per_cpu", json_integer(meta != NULL && isfinite(meta->mhz)
                                               ? (json_int_t)llround(meta->mhz) : 0), bad);
  cb_json_set(ctx, "cpu_scaling_enabled", json_false(), bad);
  for (i = 0; meta != NULL && i < meta->ncaches; i++) {
    json_t *c = json_object();
    cb_json_set(c, "type", cb_json_str(meta->caches[i].type), bad);
    cb_json_set(c, "level", json_integer(meta->caches[i].level), bad);
    cb_json_set(c, "size", json_integer((json_int_t)meta->caches[i].size), bad);
    cb_json_set(c, "num_sharing", json_integer(meta->caches[i].num_sharing), bad);
    cb_json_push(caches, c, bad);
  }
  cb_json_set(ctx, "caches", caches, bad);
  for (i = 0; i < 3; i++)
    cb_json_push(load, cb_json_num(meta != NULL ? meta->load_avg[i] : 0), bad);
  cb_json_set(ctx, "load_avg", load, bad);
  /* Google Benchmark's build type says whether assertions were on: NDEBUG,
   * which Meson's b_ndebug=if-release sets for release and plain builds. */
  cb_json_set(ctx, "library_build_type",
              json_string(strcmp(build, "release") == 0 || strcmp(build, "plain") == 0
                          ? "release" : "debug"), bad);
  return ctx;
}

/* One repetition of a benchmark: an ok trial. A value that is not finite
 * (a zero wall time's throughput) is null (harness/json.h). */
static json_t *run(const cb_cells_t *cells, const bench_t *b, size_t row, size_t index, int *bad)
{
  const cb_table_t *t = cells->table;
  double tasks = (double)b->tasks;
  json_t *r = json_object();

  cb_json_set(r, "name", cb_json_str(b->name.data), bad);
  cb_json_set(r, "family_index", json_integer((json_int_t)b->family), bad);
  cb_json_set(r, "per_family_instance_index", json_integer((json_int_t)b->instance), bad);
  cb_json_set(r, "run_name", cb_json_str(b->name.data), bad);
  cb_json_set(r, "run_type", json_string("iteration"), bad);
  cb_json_set(r, "repetitions", json_integer((json_int_t)cells->cell[b->cell].n_ok), bad);
  cb_json_set(r, "repetition_index", json_integer((json_int_t)index), bad);
  cb_json_set(r, "threads", json_integer(1), bad);
  cb_json_set(r, "iterations", json_integer((json_int_t)b->tasks), bad);
  cb_json_set(r, "real_time", cb_json_num(number(t, row, "wall_s") / tasks * 1e9), bad);
  cb_json_set(r, "cpu_time",
              cb_json_num((number(t, row, "user_s") + number(t, row, "sys_s")) / tasks * 1e9),
              bad);
  cb_json_set(r, "time_unit", json_string("ns"), bad);
  cb_json_set(r, "items_per_second", cb_json_num(number(t, row, "throughput")), bad);
  return r;
}

int cb_export_gbench(const cb_table_t *t, const cb_meta_t *meta, cb_buf_t *out, char *err,
                     size_t errlen)
{
  bench_t *b = NULL;
  cb_cells_t cells;
  size_t n = 0, i, r, index;
  int rc;

  rc = cb_cells_build(t, &cells, err, errlen);
  if (rc != 0)
    return rc;
  b = calloc(cells.n > 0 ? cells.n : 1, sizeof(*b));
  rc = b == NULL ? -ENOMEM : make_benches(&cells, b, &n, err, errlen);
  if (rc == 0) {
    json_t *root = json_object(), *benches = json_array();
    int bad = 0;
    cb_json_set(root, "context", context(t, meta, &bad), &bad);
    for (i = 0; i < n; i++) {
      const cb_cell_sum_t *c = &cells.cell[b[i].cell];
      for (r = 0, index = 0; r < c->nrows; r++) {
        if (is_ok(&cells, c->rows[r]))
          cb_json_push(benches, run(&cells, &b[i], c->rows[r], index++, &bad), &bad);
      }
    }
    cb_json_set(root, "benchmarks", benches, &bad);
    rc = cb_json_dump(root, bad, out);
    json_decref(root);
  }
  if (rc == -ENOMEM)
    snprintf(err, errlen, "out of memory");
  for (i = 0; b != NULL && i < cells.n; i++)
    cb_buf_free(&b[i].name);
  free(b);
  cb_cells_free(&cells);
  return rc;
}

int cb_export_gbench_file(const char *path, const char *csv, size_t len, const cb_meta_t *meta,
                          char *err, size_t errlen)
{
  cb_buf_t b = { 0 };
  cb_table_t t;
  int rc;

  rc = cb_table_parse(csv, len, &t, err, errlen);
  if (rc == 0) {
    rc = cb_export_gbench(&t, meta, &b, err, errlen);
    cb_table_free(&t);
  }
  if (rc == 0) {
    rc = cb_write_atomic(path, b.data, b.len);
    if (rc != 0)
      snprintf(err, errlen, "%s", strerror(-rc));
  }
  cb_buf_free(&b);
  return rc;
}

/* ---- dashboards: one entry per cell ------------------------------------ */

/* Each export adds one cell's entry to the document's root (an array or an
 * object). */
typedef void (*export_fn)(json_t *root, const char *name, const cb_cell_sum_t *cs,
                          const char *host, int *bad);

static void custom_bigger_entry(json_t *root, const char *name, const cb_cell_sum_t *cs,
                                const char *host, int *bad)
{
  const cb_summary_t *s = &cs->m[CB_M_throughput];
  json_t *e = json_object();
  char text[512];

  cb_json_set(e, "name", cb_json_str(name), bad);
  cb_json_set(e, "unit", json_string("tasks/s"), bad);
  cb_json_set(e, "value", cb_json_num(s->median), bad);
  snprintf(text, sizeof(text), "± %.4g", (s->ci_hi - s->ci_lo) / 2);
  cb_json_set(e, "range", cb_json_str(text), bad);
  snprintf(text, sizeof(text), "n=%zu cv=%.1f%% ci%.0f=[%.6g, %.6g] host=%s", s->n,
           100 * s->cv, 100 * s->ci_level, s->ci_lo, s->ci_hi, host);
  cb_json_set(e, "extra", cb_json_str(text), bad);
  cb_json_push(root, e, bad);
}

static void bmf_entry(json_t *root, const char *name, const cb_cell_sum_t *cs,
                      const char *host, int *bad)
{
  const cb_summary_t *s = &cs->m[CB_M_throughput];
  json_t *e = json_object(), *m = json_object();

  (void)host;
  cb_json_set(m, "value", cb_json_num(s->median), bad);
  cb_json_set(m, "lower_value", cb_json_num(s->ci_lo), bad);
  cb_json_set(m, "upper_value", cb_json_num(s->ci_hi), bad);
  cb_json_set(e, "throughput", m, bad);
  cb_json_set(root, name, e, bad);
}

static int export_cells(const cb_table_t *t, cb_buf_t *out, export_fn fn, json_t *root,
                        char *err, size_t errlen)
{
  cb_cells_t cells;
  char **names = NULL;
  size_t i;
  int rc, bad = 0, built = 0;

  rc = cb_cells_build(t, &cells, err, errlen);
  if (rc == 0) {
    built = 1;
    rc = cb_cells_one_host(&cells, NULL, err, errlen);
  }
  if (rc == 0) {
    names = calloc(cells.n > 0 ? cells.n : 1, sizeof(*names));
    rc = names == NULL ? -ENOMEM : cb_cells_names(&cells, 0, names);
  }
  if (rc == 0) {
    for (i = 0; i < cells.n; i++) {
      if (cells.cell[i].n_ok > 0)
        fn(root, names[i], &cells.cell[i], cb_cell_key(&cells, i, "host"), &bad);
    }
    rc = cb_json_dump(root, bad, out);
  }
  if (rc == -ENOMEM)
    snprintf(err, errlen, "out of memory");
  json_decref(root);
  cb_cell_names_free(names, built ? cells.n : 0);
  if (built)
    cb_cells_free(&cells);
  return rc;
}

int cb_export_custom_bigger(const cb_table_t *t, cb_buf_t *out, char *err, size_t errlen)
{
  return export_cells(t, out, custom_bigger_entry, json_array(), err, errlen);
}

int cb_export_bmf(const cb_table_t *t, cb_buf_t *out, char *err, size_t errlen)
{
  return export_cells(t, out, bmf_entry, json_object(), err, errlen);
}
