/* Tests of `concbench plot` (plot/, cli/cmd_plot.c, the gnuplot scripts in
 * plot/) apart from what its charts show: the pure helpers (quoting for
 * gnuplot, the palette, finding the newest CSV) called directly; the usage,
 * bad inputs, a missing gnuplot, odd inputs (runners missing, one
 * concurrency, a quoted directory, a directory) with the binary ($CONCBENCH)
 * run with fork+execve, never through a shell. A chart is checked as a file:
 * a PNG starts with the signature, has the canvas size in its IHDR and is
 * more than a few KB; an SVG is a complete document that holds the chart's
 * title (tests/test_plt.c). What the charts show: test_plot_charts.c. */
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
    cbt_write_file(path, plt_header);
    t[0].tv_sec = t[1].tv_sec = 1000 + 100 * (time_t)i;
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
  }
  assert_int_equal(cb_plot_latest(dir, got, sizeof(got)), 0);
  snprintf(path, sizeof(path), "%s/concbench-b.csv", dir);
  assert_string_equal(got, path);
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
  if (!plt_have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  plt_plot_file(dir, "two.csv", plt_missing_runners_csv(), &r);
  cbt_expect_exit(&r, 0, "plot two.csv");
  snprintf(charts, sizeof(charts), "%s/charts", dir);
  plt_check_chart(charts, "scaling-cpu.hash", "cpu.hash: throughput vs concurrency");
  plt_check_chart(charts, "latency-cpu.hash", NULL);
  plt_check_chart(charts, "efficiency-cpu.hash", NULL);
  plt_check_chart(charts, "winners", "Who wins");
  plt_check_no_chart(charts, "speedup-cpu.hash");
  plt_check_no_chart(charts, "memory");
  plt_check_no_chart(charts, "payload");
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
  if (!plt_have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  plt_plot_file(dir, "one.csv", plt_single_concurrency_csv(), &r);
  cbt_expect_exit(&r, 0, "plot one.csv");
  snprintf(charts, sizeof(charts), "%s/charts", dir);
  plt_check_chart(charts, "scaling-io.sleep", "io.sleep: throughput vs concurrency");
  plt_check_chart(charts, "speedup-io.sleep", "ideal: c");
  plt_check_chart(charts, "latency-io.sleep", NULL);
  plt_check_chart(charts, "efficiency-io.sleep", NULL);
  plt_check_chart(charts, "winners", NULL);
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
  if (!plt_have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  snprintf(csv, sizeof(csv), "%s/one.csv", dir);
  snprintf(out, sizeof(out), "%s/it's \"here\"; #1", dir);
  text = plt_single_concurrency_csv();
  cbt_write_file(csv, text);
  free(text);
  cbt_run(NULL, argv, &r);
  cbt_expect_exit(&r, 0, "plot -o with quotes");
  plt_check_chart(out, "scaling-io.sleep", NULL);
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
  if (!plt_have_gnuplot())
    skip();
  cbt_make_dir(dir, sizeof(dir), "plot");
  snprintf(csv, sizeof(csv), "%s/concbench-20261122T100000Z-0.csv", dir);
  text = plt_single_concurrency_csv();
  cbt_write_file(csv, text);
  free(text);
  cbt_run(NULL, argv, &r);
  cbt_expect_exit(&r, 0, "plot DIR");
  snprintf(charts, sizeof(charts), "%s/concbench-20261122T100000Z-0-charts", dir);
  plt_check_chart(charts, "scaling-io.sleep", NULL);
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
    { plt_header, "line 2" },
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
    snprintf(text, sizeof(text), "%s%s", plt_header,
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
  text = plt_single_concurrency_csv();
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
    cmocka_unit_test(test_missing_runners),
    cmocka_unit_test(test_single_concurrency),
    cmocka_unit_test(test_quoted_directory),
    cmocka_unit_test(test_directory_input),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
