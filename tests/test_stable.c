/* Stable numbers on a noisy machine (issue 13): calibration of the task
 * count (harness/calibrate.c), the environment check (harness/env.c) and
 * progress lines in a log (harness/progress.c).
 *
 * - cb_calib_next against exact values: scaled by 1.2 × what was missing,
 *   ×10 from a trial under a tenth of the minimum, bounded by the cap;
 * - a run of io.sleep (1000 us a task, so a trial of T tasks at c = 2 lasts
 *   T / 2 ms at least, by the sleeps alone): calibration reaches the
 *   minimum time, every row records the count it chose, no calibration
 *   trial is recorded, and -t or --min-time 0 skips it;
 * - --max-reps: cb_median_ci_within on exact samples; a run whose target
 *   cannot be reached ends every cell at --max-reps rows;
 * - the environment check over a fake /proc and /sys ($CONCBENCH_SYSROOT or
 *   --root): each item's value and warning exactly; --strict-env refuses;
 *   meta.json and the `env` column record it; a child of this test that
 *   spins is named as a busy process;
 * - the report shows the environment at the start, the load average after
 *   the first and the last trial, and the share of flagged cells by family;
 * - a run whose stderr is a file shows progress lines every --progress
 *   seconds (each trial sleeps 100 ms, so a 50 ms interval must print),
 *   none with -q.
 *
 * concbench runs as $CONCBENCH, started with fork+execv. */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "calibrate.h"
#include "env.h"
#include "noise.h"
#include "profile.h"
#include "table.h"
#include "common.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- cb_calib_next ---------------------------------------------------------- */

static void test_calib_next(void **state)
{
  (void)state;
  /* Reached: the count stays. */
  assert_true(cb_calib_next(100, 1.0, 1.0, 1000000) == 100);
  assert_true(cb_calib_next(100, 2.5, 1.0, 1000000) == 100);
  /* Scaled by 1.2 x min / wall: 100 x 1.2 / 0.25 = 480. */
  assert_true(cb_calib_next(100, 0.25, 1.0, 1000000) == 480);
  assert_true(cb_calib_next(64, 0.5, 1.0, 1000000) == 154); /* 153.6 up */
  /* Under a tenth of the minimum, or nothing measured: x10. */
  assert_true(cb_calib_next(100, 0.0625, 1.0, 1000000) == 1000);
  assert_true(cb_calib_next(100, 0.0, 1.0, 1000000) == 1000);
  /* At a tenth exactly: x10, and just above it x(1.2 / 0.1015625). */
  assert_true(cb_calib_next(7, 0.1, 1.0, 1000000) == 70);
  assert_true(cb_calib_next(1000, 0.125, 1.0, 1000000) == 9600);
  /* Always more than before, even when almost there. */
  assert_true(cb_calib_next(1, 0.99, 1.0, 1000000) == 2);
  assert_true(cb_calib_next(1000, 0.999, 1.0, 1000000) == 1202);
  /* Never above the cap; at the cap it stays. */
  assert_true(cb_calib_next(100, 0.001, 1.0, 500) == 500);
  assert_true(cb_calib_next(500, 0.001, 1.0, 500) == 500);
  assert_true(cb_calib_next(100, 0.5, 1.0, CB_CALIB_MAX_TASKS) == 240);
}

/* ---- adaptive repetitions -------------------------------------------------- */

static void test_median_ci_within(void **state)
{
  static const double same[] = { 100, 100, 100, 100, 100, 100 };
  static const double tight[] = { 99, 100, 100, 100, 100, 101 };
  static const double wide[] = { 100, 100, 100, 100, 100, 200 };
  static const double nine[] = { 50, 99, 100, 100, 100, 100, 100, 101, 150 };

  (void)state;
  /* Under 6 samples no interval reaches 95%. */
  assert_int_equal(cb_median_ci_within(same, 5, 0.5), 0);
  assert_int_equal(cb_median_ci_within(same, 6, 0.001), 1);
  /* n = 6: the 95% interval is [min, max]. */
  assert_int_equal(cb_median_ci_within(tight, 6, 0.01), 1);
  assert_int_equal(cb_median_ci_within(tight, 6, 0.0099), 0);
  assert_int_equal(cb_median_ci_within(wide, 6, 0.99), 0);
  assert_int_equal(cb_median_ci_within(wide, 6, 1.0), 1);
  /* n = 9: [x(2), x(8)] (coverage 96.1%), so the extremes do not count. */
  assert_int_equal(cb_median_ci_within(nine, 9, 0.01), 1);
  assert_int_equal(cb_median_ci_within(nine, 9, 0.0099), 0);
}

/* ---- running concbench -------------------------------------------------- */

/* Run concbench with args (NULL-terminated), $CONCBENCH_SYSROOT set to
 * sysroot (NULL: unset); stdout and stderr are files, not terminals. */
static void cli(cbt_result_t *r, const char *sysroot, const char *const *args)
{
  char sysroot_env[4200];
  const char *env[] = { sysroot_env, "CONCBENCH_ENV_CHECK", NULL };
  cbt_spawn_t o = { .env = env };

  if (sysroot != NULL)
    snprintf(sysroot_env, sizeof(sysroot_env), "CONCBENCH_SYSROOT=%s", sysroot);
  else
    snprintf(sysroot_env, sizeof(sysroot_env), "CONCBENCH_SYSROOT");
  cbt_run(&o, args, r);
}

static char dir[] = "/tmp/cb-stable-XXXXXX";

static void path_in(char *buf, size_t len, const char *name)
{
  snprintf(buf, len, "%s/%s", dir, name);
}

static int dir_setup(void **state)
{
  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/cb-stable-XXXXXX");
  return mkdtemp(dir) != NULL ? 0 : -1;
}

static int dir_teardown(void **state)
{
  (void)state;
  cbt_remove_tree(dir);
  return 0;
}

/* The trial CSV at path, every row's column `col` as a number. */
static size_t column(const char *path, const char *col, double *v, size_t max)
{
  char *text = cbt_slurp_path(path, NULL), err[256];
  cb_table_t t;
  size_t i;
  long c;

  assert_int_equal(cb_table_parse(text, strlen(text), &t, err, sizeof(err)), 0);
  c = cb_table_col(&t, col);
  assert_true(c >= 0);
  for (i = 1; i < t.rows && i - 1 < max; i++)
    v[i - 1] = strtod(cb_table_get(&t, i, (size_t)c), NULL);
  i = t.rows - 1;
  cb_table_free(&t);
  free(text);
  return i;
}

/* ---- calibration --------------------------------------------------------- */

static void test_calibration_reaches_min_time(void **state)
{
  char out[256];
  double tasks[8], wall[8];
  size_t n, i;
  cbt_result_t r;

  (void)state;
  path_in(out, sizeof(out), "cal.csv");
  /* quick's io.sleep (32 tasks) at 10 ms a task: at c = 2 a trial of T
   * tasks sleeps 5 T ms at least, so 1 s needs T >= 200. The first trial
   * (32 tasks) lasts 160 ms at least, a tenth of the minimum or more, so
   * the next count is at most 32 x 1.2 x 1000 / 160 = 240, and a trial of
   * 200 or more reaches 1 s: the count lies in [200, 240] unless the first
   * trial overran its sleeps by a fifth (32 ms), which a loaded machine
   * does to 1 ms sleeps (it did, at a load of 15 on 2 PUs) but not to
   * 10 ms ones. */
  cli(&r, "/nonexistent", (const char *const[]){ "run", "--profile", "quick", "-w", "io.sleep",
                                                 "-r", "threads", "-c", "2", "-s", "10000",
                                                 "--min-time", "1000", "--reps", "3", "-o", out,
                                                 NULL });
  if (r.code != 0)
    print_error("stderr: %s\n", r.err);
  assert_int_equal(r.code, 0);
  assert_non_null(strstr(r.err, "concbench run: calibrated 1 cells to trials of at least "
                                "1000 ms in "));
  n = column(out, "tasks", tasks, ARRAY_SIZE(tasks));
  assert_int_equal(n, 3); /* calibration trials are not recorded */
  column(out, "wall_s", wall, ARRAY_SIZE(wall));
  for (i = 0; i < n; i++) {
    assert_true(tasks[i] == tasks[0]);
    assert_true(tasks[i] * 10000 / 2 >= 1000000);
    assert_true(tasks[i] >= 200 && tasks[i] <= 240);
    assert_true(wall[i] >= 1.0);
  }
  cbt_result_free(&r);

  /* -t: that count, no calibration. */
  cli(&r, "/nonexistent", (const char *const[]){ "run", "--profile", "quick", "-w", "io.sleep",
                                                 "-r", "threads", "-c", "2", "--min-time", "100",
                                                 "-t", "10", "--reps", "2", "--warmup", "0",
                                                 "-o", out, NULL });
  assert_int_equal(r.code, 0);
  assert_null(strstr(r.err, "calibrated"));
  assert_int_equal(column(out, "tasks", tasks, ARRAY_SIZE(tasks)), 2);
  assert_true(tasks[0] == 10 && tasks[1] == 10);
  cbt_result_free(&r);

  /* --min-time 0: the profile's count. */
  cli(&r, "/nonexistent", (const char *const[]){ "run", "--profile", "quick", "-w", "io.sleep",
                                                 "-r", "threads", "-c", "2", "--min-time", "0",
                                                 "--reps", "1", "--warmup", "0", "-o", out, NULL });
  assert_int_equal(r.code, 0);
  assert_null(strstr(r.err, "calibrated"));
  assert_int_equal(column(out, "tasks", tasks, ARRAY_SIZE(tasks)), 1);
  assert_true(tasks[0] == (double)cb_workload_find("io.sleep")->profile[CB_PROFILE_QUICK].tasks);
  cbt_result_free(&r);

  /* The dry run says that counts will grow, and a bad value is refused. */
  cli(&r, NULL, (const char *const[]){ "run", "--profile", "quick", "--dry-run", NULL });
  assert_int_equal(r.code, 0);
  assert_non_null(strstr(r.out, "tasks grow at run time until a trial lasts " CB_STR(
                                    CB_QUICK_MIN_MS) " ms (--min-time; -t: as shown)\n"));
  cbt_result_free(&r);
  cli(&r, NULL, (const char *const[]){ "run", "-w", "noop", "--min-time", "-5", NULL });
  assert_int_equal(r.code, 2);
  assert_non_null(strstr(r.err, "bad --min-time '-5' (a whole number 0..3600000)"));
  cbt_result_free(&r);
}

/* A cell whose tasks are one per unit of concurrency (life.idle) keeps that
 * count, and a cell whose trials crash on purpose keeps its count and says
 * why it was not calibrated. */
static void test_calibration_leaves_alone(void **state)
{
  char out[256];
  double tasks[8];
  cbt_result_t r;

  (void)state;
  path_in(out, sizeof(out), "idle.csv");
  cli(&r, "/nonexistent", (const char *const[]){ "run", "-w", "life.idle", "-s", "1000", "-r",
                                                 "threads", "-c", "3", "--min-time", "100",
                                                 "--reps", "1", "-o", out, NULL });
  assert_int_equal(r.code, 0);
  assert_null(strstr(r.err, "calibrated"));
  assert_int_equal(column(out, "tasks", tasks, ARRAY_SIZE(tasks)), 1);
  assert_true(tasks[0] == 3);
  cbt_result_free(&r);

  path_in(out, sizeof(out), "crash.csv");
  cli(&r, "/nonexistent", (const char *const[]){ "run", "--profile", "quick", "-w",
                                                 "fault.crash", "-r", "serial", "--min-time",
                                                 "100", "--reps", "1", "-o", out, NULL });
  assert_int_equal(r.code, 0);
  assert_non_null(strstr(r.err, "calibrated 1 cells to trials of at least 100 ms in "));
  assert_non_null(strstr(r.err, "; 1 did not reach it, e.g. fault.crash serial c=1: a trial "
                                "of 200 tasks: crashed: "));
  assert_int_equal(column(out, "tasks", tasks, ARRAY_SIZE(tasks)), 1);
  assert_true(tasks[0] == 200);
  cbt_result_free(&r);
}

/* --max-reps with a target no cell can reach (it needs 6 trials): every
 * cell ends with exactly --max-reps rows, and the run says so. */
static void test_max_reps(void **state)
{
  char out[256];
  double v[16];
  cbt_result_t r;

  (void)state;
  path_in(out, sizeof(out), "more.csv");
  cli(&r, "/nonexistent", (const char *const[]){ "run", "-w", "io.sleep", "-s", "1000", "-r",
                                                 "serial,threads", "-c", "1", "-t", "5",
                                                 "--reps", "2", "--warmup", "0", "--max-reps",
                                                 "4", "--target-ci", "1", "-o", out, NULL });
  assert_int_equal(r.code, 0);
  assert_int_equal(column(out, "rep", v, ARRAY_SIZE(v)), 8);
  assert_non_null(strstr(r.err, "concbench run: --max-reps 4: 0 of 2 cells with ok trials have "
                                "their median's 95% CI within 1% (4 extra trials); not, e.g. "
                                "io.sleep "));
  cbt_result_free(&r);

  cli(&r, NULL, (const char *const[]){ "run", "-w", "noop", "--reps", "3", "--max-reps", "2",
                                       NULL });
  assert_int_equal(r.code, 2);
  assert_non_null(strstr(r.err, "--max-reps 2 is below --reps 3"));
  cbt_result_free(&r);
  cli(&r, NULL, (const char *const[]){ "run", "-w", "noop", "--target-ci", "0", NULL });
  assert_int_equal(r.code, 2);
  assert_non_null(strstr(r.err, "bad --target-ci '0' (percent, > 0 and <= 100)"));
  cbt_result_free(&r);
}

/* ---- profiles ------------------------------------------------------------ */

/* Cells of a dry run's table whose runner column is `runner`. */
static size_t dry_cells(const char *out, const char *runner)
{
  char wl[64], rn[64];
  const char *line;
  size_t n = 0;

  for (line = out; line != NULL && *line != '\0'; line = strchr(line, '\n')) {
    line += *line == '\n';
    if (sscanf(line, "%63s %63s", wl, rn) == 2 && strchr(wl, '.') != NULL &&
        strcmp(rn, runner) == 0)
      n++;
  }
  return n;
}

/* The single loop and the hybrids run only in the standard profile's
 * experiments for issue 15's findings (io.sleep and io.tcp at c = 64 and
 * 1000, cpu.hash at c = PUs for loop1 and under the GIL for procs-threads,
 * fault.crash at c = 4, 16, 64, life.idle at c = 16, 256, 1000), and the
 * quick profile (CI's) runs none of them; two experiments that -r makes
 * alike run their cells once. */
static void test_profile_hybrids(void **state)
{
  cbt_result_t r;
  size_t gil;

  (void)state;
  cli(&r, NULL, (const char *const[]){ "run", "--profile", "standard", "--dry-run", NULL });
  assert_int_equal(r.code, 0);
  assert_int_equal(dry_cells(r.out, "loop1"), 5);
  assert_int_equal(dry_cells(r.out, "procs-loops"), 10);
  assert_int_equal(dry_cells(r.out, "procs-threads"), 6);
  gil = dry_cells(r.out, "procs-threads+gil"); /* c = 1, PUs, 16: fewer where PUs is 1 or 16 */
  assert_true(gil >= 2 && gil <= 3);
  assert_int_equal(dry_cells(r.out, "loop1+gil") + dry_cells(r.out, "procs-loops+gil"), 0);
  cbt_result_free(&r);

  cli(&r, NULL, (const char *const[]){ "run", "--profile", "quick", "--dry-run", NULL });
  assert_int_equal(r.code, 0);
  assert_int_equal(dry_cells(r.out, "loop1") + dry_cells(r.out, "procs-loops") +
                       dry_cells(r.out, "procs-threads"), 0);
  assert_true(dry_cells(r.out, "threads") > 0);
  cbt_result_free(&r);

  /* io.sleep's two experiments under -r threads: 7 c x 2 GIL modes, once */
  cli(&r, NULL, (const char *const[]){ "run", "--profile", "standard", "-w", "io.sleep", "-r",
                                       "threads", "--dry-run", NULL });
  assert_int_equal(r.code, 0);
  assert_int_equal(dry_cells(r.out, "threads"), 7);
  assert_int_equal(dry_cells(r.out, "threads+gil"), 7);
  assert_non_null(strstr(r.out, "\n14 cells x (1 warm-up + 6 recorded) = 98 trials\n"));
  cbt_result_free(&r);
}

/* ---- the environment check ----------------------------------------------- */

static void put(const char *rel, const char *text)
{
  char path[512], *slash;

  snprintf(path, sizeof(path), "%s/root/%s", dir, rel);
  for (slash = strchr(path + strlen(dir) + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
    *slash = '\0';
    mkdir(path, 0755);
    *slash = '/';
  }
  cbt_write_file(path, text);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#endif
#if defined(SANITIZED) || !defined(__OPTIMIZE__)
#define BUILD_WARNS 1
#else
#define BUILD_WARNS 0
#endif

static unsigned pus(void)
{
  long n = sysconf(_SC_NPROCESSORS_ONLN);

  return n > 0 ? (unsigned)n : 1;
}

static void test_env_fake_root(void **state)
{
  char root[300], line[256], out[300], *text;
  json_t *meta, *env, *item;
  json_error_t jerr;
  unsigned p = pus();
  cbt_result_t r;

  (void)state;
  snprintf(root, sizeof(root), "%s/root", dir);
  put("proc/loadavg", "3.50 1.00 0.50 1/100 123\n");
  put("proc/meminfo", "MemTotal: 1000000 kB\nSwapTotal:        4096 kB\nSwapFree:         "
                      "1024 kB\n");
  put("proc/self/cgroup", "1:cpu:/\n0::/bench/job\n");
  put("sys/fs/cgroup/bench/cpu.max", "50000 100000\n");
  put("sys/fs/cgroup/bench/job/cpu.max", "max 100000\n");
  put("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "powersave\n");
  put("sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "performance\n");
  put("sys/devices/system/cpu/intel_pstate/no_turbo", "0\n");

  cli(&r, NULL, (const char *const[]){ "env", "--root", root, "--sample-ms", "0", NULL });
  assert_int_equal(r.code, 0);
  snprintf(line, sizeof(line), "WARN load      3.50 on %u PUs\n", p);
  assert_non_null(strstr(r.out, line));
  assert_non_null(strstr(r.out, "ok   busy      not checked\n"
                                "ok   noise     not checked\n"));
  assert_non_null(strstr(r.out, "WARN governor  powersave on 1 of 2 CPUs\n"
                                "               hint: the clock follows the load: cpupower "
                                "frequency-set -g performance\n"));
  assert_non_null(strstr(r.out, "WARN boost     on (intel_pstate)\n"));
  assert_non_null(strstr(r.out, "WARN swap      3 MiB of 4 MiB in use\n"));
  snprintf(line, sizeof(line), "WARN cgroup    cpu.max 0.50 CPUs at /bench (%u PUs)\n", p);
  assert_non_null(strstr(r.out, line));
  snprintf(line, sizeof(line), "\n%d warnings\n", 5 + BUILD_WARNS);
  assert_non_null(strstr(r.out, line));
  cbt_result_free(&r);

  /* The same root through the environment, for run: refused with
   * --strict-env (before any output exists), else warned and recorded. */
  path_in(out, sizeof(out), "env.csv");
  cli(&r, root, (const char *const[]){ "run", "-w", "noop", "-r", "serial", "-t", "10",
                                       "--reps", "1", "--warmup", "0", "--strict-env", "-o", out,
                                       NULL });
  assert_int_equal(r.code, 2);
  snprintf(line, sizeof(line), "concbench run: --strict-env: %d environment warnings: load "
           "3.50 on %u PUs; governor powersave on 1 of 2 CPUs; boost on (intel_pstate); ",
           5 + BUILD_WARNS, p);
  assert_non_null(strstr(r.err, line));
  assert_int_equal(access(out, F_OK), -1);
  cbt_result_free(&r);

  cli(&r, root, (const char *const[]){ "run", "-w", "noop", "-r", "serial", "-t", "10",
                                       "--reps", "1", "--warmup", "0", "-o", out, NULL });
  assert_int_equal(r.code, 0);
  assert_non_null(strstr(r.err, "concbench run: warning: load 3.50 on "));
  assert_non_null(strstr(r.err, "concbench run: warning: cgroup cpu.max 0.50 CPUs at /bench"));
  text = cbt_slurp_path(out, NULL);
  assert_non_null(strstr(text, ",3.5,load 3.50 on "));
  assert_non_null(strstr(text, "swap 3 MiB of 4 MiB in use; cgroup cpu.max 0.50 CPUs at /bench"));
  free(text);
  path_in(out, sizeof(out), "env.meta.json");
  meta = json_load_file(out, 0, &jerr);
  assert_non_null(meta);
  env = json_object_get(meta, "env");
  assert_true(json_is_true(json_object_get(env, "checked")));
  assert_int_equal(json_integer_value(json_object_get(env, "warnings")), 5 + BUILD_WARNS);
  item = json_array_get(json_object_get(env, "items"), 2);
  assert_string_equal(json_string_value(json_object_get(item, "name")), "noise");
  assert_string_equal(json_string_value(json_object_get(item, "value")),
                      "unknown under a root other than /");
  assert_true(json_is_false(json_object_get(item, "warning")));
  item = json_array_get(json_object_get(env, "items"), 6);
  assert_string_equal(json_string_value(json_object_get(item, "name")), "swap");
  assert_string_equal(json_string_value(json_object_get(item, "value")), "3 MiB of 4 MiB in use");
  assert_true(json_is_true(json_object_get(item, "warning")));
  assert_non_null(strstr(json_string_value(json_object_get(item, "hint")), "memory was short"));
  assert_true(json_is_true(json_object_get(json_object_get(meta, "env_end"), "checked")));
  json_decref(meta);
  cbt_result_free(&r);

  /* The report's Machine section shows them; its Stability section the
   * flagged share by family (10 noop tasks last microseconds: short). */
  path_in(out, sizeof(out), "env.csv");
  cli(&r, NULL, (const char *const[]){ "report", out, NULL });
  assert_int_equal(r.code, 0);
  snprintf(line, sizeof(line), "| environment at the start | load 3.50 on %u PUs; ", p);
  assert_non_null(strstr(r.out, line));
  assert_non_null(strstr(r.out, "| load average (1 min) | 3.5 after the first trial, 3.5 after "
                                "the last |\n"));
  assert_non_null(strstr(r.out, "1 of 1 cells carry a stability flag (see the `flags` and "
                                "`hint` columns of the summary CSV): 1 are noisy"));
  assert_non_null(strstr(r.out, "| family | cells | noisy | failed trials only | noisy share |\n"
                                "|---|---|---|---|---|\n| noop | 1 | 1 | 0 | 100% |\n"));
  cbt_result_free(&r);

  /* An empty root: nothing known, nothing warned (but the build). */
  put("empty/.keep", "");
  snprintf(root, sizeof(root), "%s/root/empty", dir);
  cli(&r, NULL, (const char *const[]){ "env", "--root", root, "--sample-ms", "0", NULL });
  assert_int_equal(r.code, 0);
  assert_non_null(strstr(r.out, "ok   load      unknown\n"));
  assert_non_null(strstr(r.out, "ok   governor  none (no cpufreq"));
  assert_non_null(strstr(r.out, "ok   boost     unknown\n"));
  assert_non_null(strstr(r.out, "ok   swap      unknown\n"));
  assert_non_null(strstr(r.out, "ok   cgroup    unknown (no cgroup v2)\n"));
  snprintf(line, sizeof(line), "\n%d warning%s\n", BUILD_WARNS, BUILD_WARNS == 1 ? "" : "s");
  assert_non_null(strstr(r.out, line));
  cbt_result_free(&r);
}

/* The noise item from the probe's rates: their cv, exactly; a warning above
 * 3 %, with its hint; and the probe's own rates are real numbers. No
 * threshold on this machine's noise: that is what the item reports. */
static void test_env_noise(void **state)
{
  const double steady[CB_NOISE_BATCHES] = { 100, 100, 100, 100, 100, 100, 100, 100, 100 };
  const double one_slow[CB_NOISE_BATCHES] = { 100, 100, 100, 100, 100, 100, 100, 100, 70 };
  const double ramp[5] = { 1, 2, 3, 4, 5 };
  double rates[3];
  cb_env_t e;
  cbt_result_t r;
  size_t i;

  (void)state;
  cbt_expect_near(cb_noise_cv(ramp, 5, NULL), sqrt(2.5) / 3, "cv of 1..5");
  cbt_expect_near(cb_noise_cv(ramp, 1, NULL), 0, "cv of one rate");
  memset(&e, 0, sizeof(e));
  cb_env_noise(&e, steady, CB_NOISE_BATCHES, 0.02);
  assert_string_equal(e.item[CB_ENV_NOISE].value, "cv 0.0% over 9 batches of 20 ms of a bare "
                                                  "FP loop, 100 products/s");
  assert_false(e.item[CB_ENV_NOISE].warn);
  /* One batch in nine 30 % slower: cv 10.3 % */
  cb_env_noise(&e, one_slow, CB_NOISE_BATCHES, 0.02);
  assert_string_equal(e.item[CB_ENV_NOISE].value, "cv 10.3% over 9 batches of 20 ms of a bare "
                                                  "FP loop, 97 products/s");
  assert_true(e.item[CB_ENV_NOISE].warn);
  assert_non_null(strstr(e.item[CB_ENV_NOISE].hint, "no cell can be steadier"));

  cb_noise_measure(0.002, 3, rates);
  for (i = 0; i < 3; i++)
    assert_true(isfinite(rates[i]) && rates[i] > 0);

  /* On this machine (root /): a measured line, warning or not. */
  cli(&r, NULL, (const char *const[]){ "env", "--root", "/", "--sample-ms", "90", NULL });
  assert_int_equal(r.code, 0);
  assert_true(strstr(r.out, "ok   noise     cv ") != NULL ||
              strstr(r.out, "WARN noise     cv ") != NULL);
  assert_non_null(strstr(r.out, "% over 9 batches of 10 ms of a bare FP loop, "));
  assert_non_null(strstr(r.out, " products/s\n"));
  cbt_result_free(&r);
}

/* A child of this test spins: the check names it (among up to three busy
 * processes: other tests may spin too).
 * Other tests may run at the same time, so up to five samples. */
static void test_env_busy_child(void **state)
{
  char want[64];
  int found = 0, i;
  cbt_result_t r;
  pid_t spinner;

  (void)state;
  spinner = fork();
  assert_true(spinner >= 0);
  if (spinner == 0) {
    volatile unsigned long x = 0;
    alarm(60); /* never outlives a broken test */
    /* The highest priority (as root): a whole CPU even when the machine is
     * loaded many times over (other suites, fuzzers), as a busy loop on a
     * quiet machine has. */
    if (setpriority(PRIO_PROCESS, 0, -20) != 0)
      print_message("spinner at the default priority: %s\n", strerror(errno));
    for (;;)
      x++;
  }
  snprintf(want, sizeof(want), "pid %ld (test_stable) ", (long)spinner);
  for (i = 0; i < 5 && !found; i++) {
    cli(&r, NULL, (const char *const[]){ "env", "--sample-ms", "300", NULL });
    assert_int_equal(r.code, 0);
    found = strstr(r.out, "WARN busy      ") != NULL && strstr(r.out, want) != NULL;
    if (!found)
      print_message("sample %d: %s", i, r.out);
    cbt_result_free(&r);
  }
  kill(spinner, SIGKILL);
  assert_int_equal(waitpid(spinner, NULL, 0), spinner);
  assert_true(found);
}

/* ---- progress in a log --------------------------------------------------- */

/* Lines "concbench run: [i/N] M:SS elapsed, ETA M:SS, WHAT" in err. */
static int progress_lines(const char *err)
{
  const char *p = err;
  unsigned i, n, m, s, em, es;
  int lines = 0, used;

  while ((p = strstr(p, "concbench run: [")) != NULL) {
    used = 0;
    assert_int_equal(sscanf(p, "concbench run: [%u/%u] %u:%u elapsed, ETA %u:%u, io.sleep "
                               "serial c=1%n", &i, &n, &m, &s, &em, &es, &used), 6);
    assert_true(used > 0);
    assert_true(i >= 1 && i <= n && n == 4);
    lines++;
    p += used;
  }
  return lines;
}

static void test_progress_in_log(void **state)
{
  char out[256];
  cbt_result_t r;
  int n;

  (void)state;
  path_in(out, sizeof(out), "progress.csv");
  /* Four trials of 100 tasks of 1 ms: each lasts 100 ms at least, so with
   * one line every 50 ms each trial after the first starts with one. */
  cli(&r, "/nonexistent", (const char *const[]){ "run", "-w", "io.sleep", "-s", "1000", "-r",
                                                 "serial", "-t", "100", "--reps", "3",
                                                 "--progress", "0.05", "-o", out, NULL });
  assert_int_equal(r.code, 0);
  n = progress_lines(r.err);
  assert_true(n >= 3 && n <= 8);
  assert_null(strstr(r.err, "\033[K"));
  cbt_result_free(&r);

  cli(&r, "/nonexistent", (const char *const[]){ "run", "-w", "io.sleep", "-s", "1000", "-r",
                                                 "serial", "-t", "100", "--reps", "3",
                                                 "--progress", "0.05", "-q", "-o", out, NULL });
  assert_int_equal(r.code, 0);
  assert_int_equal(progress_lines(r.err), 0);
  cbt_result_free(&r);

  cli(&r, "/nonexistent", (const char *const[]){ "run", "-w", "io.sleep", "-s", "1000", "-r",
                                                 "serial", "-t", "100", "--reps", "3",
                                                 "--progress", "0", "-o", out, NULL });
  assert_int_equal(r.code, 0);
  assert_int_equal(progress_lines(r.err), 0);
  cbt_result_free(&r);

  cli(&r, NULL, (const char *const[]){ "run", "-w", "noop", "--progress", "soon", NULL });
  assert_int_equal(r.code, 2);
  assert_non_null(strstr(r.err, "bad --progress 'soon' (seconds, 0 for none)"));
  cbt_result_free(&r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_calib_next),
    cmocka_unit_test(test_median_ci_within),
    cmocka_unit_test_setup_teardown(test_max_reps, dir_setup, dir_teardown),
    cmocka_unit_test_setup_teardown(test_calibration_reaches_min_time, dir_setup, dir_teardown),
    cmocka_unit_test_setup_teardown(test_calibration_leaves_alone, dir_setup, dir_teardown),
    cmocka_unit_test(test_profile_hybrids),
    cmocka_unit_test_setup_teardown(test_env_fake_root, dir_setup, dir_teardown),
    cmocka_unit_test(test_env_busy_child),
    cmocka_unit_test(test_env_noise),
    cmocka_unit_test_setup_teardown(test_progress_in_log, dir_setup, dir_teardown),
  };

  if (getenv("CONCBENCH") == NULL) {
    fprintf(stderr, "CONCBENCH is not set (meson test sets it)\n");
    return 1;
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
