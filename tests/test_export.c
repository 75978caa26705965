/* Tests of the Google Benchmark JSON export (bench/export.c) and of
 * `concbench run --json`. A fixture CSV, written as text here, holds cells
 * built to exercise the naming rules (default and non-default transports, a
 * payload, two sizes and two task counts of one workload that would
 * otherwise share a name, a cell with no ok trial, a failed trial among ok
 * ones); the JSON is checked by a small strict validator (RFC 8259) and by
 * reading each benchmark entry back, field by field, against values
 * computed here from the fixture. The binary (path in $CONCBENCH) is run
 * with fork+execv, never through a shell. */
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

#include "csv.h"
#include "export.h"
#include "meta.h"
#include "table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a strict JSON validator ---- */

static int js_value(const char **p, int depth);

static void js_ws(const char **p)
{
  while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')
    (*p)++;
}

static int is_digit(char c)
{
  return c >= '0' && c <= '9';
}

static int js_string(const char **p)
{
  const char *s = *p;
  int i;

  if (*s++ != '"')
    return -1;
  while (*s != '"') {
    if (*s == '\0' || (unsigned char)*s < 0x20)
      return -1;
    if (*s == '\\') {
      s++;
      if (*s == 'u') {
        for (i = 1; i <= 4; i++) {
          if (strchr("0123456789abcdefABCDEF", s[i]) == NULL || s[i] == '\0')
            return -1;
        }
        s += 4;
      } else if (*s == '\0' || strchr("\"\\/bfnrt", *s) == NULL) {
        return -1;
      }
    }
    s++;
  }
  *p = s + 1;
  return 0;
}

static int js_number(const char **p)
{
  const char *s = *p;

  if (*s == '-')
    s++;
  if (*s == '0')
    s++;
  else if (is_digit(*s))
    while (is_digit(*s))
      s++;
  else
    return -1;
  if (*s == '.') {
    if (!is_digit(*++s))
      return -1;
    while (is_digit(*s))
      s++;
  }
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-')
      s++;
    if (!is_digit(*s))
      return -1;
    while (is_digit(*s))
      s++;
  }
  *p = s;
  return 0;
}

static int js_word(const char **p, const char *w)
{
  size_t n = strlen(w);

  if (strncmp(*p, w, n) != 0)
    return -1;
  *p += n;
  return 0;
}

/* An object or array: members until the closing bracket. */
static int js_container(const char **p, int depth, char close)
{
  (*p)++;
  js_ws(p);
  if (**p == close) {
    (*p)++;
    return 0;
  }
  for (;;) {
    js_ws(p);
    if (close == '}') {
      if (js_string(p) != 0)
        return -1;
      js_ws(p);
      if (*(*p)++ != ':')
        return -1;
    }
    if (js_value(p, depth + 1) != 0)
      return -1;
    js_ws(p);
    if (**p == ',') {
      (*p)++;
      continue;
    }
    if (**p != close)
      return -1;
    (*p)++;
    return 0;
  }
}

static int js_value(const char **p, int depth)
{
  if (depth > 64)
    return -1;
  js_ws(p);
  switch (**p) {
  case '{': return js_container(p, depth, '}');
  case '[': return js_container(p, depth, ']');
  case '"': return js_string(p);
  case 't': return js_word(p, "true");
  case 'f': return js_word(p, "false");
  case 'n': return js_word(p, "null");
  default: return js_number(p);
  }
}

static void assert_valid_json(const char *text)
{
  const char *p = text;

  if (js_value(&p, 0) != 0)
    fail_msg("invalid JSON at offset %td: '%.40s'\n%s", p - text, p, text);
  js_ws(&p);
  if (*p != '\0')
    fail_msg("text after the JSON value at offset %td", p - text);
}

static void test_validator(void **state)
{
  static const char *const good[] = { "{}", "[]", "{\"a\": [1, -2.5e+3, 0, \"x\\\"\\u00e9\"]}",
                                      " [true,false,null] " };
  static const char *const bad[] = { "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.",
                                     "\"\n\"", "[1] 2", "NaN", "\"\\x\"", "{a:1}" };
  const char *p;
  size_t i;

  (void)state;
  for (i = 0; i < ARRAY_SIZE(good); i++) {
    p = good[i];
    assert_int_equal(js_value(&p, 0), 0);
  }
  for (i = 0; i < ARRAY_SIZE(bad); i++) {
    p = bad[i];
    if (js_value(&p, 0) == 0) {
      js_ws(&p);
      if (*p == '\0')
        fail_msg("validator accepts '%s'", bad[i]);
    }
  }
}

/* ---- reading entries back ---- */

/* The text of `"key": ` up to the entry's end, or NULL. */
static const char *find_key(const char *from, const char *to, const char *key)
{
  char pat[64];
  const char *p;

  snprintf(pat, sizeof(pat), "\"%s\": ", key);
  p = strstr(from, pat);
  return p != NULL && p < to ? p + strlen(pat) : NULL;
}

static double num_field(const char *from, const char *to, const char *key)
{
  const char *p = find_key(from, to, key);

  if (p == NULL)
    fail_msg("entry without \"%s\": %.*s", key, (int)(to - from), from);
  return strtod(p, NULL);
}

static void str_field(const char *from, const char *to, const char *key, char *buf, size_t len)
{
  const char *p = find_key(from, to, key), *end;

  if (p == NULL || *p != '"')
    fail_msg("entry without a string \"%s\": %.*s", key, (int)(to - from), from);
  end = strchr(p + 1, '"');
  assert_non_null(end);
  snprintf(buf, len, "%.*s", (int)(end - p - 1), p + 1);
}

typedef struct entry_s {
  char name[160], run_name[160], run_type[32], time_unit[8];
  double family, instance, repetitions, index, threads, iterations;
  double real_time, cpu_time, items_per_second;
} entry_t;

/* The benchmark entries of a document, in order; returns how many. */
static size_t read_entries(const char *json, entry_t *e, size_t max)
{
  const char *p = strstr(json, "\"benchmarks\": ["), *next;
  size_t n = 0;

  assert_non_null(p);
  p = strstr(p, "\"name\": ");
  while (p != NULL) {
    next = strstr(p + 1, "\"name\": ");
    const char *to = next != NULL ? next : p + strlen(p);
    assert_true(n < max);
    str_field(p, to, "name", e[n].name, sizeof(e[n].name));
    str_field(p, to, "run_name", e[n].run_name, sizeof(e[n].run_name));
    str_field(p, to, "run_type", e[n].run_type, sizeof(e[n].run_type));
    str_field(p, to, "time_unit", e[n].time_unit, sizeof(e[n].time_unit));
    e[n].family = num_field(p, to, "family_index");
    e[n].instance = num_field(p, to, "per_family_instance_index");
    e[n].repetitions = num_field(p, to, "repetitions");
    e[n].index = num_field(p, to, "repetition_index");
    e[n].threads = num_field(p, to, "threads");
    e[n].iterations = num_field(p, to, "iterations");
    e[n].real_time = num_field(p, to, "real_time");
    e[n].cpu_time = num_field(p, to, "cpu_time");
    e[n].items_per_second = num_field(p, to, "items_per_second");
    n++;
    p = next;
  }
  return n;
}

/* ---- the fixture ---- */

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
  unsigned rep[ARRAY_SIZE(fcells)] = { 0 };
  size_t i;

  cb_buf_printf(b, "%s", fheader);
  for (i = 0; i < ARRAY_SIZE(frows); i++) {
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

  for (i = 0; i < ARRAY_SIZE(frows); i++)
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
  assert_valid_json(json.data);
  n = read_entries(json.data, e, ARRAY_SIZE(e));
  /* Expected: cells in order of first appearance, each cell's ok trials in
   * row order. */
  for (c = 0; c < ARRAY_SIZE(fcells); c++) {
    unsigned index = 0;
    for (i = 0; i < ARRAY_SIZE(frows); i++) {
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

static void test_context_without_meta(void **state)
{
  cb_buf_t csv = { 0 }, json = { 0 };

  (void)state;
  fixture_csv(&csv);
  export_text(csv.data, NULL, &json);
  assert_non_null(strstr(json.data, "\"context\": {"));
  assert_non_null(strstr(json.data, "\"date\": \"2026-01-02T03:04:05.678+00:00\""));
  assert_non_null(strstr(json.data, "\"host_name\": \"lab \\\"7\\\"\""));
  assert_non_null(strstr(json.data, "\"executable\": \"concbench\""));
  assert_non_null(strstr(json.data, "\"num_cpus\": 16,"));
  assert_non_null(strstr(json.data, "\"mhz_per_cpu\": 0,"));
  assert_non_null(strstr(json.data, "\"cpu_scaling_enabled\": false"));
  assert_non_null(strstr(json.data, "\"caches\": []"));
  assert_non_null(strstr(json.data, "\"load_avg\": [0,0,0]"));
  assert_non_null(strstr(json.data, "\"library_build_type\": \"debug\""));
  cb_buf_free(&csv);
  cb_buf_free(&json);
}

static void test_context_from_meta(void **state)
{
  cb_buf_t csv = { 0 }, json = { 0 };
  cb_meta_t meta;

  (void)state;
  memset(&meta, 0, sizeof(meta));
  snprintf(meta.host, sizeof(meta.host), "meta\\host");
  snprintf(meta.started, sizeof(meta.started), "2026-11-22T00:00:00Z");
  meta.pus = 8;
  meta.mhz = 2599.6;
  meta.load_avg[0] = 0.5;
  meta.load_avg[1] = 0.25;
  meta.load_avg[2] = 1.5;
  meta.caches[0] = (cb_cache_t){ .level = 1, .type = "Data", .size = 32768, .num_sharing = 2 };
  meta.caches[1] = (cb_cache_t){ .level = 3, .type = "Unified", .size = 8388608,
                                 .num_sharing = 8 };
  meta.ncaches = 2;
  fixture_csv(&csv);
  export_text(csv.data, &meta, &json);
  assert_valid_json(json.data);
  assert_non_null(strstr(json.data, "\"date\": \"2026-11-22T00:00:00+00:00\""));
  assert_non_null(strstr(json.data, "\"host_name\": \"meta\\\\host\""));
  assert_non_null(strstr(json.data, "\"num_cpus\": 8,"));
  assert_non_null(strstr(json.data, "\"mhz_per_cpu\": 2600,"));
  assert_non_null(strstr(json.data, "\"load_avg\": [0.5,0.25,1.5]"));
  assert_non_null(strstr(json.data, "\"type\": \"Data\",\n        \"level\": 1,\n"
                                    "        \"size\": 32768,\n        \"num_sharing\": 2\n"));
  assert_non_null(strstr(json.data, "\"type\": \"Unified\",\n        \"level\": 3,\n"
                                    "        \"size\": 8388608,\n        \"num_sharing\": 8\n"));
  /* The benchmarks do not depend on where the context comes from. */
  assert_non_null(strstr(json.data, "\"name\": \"cpu.hash/threads/c:2/pin:compact/real_time\""));
  cb_buf_free(&csv);
  cb_buf_free(&json);
}

static void test_no_benchmarks(void **state)
{
  cb_buf_t csv = { 0 }, json = { 0 };
  entry_t e[4];

  (void)state;
  /* Header only, then only failed trials: valid documents, no entries. */
  export_text(fheader, NULL, &json);
  assert_valid_json(json.data);
  assert_int_equal(read_entries(json.data, e, ARRAY_SIZE(e)), 0);
  assert_non_null(strstr(json.data, "\"caches\": []"));
  assert_non_null(strstr(json.data, "\"num_cpus\": 0,"));
  cb_buf_free(&json);

  cb_buf_printf(&csv, "%s", fheader);
  cb_buf_printf(&csv, "R,T,h,4,release,w,serial,inproc,none,1,10,1,0,0,0,0,0,0,0,0,0,crashed\n");
  export_text(csv.data, NULL, &json);
  assert_valid_json(json.data);
  assert_int_equal(read_entries(json.data, e, ARRAY_SIZE(e)), 0);
  assert_non_null(strstr(json.data, "\"library_build_type\": \"release\""));
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

static char *read_all(const char *path);

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
  text = read_all(path);
  assert_string_equal(text, json.data);
  free(text);
  /* Bad CSV: an error, and the file keeps its last good version. */
  assert_int_equal(cb_export_gbench_file(path, "a,b\n1\n", 6, NULL, err, sizeof(err)), -EINVAL);
  assert_non_null(strstr(err, "line 2"));
  text = read_all(path);
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

/* ---- `concbench run --json` ---- */

typedef struct result_s {
  int status;
  char out[8192], err[8192];
} result_t;

static void slurp(int fd, char *buf, size_t len)
{
  ssize_t n;

  assert_true(lseek(fd, 0, SEEK_SET) == 0);
  n = read(fd, buf, len - 1);
  buf[n > 0 ? n : 0] = '\0';
  close(fd);
}

static void run_bench(char *const *argv, result_t *r)
{
  const char *bin = getenv("CONCBENCH");
  FILE *out = tmpfile(), *err = tmpfile();
  pid_t pid;

  if (bin == NULL || bin[0] != '/')
    fail_msg("CONCBENCH must hold the binary's absolute path (got '%s')", bin ? bin : "");
  assert_non_null(out);
  assert_non_null(err);
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (dup2(fileno(out), 1) < 0 || dup2(fileno(err), 2) < 0)
      _exit(126);
    execv(bin, argv);
    _exit(127);
  }
  while (waitpid(pid, &r->status, 0) < 0)
    assert_int_equal(errno, EINTR);
  slurp(dup(fileno(out)), r->out, sizeof(r->out));
  slurp(dup(fileno(err)), r->err, sizeof(r->err));
  fclose(out);
  fclose(err);
}

static char *read_all(const char *path)
{
  FILE *f = fopen(path, "re");
  char *buf;
  long n;

  if (f == NULL)
    fail_msg("cannot open %s: %s", path, strerror(errno));
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  n = ftell(f);
  assert_true(n >= 0);
  rewind(f);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static size_t count_entries(const char *dir)
{
  struct dirent *d;
  size_t n = 0;
  DIR *dh = opendir(dir);

  assert_non_null(dh);
  while ((d = readdir(dh)) != NULL)
    n += strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
  closedir(dh);
  return n;
}

static void remove_dir(const char *dir)
{
  static const char *const names[] = { "out.csv", "out.summary.csv", "out.meta.json",
                                       "out.json" };
  char p[512];
  size_t i;

  for (i = 0; i < ARRAY_SIZE(names); i++) {
    snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
    unlink(p);
  }
  assert_int_equal(rmdir(dir), 0); /* fails if anything unexpected is left */
}

static void test_cli_json(void **state)
{
  char dir[256], out[320], json[320];
  result_t r;
  entry_t e[16];
  char *text;
  size_t n, i;

  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/cb-test-export-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(out, sizeof(out), "%s/out.csv", dir);
  snprintf(json, sizeof(json), "%s/out.json", dir);
  {
    char *argv[] = { "concbench", "run", "-w", "noop", "-r", "serial,threads", "-c", "1",
                     "-p", "none", "-t", "50", "--reps", "3", "--warmup", "0", "-q",
                     "-o", out, "--json", json, NULL };
    run_bench(argv, &r);
  }
  if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
    fail_msg("run --json: status %#x; stderr: %s", r.status, r.err);
  text = read_all(json);
  assert_valid_json(text);
  n = read_entries(text, e, ARRAY_SIZE(e));
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
  free(text);
  remove_dir(dir);
}

static void test_cli_json_bad_path(void **state)
{
  char dir[256], out[320], bad[320], want[400];
  result_t r;

  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/cb-test-export-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(out, sizeof(out), "%s/out.csv", dir);
  for (int k = 0; k < 2; k++) {
    if (k == 0)
      snprintf(bad, sizeof(bad), "%s/missing/x.json", dir);
    else
      snprintf(bad, sizeof(bad), "%s", dir); /* a directory */
    char *argv[] = { "concbench", "run", "-w", "noop", "-r", "serial", "-c", "1", "-p", "none",
                     "-t", "5", "--reps", "1", "--warmup", "0", "-q", "-o", out, "--json", bad,
                     NULL };
    run_bench(argv, &r);
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 2)
      fail_msg("--json '%s': status %#x, expected exit 2; stderr: %s", bad, r.status, r.err);
    snprintf(want, sizeof(want), "'%s'", bad);
    if (strstr(r.err, want) == NULL)
      fail_msg("stderr does not name %s: %s", want, r.err);
    assert_string_equal(r.out, "");
    /* Refused before anything was written: not the CSV, not the sidecar. */
    assert_int_equal(count_entries(dir), 0);
  }
  remove_dir(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_validator),
    cmocka_unit_test(test_entries),
    cmocka_unit_test(test_context_without_meta),
    cmocka_unit_test(test_context_from_meta),
    cmocka_unit_test(test_no_benchmarks),
    cmocka_unit_test(test_bad_input),
    cmocka_unit_test(test_export_file),
    cmocka_unit_test(test_cli_json),
    cmocka_unit_test(test_cli_json_bad_path),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
