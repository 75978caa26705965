/* The hosts of a trial CSV, for the per-host views of report and plot. A
 * merged fleet CSV (analysis/merge.h) holds many hosts, each named by its
 * identity NAME@FINGERPRINT; a plain run holds one, named by its host name.
 * Cells never mix hosts (the host is a key column), so a host's cells,
 * taken apart, are exactly what that host measured: cb_fleet_subset gives
 * them as a cells set of their own, which every analysis reads as it
 * would a run of that one host. */
#ifndef CB_FLEET_H
#define CB_FLEET_H

#include <stddef.h>

#include "analysis.h"
#include "summary.h"

typedef struct cb_fleet_host_s {
  const char *id;  /* the `host` value (points into the table) */
  char label[256]; /* NAME, or the whole identity where two share a NAME */
} cb_fleet_host_t;

typedef struct cb_fleet_s {
  cb_fleet_host_t *host;
  size_t n;
} cb_fleet_t;

/* The hosts of the cells, in the order of their first cell. 0 or -ENOMEM. */
int cb_fleet_hosts(const cb_cells_t *cells, cb_fleet_t *f);
void cb_fleet_free(cb_fleet_t *f);
/* The index of a cell's host, or -1. */
long cb_fleet_host_of(const cb_fleet_t *f, const cb_cells_t *cells, size_t cell);

/* The cells of one host as a set of their own, in the same order. It
 * shares the rows with `cells` (which must outlive it): free it with
 * cb_fleet_subset_free, never cb_cells_free. 0 or -ENOMEM. */
int cb_fleet_subset(const cb_cells_t *cells, const char *host, cb_cells_t *sub);
void cb_fleet_subset_free(cb_cells_t *sub);

/* Where each model wins on each host: the contests of analysis/analysis.h
 * (each within one host) laid out with one column per host and one row per
 * setting: workload, size, payload, pin, GIL mode and concurrency, in
 * reading order (workloads in registry order, then numbers ascending). With
 * at_c > 0 only contests at that concurrency, and rows name no c. */
typedef struct cb_fleet_map_s {
  cb_contest_t *k;
  size_t nk;
  size_t nrows, ncols;  /* ncols: the hosts */
  char (*row)[192];     /* row labels, e.g. "comm.payload 64 KiB +gil c=2" */
  long *at;             /* nrows x ncols, row-major: index into k, or -1 */
} cb_fleet_map_t;

int cb_fleet_winners(const cb_cells_t *cells, const cb_fleet_t *f, double alpha,
                     unsigned long at_c, cb_fleet_map_t *m);
void cb_fleet_map_free(cb_fleet_map_t *m);

#endif
