/* Tests of how a folklore claim (analysis/report.c) gets its verdict, on
 * trial CSVs built here (tests/test_rpt.c) so that each outcome occurs: a
 * claim that holds, one that does not, one that depends, ties that show
 * nothing, Holm's correction within a claim, memory where lower is better,
 * and a claim undecided for lack of trials or not measured at all. */
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

/* The four cells of the CPU claim in plain C: cpu.hash and cpu.fp at c = 2,
 * threads at 100 tasks/s, processes at `hash` and `fp`, n trials each. */
static void cpu_cells(cbt_csv_t *f, double hash, double fp, unsigned n)
{
  rpt_cell(f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, n);
  rpt_cell(f, "cpu.hash", "processes", "pipe", 2, 0, "ok", hash, 1, n);
  rpt_cell(f, "cpu.fp", "threads", "inproc", 2, 0, "ok", 100, 1, n);
  rpt_cell(f, "cpu.fp", "processes", "pipe", 2, 0, "ok", fp, 1, n);
}

static void test_verdict_holds_not_depends(void **state)
{
  const cb_finding_t *cpu, *io, *spawn;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n;

  (void)state;
  cbt_csv_start(&f, rpt_header);
  /* CPU: processes faster everywhere -> holds. */
  cpu_cells(&f, 150, 150, 5);
  /* I/O: threads faster in one cell, slower in another -> depends. */
  rpt_cell(&f, "io.sleep", "threads", "inproc", 2, 0, "ok", 150, 1, 5);
  rpt_cell(&f, "io.sleep", "processes", "pipe", 2, 0, "ok", 100, 1, 5);
  rpt_cell(&f, "io.tcp", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  rpt_cell(&f, "io.tcp", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
  /* Spawning: processes faster -> does not hold. */
  rpt_cell(&f, "life.spawn", "threads", "inproc", 1, 0, "ok", 100, 1, 5);
  rpt_cell(&f, "life.spawn", "processes", "pipe", 1, 0, "ok", 200, 1, 5);
  rpt_findings_of(&f, &all, &n);
  cpu = cbt_finding(all, n, "CPU-bound work: processes beat threads (in plain C)");
  io = cbt_finding(all, n, "I/O-bound work: threads beat processes (in plain C)");
  spawn = cbt_finding(all, n, "Threads are cheaper");
  assert_int_equal(cpu->verdict, CB_V_HOLDS);
  assert_int_equal(cpu->wins, 2);
  assert_int_equal(io->verdict, CB_V_DEPENDS);
  assert_int_equal(io->wins, 1);
  assert_int_equal(io->losses, 1);
  assert_int_equal(spawn->verdict, CB_V_NOT);
  assert_int_equal(spawn->losses, 1);
  /* The evidence quotes the numbers it rests on: the exact p of 5 against
   * 5 fully separated samples, 2/252, and Holm's x2 over the claim's two. */
  assert_non_null(strstr(cpu->evidence, "cpu.hash, c=2: processes 150 tasks/s vs threads 100 "
                                        "tasks/s (+50%) (p=0.0079, Holm 0.016): as claimed"));
  /* Without GIL cells, the claim under a GIL is not measured. */
  assert_int_equal(cbt_finding(all, n, "CPU-bound work: processes beat threads (under a GIL)")
                       ->verdict, CB_V_UNTESTED);
  free(all);
  cbt_csv_free(&f);
}

/* Every comparison a tie: nothing is shown either way. */
static void test_all_ties_not_shown(void **state)
{
  const cb_finding_t *cpu;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n;

  (void)state;
  cbt_csv_start(&f, rpt_header);
  cpu_cells(&f, 100.1, 99.9, 6);
  rpt_findings_of(&f, &all, &n);
  cpu = cbt_finding(all, n, "CPU-bound work: processes beat threads (in plain C)");
  assert_int_equal(cpu->verdict, CB_V_NOT_SHOWN);
  assert_int_equal(cpu->ties, 2);
  assert_int_equal(cpu->wins + cpu->losses, 0);
  assert_string_equal(cb_verdict_name(cpu->verdict), "not shown");
  free(all);
  cbt_csv_free(&f);
}

/* Two comparisons of 4 against 4 fully separated trials: each raw p is
 * 2/70 = 0.029 < 0.05, Holm makes the smaller 0.057: nothing holds. */
static void test_holm_within_the_claim(void **state)
{
  const cb_finding_t *cpu;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n;

  (void)state;
  cbt_csv_start(&f, rpt_header);
  cpu_cells(&f, 150, 150, 4);
  rpt_findings_of(&f, &all, &n);
  cpu = cbt_finding(all, n, "CPU-bound work: processes beat threads (in plain C)");
  assert_int_not_equal(cpu->verdict, CB_V_HOLDS);
  assert_int_equal(cpu->verdict, CB_V_NOT_SHOWN);
  assert_int_equal(cpu->ties, 2);
  assert_non_null(strstr(cpu->evidence, "(p=0.029, Holm 0.057): no significant difference"));
  free(all);
  cbt_csv_free(&f);
}

/* Memory per worker is the slope of memory over concurrency, decided by the
 * bootstrap interval of the difference of two slopes: 1000 -> 1630 KiB from
 * c=1 to c=64 is 10 KiB a worker, 1000 -> 30240 KiB is 464 KiB a worker. */
static void test_memory_lower_is_better(void **state)
{
  const cb_finding_t *mem;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n;

  (void)state;
  cbt_csv_start(&f, rpt_header);
  rpt_cell(&f, "life.idle", "threads", "inproc", 1, 0, "ok", 10, 1000, 5);
  rpt_cell(&f, "life.idle", "threads", "inproc", 64, 0, "ok", 10, 1630, 5);
  rpt_cell(&f, "life.idle", "processes", "pipe", 1, 0, "ok", 10, 1000, 5);
  rpt_cell(&f, "life.idle", "processes", "pipe", 64, 0, "ok", 10, 30240, 5);
  rpt_findings_of(&f, &all, &n);
  mem = cbt_finding(all, n, "Threads use less memory");
  assert_int_equal(mem->verdict, CB_V_HOLDS); /* less memory wins although throughput ties */
  assert_int_equal(mem->wins, 1);
  assert_non_null(strstr(mem->evidence, "threads 10.0 KiB per worker vs processes 464.1 KiB"));
  free(all);
  cbt_csv_free(&f);
  /* The other way round: against the claim. */
  cbt_csv_start(&f, rpt_header);
  rpt_cell(&f, "life.idle", "threads", "inproc", 1, 0, "ok", 10, 1000, 5);
  rpt_cell(&f, "life.idle", "threads", "inproc", 64, 0, "ok", 10, 30240, 5);
  rpt_cell(&f, "life.idle", "processes", "pipe", 1, 0, "ok", 10, 1000, 5);
  rpt_cell(&f, "life.idle", "processes", "pipe", 64, 0, "ok", 10, 1630, 5);
  rpt_findings_of(&f, &all, &n);
  mem = cbt_finding(all, n, "Threads use less memory");
  assert_int_equal(mem->verdict, CB_V_NOT);
  assert_int_equal(mem->losses, 1);
  free(all);
  cbt_csv_free(&f);
  /* Totals that differ at one concurrency say nothing per worker. */
  cbt_csv_start(&f, rpt_header);
  rpt_cell(&f, "life.idle", "threads", "inproc", 64, 0, "ok", 10, 1000, 5);
  rpt_cell(&f, "life.idle", "processes", "pipe", 64, 0, "ok", 10, 30000, 5);
  rpt_findings_of(&f, &all, &n);
  mem = cbt_finding(all, n, "Threads use less memory");
  assert_int_equal(mem->verdict, CB_V_NOT_SHOWN);
  assert_int_equal(mem->weak, 1);
  assert_non_null(strstr(mem->evidence, "one concurrency only"));
  free(all);
  cbt_csv_free(&f);
}

static void test_undecided_and_untested(void **state)
{
  const cb_finding_t *cpu, *loop;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n;

  (void)state;
  cbt_csv_start(&f, rpt_header);
  /* 3 trials a side: the exact test's smallest p is 0.1. */
  rpt_cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 3);
  rpt_cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 300, 1, 3);
  rpt_findings_of(&f, &all, &n);
  cpu = cbt_finding(all, n, "CPU-bound work: processes beat threads (in plain C)");
  loop = cbt_finding(all, n, "An event loop");
  assert_int_equal(cpu->verdict, CB_V_NOT_SHOWN);
  assert_int_equal(cpu->weak, 1);
  assert_non_null(strstr(cpu->evidence, "too few trials to tell"));
  assert_int_equal(loop->verdict, CB_V_UNTESTED);
  assert_string_equal(cb_verdict_name(loop->verdict), "not measured");
  free(all);
  cbt_csv_free(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_verdict_holds_not_depends),
    cmocka_unit_test(test_all_ties_not_shown),
    cmocka_unit_test(test_holm_within_the_claim),
    cmocka_unit_test(test_memory_lower_is_better),
    cmocka_unit_test(test_undecided_and_untested),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
