/* Tests of the output helpers (harness/csv.c: CSV fields, cb_write_atomic,
 * cb_check_writable) and of the trial CSV's rows (harness/record.c). The file
 * helpers are checked in a private temporary directory, whose listing must
 * show exactly what was meant to be created and nothing else (no temporary
 * leftovers). The parsers: test_cli.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common.h"
#include "parse.h"
#include "csv.h"
#include "record.h"
#include "table.h"

static void check_csv_str(const char *in, const char *want)
{
  cb_buf_t b = {0};

  cb_buf_csv_str(&b, in);
  assert_false(b.failed);
  assert_non_null(b.data);
  assert_int_equal(b.len, strlen(want));
  assert_string_equal(b.data, want);
  cb_buf_free(&b);
}

static void test_csv_str_quoting(void **state)
{
  (void)state;
  check_csv_str("plain", "plain");
  check_csv_str("with space", "with space");
  check_csv_str("a,b", "\"a,b\"");
  check_csv_str("say \"hi\"", "\"say \"\"hi\"\"\"");
  check_csv_str("\"", "\"\"\"\"");
  check_csv_str("two\nlines", "\"two\nlines\"");
  check_csv_str("cr\rhere", "\"cr\rhere\"");
  check_csv_str("", "");
}

static void test_csv_fields_concatenate(void **state)
{
  cb_buf_t b = {0};

  (void)state;
  cb_buf_csv_str(&b, "a");
  cb_buf_put(&b, ",", 1);
  cb_buf_csv_str(&b, "b,c");
  cb_buf_printf(&b, ",%d,%s", 42, "x");
  cb_buf_put(&b, ",", 1);
  cb_buf_csv_double(&b, 0.5);
  assert_false(b.failed);
  assert_string_equal(b.data, "a,\"b,c\",42,x,0.5");
  assert_int_equal(b.len, strlen("a,\"b,c\",42,x,0.5"));
  cb_buf_free(&b);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
}

static void test_csv_buf_grows(void **state)
{
  cb_buf_t b = {0};
  size_t i;

  (void)state;
  for (i = 0; i < 10000; i++)
    cb_buf_printf(&b, "%05zu\n", i);
  assert_false(b.failed);
  assert_int_equal(b.len, 60000);
  assert_int_equal(strlen(b.data), 60000);
  assert_memory_equal(b.data, "00000\n00001\n", 12);
  assert_memory_equal(b.data + 59994, "09999\n", 6);
  cb_buf_free(&b);
}

static void test_csv_double_round_trip(void **state)
{
  const double vals[] = {0.1, 1 / 3.0, 1e-300, 123456789.123, 0.0, 2.0 / 3.0, 1e300,
                         5e-324, DBL_MAX, 0.30000000000000004, 1234567.0, -2.5};
  size_t i;

  (void)state;
  for (i = 0; i < CBT_ARRAY_SIZE(vals); i++) {
    cb_buf_t b = {0};
    char *end;
    double back;

    cb_buf_csv_double(&b, vals[i]);
    assert_false(b.failed);
    assert_non_null(b.data);
    /* A plain number: no quoting, no separator, nothing after it. */
    assert_int_equal(strcspn(b.data, ",\"\r\n "), b.len);
    back = strtod(b.data, &end);
    assert_true(*end == '\0');
    if (back != vals[i])
      fail_msg("%.17g was written as '%s', which reads back as %.17g", vals[i], b.data, back);
    cb_buf_free(&b);
  }
}

static void test_csv_double_is_short(void **state)
{
  cb_buf_t b = {0};

  (void)state;
  /* %.15g suffices: no noise digits from %.17g. */
  cb_buf_csv_double(&b, 0.1);
  assert_string_equal(b.data, "0.1");
  cb_buf_free(&b);
  cb_buf_csv_double(&b, 123456789.123);
  assert_string_equal(b.data, "123456789.123");
  cb_buf_free(&b);
  /* Ten significant digits: %.17g would give 1234567.1000000001. */
  cb_buf_csv_double(&b, 1234567.1);
  assert_string_equal(b.data, "1234567.1");
  cb_buf_free(&b);
  cb_buf_csv_double(&b, 299792.458);
  assert_string_equal(b.data, "299792.458");
  cb_buf_free(&b);
  /* Sixteen digits suffice where fifteen do not: not the %.17g
   * 0.33333333333333331. */
  cb_buf_csv_double(&b, 1 / 3.0);
  assert_string_equal(b.data, "0.3333333333333333");
  cb_buf_free(&b);
}

/* The shortest by definition: the digits of the first precision from 1
 * whose %g reads back exactly (written in %.15g's notation, so 23000 stays
 * 23000, not 2.3e+04), over ratios like the CSV's (throughput, medians). */
static void test_csv_double_is_shortest(void **state)
{
  char want[40];
  unsigned i, j;
  int p;

  (void)state;
  for (i = 1; i < 200; i++)
    for (j = 1; j < 60; j += 7) {
      double v = (double)i * 1e6 / (double)(j * 977 + i);
      cb_buf_t b = {0};

      for (p = 1; p <= 17; p++) {
        snprintf(want, sizeof(want), "%.*g", p, v);
        if (strtod(want, NULL) == v)
          break;
      }
      snprintf(want, sizeof(want), "%.*g", p < 15 ? 15 : p, v);
      cb_buf_csv_double(&b, v);
      if (strcmp(b.data, want) != 0)
        fail_msg("%.17g was written as '%s', the shortest is '%s'", v, b.data, want);
      cb_buf_free(&b);
    }
}

/* The names in a directory, sorted and joined by '/', e.g. "a.csv/b". */
static void listing(const char *path, char *buf, size_t len)
{
  char names_[32][256];
  size_t n = 0, i, j, used = 0;
  struct dirent *e;
  DIR *dir = opendir(path);

  assert_non_null(dir);
  while ((e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    assert_true(n < 32);
    snprintf(names_[n++], sizeof(names_[0]), "%s", e->d_name);
  }
  closedir(dir);
  for (i = 1; i < n; i++) {
    for (j = i; j > 0 && strcmp(names_[j - 1], names_[j]) > 0; j--) {
      char t[256];
      memcpy(t, names_[j], sizeof(t));
      memcpy(names_[j], names_[j - 1], sizeof(t));
      memcpy(names_[j - 1], t, sizeof(t));
    }
  }
  buf[0] = '\0';
  for (i = 0; i < n; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "/" : "", names_[i]);
}

static size_t read_file(const char *path, char *buf, size_t len)
{
  FILE *f = fopen(path, "rb");
  size_t n;

  assert_non_null(f);
  n = fread(buf, 1, len, f);
  fclose(f);
  return n;
}

/* A trial row: every column holds the field it is named after. Each field
 * gets a value of its own, so that two columns that swapped their fields,
 * or a column that wrote another's, are caught; the row is read back with
 * the CSV reader, so quoting is part of it. */
static void test_record_row_columns(void **state)
{
  static const struct {
    const char *column, *want;
  } cols[] = {
    { "run_id", "R-1" }, { "host", "host, \"7\"" }, { "cpu_model", "CPU x" }, { "pus", "16" },
    { "cores", "8" }, { "kernel", "Linux 6.1" }, { "workload", "cpu.hash" },
    { "family", "cpu" }, { "runner", "threads" }, { "transport", "inproc" },
    { "pin", "scatter" }, { "concurrency", "3" }, { "workers", "4" }, { "tasks", "1000" },
    { "size", "77" }, { "payload", "64" }, { "rep", "5" }, { "wall_s", "1.25" },
    { "throughput", "799.5" }, { "lat_p50_us", "12.5" }, { "lat_p99_us", "99.25" },
    { "user_s", "0.75" }, { "sys_s", "0.125" }, { "vcsw", "11" }, { "ivcsw", "12" },
    { "maxrss_kb", "2048" }, { "failed", "2" }, { "verified", "0" }, { "status", "wrong" },
    { "startup_s", "0.001" }, { "teardown_s", "0.002" }, { "pin_wrap", "1" },
    { "seed", "4242" }, { "message", "task 0: checksum 1, expected 2" }, { "gil", "1" },
    { "switch_interval_us", "5000" }, { "lost_updates", "9" }, { "gil_switches", "13" },
    { "dispatch", "shared" }, { "inflight", "6" }, { "inline", "1" },
  };
  cb_meta_t meta;
  cb_workload_t wl = { .name = "cpu.hash" };
  cb_runner_t rn = { .name = "threads" };
  cb_cell_t cell = {
    .wl = &wl, .rn = &rn, .pin = CB_PIN_SCATTER, .concurrency = 3, .gil = 1, .switch_us = 5000,
    .params = { .tasks = 1000, .size = 77, .payload = 64, .seed = 4242 },
  };
  cb_trial_t trial = {
    .status = CB_ST_WRONG, .workers = 4, .pin_wrap = 1, .verified = 0, .wall_s = 1.25,
    .startup_s = 0.001, .teardown_s = 0.002, .throughput = 799.5, .lat_p50_us = 12.5,
    .lat_p99_us = 99.25, .user_s = 0.75, .sys_s = 0.125, .vcsw = 11, .ivcsw = 12,
    .maxrss_kb = 2048, .failed = 2, .lost = 9, .gil_switches = 13, .inflight = 6,
    .inline_tasks = 1,
    .msg = "task 0: checksum 1, expected 2",
  };
  cb_row_t row = { .meta = &meta, .cell = &cell, .trial = &trial, .family = "cpu",
                   .transport = "inproc", .dispatch = "shared", .timestamp = "2026-01-01T00:00:00.000Z", .rep = 5 };
  cb_buf_t b = { 0 };
  cb_table_t t;
  char err[256];
  size_t i;
  long c;

  (void)state;
  memset(&meta, 0, sizeof(meta));
  snprintf(meta.run_id, sizeof(meta.run_id), "R-1");
  snprintf(meta.host, sizeof(meta.host), "host, \"7\"");
  snprintf(meta.cpu_model, sizeof(meta.cpu_model), "CPU x");
  snprintf(meta.kernel, sizeof(meta.kernel), "Linux 6.1");
  meta.pus = 16;
  meta.cores = 8;
  cb_record_header(&b);
  cb_record_row(&b, &row);
  assert_false(b.failed);
  if (cb_table_parse(b.data, b.len, &t, err, sizeof(err)) != 0)
    fail_msg("the row does not parse: %s", err);
  assert_int_equal(t.rows, 2);
  for (i = 0; i < CBT_ARRAY_SIZE(cols); i++) {
    c = cb_table_col(&t, cols[i].column);
    if (c < 0)
      fail_msg("no column %s", cols[i].column);
    if (strcmp(cb_table_get(&t, 1, (size_t)c), cols[i].want) != 0)
      fail_msg("column %s holds '%s', expected '%s'", cols[i].column,
               cb_table_get(&t, 1, (size_t)c), cols[i].want);
  }
  assert_string_equal(cb_table_get(&t, 1, (size_t)cb_table_col(&t, "timestamp")),
                      "2026-01-01T00:00:00.000Z");
  cb_table_free(&t);
  cb_buf_free(&b);
}

static void test_write_atomic_exact_bytes(void **state)
{
  const char *dir = *state;
  static const char data[] = "a,b\n1,\"x\"\"y\"\n\0binary\xff";
  char path[512], buf[256], list[1024];
  struct stat st;

  snprintf(path, sizeof(path), "%s/out.csv", dir);
  assert_int_equal(cb_write_atomic(path, data, sizeof(data) - 1), 0);
  assert_int_equal(read_file(path, buf, sizeof(buf)), sizeof(data) - 1);
  assert_memory_equal(buf, data, sizeof(data) - 1);
  assert_int_equal(stat(path, &st), 0);
  assert_true(S_ISREG(st.st_mode));
  assert_int_equal(st.st_mode & 0777, 0644);
  listing(dir, list, sizeof(list));
  assert_string_equal(list, "out.csv");
}

static void test_write_atomic_replaces(void **state)
{
  const char *dir = *state;
  static const char longer[] = "a much longer first version of the file\n";
  char path[512], buf[256], list[1024];

  snprintf(path, sizeof(path), "%s/out.csv", dir);
  assert_int_equal(cb_write_atomic(path, longer, sizeof(longer) - 1), 0);
  assert_int_equal(cb_write_atomic(path, "short\n", 6), 0);
  /* Replaced, not overwritten in place: no tail of the old content. */
  assert_int_equal(read_file(path, buf, sizeof(buf)), 6);
  assert_memory_equal(buf, "short\n", 6);
  assert_int_equal(cb_write_atomic(path, "", 0), 0);
  assert_int_equal(read_file(path, buf, sizeof(buf)), 0);
  listing(dir, list, sizeof(list));
  assert_string_equal(list, "out.csv");
}

static void test_write_atomic_missing_dir(void **state)
{
  const char *dir = *state;
  char path[512], list[1024];
  struct stat st;

  snprintf(path, sizeof(path), "%s/missing/out.csv", dir);
  assert_int_equal(cb_write_atomic(path, "x\n", 2), -ENOENT);
  assert_int_equal(stat(path, &st), -1);
  listing(dir, list, sizeof(list));
  assert_string_equal(list, "");
}

/* The rename fails (the target is a non-empty directory) after the
 * temporary file exists: the error comes back and the temporary is gone. */
static void test_write_atomic_failed_rename_cleans_up(void **state)
{
  const char *dir = *state;
  char path[512], list[1024];

  snprintf(path, sizeof(path), "%s/target", dir);
  assert_int_equal(mkdir(path, 0755), 0);
  snprintf(path, sizeof(path), "%s/target/inside", dir);
  assert_int_equal(cb_write_atomic(path, "x", 1), 0);
  snprintf(path, sizeof(path), "%s/target", dir);
  assert_int_equal(cb_write_atomic(path, "new\n", 4), -EISDIR);
  listing(dir, list, sizeof(list));
  assert_string_equal(list, "target");
  snprintf(path, sizeof(path), "%s/target/inside", dir);
  assert_int_equal(unlink(path), 0);
}

static void test_check_writable(void **state)
{
  const char *dir = *state;
  char path[512], list[1024];

  /* A directory, with and without a trailing slash. */
  assert_int_equal(cb_check_writable(dir), -EISDIR);
  snprintf(path, sizeof(path), "%s/", dir);
  assert_int_equal(cb_check_writable(path), -EISDIR);
  /* A missing directory. */
  snprintf(path, sizeof(path), "%s/missing/out.csv", dir);
  assert_int_equal(cb_check_writable(path), -ENOENT);
  assert_int_equal(cb_check_writable(""), -ENOENT);
  /* A file where a directory should be. */
  snprintf(path, sizeof(path), "%s/file", dir);
  assert_int_equal(cb_write_atomic(path, "x", 1), 0);
  snprintf(path, sizeof(path), "%s/file/out.csv", dir);
  assert_int_equal(cb_check_writable(path), -ENOTDIR);
  /* A writable new path: fine, and it creates nothing. */
  snprintf(path, sizeof(path), "%s/out.csv", dir);
  assert_int_equal(cb_check_writable(path), 0);
  listing(dir, list, sizeof(list));
  assert_string_equal(list, "file");
  /* An existing file is fine too (it will be replaced) and stays as it is. */
  snprintf(path, sizeof(path), "%s/file", dir);
  assert_int_equal(cb_check_writable(path), 0);
  {
    char buf[8];
    assert_int_equal(read_file(path, buf, sizeof(buf)), 1);
    assert_memory_equal(buf, "x", 1);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_csv_str_quoting),
    cmocka_unit_test(test_csv_fields_concatenate),
    cmocka_unit_test(test_csv_buf_grows),
    cmocka_unit_test(test_csv_double_round_trip),
    cmocka_unit_test(test_csv_double_is_short),
    cmocka_unit_test(test_csv_double_is_shortest),
    cmocka_unit_test(test_record_row_columns),
    cmocka_unit_test_setup_teardown(test_write_atomic_exact_bytes, cbt_dir_setup, cbt_dir_teardown),
    cmocka_unit_test_setup_teardown(test_write_atomic_replaces, cbt_dir_setup, cbt_dir_teardown),
    cmocka_unit_test_setup_teardown(test_write_atomic_missing_dir, cbt_dir_setup, cbt_dir_teardown),
    cmocka_unit_test_setup_teardown(test_write_atomic_failed_rename_cleans_up, cbt_dir_setup,
                                    cbt_dir_teardown),
    cmocka_unit_test_setup_teardown(test_check_writable, cbt_dir_setup, cbt_dir_teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
