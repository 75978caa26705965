/* Tests of `concbench compare` (analysis/compare.c, cli/cmd_compare.c): its
 * verdicts and exit codes (no change, a regression, noise, the threshold, too
 * few repetitions, Holm's correction, cells on one side only, across hosts),
 * and the arithmetic of the smallest attainable p-value, called directly. The
 * command runs as a binary ($CONCBENCH) with fork+execv, never through a
 * shell, on trial CSVs that each test writes into a fresh mkdtemp directory;
 * samples are built from a fixed pseudo-random sequence, so every run sees
 * the same files (tests/test_cmp.c). */
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
#include "test_cmp.h"

static void test_identical_runs(void **state)
{
  char a[600];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  cmp_rng_state = 1;
  cbt_dir_make(&d, "compare");
  cmp_write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.01, cmp_same, REPS);
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
  cmp_rng_state = 2;
  cbt_dir_make(&d, "compare");
  cmp_write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.02, cmp_same, REPS);
  cmp_write_run(&d, "b.csv", b, sizeof(b), "hostA", 0.02, slow, REPS);
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
  cmp_rng_state = 3;
  cbt_dir_make(&d, "compare");
  cmp_write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.03, cmp_same, REPS);
  cmp_write_run(&d, "b.csv", b, sizeof(b), "hostA", 0.03, cmp_same, REPS);
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
  cmp_rng_state = 4;
  cbt_dir_make(&d, "compare");
  cmp_write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.003, cmp_same, REPS);
  cmp_write_run(&d, "b.csv", b, sizeof(b), "hostA", 0.003, slow3, REPS);
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
  cmp_rng_state = 5;
  cbt_dir_make(&d, "compare");
  cmp_write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.01, cmp_same, 3);
  cmp_write_run(&d, "b.csv", b, sizeof(b), "hostA", 0.01, cmp_same, 3);
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
  cmp_rng_state = 6;
  assert_true(fabs(cb_mw_min_p(9, 9) - 2.0 / 48620) < 1e-12);
  cbt_dir_make(&d, "compare");
  fa = cmp_csv_open(&d, "alone-a.csv", a, sizeof(a));
  fb = cmp_csv_open(&d, "alone-b.csv", b, sizeof(b));
  cmp_put_cell(fa, "h", "cpu.fp", "threads", "inproc", 2, base, 9, 0);
  cmp_put_cell(fb, "h", "cpu.fp", "threads", "inproc", 2, slow, 9, 0);
  cmp_csv_close(fa);
  cmp_csv_close(fb);
  cbt_run_in(&d, &r, "compare", a, b, NULL);
  cbt_expect_code(&r, 1);
  cbt_line_of(r.out, "cpu.fp/threads/c:2/pin:compact ", line, sizeof(line));
  cbt_expect_in(line, " 0.04 ", "p-value of the cell alone");
  cbt_expect_in(line, "REGRESSION", "the cell alone");
  cbt_result_free(&r);

  fa = cmp_csv_open(&d, "many-a.csv", a, sizeof(a));
  fb = cmp_csv_open(&d, "many-b.csv", b, sizeof(b));
  cmp_put_cell(fa, "h", "cpu.fp", "threads", "inproc", 2, base, 9, 0);
  cmp_put_cell(fb, "h", "cpu.fp", "threads", "inproc", 2, slow, 9, 0);
  for (i = 0; i < CBT_ARRAY_SIZE(v); i++) {
    cmp_noisy(v[i], REPS, 1000, 0.01);
    cmp_put_cell(fa, "h", "cpu.fp", "processes", "pipe", (unsigned)i + 1, v[i], REPS, 0);
    cmp_put_cell(fb, "h", "cpu.fp", "processes", "pipe", (unsigned)i + 1, v[i], REPS, 0);
  }
  cmp_csv_close(fa);
  cmp_csv_close(fb);
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

static void test_one_side_only(void **state)
{
  double v[4][REPS];
  char a[600], b[600];
  FILE *fa, *fb;
  cbt_result_t r;
  size_t i;
  cbt_dir_t d;

  (void)state;
  cmp_rng_state = 8;
  cbt_dir_make(&d, "compare");
  for (i = 0; i < CBT_ARRAY_SIZE(v); i++)
    cmp_noisy(v[i], REPS, 5000, 0.01);
  fa = cmp_csv_open(&d, "a.csv", a, sizeof(a));
  fb = cmp_csv_open(&d, "b.csv", b, sizeof(b));
  cmp_put_cell(fa, "h", "noop", "threads", "inproc", 1, v[0], REPS, 0);
  cmp_put_cell(fb, "h", "noop", "threads", "inproc", 1, v[0], REPS, 0);
  cmp_put_cell(fa, "h", "noop", "threads", "inproc", 4, v[1], REPS, 0);
  cmp_put_cell(fb, "h", "noop", "threads", "inproc", 8, v[2], REPS, 0);
  /* every trial of this one crashed in NEW */
  cmp_put_cell(fa, "h", "noop", "processes", "pipe", 1, v[3], REPS, 0);
  cmp_put_cell(fb, "h", "noop", "processes", "pipe", 1, v[3], 0, REPS);
  cmp_csv_close(fa);
  cmp_csv_close(fb);
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
  cmp_rng_state = 9;
  cbt_dir_make(&d, "compare");
  cmp_write_run(&d, "a.csv", a, sizeof(a), "fast-host", 0.01, cmp_same, REPS);
  cmp_cpu_model = "Slow CPU";
  cmp_write_run(&d, "b.csv", b, sizeof(b), "slow-host", 0.01, half, REPS);
  cmp_cpu_model = "Test CPU";
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
  cmp_write_run(&d, "c.csv", c, sizeof(c), "another-host", 0.01, half, REPS);
  cbt_run_in(&d, &r, "compare", a, c, NULL);
  cbt_expect_code(&r, 1);
  cbt_expect_in(r.out, "metric: throughput", "stdout");
  cbt_expect_in(r.out, "3 slower", "stdout");
  if (strstr(r.err, "fingerprint") != NULL)
    fail_msg("one machine under two host names is warned about as two:\n%s", r.err);
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
  cmp_rng_state = 12;
  cbt_dir_make(&d, "compare");
  cmp_noisy(v, REPS, 800, 0.01);
  f = cmp_csv_open(&d, "a.csv", a, sizeof(a));
  cmp_put_cell(f, "h1", "noop", "threads", "inproc", 2, v, REPS, 0);
  cmp_put_cell(f, "h2", "noop", "threads", "inproc", 2, v, REPS, 0);
  cmp_csv_close(f);
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
    cmocka_unit_test(test_one_side_only),
    cmocka_unit_test(test_cross_host_speedups),
    cmocka_unit_test(test_two_hosts_in_one_file),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
