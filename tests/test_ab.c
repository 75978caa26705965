/* Tests of `concbench ab` (cli/cmd_ab.c, harness/spawn.c, cli/ab_rev.c): a
 * build against itself, cells it refuses, an older base revision, the
 * dispatch modes, an interrupted run and bad usage. Everything runs as
 * processes ($CONCBENCH, and the script from the source tree) with
 * fork+execv, never through a shell, in a fresh mkdtemp directory that is
 * also TMPDIR, so leftovers of temporary files would be seen.
 *
 * No assertion depends on timing: comparisons of a build with itself run with
 * --threshold 99 (a regression would need a 100-fold slowdown), and the
 * detection of a slowed build is a measured check (scripts/ab-selftest), not
 * a unit test. The rest of the CI gate: test_ab_gate.c. */
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

/* The (side, workload, runner) of every row of an ab CSV, in file order. */
typedef struct abrow_s {
  char side[8], workload[32], runner[32], rev[64], run_id[64], dispatch[32];
  unsigned rep;
} abrow_t;

static size_t ab_rows(const cbt_dir_t *d, const char *name, abrow_t *rows, size_t max)
{
  static const char *const cols[] = { "side", "workload", "runner", "git_revision", "run_id",
                                      "rep", "dispatch" };
  char path[2048], err[256];
  long k[7];
  cb_table_t t;
  size_t r, i;

  cbt_dir_file(d, name, path, sizeof(path));
  assert_int_equal(cb_table_load(path, &t, err, sizeof(err)), 0);
  assert_string_equal(cb_table_get(&t, 0, 0), "side");
  for (i = 0; i < 7; i++) {
    k[i] = cb_table_col(&t, cols[i]);
    assert_true(k[i] >= 0);
  }
  assert_true(t.rows - 1 <= max);
  for (r = 1; r < t.rows; r++) {
    abrow_t *x = &rows[r - 1];
    snprintf(x->side, sizeof(x->side), "%s", cb_table_get(&t, r, (size_t)k[0]));
    snprintf(x->workload, sizeof(x->workload), "%s", cb_table_get(&t, r, (size_t)k[1]));
    snprintf(x->runner, sizeof(x->runner), "%s", cb_table_get(&t, r, (size_t)k[2]));
    snprintf(x->rev, sizeof(x->rev), "%s", cb_table_get(&t, r, (size_t)k[3]));
    snprintf(x->run_id, sizeof(x->run_id), "%s", cb_table_get(&t, r, (size_t)k[4]));
    x->rep = (unsigned)strtoul(cb_table_get(&t, r, (size_t)k[5]), NULL, 10);
    snprintf(x->dispatch, sizeof(x->dispatch), "%s", cb_table_get(&t, r, (size_t)k[6]));
  }
  r = t.rows - 1;
  cb_table_free(&t);
  return r;
}

/* A binary against itself: every trial of both sides, in the one order that
 * the seed gives, each side's repetitions numbered, judged, nothing left in
 * TMPDIR. */
static void test_ab_self(void **state)
{
  /* the matrix's cells, in its order: workloads as listed, then runners */
  static const char *const cw[] = { "noop", "noop", "cpu.hash", "cpu.hash" };
  static const char *const cr[] = { "serial", "threads", "serial", "threads" };
  const size_t ncells = 4, reps = 5, warmup = 1;
  char out[2048], line[256];
  unsigned seen[2][4] = { { 0 } };
  abrow_t rows[64];
  cb_slot_t *order;
  size_t n, total, i, k = 0;
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  cbt_dir_make(&d, "ab");
  cbt_dir_file(&d, "ab.csv", out, sizeof(out));
  cbt_run_in(&d, &r, "ab", "--base", cbt_concbench(), "--new", cbt_concbench(), "-w", "noop,cpu.hash",
         "-r", "serial,threads", "-c", "1", "-t", "100", "-s", "100", "--reps", "5",
         "--warmup", "1", "--seed", "7", "--threshold", "99", "-q", "-o", out, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "metric: throughput", "stdout");
  cbt_expect_in(r.out, "4 cells compared: 0 slower (regressions)", "stdout");
  cbt_result_free(&r);

  n = ab_rows(&d, "ab.csv", rows, 64);
  assert_int_equal(n, 2 * ncells * reps);
  order = cb_schedule(2 * ncells, warmup, reps, 7, &total);
  assert_non_null(order);
  assert_int_equal(total, 2 * ncells * (reps + warmup));
  for (i = 0; i < total; i++) {
    size_t side = order[i].cell % 2, cell = order[i].cell / 2;
    if (order[i].rep < 0)
      continue;
    assert_true(k < n);
    assert_string_equal(rows[k].side, side == 0 ? "base" : "new");
    assert_string_equal(rows[k].workload, cw[cell]);
    assert_string_equal(rows[k].runner, cr[cell]);
    assert_int_equal(rows[k].rep, seen[side][cell]++);
    assert_string_equal(rows[k].run_id, rows[0].run_id);
    assert_true(rows[k].rev[0] != '\0');
    k++;
  }
  assert_int_equal(k, n);
  free(order);
  assert_int_equal(cbt_count_entries(d.tmp), 0);

  /* The comparison beside the CSV: one row per cell. */
  cbt_dir_file(&d, "ab.compare.csv", out, sizeof(out));
  {
    FILE *f = fopen(out, "r");
    size_t lines = 0;
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL)
      lines += strchr(line, '\n') != NULL;
    fclose(f);
    assert_int_equal(lines, 1 + ncells);
  }
  cbt_remove_tree(d.path);
}

/* An executable shell script `name` in d standing in for a concbench
 * binary: fmt (one %s: this concbench's path) is its text. Its path goes
 * to script. */
static void wrapper(char *script, size_t len, const cbt_dir_t *d, const char *name,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void wrapper(char *script, size_t len, const cbt_dir_t *d, const char *name,
                    const char *fmt, ...)
{
  char text[4096];
  va_list ap;

  cbt_dir_file(d, name, script, len);
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  cbt_write_file(script, text);
  assert_int_equal(chmod(script, 0755), 0);
}

/* A dispatch mode other than the default is passed to each trial: the rows
 * say it, and a base that refuses --dispatch (older than it) has those
 * cells left out while the default ones are compared. */
static void test_ab_dispatch(void **state)
{
  char script[2048], out[2048];
  size_t n, i, queue[2] = { 0 }, shared[2] = { 0 };
  abrow_t rows[64];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  cbt_dir_make(&d, "ab");
  wrapper(script, sizeof(script), &d, "old-concbench",
          "#!/bin/sh\n"
          "case \" $* \" in *\" --dispatch \"*)\n"
          "  echo \"concbench run: unknown option '--dispatch'\" >&2; exit 2;;\n"
          "esac\n"
          "exec '%s' \"$@\"\n", cbt_concbench());
  cbt_dir_file(&d, "ab.csv", out, sizeof(out));
  cbt_run_in(&d, &r, "ab", "--base", script, "-w", "noop", "-r", "processes", "-c", "2",
         "--dispatch", "shared,queue", "-t", "100", "--reps", "4", "--warmup", "0",
         "--threshold", "99", "-q", "-o", out, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.err, "concbench ab: base cannot run noop processes c=2, left out: concbench run: "
            "unknown option '--dispatch'\n", "stderr");
  cbt_expect_in(r.out, "noop/processes/c:2/pin:compact/dispatch:queue", "stdout");
  cbt_expect_in(r.out, "only in NEW", "stdout");
  cbt_expect_in(r.out, "1 cells compared", "stdout");
  cbt_result_free(&r);
  n = ab_rows(&d, "ab.csv", rows, 64);
  for (i = 0; i < n; i++) {
    int side = strcmp(rows[i].side, "new") == 0;
    queue[side] += strcmp(rows[i].dispatch, "queue") == 0;
    shared[side] += strcmp(rows[i].dispatch, "shared") == 0;
  }
  assert_int_equal(n, 4 + 4 + 4);
  assert_int_equal(queue[0], 0);
  assert_int_equal(queue[1], 4);
  assert_int_equal(shared[0], 4);
  assert_int_equal(shared[1], 4);
  assert_int_equal(cbt_count_entries(d.tmp), 0);
  cbt_remove_tree(d.path);
}

/* A base that does not know a workload (an older revision): its cells are
 * left out of that side and listed as only in NEW. */
static void test_ab_refused_cell(void **state)
{
  char script[2048], out[2048];
  size_t n, i, base_hash = 0, new_hash = 0;
  abrow_t rows[64];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  cbt_dir_make(&d, "ab");
  wrapper(script, sizeof(script), &d, "old-concbench",
          "#!/bin/sh\n"
          "case \" $* \" in *\" cpu.hash \"*)\n"
          "  echo \"concbench run: unknown workload 'cpu.hash'\" >&2; exit 2;;\n"
          "esac\n"
          "exec '%s' \"$@\"\n", cbt_concbench());
  cbt_dir_file(&d, "ab.csv", out, sizeof(out));
  cbt_run_in(&d, &r, "ab", "--base", script, "-w", "noop,cpu.hash", "-r", "serial", "-t", "100",
         "-s", "100", "--reps", "4", "--warmup", "0", "--threshold", "99", "-q", "-o", out,
         NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.err, "concbench ab: base cannot run cpu.hash serial c=1, left out: concbench run: "
            "unknown workload 'cpu.hash'\n", "stderr");
  cbt_expect_in(r.out, "cpu.hash/serial/c:1/pin:compact", "stdout");
  cbt_expect_in(r.out, "only in NEW", "stdout");
  cbt_expect_in(r.out, "1 cells compared", "stdout");
  cbt_result_free(&r);
  n = ab_rows(&d, "ab.csv", rows, 64);
  for (i = 0; i < n; i++) {
    base_hash += strcmp(rows[i].side, "base") == 0 && strcmp(rows[i].workload, "cpu.hash") == 0;
    new_hash += strcmp(rows[i].side, "new") == 0 && strcmp(rows[i].workload, "cpu.hash") == 0;
  }
  assert_int_equal(n, 4 + 4 + 4);
  assert_int_equal(base_hash, 0);
  assert_int_equal(new_hash, 4);
  assert_int_equal(cbt_count_entries(d.tmp), 0);
  cbt_remove_tree(d.path);
}

/* --metric: a base whose every trial reports a p99 latency of 1 ns (a
 * wrapper rewrites its CSV) is no regression by throughput, the default,
 * and a regression of every cell by lat_p99_us; a bad name exits 2. */
static void test_ab_metric(void **state)
{
  char script[2048], out[2048];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  cbt_dir_make(&d, "ab");
  wrapper(script, sizeof(script), &d, "fast-p99",
          "#!/bin/sh\n"
          "'%s' \"$@\"; rc=$?\n"
          "out=; prev=; for a in \"$@\"; do [ \"$prev\" = -o ] && out=$a; prev=$a; done\n"
          "awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"lat_p99_us\") k = i;\n"
          "  print; next } { $k = 0.001; print }' \"$out\" > \"$out.old\" && mv \"$out.old\" \"$out\"\n"
          "exit $rc\n", cbt_concbench());
  cbt_dir_file(&d, "ab.csv", out, sizeof(out));
  /* --threshold 50: noise between two runs of one binary never counts */
  cbt_run_in(&d, &r, "ab", "--base", script, "-w", "noop", "-r", "serial,threads", "-c", "1", "-t",
             "100", "--reps", "5", "--warmup", "0", "--threshold", "50", "-q", "-o", out, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "2 cells compared: 0 slower (regressions)", "stdout");
  cbt_result_free(&r);

  cbt_run_in(&d, &r, "ab", "--base", script, "-w", "noop", "-r", "serial,threads", "-c", "1", "-t",
             "100", "--reps", "5", "--warmup", "0", "--threshold", "50", "--metric",
             "throughput,lat_p99_us", "-q", "-o", out, NULL);
  cbt_expect_code(&r, 1);
  cbt_expect_in(r.out, "metric: lat_p99_us (µs; lower is better)", "stdout");
  cbt_expect_in(r.out, "throughput: 2 cells compared: 0 slower (regressions)", "stdout");
  cbt_expect_in(r.out, "lat_p99_us: 2 cells compared: 2 slower (regressions)", "stdout");
  cbt_expect_in(r.err, "concbench ab: regression in 2 cells: noop/serial/c:1/pin:compact "
                       "lat_p99_us (", "stderr");
  cbt_result_free(&r);

  cbt_run_in(&d, &r, "ab", "--base", script, "--metric", "throughput,p99", NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, "concbench ab: bad --metric 'p99' (a list of throughput, ", "stderr");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

/* A base whose rows lack columns (an older revision, from before `caches`
 * and `dispatch`): its side keeps its own columns, its trials are still the
 * cells asked for, and the two builds are compared as throughput of one
 * machine. */
static void test_ab_older_base(void **state)
{
  char script[2048], out[2048];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  cbt_dir_make(&d, "ab");
  wrapper(script, sizeof(script), &d, "old-concbench",
          "#!/bin/sh\n"
          "'%s' \"$@\"; rc=$?\n"
          "out=; prev=; for a in \"$@\"; do [ \"$prev\" = -o ] && out=$a; prev=$a; done\n"
          "awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"caches\") k = i;\n"
          "  else if ($i == \"dispatch\") l = i }\n"
          "  { s = \"\"; for (i = 1; i <= NF; i++) if (i != k && i != l)\n"
          "    s = s (s == \"\" ? \"\" : \",\") $i;\n"
          "    print s }' \"$out\" > \"$out.old\" && mv \"$out.old\" \"$out\"\n"
          "exit $rc\n", cbt_concbench());
  cbt_dir_file(&d, "ab.csv", out, sizeof(out));
  cbt_run_in(&d, &r, "ab", "--base", script, "-w", "noop", "-r", "serial,threads", "-c", "1", "-t",
         "100", "--reps", "5", "--warmup", "0", "--threshold", "99", "-q", "-o", out, NULL);
  cbt_expect_code(&r, 0);
  cbt_expect_in(r.out, "metric: throughput", "stdout");
  cbt_expect_in(r.out, "2 cells compared: 0 slower", "stdout");
  cbt_result_free(&r);
  /* in the CSV of both sides, the base's caches and dispatch are empty (as
   * it wrote them: not at all), the new's not */
  {
    char err[256];
    cb_table_t t;
    long side, caches, dispatch;
    size_t i, empty = 0;
    assert_int_equal(cb_table_load(out, &t, err, sizeof(err)), 0);
    side = cb_table_col(&t, "side");
    caches = cb_table_col(&t, "caches");
    dispatch = cb_table_col(&t, "dispatch");
    assert_true(side == 0 && caches > 0 && dispatch > 0);
    assert_int_equal(t.rows - 1, 20);
    for (i = 1; i < t.rows; i++) {
      int base = strcmp(cb_table_get(&t, i, 0), "base") == 0;
      assert_int_equal(cb_table_get(&t, i, (size_t)caches)[0] == '\0', base);
      assert_int_equal(cb_table_get(&t, i, (size_t)dispatch)[0] == '\0', base);
      empty += base;
    }
    assert_int_equal(empty, 10);
    cb_table_free(&t);
  }
  cbt_remove_tree(d.path);
}

/* Processes whose environment holds `token` (NAME=VALUE), other than us. */
static size_t with_token(const char *token)
{
  char path[64], env[65536];
  struct dirent *e;
  size_t n = 0, len, i;
  DIR *proc = opendir("/proc");
  FILE *f;

  assert_non_null(proc);
  while ((e = readdir(proc)) != NULL) {
    if (strspn(e->d_name, "0123456789") != strlen(e->d_name) || atoi(e->d_name) == getpid())
      continue;
    snprintf(path, sizeof(path), "/proc/%s/environ", e->d_name);
    if ((f = fopen(path, "r")) == NULL)
      continue;
    len = fread(env, 1, sizeof(env) - 1, f);
    fclose(f);
    for (i = 0; i < len; i += strlen(env + i) + 1) {
      env[len] = '\0';
      if (strcmp(env + i, token) == 0) {
        n++;
        break;
      }
    }
  }
  closedir(proc);
  return n;
}

/* A file in TMPDIR's subdirectory of ab that a trial's child creates. */
static int trial_started(const cbt_dir_t *d)
{
  char p[1200];
  struct dirent *e;
  struct stat st;
  int found = 0;
  DIR *dir = opendir(d->tmp);

  assert_non_null(dir);
  while (!found && (e = readdir(dir)) != NULL) {
    if (strncmp(e->d_name, "concbench-", 10) != 0) /* concbench-PID-XXXXXX */
      continue;
    snprintf(p, sizeof(p), "%s/%s/trial.err", d->tmp, e->d_name);
    found = stat(p, &st) == 0;
  }
  closedir(dir);
  return found;
}

/* SIGTERM in the middle of a trial: the trial is stopped, every process
 * that ab started is gone when it exits (143), its temporary files too. */
static void test_ab_interrupted(void **state)
{
  char token[64], out[2048];
  const char *env[] = { token, NULL };
  int o = cbt_temp_fd(), e = cbt_temp_fd();
  cbt_spawn_t sp;
  cbt_result_t r;
  pid_t pid;
  cbt_dir_t d;

  (void)state;
  cbt_dir_make(&d, "ab");
  snprintf(token, sizeof(token), "CB_TEST_AB_TOKEN=%d-%lu", (int)getpid(),
           (unsigned long)time(NULL));
  cbt_dir_file(&d, "ab.csv", out, sizeof(out));
  /* a trial of a thousand one-second sleeps: it is running when stopped */
  sp = cbt_in_dir(&d);
  sp.env = env;
  pid = cbt_start(&sp,
                  (const char *const[]){ "ab", "--base", cbt_concbench(), "-w", "io.sleep", "-r",
                                         "threads", "-c", "1", "-t", "1000", "-s", "1000000",
                                         "--reps", "5", "--warmup", "0", "-o", out, NULL },
                  o, e);
  /* until a trial runs: its run process and its trial process carry the token */
  while (!trial_started(&d) || with_token(token) < 3)
    usleep(10000);
  assert_int_equal(kill(pid, SIGTERM), 0);
  cbt_finish(pid, o, e, 0, "concbench ab", &r);
  cbt_expect_code(&r, 143);
  cbt_expect_in(r.err, "concbench ab: interrupted; 0 finished trials are in no file", "stderr");
  assert_int_equal(with_token(token), 0);
  assert_int_equal(cbt_count_entries(d.tmp), 0);
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

static void test_ab_bad_usage(void **state)
{
  char missing[2048], notgit[2048];
  cbt_result_t r;
  cbt_dir_t d;

  (void)state;
  cbt_dir_make(&d, "ab");
  cbt_dir_file(&d, "missing", missing, sizeof(missing));
  cbt_dir_file(&d, "notgit", notgit, sizeof(notgit));
  assert_int_equal(mkdir(notgit, 0755), 0);

  cbt_run_in(&d, &r, "ab", "-w", "noop", NULL);
  cbt_expect_code(&r, 2);
  assert_string_equal(r.err, "concbench ab: needs one base: --base BIN or --base-rev REV\n");
  cbt_result_free(&r);

  cbt_run_in(&d, &r, "ab", "--base", missing, NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, missing, "stderr");
  cbt_expect_in(r.err, "No such file", "stderr");
  cbt_result_free(&r);

  cbt_run_in(&d, &r, "ab", "--base", cbt_concbench(), "--base-rev", "HEAD", NULL);
  cbt_expect_code(&r, 2);
  cbt_result_free(&r);

  /* A revision of something that is not a git checkout: exit 2, nothing left. */
  cbt_run_in(&d, &r, "ab", "--base-rev", "HEAD", "--source", notgit, "-w", "noop", "-r", "serial",
         "-q", "-o", "ab.csv", NULL);
  cbt_expect_code(&r, 2);
  cbt_expect_in(r.err, "concbench ab: 'HEAD' is not a commit of the git checkout ", "stderr");
  cbt_expect_in(r.err, notgit, "stderr");
  assert_int_equal(cbt_count_entries(d.tmp), 0);
  cbt_result_free(&r);

  cbt_run_in(&d, &r, "ab", "--base", cbt_concbench(), "--threshold", "100", NULL);
  cbt_expect_code(&r, 2);
  assert_string_equal(r.err,
                      "concbench ab: bad --threshold '100' (a number above 0 and below 100)\n");
  cbt_result_free(&r);
  cbt_remove_tree(d.path);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ab_self),
    cmocka_unit_test(test_ab_refused_cell),
    cmocka_unit_test(test_ab_older_base),
    cmocka_unit_test(test_ab_metric),
    cmocka_unit_test(test_ab_dispatch),
    cmocka_unit_test(test_ab_interrupted),
    cmocka_unit_test(test_ab_bad_usage),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
