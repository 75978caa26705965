/* What the plot tests (test_plot.c, test_plot_charts.c) share: the trial CSVs
 * they plot (a rich file of five runners and three workloads, a file with
 * runners missing, one with a single concurrency, a comparison), whether
 * gnuplot is here, and the checks that a chart is (or is not) a complete PNG
 * or SVG file (tests/test_plt.c). */
#ifndef CB_TESTS_TEST_PLT_H
#define CB_TESTS_TEST_PLT_H

#include "common.h"
#include "plot.h"
#include "runner.h"
#include "table.h"

/* The header line of a trial CSV of this schema. */
extern const char plt_header[];

/* A trial CSV written in memory, with the state of its fixed
 * pseudo-random sequence. */
typedef struct csv_s {
  char *text;
  size_t len, cap;
  uint64_t rng;
} csv_t;

/* printf onto the end of c->text, growing it. */
void plt_put(csv_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An empty CSV of the header alone, its sequence at its fixed start. */
void plt_csv_init(csv_t *c);

/* Five runners, c = 1, 2, 4, 16; cpu.hash, io.sleep, comm.payload (three
 * payloads), life.idle, and fault.crash whose trials crash but under
 * processes. */
char *plt_rich_csv(void);

/* threads and processes only, no serial: no speedup, memory or payload. */
char *plt_missing_runners_csv(void);

/* Every runner at c = 1 only. */
char *plt_single_concurrency_csv(void);

/* Four cells, six trials each; with `slower`, threads at c = 2 lose 40%. */
char *plt_compare_csv(int slower, uint64_t seed);

/* 1 when gnuplot can be run (tests that need it skip otherwise). */
int plt_have_gnuplot(void);

/* DIR/NAME.png is a PNG of a talk-sized canvas with something drawn on it;
 * DIR/NAME.svg a complete SVG document that holds `title`. */
void plt_check_chart(const char *dir, const char *name, const char *title);

/* Neither DIR/NAME.png nor DIR/NAME.svg was written. */
void plt_check_no_chart(const char *dir, const char *name);

/* Write `text` as DIR/NAME and plot it into DIR/charts. */
void plt_plot_file(const char *dir, const char *name, char *text, cbt_result_t *r);

#endif
