/* What the report tests (test_report.c, test_report_verdicts.c,
 * test_report_claims.c, test_report_markdown.c) share: the header of a trial
 * CSV, cells of n trials around a given throughput and memory (with what else
 * a cell is: dispatch, GIL, size, limits, failures), and the findings of such
 * a CSV (tests/test_rpt.c). */
#ifndef CB_TESTS_TEST_RPT_H
#define CB_TESTS_TEST_RPT_H

#include "analysis.h"
#include "cb.h"
#include "report.h"
#include "common.h"

/* The header line of a trial CSV of this schema. */
extern const char rpt_header[];

/* What a cell is, beyond its workload, runner, transport and concurrency. */
typedef struct more_s {
  const char *dispatch;
  int gil;
  unsigned long size, max_c;
  const char *limit;
  double failed, startup_s;
} more_t;

/* `n` trials of one cell: throughput around `tp` (a spread of +-1%, distinct
 * values so the exact test applies), memory around `kb`. */
void rpt_cell_m(cbt_csv_t *f, const char *workload, const char *runner,
                const char *transport, unsigned c, unsigned payload, const char *status,
                double tp, double kb, unsigned n, const more_t *m);

/* cell_m of a plain cell (no dispatch, no GIL, size 10). */
void rpt_cell(cbt_csv_t *f, const char *workload, const char *runner, const char *transport,
              unsigned c, unsigned payload, const char *status, double tp, double kb,
              unsigned n);

/* The findings of the cells of f (parsed here); *all is freed by the caller. */
void rpt_findings_of(cbt_csv_t *f, cb_finding_t **all, size_t *n);

#endif
