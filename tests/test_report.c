/* Tests of the winner logic (analysis/analysis.c) and the folklore verdicts
 * (analysis/report.c) on trial CSVs built here so that each outcome occurs: a
 * significant win, a tie, a claim that holds, one that does not, one that
 * depends, one that is undecided for lack of trials, one that is not
 * measured, and both outcomes of the crash claim; and every verdict's label
 * as the Markdown report renders it. */
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

static const char header[] =
    "host,workload,family,runner,transport,pin,concurrency,tasks,size,payload,status,"
    "throughput,wall_s,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,gil,switch_interval_us,"
    "dispatch,pus,failed,startup_s,max_concurrency,limit,mem_total_kb\n";

/* What a cell is, beyond its workload, runner, transport and concurrency. */
typedef struct more_s {
  const char *dispatch;
  int gil;
  unsigned long size, max_c;
  const char *limit;
  double failed, startup_s;
} more_t;

/* `n` trials of one cell: throughput around `tp` (a spread of +-1%, distinct
 * values so the exact test applies), memory around `kb`. */
static void cell_m(cbt_csv_t *f, const char *workload, const char *runner,
                   const char *transport, unsigned c, unsigned payload, const char *status,
                   double tp, double kb, unsigned n, const more_t *m)
{
  static const more_t plain = { .dispatch = "", .size = 10 };
  char fam[32];
  unsigned i;

  if (m == NULL)
    m = &plain;
  snprintf(fam, sizeof(fam), "%.*s", (int)strcspn(workload, "."), workload);
  for (i = 0; i < n; i++) {
    double jitter = 1 + 0.01 * ((double)i / (n > 1 ? n - 1 : 1) - 0.5);
    cb_buf_printf(&f->csv, "vm,%s,%s,%s,%s,compact,%u,100,%lu,%u,%s,%.6f,0.1,10,20,0.1,0,%.3f,"
                  "%d,%d,%s,2,%g,%g,%lu,%s,1000000\n",
                  workload, fam, runner, transport, c, m->size ? m->size : 10, payload, status,
                  tp * jitter, kb * jitter, m->gil, m->gil ? 5000 : 0,
                  m->dispatch ? m->dispatch : "", m->failed, m->startup_s, m->max_c,
                  m->limit ? m->limit : "");
  }
}

static void cell(cbt_csv_t *f, const char *workload, const char *runner, const char *transport,
                 unsigned c, unsigned payload, const char *status, double tp, double kb,
                 unsigned n)
{
  cell_m(f, workload, runner, transport, c, payload, status, tp, kb, n, NULL);
}

static void test_significant_win_and_tie(void **state)
{
  cbt_csv_t f;
  cb_contest_t *k;
  char name[64];
  size_t n;

  (void)state;
  cbt_csv_start(&f, header);
  /* c=2: threads twice as fast, 6 trials each: significant. */
  cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 200, 1000, 6);
  cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 100, 1000, 6);
  /* c=4: the same distribution on both sides: a tie. */
  cell(&f, "cpu.hash", "threads", "inproc", 4, 0, "ok", 100, 1000, 6);
  cell(&f, "cpu.hash", "processes", "pipe", 4, 0, "ok", 100.2, 1000, 6);
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
  cbt_csv_start(&f, header);
  cell(&f, "comm.payload", "serial", "inproc", 1, 64, "ok", 10, 1, 5);
  cell(&f, "comm.payload", "threads", "inproc", 1, 64, "ok", 20, 1, 5);
  cell(&f, "comm.payload", "processes", "shm", 1, 64, "ok", 30, 1, 5);
  cell(&f, "comm.payload", "processes", "pipe", 1, 64, "error", 0, 0, 5); /* never ok */
  cell(&f, "comm.payload", "threads", "inproc", 2, 64, "ok", 20, 1, 5);   /* alone */
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
  cbt_csv_start(&f, header);
  cell(&f, "comm.pingpong", "serial", "inproc", 1, 0, "ok", 668, 1, 5);
  cell(&f, "comm.pingpong", "threads", "inproc", 1, 0, "ok", 1, 1, 5);
  cell(&f, "comm.pingpong", "processes", "pipe", 1, 0, "ok", 2, 1, 5);
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
  cbt_csv_start(&f, header);
  cell(&f, "comm.pingpong", "serial", "inproc", 1, 0, "ok", 668, 1, 5);
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
  cbt_csv_start(&f, header);
  cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 90, 1, 5);
  cell_m(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 50, 1, 5, &gil);
  cell_m(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 95, 1, 5, &gil);
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
  cbt_csv_start(&f, header);
  cell(&f, "fault.crash", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  cell(&f, "fault.crash", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
  cell(&f, "fault.crash", "processes", "shm", 2, 0, "ok", 150.5, 1, 5);
  cell_m(&f, "fault.crash", "processes", "pipe", 2, 0, "ok", 149, 1, 5, &queue);
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

static void findings_of(cbt_csv_t *f, cb_finding_t **all, size_t *n)
{
  cbt_csv_parse(f);
  assert_int_equal(cb_findings(&f->cells, 0.05, all, n), 0);
}

static void test_verdict_holds_not_depends(void **state)
{
  const cb_finding_t *cpu, *io, *spawn;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n;

  (void)state;
  cbt_csv_start(&f, header);
  /* CPU: processes faster everywhere -> holds. */
  cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
  cell(&f, "cpu.fp", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  cell(&f, "cpu.fp", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
  /* I/O: threads faster in one cell, slower in another -> depends. */
  cell(&f, "io.sleep", "threads", "inproc", 2, 0, "ok", 150, 1, 5);
  cell(&f, "io.sleep", "processes", "pipe", 2, 0, "ok", 100, 1, 5);
  cell(&f, "io.tcp", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  cell(&f, "io.tcp", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
  /* Spawning: processes faster -> does not hold. */
  cell(&f, "life.spawn", "threads", "inproc", 1, 0, "ok", 100, 1, 5);
  cell(&f, "life.spawn", "processes", "pipe", 1, 0, "ok", 200, 1, 5);
  findings_of(&f, &all, &n);
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
  cbt_csv_start(&f, header);
  cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 6);
  cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 100.1, 1, 6);
  cell(&f, "cpu.fp", "threads", "inproc", 2, 0, "ok", 100, 1, 6);
  cell(&f, "cpu.fp", "processes", "pipe", 2, 0, "ok", 99.9, 1, 6);
  findings_of(&f, &all, &n);
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
  cbt_csv_start(&f, header);
  cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 4);
  cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 150, 1, 4);
  cell(&f, "cpu.fp", "threads", "inproc", 2, 0, "ok", 100, 1, 4);
  cell(&f, "cpu.fp", "processes", "pipe", 2, 0, "ok", 150, 1, 4);
  findings_of(&f, &all, &n);
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
  cbt_csv_start(&f, header);
  cell(&f, "life.idle", "threads", "inproc", 1, 0, "ok", 10, 1000, 5);
  cell(&f, "life.idle", "threads", "inproc", 64, 0, "ok", 10, 1630, 5);
  cell(&f, "life.idle", "processes", "pipe", 1, 0, "ok", 10, 1000, 5);
  cell(&f, "life.idle", "processes", "pipe", 64, 0, "ok", 10, 30240, 5);
  findings_of(&f, &all, &n);
  mem = cbt_finding(all, n, "Threads use less memory");
  assert_int_equal(mem->verdict, CB_V_HOLDS); /* less memory wins although throughput ties */
  assert_int_equal(mem->wins, 1);
  assert_non_null(strstr(mem->evidence, "threads 10.0 KiB per worker vs processes 464.1 KiB"));
  free(all);
  cbt_csv_free(&f);
  /* The other way round: against the claim. */
  cbt_csv_start(&f, header);
  cell(&f, "life.idle", "threads", "inproc", 1, 0, "ok", 10, 1000, 5);
  cell(&f, "life.idle", "threads", "inproc", 64, 0, "ok", 10, 30240, 5);
  cell(&f, "life.idle", "processes", "pipe", 1, 0, "ok", 10, 1000, 5);
  cell(&f, "life.idle", "processes", "pipe", 64, 0, "ok", 10, 1630, 5);
  findings_of(&f, &all, &n);
  mem = cbt_finding(all, n, "Threads use less memory");
  assert_int_equal(mem->verdict, CB_V_NOT);
  assert_int_equal(mem->losses, 1);
  free(all);
  cbt_csv_free(&f);
  /* Totals that differ at one concurrency say nothing per worker. */
  cbt_csv_start(&f, header);
  cell(&f, "life.idle", "threads", "inproc", 64, 0, "ok", 10, 1000, 5);
  cell(&f, "life.idle", "processes", "pipe", 64, 0, "ok", 10, 30000, 5);
  findings_of(&f, &all, &n);
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
  cbt_csv_start(&f, header);
  /* 3 trials a side: the exact test's smallest p is 0.1. */
  cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 3);
  cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 300, 1, 3);
  findings_of(&f, &all, &n);
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

static void test_event_loop_claim_needs_many_waits(void **state)
{
  const cb_finding_t *loop;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n;

  (void)state;
  cbt_csv_start(&f, header);
  /* At c=16 threads win, but the claim is about many waits (c >= 64). */
  cell(&f, "io.sleep", "threads", "inproc", 16, 0, "ok", 200, 1, 5);
  cell(&f, "io.sleep", "eventloop", "inproc", 16, 0, "ok", 100, 1, 5);
  cell(&f, "io.sleep", "threads", "inproc", 1000, 0, "ok", 100, 1, 5);
  cell(&f, "io.sleep", "eventloop", "inproc", 1000, 0, "ok", 300, 1, 5);
  findings_of(&f, &all, &n);
  loop = cbt_finding(all, n, "An event loop handles many concurrent waits better than threads (in "
                          "plain C)");
  assert_int_equal(loop->verdict, CB_V_HOLDS);
  assert_int_equal(loop->wins + loop->losses + loop->ties, 1);
  free(all);
  cbt_csv_free(&f);
}

static void test_crash_claim(void **state)
{
  const cb_finding_t *crash;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n;

  (void)state;
  cbt_csv_start(&f, header);
  cell(&f, "fault.crash", "threads", "inproc", 2, 0, "crashed", 0, 0, 3);
  cell(&f, "fault.crash", "eventloop", "inproc", 2, 0, "crashed", 0, 0, 3);
  cell(&f, "fault.crash", "processes", "pipe", 2, 0, "ok", 100, 1, 3);
  findings_of(&f, &all, &n);
  crash = cbt_finding(all, n, "A crash takes down");
  assert_int_equal(crash->verdict, CB_V_HOLDS);
  assert_int_equal(crash->wins, 3);
  free(all);
  cbt_csv_free(&f);

  /* It judges the models it names: a hybrid's pool that survives (issue
   * 15's claim of its own) is neither for nor against it. */
  cbt_csv_start(&f, header);
  cell(&f, "fault.crash", "threads", "inproc", 2, 0, "crashed", 0, 0, 3);
  cell(&f, "fault.crash", "processes", "pipe", 2, 0, "ok", 100, 1, 3);
  cell(&f, "fault.crash", "procs-threads", "pipe", 2, 0, "ok", 100, 1, 3);
  findings_of(&f, &all, &n);
  crash = cbt_finding(all, n, "A crash takes down a thread pool");
  assert_int_equal(crash->verdict, CB_V_HOLDS);
  assert_int_equal(crash->wins, 2);
  assert_int_equal(crash->losses, 0);
  free(all);
  cbt_csv_free(&f);

  /* A thread pool that survived would refute it. */
  cbt_csv_start(&f, header);
  cell(&f, "fault.crash", "threads", "inproc", 2, 0, "ok", 100, 1, 3);
  cell(&f, "fault.crash", "processes", "pipe", 2, 0, "ok", 100, 1, 3);
  findings_of(&f, &all, &n);
  crash = cbt_finding(all, n, "A crash takes down");
  assert_int_equal(crash->verdict, CB_V_DEPENDS);
  assert_int_equal(crash->losses, 1);
  free(all);
  cbt_csv_free(&f);
}

/* "asyncio handles all the use cases": one loop in one thread against each
 * other model at c >= 64, within 10%. At 95 against 100 it keeps up (a
 * plain duel would call it slower); at 85 it does not; and on CPU work the
 * claim of its own is judged at c = PUs. */
static void test_single_loop_keeps_up(void **state)
{
  static const char *const others[] = { "eventloop", "procs-loops", "threads", "processes" };
  static const char *const transports[] = { "inproc", "inproc", "inproc", "pipe" };
  const cb_finding_t *waits, *cpu;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n, i;
  int round;

  (void)state;
  for (round = 0; round < 2; round++) {
    cbt_csv_start(&f, header);
    cell(&f, "io.sleep", "loop1", "inproc", 1000, 0, "ok", round == 0 ? 95 : 85, 1, 6);
    /* below c = 64 the claim says nothing: a loss there counts for nothing */
    cell(&f, "io.sleep", "loop1", "inproc", 16, 0, "ok", 10, 1, 6);
    for (i = 0; i < CB_ARRAY_SIZE(others); i++) {
      cell(&f, "io.sleep", others[i], transports[i], 1000, 0, "ok", 100, 1, 6);
      cell(&f, "io.sleep", others[i], transports[i], 16, 0, "ok", 100, 1, 6);
    }
    cell(&f, "cpu.hash", "loop1", "inproc", 2, 0, "ok", 100, 1, 6);
    cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", round == 0 ? 200 : 105, 1, 6);
    cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", round == 0 ? 195 : 104, 1, 6);
    findings_of(&f, &all, &n);
    waits = cbt_finding(all, n, "asyncio handles all the use cases (many waits)");
    cpu = cbt_finding(all, n, "asyncio handles all the use cases (CPU work)");
    assert_int_equal(waits->wins + waits->losses + waits->ties, 4);
    assert_string_equal(waits->chart, "scaling-io.sleep");
    if (round == 0) {
      assert_int_equal(waits->verdict, CB_V_HOLDS);
      assert_int_equal(waits->wins, 4);
      assert_non_null(strstr(waits->evidence, "io.sleep, c=1000: loop1 95 tasks/s vs "
                                              "procs-loops 100 tasks/s (-5%)"));
      assert_int_equal(cpu->verdict, CB_V_NOT); /* 100 against 200 and 195 */
      assert_int_equal(cpu->losses, 2);
    } else {
      assert_int_equal(waits->verdict, CB_V_NOT);
      assert_int_equal(waits->losses, 4);
      assert_int_equal(cpu->verdict, CB_V_HOLDS); /* 100 within 10% of 105 and 104 */
      assert_int_equal(cpu->wins, 2);
    }
    free(all);
    cbt_csv_free(&f);
  }
}

/* A crash's cost: 400 tasks, one in 100 crashes (4 crashes a trial). The
 * thread pool loses its trial; the process pool 1 task a crash (T = 1);
 * processes of threads 3 of their T = 8 and processes of loops 1: as
 * claimed. A hybrid that lost 10 a crash (above its T), or whose trial
 * died, goes against it. */
static void test_crash_blast_radius(void **state)
{
  static const char head[] =
      "host,workload,family,runner,transport,pin,concurrency,tasks,size,payload,status,"
      "throughput,wall_s,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,failed,procs,per_proc\n";
  static const struct {
    const char *runner, *status;
    unsigned procs, per_proc;
    double tp, failed;
  } rows[2][4] = {
    { { "threads", "crashed", 1, 16, 0, 0 }, { "processes", "ok", 16, 1, 1000, 4 },
      { "procs-threads", "ok", 2, 8, 2000, 12 }, { "procs-loops", "ok", 2, 8, 1500, 4 } },
    { { "threads", "crashed", 1, 16, 0, 0 }, { "processes", "ok", 16, 1, 1000, 4 },
      { "procs-threads", "ok", 2, 8, 2000, 40 }, { "procs-loops", "crashed", 2, 8, 0, 0 } },
  };
  const cb_finding_t *b;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n, r, i, t;

  (void)state;
  for (r = 0; r < 2; r++) {
    memset(&f, 0, sizeof(f));
    cb_buf_printf(&f.csv, "%s", head);
    for (i = 0; i < 4; i++) {
      for (t = 0; t < 3; t++)
        cb_buf_printf(&f.csv, "vm,fault.crash,fault,%s,inproc,compact,16,400,100,0,%s,%g,0.1,1,"
                      "1,0.1,0,1,%g,%u,%u\n", rows[r][i].runner, rows[r][i].status,
                      rows[r][i].tp + (double)t, rows[r][i].failed, rows[r][i].procs,
                      rows[r][i].per_proc);
    }
    findings_of(&f, &all, &n);
    b = cbt_finding(all, n, "A crash takes down only its own process");
    if (r == 0) {
      assert_int_equal(b->verdict, CB_V_HOLDS);
      assert_int_equal(b->wins, 4);
      assert_non_null(strstr(b->evidence, "fault.crash, procs-threads, c=16 (P=2 × T=8): 3 of 3 "
                                          "trials completed, 3 tasks lost per crash (at most 8 "
                                          "claimed), 2k tasks/s: as claimed"));
      assert_non_null(strstr(b->evidence, "fault.crash, threads, c=16 (P=1 × T=16): 3 of 3 "
                                          "trials crashed, the whole trial lost: as claimed"));
      assert_string_equal(b->headline,
                          "At c=16: threads lost the whole trial; processes lost 1 task a crash "
                          "(P=16 × T=1) at 1k tasks/s; procs-threads lost 3 tasks a crash (P=2 × "
                          "T=8) at 2k tasks/s; procs-loops lost 1 task a crash (P=2 × T=8) at "
                          "1.5k tasks/s.");
    } else {
      assert_int_equal(b->verdict, CB_V_DEPENDS);
      assert_int_equal(b->wins, 2);
      assert_int_equal(b->losses, 2);
      assert_non_null(strstr(b->evidence, "10 tasks lost per crash (at most 8 claimed), 2k "
                                          "tasks/s: against the claim"));
    }
    free(all);
    cbt_csv_free(&f);
  }
}

/* Memory per task in flight of the hybrids against the process pool's, by
 * the slopes, both ways. */
static void test_hybrid_memory(void **state)
{
  static const char *const hybrids[] = { "procs-threads", "procs-loops" };
  static const char *const transports[] = { "pipe", "inproc" }; /* their defaults */
  static const char *const claims[] = { "Processes of threads use less memory",
                                        "Processes of event loops use less memory" };
  const cb_finding_t *mem;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n, h;
  int round;

  (void)state;
  for (round = 0; round < 2; round++) {
    cbt_csv_start(&f, header);
    for (h = 0; h < CB_ARRAY_SIZE(hybrids); h++) {
      cell(&f, "life.idle", hybrids[h], transports[h], 1, 0, "ok", 10, 1000, 5);
      cell(&f, "life.idle", hybrids[h], transports[h], 64, 0, "ok", 10,
           round == 0 ? 1630 : 30240, 5);
    }
    cell(&f, "life.idle", "processes", "pipe", 1, 0, "ok", 10, 1000, 5);
    cell(&f, "life.idle", "processes", "pipe", 64, 0, "ok", 10, round == 0 ? 30240 : 1630, 5);
    findings_of(&f, &all, &n);
    for (h = 0; h < CB_ARRAY_SIZE(hybrids); h++) {
      mem = cbt_finding(all, n, claims[h]);
      assert_int_equal(mem->verdict, round == 0 ? CB_V_HOLDS : CB_V_NOT);
      assert_int_equal(round == 0 ? mem->wins : mem->losses, 1);
      if (round == 0)
        assert_non_null(strstr(mem->evidence, "10.0 KiB per worker vs processes 464.1 KiB"));
    }
    free(all);
    cbt_csv_free(&f);
  }
}

/* Under the GIL, c = 1 against c = 2 (PUs): threads must not speed up
 * (below x1.5), processes of threads must. */
static void test_hybrid_gil(void **state)
{
  static const more_t gil = { .dispatch = "", .gil = 1, .size = 10 };
  const cb_finding_t *g;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n;
  int round;

  (void)state;
  for (round = 0; round < 2; round++) {
    cbt_csv_start(&f, header);
    cell_m(&f, "cpu.hash", "threads", "inproc", 1, 0, "ok", 100, 1, 5, &gil);
    cell_m(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", round == 0 ? 101 : 195, 1, 5, &gil);
    cell_m(&f, "cpu.hash", "procs-threads", "pipe", 1, 0, "ok", 100, 1, 5, &gil);
    cell_m(&f, "cpu.hash", "procs-threads", "pipe", 2, 0, "ok", round == 0 ? 195 : 101, 1, 5,
           &gil);
    /* without the GIL the claim says nothing */
    cell(&f, "cpu.hash", "threads", "inproc", 1, 0, "ok", 100, 1, 5);
    cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 195, 1, 5);
    findings_of(&f, &all, &n);
    g = cbt_finding(all, n, "Under a GIL, processes of threads");
    assert_int_equal(g->verdict, round == 0 ? CB_V_HOLDS : CB_V_NOT);
    assert_int_equal(round == 0 ? g->wins : g->losses, 2);
    if (round == 0)
      assert_non_null(strstr(g->evidence, "cpu.hash, procs-threads+gil: 100 tasks/s at c=1, 195 "
                                          "at c=2 (x1.95; claimed: a speedup above x1.5)"));
    free(all);
    cbt_csv_free(&f);
  }
}

/* A fixture with a known crossover: processes reach 0.5, 0.8, 0.99 and 1.0
 * of threads at 0.2, 2, 20 and 200 us per task, so they come within 5%
 * between 2 and 20 us; the median ratio meets 0.95 at 2 us x 10^(0.15/0.19)
 * = 12.3 us. The queue variant (0.3, 0.5, 0.9, 0.97) between 20 and 200 us. */
static void test_granularity_crossover(void **state)
{
  static const unsigned long sizes[] = { 200, 2000, 20000, 200000 };
  static const double shared[] = { 0.5, 0.8, 0.99, 1.0 }, queue[] = { 0.3, 0.5, 0.9, 0.97 };
  const cb_finding_t *g;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n, i;

  (void)state;
  cbt_csv_start(&f, header);
  for (i = 0; i < CB_ARRAY_SIZE(sizes); i++) {
    more_t m = { .dispatch = "", .size = sizes[i] }, q = m;
    double serial = 1e9 / (double)sizes[i]; /* a task of `size` ns */

    q.dispatch = "queue";
    cell_m(&f, "cpu.hash", "serial", "inproc", 1, 0, "ok", serial, 1, 6, &m);
    cell_m(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 2 * serial, 1, 6, &m);
    cell_m(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 2 * serial * shared[i], 1, 6, &m);
    cell_m(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 2 * serial * queue[i], 1, 6, &q);
  }
  findings_of(&f, &all, &n);
  g = cbt_finding(all, n, "Processes cost no more than threads for CPU work");
  assert_int_equal(g->verdict, CB_V_DEPENDS);
  assert_int_equal(g->wins, 3);
  assert_int_equal(g->losses, 5);
  assert_non_null(strstr(g->evidence, "processes comes within 5% of threads from about 12.3 µs "
                                      "per task (between 2 µs, x0.80, and 20 µs, x0.99)"));
  assert_non_null(strstr(g->evidence, "processes/queue comes within 5% of threads from about "
                                      "104 µs per task (between 20 µs, x0.90, and 200 µs, "
                                      "x0.97).\n"));
  free(all);
  cbt_csv_free(&f);
}

/* Mixed work with a known crossover: at c=64 the event loop is ahead by
 * 30%, 20% and 10% at 1, 2 and 5% CPU, level at 10% and behind by 40% from
 * 25% on, so the winner changes between 5% and 25%, and the median ratio
 * meets 1 at 5 + 5 x 0.1 / 0.1 = 10%; at c=2 threads are ahead at every
 * share. Only the plain-C claim of mix.sleep has cells. */
static void test_mixed_crossover(void **state)
{
  static const unsigned long shares[] = { 1, 2, 5, 10, 25, 100 };
  static const double at64[] = { 1.3, 1.2, 1.1, 1.0, 0.6, 0.6 };
  const cb_finding_t *g;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n, i;

  (void)state;
  cbt_csv_start(&f, header);
  for (i = 0; i < CB_ARRAY_SIZE(shares); i++) {
    more_t m = { .dispatch = "", .size = shares[i] };
    double threads = 100000.0 / (double)shares[i];

    cell_m(&f, "mix.sleep", "threads", "inproc", 64, 0, "ok", threads, 1, 6, &m);
    cell_m(&f, "mix.sleep", "eventloop", "inproc", 64, 0, "ok", threads * at64[i], 1, 6, &m);
    cell_m(&f, "mix.sleep", "threads", "inproc", 2, 0, "ok", threads / 10, 1, 6, &m);
    cell_m(&f, "mix.sleep", "eventloop", "inproc", 2, 0, "ok", threads / 10 * 0.9, 1, 6, &m);
  }
  findings_of(&f, &all, &n);
  g = cbt_finding(all, n, "Mixed work (mix.sleep): an event loop beats threads while requests mostly "
                      "wait (in plain C)");
  assert_int_equal(g->verdict, CB_V_DEPENDS);
  assert_int_equal(g->wins, 3);
  assert_int_equal(g->losses, 8);
  assert_int_equal(g->ties, 1);
  assert_string_equal(g->chart, "share-mix.sleep-c64");
  assert_non_null(strstr(g->evidence, "mix.sleep, c=64: eventloop ahead at 1-5%, tied at 10%, "
                                      "threads ahead at 25-100% CPU: the winner changes between "
                                      "5% and 25% (the medians meet at about 10%). mix.sleep, "
                                      "c=2: threads ahead at 1-100% CPU: no change of winner.\n"));
  assert_string_equal(g->headline,
                      "mix.sleep, c=64: eventloop ahead at 1-5%, tied at 10%, threads ahead at "
                      "25-100% CPU: the winner changes between 5% and 25% (the medians meet at "
                      "about 10%). mix.sleep, c=2: threads ahead at 1-100% CPU: no change of "
                      "winner.");
  g = cbt_finding(all, n, "Mixed work (mix.sleep): an event loop beats threads while requests mostly "
                      "wait (under a GIL)");
  assert_int_equal(g->verdict, CB_V_UNTESTED);
  /* the other pair has no processes, the other workload no cells: not measured either */
  g = cbt_finding(all, n, "Mixed work (mix.sleep): threads beat processes while requests mostly wait "
                      "(in plain C)");
  assert_int_equal(g->verdict, CB_V_UNTESTED);
  g = cbt_finding(all, n, "Mixed work (mix.tcp): an event loop beats threads while requests mostly "
                      "wait (in plain C)");
  assert_int_equal(g->verdict, CB_V_UNTESTED);
  free(all);
  cbt_csv_free(&f);
}

/* A returned error stays with its task everywhere; a crash only in a
 * process pool: the claim depends, and says on what. */
static void test_errors_and_crashes(void **state)
{
  static const more_t err = { .dispatch = "", .size = 5, .failed = 4 };
  const cb_finding_t *e;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n;

  (void)state;
  cbt_csv_start(&f, header);
  cell_m(&f, "fault.error", "serial", "inproc", 1, 0, "ok", 100, 1, 3, &err);
  cell_m(&f, "fault.error", "threads", "inproc", 2, 0, "ok", 100, 1, 3, &err);
  cell_m(&f, "fault.error", "processes", "pipe", 2, 0, "ok", 100, 1, 3, &err);
  cell(&f, "fault.crash", "threads", "inproc", 2, 0, "crashed", 0, 0, 3);
  cell(&f, "fault.crash", "processes", "pipe", 2, 0, "ok", 100, 1, 3);
  findings_of(&f, &all, &n);
  e = cbt_finding(all, n, "An error takes down only the worker");
  assert_int_equal(e->verdict, CB_V_DEPENDS);
  assert_int_equal(e->wins, 3);
  assert_int_equal(e->losses, 1);
  assert_non_null(strstr(e->evidence, "fault.error, threads, c=2: 3 of 3 trials completed, a "
                                      "median 4 of 100 tasks failed: as claimed"));
  assert_non_null(strstr(e->evidence, "fault.error: only the failing task under threads, "
                                      "processes; the whole trial under no model."));
  assert_non_null(strstr(e->evidence, "fault.crash: only the failing task under processes; "
                                      "the whole trial under threads."));
  free(all);
  cbt_csv_free(&f);
}

/* How many workers: threads stop at kernel.pid_max (32704), processes at
 * memory: 1,000,000 KiB / 464 KiB a worker = 2155, below their 9968 fds. */
static void test_how_many_workers(void **state)
{
  static const more_t thr = { .dispatch = "", .size = 10, .max_c = 32704,
                              .limit = "kernel.pid_max", .startup_s = 0.01 };
  static const more_t pro = { .dispatch = "", .size = 10, .max_c = 9968,
                              .limit = "RLIMIT_NOFILE (ulimit -n)", .startup_s = 0.02 };
  const cb_finding_t *r;
  cb_finding_t *all;
  cbt_csv_t f;
  size_t n;

  (void)state;
  cbt_csv_start(&f, header);
  cell_m(&f, "life.idle", "threads", "inproc", 1, 0, "ok", 10, 1000, 5, &thr);
  cell_m(&f, "life.idle", "threads", "inproc", 64, 0, "ok", 10, 1630, 5, &thr);
  cell_m(&f, "life.idle", "processes", "pipe", 1, 0, "ok", 10, 1000, 5, &pro);
  cell_m(&f, "life.idle", "processes", "pipe", 64, 0, "ok", 10, 30240, 5, &pro);
  findings_of(&f, &all, &n);
  r = cbt_finding(all, n, "Threads let you run more workers");
  assert_int_equal(r->verdict, CB_V_HOLDS);
  assert_int_equal(r->wins, 1);
  assert_non_null(strstr(r->evidence, "- threads: about 32.7k workers, bound by kernel.pid_max "
                                      "(10.0 KiB each; 64 started in 10 ms)"));
  assert_non_null(strstr(r->evidence, "- processes: about 2.15k workers, bound by the machine's "
                                      "memory (464.1 KiB each; 64 started in 20 ms)"));
  free(all);
  cbt_csv_free(&f);
}

static void test_markdown(void **state)
{
  cbt_csv_t f;
  cb_buf_t md = { 0 };

  (void)state;
  cbt_csv_start(&f, header);
  cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
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
  cbt_csv_start(&f, header);
  /* holds: processes faster at both CPU cells */
  cell(&f, "cpu.hash", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  cell(&f, "cpu.hash", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
  /* depends: threads faster at io.sleep, slower at io.tcp */
  cell(&f, "io.sleep", "threads", "inproc", 2, 0, "ok", 150, 1, 5);
  cell(&f, "io.sleep", "processes", "pipe", 2, 0, "ok", 100, 1, 5);
  cell(&f, "io.tcp", "threads", "inproc", 2, 0, "ok", 100, 1, 5);
  cell(&f, "io.tcp", "processes", "pipe", 2, 0, "ok", 150, 1, 5);
  /* not shown: 3 trials a side can never reach p < 0.05 */
  cell(&f, "io.sleep", "eventloop", "inproc", 64, 0, "ok", 300, 1, 3);
  cell(&f, "io.sleep", "threads", "inproc", 64, 0, "ok", 100, 1, 3);
  /* does not hold: processes start faster */
  cell(&f, "life.spawn", "threads", "inproc", 1, 0, "ok", 100, 1, 5);
  cell(&f, "life.spawn", "processes", "pipe", 1, 0, "ok", 200, 1, 5);
  /* a runner alone in its cell */
  cell(&f, "cpu.hash", "threads", "inproc", 8, 0, "ok", 100, 1, 5);
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
    cmocka_unit_test(test_significant_win_and_tie),
    cmocka_unit_test(test_contestants_and_lonely_cells),
    cmocka_unit_test(test_serial_never_wins),
    cmocka_unit_test(test_gil_cells_contest_apart),
    cmocka_unit_test(test_variants_fold_into_their_model),
    cmocka_unit_test(test_short_handed_cells_do_not_compete),
    cmocka_unit_test(test_verdict_holds_not_depends),
    cmocka_unit_test(test_all_ties_not_shown),
    cmocka_unit_test(test_holm_within_the_claim),
    cmocka_unit_test(test_memory_lower_is_better),
    cmocka_unit_test(test_undecided_and_untested),
    cmocka_unit_test(test_event_loop_claim_needs_many_waits),
    cmocka_unit_test(test_crash_claim),
    cmocka_unit_test(test_single_loop_keeps_up),
    cmocka_unit_test(test_crash_blast_radius),
    cmocka_unit_test(test_hybrid_memory),
    cmocka_unit_test(test_hybrid_gil),
    cmocka_unit_test(test_granularity_crossover),
    cmocka_unit_test(test_mixed_crossover),
    cmocka_unit_test(test_errors_and_crashes),
    cmocka_unit_test(test_how_many_workers),
    cmocka_unit_test(test_markdown),
    cmocka_unit_test(test_verdict_names),
    cmocka_unit_test(test_markdown_every_verdict),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
