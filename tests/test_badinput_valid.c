/* Integration test of the other side of the CLI's contract for bad input
 * (test_badinput.c): valid invocations (list, --version, --help, a tiny run
 * and its CSV, serial at c = 1 only) exit 0 and write what they should. The
 * binary (path in $CONCBENCH) is run with fork+execv, never through a shell,
 * in a fresh directory (tests/test_bad.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cb_config.h"
#include "record.h"
#include "runner.h"
#include "workload.h"
#include "common.h"
#include "test_bad.h"

/* Run a valid command in a fresh directory; expect exit 0. */
static void run_ok(const char *const *argv, char *dir, size_t dirlen, cbt_result_t *r)
{
  char cmd[2048];

  cbt_make_dir(dir, dirlen, "badinput");
  cbt_describe(argv, cmd, sizeof(cmd));
  bad_run_bench(argv, dir, r);
  cbt_expect_no_crash(r, cmd);
  if (WEXITSTATUS(r->status) != 0)
    fail_msg("%s: exit code %d, expected 0; stderr: %s", cmd, WEXITSTATUS(r->status), r->err);
}

static int has_line_prefix(const char *text, const char *prefix)
{
  const char *p = text;
  size_t n = strlen(prefix);

  while (p != NULL && *p != '\0') {
    if (strncmp(p, prefix, n) == 0)
      return 1;
    p = strchr(p, '\n');
    if (p != NULL)
      p++;
  }
  return 0;
}

static void test_list(void **state)
{
  static const char *const argv[] = {"list", NULL};
  char dir[512], prefix[256], list[1024];
  cbt_result_t r = {0};
  size_t i, lines = 0;
  const char *p;

  (void)state;
  run_ok(argv, dir, sizeof(dir), &r);
  assert_true(cb_workloads_count > 0);
  assert_true(cb_runners_count > 0);
  for (i = 0; i < cb_workloads_count; i++) {
    snprintf(prefix, sizeof(prefix), "workload\t%s\t", cb_workloads[i]->name);
    if (!has_line_prefix(r.out, prefix))
      fail_msg("list does not show workload %s:\n%s", cb_workloads[i]->name, r.out);
  }
  for (i = 0; i < cb_runners_count; i++) {
    snprintf(prefix, sizeof(prefix), "runner\t%s\t", cb_runners[i]->name);
    if (!has_line_prefix(r.out, prefix))
      fail_msg("list does not show runner %s:\n%s", cb_runners[i]->name, r.out);
  }
  /* One line each, and nothing else. */
  for (p = r.out; (p = strchr(p, '\n')) != NULL; p++)
    lines++;
  assert_int_equal(lines, cb_workloads_count + cb_runners_count);
  assert_true(r.outlen > 0 && r.out[r.outlen - 1] == '\n');
  assert_int_equal(r.errlen, 0);
  cbt_listing(dir, list, sizeof(list));
  assert_string_equal(list, "");
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

static void test_version(void **state)
{
  static const char *const argv[] = {"--version", NULL};
  char dir[512], want[64];
  cbt_result_t r = {0};

  (void)state;
  run_ok(argv, dir, sizeof(dir), &r);
  snprintf(want, sizeof(want), "concbench %s", CB_VERSION);
  if (strncmp(r.out, want, strlen(want)) != 0)
    fail_msg("--version printed '%s', expected it to start with '%s'", r.out, want);
  assert_int_equal(r.errlen, 0);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

static void test_help_is_not_an_error(void **state)
{
  static const char *const argv[] = {"run", "--help", NULL};
  char dir[512], list[1024];
  cbt_result_t r = {0};

  (void)state;
  run_ok(argv, dir, sizeof(dir), &r);
  assert_non_null(strstr(r.out, "usage: concbench run"));
  assert_int_equal(r.errlen, 0);
  cbt_listing(dir, list, sizeof(list));
  assert_string_equal(list, "");
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

#define MAX_FIELDS 64

#define MAX_RECORDS 16

typedef struct csv_s {
  char *field[MAX_RECORDS][MAX_FIELDS];
  size_t nfields[MAX_RECORDS];
  size_t nrecords;
} csv_t;

/* RFC 4180: fields separated by ',', records ended by "\n" (or "\r\n"),
 * quoted fields may hold ',', '"' (doubled) and newlines. Strict: a record
 * must end with a newline, a quote may only open a field. */
static void csv_parse(const char *s, csv_t *c)
{
  char buf[4096];
  size_t n = 0;
  int quoted = 0, was_quoted = 0;

  memset(c, 0, sizeof(*c));
  while (*s != '\0') {
    char ch = *s++;
    if (quoted) {
      if (ch == '"' && *s == '"') {
        buf[n++] = '"';
        s++;
      } else if (ch == '"') {
        quoted = 0;
        if (*s != ',' && *s != '\n' && *s != '\r')
          fail_msg("CSV: text after a closing quote");
      } else {
        buf[n++] = ch;
      }
    } else if (ch == '"') {
      if (n != 0 || was_quoted)
        fail_msg("CSV: quote inside an unquoted field");
      quoted = was_quoted = 1;
    } else if (ch == ',' || ch == '\n' || (ch == '\r' && *s == '\n')) {
      assert_true(c->nrecords < MAX_RECORDS);
      assert_true(c->nfields[c->nrecords] < MAX_FIELDS);
      buf[n] = '\0';
      c->field[c->nrecords][c->nfields[c->nrecords]++] = strdup(buf);
      n = 0;
      was_quoted = 0;
      if (ch == '\r')
        ch = *s++;
      if (ch == '\n')
        c->nrecords++;
    } else {
      buf[n++] = ch;
    }
    assert_true(n < sizeof(buf));
  }
  if (quoted || n != 0 || was_quoted)
    fail_msg("CSV: the last record does not end with a newline");
}

static void csv_free(csv_t *c)
{
  size_t i, j;

  for (i = 0; i < MAX_RECORDS; i++)
    for (j = 0; j < c->nfields[i]; j++)
      free(c->field[i][j]);
}

static size_t csv_column(const csv_t *c, const char *name)
{
  size_t j;

  for (j = 0; j < c->nfields[0]; j++) {
    if (strcmp(c->field[0][j], name) == 0)
      return j;
  }
  fail_msg("CSV header has no column '%s'", name);
  return 0;
}

static void test_valid_run(void **state)
{
  /* The columns DESIGN.md promises. */
  static const char *const columns[] = {
    "run_id", "timestamp", "host", "cpu_model", "pus", "cores", "kernel", "compiler",
    "concbench_version", "workload", "family", "runner", "transport", "pin", "concurrency",
    "workers", "tasks", "size", "payload", "rep", "wall_s", "throughput", "lat_p50_us",
    "lat_p99_us", "user_s", "sys_s", "vcsw", "ivcsw", "maxrss_kb", "failed", "verified",
    "status"};
  static const char *const argv[] = {"run", "-w", "noop", "-r", "serial,threads", "-c", "1",
                                     "-t", "10", "--reps", "2", "--warmup", "0",
                                     "-o", OUT_, "-q", NULL};
  char dir[512], path[600], list[1024];
  size_t status, verified, runner, workload, conc, tasks, rep, i, j;
  unsigned serial_reps = 0, threads_reps = 0;
  cbt_result_t r = {0};
  char *text;
  size_t len;
  csv_t c;

  (void)state;
  run_ok(argv, dir, sizeof(dir), &r);
  cbt_listing(dir, list, sizeof(list));
  /* the trial CSV, its metadata and the summary derived from it, nothing else */
  assert_string_equal(list, "out.csv out.meta.json out.summary.csv");

  snprintf(path, sizeof(path), "%s/out.csv", dir);
  text = cbt_slurp_path(path, &len);
  assert_int_equal(strlen(text), len);
  csv_parse(text, &c);

  /* Header plus 2 cells (serial once at c = 1, threads at c = 1) x 2 reps. */
  if (c.nrecords != 5)
    fail_msg("expected a header and 4 rows, got %zu records:\n%s", c.nrecords, text);
  for (i = 0; i < ARRAY_SIZE(columns); i++)
    csv_column(&c, columns[i]);
  for (i = 1; i < c.nrecords; i++)
    assert_int_equal(c.nfields[i], c.nfields[0]);
  status = csv_column(&c, "status");
  verified = csv_column(&c, "verified");
  runner = csv_column(&c, "runner");
  workload = csv_column(&c, "workload");
  conc = csv_column(&c, "concurrency");
  tasks = csv_column(&c, "tasks");
  rep = csv_column(&c, "rep");
  for (i = 1; i < c.nrecords; i++) {
    char *const *row = c.field[i];
    assert_string_equal(row[status], "ok");
    assert_string_equal(row[verified], "1");
    assert_string_equal(row[workload], "noop");
    assert_string_equal(row[conc], "1");
    assert_string_equal(row[tasks], "10");
    if (strcmp(row[runner], "serial") == 0)
      serial_reps |= 1u << atoi(row[rep]);
    else if (strcmp(row[runner], "threads") == 0)
      threads_reps |= 1u << atoi(row[rep]);
    else
      fail_msg("unexpected runner '%s'", row[runner]);
    assert_true(strcmp(row[rep], "0") == 0 || strcmp(row[rep], "1") == 0);
  }
  /* Each runner has rep 0 and rep 1: four distinct rows. */
  assert_int_equal(serial_reps, 3);
  assert_int_equal(threads_reps, 3);
  /* The run id is one per run. */
  j = csv_column(&c, "run_id");
  for (i = 2; i < c.nrecords; i++)
    assert_string_equal(c.field[i][j], c.field[1][j]);
  /* Quiet: no progress and no complaints. */
  assert_int_equal(r.errlen, 0);

  csv_free(&c);
  free(text);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

/* Serial is the baseline: one cell at c = 1 whatever the concurrency list. */
static void test_serial_runs_once(void **state)
{
  static const char *const argv[] = {"run", "-w", "noop", "-r", "serial", "-c", "1,2,8",
                                     "-t", "10", "--reps", "1", "--warmup", "0",
                                     "-o", OUT_, "-q", NULL};
  char dir[512], path[600], list[1024];
  cbt_result_t r = {0};
  size_t len;
  char *text;
  csv_t c;

  (void)state;
  run_ok(argv, dir, sizeof(dir), &r);
  cbt_listing(dir, list, sizeof(list));
  assert_string_equal(list, "out.csv out.meta.json out.summary.csv");
  snprintf(path, sizeof(path), "%s/out.csv", dir);
  text = cbt_slurp_path(path, &len);
  csv_parse(text, &c);
  if (c.nrecords != 2)
    fail_msg("expected a header and 1 row, got %zu records:\n%s", c.nrecords, text);
  assert_string_equal(c.field[1][csv_column(&c, "runner")], "serial");
  assert_string_equal(c.field[1][csv_column(&c, "concurrency")], "1");
  assert_string_equal(c.field[1][csv_column(&c, "status")], "ok");
  csv_free(&c);
  free(text);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_list),
    cmocka_unit_test(test_version),
    cmocka_unit_test(test_help_is_not_an_error),
    cmocka_unit_test(test_valid_run),
    cmocka_unit_test(test_serial_runs_once),
  };

  if (getenv("CONCBENCH") == NULL) {
    fprintf(stderr, "CONCBENCH is not set (meson test sets it)\n");
    return 1;
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
