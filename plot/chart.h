/* What chart code shares, internal to plot/ (the public face is plot.h),
 * one section per file: a chart being built and drawn (chart.c), the
 * styles' colours (style.c), axes and number formats (axis.c), cells into
 * variants and series (series.c), line charts' data (lines.c), titles and
 * notes (titles.c), and the chart kinds: the table (kinds.c) and their draw
 * functions (chart_*.c). */
#ifndef CB_PLOT_CHART_H
#define CB_PLOT_CHART_H

#include <stddef.h>

#include "compare.h"
#include "fleet.h"
#include "summary.h"
#include "gnuplot.h"
#include "plot.h"

/* ---- chart.c: a chart being built ------------------------------------- */

typedef struct cb__chart_s {
  char name[200];     /* file name, without extension */
  const char *script; /* X.gp, drawn after common.gp */
  cb_buf_t data;      /* the data file */
  cb_buf_t vars;      /* the -e assignments */
} cb__chart_t;

/* Name the chart (printf; made safe for a file name) and its script. */
void cb__chart_init(cb__chart_t *ch, const char *script, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
void cb__chart_free(cb__chart_t *ch);
/* One assignment: k='v' (control characters as spaces), or k=v (NaN when
 * not finite). */
void cb__var_s(cb__chart_t *ch, const char *k, const char *v);
void cb__var_d(cb__chart_t *ch, const char *k, double v);
/* Write the chart's data and draw it. Failures are counted in p->failed,
 * reported on stderr and the first one kept in err; the caller goes on with
 * the next chart (unless asked to stop). 0 or -errno (-EINTR: stopped). */
int cb__chart_draw(cb_plot_t *p, cb__chart_t *ch, char *err, size_t errlen);
/* A chart not drawn, with a line on stderr saying why. */
void cb__plot_skip(cb_plot_t *p, const char *name, const char *why);
/* A string column of a data file: double-quoted, with no double quote or
 * control character inside. */
void cb__data_str(cb_buf_t *b, const char *s);
/* A file name component from a name read from the CSV. */
void cb__safe_name(const char *in, char *out, size_t len);

/* ---- style.c: colours beyond a contestant's --------------------------- */

#define CB__TIE_COLOR "#BBBBBB"
/* "#RRGGBB" as 0xRRGGBB. */
unsigned cb__hex_color(const char *rgb);
/* Black or white, whichever reads on the fill. */
unsigned cb__text_on(const char *rgb);
/* The colour of a compare verdict. */
const char *cb__verdict_color(cb_cmp_verdict_t v);

/* ---- axis.c: axes and number formats ---------------------------------- */

/* How an axis names its values. */
typedef enum cb__unit_e {
  CB__UNIT_SI,    /* 25k, 2 ms: decimal prefixes */
  CB__UNIT_IEC,   /* 512 KiB, 1 GiB/s: binary prefixes, powers of two on a log axis */
  CB__UNIT_TIMES, /* 0.5x, 2x: speedups, powers of two on a log axis */
} cb__unit_t;

typedef struct cb__axis_s {
  double lo, hi;
  int log;
  char tics[1024]; /* gnuplot's "(\"label\" value, ...)" without the parentheses */
} cb__axis_t;

/* qsort's comparison of doubles, ascending. */
int cb__cmp_double(const void *a, const void *b);
/* A value with its unit: "25k", "2 ms", "512 KiB", "2×". */
void cb__tic_label(double v, cb__unit_t kind, const char *unit, char *buf, size_t len);
/* A readable axis for data in [dmin, dmax] (dmin > 0 on a log axis): its
 * range and at most about 8 labelled tics. */
void cb__axis_make(cb__axis_t *a, double dmin, double dmax, int log_axis, cb__unit_t kind,
                   const char *unit);
/* "4 KiB". */
void cb__human_bytes(double b, char *buf, size_t len);

/* ---- series.c: cells into variants and series ------------------------- */

typedef struct cb__variant_s {
  const char *workload;
  size_t *cell; /* into the set's sorted order */
  size_t n;
  char suffix[160]; /* "" for the workload's main variant, else "-payload4096" ... */
  char what[160];   /* "payload 4 KiB, pin scatter" when the workload has several */
  char row[200];    /* "comm.payload 4 KiB": the workload and what differs, briefly */
} cb__variant_t;

/* Every cell, sorted, and its variants. */
typedef struct cb__set_s {
  const cb_cells_t *cells;
  size_t *order;   /* every cell, sorted */
  cb__variant_t *v;
  size_t nv;
  long *variant_of; /* per cell */
} cb__set_t;

/* One contestant's cells. */
typedef struct cb__series_s {
  char name[64];
  size_t *cell; /* by concurrency (payload for the payload chart) */
  size_t n;
} cb__series_t;

/* A key column as a number (NaN when it is not one); the concurrency; a
 * metric's summary. */
double cb__key_num(const cb_cells_t *cells, size_t c, const char *col);
double cb__concurrency(const cb_cells_t *cells, size_t c);
const cb_summary_t *cb__metric(const cb_cells_t *cells, size_t c, int m);
/* 1 when the cell ran under the GIL. */
int cb__gil_of(const cb_cells_t *cells, size_t c);
/* Sort the cells and group them into named variants. 0 or -ENOMEM. */
int cb__set_build(const cb_cells_t *cells, cb__set_t *s);
void cb__set_free(cb__set_t *s);
/* The series of a variant (at most v->n of them), one point per
 * concurrency; their cells are copied into buf (v->n entries). */
size_t cb__series_of(const cb_cells_t *cells, const cb__variant_t *v, cb__series_t *out,
                     size_t *buf);
/* The reference series (a runner's own, without a variant, of a runner
 * with the `reference` trait: serial), and its cell to compare with: c = 1,
 * ok trials, a median above 0 (-1: none). */
int cb__series_reference(const cb__series_t *s);
long cb__reference_cell(const cb_cells_t *cells, const cb__series_t *s, size_t ns);
/* 1 when two variants are one setting on two hosts (all but the host
 * alike); "-size2000-payload64": what sets variant v's setting apart from
 * its workload's main one ("" for that one). */
int cb__same_setting(const cb_cells_t *cells, const cb__variant_t *a, const cb__variant_t *b);
void cb__setting_suffix(const cb_cells_t *cells, const cb__set_t *set, size_t v, char *buf,
                        size_t len);

/* ---- series.c: series of cells picked by a chart ---------------------- */

/* A point's x when it is not a column: e.g. the serial task time. */
typedef double (*cb__x_fn)(const cb_cells_t *cells, size_t cell);

/* Group cells (in their order) into one series per contestant, in order of
 * first appearance; s has room for n series, zeroed. 0 or -ENOMEM (the
 * series made so far are in *ns, to be freed). */
int cb__series_group(const cb_cells_t *cells, const size_t *cell, size_t n, cb__series_t *s,
                     size_t *ns);
/* Each series by x, ascending; cells of equal x keep their order. */
void cb__series_sort(const cb_cells_t *cells, cb__series_t *s, size_t ns, cb__x_fn x);

/* ---- lines.c: line charts' data --------------------------------------- */

/* A point of a series: fills v (y, lo, hi [, y2, lo2, hi2]) and returns how
 * many values, or 0 to leave the cell out. */
typedef int (*cb__point_fn)(const cb_cells_t *cells, size_t cell, double *v, const void *ctx);

typedef struct cb__lines_s {
  cb__chart_t *ch;
  const char *xcol;        /* "concurrency" or "payload" */
  cb__x_fn xfn;            /* else x comes from here */
  size_t n;                /* series written */
  cb_buf_t names, colors, points, dashes;
  double ymin, ymax, xmin, xmax;
  double xs[64];
  size_t nx;
} cb__lines_t;

enum { CB__X_PLAIN, CB__X_BYTES, CB__X_TIME }; /* how the x tics read */

void cb__lines_init(cb__lines_t *l, cb__chart_t *ch, const char *xcol);
void cb__lines_free(cb__lines_t *l);
/* Widen the y range to hold y (when above 0). */
void cb__see_y(cb__lines_t *l, double y);
/* One block of the data file; returns the points written (a series with
 * none is left out altogether). */
size_t cb__lines_add(cb__lines_t *l, const cb_cells_t *cells, const cb__series_t *s,
                     cb__point_fn fn, const void *ctx);
/* The assignments every line chart's script reads: the series, the x axis
 * (x_kind: CB__X_*), the y axis. */
void cb__lines_vars(cb__lines_t *l, int x_kind, int log_y, cb__unit_t kind, const char *unit);
/* 1 when the values span more than `ratio` (draw them on a log axis). */
int cb__wide(const cb__lines_t *l, double ratio);
/* Points: metric m's median and CI times scale; throughput; throughput
 * over *(const double *)ctx (a speedup). */
int cb__pt_metric(const cb_cells_t *cells, size_t c, double *v, int m, double scale);
int cb__pt_throughput(const cb_cells_t *cells, size_t c, double *v, const void *ctx);
int cb__pt_speedup(const cb_cells_t *cells, size_t c, double *v, const void *ctx);

/* ---- titles.c: titles and notes --------------------------------------- */

/* What a chart's draw function draws from. */
typedef struct cb__plot_ctx_s {
  cb_plot_t *p;
  const struct cb__plot_kind_s *kind; /* its row of the table */
  const cb_cells_t *cells;
  const cb__set_t *set;    /* every cell, sorted, and the variants */
  const cb__variant_t *v;  /* per-variant kinds: the variant... */
  cb__series_t *s;         /* ...and its series */
  size_t ns;
  const cb_fleet_t *fl;    /* fleet kinds: the hosts */
  const char *workload;    /* a kind of one workload: that workload (kinds.c) */
  char *err;               /* the first failure (cb__chart_draw) */
  size_t errlen;
} cb__plot_ctx_t;

/* "median of 6 trials; bars: 95% CI of the median". */
void cb__trials_text(const cb_cells_t *cells, const size_t *cell, size_t n, char *buf,
                     size_t len);
/* "cpu.hash, size 20000 iterations, 1000 tasks, pin compact". */
void cb__workload_text(const cb_cells_t *cells, const cb__variant_t *v, int with_payload,
                       char *buf, size_t len);
/* ttl, sub1 (the machine and dates of the cells) and sub2. */
void cb__titles(cb__chart_t *ch, const cb_cells_t *cells, const size_t *cell, size_t n,
                const char *title, const char *line2);
/* A variant chart's second subtitle: the workload and the trials. */
void cb__line2(const cb__plot_ctx_t *x, char *buf, size_t len);
/* note: the failed points, the series that ran inline, then `extra`. */
void cb__note(cb__chart_t *ch, const cb__plot_ctx_t *x, const char *extra);

/* ---- kinds.c: the table of chart kinds -------------------------------- */

/* When a kind is drawn, and from what. */
typedef enum cb__plot_scope_e {
  CB__PLOT_VARIANT, /* per variant of each workload (x->v, x->s, x->ns); mixed work has none */
  CB__PLOT_SET,     /* once, from all the cells (x->set) */
  CB__PLOT_FLEET,   /* once, when the cells come from several hosts (x->set, x->fl) */
} cb__plot_scope_t;

typedef struct cb__plot_kind_s {
  const char *name;     /* what its chart files are named after; in skip messages */
  const char *script;   /* plot/X.gp, which draws it after common.gp */
  cb__plot_scope_t scope;
  /* A kind of one workload: the CB_CHART_* bit of cb_workload_t.charts that
   * asks for it; per variant, it is drawn for each workload with the bit,
   * once for all the cells, of the registry's first such workload. 0:
   * every workload's. */
  unsigned charts;
  /* Draws the kind's charts (or says why not, cb__plot_skip); failures go
   * through cb__chart_draw. */
  void (*draw)(cb__plot_ctx_t *x);
} cb__plot_kind_t;

/* The draw functions of the table's rows, one per chart kind. */
void cb__draw_scaling(cb__plot_ctx_t *x);     /* chart_variant.c */
void cb__draw_speedup(cb__plot_ctx_t *x);
void cb__draw_latency(cb__plot_ctx_t *x);
void cb__draw_efficiency(cb__plot_ctx_t *x);
void cb__draw_memory(cb__plot_ctx_t *x);
void cb__draw_payload(cb__plot_ctx_t *x);     /* chart_payload.c */
void cb__draw_granularity(cb__plot_ctx_t *x); /* chart_granularity.c */
void cb__draw_share(cb__plot_ctx_t *x);       /* chart_share.c */
void cb__draw_winners(cb__plot_ctx_t *x);     /* chart_winners.c */
void cb__draw_hosts_winners(cb__plot_ctx_t *x);
void cb__draw_hosts_scaling(cb__plot_ctx_t *x); /* chart_hosts.c */

#endif
