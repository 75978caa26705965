/* Charts of a trial CSV through gnuplot. The harness computes everything a
 * chart shows (medians, confidence intervals, speedups, winners) from the
 * cells of analysis/summary.h and writes it as small whitespace-separated data
 * files into DIR/data/; one gnuplot script per kind of chart (plot/X.gp,
 * after plot/common.gp) draws each one as PNG and SVG into DIR. gnuplot is
 * started with fork/exec and an argument vector, never through a shell; the
 * values it needs (file names, titles, the series and their colours) go in
 * one -e argument of single-quoted assignments, quotes doubled. gnuplot
 * draws into temporary files beside the charts, which replace them only
 * when complete (a full disk leaves the old charts, never empty ones); it
 * dies with concbench (PR_SET_PDEATHSIG) and is killed and reaped when a
 * stop is requested.
 *
 * One colour per contestant, the same on every chart, from its runner's
 * styles (cb_runner_t.styles: the Okabe-Ito palette, safe for colour-blind
 * readers); each contestant also has its own point shape, so a chart still
 * reads in grey. The charts,
 * their file names and what they show are listed in docs/SCHEMA.md,
 * "Charts".
 *
 * Inside plot/: gnuplot.c finds and runs gnuplot; chart.c builds and draws
 * one chart; style.c, axis.c, series.c, lines.c and titles.c are what chart
 * code shares (declared in chart.h); kinds.c holds the table of chart kinds
 * and draws them all; chart_*.c draw one kind each (chart_compare.c the
 * compare chart, which is not in the table: it reads no cells).
 *
 * A new chart is one function, one row and one script:
 * 1. void cb__draw_X(cb__plot_ctx_t *x), declared in chart.h's kinds
 *    section, in a chart_*.c (a new file goes into plot/meson.build's
 *    library). It picks its cells from x (x->v and x->s for a per-variant
 *    kind, x->set for the others, x->fl for a fleet), names its file after
 *    x->kind->name with cb__chart_init(&ch, x->kind->script, ...), writes
 *    ch.data and the assignments (cb__var_s, cb__var_d; a line chart through
 *    cb__lines_*) and calls cb__chart_draw, or cb__plot_skip to say why not.
 * 2. A row in kinds.c's table: { .name, .script, .scope, .charts (0:
 *    every workload; else the CB_CHART_* bit of the workloads it is of,
 *    include/workload.h), .draw }. Its place in the table is its place in
 *    the drawing order.
 * 3. plot/X.gp, which gnuplot runs after common.gp with the assignments and
 *    data=, out=; list it in plot_scripts (plot/meson.build) so that it is
 *    installed. Then name the chart in docs/SCHEMA.md "Charts" and in
 *    `concbench plot --help` (cli/cmd_plot.c). */
#ifndef CB_PLOT_H
#define CB_PLOT_H

#include <stddef.h>

#include "compare.h"
#include "csv.h"
#include "summary.h"

typedef struct cb_plot_s {
  const char *outdir;  /* charts land here; their data files in outdir/data */
  const char *scripts; /* the directory holding common.gp and the chart scripts */
  const char *gnuplot; /* gnuplot: an absolute path (cb_plot_find_gnuplot) */
  int quiet;           /* no line per chart made (skips are always reported) */
  const char *const *inputs; /* the trial CSVs read: no chart file may be one of them */
  size_t ninputs;
  volatile const int *stop;  /* non-zero: kill gnuplot, draw no more (may be NULL) */
  unsigned long at_c;  /* several hosts: the hosts' winners map at this c only (0: every c) */
  size_t made, skipped, failed;
} cb_plot_t;

/* How a contestant ("threads", "processes/shm", "threads+gil") is drawn:
 * "#RRGGBB", a gnuplot point type, a dash type (1 solid). */
typedef struct cb_plot_style_s {
  char color[8];
  int point;
  int dash;
} cb_plot_style_t;

void cb_plot_style(const char *contestant, cb_plot_style_t *s);
/* Order of contestants on legends: the runners in registry order (serial,
 * threads, processes, processes/shm, eventloop), each one's transports in
 * turn, its +gil variant after it; then any other. */
int cb_plot_rank(const char *contestant);

/* Append `s` as a gnuplot single-quoted string literal ('' for a quote).
 * -EINVAL, appending nothing, when `s` holds a control character (a
 * newline would end gnuplot's command). */
int cb_gp_quote(cb_buf_t *b, const char *s);

/* The directory of the gnuplot scripts: $CONCBENCH_PLOTS, else the
 * installed ones, DATADIR/concbench/plots as seen from the binary's BINDIR
 * (e.g. BIN/../share/concbench/plots), else the source tree's plots/
 * (CB_SOURCE_ROOT). 0 or -ENOENT; `buf` gets the directory. */
int cb_plot_find_scripts(char *buf, size_t len);
/* gnuplot: $CONCBENCH_GNUPLOT (a path, or a name looked up in PATH), else
 * "gnuplot" in PATH. 0 or -ENOENT; `buf` gets its path. */
int cb_plot_find_gnuplot(char *buf, size_t len);
/* The newest trial CSV of a directory (concbench-*.csv, not *.summary.csv,
 * by modification time, then name). 0, -ENOENT when there is none, -errno. */
int cb_plot_latest(const char *dir, char *buf, size_t len);

/* Every chart of the cells (scaling, speedup, latency and efficiency per
 * workload; memory, payload, winners; with several hosts also hosts-winners
 * and hosts-scaling per workload) into p->outdir, which must exist. A
 * chart without data is skipped with a line on stderr. 0, -EIO when some
 * chart failed, -errno when a data file could not be written (err says
 * which), or -EINTR when *p->stop became non-zero. p->made, skipped and
 * failed count charts. */
int cb_plot_charts(cb_plot_t *p, const cb_cells_t *cells, char *err, size_t errlen);

/* The `compare` chart: NEW/BASE ratio of every compared cell with its
 * confidence interval, regressions highlighted. Same returns. */
int cb_plot_compare(cb_plot_t *p, const cb_compare_t *cmp, char *err, size_t errlen);

#endif
