/* Tests of what `concbench plot` draws (plot/, cli/cmd_plot.c, the gnuplot
 * scripts). The command runs as a binary ($CONCBENCH) with fork+execve, never
 * through a shell, on trial CSVs that each test writes into a fresh mkdtemp
 * directory from a fixed pseudo-random sequence (tests/test_plt.c): every
 * chart of a rich file (five runners, three workloads with several payloads,
 * a workload whose trials crash), a share chart, a comparison with a
 * regression. What a chart shows is checked in the data file it reads
 * (data/NAME.dat): every point of every line chart against the summary's
 * medians and confidence intervals (from `concbench summary` of the same
 * CSV), the winners map against the summary's fastest runner per cell, the
 * compare chart against `concbench compare -f csv`. Tests that need gnuplot
 * skip when it is not installed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"
#include "plot.h"
#include "runner.h"
#include "table.h"
#include "test_plt.h"

/* One line of a line chart's data file: its series (the "# name" above its
 * block), x and the values. */
typedef struct pt_s {
  char series[64];
  double x, v[6];
  int nv;
} pt_t;

static size_t read_points(const char *charts, const char *name, pt_t *pts, size_t max)
{
  char path[2048], series[64] = "";
  char *text, *line, *save = NULL;
  size_t len, n = 0;

  snprintf(path, sizeof(path), "%s/data/%s.dat", charts, name);
  text = cbt_try_slurp_path(path, &len);
  if (text == NULL)
    fail_msg("%s: missing", path);
  for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    char *p = line, *end;
    if (line[0] == '#') {
      snprintf(series, sizeof(series), "%s", line + 2);
      continue;
    }
    if (n == max)
      fail_msg("%s: more than %zu points", path, max);
    snprintf(pts[n].series, sizeof(pts[n].series), "%s", series);
    pts[n].x = strtod(p, &end);
    if (end == p)
      fail_msg("%s: not a data line: '%s'", path, line);
    for (pts[n].nv = 0; pts[n].nv < 6; pts[n].nv++) {
      p = end;
      pts[n].v[pts[n].nv] = strtod(p, &end);
      if (end == p)
        break;
    }
    n++;
  }
  free(text);
  return n;
}

/* Values are written with 10 significant digits. */
static void expect_near(double got, double want, const char *chart, const pt_t *pt,
                        const char *what)
{
  if (!(fabs(got - want) <= 1e-9 * fabs(want)))
    fail_msg("%s, %s at x=%g: %s %.12g, expected %.12g", chart, pt->series, pt->x, what, got,
             want);
}

/* The summary of DIR/NAME by `concbench summary`. */
static void load_summary(const char *dir, const char *name, cb_table_t *t)
{
  char csv[1024], out[1100], err[512];
  const char *argv[] = { "summary", csv, "-o", out, "-q", NULL };
  cbt_result_t r = { 0 };

  snprintf(csv, sizeof(csv), "%s/%s", dir, name);
  snprintf(out, sizeof(out), "%s/%s.summary", dir, name);
  cbt_run(NULL, argv, &r);
  cbt_expect_exit(&r, 0, "summary");
  cbt_result_free(&r);
  if (cb_table_load(out, t, err, sizeof(err)) != 0)
    fail_msg("%s", err);
  unlink(out);
}

static const char *field(const cb_table_t *t, size_t row, const char *col)
{
  long c = cb_table_col(t, col);

  if (c < 0)
    fail_msg("no column '%s'", col);
  return cb_table_get(t, row, (size_t)c);
}

static double num_field(const cb_table_t *t, size_t row, const char *col)
{
  return strtod(field(t, row, col), NULL);
}

/* The runner and transport of a contestant as the charts name it:
 * "processes/shm", or a runner alone on its default transport. */
static int is_contestant(const cb_table_t *t, size_t row, const char *name)
{
  const char *rn = field(t, row, "runner"), *tr = field(t, row, "transport");
  const char *slash = strchr(name, '/');

  if (slash != NULL)
    return strncmp(rn, name, (size_t)(slash - name)) == 0 && rn[slash - name] == '\0' &&
           strcmp(tr, slash + 1) == 0;
  return strcmp(rn, name) == 0 && (strcmp(tr, "inproc") == 0 || strcmp(tr, "pipe") == 0);
}

/* The row of a trial CSV or summary of one cell (any host, pin, size), or
 * fail; with `ok`, summary rows with n = 0 do not count. */
static size_t cell_row(const cb_table_t *t, const char *wl, const char *contestant, double c,
                       double payload)
{
  size_t r;

  for (r = 1; r < t->rows; r++) {
    if (strcmp(field(t, r, "workload"), wl) == 0 && is_contestant(t, r, contestant) &&
        num_field(t, r, "concurrency") == c && num_field(t, r, "payload") == payload)
      return r;
  }
  fail_msg("no summary row for %s, %s, c=%g, payload %g", wl, contestant, c, payload);
  return 0;
}

/* Summary rows of a workload and payload with measured trials. */
static size_t measured_cells(const cb_table_t *t, const char *wl, double payload, int with_serial)
{
  size_t r, n = 0;

  for (r = 1; r < t->rows; r++)
    n += strcmp(field(t, r, "workload"), wl) == 0 && num_field(t, r, "payload") == payload &&
         num_field(t, r, "n") > 0 && (with_serial || strcmp(field(t, r, "runner"), "serial") != 0);
  return n;
}

enum { CH_SCALING, CH_SPEEDUP, CH_LATENCY, CH_MEMORY };

/* Every point of a line chart of `wl` at `payload`: the summary's median and
 * CI of the metric the chart shows, scaled as the chart's axis is (latency
 * in s, the trial's memory in bytes, speedup over serial's median at c=1);
 * and as many points as cells with measured trials (serial is a line of its
 * own on the scaling chart and the reference of speedup). */
static void check_line_chart(const char *charts, const char *name, const cb_table_t *sum,
                             const char *wl, double payload, int kind)
{
  static const char *const metric[] = { "throughput", "throughput", "lat_p50_us", "maxrss_kb" };
  char col[64];
  pt_t pts[64];
  size_t n = read_points(charts, name, pts, 64), i, k;
  double serial = 0;

  if (kind == CH_SPEEDUP)
    serial = num_field(sum, cell_row(sum, wl, "serial", 1, payload), "throughput_median");
  if (n != measured_cells(sum, wl, payload, kind == CH_LATENCY || kind == CH_MEMORY))
    fail_msg("%s: %zu points for %zu cells", name, n,
             measured_cells(sum, wl, payload, kind == CH_LATENCY || kind == CH_MEMORY));
  for (i = 0; i < n; i++) {
    size_t r = cell_row(sum, wl, pts[i].series, pts[i].x, payload);
    double scale = kind == CH_SPEEDUP ? 1 / serial : kind == CH_LATENCY ? 1e-6
                   : kind == CH_MEMORY ? 1024 : 1;
    static const char *const stat[] = { "median", "ci_lo", "ci_hi" };

    if (pts[i].nv != (kind == CH_LATENCY ? 6 : 3))
      fail_msg("%s: %d values at x=%g", name, pts[i].nv, pts[i].x);
    for (k = 0; k < (size_t)pts[i].nv; k++) {
      snprintf(col, sizeof(col), "%s_%s", k < 3 ? metric[kind] : "lat_p99_us", stat[k % 3]);
      expect_near(pts[i].v[k], num_field(sum, r, col) * scale, name, &pts[i], col);
    }
  }
}

static int cmp_dbl(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* Efficiency: the median over a cell's ok trials of (tasks - failed) /
 * (user_s + sys_s), from the trial CSV itself. */
static void check_efficiency(const char *charts, const char *name, const cb_table_t *trials,
                             const cb_table_t *sum, const char *wl)
{
  pt_t pts[64];
  double v[64];
  size_t n = read_points(charts, name, pts, 64), i, r, k;

  /* every cell with ok trials (all spent CPU time) */
  assert_int_equal(n, measured_cells(sum, wl, 0, 1));
  for (i = 0; i < n; i++) {
    for (r = 1, k = 0; r < trials->rows && k < 64; r++) {
      if (strcmp(field(trials, r, "workload"), wl) != 0 ||
          !is_contestant(trials, r, pts[i].series) ||
          num_field(trials, r, "concurrency") != pts[i].x ||
          num_field(trials, r, "payload") != 0 || strcmp(field(trials, r, "status"), "ok") != 0)
        continue;
      v[k++] = (num_field(trials, r, "tasks") - num_field(trials, r, "failed")) /
               (num_field(trials, r, "user_s") + num_field(trials, r, "sys_s"));
    }
    if (k == 0)
      fail_msg("%s: a point for %s at x=%g, which has no ok trial", name, pts[i].series,
               pts[i].x);
    qsort(v, k, sizeof(v[0]), cmp_dbl);
    expect_near(pts[i].v[0], k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2, name, &pts[i],
                "tasks per CPU-second");
  }
}

/* The payload chart: bytes moved (2 x payload x median throughput) against
 * payload, at concurrency c. */
static void check_payload_chart(const char *charts, const cb_table_t *sum, double c)
{
  pt_t pts[64];
  size_t n = read_points(charts, "payload", pts, 64), i;

  /* threads, processes, processes/shm and eventloop at three payloads */
  assert_int_equal(n, 12);
  for (i = 0; i < n; i++) {
    size_t r = cell_row(sum, "comm.payload", pts[i].series, c, pts[i].x);
    expect_near(pts[i].v[0], 2 * pts[i].x * num_field(sum, r, "throughput_median"), "payload",
                &pts[i], "bytes/s");
  }
}

/* The next "quoted" field of a winners or compare data line. */
static const char *quoted(const char *p, char *buf, size_t len)
{
  const char *q = strchr(p, '"'), *e = q != NULL ? strchr(q + 1, '"') : NULL;

  if (e == NULL)
    fail_msg("no quoted field in '%s'", p);
  snprintf(buf, len, "%.*s", (int)(e - q - 1), q + 1);
  return e + 1;
}

/* The winners map: in every cell of a workload measured in one variant,
 * the model (runner) whose best variant has the summary's highest median
 * throughput, labelled with its margin over the next model's best (unless
 * a tie, or alone) and the variant that won when it is not the model's
 * default. Serial is the reference, never a contestant. */
static void check_winners(const char *charts, const cb_table_t *sum)
{
  static const char *const single[] = { "cpu.hash", "io.sleep", "life.idle", "fault.crash" };
  char path[2048], label[64], row[256], col[32], name[64], want[64], *text, *line, *save = NULL;
  size_t len, r, k, m, seen = 0;

  snprintf(path, sizeof(path), "%s/data/winners.dat", charts);
  text = cbt_try_slurp_path(path, &len);
  assert_non_null(text);
  for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
    const char *p = quoted(line, label, sizeof(label));
    const char *models[8], *variant[8];
    double best[8], c, first = 0, second = 0;
    size_t nm = 0, win = 0;

    p = quoted(p, row, sizeof(row));
    p = quoted(p, col, sizeof(col));
    quoted(p, name, sizeof(name));
    for (k = 0; k < CBT_ARRAY_SIZE(single) && strcmp(row, single[k]) != 0; k++)
      ;
    if (k == CBT_ARRAY_SIZE(single))
      continue;
    c = strtod(col, NULL);
    /* each model's best median in the cell */
    for (r = 1; r < sum->rows; r++) {
      const char *rn = field(sum, r, "runner");
      double med = num_field(sum, r, "throughput_median");
      if (strcmp(field(sum, r, "workload"), row) != 0 || num_field(sum, r, "concurrency") != c ||
          num_field(sum, r, "n") == 0 || strcmp(rn, "serial") == 0)
        continue;
      for (m = 0; m < nm && strcmp(models[m], rn) != 0; m++)
        ;
      if (m == nm) {
        assert_true(nm < CBT_ARRAY_SIZE(models));
        models[nm] = rn;
        best[nm] = med;
        variant[nm++] = field(sum, r, "transport");
      } else if (med > best[m]) {
        best[m] = med;
        variant[m] = field(sum, r, "transport");
      }
    }
    if (nm == 0)
      fail_msg("winners: %s at c=%s has no measured cell", row, col);
    for (m = 0; m < nm; m++) {
      if (best[m] > first) {
        second = first;
        first = best[m];
        win = m;
      } else if (best[m] > second) {
        second = best[m];
      }
    }
    if (strcmp(name, models[win]) != 0)
      fail_msg("winners: %s at c=%s won by %s, the summary says %s", row, col, name,
               models[win]);
    if (nm == 1)
      snprintf(want, sizeof(want), "alone");
    else if (first / second < 2)
      snprintf(want, sizeof(want), "+%.0f%%", 100 * (first / second - 1));
    else
      snprintf(want, sizeof(want), first / second < 10 ? "×%.1f" : "×%.0f", first / second);
    /* a winning variant other than the model's default is named after the margin */
    if (strcmp(variant[win], "inproc") != 0 && strcmp(variant[win], "pipe") != 0)
      snprintf(want + strlen(want), sizeof(want) - strlen(want), " %s", variant[win]);
    if (strcmp(label, "tie") != 0 && strcmp(label, want) != 0)
      fail_msg("winners: %s at c=%s labelled '%s', expected '%s' (or tie)", row, col, label, want);
    seen++;
  }
  free(text);
  /* 4 workloads at c = 1, 2, 4, 16 */
  assert_int_equal(seen, 16);
}

static void test_every_chart(void **state)
{
  static const char *const workloads[] = { "cpu.hash", "io.sleep", "comm.payload", "life.idle",
                                            "fault.crash" };
  char dir[512], charts[1024], name[256], title[256], path[2048];
  cbt_result_t r = { 0 };
  size_t i;

  (void)state;
  if (!plt_have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  plt_plot_file(dir, "rich.csv", plt_rich_csv(), &r);
  cbt_expect_exit(&r, 0, "plot rich.csv");
  snprintf(charts, sizeof(charts), "%s/charts", dir);
  for (i = 0; i < CBT_ARRAY_SIZE(workloads); i++) {
    /* comm.payload has three variants: the main one (most cells, then the
     * smallest payload) keeps the plain name. */
    snprintf(name, sizeof(name), "scaling-%s", workloads[i]);
    snprintf(title, sizeof(title), "%s: throughput vs concurrency", workloads[i]);
    plt_check_chart(charts, name, title);
    snprintf(name, sizeof(name), "latency-%s", workloads[i]);
    plt_check_chart(charts, name, "task latency p50 and p99");
    snprintf(name, sizeof(name), "efficiency-%s", workloads[i]);
    plt_check_chart(charts, name, "tasks per CPU-second");
    snprintf(name, sizeof(name), "speedup-%s", workloads[i]);
    if (strcmp(workloads[i], "fault.crash") != 0)
      plt_check_chart(charts, name, "speedup over serial");
    else
      plt_check_no_chart(charts, name);
  }
  plt_check_chart(charts, "scaling-comm.payload-payload65536", "(payload 64 KiB)");
  plt_check_chart(charts, "scaling-comm.payload-payload1048576", "(payload 1 MiB)");
  plt_check_chart(charts, "memory", "Memory of c idle workers (life.idle)");
  plt_check_chart(charts, "payload", "comm.payload: data moved vs payload size");
  plt_check_chart(charts, "winners", "Who wins");
  /* The machine and the date are in every subtitle; the crashes in a note. */
  plt_check_chart(charts, "scaling-fault.crash", "no ok trial (crashed)");
  plt_check_chart(charts, "scaling-cpu.hash", "2026-11-22");
  plt_check_chart(charts, "winners", "Test CPU");
  /* The numbers drawn, in the data files beside the charts. */
  {
    static const char *const lines[] = { "cpu.hash", "io.sleep", "life.idle", "fault.crash",
                                         "comm.payload" };
    cb_table_t sum, trials;
    char err[512];

    snprintf(path, sizeof(path), "%s/rich.csv", dir);
    if (cb_table_load(path, &trials, err, sizeof(err)) != 0)
      fail_msg("%s", err);
    load_summary(dir, "rich.csv", &sum);
    for (i = 0; i < CBT_ARRAY_SIZE(lines); i++) {
      double pay = strcmp(lines[i], "comm.payload") == 0 ? 64 : 0;
      snprintf(name, sizeof(name), "scaling-%s", lines[i]);
      check_line_chart(charts, name, &sum, lines[i], pay, CH_SCALING);
      snprintf(name, sizeof(name), "latency-%s", lines[i]);
      check_line_chart(charts, name, &sum, lines[i], pay, CH_LATENCY);
      if (strcmp(lines[i], "fault.crash") != 0) {
        snprintf(name, sizeof(name), "speedup-%s", lines[i]);
        check_line_chart(charts, name, &sum, lines[i], pay, CH_SPEEDUP);
      }
      if (pay == 0) {
        snprintf(name, sizeof(name), "efficiency-%s", lines[i]);
        check_efficiency(charts, name, &trials, &sum, lines[i]);
      }
    }
    check_line_chart(charts, "scaling-comm.payload-payload65536", &sum, "comm.payload", 65536,
                     CH_SCALING);
    check_line_chart(charts, "memory", &sum, "life.idle", 0, CH_MEMORY);
    /* the largest concurrency at most the fixture's 8 PUs */
    check_payload_chart(charts, &sum, 4);
    check_winners(charts, &sum);
    cb_table_free(&sum);
    cb_table_free(&trials);
  }
  if (strstr(r.err, "skipped speedup-fault.crash") == NULL)
    fail_msg("no word of the skipped speedup chart: %s", r.err);
  assert_int_equal(r.outlen, 0);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

/* Mixed work: mix.sleep at c = 64 on the fixture's 8 PUs, threads and
 * processes at 0, 10 and 100% CPU. The chart is named after the workload and
 * c; its data holds each series at its share (0% drawn at 0.3, left of 1%)
 * with its median throughput, then the ideal of 64 tasks of 1 ms on 8 CPUs
 * and on one: 64k tasks/s at 0% and 1%, then 8 CPUs / 1 ms = 8k and 1 CPU /
 * 1 ms = 1k at 100%. No other chart shows mixed work. */
static void test_share_chart(void **state)
{
  static const unsigned shares[] = { 0, 10, 100 };
  static const double tp[][3] = { { 60000, 50000, 7000 }, { 58000, 52000, 7500 } };
  static const char *const who[][2] = { { "threads", "inproc" }, { "processes", "pipe" } };
  char dir[512], charts[1024];
  pt_t pts[256];
  cbt_result_t r = { 0 };
  size_t n, i, k, seen = 0, ideal = 0;
  unsigned rep;
  csv_t c;

  (void)state;
  if (!plt_have_gnuplot())
    skip();
  plt_csv_init(&c);
  for (i = 0; i < CBT_ARRAY_SIZE(who); i++)
    for (k = 0; k < CBT_ARRAY_SIZE(shares); k++)
      for (rep = 0; rep < 3; rep++)
        plt_put(&c, "run-1,2026-11-22T10:%02u:00Z,testhost,Test CPU,8,4,Linux 6.1,gcc 12,0.1.0,abc,"
                    "release,mix.sleep,mix,%s,%s,compact,64,64,400,%u,0,%u,%.6g,%.6g,10,20,0.1,0,1,"
                    "1,1000,0,1,ok,0.001,0.001,0,1,\n",
                rep, who[i][0], who[i][1], shares[k], rep, 400 / tp[i][k],
                tp[i][k] * (1 + 0.001 * rep));
  cbt_make_dir(dir, sizeof(dir), "plot");
  plt_plot_file(dir, "mix.csv", c.text, &r);
  cbt_expect_exit(&r, 0, "plot mix.csv");
  snprintf(charts, sizeof(charts), "%s/charts", dir);
  plt_check_chart(charts, "share-mix.sleep-c64", "mix.sleep: throughput vs CPU share per task (c = "
                                                 "64)");
  n = read_points(charts, "share-mix.sleep-c64", pts, CBT_ARRAY_SIZE(pts));
  for (i = 0; i < n; i++) {
    for (k = 0; k < CBT_ARRAY_SIZE(who) && strcmp(pts[i].series, who[k][0]) != 0; k++)
      ;
    if (k < CBT_ARRAY_SIZE(who)) {
      size_t s = pts[i].x == 0.3 ? 0 : pts[i].x == 10 ? 1 : pts[i].x == 100 ? 2 : 3;
      if (s == 3)
        fail_msg("%s at share x=%g: not a measured share", pts[i].series, pts[i].x);
      expect_near(pts[i].v[0], tp[k][s] * 1.001, "share", &pts[i], "median");
      seen++;
      continue;
    }
    assert_true(strcmp(pts[i].series, "ideal on 8 CPUs") == 0 ||
                strcmp(pts[i].series, "ideal on 1 CPUs") == 0);
    if (pts[i].x == 0.3 || pts[i].x == 1)
      expect_near(pts[i].v[0], 64000, "share", &pts[i], "ideal");
    else if (pts[i].x == 100)
      expect_near(pts[i].v[0], strstr(pts[i].series, " 8 ") != NULL ? 8000 : 1000, "share",
                  &pts[i], "ideal");
    else
      continue;
    ideal++;
  }
  assert_int_equal(seen, 6);
  assert_int_equal(ideal, 6); /* 0%, 1% and 100% on each curve */
  /* no chart per share: the share chart holds them all; no winners map */
  plt_check_no_chart(charts, "scaling-mix.sleep");
  plt_check_no_chart(charts, "scaling-mix.sleep-size10");
  plt_check_no_chart(charts, "winners");
  if (strstr(r.err, "skipped scaling-, speedup-, latency- and efficiency-mix.sleep: mixed work "
                    "is drawn against its CPU share (share-W-cN)") == NULL ||
      strstr(r.err, "skipped winners: only mixed work") == NULL)
    fail_msg("no word of the charts left out: %s", r.err);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

static void test_compare_chart(void **state)
{
  char dir[512], base[1024], new_[1024], out[1024], path[2048];
  const char *argv[] = { "plot", "--compare", base, new_, "-o", out, NULL };
  cbt_result_t r = { 0 };
  char *data;
  size_t len;

  (void)state;
  if (!plt_have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  snprintf(base, sizeof(base), "%s/base.csv", dir);
  snprintf(new_, sizeof(new_), "%s/new.csv", dir);
  snprintf(out, sizeof(out), "%s/cmp", dir);
  data = plt_compare_csv(0, 1);
  cbt_write_file(base, data);
  free(data);
  data = plt_compare_csv(1, 2);
  cbt_write_file(new_, data);
  free(data);
  cbt_run(NULL, argv, &r);
  cbt_expect_exit(&r, 0, "plot --compare");
  plt_check_chart(out, "compare", "Compare: NEW / BASE median throughput");
  plt_check_chart(out, "compare", "1 slower (regressions)");
  /* The regression is marked in the data the chart draws. */
  snprintf(path, sizeof(path), "%s/data/compare.dat", out);
  data = cbt_try_slurp_path(path, &len);
  assert_non_null(data);
  if (strstr(data, " 1 \"cpu.hash/threads/c:2") == NULL)
    fail_msg("threads at c=2 is not marked as a regression: %s", data);
  cbt_result_free(&r);
  /* Every bar is the comparison's: ratio, interval, regression mark and
   * verdict of each cell as `concbench compare -f csv` gives them. */
  {
    const char *cargv[] = { "compare", "-f", "csv", base, new_, NULL };
    char *line, *save = NULL, name[160], verdict[32], err[256];
    size_t rows = 0, k;
    cb_table_t t;

    cbt_run(NULL, cargv, &r);
    cbt_expect_exit(&r, 1, "compare -f csv with a regression");
    if (cb_table_parse(r.out, r.outlen, &t, err, sizeof(err)) != 0)
      fail_msg("compare CSV: %s", err);
    for (line = strtok_r(data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
      double row, ratio, lo, hi;
      unsigned color;
      int reg, used;
      const char *p;

      if (sscanf(line, "%lf %lf %lf %lf 0x%X %d%n", &row, &ratio, &lo, &hi, &color, &reg, &used) != 6)
        fail_msg("compare.dat: '%s'", line);
      p = quoted(line + used, name, sizeof(name));
      quoted(p, verdict, sizeof(verdict));
      for (k = 1; k < t.rows && strcmp(field(&t, k, "name"), name) != 0; k++)
        ;
      if (k == t.rows)
        fail_msg("compare.dat: cell %s is not in the comparison", name);
      if (!(fabs(ratio - num_field(&t, k, "ratio")) <= 1e-9 * ratio) ||
          !(fabs(lo - num_field(&t, k, "ci_lo")) <= 1e-9 * lo) ||
          !(fabs(hi - num_field(&t, k, "ci_hi")) <= 1e-9 * hi))
        fail_msg("compare.dat: %s drawn at %g [%g, %g], compare says %s [%s, %s]", name, ratio,
                 lo, hi, field(&t, k, "ratio"), field(&t, k, "ci_lo"), field(&t, k, "ci_hi"));
      assert_string_equal(verdict, field(&t, k, "verdict"));
      assert_int_equal(reg, (int)num_field(&t, k, "regression"));
      rows++;
    }
    assert_int_equal(rows, 4); /* every cell compared */
    cb_table_free(&t);
  }
  free(data);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_chart),
    cmocka_unit_test(test_share_chart),
    cmocka_unit_test(test_compare_chart),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
