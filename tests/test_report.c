/* Tests of the winner logic (analysis/analysis.c) on trial CSVs built here
 * (tests/test_rpt.c) so that each outcome occurs: a significant win, a tie,
 * which cells contest (serial never wins, GIL cells contest apart, variants
 * fold into their model, a lone cell is alone, short-handed cells do not
 * compete). The folklore verdicts: test_report_verdicts.c and
 * test_report_claims.c; the Markdown: test_report_markdown.c. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis.h"
#include "cb.h"
#include "report.h"
#include "common.h"
#include "test_rpt.h"

static void test_significant_win_and_tie(void **state)
{
  cbt_csv_t f;
  cb_contest_t *k;
  char name[64];
  size_t n;

  (void)state;
  cbt_csv_start(&f, rpt_header);
  /* c=2: threads twice as fast, 6 trials each: significant. */
  rpt_cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 200, 1000, 6);
  rpt_cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 100, 1000, 6);
  /* c=4: the same distribution on both sides: a tie. */
  rpt_cell(&f, "cpu.hash", "threads", "inproc", 4, 0, "ok", 100, 1000, 6);
  rpt_cell(&f, "cpu.hash", "processes", "pipe", 4, 0, "ok", 100.2, 1000, 6);
  cbt_csv_parse(&f);
  assert_int_equal(cb_contests(&f.cells, 0.05, &k, &n), 0);
  assert_int_equal(n, 2);
  cb_contestant(&f.cells, k[0].winner, name, sizeof(name));
  assert_string_equal(name, "threads");
  cb_contestant(&f.cells, (size_t)k[0].runner_up, name, sizeof(name));
  assert_string_equal(name, "processes");
  assert_false(k[0].tie);
  /* p-values from SciPy 1.10.1, scipy.stats.mannwhitneyu(x, y,
   * alternative='two-sided', method='exact') on the six samples each cell
   * writes: 2 / C(12, 6) for two samples apart, and 0.48484848484848486
   * for the interleaved ones at c=4 */
  assert_true(fabs(k[0].p - 0.0021645021645021645) < 1e-12);
  /* medians 200 and 100 */
  assert_true(fabs(k[0].margin - 1) < 1e-12);
  assert_int_equal(k[0].contestants, 2);
  assert_true(k[1].tie);
  assert_true(fabs(k[1].p - 0.48484848484848486) < 1e-12);
  free(k);
  cbt_csv_free(&f);
}

static void test_contestants_and_lonely_cells(void **state)
{
  cbt_csv_t f;
  cb_contest_t *k;
  char name[64];
  size_t n;

  (void)state;
  cbt_csv_start(&f, rpt_header);
  rpt_cell(&f, "comm.payload", "serial", "inproc", 1, 64, "ok", 10, 1, 5);
  rpt_cell(&f, "comm.payload", "threads", "inproc", 1, 64, "ok", 20, 1, 5);
  rpt_cell(&f, "comm.payload", "processes", "shm", 1, 64, "ok", 30, 1, 5);
  rpt_cell(&f, "comm.payload", "processes", "pipe", 1, 64, "error", 0, 0, 5); /* never ok */
  rpt_cell(&f, "comm.payload", "threads", "inproc", 2, 64, "ok", 20, 1, 5);   /* alone */
  cbt_csv_parse(&f);
  assert_int_equal(cb_contests(&f.cells, 0.05, &k, &n), 0);
  assert_int_equal(n, 2);
  assert_int_equal(k[0].contestants, 2); /* serial is a reference; the failed cell is out */
  cb_contestant(&f.cells, k[0].winner, name, sizeof(name));
  assert_string_equal(name, "processes/shm");
  cb_contestant(&f.cells, (size_t)k[0].runner_up, name, sizeof(name));
  assert_string_equal(name, "threads");
  assert_int_equal(k[1].runner_up, -1);
  assert_false(k[1].tie);
  free(k);
  cbt_csv_free(&f);
}

/* Serial, however fast, is never named: it is the reference. */
static void test_serial_never_wins(void **state)
{
  cbt_csv_t f;
  cb_contest_t *k;
  char name[64];
  size_t n;

  (void)state;
  cbt_csv_start(&f, rpt_header);
  rpt_cell(&f, "comm.pingpong", "serial", "inproc", 1, 0, "ok", 668, 1, 5);
  rpt_cell(&f, "comm.pingpong", "threads", "inproc", 1, 0, "ok", 1, 1, 5);
  rpt_cell(&f, "comm.pingpong", "processes", "pipe", 1, 0, "ok", 2, 1, 5);
  cbt_csv_parse(&f);
  assert_int_equal(cb_contests(&f.cells, 0.05, &k, &n), 0);
  assert_int_equal(n, 1);
  assert_int_equal(k[0].contestants, 2);
  cb_contestant(&f.cells, k[0].winner, name, sizeof(name));
  assert_string_equal(name, "processes");
  cb_contestant(&f.cells, (size_t)k[0].runner_up, name, sizeof(name));
  assert_string_equal(name, "threads");
  free(k);
  cbt_csv_free(&f);
  /* serial alone holds no contest */
  cbt_csv_start(&f, rpt_header);
  rpt_cell(&f, "comm.pingpong", "serial", "inproc", 1, 0, "ok", 668, 1, 5);
  cbt_csv_parse(&f);
  assert_int_equal(cb_contests(&f.cells, 0.05, &k, &n), 0);
  assert_int_equal(n, 0);
  free(k);
  cbt_csv_free(&f);
}

/* GIL mode is part of the setting: threads+gil never meets processes
 * without it. */
static void test_gil_cells_contest_apart(void **state)
{
  static const more_t gil = { .dispatch = "", .gil = 1, .size = 10 };
  cbt_csv_t f;
  cb_contest_t *k;
  char a[64], b[64];
  size_t n, i;

  (void)state;
  cbt_csv_start(&f, rpt_header);
  rpt_cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  rpt_cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 90, 1, 5);
  rpt_cell_m(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 50, 1, 5, &gil);
  rpt_cell_m(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 95, 1, 5, &gil);
  cbt_csv_parse(&f);
  assert_int_equal(cb_contests(&f.cells, 0.05, &k, &n), 0);
  assert_int_equal(n, 2);
  for (i = 0; i < n; i++) {
    assert_int_equal(k[i].contestants, 2);
    cb_contestant(&f.cells, k[i].winner, a, sizeof(a));
    cb_contestant(&f.cells, (size_t)k[i].runner_up, b, sizeof(b));
    /* both carry +gil, or neither */
    assert_int_equal(strstr(a, "+gil") != NULL, strstr(b, "+gil") != NULL);
  }
  cb_contestant(&f.cells, k[0].winner, a, sizeof(a));
  cb_contestant(&f.cells, k[1].winner, b, sizeof(b));
  assert_true((strcmp(a, "threads") == 0 && strcmp(b, "processes+gil") == 0) ||
              (strcmp(b, "threads") == 0 && strcmp(a, "processes+gil") == 0));
  free(k);
  cbt_csv_free(&f);
}

/* Two variants of one model that tie with each other are one model: it wins
 * the cell with its best variant, which the contest names. */
static void test_variants_fold_into_their_model(void **state)
{
  static const more_t queue = { .dispatch = "queue", .size = 10 };
  cbt_csv_t f;
  cb_contest_t *k;
  char name[64];
  size_t n;

  (void)state;
  cbt_csv_start(&f, rpt_header);
  rpt_cell(&f, "fault.crash", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  rpt_cell(&f, "fault.crash", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
  rpt_cell(&f, "fault.crash", "processes", "shm", 2, 0, "ok", 150.5, 1, 5);
  rpt_cell_m(&f, "fault.crash", "processes", "pipe", 2, 0, "ok", 149, 1, 5, &queue);
  cbt_csv_parse(&f);
  assert_int_equal(cb_contests(&f.cells, 0.05, &k, &n), 0);
  assert_int_equal(n, 1);
  assert_int_equal(k[0].contestants, 2); /* processes (its best variant) and threads */
  assert_false(k[0].tie);
  cb_contestant(&f.cells, k[0].winner, name, sizeof(name));
  assert_string_equal(name, "processes/shm");
  cb_model(&f.cells, k[0].winner, name, sizeof(name));
  assert_string_equal(name, "processes");
  cb_contestant(&f.cells, (size_t)k[0].runner_up, name, sizeof(name));
  assert_string_equal(name, "threads");
  free(k);
  cbt_csv_free(&f);
}

/* An event loop that ran CPU tasks inline on 2 loops at c = 16 had 2 in
 * flight, not 16: it competes in no contest, however fast it was; at c = 2
 * it did run 2 at once and competes, marked inline. */
static void test_short_handed_cells_do_not_compete(void **state)
{
  static const char csv[] =
      "host,workload,family,runner,transport,pin,concurrency,tasks,size,payload,status,"
      "throughput,wall_s,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,inflight,inline\n"
      "vm,cpu.hash,cpu,threads,inproc,compact,16,100,10,0,ok,100,1,1,1,1,0,1,16,0\n"
      "vm,cpu.hash,cpu,threads,inproc,compact,16,100,10,0,ok,101,1,1,1,1,0,1,16,0\n"
      "vm,cpu.hash,cpu,eventloop,inproc,compact,16,100,10,0,ok,200,1,1,1,1,0,1,2,1\n"
      "vm,cpu.hash,cpu,eventloop,inproc,compact,16,100,10,0,ok,201,1,1,1,1,0,1,2,1\n"
      "vm,cpu.hash,cpu,threads,inproc,compact,2,100,10,0,ok,100,1,1,1,1,0,1,2,0\n"
      "vm,cpu.hash,cpu,eventloop,inproc,compact,2,100,10,0,ok,200,1,1,1,1,0,1,2,1\n";
  cbt_csv_t f;
  cb_contest_t *k;
  char name[64];
  size_t n;

  (void)state;
  memset(&f, 0, sizeof(f));
  cb_buf_printf(&f.csv, "%s", csv);
  cbt_csv_parse(&f);
  assert_int_equal(cb_contests(&f.cells, 0.05, &k, &n), 0);
  assert_int_equal(n, 2);
  assert_int_equal(k[0].contestants, 1);
  cb_contestant(&f.cells, k[0].winner, name, sizeof(name));
  assert_string_equal(name, "threads");
  assert_string_equal(cb_cell_key(&f.cells, k[0].winner, "concurrency"), "16");
  assert_int_equal(k[1].contestants, 2);
  cb_contestant(&f.cells, k[1].winner, name, sizeof(name));
  assert_string_equal(name, "eventloop");
  assert_true(cb_cell_inline(&f.cells, k[1].winner));
  assert_false(cb_cell_short_handed(&f.cells, k[1].winner));
  free(k);
  cbt_csv_free(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_significant_win_and_tie),
    cmocka_unit_test(test_contestants_and_lonely_cells),
    cmocka_unit_test(test_serial_never_wins),
    cmocka_unit_test(test_gil_cells_contest_apart),
    cmocka_unit_test(test_variants_fold_into_their_model),
    cmocka_unit_test(test_short_handed_cells_do_not_compete),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
