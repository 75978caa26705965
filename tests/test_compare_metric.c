/* Tests of `concbench compare --metric` (analysis/compare.c,
 * cli/cmd_compare.c): a latency regression, which direction is better for
 * each metric, and names it does not know. The command runs as a binary
 * ($CONCBENCH) with fork+execv, never through a shell, on trial CSVs that
 * each test writes into a fresh mkdtemp directory; samples are built from a
 * fixed pseudo-random sequence, so every run sees the same files
 * (tests/test_cmp.c). */
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

/* One cell of cpu.hash (threads, c:2) per file: the same throughput samples on both
 * sides, and latency and memory scaled by lat_scale and rss_scale in NEW. */
static void write_metric_pair(const cbt_dir_t *d, char *a, char *b, size_t len, double lat_scale,
                              double rss_scale)
{
  double tp[REPS], lat[REPS], rss[REPS];
  const double *side_lat[2], *side_rss[2];
  double lat_new[REPS], rss_new[REPS];
  size_t i, side;

  cmp_noisy(tp, REPS, 190000, 0.01);
  cmp_noisy(lat, REPS, 100, 0.01);
  cmp_noisy(rss, REPS, 4000, 0.01);
  for (i = 0; i < REPS; i++) {
    lat_new[i] = lat[i] * lat_scale;
    rss_new[i] = rss[i] * rss_scale;
  }
  side_lat[0] = lat;
  side_lat[1] = lat_new;
  side_rss[0] = rss;
  side_rss[1] = rss_new;
  for (side = 0; side < 2; side++) {
    FILE *f = cmp_csv_open(d, side == 0 ? "base.csv" : "new.csv", side == 0 ? a : b, len);
    cell_t x = { .host = "h", .workload = "cpu.hash", .runner = "threads",
                 .transport = "inproc", .c = 2, .tp = tp, .n = REPS,
                 .lat99 = side_lat[side], .rss = side_rss[side] };
    cmp_csv_cell(f, &x);
    cmp_csv_close(f);
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
  cmp_rng_state = 31;
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
  cmp_rng_state = 32;
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
  cmp_rng_state = 33;
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
    cmocka_unit_test(test_metric_latency_regression),
    cmocka_unit_test(test_metric_direction),
    cmocka_unit_test(test_metric_bad_names),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
