/* Tests of the CI gate around `concbench ab` (test_ab.c): `concbench
 * fingerprint`, compare's different-machine detection and
 * scripts/ci-benchmark's use of baselines. Everything runs as processes
 * ($CONCBENCH, and the script from the source tree) with fork+execv, never
 * through a shell, in a fresh mkdtemp directory that is also TMPDIR, so
 * leftovers of temporary files would be seen. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cb_config.h"
#include "common.h"
#include "csv.h"
#include "matrix.h"
#include "table.h"

/* A small real run: noop under serial and threads (c = 1), `reps` trials. */
static void record(const cbt_dir_t *d, const char *name, const char *reps)
{
  char path[2048];
  cbt_result_t r;

  cbt_dir_file(d, name, path, sizeof(path));
  cbt_run_in(d, &r, "run", "-w", "noop", "-r", "serial,threads", "-c", "1", "-t", "200", "--reps",
         reps, "--warmup", "0", "-q", "-o", path, NULL);
  cbt_expect_code(&r, 0);
  cbt_result_free(&r);
}

/* Copy CSV `from` to `to` with column `col` set to `value` in every row
 * (NULL: the column dropped). */
static void rewrite(const cbt_dir_t *d, const char *from, const char *to, const char *col,
                    const char *value)
{
  char in[2048], out[2048], err[256];
  cb_table_t t;
  cb_buf_t b = { 0 };
  size_t r, c, first;
  long k;

  cbt_dir_file(d, from, in, sizeof(in));
  cbt_dir_file(d, to, out, sizeof(out));
  assert_int_equal(cb_table_load(in, &t, err, sizeof(err)), 0);
  k = cb_table_col(&t, col);
  assert_true(k >= 0);
  for (r = 0; r < t.rows; r++) {
    for (c = 0, first = 1; c < t.cols; c++) {
      if ((long)c == k && value == NULL)
        continue;
      if (!first)
        cb_buf_put(&b, ",", 1);
      first = 0;
      cb_buf_csv_str(&b, (long)c == k && r > 0 ? value : cb_table_get(&t, r, c));
    }
    cb_buf_put(&b, "\n", 1);
  }
  assert_false(b.failed);
  assert_int_equal(cb_write_atomic(out, b.data, b.len), 0);
  cb_buf_free(&b);
  cb_table_free(&t);
}

/* The value of a column in data row 1 of a CSV in d. */
static void first_value(const cbt_dir_t *d, const char *name, const char *col, char *buf, size_t len)
{
  char path[2048], err[256];
  cb_table_t t;
  long k;

  cbt_dir_file(d, name, path, sizeof(path));
  assert_int_equal(cb_table_load(path, &t, err, sizeof(err)), 0);
  k = cb_table_col(&t, col);
  assert_true(k >= 0 && t.rows > 1);
  snprintf(buf, len, "%s", cb_table_get(&t, 1, (size_t)k));
  cb_table_free(&t);
}

static void test_fingerprint(void **state)
{
  char a[2048], b[2048], c[2048], here[256], kernel[256], want[600];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  cbt_dir_make(&d, "ab");
  record(&d, "a.csv", "2");
  cbt_dir_file(&d, "a.csv", a, sizeof(a));
  cbt_dir_file(&d, "b.csv", b, sizeof(b));
  cbt_dir_file(&d, "c.csv", c, sizeof(c));

  cbt_run_in(&d, &r, "fingerprint", "-v", NULL);
  cbt_expect_code(&r, 0);
  snprintf(here, sizeof(here), "%.*s", (int)strcspn(r.out, "\n"), r.out);
  cbt_expect_in(r.out, "\ncpu_model: ", "stdout");
  cbt_expect_in(r.out, "\ncaches: ", "stdout");
  cbt_expect_in(r.out, "\nkernel: Linux ", "stdout");
  cbt_expect_in(r.out, "\nbuild_type: ", "stdout");
  cbt_result_free(&r);

  /* A run's rows carry the fingerprint of the machine and build that ran it. */
  cbt_run_in(&d, &r, "fingerprint", a, NULL);
  cbt_expect_code(&r, 0);
  snprintf(want, sizeof(want), "%s\n", here);
  assert_string_equal(r.out, want);
  cbt_result_free(&r);
  cbt_run_in(&d, &r, "fingerprint", "--check", a, NULL);
  cbt_expect_code(&r, 0);
  cbt_result_free(&r);

  /* Same host, another kernel: another machine. */
  first_value(&d, "a.csv", "kernel", kernel, sizeof(kernel));
  rewrite(&d, "a.csv", "b.csv", "kernel", "Linux 0.0.1-fixture");
  cbt_run_in(&d, &r, "fingerprint", "--check", b, NULL);
  cbt_expect_code(&r, 1);
  snprintf(want, sizeof(want), "kernel 'Linux 0.0.1-fixture' vs '%s'\n", kernel);
  assert_string_equal(r.out, want);
  cbt_result_free(&r);
  cbt_run_in(&d, &r, "fingerprint", b, NULL);
  cbt_expect_code(&r, 0);
  assert_string_not_equal(r.out, here);
  cbt_result_free(&r);

  /* A file from before the caches column: unknown is never equal. */
  rewrite(&d, "a.csv", "c.csv", "caches", NULL);
  cbt_run_in(&d, &r, "fingerprint", "--check", c, a, NULL);
  cbt_expect_code(&r, 1);
  assert_string_equal(r.out, "caches unknown in BASE\n");
  cbt_result_free(&r);

  cbt_run_in(&d, &r, "fingerprint", "--check", NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, "--check takes BASE.csv", "stderr");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

/* compare: the host name alone decides nothing. */
static void test_compare_machines(void **state)
{
  char a[2048], b[2048], e[2048];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  cbt_dir_make(&d, "ab");
  record(&d, "a.csv", "5");
  cbt_dir_file(&d, "a.csv", a, sizeof(a));
  cbt_dir_file(&d, "b.csv", b, sizeof(b));
  cbt_dir_file(&d, "e.csv", e, sizeof(e));

  /* The same host name on another CPU: speedups, and why. */
  rewrite(&d, "a.csv", "b.csv", "cpu_model", "Other CPU 9000");
  cbt_run_in(&d, &r, "compare", a, b, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "speedups over serial were compared, not throughput, since the machines "
            "differ (cpu_model '", "stdout");
  cbt_expect_in(r.out, "' vs 'Other CPU 9000')", "stdout");
  cbt_result_free(&r);

  /* Another host name on the same machine: throughput. */
  rewrite(&d, "a.csv", "e.csv", "host", "another-name");
  cbt_run_in(&d, &r, "compare", a, e, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "metric: throughput", "stdout");
  cbt_expect_in(r.out, "2 cells compared", "stdout");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

static void ci_benchmark(const cbt_dir_t *d, const char *src, const char *build, cbt_result_t *r)
{
  static const char *const env[] = { "CB_BENCH_MODE=record",
                                     "CB_BENCH_ARGS=-w noop -r serial -t 200",
                                     "CB_BENCH_REPS=9", NULL };
  cbt_spawn_t o = cbt_in_dir(d);

  o.prog = "/bin/bash";
  o.env = env;
  cbt_runl(&o, r, CB_SOURCE_ROOT "/scripts/ci-benchmark", cbt_concbench(), src, build, NULL);
}

/* A baseline named as this machine's, with this host name in it, but
 * recorded on another kernel is never compared as if it were this
 * machine's; the same file with this machine's fingerprint is. */
static void test_ci_baseline_of_another_machine(void **state)
{
  char src[2048], build[2048], bdir[2048], base[1024], cmpcsv[2200], fp[256], want[4096];
  char host[256], kernel[256];
  struct utsname u;
  struct stat st;
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  cbt_dir_make(&d, "ab");
  cbt_dir_file(&d, "src", src, sizeof(src));
  cbt_dir_file(&d, "build", build, sizeof(build));
  cbt_dir_file(&d, "src/results", bdir, sizeof(bdir));
  assert_int_equal(mkdir(src, 0755), 0);
  assert_int_equal(mkdir(build, 0755), 0);
  assert_int_equal(mkdir(bdir, 0755), 0);
  cbt_dir_file(&d, "src/results/baseline", bdir, sizeof(bdir));
  assert_int_equal(mkdir(bdir, 0755), 0);
  snprintf(cmpcsv, sizeof(cmpcsv), "%s/benchmark-compare.csv", build);

  /* No baseline at all: recorded only. */
  ci_benchmark(&d, src, build, &r);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "ci-benchmark: recorded, not compared: no baseline in ", "stdout");
  cbt_result_free(&r);
  cbt_run_in(&d, &r, "fingerprint", "build/benchmark.csv", NULL);
  cbt_expect_code(&r, 0);
  snprintf(fp, sizeof(fp), "%.*s", (int)strcspn(r.out, "\n"), r.out);
  cbt_result_free(&r);
  assert_int_equal(uname(&u), 0);
  first_value(&d, "build/benchmark.csv", "host", host, sizeof(host));
  assert_string_equal(host, u.nodename);
  first_value(&d, "build/benchmark.csv", "kernel", kernel, sizeof(kernel));

  /* This machine's baseline: compared (the verdict depends on the noise). */
  snprintf(base, sizeof(base), "src/results/baseline/%s.csv", fp);
  rewrite(&d, "build/benchmark.csv", base, "host", u.nodename);
  ci_benchmark(&d, src, build, &r);
  if (r.code != 0 && r.code != 1)
    cbt_expect_code(&r, 0);
  snprintf(want, sizeof(want), "ci-benchmark: comparing with %s/%s.csv (same fingerprint %s)",
           bdir, fp, fp);
  cbt_expect_in(r.out, want, "stdout");
  cbt_expect_in(r.out, "noop/serial/c:1/pin:compact", "stdout");
  cbt_result_free(&r);
  assert_int_equal(stat(cmpcsv, &st), 0);
  assert_int_equal(unlink(cmpcsv), 0);

  /* The fixture: same name, same host, another kernel. */
  rewrite(&d, "build/benchmark.csv", base, "kernel", "Linux 0.0.1-fixture");
  ci_benchmark(&d, src, build, &r);
  cbt_expect_code(&r, 0);
  snprintf(want, sizeof(want), "ci-benchmark: recorded, not compared: baseline from another "
           "machine (kernel 'Linux 0.0.1-fixture' vs '%s')\n", kernel);
  assert_string_equal(r.out, want);
  cbt_expect_not_in(r.out, "comparing", "stdout");
  cbt_result_free(&r);
  assert_int_equal(stat(cmpcsv, &st), -1);

  /* Only a baseline of another machine under its own name. */
  snprintf(want, sizeof(want), "src/results/baseline/other-machine-2pu-000000000000.csv");
  rewrite(&d, base, want, "cpu_model", "Other CPU 9000");
  cbt_dir_file(&d, base, want, sizeof(want));
  assert_int_equal(unlink(want), 0);
  ci_benchmark(&d, src, build, &r);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "ci-benchmark: recorded, not compared: baseline from another machine "
            "(other-machine-2pu-000000000000.csv in ", "stdout");
  cbt_result_free(&r);
  assert_int_equal(stat(cmpcsv, &st), -1);
  cbt_remove_tree(d.path);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fingerprint),
    cmocka_unit_test(test_compare_machines),
    cmocka_unit_test(test_ci_baseline_of_another_machine),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
