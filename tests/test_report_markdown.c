/* Tests of the Markdown report (analysis/report.c, cb_report_md) on trial
 * CSVs built here (tests/test_rpt.c): its sections, every verdict's label as
 * it renders it, and every verdict's section and the winners tables. */
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

static void test_markdown(void **state)
{
  cbt_csv_t f;
  cb_buf_t md = { 0 };

  (void)state;
  cbt_csv_start(&f, rpt_header);
  rpt_cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  rpt_cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
  cbt_csv_parse(&f);
  assert_int_equal(cb_report_md(&f.cells, "charts", &md), 0);
  assert_non_null(strstr(md.data, "## Machine"));
  assert_non_null(strstr(md.data, "## Findings"));
  assert_non_null(strstr(md.data, "CPU-bound work: processes beat threads (in plain C). — "
                                  "**holds**"));
  assert_non_null(strstr(md.data, "(charts/scaling-cpu.hash.svg)"));
  assert_non_null(strstr(md.data, "| 2 | 10 | 0 | processes | threads | +50.0% |"));
  cb_buf_free(&md);
  cbt_csv_free(&f);
}

/* The Stability section tells noisy cells (their trials disagree) from
 * cells whose trials failed (fault.crash under threads, by design): a
 * steady cell, a noisy one (trials at 100 and 150 tasks/s) and one whose
 * every trial crashed, by family. */
static void test_stability_noisy_and_failed(void **state)
{
  cbt_csv_t f;
  cb_buf_t md = { 0 };

  (void)state;
  cbt_csv_start(&f, rpt_header);
  rpt_cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 6);
  rpt_cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 100, 1, 3);
  rpt_cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 150, 1, 3);
  rpt_cell(&f, "fault.crash", "threads", "inproc", 2, 0, "crashed", 0, 1, 6);
  cbt_csv_parse(&f);
  assert_int_equal(cb_report_md(&f.cells, "charts", &md), 0);
  cbt_expect_in(md.data, "2 of 3 cells carry a stability flag (see the `flags` and `hint` "
                         "columns of the summary CSV): 1 are noisy (high-cv, outlier or short: "
                         "their trials disagree), 1 only had failed trials", "Stability");
  cbt_expect_in(md.data, "| family | cells | noisy | failed trials only | noisy share |\n"
                         "|---|---|---|---|---|\n| cpu | 2 | 1 | 0 | 50% |\n"
                         "| fault | 1 | 0 | 1 | 0% |\n", "the table by family");
  cb_buf_free(&md);
  cbt_csv_free(&f);
}

/* Every verdict's label, and the "?" of a value that is none. */
static void test_verdict_names(void **state)
{
  (void)state;
  assert_string_equal(cb_verdict_name(CB_V_HOLDS), "holds");
  assert_string_equal(cb_verdict_name(CB_V_NOT), "does not hold");
  assert_string_equal(cb_verdict_name(CB_V_DEPENDS), "depends");
  assert_string_equal(cb_verdict_name(CB_V_NOT_SHOWN), "not shown");
  assert_string_equal(cb_verdict_name(CB_V_UNTESTED), "not measured");
  assert_string_equal(cb_verdict_name(CB_V_MACHINE), "depends on the machine");
  assert_string_equal(cb_verdict_name((cb_verdict_t)(CB_V_MACHINE + 1)), "?");
  assert_string_equal(cb_verdict_name((cb_verdict_t)-1), "?");
}

/* The text of `md` from the line that starts with `start` up to the next
 * heading ("\n#"), or fail. */
static char *section(const char *md, const char *start)
{
  const char *p, *end;
  char *out;

  if (md == NULL)
    fail_msg("no report to find '%s' in", start);
  p = strstr(md, start);

  while (p != NULL && p != md && p[-1] != '\n')
    p = strstr(p + 1, start);
  if (p == NULL)
    fail_msg("no line starts with '%s' in:\n%s", start, md);
  end = strstr(p + strlen(start), "\n#"); /* the heading is not its own end */
  if (end == NULL)
    end = p + strlen(p);
  out = malloc((size_t)(end - p) + 1);
  assert_non_null(out);
  memcpy(out, p, (size_t)(end - p));
  out[end - p] = '\0';
  return out;
}

static void expect_section(const char *md, const char *start, const char *want)
{
  char *got = section(md, start);

  if (strcmp(got, want) != 0)
    fail_msg("section '%s':\n%s\nexpected:\n%s", start, got, want);
  free(got);
}

/* One report in which every verdict occurs, each rendered under its claim
 * with its label in bold, its evidence and (when measured) its chart. */
static void test_markdown_every_verdict(void **state)
{
  cbt_csv_t f;
  cb_buf_t md = { 0 };

  (void)state;
  cbt_csv_start(&f, rpt_header);
  /* holds: processes faster at both CPU cells */
  rpt_cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  rpt_cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
  /* depends: threads faster at io.sleep, slower at io.tcp */
  rpt_cell(&f, "io.sleep", "threads", "inproc", 2, 0, "ok", 150, 1, 5);
  rpt_cell(&f, "io.sleep", "processes", "pipe", 2, 0, "ok", 100, 1, 5);
  rpt_cell(&f, "io.tcp", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  rpt_cell(&f, "io.tcp", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
  /* not shown: 3 trials a side can never reach p < 0.05 */
  rpt_cell(&f, "io.sleep", "eventloop", "inproc", 64, 0, "ok", 300, 1, 3);
  rpt_cell(&f, "io.sleep", "threads", "inproc", 64, 0, "ok", 100, 1, 3);
  /* does not hold: processes start faster */
  rpt_cell(&f, "life.spawn", "threads", "inproc", 1, 0, "ok", 100, 1, 5);
  rpt_cell(&f, "life.spawn", "processes", "pipe", 1, 0, "ok", 200, 1, 5);
  /* a runner alone in its cell */
  rpt_cell(&f, "cpu.hash", "threads", "inproc", 8, 0, "ok", 100, 1, 5);
  /* and the rest: not measured */
  cbt_csv_parse(&f);
  assert_int_equal(cb_report_md(&f.cells, "ch", &md), 0);
  cb_buf_put(&md, "", 1);
  /* The table of verdicts: one row per finding, its verdict in bold. */
  cbt_expect_in(md.data, "\n| CPU-bound work: processes beat threads (in plain C). | **holds** | "
                "cpu.hash, c=2: processes 150 tasks/s vs threads 100 tasks/s (+50%) "
                "([chart](ch/scaling-cpu.hash.svg)) |\n", "the report");
  cbt_expect_in(md.data, "\n| I/O-bound work: threads beat processes (in plain C). | **depends** | "
                "as claimed: io.sleep, c=2: threads 150 tasks/s vs processes 100 tasks/s "
                "(+50%); against: io.tcp, c=2: threads 100 tasks/s vs processes 150 tasks/s "
                "(-33%) ([chart](ch/scaling-io.tcp.svg)) |\n", "the report");
  cbt_expect_in(md.data, "\n| An event loop handles many concurrent waits better than threads (in "
                "plain C). | **not shown** | io.sleep, c=64: eventloop 300 tasks/s vs threads "
                "100 tasks/s (+200%) (too few trials) ([chart](ch/scaling-io.sleep.svg)) |\n", "the report");
  cbt_expect_in(md.data, "\n| Threads are cheaper to start than processes. | **does not hold** | "
                "life.spawn, c=1: threads 100 tasks/s vs processes 200 tasks/s (-50%) "
                "([chart](ch/scaling-life.spawn.svg)) |\n", "the report");
  cbt_expect_in(md.data, "\n| CPU-bound work: processes beat threads (under a GIL). | "
                "**not measured** | — |\n", "the report");
  /* Each finding: its label in bold, the comparisons with their p-values
   * (5 against 5 samples apart: 2/252; Holm x2 over two), the totals, and a
   * chart when measured. */
  expect_section(md.data, "### 2. ",
                 "### 2. CPU-bound work: processes beat threads (in plain C). — **holds**\n\n"
                 "- cpu.hash, c=2: processes 150 tasks/s vs threads 100 tasks/s (+50%) "
                 "(p=0.0079, Holm 0.0079): as claimed\n\n"
                 "Over 1 comparisons (p-values adjusted by Holm within the claim): 1 as "
                 "claimed, 0 against, 0 without a significant difference.\n\n"
                 "Chart: [scaling-cpu.hash](ch/scaling-cpu.hash.svg)\n");
  expect_section(md.data, "### 5. ",
                 "### 5. I/O-bound work: threads beat processes (in plain C). — **depends**\n\n"
                 "- io.tcp, c=2: threads 100 tasks/s vs processes 150 tasks/s (-33%) "
                 "(p=0.0079, Holm 0.016): against the claim\n"
                 "- io.sleep, c=2: threads 150 tasks/s vs processes 100 tasks/s (+50%) "
                 "(p=0.0079, Holm 0.016): as claimed\n\n"
                 "Over 2 comparisons (p-values adjusted by Holm within the claim): 1 as "
                 "claimed, 1 against, 0 without a significant difference.\n\n"
                 "Chart: [scaling-io.tcp](ch/scaling-io.tcp.svg)\n");
  expect_section(md.data, "### 7. ",
                 "### 7. An event loop handles many concurrent waits better than threads (in "
                 "plain C). — **not shown**\n\n"
                 "- io.sleep, c=64: eventloop 300 tasks/s vs threads 100 tasks/s (+200%) "
                 "(p=0.1, Holm 0.1): too few trials to tell\n\n"
                 "Over 1 comparisons (p-values adjusted by Holm within the claim): 0 as "
                 "claimed, 0 against, 0 without a significant difference, 1 with too few "
                 "trials to tell (run with --reps 5 or more).\n\n"
                 "Chart: [scaling-io.sleep](ch/scaling-io.sleep.svg)\n");
  expect_section(md.data, "### 8. ",
                 "### 8. Threads are cheaper to start than processes. — **does not hold**\n\n"
                 "- life.spawn, c=1: threads 100 tasks/s vs processes 200 tasks/s (-50%) "
                 "(p=0.0079, Holm 0.0079): against the claim\n\n"
                 "Over 1 comparisons (p-values adjusted by Holm within the claim): 0 as "
                 "claimed, 1 against, 0 without a significant difference.\n\n"
                 "Chart: [scaling-life.spawn](ch/scaling-life.spawn.svg)\n");
  /* not measured: no chart to link */
  expect_section(md.data, "### 1. ",
                 "### 1. CPU-bound work: processes beat threads (under a GIL). — "
                 "**not measured**\n\n"
                 "These results hold no cell for it.\n");
  /* The winners tables: every verdict word of a cell. */
  cbt_expect_in(md.data, "\n| 2 | 10 | 0 | processes | threads | +50.0% | 0.0079 | significant |\n", "the report");
  cbt_expect_in(md.data, "\n| 64 | 10 | 0 | eventloop | threads | +200.0% | 0.1 | tie |\n", "the report");
  cbt_expect_in(md.data, "\n| 8 | 10 | 0 | threads | — | +0.0% | 1 | alone |\n", "the report");
  cb_buf_free(&md);
  cbt_csv_free(&f);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_markdown),
    cmocka_unit_test(test_verdict_names),
    cmocka_unit_test(test_stability_noisy_and_failed),
    cmocka_unit_test(test_markdown_every_verdict),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
