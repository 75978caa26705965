/* Cells of a trial CSV and their statistics. The trials of a file are grouped
 * into cells by their key columns (host, workload, runner, transport, pin,
 * concurrency, tasks, size, payload, gil, switch_interval_us; a file from
 * before GIL mode lacks the last two, which then read as "0"); each cell
 * keeps its rows, so compare, plot and report can reach the samples, and gets
 * a summary per metric over its measured trials: `ok`, and `racy` (a trial
 * of sync.none that ran to the end and lost updates, which is its result),
 * without tasks lost with a dead worker unless the workload fails on
 * purpose (fault.crash): a worker killed from outside spoils a trial.
 * Summaries are derived from trials, never measured apart. */
#ifndef CB_SUMMARY_H
#define CB_SUMMARY_H

#include <stdio.h>

#include "cells.h"
#include "csv.h"
#include "stats.h"
#include "table.h"

/* The metrics summarised, in column order. */
#define CB_METRICS(X) \
  X(throughput)       \
  X(wall_s)           \
  X(lat_p50_us)       \
  X(lat_p99_us)       \
  X(user_s)           \
  X(sys_s)            \
  X(maxrss_kb)

enum {
#define CB_METRIC_ENUM(m) CB_M_##m,
  CB_METRICS(CB_METRIC_ENUM)
#undef CB_METRIC_ENUM
  CB_M__COUNT
};

/* Stability flags of a cell (bits). */
enum {
  CB_FLAG_HIGH_CV = 1,  /* throughput cv above 10% */
  CB_FLAG_OUTLIER = 2,  /* a trial more than 50% from the median */
  CB_FLAG_SHORT = 4,    /* median task phase under 5 ms: too short to time well */
  CB_FLAG_FAILURES = 8, /* some trial was not ok */
  CB_FLAG_NO_DATA = 16, /* no ok trial at all */
  CB_FLAG_LOST = 32,    /* tasks lost with workers that died, not on purpose */
};

typedef struct cb_cell_sum_s {
  size_t *rows;    /* data rows of the table (1-based) */
  size_t nrows;
  size_t n_ok;     /* measured trials: ok or racy, and no task lost unless
                      the workload fails on purpose */
  uint64_t failed_tasks; /* the failed column summed over every trial */
  cb_summary_t m[CB_M__COUNT];
  unsigned flags;
} cb_cell_sum_t;

typedef struct cb_cells_s {
  const cb_table_t *table;
  cb_cell_sum_t *cell;
  size_t n;
  long col[32];    /* columns used, by cb__col_* index */
  unsigned char *measured; /* per table row: 1 when it measured its cell */
} cb_cells_t;

/* Group the table's trials into cells (in order of first appearance) and
 * summarise them. -EINVAL with err naming a missing column or a bad number
 * (with its line), -ENOMEM. */
int cb_cells_build(const cb_table_t *t, cb_cells_t *cells, char *err, size_t errlen);
void cb_cells_free(cb_cells_t *cells);
/* Put the cells in reading order: host, workload (registry order), size,
 * payload, GIL mode, concurrency, runner (registry order), transport. */
void cb_cells_sort(cb_cells_t *cells);

/* A column's value (by name) in a cell's first row: a key column, or any
 * other. A key column the file lacks (gil, switch_interval_us) reads as its
 * default "0"; any other missing column as "". */
const char *cb_cell_key(const cb_cells_t *cells, size_t cell, const char *column);
/* The samples of a metric (by name, any numeric column) of a cell's
 * measured (ok or racy) trials, in row order; malloc'd, *n set. */
double *cb_cell_samples(const cb_cells_t *cells, size_t cell, const char *column, size_t *n);

/* The summary CSV (one row per cell); see docs/SCHEMA.md. */
void cb_cells_csv(const cb_cells_t *cells, cb_buf_t *out);
/* One line per unstable cell with its flags and a hint; returns how many. */
size_t cb_cells_warn(const cb_cells_t *cells, FILE *f);
/* "high-cv;outlier" for the flags. */
void cb_flags_text(unsigned flags, char *buf, size_t len);

#endif
