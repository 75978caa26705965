/* A cell's key columns, defaults and name; see cells.h. Names are made over
 * a whole set of cells at once, because a cell's name carries a column only
 * when some other cell of the set would otherwise share it: a set of a few
 * hundred cells is compared pairwise per added column. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "cells.h"
#include "csv.h"
#include "runner.h"
#include "summary.h"

const char *const cb_key_columns[CB_KEYS] = {
  [CB_KEY_HOST] = "host",
  [CB_KEY_WORKLOAD] = "workload",
  [CB_KEY_RUNNER] = "runner",
  [CB_KEY_TRANSPORT] = "transport",
  [CB_KEY_PIN] = "pin",
  [CB_KEY_CONCURRENCY] = "concurrency",
  [CB_KEY_TASKS] = "tasks",
  [CB_KEY_SIZE] = "size",
  [CB_KEY_PAYLOAD] = "payload",
  [CB_KEY_GIL] = "gil",
  [CB_KEY_SWITCH_INTERVAL] = "switch_interval_us",
  [CB_KEY_DISPATCH] = "dispatch",
  [CB_KEY_PROCS] = "procs",
};
const size_t cb_key_columns_count = CB_KEYS;
const char *const *const cb_compare_key_columns = cb_key_columns + 1;

/* Key columns that older CSVs lack, and the value such rows mean: they were
 * run without the GIL; how their workers got tasks was not recorded (the
 * process pool of those versions made a round trip per task). Rows without
 * the column group and read as that. */
static const struct {
  const char *name, *absent;
} optional_keys[] = { { "gil", "0" }, { "switch_interval_us", "0" }, { "dispatch", "" },
                      { "procs", "" } };

const char *cb_key_absent(const char *column)
{
  size_t i;

  for (i = 0; i < CB_ARRAY_SIZE(optional_keys); i++) {
    if (strcmp(optional_keys[i].name, column) == 0)
      return optional_keys[i].absent;
  }
  return NULL;
}

const char *cb_key_value(const char *column, const char *runner, const char *raw)
{
  const cb_runner_t *r;

  if (strcmp(column, "procs") != 0)
    return raw;
  r = cb_runner_find(runner);
  return r != NULL && !r->takes_procs ? "" : raw;
}

int cb_default_dispatch(const char *runner, const char *dispatch)
{
  const cb_runner_t *r = cb_runner_find(runner);

  return dispatch[0] == '\0' ||
         (r != NULL && r->dispatches[0] != NULL && strcmp(r->dispatches[0], dispatch) == 0);
}

const char *cb_reference_runner(void)
{
  size_t i;

  for (i = 0; i < cb_runners_count; i++) {
    if (cb_runners[i]->reference)
      return cb_runners[i]->name;
  }
  return "reference";
}

void cb_cell_names_free(char **name, size_t n)
{
  size_t i;

  for (i = 0; name != NULL && i < n; i++)
    free(name[i]);
  free(name);
}

static const char *value(const cb_keyv_t key, int k)
{
  return key[k] != NULL ? key[k] : "";
}

static char *base_name(const cb_keyv_t x)
{
  const char *runner = value(x, CB_KEY_RUNNER);
  cb_buf_t b = { 0 };

  cb_buf_printf(&b, "%s/%s/c:%s/pin:%s", value(x, CB_KEY_WORKLOAD), runner,
                value(x, CB_KEY_CONCURRENCY), value(x, CB_KEY_PIN));
  if (value(x, CB_KEY_PROCS)[0] != '\0')
    cb_buf_printf(&b, "/procs:%s", value(x, CB_KEY_PROCS));
  if (!cb_runner_default_transport(runner, value(x, CB_KEY_TRANSPORT)))
    cb_buf_printf(&b, "/transport:%s", value(x, CB_KEY_TRANSPORT));
  if (!cb_default_dispatch(runner, value(x, CB_KEY_DISPATCH)))
    cb_buf_printf(&b, "/dispatch:%s", value(x, CB_KEY_DISPATCH));
  if (strtoull(value(x, CB_KEY_PAYLOAD), NULL, 10) > 0)
    cb_buf_printf(&b, "/payload:%s", value(x, CB_KEY_PAYLOAD));
  if (strcmp(value(x, CB_KEY_GIL), "1") == 0)
    cb_buf_printf(&b, "/gil");
  if (b.failed) {
    cb_buf_free(&b);
    return NULL;
  }
  return b.data;
}

/* Add column k to every name that equals another cell's name while the two
 * cells differ in k. Marks first, then appends, so that each pair is judged
 * on the names as they were. */
static int disambiguate(const cb_keyv_t *key, size_t n, char **name, unsigned char *mark, int k)
{
  cb_buf_t b;
  size_t i, j;

  memset(mark, 0, n);
  for (i = 0; i < n; i++) {
    for (j = i + 1; j < n; j++) {
      if (strcmp(name[i], name[j]) == 0 && strcmp(value(key[i], k), value(key[j], k)) != 0)
        mark[i] = mark[j] = 1;
    }
  }
  for (i = 0; i < n; i++) {
    if (!mark[i])
      continue;
    memset(&b, 0, sizeof(b));
    cb_buf_printf(&b, "%s/%s:%s", name[i], cb_key_columns[k], value(key[i], k));
    if (b.failed) {
      cb_buf_free(&b);
      return -ENOMEM;
    }
    free(name[i]);
    name[i] = b.data;
  }
  return 0;
}

int cb_cell_names(const cb_keyv_t *key, size_t n, char **name)
{
  static const int extra[] = { CB_KEY_SIZE, CB_KEY_TASKS, CB_KEY_TRANSPORT,
                               CB_KEY_SWITCH_INTERVAL, CB_KEY_DISPATCH, CB_KEY_HOST };
  unsigned char *mark = calloc(n > 0 ? n : 1, 1);
  size_t i, k;
  int rc = mark == NULL ? -ENOMEM : 0;

  for (i = 0; i < n; i++)
    name[i] = NULL;
  for (i = 0; rc == 0 && i < n; i++) {
    if ((name[i] = base_name(key[i])) == NULL)
      rc = -ENOMEM;
  }
  for (k = 0; rc == 0 && k < CB_ARRAY_SIZE(extra); k++)
    rc = disambiguate(key, n, name, mark, extra[k]);
  if (rc != 0) {
    for (i = 0; i < n; i++) {
      free(name[i]);
      name[i] = NULL;
    }
  }
  free(mark);
  return rc;
}

int cb_cells_names(const cb_cells_t *cells, int with_host, char **name)
{
  cb_keyv_t *key = malloc((cells->n > 0 ? cells->n : 1) * sizeof(*key));
  size_t i, k;
  int rc;

  if (key == NULL)
    return -ENOMEM;
  for (i = 0; i < cells->n; i++) {
    for (k = 0; k < CB_KEYS; k++)
      key[i][k] = cb_cell_key(cells, i, cb_key_columns[k]);
    if (!with_host)
      key[i][CB_KEY_HOST] = "";
  }
  rc = cb_cell_names((const cb_keyv_t *)key, cells->n, name);
  free(key);
  return rc;
}

static int same_but_host(const cb_cells_t *cells, size_t a, size_t b)
{
  size_t k;

  for (k = CB_KEY_HOST + 1; k < CB_KEYS; k++) {
    if (strcmp(cb_cell_key(cells, a, cb_key_columns[k]), cb_cell_key(cells, b, cb_key_columns[k])) != 0)
      return 0;
  }
  return 1;
}

int cb_cells_one_host(const cb_cells_t *cells, const char *label, char *err, size_t errlen)
{
  char **name;
  size_t i, j;

  for (i = 0; i < cells->n; i++) {
    for (j = i + 1; j < cells->n; j++) {
      if (!same_but_host(cells, i, j))
        continue;
      name = calloc(cells->n, sizeof(*name));
      if (name == NULL || cb_cells_names(cells, 0, name) != 0) {
        free(name);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
      }
      snprintf(err, errlen,
               "%s%scell %s was measured on two hosts (%s, %s); compare one host's results "
               "at a time", label != NULL ? label : "", label != NULL ? ": " : "", name[i],
               cb_cell_key(cells, i, "host"), cb_cell_key(cells, j, "host"));
      cb_cell_names_free(name, cells->n);
      return -EINVAL;
    }
  }
  return 0;
}
