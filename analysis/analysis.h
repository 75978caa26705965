/* Who wins: for every workload and concurrency (at equal size, payload and
 * pin), the runners' cells compete on median throughput. The winner's
 * margin over the runner-up and a Mann-Whitney U test on their trial samples
 * decide whether the win is significant or a tie. The report and the
 * `winners` chart both read this, so they never disagree. */
#ifndef CB_ANALYSIS_H
#define CB_ANALYSIS_H

#include "stats.h"
#include "summary.h"

/* A cell's contestant name: the runner, with the transport and dispatch
 * mode when they are not the runner's default ("processes/shm",
 * "processes/queue"), and "+gil" when it ran in GIL mode ("threads+gil",
 * "processes/shm+gil"): a series of its own. */
void cb_contestant(const cb_cells_t *cells, size_t cell, char *buf, size_t len);
/* A cell's variant of its model: "shm", "queue", "shm/queue", or "" for
 * the runner's defaults. */
void cb_variant(const cb_cells_t *cells, size_t cell, char *buf, size_t len);
/* The concurrency model a cell stands for: the runner, "+gil" in GIL mode;
 * its variants (transport, dispatch mode) are one model. */
void cb_model(const cb_cells_t *cells, size_t cell, char *buf, size_t len);
/* 1 when the cell's runner is a reference (serial), not a model. */
int cb_cell_reference(const cb_cells_t *cells, size_t cell);

typedef struct cb_contest_s {
  size_t first;        /* a cell of the group, for its key columns */
  size_t winner;       /* cell index */
  long runner_up;      /* cell index, -1 when the winner ran alone */
  double margin;       /* winner median / runner-up median - 1 */
  double p;            /* Mann-Whitney p, winner vs runner-up; 1 when alone */
  int tie;             /* no significant difference (p >= alpha) */
  size_t contestants;
} cb_contest_t;

/* Every group of cells with equal key columns but the runner and its
 * variants (host, workload, concurrency, size, payload, pin, GIL mode and
 * switch interval), in the order of the cells (cb_cells_sort first for
 * reading order). Each model competes with its best variant; cells without
 * ok trials, cells short of c in flight and the reference (serial) do not
 * compete. */
int cb_contests(const cb_cells_t *cells, double alpha, cb_contest_t **out, size_t *n);

/* 1 when the cell ran fewer tasks at once than its concurrency (an event
 * loop running tasks inline on min(c, PUs) loops): it did not run the
 * cell's experiment and competes in no contest. */
int cb_cell_short_handed(const cb_cells_t *cells, size_t cell);
/* 1 when the cell's tasks ran inline on event loop threads. */
int cb_cell_inline(const cb_cells_t *cells, size_t cell);

/* 1 when two cells belong to one series: the same contestant, host,
 * workload, size, payload and pin, at any concurrency. */
int cb_same_series(const cb_cells_t *cells, size_t a, size_t b);

/* The series of cell `like`'s contestant: its cells of the same host,
 * workload, size, payload and pin at every concurrency, as groups of a
 * metric's ok samples against concurrency (malloc'd; cb_groups_free). */
int cb_series_groups(const cb_cells_t *cells, size_t like, const char *metric,
                     cb_group_t **out, size_t *k);
void cb_groups_free(cb_group_t *g, size_t k);

/* Mann-Whitney p between two cells' ok samples of a metric (a column
 * name); *floor (if not NULL) gets the smallest p their sizes allow. */
double cb_cells_p(const cb_cells_t *cells, size_t a, size_t b, const char *metric,
                  double *floor);

#endif
