/* The report: where each model wins on this machine, and what the
 * measurements say about each piece of folklore (the findings of
 * bench/findings.h), as Markdown. */
#ifndef CB_REPORT_H
#define CB_REPORT_H

#include "csv.h"
#include "findings.h"
#include "summary.h"

/* The whole report in Markdown; chart links point into `charts` (a path
 * relative to where the report is read). 0 or -ENOMEM. */
int cb_report_md(const cb_cells_t *cells, const char *charts, cb_buf_t *out);

#endif
