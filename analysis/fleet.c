/* Hosts of a cells set, and the per-host winners map; see fleet.h. A row
 * of the map is a contest's setting without its host; rows are found by
 * comparing settings, then sorted for reading. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "merge.h"
#include "workload.h"

int cb_fleet_hosts(const cb_cells_t *cells, cb_fleet_t *f)
{
  char name[256], other[256];
  size_t c, i, j;

  memset(f, 0, sizeof(*f));
  f->host = calloc(cells->n > 0 ? cells->n : 1, sizeof(*f->host));
  if (f->host == NULL)
    return -ENOMEM;
  for (c = 0; c < cells->n; c++) {
    const char *h = cb_cell_key(cells, c, "host");
    for (i = 0; i < f->n && strcmp(f->host[i].id, h) != 0; i++)
      ;
    if (i == f->n)
      f->host[f->n++].id = h;
  }
  for (i = 0; i < f->n; i++) {
    cb_host_name(f->host[i].id, name, sizeof(name));
    for (j = 0; j < f->n; j++) {
      cb_host_name(f->host[j].id, other, sizeof(other));
      if (j != i && strcmp(name, other) == 0)
        break;
    }
    snprintf(f->host[i].label, sizeof(f->host[i].label), "%s",
             j < f->n || name[0] == '\0' ? f->host[i].id : name);
  }
  return 0;
}

void cb_fleet_free(cb_fleet_t *f)
{
  free(f->host);
  memset(f, 0, sizeof(*f));
}

long cb_fleet_host_of(const cb_fleet_t *f, const cb_cells_t *cells, size_t cell)
{
  const char *h = cb_cell_key(cells, cell, "host");
  size_t i;

  for (i = 0; i < f->n; i++) {
    if (strcmp(f->host[i].id, h) == 0)
      return (long)i;
  }
  return -1;
}

int cb_fleet_subset(const cb_cells_t *cells, const char *host, cb_cells_t *sub)
{
  size_t c;

  memset(sub, 0, sizeof(*sub));
  sub->table = cells->table;
  memcpy(sub->col, cells->col, sizeof(sub->col));
  sub->cell = malloc((cells->n > 0 ? cells->n : 1) * sizeof(*sub->cell));
  if (sub->cell == NULL)
    return -ENOMEM;
  for (c = 0; c < cells->n; c++) {
    if (strcmp(cb_cell_key(cells, c, "host"), host) == 0)
      sub->cell[sub->n++] = cells->cell[c];
  }
  return 0;
}

void cb_fleet_subset_free(cb_cells_t *sub)
{
  free(sub->cell);
  memset(sub, 0, sizeof(*sub));
}

/* ---- the winners map ---------------------------------------------------- */

/* A row's setting: the contest's group columns (analysis/analysis.c) but the
 * host; concurrency last. */
static const char *const setting[] = { "workload", "size", "payload", "pin", "gil",
                                       "switch_interval_us", "concurrency" };

static const cb_cells_t *sort_cells; /* qsort has no context argument */
static const cb_contest_t *sort_k;

static size_t workload_rank(const char *name)
{
  size_t i;

  for (i = 0; i < cb_workloads_count && strcmp(cb_workloads[i]->name, name) != 0; i++)
    ;
  return i;
}

static int cmp_setting(const cb_cells_t *cells, size_t a, size_t b, int with_c)
{
  size_t i, n = CB_ARRAY_SIZE(setting) - !with_c;
  const char *x, *y;
  char *ex, *ey;
  double dx, dy;
  int c = 0;

  for (i = 0; i < n && c == 0; i++) {
    x = cb_cell_key(cells, a, setting[i]);
    y = cb_cell_key(cells, b, setting[i]);
    if (i == 0) {
      size_t rx = workload_rank(x), ry = workload_rank(y);
      c = (rx > ry) - (rx < ry);
    } else {
      dx = strtod(x, &ex);
      dy = strtod(y, &ey);
      if (*x != '\0' && *y != '\0' && *ex == '\0' && *ey == '\0')
        c = (dx > dy) - (dx < dy);
    }
    if (c == 0)
      c = strcmp(x, y);
  }
  return c;
}

static int cmp_rows(const void *pa, const void *pb)
{
  size_t a = sort_k[*(const size_t *)pa].first, b = sort_k[*(const size_t *)pb].first;

  return cmp_setting(sort_cells, a, b, 1);
}

/* "comm.payload 64 KiB +gil c=2": what differs from the workload's plain
 * setting, briefly. `several_sizes`: the workload ran at several sizes. */
static void row_label(const cb_cells_t *cells, size_t c, int several_sizes, int with_c,
                      char *buf, size_t len)
{
  double pay = strtod(cb_cell_key(cells, c, "payload"), NULL);
  size_t u = (size_t)snprintf(buf, len, "%s", cb_cell_key(cells, c, "workload"));

  if (several_sizes && u < len)
    u += (size_t)snprintf(buf + u, len - u, " size %s", cb_cell_key(cells, c, "size"));
  if (pay > 0 && u < len)
    u += (size_t)snprintf(buf + u, len - u, pay >= 1 << 20 ? " %g MiB" : pay >= 1024 ? " %g KiB"
                                                                                   : " %g B",
                          pay >= 1 << 20 ? pay / (1 << 20) : pay >= 1024 ? pay / 1024 : pay);
  if (strcmp(cb_cell_key(cells, c, "pin"), "compact") != 0 && u < len)
    u += (size_t)snprintf(buf + u, len - u, " pin %s", cb_cell_key(cells, c, "pin"));
  if (strcmp(cb_cell_key(cells, c, "gil"), "1") == 0 && u < len)
    u += (size_t)snprintf(buf + u, len - u, " +gil");
  if (with_c && u < len)
    snprintf(buf + u, len - u, " c=%s", cb_cell_key(cells, c, "concurrency"));
}

static int several_sizes(const cb_cells_t *cells, const cb_contest_t *k, size_t nk, size_t c)
{
  const char *w = cb_cell_key(cells, c, "workload"), *s = cb_cell_key(cells, c, "size");
  size_t i;

  for (i = 0; i < nk; i++) {
    if (strcmp(cb_cell_key(cells, k[i].first, "workload"), w) == 0 &&
        strcmp(cb_cell_key(cells, k[i].first, "size"), s) != 0)
      return 1;
  }
  return 0;
}

void cb_fleet_map_free(cb_fleet_map_t *m)
{
  free(m->k);
  free(m->row);
  free(m->at);
  memset(m, 0, sizeof(*m));
}

int cb_fleet_winners(const cb_cells_t *cells, const cb_fleet_t *f, double alpha,
                     unsigned long at_c, cb_fleet_map_t *m)
{
  size_t *rep = NULL, i, r, nrep = 0;
  long h;
  int rc;

  memset(m, 0, sizeof(*m));
  rc = cb_contests(cells, alpha, &m->k, &m->nk);
  if (rc != 0)
    return rc;
  rep = malloc((m->nk + 1) * sizeof(*rep));
  if (rep == NULL)
    goto nomem;
  /* one representative contest per setting */
  for (i = 0; i < m->nk; i++) {
    if (at_c > 0 && strtoul(cb_cell_key(cells, m->k[i].first, "concurrency"), NULL, 10) != at_c)
      continue;
    for (r = 0; r < nrep && cmp_setting(cells, m->k[rep[r]].first, m->k[i].first, 1) != 0; r++)
      ;
    if (r == nrep)
      rep[nrep++] = i;
  }
  sort_cells = cells;
  sort_k = m->k;
  qsort(rep, nrep, sizeof(*rep), cmp_rows);
  m->nrows = nrep;
  m->ncols = f->n;
  m->row = calloc(nrep + 1, sizeof(*m->row));
  m->at = malloc((nrep * f->n + 1) * sizeof(*m->at));
  if (m->row == NULL || m->at == NULL)
    goto nomem;
  for (r = 0; r < nrep * f->n; r++)
    m->at[r] = -1;
  for (r = 0; r < nrep; r++)
    row_label(cells, m->k[rep[r]].first, several_sizes(cells, m->k, m->nk, m->k[rep[r]].first),
              at_c == 0, m->row[r], sizeof(m->row[r]));
  for (i = 0; i < m->nk; i++) {
    h = cb_fleet_host_of(f, cells, m->k[i].first);
    for (r = 0; h >= 0 && r < nrep; r++) {
      if (cmp_setting(cells, m->k[rep[r]].first, m->k[i].first, 1) == 0) {
        m->at[r * f->n + (size_t)h] = (long)i;
        break;
      }
    }
  }
  free(rep);
  return 0;
nomem:
  free(rep);
  cb_fleet_map_free(m);
  return -ENOMEM;
}
