/* One side of a comparison; see compare_side.h. Cells are matched by a
 * linear search: even the full profile has a few hundred cells. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "compare_side.h"
#include "runner.h"

void cb__side_free(cb__side_t *s)
{
  if (s->built)
    cb_cells_free(&s->cells);
  free(s->key);
  free(s->hosts);
  memset(s, 0, sizeof(*s));
}

static int same_key(const cb__keyv_t a, const cb__keyv_t b)
{
  size_t i;

  for (i = 0; i < CB_CMP_KEYS; i++) {
    if (strcmp(a[i], b[i]) != 0)
      return 0;
  }
  return 1;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names of n cells (cells.h): the host is not part of compare's key. */
int cb__cmp_names(const cb__keyv_t *key, size_t n, char **name)
{
  cb_keyv_t *full = malloc((n > 0 ? n : 1) * sizeof(*full));
  size_t i;
  int rc;

  if (full == NULL)
    return -ENOMEM;
  for (i = 0; i < n; i++) {
    full[i][CB_KEY_HOST] = "";
    memcpy(&full[i][1], key[i], sizeof(key[i]));
  }
  rc = cb_cell_names((const cb_keyv_t *)full, n, name);
  free(full);
  return rc;
}


static int collect_hosts(cb__side_t *s)
{
  const char **h = malloc((s->cells.n > 0 ? s->cells.n : 1) * sizeof(*h));
  size_t i, len = 1;

  if (h == NULL)
    return -ENOMEM;
  for (i = 0; i < s->cells.n; i++)
    h[i] = cb_cell_key(&s->cells, i, "host");
  qsort(h, s->cells.n, sizeof(*h), cmp_str);
  for (i = 0; i < s->cells.n; i++)
    len += strlen(h[i]) + 1;
  s->hosts = malloc(len);
  if (s->hosts == NULL) {
    free(h);
    return -ENOMEM;
  }
  s->hosts[0] = '\0';
  for (i = 0; i < s->cells.n; i++) {
    if (i > 0 && strcmp(h[i], h[i - 1]) == 0)
      continue;
    if (s->nhosts++ > 0)
      strcat(s->hosts, ",");
    strcat(s->hosts, h[i]);
  }
  free(h);
  return 0;
}

int cb__side_load(const cb_table_t *t, const char *label, cb__side_t *s, char *err, size_t errlen)
{
  char what[512];
  size_t i, k;
  int rc;

  memset(s, 0, sizeof(*s));
  rc = cb_cells_build(t, &s->cells, what, sizeof(what));
  if (rc != 0) {
    if (label != NULL)
      snprintf(err, errlen, "%s: %s", label, what);
    else
      snprintf(err, errlen, "%s", what);
    return rc;
  }
  s->built = 1;
  s->key = malloc((s->cells.n > 0 ? s->cells.n : 1) * sizeof(*s->key));
  if (s->key == NULL || collect_hosts(s) != 0) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  for (i = 0; i < s->cells.n; i++) {
    for (k = 0; k < CB_CMP_KEYS; k++)
      s->key[i][k] = cb_cell_key(&s->cells, i, cb_compare_key_columns[k]);
  }
  if (cb_fp_of_table(t, &s->fp, &s->fp_several, what, sizeof(what)) != 0)
    memset(&s->fp, 0, sizeof(s->fp)); /* no rows: no machine, and no cell either */
  return cb_cells_one_host(&s->cells, label, err, errlen);
}


long cb__side_find(const cb__side_t *s, const cb__keyv_t key)
{
  size_t i;

  for (i = 0; i < s->cells.n; i++) {
    if (same_key(s->key[i], key))
      return (long)i;
  }
  return -1;
}

/* 1 when a runner is a reference (serial), not a model (runner.h). */
int cb__is_reference(const char *runner)
{
  const cb_runner_t *r = cb_runner_find(runner);

  return r != NULL && r->reference;
}

/* The reference cell that a cell's speedup divides by: same workload, pin,
 * size and payload, preferably the same tasks; -1 when none. */
long cb__side_reference(const cb__side_t *s, const cb__keyv_t key)
{
  long found = -1;
  size_t i;

  for (i = 0; i < s->cells.n; i++) {
    const char *const *k = s->key[i];
    if (!cb__is_reference(k[CB__CK_RUNNER]) || strcmp(k[CB__CK_WORKLOAD], key[CB__CK_WORKLOAD]) != 0 ||
        strcmp(k[CB__CK_PIN], key[CB__CK_PIN]) != 0 || strcmp(k[CB__CK_SIZE], key[CB__CK_SIZE]) != 0 ||
        strcmp(k[CB__CK_PAYLOAD], key[CB__CK_PAYLOAD]) != 0)
      continue;
    if (strcmp(k[CB__CK_TASKS], key[CB__CK_TASKS]) == 0)
      return (long)i;
    if (found < 0)
      found = (long)i;
  }
  return found;
}
