/* The report: where each model wins on this machine, and what the
 * measurements say about each piece of folklore. Findings are computed from
 * the cells (bench/summary.h) with Mann-Whitney tests on the trial samples;
 * each states its verdict — holds, does not hold, or depends (on what) — and
 * quotes the numbers it rests on. */
#ifndef CB_REPORT_H
#define CB_REPORT_H

#include "csv.h"
#include "summary.h"

typedef enum cb_verdict_e {
  CB_V_HOLDS,
  CB_V_NOT,        /* does not hold */
  CB_V_DEPENDS,
  CB_V_UNTESTED,   /* the results hold no cell for it */
  CB_V_UNDECIDED,  /* too few trials for any comparison to be significant */
} cb_verdict_t;

const char *cb_verdict_name(cb_verdict_t v);

typedef struct cb_finding_s {
  const char *claim;
  const char *chart;   /* chart file stem to link, e.g. "scaling-cpu.hash" */
  cb_verdict_t verdict;
  unsigned wins, losses, ties; /* of the claim's side over all compared cells */
  unsigned weak;       /* comparisons whose samples are too small to ever reach alpha */
  char evidence[1536]; /* Markdown: the numbers it rests on */
} cb_finding_t;

/* Every finding, in the order of the claims. 0 or -ENOMEM. */
int cb_findings(const cb_cells_t *cells, double alpha, cb_finding_t **out, size_t *n);

/* The whole report in Markdown; chart links point into `charts` (a path
 * relative to where the report is read). 0 or -ENOMEM. */
int cb_report_md(const cb_cells_t *cells, const char *charts, cb_buf_t *out);

#endif
