/* Tests of `concbench compare` (analysis/compare.c, cli/cmd_compare.c): the
 * exit codes and messages of the command, run as a binary ($CONCBENCH) with
 * fork+execv, never through a shell, on trial CSVs that each test writes
 * into a fresh mkdtemp directory; and the arithmetic of the smallest
 * attainable p-value, called directly. Samples are built from a fixed
 * pseudo-random sequence, so every run sees the same files. */
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
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "common.h"
#include "compare.h"
#include "table.h"


/* The columns of a trial CSV (docs/SCHEMA.md), as `concbench run` writes them. */
static const char header[] =
    "run_id,timestamp,host,cpu_model,pus,cores,kernel,compiler,concbench_version,"
    "git_revision,build_type,workload,family,runner,transport,pin,concurrency,workers,"
    "tasks,size,payload,rep,wall_s,throughput,lat_p50_us,lat_p99_us,user_s,sys_s,vcsw,"
    "ivcsw,maxrss_kb,failed,verified,status,startup_s,teardown_s,pin_wrap,seed,message\n";

/* ---- fixtures ---------------------------------------------------------- */

/* A deterministic generator (splitmix64) for noise. */
static uint64_t rng_state;

static double uniform(double lo, double hi)
{
  uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  z ^= z >> 31;
  return lo + (hi - lo) * (double)(z >> 11) / 9007199254740992.0;
}

/* n samples around `center`, spread uniformly by +-noise (a fraction). */
static void noisy(double *v, size_t n, double center, double noise)
{
  size_t i;

  for (i = 0; i < n; i++)
    v[i] = center * (1 + uniform(-noise, noise));
}

typedef struct cell_s {
  const char *host, *workload, *runner, *transport;
  unsigned c;
  const double *tp;  /* throughput of each ok trial */
  size_t n;
  unsigned crashed;  /* extra trials that crashed */
  const char *size;  /* NULL: 2000 */
  const double *lat99, *rss; /* lat_p99_us and maxrss_kb of each ok trial; NULL: 20, 3000 */
} cell_t;

/* The CPU model of the rows written: what tells machines apart (the host
 * name does not). */
static const char *cpu_model = "Test CPU";

static FILE *csv_open(const cbt_dir_t *d, const char *name, char *path, size_t len)
{
  FILE *f;

  cbt_dir_file(d, name, path, len);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(header, f);
  return f;
}

static void csv_cell(FILE *f, const cell_t *c)
{
  const unsigned tasks = 1000;
  char family[32];
  size_t i;

  snprintf(family, sizeof(family), "%.*s", (int)strcspn(c->workload, "."), c->workload);
  for (i = 0; i < c->n + c->crashed; i++) {
    int ok = i < c->n;
    double tp = ok ? c->tp[i] : 0;
    fprintf(f, "20260101T000000Z-00000000,2026-01-01T00:00:00.000Z,%s,%s,2,2,Linux 6.1,"
               "gcc 12.2.0,0.1.0,abc,release,%s,%s,%s,%s,compact,%u,%u,%u,%s,0,%zu,"
               "%.17g,%.17g,10,%.17g,0.1,0.01,1,2,%.17g,0,%d,%s,0.0001,0.0001,0,1,%s\n",
            c->host, cpu_model, c->workload, family, c->runner, c->transport, c->c, c->c, tasks,
            c->size != NULL ? c->size : "2000", i,
            ok ? tasks / tp : 0, tp, ok && c->lat99 != NULL ? c->lat99[i] : 20,
            ok && c->rss != NULL ? c->rss[i] : 3000, ok, ok ? "ok" : "crashed",
            ok ? "" : "trial process killed by signal 11 (Segmentation fault)");
  }
}

static void put_sized(FILE *f, const char *host, const char *workload, const char *runner,
                      const char *transport, unsigned c, const double *tp, size_t n,
                      unsigned crashed, const char *size)
{
  cell_t x;

  x.host = host;
  x.workload = workload;
  x.runner = runner;
  x.transport = transport;
  x.c = c;
  x.tp = tp;
  x.n = n;
  x.crashed = crashed;
  x.size = size;
  x.lat99 = x.rss = NULL;
  csv_cell(f, &x);
}

static void put_cell(FILE *f, const char *host, const char *workload, const char *runner,
                     const char *transport, unsigned c, const double *tp, size_t n,
                     unsigned crashed)
{
  put_sized(f, host, workload, runner, transport, c, tp, n, crashed, NULL);
}

static void csv_close(FILE *f)
{
  assert_int_equal(fclose(f), 0);
}

/* ---- running the binary ---------------------------------------------- */

/* ---- fixture sets ------------------------------------------------------- */

#define REPS 9

/* The samples write_run wrote last, per cell. */
static double last_run[3][32];

/* Two cells of cpu.hash (serial, threads c:2) and one of io.sleep, REPS
 * samples each with +-noise, on `host`; `scale[i]` multiplies cell i. */
static void write_run(const cbt_dir_t *d, const char *name, char *path, size_t len,
                      const char *host, double noise, const double scale[3], size_t reps)
{
  static const char *const workload[] = { "cpu.hash", "cpu.hash", "io.sleep" };
  static const char *const runner[] = { "serial", "threads", "threads" };
  static const unsigned conc[] = { 1, 2, 2 };
  static const double center[] = { 100000, 190000, 1900 };
  FILE *f = csv_open(d, name, path, len);
  double v[32];
  size_t i;

  assert_true(reps <= CBT_ARRAY_SIZE(v));
  for (i = 0; i < CBT_ARRAY_SIZE(workload); i++) {
    noisy(v, reps, center[i] * scale[i], noise);
    memcpy(last_run[i], v, reps * sizeof(v[0]));
    put_cell(f, host, workload[i], runner[i], "inproc", conc[i], v, reps, 0);
  }
  csv_close(f);
}

static const double same[3] = { 1, 1, 1 };

/* ---- tests ------------------------------------------------------------ */

static void test_identical_runs(void **state)
{
  char a[600];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  rng_state = 1;
  cbt_dir_make(&d, "compare");
  write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.01, same, REPS);
  cbt_run_in(&d, &r, "compare", a, a, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "3 cells compared: 0 slower (regressions), 0 faster, 3 unchanged", "stdout");
  cbt_expect_in(r.out, "metric: throughput", "stdout");
  if (strstr(r.out, "REGRESSION") != NULL)
    fail_msg("identical runs show a regression:\n%s", r.out);
  assert_int_equal(strlen(r.err), 0);
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

static void test_twenty_percent_slower(void **state)
{
  static const double slow[3] = { 1, 0.8, 1 };
  char a[600], b[600], line[512];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  rng_state = 2;
  cbt_dir_make(&d, "compare");
  write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.02, same, REPS);
  write_run(&d, "b.csv", b, sizeof(b), "hostA", 0.02, slow, REPS);
  cbt_run_in(&d, &r, "compare", a, b, NULL);
  cbt_expect_code(&r, 1);
  cbt_line_of(r.out, "cpu.hash/threads/c:2/pin:compact ", line, sizeof(line));
  cbt_expect_in(line, "slower", "the regressed cell's line");
  cbt_expect_in(line, "REGRESSION", "the regressed cell's line");
  cbt_line_of(r.out, "cpu.hash/serial/c:1/pin:compact ", line, sizeof(line));
  if (strstr(line, "REGRESSION") != NULL)
    fail_msg("an unchanged cell is a regression: %s", line);
  cbt_expect_in(r.err, "regression in 1 cell: cpu.hash/threads/c:2/pin:compact", "stderr");
  cbt_expect_in(r.out, "1 slower (regressions)", "stdout");
  cbt_result_free(&r);

  /* The other way round, the same cell is faster and nothing fails. */
  cbt_run_in(&d, &r, "compare", b, a, NULL);
  cbt_expect_code(&r, 0);
  cbt_line_of(r.out, "cpu.hash/threads/c:2/pin:compact ", line, sizeof(line));
  cbt_expect_in(line, "faster", "the improved cell's line");
  if (strstr(r.out, "REGRESSION") != NULL)
    fail_msg("a faster cell is marked as a regression:\n%s", r.out);
  cbt_expect_in(r.out, "3 cells compared: 0 slower (regressions), 1 faster, 2 unchanged", "stdout");
  assert_int_equal(strlen(r.err), 0);
  cbt_result_free(&r);
  cbt_run_in(&d, &r, "compare", "-f", "json", b, a, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "\"regressions\": 0,\n  \"faster\": 1,", "json");
  if (strstr(r.out, "\"regression\": true") != NULL)
    fail_msg("a faster cell is a regression in JSON:\n%s", r.out);
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

static void test_noise_is_not_a_regression(void **state)
{
  char a[600], b[600];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  rng_state = 3;
  cbt_dir_make(&d, "compare");
  write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.03, same, REPS);
  write_run(&d, "b.csv", b, sizeof(b), "hostA", 0.03, same, REPS);
  cbt_run_in(&d, &r, "compare", a, b, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "0 slower (regressions)", "stdout");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

static void test_threshold(void **state)
{
  static const double slow3[3] = { 1, 0.97, 1 };
  char a[600], b[600], line[512];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  rng_state = 4;
  cbt_dir_make(&d, "compare");
  write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.003, same, REPS);
  write_run(&d, "b.csv", b, sizeof(b), "hostA", 0.003, slow3, REPS);
  cbt_run_in(&d, &r, "compare", "--threshold", "5", a, b, NULL);
  cbt_expect_code(&r, 0);
  cbt_line_of(r.out, "cpu.hash/threads/c:2/pin:compact ", line, sizeof(line));
  cbt_expect_in(line, "unchanged", "a 3% slower cell under a 5% threshold");
  cbt_result_free(&r);
  /* The same 3% is a regression when 1% counts. */
  cbt_run_in(&d, &r, "compare", "--threshold", "1%", a, b, NULL);
  cbt_expect_code(&r, 1);
  cbt_expect_in(r.err, "cpu.hash/threads/c:2/pin:compact", "stderr");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

static void test_too_few_repetitions(void **state)
{
  char a[600], b[600];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  rng_state = 5;
  cbt_dir_make(&d, "compare");
  write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.01, same, 3);
  write_run(&d, "b.csv", b, sizeof(b), "hostA", 0.01, same, 3);
  cbt_run_in(&d, &r, "compare", a, b, NULL);
  cbt_expect_code(&r, 2);
  /* 3 cells: 2 / C(8, 4) * 3 = 0.086, 2 / C(10, 5) * 3 = 0.024 */
  cbt_expect_in(r.err, "too few repetitions: cell cpu.hash/", "stderr");
  cbt_expect_in(r.err, "needs at least 5 per side", "stderr");
  cbt_expect_in(r.err, "--reps 5", "stderr");
  assert_int_equal(strlen(r.out), 0);
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

/* One cell whose p-value is 0.040 (exact, 9 against 9: U = 18) and whose
 * whole interval is below 0.95 (one value of each side sits on the far side
 * of the other's cluster, which moves the ranks but hardly any bootstrap
 * median: the interval's top was at most 0.911 over 200 seeds): a
 * regression when it is the only cell compared, not once 19 more cells make
 * Holm multiply its p-value by 20. */
static void test_holm_changes_the_verdict(void **state)
{
  static const double base[9] = { 80, 100, 101, 102, 103, 104, 105, 106, 107 };
  static const double slow[9] = { 86, 87, 88, 89, 90, 91, 92, 93, 108.5 };
  char a[600], b[600], line[512];
  double v[19][REPS];
  FILE *fa, *fb;
  cbt_result_t r;
  size_t i;
  cbt_dir_t d;

  (void)state;
  rng_state = 6;
  assert_true(fabs(cb_mw_min_p(9, 9) - 2.0 / 48620) < 1e-12);
  cbt_dir_make(&d, "compare");
  fa = csv_open(&d, "alone-a.csv", a, sizeof(a));
  fb = csv_open(&d, "alone-b.csv", b, sizeof(b));
  put_cell(fa, "h", "cpu.fp", "threads", "inproc", 2, base, 9, 0);
  put_cell(fb, "h", "cpu.fp", "threads", "inproc", 2, slow, 9, 0);
  csv_close(fa);
  csv_close(fb);
  cbt_run_in(&d, &r, "compare", a, b, NULL);
  cbt_expect_code(&r, 1);
  cbt_line_of(r.out, "cpu.fp/threads/c:2/pin:compact ", line, sizeof(line));
  cbt_expect_in(line, " 0.04 ", "p-value of the cell alone");
  cbt_expect_in(line, "REGRESSION", "the cell alone");
  cbt_result_free(&r);

  fa = csv_open(&d, "many-a.csv", a, sizeof(a));
  fb = csv_open(&d, "many-b.csv", b, sizeof(b));
  put_cell(fa, "h", "cpu.fp", "threads", "inproc", 2, base, 9, 0);
  put_cell(fb, "h", "cpu.fp", "threads", "inproc", 2, slow, 9, 0);
  for (i = 0; i < CBT_ARRAY_SIZE(v); i++) {
    noisy(v[i], REPS, 1000, 0.01);
    put_cell(fa, "h", "cpu.fp", "processes", "pipe", (unsigned)i + 1, v[i], REPS, 0);
    put_cell(fb, "h", "cpu.fp", "processes", "pipe", (unsigned)i + 1, v[i], REPS, 0);
  }
  csv_close(fa);
  csv_close(fb);
  cbt_run_in(&d, &r, "compare", a, b, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "Holm-adjusted over 20 cells", "stdout");
  cbt_line_of(r.out, "cpu.fp/threads/c:2/pin:compact ", line, sizeof(line));
  cbt_expect_in(line, " 0.04 ", "unadjusted p-value among 20 cells");
  cbt_expect_in(line, " 0.8 ", "Holm-adjusted p-value among 20 cells");
  cbt_expect_in(line, "noisy", "the cell among 20");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

static void test_bad_input(void **state)
{
  char a[600], nocol[600], bad[600], missing[600];
  cbt_result_t r;
  FILE *f;
  cbt_dir_t d;

  (void)state;
  rng_state = 7;
  cbt_dir_make(&d, "compare");
  write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.01, same, REPS);
  cbt_dir_file(&d, "missing.csv", missing, sizeof(missing));

  cbt_run_in(&d, &r, "compare", a, missing, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, missing, "stderr");
  cbt_expect_in(r.err, "No such file", "stderr");
  assert_int_equal(strlen(r.out), 0);
  cbt_result_free(&r);

  cbt_dir_file(&d, "nocol.csv", nocol, sizeof(nocol));
  f = fopen(nocol, "w");
  assert_non_null(f);
  fputs("host,workload,runner,transport,pin,concurrency,tasks,size,payload,status,wall_s\n"
        "h,noop,serial,inproc,compact,1,10,0,0,ok,0.5\n", f);
  csv_close(f);
  cbt_run_in(&d, &r, "compare", nocol, a, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, nocol, "stderr");
  cbt_expect_in(r.err, "missing column 'throughput'", "stderr");
  cbt_result_free(&r);

  cbt_dir_file(&d, "bad.csv", bad, sizeof(bad));
  f = fopen(bad, "w");
  assert_non_null(f);
  fputs(header, f);
  fputs("x,y\n", f); /* line 2: too few fields */
  csv_close(f);
  cbt_run_in(&d, &r, "compare", a, bad, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, "line 2", "stderr");
  cbt_expect_in(r.err, bad, "stderr");
  cbt_result_free(&r);

  /* A number that is not one, on line 3. */
  f = fopen(bad, "w");
  assert_non_null(f);
  fputs(header, f);
  put_cell(f, "h", "noop", "serial", "inproc", 1, (double[]){ 5 }, 1, 0);
  fputs("r,t,h,c,2,2,k,cc,v,g,b,noop,noop,serial,inproc,compact,1,1,10,0,0,1,0.1,fast,1,1,1,1,"
        "1,1,1,0,1,ok,0,0,0,1,\n", f);
  csv_close(f);
  cbt_run_in(&d, &r, "compare", a, bad, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, "line 3: throughput 'fast' is not a number", "stderr");
  cbt_result_free(&r);

  cbt_run_in(&d, &r, "compare", "--alpha", "1.5", a, a, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, "'1.5'", "stderr");
  cbt_result_free(&r);
  cbt_run_in(&d, &r, "compare", "--threshold", "-3", a, a, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, "'-3'", "stderr");
  cbt_result_free(&r);
  cbt_run_in(&d, &r, "compare", "--format", "xml", a, a, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, "'xml'", "stderr");
  cbt_result_free(&r);
  cbt_run_in(&d, &r, "compare", "--export", "csv", a, a, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, "'csv'", "stderr");
  cbt_result_free(&r);
  cbt_run_in(&d, &r, "compare", a, NULL);
  cbt_expect_code(&r, 2);
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

static void test_one_side_only(void **state)
{
  double v[4][REPS];
  char a[600], b[600];
  FILE *fa, *fb;
  cbt_result_t r;
  size_t i;
  cbt_dir_t d;

  (void)state;
  rng_state = 8;
  cbt_dir_make(&d, "compare");
  for (i = 0; i < CBT_ARRAY_SIZE(v); i++)
    noisy(v[i], REPS, 5000, 0.01);
  fa = csv_open(&d, "a.csv", a, sizeof(a));
  fb = csv_open(&d, "b.csv", b, sizeof(b));
  put_cell(fa, "h", "noop", "threads", "inproc", 1, v[0], REPS, 0);
  put_cell(fb, "h", "noop", "threads", "inproc", 1, v[0], REPS, 0);
  put_cell(fa, "h", "noop", "threads", "inproc", 4, v[1], REPS, 0);
  put_cell(fb, "h", "noop", "threads", "inproc", 8, v[2], REPS, 0);
  /* every trial of this one crashed in NEW */
  put_cell(fa, "h", "noop", "processes", "pipe", 1, v[3], REPS, 0);
  put_cell(fb, "h", "noop", "processes", "pipe", 1, v[3], 0, REPS);
  csv_close(fa);
  csv_close(fb);
  cbt_run_in(&d, &r, "compare", a, b, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "noop/threads/c:4/pin:compact", "stdout");
  cbt_expect_in(r.out, "only in BASE", "stdout");
  cbt_expect_in(r.out, "noop/threads/c:8/pin:compact", "stdout");
  cbt_expect_in(r.out, "only in NEW", "stdout");
  cbt_expect_in(r.out, "no ok trial in NEW", "stdout");
  cbt_expect_in(r.out, "1 cells compared", "stdout");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

/* On another machine every cell is twice as slow, serial included: absolute
 * throughput halves, speedups do not change, and speedups are compared. */
static void test_cross_host_speedups(void **state)
{
  static const double half[3] = { 0.5, 0.5, 0.5 };
  char a[600], b[600], c[600], line[512];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  rng_state = 9;
  cbt_dir_make(&d, "compare");
  write_run(&d, "a.csv", a, sizeof(a), "fast-host", 0.01, same, REPS);
  cpu_model = "Slow CPU";
  write_run(&d, "b.csv", b, sizeof(b), "slow-host", 0.01, half, REPS);
  cpu_model = "Test CPU";
  cbt_run_in(&d, &r, "compare", a, b, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "speedups over serial were compared, not throughput, since the machines "
            "differ (cpu_model 'Test CPU' vs 'Slow CPU')", "stdout");
  cbt_line_of(r.out, "cpu.hash/threads/c:2/pin:compact ", line, sizeof(line));
  cbt_expect_in(line, "unchanged", "a cell's speedup on both hosts");
  cbt_line_of(r.out, "cpu.hash/serial/c:1/pin:compact ", line, sizeof(line));
  cbt_expect_in(line, "the serial reference of speedups", "the serial cell");
  /* io.sleep has no serial cell on either side */
  cbt_line_of(r.out, "io.sleep/threads/c:2/pin:compact ", line, sizeof(line));
  cbt_expect_in(line, "no serial cell", "a cell without a serial reference");
  cbt_expect_in(r.out, "1 cells compared", "stdout");
  cbt_expect_in(r.err, "warning: BASE and NEW come from different fingerprints", "stderr");
  cbt_expect_in(r.err, "cpu_model 'Test CPU' vs 'Slow CPU'): speedups over serial were compared",
            "stderr");
  cbt_result_free(&r);

  /* The same numbers from one machine are a regression of every cell, even
   * under another host name. */
  write_run(&d, "c.csv", c, sizeof(c), "another-host", 0.01, half, REPS);
  cbt_run_in(&d, &r, "compare", a, c, NULL);
  cbt_expect_code(&r, 1);
  cbt_expect_in(r.out, "metric: throughput", "stdout");
  cbt_expect_in(r.out, "3 slower", "stdout");
  if (strstr(r.err, "fingerprint") != NULL)
    fail_msg("one machine under two host names is warned about as two:\n%s", r.err);
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

/* ---- numbers in the outputs ------------------------------------------ */

static int cmp_dbl(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* Median and 95% interval of REPS = 9 samples, by hand: the middle one,
 * and x(1), x(7) of the sorted sample (0-based): the binomial(9, 1/2) law
 * puts at most one sample below the median with probability 10/512, so
 * [x(1), x(7)] covers it with 1 - 20/512 = 96.1%, and [x(2), x(6)] only
 * with 1 - 92/512 = 82%. */
static void stats9(const double *v, double *median, double *lo, double *hi)
{
  double s[REPS];

  memcpy(s, v, sizeof(s));
  qsort(s, REPS, sizeof(s[0]), cmp_dbl);
  *median = s[4];
  *lo = s[1];
  *hi = s[7];
}

/* The number after `"key": ` in the text that follows `from`. */
static double json_after(const char *from, const char *key)
{
  char pat[64];
  const char *p;

  snprintf(pat, sizeof(pat), "\"%s\": ", key);
  p = strstr(from, pat);
  if (p == NULL)
    fail_msg("no %s after: %.200s", pat, from);
  return strtod(p + strlen(pat), NULL);
}

/* The text of a JSON entry named `name` (from its name on). */
static const char *json_entry(const char *text, const char *name)
{
  char pat[200];
  const char *p;

  snprintf(pat, sizeof(pat), "\"%s\"", name);
  p = strstr(text, pat);
  if (p == NULL)
    fail_msg("no entry %s in:\n%s", pat, text);
  return p;
}

static void expect_exact(double got, double want, const char *what)
{
  if (got != want)
    fail_msg("%s: %.17g, expected %.17g", what, got, want);
}

static void test_formats_and_exports(void **state)
{
  static const char *const exports[] = { "gbench", "custom-bigger", "bmf" };
  static const char *const cells[] = { "cpu.hash/serial/c:1/pin:compact",
                                       "cpu.hash/threads/c:2/pin:compact",
                                       "io.sleep/threads/c:2/pin:compact" };
  static const char opens[] = { '{', '[', '{' };
  char a[600], b[600], out[600], err[256], text[64];
  double va[3][REPS], vb[3][REPS], med, lo, hi, bmed, blo, bhi;
  cb_table_t t;
  cbt_result_t r;
  size_t i, k;
  char *csv_out, *file;
  cbt_dir_t d;

  (void)state;
  rng_state = 10;
  cbt_dir_make(&d, "compare");
  write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.01, same, REPS);
  for (k = 0; k < 3; k++)
    memcpy(va[k], last_run[k], sizeof(va[k]));
  write_run(&d, "b.csv", b, sizeof(b), "hostA", 0.01, same, REPS);
  for (k = 0; k < 3; k++)
    memcpy(vb[k], last_run[k], sizeof(vb[k]));

  cbt_run_in(&d, &r, "compare", "--format", "json", a, b, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_json(r.out, '{');
  cbt_expect_in(r.out, "\"name\": \"cpu.hash/threads/c:2/pin:compact\"", "json");
  cbt_expect_in(r.out, "\"regression\": false", "json");
  cbt_expect_in(r.out, "\"metric\": \"throughput\"", "json");
  cbt_result_free(&r);

  cbt_run_in(&d, &r, "compare", "-f", "md", a, b, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "| cell | BASE median |", "md");
  cbt_expect_in(r.out, "| `cpu.hash/threads/c:2/pin:compact` |", "md");
  cbt_result_free(&r);

  cbt_run_in(&d, &r, "compare", "--format=csv", a, b, NULL);
  cbt_expect_code(&r, 0);
  assert_int_equal(cb_table_parse(r.out, strlen(r.out), &t, err, sizeof(err)), 0);
  assert_int_equal(t.rows, 4);
  assert_true(cb_table_col(&t, "name") == 0);
  /* One row per cell, in natural order, with each side's median computed
   * here from the samples written, a ratio of the two, an interval around
   * it, and the verdict of identical distributions. */
  for (k = 0; k < 3; k++) {
    double ratio = strtod(cb_table_get(&t, k + 1, cb_table_col(&t, "ratio")), NULL);
    stats9(va[k], &med, &lo, &hi);
    stats9(vb[k], &bmed, &blo, &bhi);
    assert_string_equal(cb_table_get(&t, k + 1, 0), cells[k]);
    assert_string_equal(cb_table_get(&t, k + 1, cb_table_col(&t, "status")), "compared");
    assert_string_equal(cb_table_get(&t, k + 1, cb_table_col(&t, "base_n")), "9");
    assert_string_equal(cb_table_get(&t, k + 1, cb_table_col(&t, "new_n")), "9");
    expect_exact(strtod(cb_table_get(&t, k + 1, cb_table_col(&t, "base_median")), NULL), med, "base_median");
    expect_exact(strtod(cb_table_get(&t, k + 1, cb_table_col(&t, "new_median")), NULL), bmed, "new_median");
    expect_exact(ratio, bmed / med, "ratio");
    assert_true(strtod(cb_table_get(&t, k + 1, cb_table_col(&t, "ci_lo")), NULL) <= ratio);
    assert_true(strtod(cb_table_get(&t, k + 1, cb_table_col(&t, "ci_hi")), NULL) >= ratio);
    assert_string_equal(cb_table_get(&t, k + 1, cb_table_col(&t, "verdict")), "unchanged");
    assert_string_equal(cb_table_get(&t, k + 1, cb_table_col(&t, "regression")), "0");
  }
  csv_out = r.out;
  r.out = NULL;
  cbt_result_free(&r);

  /* The same numbers in JSON, full precision. */
  cbt_run_in(&d, &r, "compare", "--format", "json", a, b, NULL);
  cbt_expect_code(&r, 0);
  for (k = 0; k < 3; k++) {
    const char *e = json_entry(r.out, cells[k]);
    static const char *const nums[] = { "base_median", "new_median", "ratio", "ci_lo", "ci_hi",
                                        "p", "p_holm" };
    size_t j;
    for (j = 0; j < CBT_ARRAY_SIZE(nums); j++)
      expect_exact(json_after(e, nums[j]), strtod(cb_table_get(&t, k + 1, cb_table_col(&t, nums[j])), NULL), nums[j]);
  }
  {
    /* The overall geometric mean of the three ratios, computed here from
     * the samples, with an interval around it. */
    json_t *root = json_loads(r.out, 0, NULL), *gm = json_object_get(root, "geomean");
    double logs = 0, g, glo, ghi;
    for (k = 0; k < 3; k++) {
      stats9(va[k], &med, &lo, &hi);
      stats9(vb[k], &bmed, &blo, &bhi);
      logs += log(bmed / med);
    }
    assert_non_null(gm);
    assert_int_equal(json_integer_value(json_object_get(gm, "cells")), 3);
    g = json_number_value(json_object_get(gm, "ratio"));
    glo = json_number_value(json_object_get(gm, "ci_lo"));
    ghi = json_number_value(json_object_get(gm, "ci_hi"));
    if (fabs(g - exp(logs / 3)) > 1e-12 * g)
      fail_msg("geomean %.17g, expected %.17g", g, exp(logs / 3));
    assert_true(glo <= g && g <= ghi && glo > 0.95 && ghi < 1.05 && ghi > glo);
    json_decref(root);
    cbt_result_free(&r);
    cbt_run_in(&d, &r, "compare", a, b, NULL);
    cbt_expect_no_crash(&r, "concbench compare");
    snprintf(text, sizeof(text), "geometric mean of the ratios over 3 cells: %.3f, 95%% CI [",
             g);
    cbt_expect_in(r.out, text, "text");
    cbt_result_free(&r);
    cbt_run_in(&d, &r, "compare", "-f", "md", a, b, NULL);
    cbt_expect_no_crash(&r, "concbench compare");
    cbt_expect_in(r.out, text, "md");
    cbt_result_free(&r);
    cbt_run_in(&d, &r, "compare", "--export", "bmf", a, b, NULL);
    cbt_expect_no_crash(&r, "concbench compare");
    cbt_expect_in(r.err, text, "stderr with --export");
  }
  cbt_result_free(&r);
  cb_table_free(&t);

  /* With -o the CSV goes to the file, byte for byte as on stdout, and
   * nothing to stdout. */
  cbt_dir_file(&d, "cmp.csv", out, sizeof(out));
  cbt_run_in(&d, &r, "compare", "-f", "csv", "-o", out, a, b, NULL);
  cbt_expect_code(&r, 0);
  assert_int_equal(strlen(r.out), 0);
  file = cbt_slurp_path(out, NULL);
  assert_string_equal(file, csv_out);
  free(file);
  free(csv_out);
  cbt_result_free(&r);

  for (i = 0; i < CBT_ARRAY_SIZE(exports); i++) {
    cbt_run_in(&d, &r, "compare", "--export", exports[i], a, b, NULL);
    cbt_expect_code(&r, 0);
    cbt_expect_json(r.out, opens[i]);
    cbt_expect_in(r.err, "3 cells compared", "stderr with --export");
    cbt_result_free(&r);
    /* NEW alone: only the export. */
    cbt_run_in(&d, &r, "compare", "--export", exports[i], b, NULL);
    cbt_expect_code(&r, 0);
    cbt_expect_json(r.out, opens[i]);
    assert_int_equal(strlen(r.err), 0);
    if (i > 0)
      cbt_expect_in(r.out, "\"cpu.hash/threads/c:2/pin:compact\"", exports[i]);
    /* Each cell's median and 95% interval of NEW's samples, computed here. */
    for (k = 0; i > 0 && k < 3; k++) {
      const char *e = json_entry(r.out, cells[k]);
      stats9(vb[k], &med, &lo, &hi);
      if (i == 1) {
        expect_exact(json_after(e, "value"), med, "custom-bigger value");
        snprintf(text, sizeof(text), "\"range\": \"\xc2\xb1 %.4g\"", (hi - lo) / 2);
        cbt_expect_in(e, text, "custom-bigger range");
        cbt_expect_in(e, "\"unit\": \"tasks/s\"", exports[i]);
        cbt_expect_in(e, "\"extra\": \"n=9 cv=", exports[i]);
      } else {
        expect_exact(json_after(e, "value"), med, "bmf value");
        expect_exact(json_after(e, "lower_value"), lo, "bmf lower_value");
        expect_exact(json_after(e, "upper_value"), hi, "bmf upper_value");
      }
    }
    cbt_result_free(&r);
  }
  cbt_remove_tree(d.path);
}

/* Names tell cells apart by transport and payload when they must. */
static void test_names_are_unique(void **state)
{
  double v[REPS];
  char a[600];
  FILE *f;
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  rng_state = 11;
  cbt_dir_make(&d, "compare");
  noisy(v, REPS, 800, 0.01);
  f = csv_open(&d, "a.csv", a, sizeof(a));
  put_cell(f, "h", "comm.payload", "processes", "pipe", 2, v, REPS, 0);
  put_cell(f, "h", "comm.payload", "processes", "shm", 2, v, REPS, 0);
  put_sized(f, "h", "comm.payload", "processes", "shm", 2, v, REPS, 0, "64");
  csv_close(f);
  cbt_run_in(&d, &r, "compare", "--export", "bmf", a, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "\"comm.payload/processes/c:2/pin:compact\"", "bmf");
  cbt_expect_in(r.out, "\"comm.payload/processes/c:2/pin:compact/transport:shm/size:2000\"", "bmf");
  cbt_expect_in(r.out, "\"comm.payload/processes/c:2/pin:compact/transport:shm/size:64\"", "bmf");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

/* The same cell on two hosts in one file is ambiguous. */
static void test_two_hosts_in_one_file(void **state)
{
  double v[REPS];
  char a[600];
  FILE *f;
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  rng_state = 12;
  cbt_dir_make(&d, "compare");
  noisy(v, REPS, 800, 0.01);
  f = csv_open(&d, "a.csv", a, sizeof(a));
  put_cell(f, "h1", "noop", "threads", "inproc", 2, v, REPS, 0);
  put_cell(f, "h2", "noop", "threads", "inproc", 2, v, REPS, 0);
  csv_close(f);
  cbt_run_in(&d, &r, "compare", a, a, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, "noop/threads/c:2/pin:compact was measured on two hosts (h1, h2)", "stderr");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

static void test_needed_n(void **state)
{
  (void)state;
  /* 3 against 3: 2 / C(6, 3) = 2 / 20 */
  assert_true(fabs(cb_mw_min_p(3, 3) - 0.1) < 1e-12);
  assert_true(fabs(cb_mw_min_p(4, 4) - 2.0 / 70) < 1e-12);
  assert_true(fabs(cb_mw_min_p(2, 5) - 2.0 / 21) < 1e-12);
  assert_true(cb_mw_min_p(1, 1) == 1);
  assert_int_equal(cb_compare_needed_n(0, 0.05), 0);
  assert_int_equal(cb_compare_needed_n(1, 0.05), 4);  /* 2/70 < 0.05 <= 2/20 */
  assert_int_equal(cb_compare_needed_n(2, 0.05), 5);  /* 2*2/70 = 0.057 */
  /* the quick profile: 86 cells; 86 * 2 / 3432 = 0.0501 */
  assert_int_equal(cb_compare_needed_n(85, 0.05), 7);
  assert_int_equal(cb_compare_needed_n(86, 0.05), 8);
  assert_int_equal(cb_compare_needed_n(1, 0.01), 5);  /* 2/252 < 0.01 <= 2/70 */
}

/* One cell of cpu.hash (threads, c:2) per file: the same throughput samples on both
 * sides, and latency and memory scaled by lat_scale and rss_scale in NEW. */
static void write_metric_pair(const cbt_dir_t *d, char *a, char *b, size_t len, double lat_scale,
                              double rss_scale)
{
  double tp[REPS], lat[REPS], rss[REPS];
  const double *side_lat[2], *side_rss[2];
  double lat_new[REPS], rss_new[REPS];
  size_t i, side;

  noisy(tp, REPS, 190000, 0.01);
  noisy(lat, REPS, 100, 0.01);
  noisy(rss, REPS, 4000, 0.01);
  for (i = 0; i < REPS; i++) {
    lat_new[i] = lat[i] * lat_scale;
    rss_new[i] = rss[i] * rss_scale;
  }
  side_lat[0] = lat;
  side_lat[1] = lat_new;
  side_rss[0] = rss;
  side_rss[1] = rss_new;
  for (side = 0; side < 2; side++) {
    FILE *f = csv_open(d, side == 0 ? "base.csv" : "new.csv", side == 0 ? a : b, len);
    cell_t x = { .host = "h", .workload = "cpu.hash", .runner = "threads",
                 .transport = "inproc", .c = 2, .tp = tp, .n = REPS,
                 .lat99 = side_lat[side], .rss = side_rss[side] };
    csv_cell(f, &x);
    csv_close(f);
  }
}

/* The CSV row of a comparison for a metric label (the `metric` column). */
static void csv_row_of(const char *csv, const char *metric, char *buf, size_t len)
{
  char needle[64];

  snprintf(needle, sizeof(needle), ",%s,compared,", metric);
  cbt_line_of(csv, needle, buf, len);
}

/* Latency doubles, throughput is the same: only --metric lat_p99_us sees it, as a
 * regression (lower is better), and the default does not. */
static void test_metric_latency_regression(void **state)
{
  char a[600], b[600], row[1024];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  rng_state = 31;
  cbt_dir_make(&d, "compare");
  write_metric_pair(&d, a, b, sizeof(a), 2.0, 1.0);
  cbt_run_in(&d, &r, "compare", a, b, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "1 cells compared: 0 slower (regressions), 0 faster, 1 unchanged", "stdout");
  cbt_result_free(&r);

  cbt_run_in(&d, &r, "compare", "--metric", "lat_p99_us", a, b, NULL);
  cbt_expect_code(&r, 1);
  cbt_expect_in(r.out, "metric: lat_p99_us (µs; lower is better)", "stdout");
  cbt_expect_in(r.out, "1 cells compared: 1 slower (regressions), 0 faster, 0 unchanged", "stdout");
  cbt_line_of(r.out, "cpu.hash/threads/c:2/pin:compact ", row, sizeof(row));
  cbt_expect_in(row, "slower  REGRESSION", "the cell's line");
  cbt_expect_in(row, " 2.0", "the cell's line (ratio about 2)");
  cbt_expect_in(r.err, "regression in 1 cell: cpu.hash/threads/c:2/pin:compact (2.0", "stderr");
  cbt_result_free(&r);

  /* all three: one line each, the regression only in latency, and it fails */
  cbt_run_in(&d, &r, "compare", "--metric", "throughput,lat_p99_us,maxrss_kb", "-f", "csv", a, b, NULL);
  cbt_expect_code(&r, 1);
  csv_row_of(r.out, "throughput", row, sizeof(row));
  cbt_expect_in(row, ",unchanged,0,", "the throughput row");
  csv_row_of(r.out, "lat_p99_us", row, sizeof(row));
  cbt_expect_in(row, ",slower,1,", "the lat_p99_us row");
  csv_row_of(r.out, "maxrss_kb", row, sizeof(row));
  cbt_expect_in(row, ",unchanged,0,", "the maxrss_kb row");
  cbt_expect_in(r.err, "regression in 1 cell: cpu.hash/threads/c:2/pin:compact lat_p99_us (2.0",
            "stderr");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

/* Direction per metric: latency halving is faster, not a regression; memory growing by
 * half is slower, a regression; text and JSON say which metric each line is. */
static void test_metric_direction(void **state)
{
  char a[600], b[600], row[1024];
  json_error_t je;
  json_t *j, *cells, *m;
  size_t i;
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  rng_state = 32;
  cbt_dir_make(&d, "compare");
  write_metric_pair(&d, a, b, sizeof(a), 0.5, 1.5);
  cbt_run_in(&d, &r, "compare", "--metric", "lat_p99_us,maxrss_kb", a, b, NULL);
  cbt_expect_code(&r, 1);
  /* the cell, then its metric, on each line */
  cbt_line_of(r.out, "cpu.hash/threads/c:2/pin:compact lat_p99_us ", row, sizeof(row));
  cbt_expect_in(row, " faster", "the lat_p99_us line");
  if (strstr(row, "REGRESSION") != NULL)
    fail_msg("latency halved is flagged as a regression:\n%s", r.out);
  cbt_line_of(r.out, "cpu.hash/threads/c:2/pin:compact maxrss_kb  ", row, sizeof(row));
  cbt_expect_in(row, "slower  REGRESSION", "the maxrss_kb line");
  cbt_expect_in(r.out, "lat_p99_us: 1 cells compared: 0 slower (regressions), 1 faster", "stdout");
  cbt_expect_in(r.out, "maxrss_kb: 1 cells compared: 1 slower (regressions), 0 faster", "stdout");
  cbt_expect_in(r.out, "Holm-adjusted over 2 comparisons (cells times metrics)", "stdout");
  cbt_result_free(&r);

  cbt_run_in(&d, &r, "compare", "--metric", "maxrss_kb,lat_p99_us", "-f", "json", a, b, NULL);
  cbt_expect_code(&r, 1);
  j = json_loads(r.out, 0, &je);
  if (j == NULL)
    fail_msg("not JSON (%s):\n%s", je.text, r.out);
  assert_string_equal(json_string_value(json_object_get(j, "metric")), "maxrss_kb,lat_p99_us");
  assert_int_equal(json_integer_value(json_object_get(j, "regressions")), 1);
  assert_int_equal(json_integer_value(json_object_get(j, "compared")), 2);
  m = json_object_get(j, "metrics");
  assert_int_equal(json_array_size(m), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "name")),
                      "maxrss_kb");
  assert_true(json_is_true(json_object_get(json_array_get(m, 0), "lower_is_better")));
  cells = json_object_get(j, "cells");
  assert_int_equal(json_array_size(cells), 2);
  for (i = 0; i < 2; i++) {
    json_t *c = json_array_get(cells, i);
    const char *metric = json_string_value(json_object_get(c, "metric"));
    const char *verdict = json_string_value(json_object_get(c, "verdict"));
    assert_non_null(metric);
    /* in the order asked */
    assert_string_equal(metric, i == 0 ? "maxrss_kb" : "lat_p99_us");
    assert_string_equal(verdict, i == 0 ? "slower" : "faster");
    assert_true(json_is_true(json_object_get(c, "regression")) == (i == 0));
  }
  json_decref(j);
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

static void test_metric_bad_names(void **state)
{
  static const char *const bad[][2] = {
    { "throughput,latency", "'latency'" },
    { "throughput,throughput", "'throughput'" },
    { "lat_p99_us,", "''" },
    { "Throughput", "'Throughput'" },
  };
  char a[600], b[600];
  cbt_result_t r;
  size_t i;
  cbt_dir_t d;

  (void)state;
  rng_state = 33;
  cbt_dir_make(&d, "compare");
  write_metric_pair(&d, a, b, sizeof(a), 1.0, 1.0);
  for (i = 0; i < CBT_ARRAY_SIZE(bad); i++) {
    cbt_run_in(&d, &r, "compare", "--metric", bad[i][0], a, b, NULL);
    cbt_expect_code(&r, 2);
    cbt_expect_in(r.err, "bad --metric", "stderr");
    cbt_expect_in(r.err, bad[i][1], "stderr");
    if (strchr(r.err, '\n') != strrchr(r.err, '\n'))
      fail_msg("more than one line on stderr:\n%s", r.err);
    cbt_result_free(&r);
  }
  cbt_remove_tree(d.path);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_needed_n),
    cmocka_unit_test(test_identical_runs),
    cmocka_unit_test(test_twenty_percent_slower),
    cmocka_unit_test(test_noise_is_not_a_regression),
    cmocka_unit_test(test_threshold),
    cmocka_unit_test(test_too_few_repetitions),
    cmocka_unit_test(test_holm_changes_the_verdict),
    cmocka_unit_test(test_bad_input),
    cmocka_unit_test(test_one_side_only),
    cmocka_unit_test(test_cross_host_speedups),
    cmocka_unit_test(test_formats_and_exports),
    cmocka_unit_test(test_names_are_unique),
    cmocka_unit_test(test_two_hosts_in_one_file),
    cmocka_unit_test(test_metric_latency_regression),
    cmocka_unit_test(test_metric_direction),
    cmocka_unit_test(test_metric_bad_names),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
