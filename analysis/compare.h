/* Comparing two trial CSVs, cell by cell, to catch performance regressions.
 *
 * Cells are matched by their key without the host (analysis/cells.h). For
 * each cell present on both sides with ok trials on both, and for each
 * metric asked for (throughput by default; any of the summary's metrics,
 * each with its direction: higher is better for throughput, lower for the
 * times, latencies and memory): the ratio of the medians NEW/BASE with a
 * bootstrap 95% confidence interval, a two-sided Mann-Whitney U p-value,
 * the p-value adjusted by Holm over the m comparisons made (cells times
 * metrics), and a verdict. When the two files do not come from one and the
 * same machine (by the machine part of the fingerprint, harness/fingerprint.h:
 * CPU model, PUs, cores, caches, kernel; never by host name), or a file
 * holds several, each metric is replaced by its ratio to the reference
 * runner's cell (serial) of the same workload, pin, size and payload on the
 * same side: for throughput, the speedup. The rules (and the number of
 * repetitions needed to decide anything) are in docs/SCHEMA.md, "concbench
 * compare"; this file and compare_out.c (the output formats) implement
 * exactly them.
 *
 * The result owns copies of every string it holds, so it outlives the
 * tables it was computed from (the plot command keeps it and reads it, or
 * its CSV from cb_compare_csv). */
#ifndef CB_COMPARE_H
#define CB_COMPARE_H

#include <stddef.h>

#include "cells.h"
#include "csv.h"
#include "stats.h"
#include "summary.h"
#include "table.h"

/* Why a cell was, or was not, compared. */
typedef enum cb_cmp_status_e {
  CB_CMP_COMPARED,  /* on both sides, with ok trials on both */
  CB_CMP_BASE_ONLY, /* listed, never a failure */
  CB_CMP_NEW_ONLY,
  CB_CMP_NO_DATA,   /* no ok trial (or a zero median) on one side */
  CB_CMP_NO_SERIAL, /* speedups: a side has no reference cell to divide by */
  CB_CMP_REFERENCE, /* speedups: a reference cell (serial), 1 by definition */
} cb_cmp_status_t;

typedef enum cb_cmp_verdict_e {
  CB_CMP_V_NONE, /* not compared */
  CB_CMP_V_UNCHANGED,
  CB_CMP_V_FASTER,
  CB_CMP_V_SLOWER, /* worse, whatever the metric's direction: the only
                      verdict that is a regression */
  CB_CMP_V_NOISY,
} cb_cmp_verdict_t;

/* One metric judged, and its counts. */
typedef struct cb_cmp_metric_s {
  int m;               /* CB_M_* */
  const char *name;    /* as outputs label it: the column ("throughput", "lat_p99_us"),
                          or with speedups "speedup" and "relative_COLUMN" */
  int lower_better;    /* 1: a ratio above 1 is worse (times, latencies, memory) */
  size_t compared;     /* cells with a verdict in this metric */
  size_t count[5];     /* lines per verdict, as in cb_compare_t */
  size_t base_only, new_only, not_comparable;
  /* Over its cells compared with a ratio above 0 (gm_n of them): the
   * geometric mean of the ratios and its bootstrap 95% CI (0 when none). */
  double gm, gm_lo, gm_hi;
  size_t gm_n;
} cb_cmp_metric_t;

/* One line of a comparison: a cell in one metric. */
typedef struct cb_cmp_cell_s {
  char *name;                /* unique per cell, e.g. cpu.hash/threads/c:2/pin:compact */
  char *key[CB_CMP_KEYS];    /* values of cb_compare_key_columns */
  size_t metric;             /* index into cb_compare_t.metric */
  cb_cmp_status_t status;
  char why[96];              /* for cells not compared: a short reason */
  size_t base_n, new_n;      /* ok trials */
  double base_median, new_median; /* of the metric compared (or its ratio to the reference) */
  double ratio, ci_lo, ci_hi;     /* new_median / base_median and its 95% CI */
  double p, p_holm;
  cb_cmp_verdict_t verdict;
  int regression;            /* verdict == CB_CMP_V_SLOWER */
} cb_cmp_cell_t;

typedef struct cb_compare_opts_s {
  double alpha;        /* family-wise significance level, (0, 1); default 0.05 */
  double threshold;    /* smallest change that matters, a fraction; default 0.05 */
  unsigned rounds;     /* bootstrap resamples; default 2000 */
  int speedup;         /* compare speedups even when the hosts are the same */
  int same_machine;    /* the caller knows that both sides ran on one machine (concbench
                          ab): the metric itself, whatever the machine columns say */
  int metrics[CB_M__COUNT]; /* CB_M_* to judge, in order (cb_compare_metrics_parse) */
  size_t nmetrics;     /* 0: throughput alone */
  const char *base_label, *new_label; /* for messages, e.g. the file names */
} cb_compare_opts_t;

#define CB_COMPARE_OPTS_DEFAULT \
  { .alpha = 0.05, .threshold = 0.05, .rounds = 2000, .speedup = 0, .same_machine = 0, \
    .nmetrics = 0, .base_label = "BASE", .new_label = "NEW" }

typedef struct cb_compare_s {
  cb_cmp_cell_t *cell;  /* the cells of both sides, by name in natural order (c:2 before
                           c:16), each once per metric in the order asked */
  size_t n;
  cb_cmp_metric_t metric[CB_M__COUNT];
  size_t nmetrics;
  /* Over every line (a cell in a metric): */
  size_t compared;      /* m of the Holm adjustment */
  size_t count[5];      /* lines per verdict (index cb_cmp_verdict_t; [CB_CMP_V_NONE] = not compared) */
  size_t base_only, new_only, not_comparable;
  size_t needed_n;      /* ok trials per side the test needs to decide with m comparisons */
  int speedup;          /* ratios to the reference cell were compared, not the metrics */
  char *speedup_why;    /* why, e.g. "the machines differ (kernel 'A' vs 'B')" */
  char *base_hosts, *new_hosts; /* comma-separated */
  char *base_label, *new_label;
  double alpha, threshold;
} cb_compare_t;

/* Parse a comma-separated list of metrics ("throughput,lat_p99_us") into
 * o->metrics. 0, or -EINVAL with `bad` holding the unknown (or repeated, or
 * empty) name. */
int cb_compare_metrics_parse(const char *list, cb_compare_opts_t *o, char *bad, size_t badlen);
/* The metrics compare knows, comma-separated, for messages and --help. */
const char *cb_compare_metric_names(void);
/* The trial CSV column of metric CB_M_m. */
const char *cb_compare_metric_column(int m);

/* Compare two parsed trial CSVs. 0; -EINVAL with err naming the side and the
 * missing column, the bad value and its line, or a cell measured on two
 * hosts in one file; -ERANGE with err naming a cell with too few ok trials
 * and the number needed; -ENOMEM. On error *out holds nothing to free. */
int cb_compare_tables(const cb_table_t *base, const cb_table_t *new_, const cb_compare_opts_t *o,
                      cb_compare_t *out, char *err, size_t errlen);
/* The same from files; errors name the file. */
int cb_compare_files(const char *base_path, const char *new_path, const cb_compare_opts_t *o,
                     cb_compare_t *out, char *err, size_t errlen);
void cb_compare_free(cb_compare_t *c);

/* The smallest n such that n ok trials per side can reach alpha after Holm
 * over m cells: 2 / C(2n, n) * m < alpha (the smallest exact two-sided
 * Mann-Whitney p-value of n against n, times m). */
size_t cb_compare_needed_n(size_t m, double alpha);

/* The comparison for people (a fixed-width table), for Markdown, as one
 * JSON object, or as CSV (one row per cell; what `plot --compare` reads).
 * See docs/SCHEMA.md. */
void cb_compare_text(const cb_compare_t *c, cb_buf_t *out);
void cb_compare_md(const cb_compare_t *c, cb_buf_t *out);
void cb_compare_json(const cb_compare_t *c, cb_buf_t *out);
void cb_compare_csv(const cb_compare_t *c, cb_buf_t *out);
/* One line per metric: "M cells compared: N slower (regressions), …, K not
 * comparable", prefixed "METRIC: " when several metrics were judged. */
void cb_compare_counts(const cb_compare_t *c, cb_buf_t *out);
/* One line per metric: "geometric mean of the ratios over N cells: R, 95% CI
 * [L, H]", prefixed alike. */
void cb_compare_overall(const cb_compare_t *c, cb_buf_t *out);
const char *cb_cmp_verdict_name(cb_cmp_verdict_t v);
const char *cb_cmp_status_name(cb_cmp_status_t s);

#endif
