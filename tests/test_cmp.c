/* The compare tests' shared fixtures (test_cmp.h): samples from a fixed
 * pseudo-random sequence written as trial CSVs, written once so that each
 * test_compare*.c holds only what it checks. */
#include "test_cmp.h"

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

/* The columns of a trial CSV (docs/SCHEMA.md), as `concbench run` writes them. */
const char cmp_header[] =
    "run_id,timestamp,host,cpu_model,pus,cores,kernel,compiler,concbench_version,"
    "git_revision,build_type,workload,family,runner,transport,pin,concurrency,workers,"
    "tasks,size,payload,rep,wall_s,throughput,lat_p50_us,lat_p99_us,user_s,sys_s,vcsw,"
    "ivcsw,maxrss_kb,failed,verified,status,startup_s,teardown_s,pin_wrap,seed,message\n";

/* A deterministic generator (splitmix64) for noise. */
uint64_t cmp_rng_state;

static double uniform(double lo, double hi)
{
  uint64_t z = (cmp_rng_state += UINT64_C(0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  z ^= z >> 31;
  return lo + (hi - lo) * (double)(z >> 11) / 9007199254740992.0;
}

/* n samples around `center`, spread uniformly by +-noise (a fraction). */
void cmp_noisy(double *v, size_t n, double center, double noise)
{
  size_t i;

  for (i = 0; i < n; i++)
    v[i] = center * (1 + uniform(-noise, noise));
}

/* The CPU model of the rows written: what tells machines apart (the host
 * name does not). */
const char *cmp_cpu_model = "Test CPU";

FILE *cmp_csv_open(const cbt_dir_t *d, const char *name, char *path, size_t len)
{
  FILE *f;

  cbt_dir_file(d, name, path, len);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(cmp_header, f);
  return f;
}

void cmp_csv_cell(FILE *f, const cell_t *c)
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
            c->host, cmp_cpu_model, c->workload, family, c->runner, c->transport, c->c, c->c, tasks,
            c->size != NULL ? c->size : "2000", i,
            ok ? tasks / tp : 0, tp, ok && c->lat99 != NULL ? c->lat99[i] : 20,
            ok && c->rss != NULL ? c->rss[i] : 3000, ok, ok ? "ok" : "crashed",
            ok ? "" : "trial process killed by signal 11 (Segmentation fault)");
  }
}

void cmp_put_sized(FILE *f, const char *host, const char *workload, const char *runner,
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
  cmp_csv_cell(f, &x);
}

void cmp_put_cell(FILE *f, const char *host, const char *workload, const char *runner,
                  const char *transport, unsigned c, const double *tp, size_t n,
                  unsigned crashed)
{
  cmp_put_sized(f, host, workload, runner, transport, c, tp, n, crashed, NULL);
}

void cmp_csv_close(FILE *f)
{
  assert_int_equal(fclose(f), 0);
}

/* The samples write_run wrote last, per cell. */
double cmp_last_run[3][32];

/* Two cells of cpu.hash (serial, threads c:2) and one of io.sleep, REPS
 * samples each with +-noise, on `host`; `scale[i]` multiplies cell i. */
void cmp_write_run(const cbt_dir_t *d, const char *name, char *path, size_t len,
                   const char *host, double noise, const double scale[3], size_t reps)
{
  static const char *const workload[] = { "cpu.hash", "cpu.hash", "io.sleep" };
  static const char *const runner[] = { "serial", "threads", "threads" };
  static const unsigned conc[] = { 1, 2, 2 };
  static const double center[] = { 100000, 190000, 1900 };
  FILE *f = cmp_csv_open(d, name, path, len);
  double v[32];
  size_t i;

  assert_true(reps <= CBT_ARRAY_SIZE(v));
  for (i = 0; i < CBT_ARRAY_SIZE(workload); i++) {
    cmp_noisy(v, reps, center[i] * scale[i], noise);
    memcpy(cmp_last_run[i], v, reps * sizeof(v[0]));
    cmp_put_cell(f, host, workload[i], runner[i], "inproc", conc[i], v, reps, 0);
  }
  cmp_csv_close(f);
}

const double cmp_same[3] = { 1, 1, 1 };
