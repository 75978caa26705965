/* Tests of what GIL mode (`run --gil`) leaves behind it: the CSV columns, the
 * cell key (old CSVs without the columns read as gil=0), the "+gil"
 * contestants, the report's finding (analysis/report.c) and the command line.
 * The binary (path in $CONCBENCH) is run with fork+execv, never through a
 * shell. GIL mode in trials: test_gil.c. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis.h"
#include "gil.h"
#include "report.h"
#include "summary.h"
#include "trial.h"
#include "common.h"

static void test_cell_key_and_contestant(void **state)
{
  static const char old_csv[] =
      "host,workload,runner,transport,pin,concurrency,tasks,size,payload,status,throughput,"
      "wall_s,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb\n"
      "h,cpu.hash,threads,inproc,none,2,10,5,0,ok,100,0.1,1,2,0.1,0,10\n"
      "h,cpu.hash,threads,inproc,none,2,10,5,0,ok,101,0.1,1,2,0.1,0,10\n";
  static const char new_csv[] =
      "host,workload,runner,transport,pin,concurrency,tasks,size,payload,status,throughput,"
      "wall_s,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,gil,switch_interval_us\n"
      "h,cpu.hash,threads,inproc,none,2,10,5,0,ok,100,0.1,1,2,0.1,0,10,0,0\n"
      "h,cpu.hash,threads,inproc,none,2,10,5,0,ok,50,0.1,1,2,0.1,0,10,1,5000\n"
      "h,cpu.hash,processes,shm,none,2,10,5,0,ok,190,0.1,1,2,0.1,0,10,1,5000\n"
      "h,cpu.hash,threads,inproc,none,2,10,5,0,ok,51,0.1,1,2,0.1,0,10,1,1000\n"
      "h,cpu.hash,threads,inproc,none,2,10,5,0,ok,101,0.1,1,2,0.1,0,10,0,0\n";
  cb_table_t t;
  cb_cells_t cells;
  cb_buf_t b = { 0 };
  char name[64];

  (void)state;
  snprintf(cbt_where, sizeof(cbt_where), "cell keys");
  /* A CSV from before GIL mode: one cell, gil and interval read as 0. */
  cbt_cells_parse(old_csv, strlen(old_csv), &t, &cells);
  CBT_CHECK_EQ(cells.n, 1);
  assert_string_equal(cb_cell_key(&cells, 0, "gil"), "0");
  assert_string_equal(cb_cell_key(&cells, 0, "switch_interval_us"), "0");
  assert_string_equal(cb_cell_key(&cells, 0, "no_such_column"), "");
  cb_contestant(&cells, 0, name, sizeof(name));
  assert_string_equal(name, "threads");
  cb_cells_csv(&cells, &b);
  assert_false(b.failed);
  CBT_CHECK(strstr(b.data, "payload,gil,switch_interval_us,dispatch,procs,family") != NULL);
  CBT_CHECK(strstr(b.data, "h,cpu.hash,threads,inproc,none,2,10,5,0,0,0,,,") != NULL);
  cb_buf_free(&b);
  cb_cells_free(&cells);
  cb_table_free(&t);
  /* With the columns: GIL and non-GIL runs (and two intervals) are cells of
   * their own, and contestants of their own. */
  cbt_cells_parse(new_csv, strlen(new_csv), &t, &cells);
  CBT_CHECK_EQ(cells.n, 4);
  CBT_CHECK_EQ(cells.cell[0].nrows, 2);
  cb_contestant(&cells, 0, name, sizeof(name));
  assert_string_equal(name, "threads");
  cb_contestant(&cells, 1, name, sizeof(name));
  assert_string_equal(name, "threads+gil");
  cb_contestant(&cells, 2, name, sizeof(name));
  assert_string_equal(name, "processes/shm+gil");
  assert_string_equal(cb_cell_key(&cells, 3, "switch_interval_us"), "1000");
  cb_cells_free(&cells);
  cb_table_free(&t);
}

static const char finding_header[] =
    "host,workload,family,runner,transport,pin,concurrency,tasks,size,payload,status,"
    "throughput,wall_s,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,gil,switch_interval_us\n";

/* n trials of one cell around throughput tp (distinct values). */
static void add_cell(cb_buf_t *b, const char *wl, const char *runner, const char *transport,
                     unsigned c, int gil, double tp, unsigned n)
{
  unsigned i;

  for (i = 0; i < n; i++)
    cb_buf_printf(b, "vm,%s,%.*s,%s,%s,compact,%u,100,10,0,ok,%.6f,0.1,1,2,0.1,0,10,%d,%d\n",
                  wl, (int)strcspn(wl, "."), wl, runner, transport, c,
                  tp * (1 + 0.01 * ((double)i / (n - 1) - 0.5)), gil, gil ? 5000 : 0);
}

static const cb_finding_t *gil_finding(cb_buf_t *b, cb_table_t *t, cb_cells_t *cells,
                                       cb_finding_t **all)
{
  size_t n;

  cbt_cells_parse(b->data, b->len, t, cells);
  assert_int_equal(cb_findings(cells, 0.05, all, &n), 0);
  return cbt_finding(*all, n, "Under a GIL");
}

static void test_gil_finding(void **state)
{
  const cb_finding_t *f;
  cb_finding_t *all;
  cb_table_t t;
  cb_cells_t cells;
  cb_buf_t b = { 0 };

  (void)state;
  cb_buf_printf(&b, "%s", finding_header);
  add_cell(&b, "cpu.hash", "threads", "inproc", 1, 1, 100, 5);
  add_cell(&b, "cpu.hash", "threads", "inproc", 2, 1, 98, 5);     /* no speedup */
  add_cell(&b, "io.sleep", "threads", "inproc", 1, 1, 100, 5);
  add_cell(&b, "io.sleep", "threads", "inproc", 2, 1, 196, 5);    /* waits overlap */
  add_cell(&b, "cpu.hash", "processes", "pipe", 1, 1, 100, 5);
  add_cell(&b, "cpu.hash", "processes", "pipe", 2, 1, 190, 5);    /* scales */
  add_cell(&b, "io.sleep", "processes", "pipe", 1, 1, 100, 5);
  add_cell(&b, "io.sleep", "processes", "pipe", 2, 1, 195, 5);
  add_cell(&b, "cpu.hash", "threads", "inproc", 1, 0, 100, 5);    /* no GIL: not in it */
  add_cell(&b, "cpu.hash", "threads", "inproc", 2, 0, 190, 5);
  f = gil_finding(&b, &t, &cells, &all);
  assert_int_equal(f->verdict, CB_V_HOLDS);
  assert_int_equal(f->wins, 4);
  CBT_CHECK(strstr(f->evidence, "cpu.hash, threads+gil") != NULL);
  CBT_CHECK(strstr(f->evidence, "x0.98") != NULL);
  free(all);
  cb_cells_free(&cells);
  cb_table_free(&t);
  cb_buf_free(&b);

  /* Threads that do scale under a GIL: the claim depends. */
  cb_buf_printf(&b, "%s", finding_header);
  add_cell(&b, "cpu.hash", "threads", "inproc", 1, 1, 100, 5);
  add_cell(&b, "cpu.hash", "threads", "inproc", 2, 1, 180, 5);
  add_cell(&b, "io.sleep", "threads", "inproc", 1, 1, 100, 5);
  add_cell(&b, "io.sleep", "threads", "inproc", 2, 1, 196, 5);
  f = gil_finding(&b, &t, &cells, &all);
  assert_int_equal(f->verdict, CB_V_DEPENDS);
  assert_int_equal(f->losses, 1);
  free(all);
  cb_cells_free(&cells);
  cb_table_free(&t);
  cb_buf_free(&b);

  /* No GIL cell at all: not measured. */
  cb_buf_printf(&b, "%s", finding_header);
  add_cell(&b, "cpu.hash", "threads", "inproc", 1, 0, 100, 5);
  add_cell(&b, "cpu.hash", "threads", "inproc", 2, 0, 190, 5);
  f = gil_finding(&b, &t, &cells, &all);
  assert_int_equal(f->verdict, CB_V_UNTESTED);
  free(all);
  cb_cells_free(&cells);
  cb_table_free(&t);
  cb_buf_free(&b);
}

static void test_cli(void **state)
{
  static cbt_result_t r;
  static char csv[65536];
  char dir[] = "/tmp/cb-test-gil-XXXXXX", out[128], path[160];
  cb_table_t t;
  cb_cells_t cells;

  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(out, sizeof(out), "%s/gil.csv", dir);
  cbt_rerun(NULL, (const char *const[]){ "run", "-w", "noop", "--gil=sideways", "-o", out, NULL }, &r);
  CBT_CHECK_EQ(r.code, 2);
  CBT_CHECK(strstr(r.err, "'sideways'") != NULL);
  cbt_rerun(NULL, (const char *const[]){ "run", "-w", "noop", "--gil", "--switch-interval", "0", "-o",
                                         out, NULL }, &r);
  CBT_CHECK_EQ(r.code, 2);
  CBT_CHECK(strstr(r.err, "--switch-interval '0'") != NULL);
  cbt_rerun(NULL, (const char *const[]){ "run", "-w", "noop", "--switch-interval", "100", "-o", out,
                                         NULL }, &r);
  CBT_CHECK_EQ(r.code, 2);
  CBT_CHECK(strstr(r.err, "--gil") != NULL);
  cbt_rerun(NULL, (const char *const[]){ "run", "-w", "cpu.hash", "-r", "threads", "-c", "2",
                                         "--gil=both", "--dry-run", NULL }, &r);
  CBT_CHECK_EQ(r.code, 0);
  CBT_CHECK(strstr(r.out, "threads+gil") != NULL);
  CBT_CHECK(strstr(r.out, "2 cells") != NULL);
  /* A real run: both modes, the columns, the contestants in the summary. */
  cbt_rerun(NULL, (const char *const[]){ "run", "-w", "cpu.hash", "-r", "threads,processes", "-c", "2",
                                         "--gil=both", "--switch-interval", "2000", "-t", "20", "-s",
                                         "20000", "--reps", "1", "--warmup", "0", "-q", "-o", out, NULL }, &r);
  if (r.code != 0)
    print_error("stderr: %s\n", r.err);
  CBT_CHECK_EQ(r.code, 0);
  CBT_CHECK(strstr(r.out, "threads+gil") != NULL);
  cbt_read_path(out, csv, sizeof(csv));
  CBT_CHECK(strstr(csv, ",gil,switch_interval_us,lost_updates,gil_switches,dispatch,inflight,"
                    "inline,max_concurrency,limit,mem_total_kb,load_avg,env,procs,per_proc\n") != NULL);
  cbt_cells_parse(csv, strlen(csv), &t, &cells);
  CBT_CHECK_EQ(cells.n, 4);
  for (size_t c = 0; c < cells.n; c++) {
    int gil = strcmp(cb_cell_key(&cells, c, "gil"), "1") == 0;
    CBT_CHECK(strcmp(cb_cell_key(&cells, c, "switch_interval_us"), gil ? "2000" : "0") == 0);
  }
  cb_cells_free(&cells);
  cb_table_free(&t);
  /* mix.sleep, which refuses to run uncalibrated: a run calibrates it, and
   * every trial of both shares, both models and both modes is ok. */
  cbt_rerun(NULL, (const char *const[]){ "run", "-w", "mix.sleep", "-r", "threads,eventloop", "-c", "2",
                                         "--gil=both", "-t", "10", "-s", "0,100", "--reps", "1",
                                         "--warmup", "0", "-q", "-o", out, NULL }, &r);
  if (r.code != 0)
    print_error("stderr: %s\n", r.err);
  CBT_CHECK_EQ(r.code, 0);
  CBT_CHECK(strstr(r.out, "wrote 8 trials to") != NULL);
  CBT_CHECK(strstr(r.out, "(0 not ok)") != NULL);
  unlink(out);
  snprintf(path, sizeof(path), "%s/gil.summary.csv", dir);
  unlink(path);
  snprintf(path, sizeof(path), "%s/gil.meta.json", dir);
  unlink(path);
  cbt_result_free(&r);
  assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cell_key_and_contestant),
    cmocka_unit_test(test_gil_finding),
    cmocka_unit_test(test_cli),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
