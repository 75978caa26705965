/* Tests of the pure command-line parsers (harness/parse.c): cb_parse_u64,
 * cb_parse_positive_double, cb_parse_concurrency and cb_select_names, on
 * exact results and exact error codes, including the token they copy into
 * `bad`. The output helpers and the trial CSV's rows: test_cli_output.c. */
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
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
