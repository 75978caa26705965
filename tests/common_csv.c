/* The test helpers for analysis (tests/common.h): the topology a group loads
 * once, near-equality, trial CSVs written to a file or built in memory and
 * parsed into cells, and the finding a claim gave. */
#include "common.h"
#include "record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- analysis ---------------------------------------------------------------- */

cb_topo_t *cbt_topo;

int cbt_topo_setup(void **state)
{
  (void)state;
  return cb_topo_load(&cbt_topo) == 0 ? 0 : -1;
}

int cbt_topo_teardown(void **state)
{
  (void)state;
  cb_topo_free(cbt_topo);
  cbt_topo = NULL;
  return 0;
}

void cbt_expect_near(double got, double want, const char *what)
{
  if (!(fabs(got - want) <= 1e-12 * (fabs(want) > 1 ? fabs(want) : 1)))
    fail_msg("%s = %.17g, expected %.17g", what, got, want);
}

void cbt_cells_parse(const char *text, size_t len, cb_table_t *t, cb_cells_t *cells)
{
  char err[256];

  if (cb_table_parse(text, len, t, err, sizeof(err)) != 0)
    fail_msg("cb_table_parse: %s", err);
  if (cb_cells_build(t, cells, err, sizeof(err)) != 0)
    fail_msg("cb_cells_build: %s", err);
}

const cb_finding_t *cbt_finding(const cb_finding_t *all, size_t n, const char *prefix)
{
  size_t i;

  for (i = 0; i < n; i++) {
    if (strncmp(all[i].claim, prefix, strlen(prefix)) == 0)
      return &all[i];
  }
  fail_msg("no finding starts with '%s'", prefix);
  return NULL;
}

void cbt_csv_start(cbt_csv_t *x, const char *header)
{
  memset(x, 0, sizeof(*x));
  cb_buf_printf(&x->csv, "%s", header);
}

void cbt_csv_parse(cbt_csv_t *x)
{
  cbt_cells_parse(x->csv.data, x->csv.len, &x->table, &x->cells);
}

void cbt_csv_free(cbt_csv_t *x)
{
  cb_cells_free(&x->cells);
  cb_table_free(&x->table);
  cb_buf_free(&x->csv);
}

/* The value of col in list (column, value, ...), or NULL. */
static const char *value_in(const char *const *list, const char *col)
{
  size_t i;

  for (i = 0; list != NULL && list[i] != NULL && list[i + 1] != NULL; i += 2) {
    if (strcmp(list[i], col) == 0)
      return list[i + 1];
  }
  return NULL;
}

void cbt_write_trials(const char *path, int rows, size_t drop, const char *const *set,
                      const char *const *first)
{
  static const char *const plain[] = { "status", "ok", "workload", "noop", "runner", "serial",
                                       NULL };
  size_t ncols = cb_record_columns_count - drop, c;
  FILE *f = fopen(path, "w");
  int r;

  if (f == NULL)
    fail_msg("cannot write %s: %s", path, strerror(errno));
  for (c = 0; c < ncols; c++)
    fprintf(f, "%s%s", c ? "," : "", cb_record_columns[c]);
  fputc('\n', f);
  for (r = 0; r < rows; r++) {
    for (c = 0; c < ncols; c++) {
      const char *col = cb_record_columns[c], *v = r == 0 ? value_in(first, col) : NULL;
      if (v == NULL)
        v = value_in(set, col);
      if (v == NULL)
        v = value_in(plain, col);
      fprintf(f, "%s%s", c ? "," : "", v != NULL ? v : "1");
    }
    fputc('\n', f);
  }
  assert_int_equal(fclose(f), 0);
}
