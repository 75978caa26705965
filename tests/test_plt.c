/* The plot tests' shared fixtures (test_plt.h): trial CSVs from a fixed
 * pseudo-random sequence, and the check that a chart is a whole PNG or SVG,
 * written once so that each test_plot*.c holds only what it checks. */
#include "test_plt.h"

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

const char plt_header[] =
    "run_id,timestamp,host,cpu_model,pus,cores,kernel,compiler,concbench_version,"
    "git_revision,build_type,workload,family,runner,transport,pin,concurrency,workers,"
    "tasks,size,payload,rep,wall_s,throughput,lat_p50_us,lat_p99_us,user_s,sys_s,vcsw,"
    "ivcsw,maxrss_kb,failed,verified,status,startup_s,teardown_s,pin_wrap,seed,message\n";

void plt_put(csv_t *c, const char *fmt, ...)
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

void plt_csv_init(csv_t *c)
{
  memset(c, 0, sizeof(*c));
  c->rng = 0x9e3779b97f4a7c15u;
  plt_put(c, "%s", plt_header);
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
    plt_put(c, "run-1,2026-11-22T10:%02u:00Z,testhost,\"Test CPU 'x' \"\"8-core\"\", v2\",8,4,"
               "Linux 6.1,gcc 12,0.1.0,abc,release,%s,%s,%s,%s,compact,%u,%u,%u,1000,%u,%u,",
            r, workload, family, runner, transport, conc, conc, tasks, payload, r);
    if (ok)
      plt_put(c, "%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,10,2,%.0f,%u,1,ok,0.001,0.001,0,1,\n", wall, t, l,
              3 * l, cpu_s * jitter(c, 0.03), cpu_s / 10, rss_kb * jitter(c, 0.01),
              strcmp(workload, "fault.crash") == 0 ? r + 1 : 0); /* a process pool loses tasks */
    else
      plt_put(c, "0,0,0,0,0,0,0,0,0,%u,0,%s,0,0,0,1,the trial process died of signal 11\n", tasks,
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
char *plt_rich_csv(void)
{
  static const unsigned cs[] = { 1, 2, 4, 16 };
  static const unsigned payloads[] = { 64, 65536, 1048576 };
  csv_t c;
  size_t i, k, p;

  plt_csv_init(&c);
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
char *plt_missing_runners_csv(void)
{
  static const unsigned cs[] = { 1, 2, 8 };
  csv_t c;
  size_t k;

  plt_csv_init(&c);
  for (k = 0; k < CBT_ARRAY_SIZE(cs); k++) {
    cell(&c, "cpu.hash", "threads", "inproc", cs[k], 0, 5, 9000.0 * cs[k], 110, 0.05, 2000, "ok");
    cell(&c, "cpu.hash", "processes", "pipe", cs[k], 0, 5, 9500.0 * cs[k], 105, 0.05, 3000, "ok");
  }
  return c.text;
}

/* Every runner at c = 1 only. */
char *plt_single_concurrency_csv(void)
{
  csv_t c;
  size_t i;

  plt_csv_init(&c);
  cell(&c, "io.sleep", "serial", "inproc", 1, 0, 5, 950, 1050, 0.01, 2000, "ok");
  for (i = 0; i < CBT_ARRAY_SIZE(runners); i++)
    cell(&c, "io.sleep", runners[i][0], runners[i][1], 1, 0, 5, 940 - 10.0 * (double)i,
         1060, 0.01, 2000, "ok");
  return c.text;
}

/* Four cells, six trials each; with `slower`, threads at c = 2 lose 40%. */
char *plt_compare_csv(int slower, uint64_t seed)
{
  csv_t c;

  plt_csv_init(&c);
  c.rng = seed;
  cell(&c, "cpu.hash", "threads", "inproc", 1, 0, 6, 10000, 100, 0.04, 2000, "ok");
  cell(&c, "cpu.hash", "threads", "inproc", 2, 0, 6, slower ? 12000 : 20000, 100, 0.08, 2000,
       "ok");
  cell(&c, "cpu.hash", "processes", "pipe", 1, 0, 6, 9800, 100, 0.04, 3000, "ok");
  cell(&c, "cpu.hash", "processes", "pipe", 2, 0, 6, 19600, 100, 0.08, 4000, "ok");
  return c.text;
}

int plt_have_gnuplot(void)
{
  char path[4096];

  return cb_plot_find_gnuplot(path, sizeof(path)) == 0;
}

static uint32_t be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* DIR/NAME.png is a PNG of a talk-sized canvas with something drawn on it;
 * DIR/NAME.svg a complete SVG document that holds `title`. */
void plt_check_chart(const char *dir, const char *name, const char *title)
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

void plt_check_no_chart(const char *dir, const char *name)
{
  char path[2048];

  snprintf(path, sizeof(path), "%s/%s.png", dir, name);
  if (cbt_exists(path))
    fail_msg("%s: drawn, but it has no data", path);
}

/* Write `text` as DIR/NAME and plot it into DIR/charts. */
void plt_plot_file(const char *dir, const char *name, char *text, cbt_result_t *r)
{
  char csv[1024], out[1024];
  const char *argv[] = { "plot", csv, "-o", out, NULL };

  snprintf(csv, sizeof(csv), "%s/%s", dir, name);
  snprintf(out, sizeof(out), "%s/charts", dir);
  cbt_write_file(csv, text);
  free(text);
  cbt_run(NULL, argv, r);
}
