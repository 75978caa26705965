/* The trials `concbench ab` keeps (cli/ab.h): the one row each trial's own
 * CSV holds, under every column that either side wrote, in order of first
 * appearance; written back as the output CSV with a `side` column first, or
 * one side at a time for compare. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ab.h"

/* What the row of a cell must say in compare's key columns. */
void cb__ab_cell_key(const cb_cell_t *c, char key[CB_CMP_KEYS][64])
{
  snprintf(key[0], 64, "%s", c->wl->name);
  snprintf(key[1], 64, "%s", c->rn->name);
  snprintf(key[2], 64, "%s", c->transport);
  snprintf(key[3], 64, "%s", cb_pin_name(c->pin));
  snprintf(key[4], 64, "%u", c->concurrency);
  snprintf(key[5], 64, "%llu", (unsigned long long)c->params.tasks);
  snprintf(key[6], 64, "%llu", (unsigned long long)c->params.size);
  snprintf(key[7], 64, "%llu", (unsigned long long)c->params.payload);
  snprintf(key[8], 64, "%d", c->gil);
  snprintf(key[9], 64, "%llu", (unsigned long long)c->switch_us);
  snprintf(key[10], 64, "%s", c->dispatch != NULL ? c->dispatch : c->rn->dispatches[0]);
  key[11][0] = '\0';
  if (c->rn->takes_procs)
    snprintf(key[11], 64, "%u", c->procs);
}

static long rows_col(cb_ab_rows_t *rs, const char *name, int side)
{
  unsigned *f;
  char **p;
  size_t i;

  for (i = 0; i < rs->ncols; i++) {
    if (strcmp(rs->col[i], name) == 0) {
      rs->from[i] |= 1u << side;
      return (long)i;
    }
  }
  p = realloc(rs->col, (rs->ncols + 1) * sizeof(*p));
  if (p != NULL)
    rs->col = p;
  f = realloc(rs->from, (rs->ncols + 1) * sizeof(*f));
  if (f != NULL)
    rs->from = f;
  if (p == NULL || f == NULL || (rs->col[rs->ncols] = strdup(name)) == NULL)
    return -ENOMEM;
  rs->from[rs->ncols] = 1u << side;
  return (long)rs->ncols++;
}

/* Keep data row 1 of t as a row of `side` and cell, with run_id and rep
 * replaced. */
int cb__ab_rows_add(cb_ab_rows_t *rs, int side, size_t cell, const cb_table_t *t, const char *run_id,
                    unsigned rep)
{
  char repbuf[32];
  cb_ab_row_t *r;
  size_t c;
  long k;

  if (CB_GROW(rs->row, rs->cap, rs->n, 256) != 0)
    return -ENOMEM;
  r = &rs->row[rs->n];
  memset(r, 0, sizeof(*r));
  r->side = side;
  r->cell = cell;
  snprintf(repbuf, sizeof(repbuf), "%u", rep);
  for (c = 0; c < t->cols; c++) {
    const char *name = cb_table_get(t, 0, c), *v = cb_table_get(t, 1, c);
    if ((k = rows_col(rs, name, side)) < 0)
      return (int)k;
    if ((size_t)k >= r->nv) {
      char **nv = realloc(r->v, rs->ncols * sizeof(*nv));
      if (nv == NULL)
        return -ENOMEM;
      memset(nv + r->nv, 0, (rs->ncols - r->nv) * sizeof(*nv));
      r->v = nv;
      r->nv = rs->ncols;
    }
    if (strcmp(name, "run_id") == 0)
      v = run_id;
    else if (strcmp(name, "rep") == 0)
      v = repbuf;
    if ((r->v[k] = strdup(v)) == NULL)
      return -ENOMEM;
  }
  rs->n++;
  return 0;
}

/* Whether the rows of `side` lack compare key column k (an older BASE that
 * had no such key, e.g. dispatch). */
static int lacks_key(const cb_ab_rows_t *rs, int side, size_t k)
{
  size_t c;

  for (c = 0; c < rs->ncols; c++) {
    if (strcmp(rs->col[c], cb_compare_key_columns[k]) == 0)
      return !(rs->from[c] & (1u << side));
  }
  return 1;
}

/* The rows of both sides (side < 0: the side column first, then every
 * column, as written), or of one side, to be judged (m given): only the
 * columns it wrote, as if it were a file of its own (a column it lacks must
 * stay missing, not become empty), and then each compare key column it
 * lacks with the value of the cell its trial was asked for. A side lacks a
 * key only when it is older than the key; it ran the cell by its defaults
 * (a key that is not default is passed on the command line, which such a
 * side refuses), so its trials are the cell's. */
void cb__ab_rows_csv(const cb_ab_rows_t *rs, int side, const cb_matrix_t *m, cb_buf_t *b)
{
  unsigned want = side < 0 ? ~0u : 1u << side;
  char key[CB_CMP_KEYS][64];
  int first = 1, add[CB_CMP_KEYS] = { 0 };
  size_t i, c, k;

  if (side < 0) {
    cb_buf_printf(b, "side");
    first = 0;
  }
  for (c = 0; c < rs->ncols; c++) {
    if (!(rs->from[c] & want))
      continue;
    cb_buf_put(b, ",", first ? 0 : 1);
    cb_buf_csv_str(b, rs->col[c]);
    first = 0;
  }
  for (k = 0; side >= 0 && m != NULL && k < CB_CMP_KEYS; k++) {
    if ((add[k] = lacks_key(rs, side, k)) != 0)
      cb_buf_printf(b, "%s%s", first ? "" : ",", cb_compare_key_columns[k]);
    first = first && !add[k];
  }
  cb_buf_put(b, "\n", 1);
  for (i = 0; i < rs->n; i++) {
    const cb_ab_row_t *r = &rs->row[i];
    if (side >= 0 && r->side != side)
      continue;
    first = 1;
    if (side < 0) {
      cb_buf_printf(b, "%s", cb__ab_sides[r->side]);
      first = 0;
    }
    for (c = 0; c < rs->ncols; c++) {
      if (!(rs->from[c] & want))
        continue;
      cb_buf_put(b, ",", first ? 0 : 1);
      cb_buf_csv_str(b, c < r->nv && r->v[c] != NULL ? r->v[c] : "");
      first = 0;
    }
    if (side >= 0 && m != NULL)
      cb__ab_cell_key(&m->cells[r->cell], key);
    for (k = 0; side >= 0 && m != NULL && k < CB_CMP_KEYS; k++) {
      if (!add[k])
        continue;
      cb_buf_put(b, ",", first ? 0 : 1);
      cb_buf_csv_str(b, key[k]);
      first = 0;
    }
    cb_buf_put(b, "\n", 1);
  }
}

void cb__ab_rows_free(cb_ab_rows_t *rs)
{
  size_t i, c;

  for (i = 0; i < rs->n; i++) {
    for (c = 0; c < rs->row[i].nv; c++)
      free(rs->row[i].v[c]);
    free(rs->row[i].v);
  }
  for (c = 0; c < rs->ncols; c++)
    free(rs->col[c]);
  free(rs->row);
  free(rs->col);
  free(rs->from);
  memset(rs, 0, sizeof(*rs));
}

/* The first value of a column among a side's rows, or "". */
const char *cb__ab_rows_first(const cb_ab_rows_t *rs, int side, const char *name)
{
  size_t i, c;

  for (c = 0; c < rs->ncols && strcmp(rs->col[c], name) != 0; c++)
    ;
  for (i = 0; c < rs->ncols && i < rs->n; i++) {
    if (rs->row[i].side == side && c < rs->row[i].nv && rs->row[i].v[c] != NULL)
      return rs->row[i].v[c];
  }
  return "";
}

