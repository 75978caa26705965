/* Tests of what `concbench compare` (analysis/compare.c, analysis/export.c,
 * cli/cmd_compare.c) prints and refuses: bad input (exit code 2 and a
 * one-line message naming the bad value), every output format and export with
 * the numbers in them, and cell names that stay unique. The command runs as a
 * binary ($CONCBENCH) with fork+execv, never through a shell, on trial CSVs
 * that each test writes into a fresh mkdtemp directory; samples are built
 * from a fixed pseudo-random sequence, so every run sees the same files
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

static void test_bad_input(void **state)
{
  char a[600], nocol[600], bad[600], missing[600];
  cbt_result_t r;
  FILE *f;
  cbt_dir_t d;

  (void)state;
  cmp_rng_state = 7;
  cbt_dir_make(&d, "compare");
  cmp_write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.01, cmp_same, REPS);
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
  cmp_csv_close(f);
  cbt_run_in(&d, &r, "compare", nocol, a, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, nocol, "stderr");
  cbt_expect_in(r.err, "missing column 'throughput'", "stderr");
  cbt_result_free(&r);

  cbt_dir_file(&d, "bad.csv", bad, sizeof(bad));
  f = fopen(bad, "w");
  assert_non_null(f);
  fputs(cmp_header, f);
  fputs("x,y\n", f); /* line 2: too few fields */
  cmp_csv_close(f);
  cbt_run_in(&d, &r, "compare", a, bad, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, "line 2", "stderr");
  cbt_expect_in(r.err, bad, "stderr");
  cbt_result_free(&r);

  /* A number that is not one, on line 3. */
  f = fopen(bad, "w");
  assert_non_null(f);
  fputs(cmp_header, f);
  cmp_put_cell(f, "h", "noop", "serial", "inproc", 1, (double[]){ 5 }, 1, 0);
  fputs("r,t,h,c,2,2,k,cc,v,g,b,noop,noop,serial,inproc,compact,1,1,10,0,0,1,0.1,fast,1,1,1,1,"
        "1,1,1,0,1,ok,0,0,0,1,\n", f);
  cmp_csv_close(f);
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
  cmp_rng_state = 10;
  cbt_dir_make(&d, "compare");
  cmp_write_run(&d, "a.csv", a, sizeof(a), "hostA", 0.01, cmp_same, REPS);
  for (k = 0; k < 3; k++)
    memcpy(va[k], cmp_last_run[k], sizeof(va[k]));
  cmp_write_run(&d, "b.csv", b, sizeof(b), "hostA", 0.01, cmp_same, REPS);
  for (k = 0; k < 3; k++)
    memcpy(vb[k], cmp_last_run[k], sizeof(vb[k]));

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
  cmp_rng_state = 11;
  cbt_dir_make(&d, "compare");
  cmp_noisy(v, REPS, 800, 0.01);
  f = cmp_csv_open(&d, "a.csv", a, sizeof(a));
  cmp_put_cell(f, "h", "comm.payload", "processes", "pipe", 2, v, REPS, 0);
  cmp_put_cell(f, "h", "comm.payload", "processes", "shm", 2, v, REPS, 0);
  cmp_put_sized(f, "h", "comm.payload", "processes", "shm", 2, v, REPS, 0, "64");
  cmp_csv_close(f);
  cbt_run_in(&d, &r, "compare", "--export", "bmf", a, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "\"comm.payload/processes/c:2/pin:compact\"", "bmf");
  cbt_expect_in(r.out, "\"comm.payload/processes/c:2/pin:compact/transport:shm/size:2000\"", "bmf");
  cbt_expect_in(r.out, "\"comm.payload/processes/c:2/pin:compact/transport:shm/size:64\"", "bmf");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bad_input),
    cmocka_unit_test(test_formats_and_exports),
    cmocka_unit_test(test_names_are_unique),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
