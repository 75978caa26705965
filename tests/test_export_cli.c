/* Tests of `concbench run --json`: the JSON written beside the CSV holds an
 * entry per cell, read back with jansson (tests/test_gbj.c), and a path it
 * cannot write is refused. The binary (path in $CONCBENCH) is run with
 * fork+execv, never through a shell. The export itself: test_export.c. */
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
#include <jansson.h>

#include "cb_config.h"
#include "common.h"
#include "csv.h"
#include "export.h"
#include "meta.h"
#include "table.h"
#include "test_gbj.h"

static void remove_dir(const char *dir)
{
  static const char *const names[] = { "out.csv", "out.summary.csv", "out.meta.json",
                                       "out.json" };
  char p[512];
  size_t i;

  for (i = 0; i < CBT_ARRAY_SIZE(names); i++) {
    snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
    unlink(p);
  }
  assert_int_equal(rmdir(dir), 0); /* fails if anything unexpected is left */
}

static void test_cli_json(void **state)
{
  char dir[256], out[320], json[320];
  cbt_result_t r = { 0 };
  entry_t e[16];
  char *text;
  size_t n, i;

  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/cb-test-export-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(out, sizeof(out), "%s/out.csv", dir);
  snprintf(json, sizeof(json), "%s/out.json", dir);
  {
    const char *argv[] = { "run", "-w", "noop", "-r", "serial,threads", "-c", "1",
                     "-p", "none", "-t", "50", "--reps", "3", "--warmup", "0", "-q",
                     "-o", out, "--json", json, NULL };
    cbt_rerun(NULL, argv, &r);
  }
  if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
    fail_msg("run --json: status %#x; stderr: %s", r.status, r.err);
  text = cbt_slurp_path(json, NULL);
  json_decref(cbt_parse_json(text));
  n = gbj_read_entries(text, e, CBT_ARRAY_SIZE(e));
  assert_int_equal(n, 6);
  {
    /* Each entry is one trial of the CSV the run wrote: the cell that
     * appears first, then the other, each in row order; its time per task
     * and throughput are that row's, exactly. */
    char err[256];
    cb_table_t t;
    size_t row, k = 0, pass;
    long rn, wall, tp, tasks;
    const char *first;

    if (cb_table_load(out, &t, err, sizeof(err)) != 0)
      fail_msg("%s", err);
    rn = cb_table_col(&t, "runner");
    wall = cb_table_col(&t, "wall_s");
    tp = cb_table_col(&t, "throughput");
    tasks = cb_table_col(&t, "tasks");
    assert_true(rn >= 0 && wall >= 0 && tp >= 0 && tasks >= 0);
    assert_int_equal(t.rows, 7);
    first = cb_table_get(&t, 1, (size_t)rn);
    for (pass = 0; pass < 2; pass++)
      for (row = 1; row < t.rows; row++) {
        int is_first = strcmp(cb_table_get(&t, row, (size_t)rn), first) == 0;
        double w = strtod(cb_table_get(&t, row, (size_t)wall), NULL);
        if (is_first != (pass == 0))
          continue;
        assert_true(strtod(cb_table_get(&t, row, (size_t)tasks), NULL) == 50);
        if (e[k].real_time != w / 50 * 1e9)
          fail_msg("entry %zu: real_time %.17g, the CSV's wall_s %.17g / 50 tasks", k,
                   e[k].real_time, w);
        assert_true(e[k].items_per_second == strtod(cb_table_get(&t, row, (size_t)tp), NULL));
        k++;
      }
    assert_int_equal(k, 6);
    cb_table_free(&t);
  }
  for (i = 0; i < n; i++) {
    const char *want = i < 3 ? e[0].name : e[3].name;
    assert_string_equal(e[i].name, want);
    assert_true(e[i].repetitions == 3);
    assert_true(e[i].index == (double)(i % 3));
    assert_true(e[i].iterations == 50);
  }
  assert_true(strcmp(e[0].name, "noop/serial/c:1/pin:none/real_time") == 0 ||
              strcmp(e[0].name, "noop/threads/c:1/pin:none/real_time") == 0);
  assert_string_not_equal(e[0].name, e[3].name);
  {
    /* compare --export gbench of the same CSV reads out.meta.json beside
     * it: the same context as the run's own JSON, to the byte, with the
     * machine's caches and clock. */
    char *sidecar, meta_path[400];
    json_t *a, *b, *m;
    snprintf(meta_path, sizeof(meta_path), "%s/out.meta.json", dir);
    const char *argv[] = { "compare", "--export", "gbench", out, NULL };
    cbt_rerun(NULL, argv, &r);
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
      fail_msg("compare --export gbench: status %#x; stderr: %s", r.status, r.err);
    a = cbt_parse_json(text);
    b = cbt_parse_json(r.out);
    assert_true(json_equal(json_object_get(a, "context"), json_object_get(b, "context")));
    sidecar = cbt_slurp_path(meta_path, NULL);
    m = cbt_parse_json(sidecar);
    assert_int_equal(json_array_size(json_object_get(json_object_get(b, "context"), "caches")),
                     json_array_size(json_object_get(m, "caches")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(b, "context"),
                                                          "host_name")),
                        json_string_value(json_object_get(m, "host")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(b, "context"),
                                                        "num_cpus")),
                     json_integer_value(json_object_get(m, "pus")));
    json_decref(m);
    json_decref(b);
    json_decref(a);
    free(sidecar);
    /* A sidecar that is not JSON: exit 2 naming it. */
    assert_int_equal(cb_write_atomic(meta_path, "{\"run_id\": NaN}", 16), 0);
    cbt_rerun(NULL, argv, &r);
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 2 || strstr(r.err, meta_path) == NULL)
      fail_msg("compare --export gbench with a bad sidecar: status %#x; stderr: %s", r.status,
               r.err);
  }
  free(text);
  cbt_result_free(&r);
  remove_dir(dir);
}

static void test_cli_json_bad_path(void **state)
{
  char dir[256], out[320], bad[320], want[400];
  cbt_result_t r = { 0 };

  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/cb-test-export-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(out, sizeof(out), "%s/out.csv", dir);
  for (int k = 0; k < 2; k++) {
    if (k == 0)
      snprintf(bad, sizeof(bad), "%s/missing/x.json", dir);
    else
      snprintf(bad, sizeof(bad), "%s", dir); /* a directory */
    const char *argv[] = { "run", "-w", "noop", "-r", "serial", "-c", "1", "-p", "none",
                     "-t", "5", "--reps", "1", "--warmup", "0", "-q", "-o", out, "--json", bad,
                     NULL };
    cbt_rerun(NULL, argv, &r);
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 2)
      fail_msg("--json '%s': status %#x, expected exit 2; stderr: %s", bad, r.status, r.err);
    snprintf(want, sizeof(want), "'%s'", bad);
    if (strstr(r.err, want) == NULL)
      fail_msg("stderr does not name %s: %s", want, r.err);
    assert_string_equal(r.out, "");
    /* Refused before anything was written: not the CSV, not the sidecar. */
    assert_int_equal(cbt_count_entries(dir), 0);
  }
  cbt_result_free(&r);
  remove_dir(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cli_json),
    cmocka_unit_test(test_cli_json_bad_path),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
