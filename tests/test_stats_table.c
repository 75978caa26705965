/* Tests of the CSV reader (harness/table.c), of the cells and flags derived
 * from a trial CSV (analysis/summary.c) and of the trial order (cb_schedule
 * in harness/matrix.c). Every expected value is computed by hand in a
 * comment. CSV fixtures are built as text in the test and go through
 * cb_table_parse like a file would. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmd.h"
#include "common.h"
#include "csv.h"
#include "matrix.h"
#include "stats.h"
#include "summary.h"
#include "table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- cb_table_parse ---- */

static void parse_ok(const char *text, cb_table_t *t)
{
  char err[256] = "";
  int rc = cb_table_parse(text, strlen(text), t, err, sizeof(err));

  if (rc != 0)
    fail_msg("cb_table_parse: %d (%s) for:\n%s", rc, err, text);
}

static void parse_bad(const char *text, const char *want)
{
  char err[256] = "";
  cb_table_t t;
  int rc = cb_table_parse(text, strlen(text), &t, err, sizeof(err));

  if (rc != -EINVAL)
    fail_msg("cb_table_parse = %d, expected -EINVAL for:\n%s", rc, text);
  if (strstr(err, want) == NULL)
    fail_msg("error '%s' does not contain '%s'", err, want);
  assert_null(t.cells);
  assert_int_equal(t.rows, 0);
}

static void test_table_errors_name_the_line(void **state)
{
  (void)state;
  parse_bad("a,b\n1,2\n3\n", "line 3: 1 fields, the header has 2");
  parse_bad("a,b\n1,2\n3,4,5\n", "line 3: 3 fields");
  parse_bad("a,b\n1,\"x\n", "line 2: a quoted field is not closed");
  parse_bad("a,b\n1,2\n\"x\"y,2\n", "line 3: text after a closing quote");
  parse_bad("a,b\n1,x\"y\n", "line 2: a quote inside an unquoted field");
  /* A quoted field spanning lines: the error after it names the right line. */
  parse_bad("a,b\n\"1\n2\",3\n4\n", "line 4: 1 fields");
  parse_bad("", "empty");
}

static void test_table_quoting(void **state)
{
  cb_table_t t;

  (void)state;
  parse_ok("name,text\n\"x,y\",\"he said \"\"hi\"\"\nbye\"\n\"\",plain\n", &t);
  assert_int_equal(t.rows, 3);
  assert_int_equal(t.cols, 2);
  assert_string_equal(cb_table_get(&t, 0, 1), "text");
  assert_string_equal(cb_table_get(&t, 1, 0), "x,y");
  assert_string_equal(cb_table_get(&t, 1, 1), "he said \"hi\"\nbye");
  assert_string_equal(cb_table_get(&t, 2, 0), "");
  assert_string_equal(cb_table_get(&t, 2, 1), "plain");
  /* The record after a two-line field starts on line 4. */
  assert_int_equal(t.line[1], 2);
  assert_int_equal(t.line[2], 4);
  assert_int_equal(cb_table_col(&t, "text"), 1);
  assert_int_equal(cb_table_col(&t, "nosuch"), -1);
  cb_table_free(&t);
}

static void test_table_crlf_and_ends(void **state)
{
  cb_table_t t;

  (void)state;
  parse_ok("a,b\r\n1,\"2\"\r\n3,4\r\n", &t);
  assert_int_equal(t.rows, 3);
  assert_string_equal(cb_table_get(&t, 1, 0), "1");
  assert_string_equal(cb_table_get(&t, 1, 1), "2");
  assert_string_equal(cb_table_get(&t, 2, 1), "4"); /* no '\r' left on it */
  assert_int_equal(t.line[2], 3);
  cb_table_free(&t);

  /* No final newline; a trailing comma is one more (empty) field. */
  parse_ok("a,b\n1,", &t);
  assert_int_equal(t.rows, 2);
  assert_string_equal(cb_table_get(&t, 1, 0), "1");
  assert_string_equal(cb_table_get(&t, 1, 1), "");
  cb_table_free(&t);
}

/* ---- cells and flags ---- */

static const char header[] = "host,workload,runner,transport,pin,concurrency,tasks,size,payload,"
                             "rep,wall_s,throughput,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,"
                             "status\n";

static void add_row(cb_buf_t *b, const char *wl, unsigned c, double wall, double tp,
                    const char *status)
{
  cb_buf_printf(b, "h,%s,threads,inproc,compact,%u,100,10,0,0,%.17g,%.17g,1,2,0.1,0.01,1000,%s\n",
                wl, c, wall, tp, status);
}

static void build_cells(const cb_buf_t *b, cb_table_t *t, cb_cells_t *cells)
{
  assert_false(b->failed);
  cbt_cells_parse(b->data, b->len, t, cells);
}

static size_t find_cell(const cb_cells_t *cells, const char *wl)
{
  size_t c;

  for (c = 0; c < cells->n; c++) {
    if (strcmp(cb_cell_key(cells, c, "workload"), wl) == 0)
      return c;
  }
  fail_msg("no cell for %s", wl);
  return 0;
}

static void test_flags(void **state)
{
  static const double calm[] = { 100, 101, 99, 100, 100 };
  static const double noisy[] = { 100, 120, 80, 100, 130, 70 }; /* cv 22.8%, within +-50% */
  static const struct {
    const char *wl;
    unsigned flags;
  } want[] = {
    { "calm", 0 },
    { "noisy", CB_FLAG_HIGH_CV },
    { "outlier", CB_FLAG_OUTLIER },
    { "short", CB_FLAG_SHORT },
    { "failures", CB_FLAG_FAILURES },
    { "nodata", CB_FLAG_FAILURES | CB_FLAG_NO_DATA },
  };
  cb_buf_t b = { 0 };
  cb_table_t t;
  cb_cells_t cells;
  char text[96];
  size_t i;

  (void)state;
  cb_buf_printf(&b, "%s", header);
  for (i = 0; i < ARRAY_SIZE(calm); i++)
    add_row(&b, "calm", 1, 0.1, calm[i], "ok");
  for (i = 0; i < ARRAY_SIZE(noisy); i++)
    add_row(&b, "noisy", 1, 0.1, noisy[i], "ok");
  /* 39 x 100 and one 155: more than 50% above the median, yet the cv is
   * 8.6%, under the 10% of high-cv. */
  for (i = 0; i < 40; i++)
    add_row(&b, "outlier", 1, 0.1, i == 17 ? 155 : 100, "ok");
  for (i = 0; i < 5; i++)
    add_row(&b, "short", 1, 0.001, 100, "ok");
  for (i = 0; i < 4; i++)
    add_row(&b, "failures", 1, i == 2 ? 0 : 0.1, i == 2 ? 0 : 100, i == 2 ? "crashed" : "ok");
  for (i = 0; i < 2; i++)
    add_row(&b, "nodata", 1, 0, 0, i ? "timeout" : "crashed");
  build_cells(&b, &t, &cells);
  assert_int_equal(cells.n, ARRAY_SIZE(want));
  for (i = 0; i < ARRAY_SIZE(want); i++) {
    size_t c = find_cell(&cells, want[i].wl);
    if (cells.cell[c].flags != want[i].flags)
      fail_msg("%s: flags %#x, expected %#x", want[i].wl, cells.cell[c].flags, want[i].flags);
  }
  i = find_cell(&cells, "failures");
  assert_int_equal(cells.cell[i].nrows, 4);
  assert_int_equal(cells.cell[i].n_ok, 3);
  cbt_expect_near(cells.cell[i].m[CB_M_throughput].median, 100, "median of the ok trials");
  i = find_cell(&cells, "nodata");
  assert_int_equal(cells.cell[i].n_ok, 0);
  {
    FILE *null = fopen("/dev/null", "we");
    assert_non_null(null);
    assert_int_equal(cb_cells_warn(&cells, null), ARRAY_SIZE(want) - 1); /* all but calm */
    fclose(null);
  }
  cb_flags_text(CB_FLAG_HIGH_CV | CB_FLAG_SHORT | CB_FLAG_NO_DATA, text, sizeof(text));
  assert_string_equal(text, "high-cv;short;no-data");
  cb_flags_text(0, text, sizeof(text));
  assert_string_equal(text, "");
  cb_cells_free(&cells);
  cb_table_free(&t);
  cb_buf_free(&b);
}

static void test_cells_group_in_first_appearance_order(void **state)
{
  cb_buf_t b = { 0 };
  cb_table_t t;
  cb_cells_t cells;
  double *v;
  size_t n;

  (void)state;
  cb_buf_printf(&b, "%s", header);
  /* Interleaved: zeta first, then alpha, then zeta at c = 2 (another cell
   * though the same workload), so neither key order nor row order alone
   * gives the cells. */
  add_row(&b, "zeta", 1, 0.1, 10, "ok");   /* row 1 */
  add_row(&b, "alpha", 1, 0.1, 7, "ok");   /* row 2 */
  add_row(&b, "zeta", 2, 0.1, 50, "ok");   /* row 3 */
  add_row(&b, "zeta", 1, 0.1, 30, "ok");   /* row 4 */
  add_row(&b, "alpha", 1, 0.1, 9, "ok");   /* row 5 */
  add_row(&b, "zeta", 1, 0.1, 20, "ok");   /* row 6 */
  add_row(&b, "alpha", 1, 0.1, 0, "wrong"); /* row 7: not in the statistics */
  build_cells(&b, &t, &cells);
  assert_int_equal(cells.n, 3);
  assert_string_equal(cb_cell_key(&cells, 0, "workload"), "zeta");
  assert_string_equal(cb_cell_key(&cells, 0, "concurrency"), "1");
  assert_string_equal(cb_cell_key(&cells, 1, "workload"), "alpha");
  assert_string_equal(cb_cell_key(&cells, 2, "workload"), "zeta");
  assert_string_equal(cb_cell_key(&cells, 2, "concurrency"), "2");
  assert_int_equal(cells.cell[0].nrows, 3);
  assert_int_equal(cells.cell[0].rows[0], 1);
  assert_int_equal(cells.cell[0].rows[1], 4);
  assert_int_equal(cells.cell[0].rows[2], 6);
  assert_int_equal(cells.cell[0].n_ok, 3);
  cbt_expect_near(cells.cell[0].m[CB_M_throughput].median, 20, "zeta c=1 median");
  cbt_expect_near(cells.cell[0].m[CB_M_throughput].mean, 20, "zeta c=1 mean");
  assert_int_equal(cells.cell[1].nrows, 3);
  assert_int_equal(cells.cell[1].n_ok, 2);
  cbt_expect_near(cells.cell[1].m[CB_M_throughput].median, 8, "alpha median"); /* (7 + 9) / 2 */
  assert_int_equal(cells.cell[2].n_ok, 1);
  cbt_expect_near(cells.cell[2].m[CB_M_throughput].median, 50, "zeta c=2 median");
  /* The samples in row order, ok rows only. */
  v = cb_cell_samples(&cells, 0, "throughput", &n);
  assert_non_null(v);
  assert_int_equal(n, 3);
  assert_true(v[0] == 10 && v[1] == 30 && v[2] == 20);
  free(v);
  cb_cells_free(&cells);
  cb_table_free(&t);
  cb_buf_free(&b);
}

static void test_cells_sort_reading_order(void **state)
{
  cb_buf_t b = { 0 };
  cb_table_t t;
  cb_cells_t cells;

  (void)state;
  cb_buf_printf(&b, "%s", header);
  add_row(&b, "io.sleep", 2, 0.1, 1, "ok");
  add_row(&b, "cpu.hash", 16, 0.1, 1, "ok");
  add_row(&b, "zzz.unknown", 1, 0.1, 1, "ok");
  add_row(&b, "cpu.hash", 2, 0.1, 1, "ok");
  add_row(&b, "noop", 1, 0.1, 1, "ok");
  build_cells(&b, &t, &cells);
  cb_cells_sort(&cells);
  assert_int_equal(cells.n, 5);
  /* Registry order (noop, cpu.hash, ..., io.sleep), unknown names last;
   * concurrency as a number, so 2 before 16. */
  assert_string_equal(cb_cell_key(&cells, 0, "workload"), "noop");
  assert_string_equal(cb_cell_key(&cells, 1, "workload"), "cpu.hash");
  assert_string_equal(cb_cell_key(&cells, 1, "concurrency"), "2");
  assert_string_equal(cb_cell_key(&cells, 2, "concurrency"), "16");
  assert_string_equal(cb_cell_key(&cells, 3, "workload"), "io.sleep");
  assert_string_equal(cb_cell_key(&cells, 4, "workload"), "zzz.unknown");
  cb_cells_free(&cells);
  cb_table_free(&t);
  cb_buf_free(&b);
}

static void test_cells_errors(void **state)
{
  cb_buf_t b = { 0 };
  cb_table_t t;
  cb_cells_t cells;
  char err[256] = "";

  (void)state;
  parse_ok("host,workload\nh,w\n", &t);
  assert_int_equal(cb_cells_build(&t, &cells, err, sizeof(err)), -EINVAL);
  assert_non_null(strstr(err, "missing column"));
  cb_table_free(&t);

  cb_buf_printf(&b, "%s", header);
  add_row(&b, "w", 1, 0.1, 10, "ok");
  cb_buf_printf(&b, "h,w,threads,inproc,compact,1,100,10,0,1,0.1,fast,1,2,0.1,0.01,1000,ok\n");
  parse_ok(b.data, &t);
  assert_int_equal(cb_cells_build(&t, &cells, err, sizeof(err)), -EINVAL);
  if (strstr(err, "line 3") == NULL || strstr(err, "'fast'") == NULL)
    fail_msg("error '%s' should name line 3 and 'fast'", err);
  cb_table_free(&t);
  cb_buf_free(&b);
}

/* ---- cb_schedule ---- */

static void check_schedule(size_t ncells, uint64_t warmup, uint64_t reps, uint64_t seed)
{
  size_t n = 12345, i, *warm, *rec;
  cb_slot_t *s = cb_schedule(ncells, warmup, reps, seed, &n);
  unsigned char *seen = calloc(ncells * reps + 1, 1);

  assert_non_null(s);
  assert_int_equal(n, ncells * (warmup + reps));
  warm = calloc(ncells + 1, sizeof(*warm));
  rec = calloc(ncells + 1, sizeof(*rec));
  assert_non_null(warm);
  assert_non_null(rec);
  for (i = 0; i < n; i++) {
    assert_true(s[i].cell < ncells);
    if (s[i].rep < 0) {
      /* A warm-up: of a cell not yet recorded, and (with recorded trials)
       * followed by its cell's other warm-ups and then its first recorded
       * trial, nothing else between. */
      if (rec[s[i].cell] > 0)
        fail_msg("slot %zu of %zu: a warm-up of cell %zu after its recorded trials began", i,
                 n, s[i].cell);
      if (reps > 0 && (i + 1 >= n || s[i + 1].cell != s[i].cell))
        fail_msg("slot %zu of %zu: cell %zu's warm-up not followed by its cell", i, n,
                 s[i].cell);
      warm[s[i].cell]++;
    } else {
      if ((uint64_t)s[i].rep >= reps)
        fail_msg("slot %zu: rep %ld of %llu", i, s[i].rep, (unsigned long long)reps);
      if (rec[s[i].cell] == 0 && warm[s[i].cell] != warmup)
        fail_msg("slot %zu: cell %zu recorded after %zu of its %llu warm-ups", i, s[i].cell,
                 warm[s[i].cell], (unsigned long long)warmup);
      /* each (cell, rep) once: a bit per rep of the cell */
      if (seen[s[i].cell * reps + (size_t)s[i].rep]++)
        fail_msg("cell %zu rep %ld scheduled twice", s[i].cell, s[i].rep);
      rec[s[i].cell]++;
    }
  }
  for (i = 0; i < ncells; i++) {
    if (warm[i] != warmup || rec[i] != reps)
      fail_msg("cell %zu: %zu warm-ups and %zu recorded, expected %llu and %llu", i, warm[i],
               rec[i], (unsigned long long)warmup, (unsigned long long)reps);
  }
  /* An interrupted run keeps what it measured: the first recorded trial
   * comes right after the first cell's warm-ups, not after every cell's. */
  if (ncells > 0 && reps > 0)
    assert_true(s[warmup].rep >= 0);
  free(seen);
  free(warm);
  free(rec);
  free(s);
}

static int same_order(const cb_slot_t *a, const cb_slot_t *b, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    if (a[i].cell != b[i].cell || a[i].rep != b[i].rep)
      return 0;
  }
  return 1;
}

static void test_schedule_complete(void **state)
{
  (void)state;
  check_schedule(1, 1, 1, 1);
  check_schedule(7, 2, 5, 42);
  check_schedule(50, 1, 10, 3);
  check_schedule(13, 0, 3, 9);
  check_schedule(5, 3, 1, 0);
  check_schedule(0, 1, 5, 1);
}

static void test_schedule_seeded(void **state)
{
  size_t n1, n2, n3, n4, i, sorted = 1;
  cb_slot_t *a = cb_schedule(40, 1, 10, 7, &n1);
  cb_slot_t *b = cb_schedule(40, 1, 10, 7, &n2);
  cb_slot_t *c = cb_schedule(40, 1, 10, 8, &n3);
  cb_slot_t *w = cb_schedule(40, 2, 0, 7, &n4);

  (void)state;
  assert_non_null(a);
  assert_non_null(b);
  assert_non_null(c);
  assert_non_null(w);
  assert_int_equal(n1, 440);
  assert_true(n1 == n2 && n1 == n3);
  assert_true(same_order(a, b, n1));
  /* Another seed: another order (the chance that 400!/(10!)^40 orders
   * agree is nil). */
  assert_false(same_order(a, c, n1));
  /* Shuffled at all: the trials are not cell after cell. */
  for (i = 1; i < n1; i++)
    sorted &= a[i - 1].cell <= a[i].cell;
  assert_false(sorted);
  /* Warm-ups alone (--reps 0) are shuffled too. */
  assert_int_equal(n4, 80);
  for (i = 1, sorted = 1; i < n4; i++)
    sorted &= w[i - 1].cell <= w[i].cell && w[i].rep < 0;
  assert_false(sorted);
  free(a);
  free(b);
  free(c);
  free(w);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_table_errors_name_the_line),
    cmocka_unit_test(test_table_quoting),
    cmocka_unit_test(test_table_crlf_and_ends),
    cmocka_unit_test(test_flags),
    cmocka_unit_test(test_cells_group_in_first_appearance_order),
    cmocka_unit_test(test_cells_sort_reading_order),
    cmocka_unit_test(test_cells_errors),
    cmocka_unit_test(test_schedule_complete),
    cmocka_unit_test(test_schedule_seeded),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
