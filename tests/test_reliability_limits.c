/* What an adversarial user tries against the limits of the machine and of
 * the formats (docs/RELIABILITY.md, "Adversarial use"), one test per class
 * of failure:
 *
 * - a small stack (RLIMIT_STACK 28 KiB) for every command;
 * - expected checksums that would take hours: killed at the trial timeout;
 * - stdout that cannot be written, a directory that cannot be written;
 * - a large generated CSV (300000 trials in one cell: a quadratic statistic
 *   could not finish within the test's timeout; no time is measured);
 * - Markdown injection through host names and --charts.
 *
 * Each test runs the binary (path in $CONCBENCH) with fork+execv, never a
 * shell; the test makes itself a child subreaper (tests/test_rel.c), so a
 * process that outlives the command it belongs to comes back here and is
 * counted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "stats.h"
#include "summary.h"
#include "table.h"
#include "common.h"
#include "test_rel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 40
#define POLL_MS 20

/* ---- 1. small stack; work on a trial's behalf under its timeout ----------- */

static void test_small_stack(void **state)
{
  static const char *const cmds[][16] = {
    { "list", NULL },
    { "topology", NULL },
    { "--version", NULL },
    { "run", "-w", "noop,cpu.hash,io.file", "-r", "serial,threads,processes", "-c", "1,2",
      "-t", "20", "-s", "10", NULL },
    { "summary", "in.csv", "-q", NULL },
    { "report", "in.csv", NULL },
    { "compare", "in.csv", "in.csv", NULL },
    { "compare", "--export", "gbench", "in.csv", NULL },
    { "fingerprint", NULL },
    { "fingerprint", "--check", "in.csv", "in.csv", NULL },
    /* a binary against itself: --threshold 99, so that noise in trials of
     * 20 empty tasks can never read as a regression (exit 1) */
    { "ab", "--base", "@BIN", "-w", "noop", "-r", "serial,threads", "-t", "20", "--reps", "5",
      "--threshold", "99", NULL },
  };
  cbt_spawn_t o = { .stack = 28 * 1024, .out_fd = -1 };
  char dir[256], what[1024];
  const char *argv[20];
  size_t i, k, n;
  cbt_result_t r;
  int rep;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "stack");
  rel_make_trials(dir, "in.csv");
  o.dir = dir;
  /* The stack's start moves with address randomisation: several tries. */
  for (rep = 0; rep < 4; rep++) {
    for (i = 0; i < ARRAY_SIZE(cmds); i++) {
      for (n = 0; cmds[i][n] != NULL; n++)
        argv[n] = strcmp(cmds[i][n], "@BIN") == 0 ? getenv("CONCBENCH") : cmds[i][n];
      if (strcmp(argv[0], "run") == 0) {
        const char *more[] = { "--reps", "1", "--warmup", "0", "-q", "-o", "run.csv" };
        for (k = 0; k < ARRAY_SIZE(more); k++)
          argv[n++] = more[k];
      }
      if (strcmp(argv[0], "ab") == 0) {
        const char *more[] = { "--warmup", "0", "-q", "-o", "ab.csv" };
        for (k = 0; k < ARRAY_SIZE(more); k++)
          argv[n++] = more[k];
      }
      argv[n] = NULL;
      cbt_describe(argv, what, sizeof(what));
      rel_run(&o, argv, &r);
      rel_expect_exit(&r, 0, what);
      cbt_result_free(&r);
    }
  }
  assert_int_equal(rel_survivors(), 0);
  cbt_remove_tree(dir);
}

/* Expected checksums that would take hours (cpu.hash at its largest size)
 * are computed by a supervised child and killed at the trial timeout: the
 * trial is recorded as a timeout that says so. */
static void test_expected_checksums_time_out(void **state)
{
  static const char *const argv[] = { "run", "-w", "cpu.hash", "-s", "10000000000", "-r",
                                       "serial", "-t", "100", "--reps", "2", "--warmup", "0",
                                       "--trial-timeout", "1", "-o", "out.csv", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], path[320], err[256];
  cb_table_t t;
  cbt_result_t r;
  size_t row;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "expect");
  o.dir = dir;
  rel_run(&o, argv, &r);
  rel_expect_exit(&r, 1, "run with hour-long expected checksums");
  cbt_expect_in(r.err, "computing the expected checksums: killed after 1 s", "stderr");
  rel_path_in(path, sizeof(path), dir, "out.csv");
  if (cb_table_load(path, &t, err, sizeof(err)) != 0)
    fail_msg("%s", err);
  assert_int_equal(t.rows, 3);
  for (row = 1; row < t.rows; row++) {
    assert_string_equal(cb_table_get(&t, row, (size_t)cb_table_col(&t, "status")), "timeout");
    cbt_expect_in(cb_table_get(&t, row, (size_t)cb_table_col(&t, "message")),
              "computing the expected checksums", "the row's message");
  }
  cb_table_free(&t);
  cbt_result_free(&r);
  assert_int_equal(rel_survivors(), 0);
  cbt_remove_tree(dir);
}


/* ---- 8. stdout and directories that cannot be written --------------------- */

static void test_unwritable_stdout(void **state)
{
  static const char *const cmds[][6] = {
    { "list", NULL },
    { "topology", NULL },
    { "--version", NULL },
    { "summary", "in.csv", "-q", NULL },
    { "report", "in.csv", NULL },
    { "compare", "in.csv", "in.csv", NULL },
    { "run", "-w", "noop", "-r", "serial", NULL },
  };
  cbt_spawn_t o = { .out_fd = open("/dev/full", O_WRONLY | O_CLOEXEC) };
  char dir[256], what[1024];
  const char *argv[20];
  cbt_result_t r;
  size_t i, n;

  (void)state;
  assert_true(o.out_fd >= 0);
  rel_make_dir(dir, sizeof(dir), "stdout");
  rel_make_trials(dir, "in.csv");
  o.dir = dir;
  for (i = 0; i < ARRAY_SIZE(cmds); i++) {
    for (n = 0; cmds[i][n] != NULL; n++)
      argv[n] = cmds[i][n];
    if (strcmp(argv[0], "run") == 0) {
      static const char *const more[] = { "-t", "10", "--reps", "1", "--warmup", "0", "-q",
                                           "-o", "r.csv" };
      for (size_t k = 0; k < ARRAY_SIZE(more); k++)
        argv[n++] = more[k];
    }
    argv[n] = NULL;
    cbt_describe(argv, what, sizeof(what));
    rel_run(&o, argv, &r);
    rel_expect_exit(&r, 1, what);
    cbt_expect_in(r.err, "cannot write to stdout: No space left on device", what);
    rel_expect_lines(r.err, what);
    cbt_result_free(&r);
  }
  close(o.out_fd);
  /* The same exit code in every command for an output that takes nothing. */
  o.out_fd = -1;
  for (i = 0; i < rel_writers_n; i++) {
    rel_writer_argv(i, "/dev/full", argv);
    cbt_describe(argv, what, sizeof(what));
    rel_run(&o, argv, &r);
    rel_expect_exit(&r, 1, what);
    cbt_expect_in(r.err, "cannot write '/dev/full': No space left on device", what);
    rel_expect_lines(r.err, what);
    cbt_result_free(&r);
  }
  cbt_remove_tree(dir);
}

/* A working directory nobody may write in: the real cause (EACCES), not
 * the ENOENT of the directory that could not be made. */
static void test_unwritable_directory(void **state)
{
  static const char *const argv[] = { "run", "-w", "noop", "-r", "serial", "-t", "10",
                                      "--reps", "1", "--warmup", "0", "-q", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256];
  cbt_result_t r;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "rodir");
  assert_int_equal(chmod(dir, 0555), 0);
  o.dir = dir;
  o.nobody = geteuid() == 0; /* root writes anywhere: be somebody else */
  rel_run(&o, argv, &r);
  rel_expect_exit(&r, 2, "run in a read-only directory");
  cbt_expect_in(r.err, "'results'", "run's message");
  cbt_expect_in(r.err, strerror(EACCES), "run's message");
  rel_expect_lines(r.err, "run in a read-only directory");
  cbt_result_free(&r);
  assert_int_equal(chmod(dir, 0755), 0);
  cbt_remove_tree(dir);
}

/* ---- 9. a large CSV --------------------------------------------------------- */

#define BIG_ROWS 300000u

/* BIG_ROWS trials of one cell (throughput 1000 + i % 1000 in a scrambled
 * order) and 20 of another: a per-row quadratic statistic (the old median
 * CI: 7 s for 20000 rows here) could not finish inside this test's timeout. */
static void write_big(const char *path)
{
  FILE *f = fopen(path, "wb");
  unsigned i;

  assert_non_null(f);
  fputs("host,workload,runner,transport,pin,concurrency,tasks,size,payload,wall_s,throughput,"
        "lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,failed,status\n", f);
  for (i = 0; i < BIG_ROWS + 20; i++) {
    unsigned v = (i * 7919u) % 1000u;
    fprintf(f, "h,noop,%s,inproc,none,1,100,0,0,0.1,%u,1,2,0.01,0,100,0,ok\n",
            i < BIG_ROWS ? "threads" : "serial", 1000 + v);
  }
  assert_int_equal(fclose(f), 0);
}

static void test_big_csv(void **state)
{
  static const char *const summary[] = { "summary", "big.csv", "-q", "-o", "s.csv", NULL };
  static const char *const report[] = { "report", "big.csv", "-o", "r.md", NULL };
  static const char *const compare[] = { "compare", "big.csv", "big.csv", "-f", "csv", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], path[320], err[256];
  size_t lo, hi, n = BIG_ROWS;
  double level;
  cb_table_t t;
  cbt_result_t r;
  long c;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "big");
  rel_path_in(path, sizeof(path), dir, "big.csv");
  write_big(path);
  o.dir = dir;
  rel_run(&o, summary, &r);
  rel_expect_exit(&r, 0, "summary of 300020 trials");
  cbt_result_free(&r);
  rel_path_in(path, sizeof(path), dir, "s.csv");
  if (cb_table_load(path, &t, err, sizeof(err)) != 0)
    fail_msg("%s", err);
  assert_int_equal(t.rows, 3);
  c = cb_table_col(&t, "runner");
  assert_true(c >= 0);
  assert_string_equal(cb_table_get(&t, 1, (size_t)c), "serial");
  assert_string_equal(cb_table_get(&t, 2, (size_t)cb_table_col(&t, "n")), "300000");
  /* 300 of each value 1000..1999: the median is 1499.5 */
  assert_string_equal(cb_table_get(&t, 2, (size_t)cb_table_col(&t, "throughput_median")), "1499.5");
  cb_table_free(&t);
  /* The interval's ranks: binomial(n, 1/2) quantiles, n/2 -+ 1.96 sqrt(n)/2. */
  cb_median_ci_ranks(n, 0.95, &lo, &hi, &level);
  assert_true(lo >= 149460 && lo <= 149465);
  assert_int_equal(hi, n - 1 - lo);
  assert_true(level >= 0.95 && level < 0.9505);

  rel_run(&o, report, &r);
  rel_expect_exit(&r, 0, "report of 300020 trials");
  cbt_result_free(&r);
  rel_run(&o, compare, &r);
  rel_expect_exit(&r, 0, "compare of 300020 trials with themselves");
  if (cbt_count_lines_with(r.out, "noop") != 2 || strstr(r.out, ",unchanged,") == NULL)
    fail_msg("compare: %s", r.out);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

/* ---- 10. Markdown injection ------------------------------------------------ */

/* Cells of a table row: '|' not escaped by a backslash, minus one. */
static int table_cells(const char *line, size_t len)
{
  int n = 0;
  size_t i;

  for (i = 0; i < len; i++)
    n += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
  return n - 1;
}

static void test_markdown_injection(void **state)
{
  static const char csv[] =
      "host,cpu_model,kernel,workload,runner,transport,pin,concurrency,tasks,size,payload,"
      "wall_s,throughput,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,status\n"
      "a|b,\"x`y*z_[l](http://e)<b>\",k|1,noop,threads,inproc,none,1,10,0,0,0.1,100,1,2,0,0,1,ok\n"
      "a|b,\"x`y*z_[l](http://e)<b>\",k|1,noop,threads,inproc,none,1,10,0,0,0.1,101,1,2,0,0,1,ok\n";
  const char *argv[] = { "report", "in.csv", "--charts", "my charts)](evil\n# x", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], path[320];
  const char *p, *end;
  int header = -1;
  cbt_result_t r;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "md");
  rel_path_in(path, sizeof(path), dir, "in.csv");
  cbt_write_file(path, csv);
  o.dir = dir;
  rel_run(&o, argv, &r);
  rel_expect_exit(&r, 0, "report of hostile values");
  /* Every row of a table has as many cells as its header. */
  for (p = r.out; *p != '\0'; p = *end ? end + 1 : end) {
    end = strchr(p, '\n');
    if (end == NULL)
      end = p + strlen(p);
    if (*p != '|') {
      header = -1;
      continue;
    }
    if (header < 0)
      header = table_cells(p, (size_t)(end - p));
    else if (table_cells(p, (size_t)(end - p)) != header)
      fail_msg("a table row with %d cells under a header of %d: %.*s", table_cells(p, (size_t)(end - p)),
               header, (int)(end - p), p);
  }
  cbt_expect_in(r.out, "| host | a\\|b |", "the machine table");
  cbt_expect_in(r.out, "x\\`y\\*z\\_\\[l\\](http://e)\\<b\\>", "the CPU model");
  /* The link's destination: no space, bracket, parenthesis or line break. */
  cbt_expect_in(r.out, "(my%20charts%29%5D%28evil%0A%23%20x/winners.svg)", "the winners link");
  if (strstr(r.out, "\n# x") != NULL)
    fail_msg("--charts made a heading: %s", r.out);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_small_stack),
    cmocka_unit_test(test_expected_checksums_time_out),
    cmocka_unit_test(test_unwritable_stdout),
    cmocka_unit_test(test_unwritable_directory),
    cmocka_unit_test(test_big_csv),
    cmocka_unit_test(test_markdown_injection),
  };

  if (rel_start() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
