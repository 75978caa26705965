/* What chart code shares, internal to plot/ (the public face is plot.h):
 * a chart being built and drawn (chart.c) and the styles' colours
 * (style.c). */
#ifndef CB_PLOT_CHART_H
#define CB_PLOT_CHART_H

#include <stddef.h>

#include "compare.h"
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

#endif
