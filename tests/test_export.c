/* Tests of the Google Benchmark JSON export (analysis/export.c). A fixture
 * CSV, written as text here, holds cells built to exercise the naming rules
 * (default and non-default transports, a payload, two sizes and two task
 * counts of one workload that would otherwise share a name, a cell with no ok
 * trial, a failed trial among ok ones); the JSON is checked by a small strict
 * validator (RFC 8259) and by reading each benchmark entry back, field by
 * field (tests/test_gbj.c), against values computed here from the fixture.
 * `concbench run --json`: test_export_cli.c. */
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

typedef struct fcell_s {
  const char *workload, *runner, *transport;
  unsigned c, tasks, size, payload;
  const char *name; /* expected; NULL: no ok trial, no entry */
  unsigned family, instance;
} fcell_t;

static const fcell_t fcells[] = {
  { "cpu.hash", "threads", "inproc", 2, 1000, 2000, 0,
    "cpu.hash/threads/c:2/pin:compact/real_time", 0, 0 },
  { "cpu.hash", "processes", "shm", 2, 1000, 2000, 64,
    "cpu.hash/processes/c:2/pin:compact/transport:shm/payload:64/real_time", 0, 1 },
  { "cpu.matmul", "threads", "inproc", 1, 300, 32, 0,
    "cpu.matmul/threads/c:1/pin:compact/size:32/real_time", 1, 0 },
  { "cpu.hash", "processes", "pipe", 2, 1000, 2000, 0,
    "cpu.hash/processes/c:2/pin:compact/real_time", 0, 2 },
  { "io.sleep", "serial", "inproc", 1, 64, 1000, 0, NULL, 0, 0 },
  { "noop", "threads", "inproc", 1, 100, 0, 0,
    "noop/threads/c:1/pin:compact/tasks:100/real_time", 2, 0 },
  { "cpu.matmul", "threads", "inproc", 1, 200, 96, 0,
    "cpu.matmul/threads/c:1/pin:compact/size:96/real_time", 1, 1 },
  { "noop", "threads", "inproc", 1, 200, 0, 0,
    "noop/threads/c:1/pin:compact/tasks:200/real_time", 2, 1 },
};

typedef struct frow_s {
  unsigned cell;
  const char *status;
  double wall_s, user_s, sys_s, throughput;
} frow_t;

/* Interleaved as a seeded schedule would leave them. */
static const frow_t frows[] = {
  { 0, "ok", 0.123456789, 0.2, 0.01, 8100.5 },
  { 1, "ok", 0.5, 0.75, 0.125, 2000 },
  { 2, "ok", 0.0301, 0.03, 0, 9966.777 },
  { 0, "ok", 0.1300000000000001, 0.21, 0.011, 7692.307692307692 },
  { 3, "ok", 0.6, 0.9, 0.2, 1666.6666666666667 },
  { 4, "crashed", 0, 0, 0, 0 },
  { 5, "ok", 1e-05, 0, 0, 1e7 },
  { 0, "crashed", 0, 0, 0, 0 },
  { 6, "ok", 0.044, 0.04, 0.002, 4545.45 },
  { 1, "ok", 0.52, 0.74, 0.13, 1923.0769230769231 },
  { 7, "ok", 2e-05, 1e-06, 0, 1e7 },
  { 3, "ok", 0.61, 0.91, 0.21, 1639.344262295082 },
  { 2, "ok", 0.0302, 0.031, 0.001, 9933.77 },
  { 0, "ok", 0.125, 0.19, 0.009, 8000 },
  { 4, "timeout", 0, 0, 0, 0 },
};

static const char fheader[] =
    "run_id,timestamp,host,pus,build_type,workload,runner,transport,pin,concurrency,tasks,size,"
    "payload,rep,wall_s,throughput,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,status\n";

static void fixture_csv(cb_buf_t *b)
{
  unsigned rep[CBT_ARRAY_SIZE(fcells)] = { 0 };
  size_t i;

  cb_buf_printf(b, "%s", fheader);
  for (i = 0; i < CBT_ARRAY_SIZE(frows); i++) {
    const frow_t *r = &frows[i];
    const fcell_t *c = &fcells[r->cell];
    cb_buf_printf(b, "R1,2026-01-02T03:04:05.678Z,\"lab \"\"7\"\"\",16,debugoptimized,");
    cb_buf_printf(b, "%s,%s,%s,compact,%u,%u,%u,%u,%u,", c->workload, c->runner, c->transport,
                  c->c, c->tasks, c->size, c->payload, rep[r->cell]++);
    cb_buf_csv_double(b, r->wall_s);
    cb_buf_put(b, ",", 1);
    cb_buf_csv_double(b, r->throughput);
    cb_buf_printf(b, ",1.5,3,");
    cb_buf_csv_double(b, r->user_s);
    cb_buf_put(b, ",", 1);
    cb_buf_csv_double(b, r->sys_s);
    cb_buf_printf(b, ",2048,%s\n", r->status);
  }
  assert_false(b->failed);
}

static void export_text(const char *csv, const cb_meta_t *meta, cb_buf_t *out)
{
  char err[256] = "";
  cb_table_t t;
  int rc;

  if (cb_table_parse(csv, strlen(csv), &t, err, sizeof(err)) != 0)
    fail_msg("fixture does not parse: %s", err);
  rc = cb_export_gbench(&t, meta, out, err, sizeof(err));
  if (rc != 0)
    fail_msg("cb_export_gbench = %d: %s", rc, err);
  assert_false(out->failed);
  assert_non_null(out->data);
  cb_table_free(&t);
}

static unsigned ok_rows(unsigned cell)
{
  unsigned n = 0;
  size_t i;

  for (i = 0; i < CBT_ARRAY_SIZE(frows); i++)
    n += frows[i].cell == cell && strcmp(frows[i].status, "ok") == 0;
  return n;
}

static void test_entries(void **state)
{
  cb_buf_t csv = { 0 }, json = { 0 };
  entry_t e[32];
  size_t n, k = 0, c, i, j;

  (void)state;
  fixture_csv(&csv);
  export_text(csv.data, NULL, &json);
  json_decref(cbt_parse_json(json.data));
  n = gbj_read_entries(json.data, e, CBT_ARRAY_SIZE(e));
  /* Expected: cells in order of first appearance, each cell's ok trials in
   * row order. */
  for (c = 0; c < CBT_ARRAY_SIZE(fcells); c++) {
    unsigned index = 0;
    for (i = 0; i < CBT_ARRAY_SIZE(frows); i++) {
      const frow_t *r = &frows[i];
      const fcell_t *fc = &fcells[c];
      if (r->cell != c || strcmp(r->status, "ok") != 0)
        continue;
      assert_non_null(fc->name);
      if (k >= n)
        fail_msg("only %zu entries", n);
      if (strcmp(e[k].name, fc->name) != 0)
        fail_msg("entry %zu: name '%s', expected '%s'", k, e[k].name, fc->name);
      assert_string_equal(e[k].run_name, fc->name);
      assert_string_equal(e[k].run_type, "iteration");
      assert_string_equal(e[k].time_unit, "ns");
      assert_true(e[k].repetitions == ok_rows((unsigned)c));
      if (e[k].index != index)
        fail_msg("entry %zu (%s): repetition_index %g, expected %u", k, fc->name, e[k].index,
                 index);
      index++;
      assert_true(e[k].threads == 1);
      assert_true(e[k].iterations == fc->tasks);
      assert_true(e[k].family == fc->family);
      assert_true(e[k].instance == fc->instance);
      /* Exactly, since doubles are written to read back exactly. */
      if (e[k].real_time != r->wall_s / fc->tasks * 1e9)
        fail_msg("entry %zu: real_time %.17g, expected %.17g", k, e[k].real_time,
                 r->wall_s / fc->tasks * 1e9);
      assert_true(e[k].cpu_time == (r->user_s + r->sys_s) / fc->tasks * 1e9);
      assert_true(e[k].items_per_second == r->throughput);
      k++;
    }
  }
  assert_int_equal(n, k);
  assert_int_equal(n, 12);
  /* Names differ across cells: equal names only within a run of entries. */
  for (i = 0; i < n; i++) {
    for (j = i + 1; j < n; j++) {
      if (strcmp(e[i].name, e[j].name) == 0 && e[j].index == 0)
        fail_msg("entries %zu and %zu: two cells named '%s'", i, j, e[i].name);
    }
  }
  /* The failed cell is nowhere. */
  assert_null(strstr(json.data, "io.sleep"));
  /* Same input, same bytes. */
  {
    cb_buf_t again = { 0 };
    export_text(csv.data, NULL, &again);
    assert_int_equal(again.len, json.len);
    assert_memory_equal(again.data, json.data, json.len);
    cb_buf_free(&again);
  }
  cb_buf_free(&csv);
  cb_buf_free(&json);
}

/* The "context" object of a document, checked against a JSON text of what
 * it must hold (jansson's equality: same keys, same values). */
static void assert_context(const char *doc, const char *want)
{
  json_t *root = cbt_parse_json(doc), *exp = cbt_parse_json(want);
  json_t *ctx = json_object_get(root, "context");

  if (!json_equal(ctx, exp)) {
    char *got = json_dumps(ctx, JSON_SORT_KEYS);
    fail_msg("context %s, expected %s", got, want);
  }
  json_decref(exp);
  json_decref(root);
}

static void test_context_without_meta(void **state)
{
  cb_buf_t csv = { 0 }, json = { 0 };

  (void)state;
  fixture_csv(&csv);
  export_text(csv.data, NULL, &json);
  assert_context(json.data, "{\"date\": \"2026-01-02T03:04:05.678+00:00\", "
                            "\"host_name\": \"lab \\\"7\\\"\", \"executable\": \"concbench\", "
                            "\"num_cpus\": 16, \"mhz_per_cpu\": 0, "
                            "\"cpu_scaling_enabled\": false, \"caches\": [], "
                            "\"load_avg\": [0.0, 0.0, 0.0], \"library_build_type\": \"debug\"}");
  cb_buf_free(&csv);
  cb_buf_free(&json);
}

static void fill_meta(cb_meta_t *meta)
{
  memset(meta, 0, sizeof(*meta));
  snprintf(meta->run_id, sizeof(meta->run_id), "R1");
  snprintf(meta->host, sizeof(meta->host), "meta\\host");
  snprintf(meta->started, sizeof(meta->started), "2026-11-22T00:00:00Z");
  meta->pus = 8;
  meta->mhz = 2599.6;
  meta->load_avg[0] = 0.5;
  meta->load_avg[1] = 0.25;
  meta->load_avg[2] = 1.5;
  meta->caches[0] = (cb_cache_t){ .level = 1, .type = "Data", .size = 32768, .num_sharing = 2 };
  meta->caches[1] = (cb_cache_t){ .level = 3, .type = "Unified", .size = 8388608,
                                  .num_sharing = 8 };
  meta->ncaches = 2;
}

static const char meta_context[] =
    "{\"date\": \"2026-11-22T00:00:00+00:00\", \"host_name\": \"meta\\\\host\", "
    "\"executable\": \"concbench\", \"num_cpus\": 8, \"mhz_per_cpu\": 2600, "
    "\"cpu_scaling_enabled\": false, \"caches\": ["
    "{\"type\": \"Data\", \"level\": 1, \"size\": 32768, \"num_sharing\": 2}, "
    "{\"type\": \"Unified\", \"level\": 3, \"size\": 8388608, \"num_sharing\": 8}], "
    "\"load_avg\": [0.5, 0.25, 1.5], \"library_build_type\": \"debug\"}";

static void test_context_from_meta(void **state)
{
  cb_buf_t csv = { 0 }, json = { 0 };
  cb_meta_t meta;
  entry_t e[32];

  (void)state;
  fill_meta(&meta);
  fixture_csv(&csv);
  export_text(csv.data, &meta, &json);
  assert_context(json.data, meta_context);
  /* The benchmarks do not depend on where the context comes from. */
  assert_int_equal(gbj_read_entries(json.data, e, CBT_ARRAY_SIZE(e)), 12);
  assert_string_equal(e[0].name, "cpu.hash/threads/c:2/pin:compact/real_time");
  cb_buf_free(&csv);
  cb_buf_free(&json);
}

/* What JSON cannot hold: a non-finite number is null, a byte that is not
 * UTF-8 is U+FFFD; the document stays valid for any strict reader. */
static void test_non_finite_and_bad_utf8(void **state)
{
  cb_buf_t csv = { 0 }, json = { 0 };
  json_t *root, *b0;
  cb_meta_t meta;

  (void)state;
  cb_buf_printf(&csv, "%s", fheader);
  /* Times so large that per-task nanoseconds overflow to infinity (the
   * CSV holds only finite numbers); a host that is not UTF-8. */
  cb_buf_printf(&csv, "R1,T,h\xff\xfe\xc3,4,release,noop,serial,inproc,none,1,10,1,0,0,1e308,"
                      "0,1,1,1e308,1e308,0,ok\n");
  fill_meta(&meta);
  meta.mhz = NAN;
  meta.load_avg[1] = INFINITY;
  snprintf(meta.host, sizeof(meta.host), "bad\xc0\xafhost\xed\xa0\x80");
  export_text(csv.data, &meta, &json);
  root = cbt_parse_json(json.data);
  b0 = json_array_get(json_object_get(root, "benchmarks"), 0);
  assert_non_null(b0);
  assert_true(json_is_null(json_object_get(b0, "real_time")));
  assert_true(json_is_null(json_object_get(b0, "cpu_time")));
  assert_true(json_number_value(json_object_get(b0, "items_per_second")) == 0);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "context"),
                                                      "mhz_per_cpu")), 0);
  assert_true(json_is_null(json_array_get(
      json_object_get(json_object_get(root, "context"), "load_avg"), 1)));
  assert_string_equal(json_string_value(json_object_get(json_object_get(root, "context"),
                                                        "host_name")),
                      "bad\xef\xbf\xbd\xef\xbf\xbdhost\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  assert_null(strstr(json.data, "NaN"));
  assert_null(strstr(json.data, "Infinity"));
  json_decref(root);
  cb_buf_free(&json);

  /* The sidecar of such a machine too. */
  cb_meta_json(&meta, &json);
  assert_false(json.failed);
  root = cbt_parse_json(json.data);
  assert_true(json_is_null(json_object_get(root, "mhz")));
  assert_string_equal(json_string_value(json_object_get(root, "host")),
                      "bad\xef\xbf\xbd\xef\xbf\xbdhost\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  json_decref(root);
  cb_buf_free(&json);
  cb_buf_free(&csv);
}

/* The sidecar written, then read back: what the exports take from it. */
static void test_meta_round_trip(void **state)
{
  char dir[] = "/tmp/cb-test-meta-XXXXXX", path[128], err[256];
  cb_buf_t json = { 0 };
  cb_meta_t meta, back;
  json_t *root;
  size_t i;
  static const char *const keys[] = { "run_id", "started", "host", "cpu_model", "mhz", "pus",
                                      "cores", "packages", "numa_nodes", "smt", "caches",
                                      "governor", "kernel", "mem_total_kb", "load_avg",
                                      "compiler", "c_flags", "build_type", "libuv_version",
                                      "hwloc_version", "concbench_version", "git_revision",
                                      "min_time_ms", "fingerprint", "fingerprint_fields" };

  (void)state;
  fill_meta(&meta);
  meta.cores = 4;
  meta.smt = 1;
  snprintf(meta.kernel, sizeof(meta.kernel), "Linux 6.1");
  cb_meta_json(&meta, &json);
  root = cbt_parse_json(json.data);
  for (i = 0; i < CBT_ARRAY_SIZE(keys); i++) {
    if (json_object_get(root, keys[i]) == NULL)
      fail_msg("the sidecar has no \"%s\"", keys[i]);
  }
  assert_int_equal(json_object_size(root), CBT_ARRAY_SIZE(keys));
  json_decref(root);
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/x.meta.json", dir);
  assert_int_equal(cb_write_atomic(path, json.data, json.len), 0);
  assert_int_equal(cb_meta_read(path, &back, err, sizeof(err)), 0);
  assert_string_equal(back.run_id, "R1");
  assert_string_equal(back.host, "meta\\host");
  assert_string_equal(back.started, "2026-11-22T00:00:00Z");
  assert_string_equal(back.kernel, "Linux 6.1");
  assert_true(back.mhz == 2599.6);
  assert_int_equal(back.pus, 8);
  assert_int_equal(back.cores, 4);
  assert_int_equal(back.smt, 1);
  assert_true(back.load_avg[0] == 0.5 && back.load_avg[1] == 0.25 && back.load_avg[2] == 1.5);
  assert_int_equal(back.ncaches, 2);
  assert_string_equal(back.caches[1].type, "Unified");
  assert_int_equal(back.caches[1].size, 8388608);
  assert_int_equal(back.caches[1].num_sharing, 8);
  /* Not JSON, and JSON that is not ours: -EINVAL naming the file. */
  assert_int_equal(cb_write_atomic(path, "{\"a\": NaN}", 10), 0);
  assert_int_equal(cb_meta_read(path, &back, err, sizeof(err)), -EINVAL);
  assert_non_null(strstr(err, "x.meta.json: line 1"));
  assert_int_equal(cb_write_atomic(path, "[1]", 3), 0);
  assert_int_equal(cb_meta_read(path, &back, err, sizeof(err)), -EINVAL);
  assert_non_null(strstr(err, "no \"run_id\""));
  unlink(path);
  assert_int_equal(rmdir(dir), 0);
  cb_buf_free(&json);
}

static void test_no_benchmarks(void **state)
{
  cb_buf_t csv = { 0 }, json = { 0 };
  entry_t e[4];

  (void)state;
  /* Header only, then only failed trials: valid documents, no entries. */
  export_text(fheader, NULL, &json);
  json_decref(cbt_parse_json(json.data));
  assert_int_equal(gbj_read_entries(json.data, e, CBT_ARRAY_SIZE(e)), 0);
  {
    /* No row to take the build type from: this build's own. */
    char want[512];
    snprintf(want, sizeof(want),
             "{\"date\": \"\", \"host_name\": \"\", \"executable\": \"concbench\", "
             "\"num_cpus\": 0, \"mhz_per_cpu\": 0, \"cpu_scaling_enabled\": false, "
             "\"caches\": [], \"load_avg\": [0.0, 0.0, 0.0], \"library_build_type\": \"%s\"}",
             strcmp(CB_BUILDTYPE, "release") == 0 || strcmp(CB_BUILDTYPE, "plain") == 0
                 ? "release" : "debug");
    assert_context(json.data, want);
  }
  cb_buf_free(&json);

  cb_buf_printf(&csv, "%s", fheader);
  cb_buf_printf(&csv, "R,T,h,4,release,w,serial,inproc,none,1,10,1,0,0,0,0,0,0,0,0,0,crashed\n");
  export_text(csv.data, NULL, &json);
  json_decref(cbt_parse_json(json.data));
  assert_int_equal(gbj_read_entries(json.data, e, CBT_ARRAY_SIZE(e)), 0);
  assert_context(json.data, "{\"date\": \"T\", \"host_name\": \"h\", "
                            "\"executable\": \"concbench\", \"num_cpus\": 4, "
                            "\"mhz_per_cpu\": 0, \"cpu_scaling_enabled\": false, "
                            "\"caches\": [], \"load_avg\": [0.0, 0.0, 0.0], "
                            "\"library_build_type\": \"release\"}");
  cb_buf_free(&csv);
  cb_buf_free(&json);
}

static void export_bad(const char *csv, const char *want)
{
  cb_buf_t json = { 0 };
  char err[256] = "";
  cb_table_t t;

  assert_int_equal(cb_table_parse(csv, strlen(csv), &t, err, sizeof(err)), 0);
  assert_int_equal(cb_export_gbench(&t, NULL, &json, err, sizeof(err)), -EINVAL);
  if (strstr(err, want) == NULL)
    fail_msg("error '%s' does not contain '%s'", err, want);
  cb_table_free(&t);
  cb_buf_free(&json);
}

static void test_bad_input(void **state)
{
  (void)state;
  export_bad("host,workload\nh,w\n", "missing column");
  export_bad("workload,runner,transport,pin,concurrency,tasks,size,payload,wall_s,throughput,"
             "lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,status\n"
             "w,serial,inproc,none,1,10,1,0,1,1,1,1,1,1,1,ok\n",
             "missing column 'host'");
  export_bad("host,workload,runner,transport,pin,concurrency,tasks,size,payload,wall_s,"
             "throughput,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,status\n"
             "h,w,serial,inproc,none,1,10,1,0,1,1,1,1,1,1,1,ok\n"
             "h,w,serial,inproc,none,2,0,1,0,1,1,1,1,1,1,1,ok\n",
             "line 3: tasks '0'");
  export_bad("host,workload,runner,transport,pin,concurrency,tasks,size,payload,wall_s,"
             "throughput,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,status\n"
             "h,w,serial,inproc,none,1,ten,1,0,1,1,1,1,1,1,1,ok\n",
             "line 2: tasks 'ten'");
}

static void test_export_file(void **state)
{
  char dir[256], path[320], err[256] = "", *text;
  cb_buf_t csv = { 0 }, json = { 0 };

  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/cb-test-export-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/x.json", dir);
  fixture_csv(&csv);
  export_text(csv.data, NULL, &json);
  cb_buf_put(&json, "", 1);
  /* The file holds the document, byte for byte. */
  assert_int_equal(cb_export_gbench_file(path, csv.data, csv.len, NULL, err, sizeof(err)), 0);
  text = cbt_slurp_path(path, NULL);
  assert_string_equal(text, json.data);
  free(text);
  /* Bad CSV: an error, and the file keeps its last good version. */
  assert_int_equal(cb_export_gbench_file(path, "a,b\n1\n", 6, NULL, err, sizeof(err)), -EINVAL);
  assert_non_null(strstr(err, "line 2"));
  text = cbt_slurp_path(path, NULL);
  assert_string_equal(text, json.data);
  free(text);
  cb_buf_free(&json);
  snprintf(path, sizeof(path), "%s/missing/x.json", dir);
  assert_int_equal(cb_export_gbench_file(path, csv.data, csv.len, NULL, err, sizeof(err)), -ENOENT);
  snprintf(path, sizeof(path), "%s/x.json", dir);
  unlink(path);
  assert_int_equal(rmdir(dir), 0); /* nothing else was left there */
  cb_buf_free(&csv);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_entries),
    cmocka_unit_test(test_context_without_meta),
    cmocka_unit_test(test_context_from_meta),
    cmocka_unit_test(test_non_finite_and_bad_utf8),
    cmocka_unit_test(test_meta_round_trip),
    cmocka_unit_test(test_no_benchmarks),
    cmocka_unit_test(test_bad_input),
    cmocka_unit_test(test_export_file),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
