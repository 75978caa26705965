/* Tests of `concbench plot` (plot/, cli/cmd_plot.c, the gnuplot scripts in plot/).
 * The pure helpers (quoting for gnuplot, the palette, finding the newest
 * CSV) are called directly. The command runs as a binary ($CONCBENCH) with
 * fork+execve, never through a shell, on trial CSVs that each test writes
 * into a fresh mkdtemp directory from a fixed pseudo-random sequence: every
 * chart of a rich file (five runners, three workloads with several
 * payloads, a workload whose trials crash), a file with runners missing, a
 * file with one concurrency, a comparison with a regression, and bad
 * inputs. A chart is checked as a file: a PNG starts with the signature,
 * has the canvas size in its IHDR and is more than a few KB; an SVG is a
 * complete document that holds the chart's title. What a chart shows is
 * checked in the data file it reads (data/NAME.dat): every point of every
 * line chart against the summary's medians and confidence intervals (from
 * `concbench summary` of the same CSV), the winners map against the
 * summary's fastest runner per cell, the compare chart against `concbench
 * compare -f csv`. Tests that need gnuplot skip when it is not installed. */
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



static const char header[] =
    "run_id,timestamp,host,cpu_model,pus,cores,kernel,compiler,concbench_version,"
    "git_revision,build_type,workload,family,runner,transport,pin,concurrency,workers,"
    "tasks,size,payload,rep,wall_s,throughput,lat_p50_us,lat_p99_us,user_s,sys_s,vcsw,"
    "ivcsw,maxrss_kb,failed,verified,status,startup_s,teardown_s,pin_wrap,seed,message\n";

/* ---- fixtures ----------------------------------------------------------- */

typedef struct csv_s {
  char *text;
  size_t len, cap;
  uint64_t rng;
} csv_t;

static void put(csv_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(csv_t *c, const char *fmt, ...)
{
  va_list ap;
  int n;

  for (;;) {
    va_start(ap, fmt);
    n = vsnprintf(c->text + c->len, c->cap - c->len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (c->len + (size_t)n < c->cap)
      break;
    c->cap = 2 * (c->cap + (size_t)n) + 4096;
    c->text = realloc(c->text, c->cap);
    assert_non_null(c->text);
  }
  c->len += (size_t)n;
}

static void csv_init(csv_t *c)
{
  memset(c, 0, sizeof(*c));
  c->rng = 0x9e3779b97f4a7c15u;
  put(c, "%s", header);
}

/* A factor in [1 - spread, 1 + spread], from a fixed sequence. */
static double jitter(csv_t *c, double spread)
{
  c->rng = c->rng * 6364136223846793005u + 1442695040888963407u;
  return 1 + spread * (2.0 * (double)(c->rng >> 11) / 9007199254740992.0 - 1);
}

/* `reps` trials of one cell; status other than "ok" writes zeros. */
static void cell(csv_t *c, const char *workload, const char *runner, const char *transport,
                 unsigned conc, unsigned payload, unsigned reps, double tp, double lat_us,
                 double cpu_s, double rss_kb, const char *status)
{
  char family[16];
  unsigned r, tasks = 400;

  snprintf(family, sizeof(family), "%.*s", (int)strcspn(workload, "."), workload);
  for (r = 0; r < reps; r++) {
    int ok = strcmp(status, "ok") == 0;
    double t = tp * jitter(c, 0.02), wall = tasks / t, l = lat_us * jitter(c, 0.05);
    put(c, "run-1,2026-11-22T10:%02u:00Z,testhost,\"Test CPU 'x' \"\"8-core\"\", v2\",8,4,"
           "Linux 6.1,gcc 12,0.1.0,abc,release,%s,%s,%s,%s,compact,%u,%u,%u,1000,%u,%u,",
        r, workload, family, runner, transport, conc, conc, tasks, payload, r);
    if (ok)
      put(c, "%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,10,2,%.0f,%u,1,ok,0.001,0.001,0,1,\n", wall, t, l,
          3 * l, cpu_s * jitter(c, 0.03), cpu_s / 10, rss_kb * jitter(c, 0.01),
          strcmp(workload, "fault.crash") == 0 ? r + 1 : 0); /* a process pool loses tasks */
    else
      put(c, "0,0,0,0,0,0,0,0,0,%u,0,%s,0,0,0,1,the trial process died of signal 11\n", tasks,
          status);
  }
}

static const char *const runners[][2] = {
  { "threads", "inproc" },
  { "processes", "pipe" },
  { "processes", "shm" },
  { "eventloop", "inproc" },
};

/* Five runners, c = 1, 2, 4, 16; cpu.hash, io.sleep, comm.payload (three
 * payloads), life.idle, and fault.crash whose trials crash but under
 * processes. */
static char *rich_csv(void)
{
  static const unsigned cs[] = { 1, 2, 4, 16 };
  static const unsigned payloads[] = { 64, 65536, 1048576 };
  csv_t c;
  size_t i, k, p;

  csv_init(&c);
  cell(&c, "cpu.hash", "serial", "inproc", 1, 0, 5, 10000, 100, 0.04, 2000, "ok");
  cell(&c, "io.sleep", "serial", "inproc", 1, 0, 5, 950, 1050, 0.01, 2000, "ok");
  cell(&c, "life.idle", "serial", "inproc", 1, 0, 5, 10, 100000, 0.001, 2000, "ok");
  cell(&c, "fault.crash", "serial", "inproc", 1, 0, 3, 0, 0, 0, 0, "crashed");
  for (p = 0; p < CBT_ARRAY_SIZE(payloads); p++)
    cell(&c, "comm.payload", "serial", "inproc", 1, payloads[p], 5,
         2e6 / (1 + payloads[p] / 4096.0), 2, 0.2, 3000, "ok");
  for (i = 0; i < CBT_ARRAY_SIZE(runners); i++) {
    const char *rn = runners[i][0], *tr = runners[i][1];
    int proc = strcmp(rn, "processes") == 0;
    for (k = 0; k < CBT_ARRAY_SIZE(cs); k++) {
      unsigned n = cs[k];
      double par = n < 8 ? n : 8;
      cell(&c, "cpu.hash", rn, tr, n, 0, 5, 10000 * par * (0.9 + 0.03 * (double)i), 100 * n / par,
           0.04 * (1 + 0.1 * (double)i), 2000 + (proc ? 900.0 * n : 64.0 * n), "ok");
      cell(&c, "io.sleep", rn, tr, n, 0, 5, 950 * n * (1 - 0.02 * (double)i), 1050 + 10.0 * n,
           0.01 * n * (proc ? 3 : 1), 2000 + (proc ? 900.0 * n : 64.0 * n), "ok");
      cell(&c, "life.idle", rn, tr, n, 0, 5, 10.0 * n, 100000,
           0.001 * n, 2000 + (proc ? 600.0 * n : strcmp(rn, "eventloop") == 0 ? 8.0 * n : 72.0 * n),
           "ok");
      cell(&c, "fault.crash", rn, tr, n, 0, 3, 5000 * par, 50, 0.01, 3000,
           proc ? "ok" : "crashed");
      for (p = 0; p < CBT_ARRAY_SIZE(payloads); p++)
        cell(&c, "comm.payload", rn, tr, n, payloads[p], 5,
             2e6 * par / (1 + payloads[p] / (proc ? (strcmp(tr, "shm") == 0 ? 16384.0 : 2048.0)
                                                 : 65536.0)),
             2 + payloads[p] / 1e5, 0.2 * par, 3000 + 100.0 * n, "ok");
    }
  }
  return c.text;
}

/* threads and processes only, no serial: no speedup, memory or payload. */
static char *missing_runners_csv(void)
{
  static const unsigned cs[] = { 1, 2, 8 };
  csv_t c;
  size_t k;

  csv_init(&c);
  for (k = 0; k < CBT_ARRAY_SIZE(cs); k++) {
    cell(&c, "cpu.hash", "threads", "inproc", cs[k], 0, 5, 9000.0 * cs[k], 110, 0.05, 2000, "ok");
    cell(&c, "cpu.hash", "processes", "pipe", cs[k], 0, 5, 9500.0 * cs[k], 105, 0.05, 3000, "ok");
  }
  return c.text;
}

/* Every runner at c = 1 only. */
static char *single_concurrency_csv(void)
{
  csv_t c;
  size_t i;

  csv_init(&c);
  cell(&c, "io.sleep", "serial", "inproc", 1, 0, 5, 950, 1050, 0.01, 2000, "ok");
  for (i = 0; i < CBT_ARRAY_SIZE(runners); i++)
    cell(&c, "io.sleep", runners[i][0], runners[i][1], 1, 0, 5, 940 - 10.0 * (double)i,
         1060, 0.01, 2000, "ok");
  return c.text;
}

/* Four cells, six trials each; with `slower`, threads at c = 2 lose 40%. */
static char *compare_csv(int slower, uint64_t seed)
{
  csv_t c;

  csv_init(&c);
  c.rng = seed;
  cell(&c, "cpu.hash", "threads", "inproc", 1, 0, 6, 10000, 100, 0.04, 2000, "ok");
  cell(&c, "cpu.hash", "threads", "inproc", 2, 0, 6, slower ? 12000 : 20000, 100, 0.08, 2000,
       "ok");
  cell(&c, "cpu.hash", "processes", "pipe", 1, 0, 6, 9800, 100, 0.04, 3000, "ok");
  cell(&c, "cpu.hash", "processes", "pipe", 2, 0, 6, 19600, 100, 0.08, 4000, "ok");
  return c.text;
}

static int have_gnuplot(void)
{
  char path[4096];

  return cb_plot_find_gnuplot(path, sizeof(path)) == 0;
}

/* ---- checking charts --------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* DIR/NAME.png is a PNG of a talk-sized canvas with something drawn on it;
 * DIR/NAME.svg a complete SVG document that holds `title`. */
static void check_chart(const char *dir, const char *name, const char *title)
{
  static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  char path[2048];
  unsigned char *png;
  char *svg, *start;
  size_t len;

  snprintf(path, sizeof(path), "%s/%s.png", dir, name);
  png = (unsigned char *)cbt_try_slurp_path(path, &len);
  if (png == NULL)
    fail_msg("%s: missing", path);
  if (len < 33 || memcmp(png, sig, sizeof(sig)) != 0 || memcmp(png + 12, "IHDR", 4) != 0)
    fail_msg("%s: not a PNG", path);
  if (be32(png + 16) < 1000 || be32(png + 20) < 600)
    fail_msg("%s: %ux%u pixels, expected a talk-sized canvas", path, be32(png + 16),
             be32(png + 20));
  /* A blank 1280x720 canvas compresses to about 4 KB; a chart with its
   * text, axes and lines is several times that. */
  if (len < 12000)
    fail_msg("%s: only %zu bytes: is anything drawn?", path, len);
  free(png);

  snprintf(path, sizeof(path), "%s/%s.svg", dir, name);
  svg = cbt_try_slurp_path(path, &len);
  if (svg == NULL)
    fail_msg("%s: missing", path);
  start = svg + strspn(svg, " \t\r\n");
  if (strncmp(start, "<?xml", 5) != 0 && strncmp(start, "<svg", 4) != 0)
    fail_msg("%s: does not start like an SVG document", path);
  if (strstr(svg, "</svg>") == NULL)
    fail_msg("%s: no closing </svg>", path);
  if (title != NULL && strstr(svg, title) == NULL)
    fail_msg("%s: the title '%s' is not in it", path, title);
  free(svg);
}

static void check_no_chart(const char *dir, const char *name)
{
  char path[2048];

  snprintf(path, sizeof(path), "%s/%s.png", dir, name);
  if (cbt_exists(path))
    fail_msg("%s: drawn, but it has no data", path);
}

/* ---- the numbers a chart draws ----------------------------------------- */

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

/* Write `text` as DIR/NAME and plot it into DIR/charts. */
static void plot_file(const char *dir, const char *name, char *text, cbt_result_t *r)
{
  char csv[1024], out[1024];
  const char *argv[] = { "plot", csv, "-o", out, NULL };

  snprintf(csv, sizeof(csv), "%s/%s", dir, name);
  snprintf(out, sizeof(out), "%s/charts", dir);
  cbt_write_file(csv, text);
  free(text);
  cbt_run(NULL, argv, r);
}

/* ---- unit tests -------------------------------------------------------- */

static void test_gp_quote(void **state)
{
  cb_buf_t b = { 0 };

  (void)state;
  assert_int_equal(cb_gp_quote(&b, "/tmp/it's; a \"dir\" #1"), 0);
  cb_buf_put(&b, "", 1);
  assert_string_equal(b.data, "'/tmp/it''s; a \"dir\" #1'");
  cb_buf_free(&b);
  assert_int_equal(cb_gp_quote(&b, "a\nb"), -EINVAL);
  assert_int_equal(b.len, 0);
  assert_int_equal(cb_gp_quote(&b, "tab\there"), -EINVAL);
  cb_buf_free(&b);
}

static void test_palette(void **state)
{
  static const char *const names[] = { "serial", "threads", "processes", "processes/shm",
                                       "eventloop" };
  cb_plot_style_t s[CBT_ARRAY_SIZE(names)], again, gil, other1, other2;
  size_t i, j;

  (void)state;
  for (i = 0; i < CBT_ARRAY_SIZE(names); i++) {
    cb_plot_style(names[i], &s[i]);
    assert_int_equal(s[i].color[0], '#');
    assert_int_equal(strlen(s[i].color), 7);
    assert_int_equal(s[i].dash, 1);
    for (j = 0; j < i; j++) {
      assert_string_not_equal(s[i].color, s[j].color);
      assert_int_not_equal(s[i].point, s[j].point);
    }
    if (i > 0)
      assert_true(cb_plot_rank(names[i - 1]) < cb_plot_rank(names[i]));
  }
  cb_plot_style("threads", &again);
  assert_string_equal(again.color, s[1].color);
  /* A GIL variant keeps its runner's colour, dashed. */
  cb_plot_style("threads+gil", &gil);
  assert_string_equal(gil.color, s[1].color);
  assert_int_not_equal(gil.dash, 1);
  /* Any other contestant: a fixed colour of its own name. */
  cb_plot_style("fibers", &other1);
  cb_plot_style("fibers", &other2);
  assert_string_equal(other1.color, other2.color);
  assert_true(cb_plot_rank("fibers") > cb_plot_rank("eventloop"));
}

/* Every runner of the registry is drawn in its own styles (cb_runner_t.styles,
 * one per transport: "R" its first, "R/T" the others), ranked in registry
 * order, so that a new runner needs no edit of plot/; a contestant without
 * a style of its runner's (another build's runner, a dispatch mode, a
 * transport the runner lacks) comes after them all in a colour of its own
 * name. */
static void test_palette_traits(void **state)
{
  static const char *const others[] = { "fibers", "threads/shm", "processes/roundtrip",
                                        "processes/shm/queue" };
  cb_plot_style_t st, gil, again;
  char name[64], with_gil[80];
  int last = -1;
  size_t i, t;

  (void)state;
  for (i = 0; i < cb_runners_count; i++) {
    const cb_runner_t *r = cb_runners[i];
    assert_non_null(r->styles);
    for (t = 0; r->transports[t] != NULL; t++) {
      if (t == 0)
        snprintf(name, sizeof(name), "%s", r->name);
      else
        snprintf(name, sizeof(name), "%s/%s", r->name, r->transports[t]);
      snprintf(with_gil, sizeof(with_gil), "%s+gil", name);
      cb_plot_style(name, &st);
      assert_string_equal(st.color, r->styles[t].color);
      assert_int_equal(st.point, r->styles[t].point);
      assert_int_equal(st.dash, 1);
      cb_plot_style(with_gil, &gil);
      assert_string_equal(gil.color, r->styles[t].color);
      assert_int_equal(gil.point, r->styles[t].point - 1);
      assert_int_equal(gil.dash, 2);
      assert_true(cb_plot_rank(name) > last);
      assert_int_equal(cb_plot_rank(with_gil), cb_plot_rank(name) + 1);
      last = cb_plot_rank(with_gil);
    }
  }
  for (i = 0; i < CBT_ARRAY_SIZE(others); i++) {
    cb_plot_style(others[i], &st);
    cb_plot_style(others[i], &again);
    assert_string_equal(st.color, again.color);
    assert_int_equal(st.point, 15);
    assert_int_equal(st.dash, 1);
    assert_true(cb_plot_rank(others[i]) > last);
  }
}

static void test_latest(void **state)
{
  char dir[512], path[1024], got[1024];
  struct timespec t[2] = { { 1000, 0 }, { 1000, 0 } };
  static const char *const files[] = { "concbench-a.csv", "concbench-b.csv",
                                       "concbench-b.summary.csv", "other.csv" };
  size_t i;

  (void)state;
  cbt_make_dir(dir, sizeof(dir), "plot");
  assert_int_equal(cb_plot_latest(dir, got, sizeof(got)), -ENOENT);
  for (i = 0; i < CBT_ARRAY_SIZE(files); i++) {
    snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
    cbt_write_file(path, header);
    t[0].tv_sec = t[1].tv_sec = 1000 + 100 * (time_t)i;
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
  }
  assert_int_equal(cb_plot_latest(dir, got, sizeof(got)), 0);
  snprintf(path, sizeof(path), "%s/concbench-b.csv", dir);
  assert_string_equal(got, path);
  cbt_remove_tree(dir);
}

/* ---- the command --------------------------------------------------------- */

static void test_every_chart(void **state)
{
  static const char *const workloads[] = { "cpu.hash", "io.sleep", "comm.payload", "life.idle",
                                            "fault.crash" };
  char dir[512], charts[1024], name[256], title[256], path[2048];
  cbt_result_t r = { 0 };
  size_t i;

  (void)state;
  if (!have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  plot_file(dir, "rich.csv", rich_csv(), &r);
  cbt_expect_exit(&r, 0, "plot rich.csv");
  snprintf(charts, sizeof(charts), "%s/charts", dir);
  for (i = 0; i < CBT_ARRAY_SIZE(workloads); i++) {
    /* comm.payload has three variants: the main one (most cells, then the
     * smallest payload) keeps the plain name. */
    snprintf(name, sizeof(name), "scaling-%s", workloads[i]);
    snprintf(title, sizeof(title), "%s: throughput vs concurrency", workloads[i]);
    check_chart(charts, name, title);
    snprintf(name, sizeof(name), "latency-%s", workloads[i]);
    check_chart(charts, name, "task latency p50 and p99");
    snprintf(name, sizeof(name), "efficiency-%s", workloads[i]);
    check_chart(charts, name, "tasks per CPU-second");
    snprintf(name, sizeof(name), "speedup-%s", workloads[i]);
    if (strcmp(workloads[i], "fault.crash") != 0)
      check_chart(charts, name, "speedup over serial");
    else
      check_no_chart(charts, name);
  }
  check_chart(charts, "scaling-comm.payload-payload65536", "(payload 64 KiB)");
  check_chart(charts, "scaling-comm.payload-payload1048576", "(payload 1 MiB)");
  check_chart(charts, "memory", "Memory of c idle workers (life.idle)");
  check_chart(charts, "payload", "comm.payload: data moved vs payload size");
  check_chart(charts, "winners", "Who wins");
  /* The machine and the date are in every subtitle; the crashes in a note. */
  check_chart(charts, "scaling-fault.crash", "no ok trial (crashed)");
  check_chart(charts, "scaling-cpu.hash", "2026-11-22");
  check_chart(charts, "winners", "Test CPU");
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
  if (!have_gnuplot())
    skip();
  csv_init(&c);
  for (i = 0; i < CBT_ARRAY_SIZE(who); i++)
    for (k = 0; k < CBT_ARRAY_SIZE(shares); k++)
      for (rep = 0; rep < 3; rep++)
        put(&c, "run-1,2026-11-22T10:%02u:00Z,testhost,Test CPU,8,4,Linux 6.1,gcc 12,0.1.0,abc,"
                "release,mix.sleep,mix,%s,%s,compact,64,64,400,%u,0,%u,%.6g,%.6g,10,20,0.1,0,1,"
                "1,1000,0,1,ok,0.001,0.001,0,1,\n",
            rep, who[i][0], who[i][1], shares[k], rep, 400 / tp[i][k],
            tp[i][k] * (1 + 0.001 * rep));
  cbt_make_dir(dir, sizeof(dir), "plot");
  plot_file(dir, "mix.csv", c.text, &r);
  cbt_expect_exit(&r, 0, "plot mix.csv");
  snprintf(charts, sizeof(charts), "%s/charts", dir);
  check_chart(charts, "share-mix.sleep-c64", "mix.sleep: throughput vs CPU share per task (c = "
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
  check_no_chart(charts, "scaling-mix.sleep");
  check_no_chart(charts, "scaling-mix.sleep-size10");
  check_no_chart(charts, "winners");
  if (strstr(r.err, "skipped scaling-, speedup-, latency- and efficiency-mix.sleep: mixed work "
                    "is drawn against its CPU share (share-W-cN)") == NULL ||
      strstr(r.err, "skipped winners: only mixed work") == NULL)
    fail_msg("no word of the charts left out: %s", r.err);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

static void test_missing_runners(void **state)
{
  static const char *const skipped[] = { "skipped speedup-cpu.hash", "skipped memory",
                                         "skipped payload" };
  char dir[512], charts[1024];
  cbt_result_t r = { 0 };
  size_t i;

  (void)state;
  if (!have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  plot_file(dir, "two.csv", missing_runners_csv(), &r);
  cbt_expect_exit(&r, 0, "plot two.csv");
  snprintf(charts, sizeof(charts), "%s/charts", dir);
  check_chart(charts, "scaling-cpu.hash", "cpu.hash: throughput vs concurrency");
  check_chart(charts, "latency-cpu.hash", NULL);
  check_chart(charts, "efficiency-cpu.hash", NULL);
  check_chart(charts, "winners", "Who wins");
  check_no_chart(charts, "speedup-cpu.hash");
  check_no_chart(charts, "memory");
  check_no_chart(charts, "payload");
  for (i = 0; i < CBT_ARRAY_SIZE(skipped); i++) {
    if (strstr(r.err, skipped[i]) == NULL)
      fail_msg("stderr does not say '%s': %s", skipped[i], r.err);
  }
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

static void test_single_concurrency(void **state)
{
  char dir[512], charts[1024];
  cbt_result_t r = { 0 };

  (void)state;
  if (!have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  plot_file(dir, "one.csv", single_concurrency_csv(), &r);
  cbt_expect_exit(&r, 0, "plot one.csv");
  snprintf(charts, sizeof(charts), "%s/charts", dir);
  check_chart(charts, "scaling-io.sleep", "io.sleep: throughput vs concurrency");
  check_chart(charts, "speedup-io.sleep", "ideal: c");
  check_chart(charts, "latency-io.sleep", NULL);
  check_chart(charts, "efficiency-io.sleep", NULL);
  check_chart(charts, "winners", NULL);
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
  if (!have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  snprintf(base, sizeof(base), "%s/base.csv", dir);
  snprintf(new_, sizeof(new_), "%s/new.csv", dir);
  snprintf(out, sizeof(out), "%s/cmp", dir);
  data = compare_csv(0, 1);
  cbt_write_file(base, data);
  free(data);
  data = compare_csv(1, 2);
  cbt_write_file(new_, data);
  free(data);
  cbt_run(NULL, argv, &r);
  cbt_expect_exit(&r, 0, "plot --compare");
  check_chart(out, "compare", "Compare: NEW / BASE median throughput");
  check_chart(out, "compare", "1 slower (regressions)");
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

/* Quotes, a semicolon and a hash in the output directory's name reach
 * gnuplot intact (gnuplot reads it inside a quoted string). */
static void test_quoted_directory(void **state)
{
  char dir[512], csv[1024], out[1024];
  const char *argv[] = { "plot", csv, "-o", out, "-q", NULL };
  cbt_result_t r = { 0 };
  char *text;

  (void)state;
  if (!have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  snprintf(csv, sizeof(csv), "%s/one.csv", dir);
  snprintf(out, sizeof(out), "%s/it's \"here\"; #1", dir);
  text = single_concurrency_csv();
  cbt_write_file(csv, text);
  free(text);
  cbt_run(NULL, argv, &r);
  cbt_expect_exit(&r, 0, "plot -o with quotes");
  check_chart(out, "scaling-io.sleep", NULL);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

/* A directory as input: its newest trial CSV, charts beside it. */
static void test_directory_input(void **state)
{
  char dir[512], csv[1024], charts[1024];
  const char *argv[] = { "plot", dir, "-q", NULL };
  cbt_result_t r = { 0 };
  char *text;

  (void)state;
  if (!have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  snprintf(csv, sizeof(csv), "%s/concbench-20261122T100000Z-0.csv", dir);
  text = single_concurrency_csv();
  cbt_write_file(csv, text);
  free(text);
  cbt_run(NULL, argv, &r);
  cbt_expect_exit(&r, 0, "plot DIR");
  snprintf(charts, sizeof(charts), "%s/concbench-20261122T100000Z-0-charts", dir);
  check_chart(charts, "scaling-io.sleep", NULL);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

/* Bad input exits 2 naming the file and the line, and creates nothing. */
static void test_bad_input(void **state)
{
  static const struct {
    const char *text;
    const char *line;
  } cases[] = {
    { "", "line 1" },
    { header, "line 2" },
    { "a,b\n1,2\n3\n", "line 3" },
    { "a,b\n\"open,2\n", "line 2" },
  };
  char dir[512], csv[1024], needle[1200], listing[256];
  const char *argv[] = { "plot", csv, NULL };
  cbt_result_t r = { 0 };
  struct dirent *e;
  size_t i, n;
  DIR *d;

  (void)state;
  cbt_make_dir(dir, sizeof(dir), "plot");
  snprintf(csv, sizeof(csv), "%s/bad.csv", dir);
  for (i = 0; i < CBT_ARRAY_SIZE(cases); i++) {
    cbt_write_file(csv, cases[i].text);
    cbt_run(NULL, argv, &r);
    cbt_expect_exit(&r, 2, cases[i].line);
    snprintf(needle, sizeof(needle), "%s: %s", csv, cases[i].line);
    if (strstr(r.err, needle) == NULL)
      fail_msg("case %zu: stderr does not name '%s': %s", i, needle, r.err);
    cbt_result_free(&r);
  }
  /* A number that is not one, in a complete file. */
  {
    char text[2048];
    snprintf(text, sizeof(text), "%s%s", header,
             "r,2026-11-22T10:00:00Z,h,cpu,2,2,k,cc,0.1.0,x,release,io.sleep,io,threads,"
             "inproc,compact,1,1,10,1000,0,0,0.01,abc,1000,1100,0.001,0,1,1,2000,0,1,ok,"
             "0,0,0,1,\n");
    cbt_write_file(csv, text);
    cbt_run(NULL, argv, &r);
    cbt_expect_exit(&r, 2, "non-number");
    snprintf(needle, sizeof(needle), "%s: line 2: throughput 'abc'", csv);
    if (strstr(r.err, needle) == NULL)
      fail_msg("stderr does not name the line of the bad number: %s", r.err);
    cbt_result_free(&r);
  }
  /* Nothing but the input in the directory. */
  d = opendir(dir);
  assert_non_null(d);
  for (n = 0; (e = readdir(d)) != NULL;) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
      snprintf(listing, sizeof(listing), "%s", e->d_name);
      n++;
    }
  }
  closedir(d);
  assert_int_equal(n, 1);
  assert_string_equal(listing, "bad.csv");
  cbt_remove_tree(dir);
}

/* Without gnuplot: exit 1, a message that says so, no directory made. */
static void test_missing_gnuplot(void **state)
{
  static const char *const envs[][2] = {
    { "CONCBENCH_GNUPLOT=/nonexistent/gnuplot", NULL },
    { "PATH=/nonexistent-dir", NULL },
  };
  static const char *const msgs[] = {
    "concbench plot: gnuplot '/nonexistent/gnuplot' (CONCBENCH_GNUPLOT) is not an executable "
    "program\n",
    "concbench plot: gnuplot not found in PATH: install it (Debian: apt-get install "
    "gnuplot-nox) or set CONCBENCH_GNUPLOT\n",
  };
  char dir[512], csv[1024], out[1024];
  const char *argv[] = { "plot", csv, "-o", out, NULL };
  cbt_result_t r = { 0 };
  char *text;
  size_t i;

  (void)state;
  cbt_make_dir(dir, sizeof(dir), "plot");
  snprintf(csv, sizeof(csv), "%s/one.csv", dir);
  snprintf(out, sizeof(out), "%s/charts", dir);
  text = single_concurrency_csv();
  cbt_write_file(csv, text);
  free(text);
  for (i = 0; i < CBT_ARRAY_SIZE(envs); i++) {
    const char *env[] = { envs[i][0], "CONCBENCH_GNUPLOT=", NULL };
    if (i == 0)
      env[1] = NULL;
    cbt_run(&(cbt_spawn_t){ .env = env }, argv, &r);
    cbt_expect_exit(&r, 1, envs[i][0]);
    if (strcmp(r.err, msgs[i]) != 0)
      fail_msg("%s: stderr '%s', expected '%s'", envs[i][0], r.err, msgs[i]);
    if (cbt_exists(out))
      fail_msg("%s: created %s without gnuplot", envs[i][0], out);
    cbt_result_free(&r);
  }
  cbt_remove_tree(dir);
}

static void test_usage(void **state)
{
  static const char *const cases[][4] = {
    { "plot", NULL },
    { "plot", "a.csv", "b.csv", NULL },
    { "plot", "--compare", "a.csv", NULL },
    { "plot", "--bogus", "a.csv", NULL },
    { "plot", "/nonexistent/x.csv", NULL },
  };
  cbt_result_t r = { 0 };
  size_t i;

  (void)state;
  for (i = 0; i < CBT_ARRAY_SIZE(cases); i++) {
    cbt_run(NULL, cases[i], &r);
    cbt_expect_exit(&r, 2, cases[i][1] != NULL ? cases[i][1] : "plot");
    if (strncmp(r.err, "concbench plot: ", 16) != 0)
      fail_msg("case %zu: %s", i, r.err);
    cbt_result_free(&r);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_gp_quote),
    cmocka_unit_test(test_palette),
    cmocka_unit_test(test_palette_traits),
    cmocka_unit_test(test_latest),
    cmocka_unit_test(test_usage),
    cmocka_unit_test(test_bad_input),
    cmocka_unit_test(test_missing_gnuplot),
    cmocka_unit_test(test_every_chart),
    cmocka_unit_test(test_share_chart),
    cmocka_unit_test(test_missing_runners),
    cmocka_unit_test(test_single_concurrency),
    cmocka_unit_test(test_compare_chart),
    cmocka_unit_test(test_quoted_directory),
    cmocka_unit_test(test_directory_input),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
