/* Integration test of the CLI's contract for bad input (DESIGN.md, "CLI"):
 * every bad invocation exits 2 with one line on stderr that names the bad
 * value, writes nothing to stdout, creates no file, and never crashes. The
 * binary (path in $CONCBENCH) is run with fork+execv, never through a shell,
 * in a fresh empty directory that is also where `-o` points, so "creates no
 * file" is checked by listing that directory afterwards. Also refused: a
 * TMPDIR without room, a concurrency above this machine's limits, merge's bad
 * inputs; and an output that cannot be written (exit 1). The valid side of
 * the same paths: test_badinput_valid.c. */
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

/* A trial CSV as `concbench run` writes it (fewer columns: readers need not
 * all), one row per FX_ROW; each field a macro argument can make impossible. */
#define FX_HEADER                                                                            \
  "run_id,timestamp,host,cpu_model,pus,cores,kernel,compiler,concbench_version,"            \
  "git_revision,build_type,workload,family,runner,transport,pin,concurrency,workers,"      \
  "tasks,size,payload,rep,wall_s,throughput,lat_p50_us,lat_p99_us,user_s,sys_s,vcsw,"      \
  "ivcsw,maxrss_kb,failed,verified,status,startup_s,teardown_s,pin_wrap,seed,message,gil,"  \
  "switch_interval_us\n"

#define FX_ROW(wl, rn, c, tasks, wall, tp, failed, status, gil)                              \
  "r,2026-11-22T10:00:00Z,h,cpu,2,2,k,cc,0.1.0,x,release," wl ",io," rn ",inproc,compact,"  \
  c ",1," tasks ",1000,0,0," wall "," tp ",1000,1100,0.001,0,1,1,2000," failed ",1,"        \
  status ",0,0,0,1,," gil ",0\n"

#define FX_OK FX_ROW("io.sleep", "threads", "1", "10", "0.01", "1000", "0", "ok", "0")

#define FX_GOOD FX_HEADER FX_OK FX_OK

/* Options that are not the subject of a row; the subject comes after them, so
 * it overrides them, and a run that skipped validation would be quick. */
#define QUICK "-w", "noop", "-r", "serial", "-c", "1", "-t", "1", "--reps", "1", \
              "--warmup", "0", "-q", "-o", OUT_

typedef struct row_s {
  const char *argv[MAX_ARGS]; /* after the binary's name; NULL-terminated */
  int code;
  const char *needle; /* stderr must contain it (placeholders replaced) */
} row_t;

/* The same with an input: @IN holds `fixture`, which must stay as it is. */
typedef struct in_row_s {
  const char *argv[MAX_ARGS];
  int code;
  const char *needle;
  const char *fixture;
} in_row_t;

static const row_t rows[] = {
  {{"frob"}, 2, "'frob'"},
  {{"--frob"}, 2, "'--frob'"},
  {{"run", QUICK, "-w", "nosuch"}, 2, "workload 'nosuch'"},
  {{"run", QUICK, "-w", "noop,nosuch"}, 2, "workload 'nosuch'"},
  {{"run", QUICK, "-w", "noop,"}, 2, "empty name in the workload list 'noop,'"},
  {{"run", QUICK, "-r", "nosuch"}, 2, "runner 'nosuch'"},
  {{"run", QUICK, "--dispatch", "carrier"}, 2, "dispatch mode 'carrier'"},
  {{"run", QUICK, "--dispatch", "shared,"}, 2, "empty name in the dispatch mode list 'shared,'"},
  {{"run", QUICK, "--procs", "0"}, 2, "bad --procs '0'"},
  {{"run", QUICK, "--procs", "x"}, 2, "bad --procs 'x'"},
  {{"run", QUICK, "--procs", ""}, 2, "bad --procs ''"},
  {{"run", QUICK, "--procs", "2,,pus"}, 2, "bad --procs ''"},
  {{"run", QUICK, "--procs", "pus,1000001"}, 2, "bad --procs '1000001'"},
  {{"ab", "--base", "/bin/true", "-w", "noop", "--procs", "x"}, 2, "bad --procs 'x'"},
  {{"run", QUICK, "-p", "sideways"}, 2, "'sideways'"},
  {{"run", QUICK, "-c", "0"}, 2, "concurrency '0'"},
  {{"run", QUICK, "-c", "-1"}, 2, "concurrency '-1'"},
  {{"run", QUICK, "-c", "abc"}, 2, "concurrency 'abc'"},
  {{"run", QUICK, "-c", "64..1"}, 2, "concurrency '64..1'"},
  {{"run", QUICK, "-c", "2000000"}, 2, "concurrency '2000000'"},
  {{"run", QUICK, "-c", "1,,2"}, 2, "concurrency ''"},
  {{"run", QUICK, "-c", "1,2x"}, 2, "concurrency '2x'"},
  {{"run", QUICK, "-c", ""}, 2, "concurrency ''"},
  {{"run", QUICK, "-t", "0"}, 2, "--tasks '0'"},
  {{"run", QUICK, "-t", "1x"}, 2, "--tasks '1x'"},
  {{"run", QUICK, "-s", "abc"}, 2, "--size 'abc'"},
  {{"run", QUICK, "--payload", "1073741825"}, 2, "--payload '1073741825'"},
  {{"run", QUICK, "--reps", "0"}, 2, "--reps '0'"},
  {{"run", QUICK, "--warmup", "-1"}, 2, "--warmup '-1'"},
  {{"run", QUICK, "--seed", "-1"}, 2, "--seed '-1'"},
  {{"run", QUICK, "--trial-timeout", "0"}, 2, "--trial-timeout '0'"},
  {{"run", QUICK, "--trial-timeout", "nan"}, 2, "--trial-timeout 'nan'"},
  {{"run", QUICK, "--trial-timeout", "1e999"}, 2, "--trial-timeout '1e999'"},
  {{"run", QUICK, "--bogus"}, 2, "'--bogus'"},
  {{"run", QUICK, "-Z"}, 2, "'-Z'"},
  {{"run", QUICK, "-w"}, 2, "'-w'"},
  {{"run", QUICK, "--runner"}, 2, "'--runner'"},
  {{"run", QUICK, "-o", "/nonexistent-dir/x.csv"}, 2, "'/nonexistent-dir/x.csv'"},
  {{"run", QUICK, "-o", DIR_ "/missing/x.csv"}, 2, "'" DIR_ "/missing/x.csv'"},
  {{"run", QUICK, "-o", DIR_}, 2, "'" DIR_ "'"},
  {{"run", QUICK, "-o", ""}, 2, "output ''"},
  {{"run", QUICK, "-o", DIR_ "/newdir/"}, 2, "'" DIR_ "/newdir/'"},
  {{"run", QUICK, "--quiet=1"}, 2, "'--quiet=1'"},
  {{"run", QUICK, "--json", OUT_}, 2, "out.csv' would overwrite the run's own CSV"},
  {{"run", QUICK, "--trial-timeout", "+1"}, 2, "--trial-timeout '+1'"},
  {{"run", QUICK, "--trial-timeout", "0x1p-1"}, 2, "--trial-timeout '0x1p-1'"},
  {{"run", QUICK, "extra-positional"}, 2, "'extra-positional'"},
  {{"topology", "-c", "0"}, 2, "'0'"},
  {{"topology", "-c", "abc"}, 2, "'abc'"},
  {{"topology", "--synthetic", "pack:0"}, 2, "'pack:0'"},
  /* Found by fuzzing: hwloc would spend seconds and gigabytes on each of
   * these (10^4 to 10^5 PUs); only a strict subset of its grammar is taken. */
  {{"topology", "--synthetic", "pack:9242pu:2"}, 2, "bad synthetic topology 'pack:9242pu:2'"},
  {{"topology", "--synthetic", "0x2a5a"}, 2, "bad synthetic topology '0x2a5a'"},
  {{"topology", "--synthetic", "0x11411Pu0x:141"}, 2, "bad synthetic topology '0x11411Pu0x:141'"},
  {{"topology", "--synthetic", "pack:64 core:64 pu:2"}, 2, "has more than 4096 PUs"},
  {{"topology", "--bogus"}, 2, "'--bogus'"},
  {{"topology", "extra"}, 2, "'extra'"},
  {{"list", "extra"}, 2, "'extra'"},
  /* A size no task can take (it overflowed cpu.matmul's arithmetic). */
  {{"run", QUICK, "-w", "cpu.matmul", "-s", "4294967296"}, 2,
   "--size 4294967296 for cpu.matmul is above its largest, 4096"},
  {{"run", QUICK, "-w", "io.sleep", "-s", "1099511627776"}, 2, "io.sleep is above its largest"},
  /* A newline in a path is written out, so the message stays one line. */
  {{"run", QUICK, "-o", DIR_ "/no\nsuch/x.csv"}, 2, "no\\nsuch/x.csv"},
  {{"merge", DIR_}, 2, "needs -o FLEET.csv"},
  {{"merge", "-o", OUT_}, 2, "needs a directory or trial CSVs"},
  {{"merge", "nosuch.csv", "-o", OUT_}, 2, "nosuch.csv: No such file"},
  {{"merge", DIR_, "-o", OUT_}, 2, DIR_ ": no trial CSV in it"},
  {{"merge", DIR_, "-o", DIR_ "/missing/fleet.csv"}, 2, "'" DIR_ "/missing/fleet.csv'"},
  {{"report", "--at-c", "0", "x.csv"}, 2, "--at-c '0'"},
  {{"plot", "--at-c", "two", "x.csv"}, 2, "--at-c 'two'"},
};

static const in_row_t in_rows[] = {
  /* An output that is an input: refused before anything is read or written. */
  {{"summary", IN_, "-o", IN_}, 2, "is the input", FX_GOOD},
  {{"report", IN_, "-o", IN_}, 2, "is the input", FX_GOOD},
  {{"compare", IN_, IN_, "-o", IN_}, 2, "is the input", FX_GOOD},
  {{"compare", "--export", "bmf", IN_, "-o", IN_}, 2, "is the input", FX_GOOD},
  {{"compare", "--export", "gbench", IN_, "-o", DIR_ "/./in.csv"}, 2, "is the input", FX_GOOD},
  /* Outputs that are not files to write. */
  {{"summary", IN_, "-o", DIR_}, 2, "a directory", FX_GOOD},
  {{"report", IN_, "-o", DIR_ "/missing/r.md"}, 2, "No such file or directory", FX_GOOD},
};

/* Values no run can produce, each in every command that reads trial CSVs:
 * exit 2 naming the file, the line, the column and the value. */
static const struct {
  const char *csv, *needle;
} impossible[] = {
  {FX_HEADER FX_OK FX_ROW("io.sleep", "threads", "1", "10", "0.01", "inf", "0", "ok", "0"),
   "in.csv: line 3: throughput 'inf'"},
  {FX_HEADER FX_ROW("io.sleep", "threads", "1", "10", "0.01", "nan", "0", "ok", "0"),
   "in.csv: line 2: throughput 'nan'"},
  {FX_HEADER FX_ROW("io.sleep", "threads", "1", "10", "-0.5", "1000", "0", "ok", "0"),
   "in.csv: line 2: wall_s '-0.5'"},
  {FX_HEADER FX_ROW("io.sleep", "threads", "1", "10", "0.01", "-1000", "0", "ok", "0"),
   "in.csv: line 2: throughput '-1000'"},
  {FX_HEADER FX_ROW("io.sleep", "threads", "1", "1e23", "0.01", "1000", "0", "ok", "0"),
   "in.csv: line 2: tasks '1e23'"},
  {FX_HEADER FX_ROW("io.sleep", "threads", "1", "100000000000000000000000", "0.01", "1000", "0",
                    "ok", "0"),
   "in.csv: line 2: tasks '100000000000000000000000'"},
  {FX_HEADER FX_ROW("io.sleep", "threads", "0", "10", "0.01", "1000", "0", "ok", "0"),
   "in.csv: line 2: concurrency '0'"},
  {FX_HEADER FX_ROW("io.sleep", "threads", "1", "10", "0.01", "1000", "0", "great", "0"),
   "in.csv: line 2: status 'great'"},
  {FX_HEADER FX_ROW("io.sleep", "fibers", "1", "10", "0.01", "1000", "0", "ok", "0"),
   "in.csv: line 2: runner 'fibers'"},
  {FX_HEADER FX_ROW("io.sleep", "threads", "1", "10", "0.01", "1000", "0", "ok", "2"),
   "in.csv: line 2: gil '2'"},
  {FX_HEADER FX_ROW("", "threads", "1", "10", "0.01", "1000", "0", "ok", "0"),
   "in.csv: line 2: workload ''"},
  {FX_HEADER FX_ROW("io.sleep", "threads", "1", "10", "0.01", "1000", "11", "ok", "0"),
   "in.csv: line 2: failed '11' is more than its 10 tasks"},
  {FX_HEADER FX_ROW("io.sleep", "threads", "1", "10", "0x1p3", "1000", "0", "ok", "0"),
   "in.csv: line 2: wall_s '0x1p3'"},
  {FX_HEADER, "in.csv: line 2: no trials after the header"},
  {"", "in.csv: line 1: empty file"},
};

/* The commands that read trial CSVs, each with @IN as its input. */
static const char *const readers[][6] = {
  {"summary", IN_, NULL},
  {"report", IN_, NULL},
  {"compare", IN_, IN_, NULL},
  {"compare", "--export", "bmf", IN_, NULL},
  {"plot", IN_, "-o", DIR_ "/charts", NULL},
};

/* One bad invocation: exit code, one named line on stderr, nothing else;
 * the fixture, if any, is still there and unchanged. */
static void check_bad(const char *const *argv, int code, const char *needle_, const char *fixture)
{
  char dir[512], cmd[2048], list[1024], needle[1024], path[600];
  cbt_result_t r = {0};
  const char *nl;

  cbt_make_dir(dir, sizeof(dir), "badinput");
  cbt_describe(argv, cmd, sizeof(cmd));
  bad_expand(needle_, dir, needle, sizeof(needle));
  snprintf(path, sizeof(path), "%s/in.csv", dir);
  if (fixture != NULL)
    cbt_write_file(path, fixture);
  bad_run_bench(argv, dir, &r);
  cbt_expect_no_crash(&r, cmd);
  if (WEXITSTATUS(r.status) != code)
    fail_msg("%s: exit code %d, expected %d; stderr: %s", cmd, WEXITSTATUS(r.status), code,
             r.err);
  if (strstr(r.err, needle) == NULL)
    fail_msg("%s: stderr does not name the bad value (%s): %s", cmd, needle, r.err);
  nl = strchr(r.err, '\n');
  if (nl == NULL || nl[1] != '\0' || strncmp(r.err, "concbench", 9) != 0)
    fail_msg("%s: stderr is not one line starting with 'concbench': %s", cmd, r.err);
  if (r.outlen != 0)
    fail_msg("%s: wrote to stdout: %s", cmd, r.out);
  cbt_listing(dir, list, sizeof(list));
  if (strcmp(list, fixture != NULL ? "in.csv" : "") != 0)
    fail_msg("%s: created files in its directory: %s", cmd, list);
  if (fixture != NULL) {
    size_t len;
    char *text = cbt_slurp_path(path, &len);

    if (len != strlen(fixture) || memcmp(text, fixture, len) != 0)
      fail_msg("%s: changed its input:\n%s", cmd, text);
    free(text);
  }
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

static void test_bad_rows(void **state)
{
  size_t i;

  (void)state;
  for (i = 0; i < ARRAY_SIZE(rows); i++)
    check_bad(rows[i].argv, rows[i].code, rows[i].needle, NULL);
  for (i = 0; i < ARRAY_SIZE(in_rows); i++)
    check_bad(in_rows[i].argv, in_rows[i].code, in_rows[i].needle, in_rows[i].fixture);
}

static void test_impossible_values(void **state)
{
  size_t i, j;

  (void)state;
  for (i = 0; i < ARRAY_SIZE(impossible); i++)
    for (j = 0; j < ARRAY_SIZE(readers); j++)
      check_bad(readers[j], 2, impossible[i].needle, impossible[i].csv);
}

/* Every workload's largest size is a bound of its own: one above it is
 * refused before any trial, naming the workload and the bound. */
static void test_sizes_above_each_bound(void **state)
{
  char size[32], needle[160];
  size_t i, n;

  (void)state;
  for (i = 0; i < cb_workloads_count; i++) {
    const cb_workload_t *w = cb_workloads[i];
    const char *argv[MAX_ARGS] = {"run", QUICK, "--allow-races", "-w", w->name, "-s", size, NULL};
    if (w->max_size == 0)
      fail_msg("%s has no max_size", w->name);
    if (w->max_size >= (UINT64_C(1) << 40))
      continue; /* size unused, or bounded by --size itself */
    snprintf(size, sizeof(size), "%llu", (unsigned long long)w->max_size + 1);
    snprintf(needle, sizeof(needle), "--size %s for %s is above its largest, %llu", size,
             w->name, (unsigned long long)w->max_size);
    for (n = 0; argv[n] != NULL; n++)
      ;
    check_bad(argv, 2, needle, NULL);
  }
}

/* TMPDIR that cannot hold a scratch directory: said up front, one line. */
static void test_tmpdir(void **state)
{
  static const char *const argv[] = {"run", QUICK, NULL};
  char dir[512], list[1024];
  cbt_result_t r = {0};
  const char *nl;

  (void)state;
  cbt_make_dir(dir, sizeof(dir), "badinput");
  setenv("TMPDIR", "/nonexistent-tmpdir", 1);
  bad_run_bench(argv, dir, &r);
  unsetenv("TMPDIR");
  cbt_expect_no_crash(&r, "run with TMPDIR=/nonexistent-tmpdir");
  assert_int_equal(WEXITSTATUS(r.status), 2);
  if (strstr(r.err, "TMPDIR '/nonexistent-tmpdir'") == NULL ||
      strstr(r.err, "No such file or directory") == NULL)
    fail_msg("stderr does not name TMPDIR and the cause: %s", r.err);
  nl = strchr(r.err, '\n');
  assert_true(nl != NULL && nl[1] == '\0');
  cbt_listing(dir, list, sizeof(list));
  assert_string_equal(list, "");
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

/* A limit of this machine that c workers (each with two file descriptors)
 * would exceed, as the harness is meant to check; NULL when none would. */
static const char *exceeded_limit(unsigned long c)
{
  struct rlimit rl;
  long v = 0;
  FILE *f;

  if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && c > rl.rlim_cur)
    return "RLIMIT_NPROC";
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
      2 * c > rl.rlim_cur)
    return "RLIMIT_NOFILE";
  if ((f = fopen("/proc/sys/kernel/threads-max", "r")) != NULL) {
    if (fscanf(f, "%ld", &v) == 1 && v > 0 && (unsigned long)v < c) {
      fclose(f);
      return "threads-max";
    }
    fclose(f);
  }
  if ((f = fopen("/proc/sys/kernel/pid_max", "r")) != NULL) {
    if (fscanf(f, "%ld", &v) == 1 && v > 0 && (unsigned long)v < c) {
      fclose(f);
      return "pid_max";
    }
    fclose(f);
  }
  return NULL;
}

/* A concurrency the parser accepts but the machine cannot take: refused
 * before any worker exists or any file is written, naming the limit. */
static void test_concurrency_above_machine_limits(void **state)
{
  static const char *const runners[] = {"processes", "threads"};
  static const char *const limits[] = {"RLIMIT_NPROC", "RLIMIT_NOFILE", "threads-max",
                                       "pid_max"};
  const char *argv[MAX_ARGS] = {"run", QUICK, "-c", "900000", "-r", NULL, NULL};
  char dir[512], cmd[2048], list[1024];
  size_t i, j, n;

  (void)state;
  if (exceeded_limit(900000) == NULL) {
    /* Refusing to fork-bomb a machine that would take it. */
    skip();
  }
  for (n = 0; argv[n] != NULL; n++)
    ;
  for (i = 0; i < ARRAY_SIZE(runners); i++) {
    cbt_result_t r = {0};

    argv[n] = runners[i];
    cbt_make_dir(dir, sizeof(dir), "badinput");
    cbt_describe(argv, cmd, sizeof(cmd));
    bad_run_bench(argv, dir, &r);
    cbt_expect_no_crash(&r, cmd);
    if (WEXITSTATUS(r.status) != 2)
      fail_msg("%s: exit code %d, expected 2; stderr: %s", cmd, WEXITSTATUS(r.status), r.err);
    if (strstr(r.err, "900000") == NULL)
      fail_msg("%s: stderr does not name the concurrency: %s", cmd, r.err);
    for (j = 0; j < ARRAY_SIZE(limits) && strstr(r.err, limits[j]) == NULL; j++)
      ;
    if (j == ARRAY_SIZE(limits))
      fail_msg("%s: stderr names no limit: %s", cmd, r.err);
    assert_int_equal(r.outlen, 0);
    cbt_listing(dir, list, sizeof(list));
    if (list[0] != '\0')
      fail_msg("%s: created files in its directory: %s", cmd, list);
    cbt_result_free(&r);
    cbt_remove_tree(dir);
  }
}

/* An output that cannot be written: exit 1, and nothing of ours is left
 * beside the device (renaming over it would have replaced /dev/full). */
static void test_unwritable_output(void **state)
{
  static const char *const argv[] = {"run", "-w", "noop", "-r", "serial", "-t", "10",
                                     "--reps", "1", "--warmup", "0", "-q", "-o", "/dev/full",
                                     NULL};
  struct stat st;
  char dir[512];
  cbt_result_t r = {0};

  (void)state;
  cbt_make_dir(dir, sizeof(dir), "badinput");
  bad_run_bench(argv, dir, &r);
  assert_true(WIFEXITED(r.status));
  assert_int_equal(WEXITSTATUS(r.status), 1);
  assert_non_null(strstr(r.err, "/dev/full"));
  assert_int_equal(stat("/dev/full", &st), 0);
  assert_true(S_ISCHR(st.st_mode));
  assert_int_not_equal(stat("/dev/full.meta.json", &st), 0);
  assert_int_not_equal(stat("/dev/full.summary.csv", &st), 0);
  cbt_result_free(&r);
  rmdir(dir);
}

/* merge refuses, in one line naming the file, with exit 2 and no output:
 * a CSV of another schema version, a CSV that is not concbench's, and one
 * run in two files. Each case in a fresh directory holding only its
 * inputs, which must be all it holds afterwards. */
static void test_merge_refuses(void **state)
{
  static const struct {
    const char *files[2];   /* a.csv, b.csv: what each holds */
    const char *needle;     /* stderr names the bad file and says why */
    const char *listing;
  } cases[] = {
    { { "old", NULL }, "a.csv: a trial CSV of another schema version: it has no column "
                       "'per_proc'", "a.csv" },
    { { "foreign", NULL }, "a.csv: not a concbench trial CSV (it has no column 'run_id')",
      "a.csv" },
    { { "run1", "run1" }, "b.csv: run R1 is also in a.csv (the same run twice)", "a.csv b.csv" },
    { { "run1", "foreign" }, "b.csv: not a concbench trial CSV", "a.csv b.csv" },
  };
  const char *argv[] = { "merge", "a.csv", NULL, NULL, NULL, NULL };
  char dir[512], path[600], list[1024], cmd[256];
  cbt_result_t r;
  size_t i, k, n;

  (void)state;
  for (i = 0; i < ARRAY_SIZE(cases); i++) {
    cbt_make_dir(dir, sizeof(dir), "badinput");
    for (k = n = 0; k < 2 && cases[i].files[k] != NULL; k++, n++) {
      const char *what = cases[i].files[k];
      snprintf(path, sizeof(path), "%s/%c.csv", dir, 'a' + (int)k);
      if (strcmp(what, "foreign") == 0) {
        cbt_write_file(path, "name,value\nalpha,1\n");
      } else {
        /* "old": without the last column, a file of another schema version */
        cbt_write_trials(path, 3, strcmp(what, "old") == 0,
                         (const char *const[]){ "run_id", "R1", "host", "vm", NULL }, NULL);
      }
    }
    argv[1 + n] = "-o";
    argv[2 + n] = OUT_;
    argv[3 + n] = NULL;
    if (n == 2)
      argv[2] = "b.csv";
    memset(&r, 0, sizeof(r));
    cbt_describe(argv, cmd, sizeof(cmd));
    bad_run_bench(argv, dir, &r);
    cbt_expect_no_crash(&r, cmd);
    if (WEXITSTATUS(r.status) != 2 || strstr(r.err, cases[i].needle) == NULL)
      fail_msg("%s: exit %d, expected 2 and stderr naming '%s': %s", cmd,
               WEXITSTATUS(r.status), cases[i].needle, r.err);
    if (strchr(r.err, '\n') != r.err + r.errlen - 1 || strncmp(r.err, "concbench merge: ", 17))
      fail_msg("%s: stderr is not one line starting 'concbench merge: ': %s", cmd, r.err);
    assert_int_equal(r.outlen, 0);
    cbt_listing(dir, list, sizeof(list));
    if (strcmp(list, cases[i].listing) != 0)
      fail_msg("%s: the directory holds '%s', expected only the inputs '%s'", cmd, list,
               cases[i].listing);
    cbt_result_free(&r);
    cbt_remove_tree(dir);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bad_rows),
    cmocka_unit_test(test_impossible_values),
    cmocka_unit_test(test_sizes_above_each_bound),
    cmocka_unit_test(test_tmpdir),
    cmocka_unit_test(test_concurrency_above_machine_limits),
    cmocka_unit_test(test_unwritable_output),
    cmocka_unit_test(test_merge_refuses),
  };

  if (getenv("CONCBENCH") == NULL) {
    fprintf(stderr, "CONCBENCH is not set (meson test sets it)\n");
    return 1;
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
