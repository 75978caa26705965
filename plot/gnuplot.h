/* The gnuplot launcher (gnuplot.c), internal to plot/: running gnuplot once
 * on common.gp and a chart's script, and the small things it needs. The
 * lookups (cb_plot_find_gnuplot, cb_plot_find_scripts, cb_plot_latest) are
 * public, in plot.h. */
#ifndef CB_PLOT_GNUPLOT_H
#define CB_PLOT_GNUPLOT_H

#include <stddef.h>

#include "plot.h"

/* snprintf into a new buffer; NULL when out of memory. */
char *cb__path_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 when a stop was requested (*p->stop non-zero). */
int cb__plot_stopped(const cb_plot_t *p);

/* gnuplot -e VARS SCRIPTS/common.gp SCRIPTS/SCRIPT, waited for; killed on a
 * stop request. 0, -EINTR when stopped, -EIO when gnuplot failed, -errno
 * when it could not start; err says which in one line (quoting the last
 * line gnuplot wrote). */
int cb__gnuplot_run(const cb_plot_t *p, const char *vars, const char *script, char *err,
                    size_t errlen);

#endif
