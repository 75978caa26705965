/* The report: where each model wins on this machine, and what the
 * measurements say about each piece of folklore (the findings of
 * analysis/findings.h), as Markdown. */
#ifndef CB_REPORT_H
#define CB_REPORT_H

#include "csv.h"
#include "findings.h"
#include "summary.h"

/* The whole report in Markdown; chart links point into `charts` (a path
 * relative to where the report is read). 0 or -ENOMEM. */
int cb_report_md(const cb_cells_t *cells, const char *charts, cb_buf_t *out);

/* The report of several hosts (cb_report_md gives it when the cells hold
 * more than one): the hosts, each claim's verdict per host and across them,
 * the winners map with one column per host (rows: workload x concurrency,
 * or workload at c = at_c when at_c > 0), each host's findings and every
 * winner with its host. 0 or -ENOMEM. */
int cb_report_fleet_md(const cb_cells_t *cells, const char *charts, unsigned long at_c,
                       cb_buf_t *out);

#endif
