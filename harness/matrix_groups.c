/* What the cells of a built matrix share (matrix.h): a workload's
 * calibration, measured once and given to each of its cells, and the
 * expected checksums, computed once per group of cells with the same
 * workload parameters (under supervision, the first time a trial of the
 * group needs them) and freed with the matrix. matrix.c builds the cells. */
#include <errno.h>
#include <stdlib.h>

#include "matrix.h"

static int same_params(const cb_cell_t *a, const cb_cell_t *b)
{
  return a->wl == b->wl && a->params.size == b->params.size &&
         a->params.payload == b->params.payload && a->params.seed == b->params.seed;
}

int cb_matrix_calibrate(cb_matrix_t *m, const cb_workload_t **failed)
{
  size_t i, j;
  uint64_t calib;
  int err;

  for (i = 0; i < m->ncells; i++) {
    const cb_workload_t *wl = m->cells[i].wl;
    if (wl->calibrate == NULL || m->cells[i].params.calib != 0)
      continue;
    err = wl->calibrate(&calib);
    if (err == 0 && calib == 0)
      err = -ERANGE;
    if (err != 0) {
      *failed = wl;
      return err;
    }
    for (j = i; j < m->ncells; j++) {
      if (m->cells[j].wl == wl)
        m->cells[j].params.calib = calib;
    }
  }
  return 0;
}

int cb_matrix_groups(cb_matrix_t *m)
{
  size_t i, j, *first;

  m->expected_of = calloc(m->ncells > 0 ? m->ncells : 1, sizeof(*m->expected_of));
  first = calloc(m->ncells > 0 ? m->ncells : 1, sizeof(*first));
  if (m->expected_of == NULL || first == NULL) {
    free(first);
    return -ENOMEM;
  }
  for (i = 0; i < m->ncells; i++) {
    for (j = 0; j < m->nexpected && !same_params(&m->cells[first[j]], &m->cells[i]); j++)
      ;
    if (j == m->nexpected)
      first[m->nexpected++] = i;
    m->expected_of[i] = j;
  }
  free(first);
  m->group = calloc(m->nexpected > 0 ? m->nexpected : 1, sizeof(*m->group));
  if (m->group == NULL)
    return -ENOMEM;
  /* A task's checksum does not depend on how many tasks there are: one
   * array, as long as the longest trial, serves all cells alike. */
  for (i = 0; i < m->ncells; i++) {
    cb_expect_group_t *g = &m->group[m->expected_of[i]];
    if (g->tasks == 0)
      g->cell = i;
    if (m->cells[i].params.tasks > g->tasks)
      g->tasks = m->cells[i].params.tasks;
  }
  return 0;
}

int cb_matrix_expected(cb_matrix_t *m, size_t cell, double timeout_s, volatile const int *stop,
                       const uint64_t **expected, const cb_trial_t **fail)
{
  cb_expect_group_t *g = &m->group[m->expected_of[cell]];
  int err;

  *expected = NULL;
  *fail = &g->fail;
  if (g->state == 1)
    *expected = g->expected;
  if (g->state != 0)
    return g->state == 1 ? 0 : 1;
  err = cb_trial_expect_supervised(&m->cells[g->cell], g->tasks, timeout_s, stop, &g->expected,
                                   &g->fail);
  if (err == 0 || err == 1)
    g->state = err == 0 ? 1 : 2;
  *expected = g->expected;
  return err;
}
