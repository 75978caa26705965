/* Tests of the pure command-line parsers (harness/parse.c), of the output
 * helpers (harness/csv.c) and of the trial CSV's rows (harness/record.c). The parsers are checked on exact results and exact
 * error codes, including the token they copy into `bad`; the file helpers are
 * checked in a private temporary directory, whose listing must show exactly
 * what was meant to be created and nothing else (no temporary leftovers). */
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


/* ---- cb_parse_u64 ---- */

static void test_u64_valid(void **state)
{
  uint64_t v;

  (void)state;
  v = 7;
  assert_int_equal(cb_parse_u64("0", 0, 10, &v), 0);
  assert_true(v == 0);
  assert_int_equal(cb_parse_u64("42", 0, 100, &v), 0);
  assert_true(v == 42);
  assert_int_equal(cb_parse_u64("007", 0, 100, &v), 0);
  assert_true(v == 7);
  assert_int_equal(cb_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
  assert_true(v == UINT64_MAX);
  assert_int_equal(cb_parse_u64("1099511627776", 0, UINT64_C(1) << 40, &v), 0);
  assert_true(v == UINT64_C(1) << 40);
}

static void test_u64_bounds_inclusive(void **state)
{
  uint64_t v;

  (void)state;
  assert_int_equal(cb_parse_u64("5", 5, 9, &v), 0);
  assert_true(v == 5);
  assert_int_equal(cb_parse_u64("9", 5, 9, &v), 0);
  assert_true(v == 9);
  assert_int_equal(cb_parse_u64("7", 7, 7, &v), 0);
  assert_true(v == 7);
  /* Out of range leaves the output alone. */
  v = 123;
  assert_int_equal(cb_parse_u64("4", 5, 9, &v), -ERANGE);
  assert_int_equal(cb_parse_u64("10", 5, 9, &v), -ERANGE);
  assert_int_equal(cb_parse_u64("0", 1, 100000, &v), -ERANGE);
  assert_int_equal(cb_parse_u64("100001", 1, 100000, &v), -ERANGE);
  assert_true(v == 123);
}

static void test_u64_invalid(void **state)
{
  static const char *const bad[] = {"", "abc", "12x", "-1", "+1", " 1", "1 ", "1.5",
                                    "0x10", "1e3", "\t7", "1,2"};
  uint64_t v = 99;
  size_t i;

  (void)state;
  for (i = 0; i < CBT_ARRAY_SIZE(bad); i++) {
    assert_int_equal(cb_parse_u64(bad[i], 0, UINT64_MAX, &v), -EINVAL);
    assert_true(v == 99);
  }
  assert_int_equal(cb_parse_u64(NULL, 0, UINT64_MAX, &v), -EINVAL);
}

static void test_u64_overflow(void **state)
{
  uint64_t v = 99;

  (void)state;
  assert_int_equal(cb_parse_u64("99999999999999999999999", 0, UINT64_MAX, &v), -ERANGE);
  assert_int_equal(cb_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
  assert_int_equal(cb_parse_u64("18446744073709551620", 0, UINT64_MAX, &v), -ERANGE);
  /* Wrapping around 2^64 would give 0 and 1 here: both in range. */
  assert_int_equal(cb_parse_u64("18446744073709551616", 0, 10, &v), -ERANGE);
  assert_int_equal(cb_parse_u64("18446744073709551617", 0, 10, &v), -ERANGE);
  assert_true(v == 99);
}

/* ---- cb_parse_positive_double ---- */

static void test_double_valid(void **state)
{
  double v = 0;

  (void)state;
  assert_int_equal(cb_parse_positive_double("0.5", 10, &v), 0);
  assert_true(v == 0.5);
  assert_int_equal(cb_parse_positive_double("300", 86400 * 7, &v), 0);
  assert_true(v == 300);
  assert_int_equal(cb_parse_positive_double("1e-3", 10, &v), 0);
  assert_true(v == 1e-3);
  /* The maximum itself is allowed. */
  assert_int_equal(cb_parse_positive_double("604800", 86400 * 7, &v), 0);
  assert_true(v == 604800);
}

static void test_double_rejects(void **state)
{
  static const struct {
    const char *s;
    int err;
  } rows[] = {
    {"0", -ERANGE},     {"0.0", -ERANGE},    {"-1", -ERANGE},  {"-0", -ERANGE},
    {"1e999", -ERANGE}, {"inf", -EINVAL},    {"604800.5", -ERANGE},
    {"nan", -EINVAL},   {"x", -EINVAL},      {"", -EINVAL},    {" 1", -EINVAL},
    {"1 ", -EINVAL},    {"1s", -EINVAL},     {"1,5", -EINVAL},  {"+1", -EINVAL},
    {"0x1p-1", -EINVAL},
  };
  double v = 42;
  size_t i;

  (void)state;
  for (i = 0; i < CBT_ARRAY_SIZE(rows); i++) {
    int err = cb_parse_positive_double(rows[i].s, 86400 * 7, &v);
    if (err != rows[i].err)
      fail_msg("cb_parse_positive_double(\"%s\") = %d, expected %d", rows[i].s, err,
               rows[i].err);
    assert_true(v == 42);
  }
  assert_int_equal(cb_parse_positive_double(NULL, 10, &v), -EINVAL);
  /* "inf" is no decimal number, however large the range. */
  assert_int_equal(cb_parse_positive_double("inf", DBL_MAX, &v), -EINVAL);
  assert_true(v == 42);
}

/* ---- cb_parse_concurrency ---- */

static void check_conc(const char *s, const unsigned *want, size_t nwant)
{
  unsigned *v = NULL;
  size_t n = 12345, i;
  char bad[64] = "untouched";
  int err = cb_parse_concurrency(s, &v, &n, bad, sizeof(bad));

  if (err != 0)
    fail_msg("cb_parse_concurrency(\"%s\") = %d (bad '%s')", s, err, bad);
  assert_non_null(v);
  if (n != nwant)
    fail_msg("cb_parse_concurrency(\"%s\"): %zu values, expected %zu", s, n, nwant);
  for (i = 0; i < n; i++) {
    if (v[i] != want[i])
      fail_msg("cb_parse_concurrency(\"%s\")[%zu] = %u, expected %u", s, i, v[i], want[i]);
  }
  free(v);
}

#define CHECK_CONC(s, ...)                                                \
  do {                                                                    \
    static const unsigned want_[] = {__VA_ARGS__};                        \
    check_conc((s), want_, CBT_ARRAY_SIZE(want_));                            \
  } while (0)

static void test_conc_lists_and_ranges(void **state)
{
  (void)state;
  CHECK_CONC("1,2,8", 1, 2, 8);
  CHECK_CONC("8,2,2,1", 1, 2, 8);
  CHECK_CONC("1..64", 1, 2, 4, 8, 16, 32, 64);
  CHECK_CONC("3..20", 3, 6, 12, 20);
  CHECK_CONC("1..1", 1);
  CHECK_CONC("1,4..16", 1, 4, 8, 16);
  CHECK_CONC("4..16,1", 1, 4, 8, 16);
  CHECK_CONC("2..8,3,8", 2, 3, 4, 8);
  CHECK_CONC("5", 5);
  CHECK_CONC("1000000", 1000000);
  CHECK_CONC("524288..1000000", 524288, 1000000);
  CHECK_CONC("999999..1000000", 999999, 1000000);
}

static void check_conc_bad(const char *s, int want_err, const char *want_bad)
{
  unsigned *v = NULL;
  size_t n = 12345;
  char bad[64] = "untouched";
  int err = cb_parse_concurrency(s, &v, &n, bad, sizeof(bad));

  if (err != want_err)
    fail_msg("cb_parse_concurrency(\"%s\") = %d, expected %d", s, err, want_err);
  if (strcmp(bad, want_bad) != 0)
    fail_msg("cb_parse_concurrency(\"%s\"): bad = '%s', expected '%s'", s, bad, want_bad);
  assert_null(v);
  assert_true(n == 12345);
}

static void test_conc_rejects(void **state)
{
  (void)state;
  check_conc_bad("0", -ERANGE, "0");
  check_conc_bad("1,0", -ERANGE, "0");
  check_conc_bad("0..4", -ERANGE, "0..4");
  check_conc_bad("1000001", -ERANGE, "1000001");
  check_conc_bad("1..1000001", -ERANGE, "1..1000001");
  check_conc_bad("99999999999999999999999", -ERANGE, "99999999999999999999999");
  check_conc_bad("64..1", -EINVAL, "64..1");
  check_conc_bad("1,64..1,2", -EINVAL, "64..1");
  check_conc_bad("a", -EINVAL, "a");
  check_conc_bad("1,a,2", -EINVAL, "a");
  check_conc_bad("1,,2", -EINVAL, "");
  check_conc_bad("1,", -EINVAL, "");
  check_conc_bad(",1", -EINVAL, "");
  check_conc_bad("", -EINVAL, "");
  check_conc_bad("1..", -EINVAL, "1..");
  check_conc_bad("..4", -EINVAL, "..4");
  check_conc_bad("1...4", -EINVAL, "1...4");
  check_conc_bad("1..2..4", -EINVAL, "1..2..4");
  check_conc_bad("-3", -EINVAL, "-3");
  check_conc_bad("+3", -EINVAL, "+3");
  check_conc_bad(" 3", -EINVAL, " 3");
  check_conc_bad("2,4x", -EINVAL, "4x");
}

static void test_conc_bad_is_truncated_safely(void **state)
{
  unsigned *v = NULL;
  size_t n = 0;
  char bad[4];

  (void)state;
  memset(bad, 'Z', sizeof(bad));
  assert_int_equal(cb_parse_concurrency("1,abcdefgh", &v, &n, bad, sizeof(bad)), -EINVAL);
  assert_string_equal(bad, "abc");
  assert_null(v);
  /* No buffer at all is allowed. */
  assert_int_equal(cb_parse_concurrency("abc", &v, &n, NULL, 0), -EINVAL);
  assert_null(v);
}

/* ---- cb_select_names ---- */

static const char *const names[] = {"noop", "cpu.hash", "cpu.fp", "io.sleep"};

static void check_select(const char *list, const size_t *want, size_t nwant)
{
  size_t *picked = NULL, n = 12345, i;
  char bad[64] = "untouched";
  int err = cb_select_names(list, names, CBT_ARRAY_SIZE(names), &picked, &n, bad, sizeof(bad));

  if (err != 0)
    fail_msg("cb_select_names(\"%s\") = %d (bad '%s')", list, err, bad);
  assert_non_null(picked);
  if (n != nwant)
    fail_msg("cb_select_names(\"%s\"): %zu picked, expected %zu", list, n, nwant);
  for (i = 0; i < n; i++) {
    if (picked[i] != want[i])
      fail_msg("cb_select_names(\"%s\")[%zu] = %zu, expected %zu", list, i, picked[i],
               want[i]);
  }
  assert_string_equal(bad, "");
  free(picked);
}

#define CHECK_SELECT(s, ...)                                              \
  do {                                                                    \
    static const size_t want_[] = {__VA_ARGS__};                          \
    check_select((s), want_, CBT_ARRAY_SIZE(want_));                          \
  } while (0)

static void test_select_picks(void **state)
{
  (void)state;
  CHECK_SELECT("noop", 0);
  CHECK_SELECT("cpu.*", 1, 2);
  CHECK_SELECT("noop,noop", 0);
  CHECK_SELECT("*", 0, 1, 2, 3);
  CHECK_SELECT("io.sleep,noop", 3, 0);
  CHECK_SELECT("cpu.fp,cpu.*", 2, 1);
  CHECK_SELECT("*,noop", 0, 1, 2, 3);
  CHECK_SELECT("io.sleep,*", 3, 0, 1, 2);
  CHECK_SELECT("cpu.?p", 2);
  /* Exclusions, wherever they stand; alone, from every name. */
  CHECK_SELECT("*,!cpu.*", 0, 3);
  CHECK_SELECT("!cpu.*,*", 0, 3);
  CHECK_SELECT("!cpu.*", 0, 3);
  CHECK_SELECT("!noop,!io.*", 1, 2);
  CHECK_SELECT("cpu.*,!cpu.fp", 1);
  CHECK_SELECT("io.sleep,cpu.*,!cpu.hash", 3, 2);
}

static void check_select_bad(const char *list, int want_err, const char *want_bad)
{
  size_t *picked = NULL, n = 12345;
  char bad[64] = "untouched";
  int err = cb_select_names(list, names, CBT_ARRAY_SIZE(names), &picked, &n, bad, sizeof(bad));

  if (err != want_err)
    fail_msg("cb_select_names(\"%s\") = %d, expected %d", list, err, want_err);
  if (strcmp(bad, want_bad) != 0)
    fail_msg("cb_select_names(\"%s\"): bad = '%s', expected '%s'", list, bad, want_bad);
  assert_null(picked);
  assert_true(n == 12345);
}

static void test_select_rejects(void **state)
{
  (void)state;
  check_select_bad("nosuch", -ENOENT, "nosuch");
  check_select_bad("noop,nosuch", -ENOENT, "nosuch");
  check_select_bad("nosuch,noop", -ENOENT, "nosuch");
  check_select_bad("cpu", -ENOENT, "cpu");        /* a family is not a glob */
  check_select_bad("NOOP", -ENOENT, "NOOP");      /* names are case-sensitive */
  check_select_bad("gpu.*", -ENOENT, "gpu.*");
  check_select_bad("noop,,cpu.hash", -EINVAL, "");
  check_select_bad("noop,", -EINVAL, "");
  check_select_bad(",noop", -EINVAL, "");
  check_select_bad("", -EINVAL, "");
  check_select_bad("*,!nosuch", -ENOENT, "!nosuch");
  check_select_bad("!", -EINVAL, "!");
  check_select_bad("noop,!", -EINVAL, "!");
  check_select_bad("noop,!noop", -ENODATA, "noop,!noop");
  check_select_bad("!*", -ENODATA, "!*");
}

/* ---- cb_buf_csv_str, cb_buf_csv_double ---- */

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

/* ---- cb_write_atomic, cb_check_writable ---- */

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
    cmocka_unit_test(test_u64_valid),
    cmocka_unit_test(test_u64_bounds_inclusive),
    cmocka_unit_test(test_u64_invalid),
    cmocka_unit_test(test_u64_overflow),
    cmocka_unit_test(test_double_valid),
    cmocka_unit_test(test_double_rejects),
    cmocka_unit_test(test_conc_lists_and_ranges),
    cmocka_unit_test(test_conc_rejects),
    cmocka_unit_test(test_conc_bad_is_truncated_safely),
    cmocka_unit_test(test_select_picks),
    cmocka_unit_test(test_select_rejects),
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
