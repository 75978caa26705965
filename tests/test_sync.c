/* Tests of the synchronisation workloads (sync.*): every protected one ends
 * with the shared counter at tasks x size under every runner and
 * concurrency, with and without the GIL; sync.none loses updates under
 * threads at c = 2 (status racy, lost_updates counted, the run still exits
 * 0), loses none alone or under a GIL; the trial-level check turns a wrong
 * counter into `wrong` for a workload that does not race on purpose; the
 * command line refuses sync.none without --allow-races; and the report's
 * findings on the primitives. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "report.h"
#include "summary.h"
#include "trial.h"
#include "common.h"

#define TRIAL_TIMEOUT_S 120
#define RETRIES 5

static cb_cell_t make_cell(const cb_workload_t *wl, const cb_runner_t *rn, unsigned c, int gil,
                           uint64_t tasks, uint64_t size)
{
  cb_cell_t cell = cbt_cell(wl, rn, c, tasks, size, 5 + c);

  cell.gil = gil;
  cell.switch_us = gil ? 5000 : 0;
  cbt_describe_cell(&cell);
  return cell;
}

static void run_trial(const cb_cell_t *cell, cb_trial_t *t)
{
  CBT_CHECK_EQ(cbt_trial(cell, cbt_topo, 1, TRIAL_TIMEOUT_S, NULL, t), 0);
}

/* ---- the protected workloads verify everywhere ---------------------------- */

static void test_protected_verify(void **state)
{
  static const char *const names[] = { "sync.mutex", "sync.rmutex", "sync.semaphore",
                                       "sync.atomic" };
  static const unsigned cs[] = { 1, 2, 4 };
  size_t i, r, k;
  int gil;

  (void)state;
  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    for (r = 0; r < cb_runners_count; r++)
      for (k = 0; k < sizeof(cs) / sizeof(cs[0]); k++)
        for (gil = 0; gil < 2; gil++) {
          const cb_runner_t *rn = cb_runners[r];
          cb_cell_t cell;
          cb_trial_t t;

          if (strcmp(rn->name, "serial") == 0 && cs[k] != 1)
            continue;
          cell = make_cell(cbt_find_wl(names[i]), rn, cs[k], gil, 8 * cs[k], 20000);
          run_trial(&cell, &t);
          if (t.status != CB_ST_OK)
            print_error("[%s] status %s: %s\n", cbt_where, cb_status_name(t.status), t.msg);
          CBT_CHECK_EQ(t.status, CB_ST_OK);
          CBT_CHECK_EQ(t.verified, 1);
          CBT_CHECK_EQ(t.lost, 0);
          CBT_CHECK_EQ(t.failed, 0);
        }
}

/* ---- sync.none ------------------------------------------------------------- */

/* 2 tasks of 10^7 unprotected increments on 2 threads lose updates; on a
 * busy machine the two may happen not to overlap, so it is retried. */
static void test_none_loses_updates(void **state)
{
  const cb_workload_t *none = cbt_find_wl("sync.none");
  cb_trial_t t;
  int k;

  (void)state;
  CBT_CHECK(none->racy);
  if (cbt_under_valgrind())
    skip();
  for (k = 0; k < RETRIES; k++) {
    cb_cell_t cell = make_cell(none, cb_runner_find("threads"), 2, 0, 2, 10000000);

    run_trial(&cell, &t);
    if (t.status == CB_ST_RACY)
      break;
    CBT_CHECK_EQ(t.status, CB_ST_OK); /* lucky: no overlap, nothing lost */
  }
  CBT_CHECK_EQ(t.status, CB_ST_RACY);
  CBT_CHECK(t.lost > 0 && t.lost < 20000000);
  CBT_CHECK_EQ(t.verified, 0);
  CBT_CHECK_EQ(t.failed, 0);
  CBT_CHECK_EQ(t.wrong, 0); /* every task's own checksum was right */
  {
    char msg[160];
    snprintf(msg, sizeof(msg), "shared counter is %llu after 20000000 updates: %llu lost",
             (unsigned long long)(20000000 - t.lost), (unsigned long long)t.lost);
    CBT_CHECK(strcmp(t.msg, msg) == 0);
  }
  /* measured to the end: both tasks completed in the wall time */
  CBT_CHECK(t.wall_s > 0);
  CBT_CHECK(t.throughput * t.wall_s > 2 * 0.999999 && t.throughput * t.wall_s < 2 * 1.000001);
  print_message("  sync.none, threads c=2: %llu of 20000000 updates lost\n",
                (unsigned long long)t.lost);
}

/* Alone (serial, c = 1) nothing is lost; under a GIL threads lose nothing
 * either, because the GIL changes hands only at checkpoints, never inside
 * an update. */
static void test_none_without_races(void **state)
{
  const cb_workload_t *none = cbt_find_wl("sync.none");
  cb_cell_t cell;
  cb_trial_t t;

  (void)state;
  cell = make_cell(none, cb_runner_find("serial"), 1, 0, 4, 1000000);
  run_trial(&cell, &t);
  CBT_CHECK_EQ(t.status, CB_ST_OK);
  CBT_CHECK_EQ(t.lost, 0);
  cell = make_cell(none, cb_runner_find("threads"), 2, 1, 4, 1000000);
  run_trial(&cell, &t);
  CBT_CHECK_EQ(t.status, CB_ST_OK);
  CBT_CHECK_EQ(t.lost, 0);
  CBT_CHECK_EQ(t.verified, 1);
}

/* ---- the trial-level check ------------------------------------------------- */

/* Test workloads built on sync.mutex: one skips an update in task 3, one
 * (racy) makes one too many. */
static cb_workload_t wl_skip, wl_extra;

/* Run `base` with `delta` updates more (or fewer) in task 3, and the
 * checksum task 3 must have: only the counter can tell. */
static int run_off_by(const char *base, const cb_task_t *t, int delta, uint64_t *checksum)
{
  cb_params_t p = *t->p;
  cb_task_t u = *t;
  int err;

  if (t->index == 3) {
    p.size = (uint64_t)((int64_t)p.size + delta);
    u.p = &p;
  }
  err = cbt_find_wl(base)->run(&u, checksum);
  *checksum = cbt_find_wl(base)->expect(t);
  return err;
}

static int skip_run(const cb_task_t *t, uint64_t *checksum)
{
  return run_off_by("sync.mutex", t, -1, checksum);
}

static int extra_run(const cb_task_t *t, uint64_t *checksum)
{
  return run_off_by("sync.none", t, +1, checksum);
}

static void test_verify_hook(void **state)
{
  static const char *const runners[] = { "serial", "threads", "processes" };
  cb_trial_t t;
  size_t i;

  (void)state;
  wl_skip = *cbt_find_wl("sync.mutex");
  wl_skip.name = "test.sync-skip";
  wl_skip.run = skip_run;
  wl_extra = *cbt_find_wl("sync.none");
  wl_extra.name = "test.sync-extra";
  wl_extra.run = extra_run;
  for (i = 0; i < sizeof(runners) / sizeof(runners[0]); i++) {
    const cb_runner_t *rn = cb_runner_find(runners[i]);
    unsigned c = strcmp(runners[i], "serial") == 0 ? 1 : 2;
    cb_cell_t cell = make_cell(&wl_skip, rn, c, 0, 8, 1000);

    /* a lost update where none may be lost: wrong, and said so */
    run_trial(&cell, &t);
    CBT_CHECK_EQ(t.status, CB_ST_WRONG);
    CBT_CHECK_EQ(t.verified, 0);
    CBT_CHECK_EQ(t.lost, 1);
    CBT_CHECK_EQ(t.wrong, 0);
    CBT_CHECK(strstr(t.msg, "7999 after 8000 updates: 1 lost") != NULL);
    /* too many updates is never the racy outcome */
    cell = make_cell(&wl_extra, rn, 1, 0, 8, 1000);
    run_trial(&cell, &t);
    CBT_CHECK_EQ(t.status, CB_ST_WRONG);
    CBT_CHECK_EQ(t.lost, 0);
    CBT_CHECK(strstr(t.msg, "8001 after 8000 updates: 1 too many") != NULL);
  }
}

/* ---- the command line ------------------------------------------------------ */

static void test_cli(void **state)
{
  static cbt_result_t r;
  static char csv[65536];
  char dir[] = "/tmp/cb-test-sync-XXXXXX", out[128], path[160];
  cb_table_t t;
  char err[256];
  size_t row, racy = 0;
  long st, lost;
  int fd;

  (void)state;
  snprintf(cbt_where, sizeof(cbt_where), "command line");
  assert_non_null(mkdtemp(dir));
  snprintf(out, sizeof(out), "%s/sync.csv", dir);
  /* named without the flag: refused, naming both */
  cbt_rerun(NULL, (const char *const[]){ "run", "-w", "noop,sync.none", "-o", out, NULL }, &r);
  CBT_CHECK_EQ(r.code, 2);
  CBT_CHECK(strstr(r.err, "sync.none") != NULL);
  CBT_CHECK(strstr(r.err, "--allow-races") != NULL);
  CBT_CHECK_EQ(access(out, F_OK), -1);
  /* a glob leaves it out without the flag, takes it with */
  cbt_rerun(NULL, (const char *const[]){ "run", "-w", "sync.*", "--dry-run", NULL }, &r);
  CBT_CHECK_EQ(r.code, 0);
  CBT_CHECK(strstr(r.out, "sync.mutex") != NULL);
  CBT_CHECK(strstr(r.out, "sync.semaphore") != NULL);
  CBT_CHECK(strstr(r.out, "sync.none") == NULL);
  cbt_rerun(NULL, (const char *const[]){ "run", "-w", "sync.*", "--allow-races", "--dry-run",
                                         NULL }, &r);
  CBT_CHECK_EQ(r.code, 0);
  CBT_CHECK(strstr(r.out, "sync.none") != NULL);
  /* racy trials are the measured outcome: exit 0, lost_updates counted */
  cbt_rerun(NULL, (const char *const[]){ "run", "-w", "sync.none", "--allow-races", "-r", "threads",
                                         "-c", "2", "-t", "2", "-s", "10000000", "--reps", "3",
                                         "--warmup", "0", "-q", "-o", out, NULL }, &r);
  if (r.code != 0)
    print_error("stderr: %s\n", r.err);
  CBT_CHECK_EQ(r.code, 0);
  CBT_CHECK(strstr(r.out, "(0 not ok)") != NULL);
  fd = open(out, O_RDONLY | O_CLOEXEC);
  assert_true(fd >= 0);
  cbt_read_fd(fd, csv, sizeof(csv));
  close(fd);
  assert_int_equal(cb_table_parse(csv, strlen(csv), &t, err, sizeof(err)), 0);
  st = cb_table_col(&t, "status");
  lost = cb_table_col(&t, "lost_updates");
  CBT_CHECK(st >= 0 && lost >= 0);
  CBT_CHECK_EQ(t.rows, 4);
  for (row = 1; row < t.rows; row++) {
    const char *s = cb_table_get(&t, row, (size_t)st);
    int is_racy = strcmp(s, "racy") == 0;
    CBT_CHECK(is_racy || strcmp(s, "ok") == 0);
    CBT_CHECK_EQ(is_racy, strcmp(cb_table_get(&t, row, (size_t)lost), "0") != 0);
    racy += is_racy;
  }
  CBT_CHECK(racy > 0 || cbt_under_valgrind());
  cb_table_free(&t);
  unlink(out);
  snprintf(path, sizeof(path), "%s/sync.summary.csv", dir);
  unlink(path);
  snprintf(path, sizeof(path), "%s/sync.meta.json", dir);
  unlink(path);
  cbt_result_free(&r);
  assert_int_equal(rmdir(dir), 0);
}

/* ---- the report ------------------------------------------------------------ */

static const char header[] =
    "host,workload,family,runner,transport,pin,concurrency,tasks,size,payload,status,"
    "throughput,wall_s,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb\n";

static void add_cell(cb_buf_t *b, const char *wl, const char *runner, unsigned c, double tp)
{
  unsigned i;

  for (i = 0; i < 5; i++)
    cb_buf_printf(b, "vm,%s,sync,%s,inproc,compact,%u,100,1000,0,ok,%.6f,0.1,1,2,0.1,0,10\n",
                  wl, runner, c, tp * (1 + 0.01 * ((double)i / 4 - 0.5)));
}

static void test_findings(void **state)
{
  const cb_finding_t *rec, *atom, *cont;
  cb_buf_t b = { 0 };
  cb_finding_t *all;
  cb_table_t t;
  cb_cells_t cells;
  size_t n;

  (void)state;
  cb_buf_printf(&b, "%s", header);
  add_cell(&b, "sync.mutex", "threads", 1, 1000);   /* 1000 ns/update */
  add_cell(&b, "sync.rmutex", "threads", 1, 800);   /* dearer */
  add_cell(&b, "sync.atomic", "threads", 1, 3000);  /* cheaper */
  add_cell(&b, "sync.mutex", "threads", 2, 400);    /* contention: dearer */
  add_cell(&b, "sync.rmutex", "threads", 2, 300);
  add_cell(&b, "sync.atomic", "threads", 2, 3500);  /* contention: not dearer */
  add_cell(&b, "sync.none", "threads", 1, 9000);    /* in no finding */
  add_cell(&b, "sync.none", "threads", 2, 1000);
  cbt_cells_parse(b.data, b.len, &t, &cells);
  assert_int_equal(cb_findings(&cells, 0.05, &all, &n), 0);
  rec = cbt_finding(all, n, "A recursive lock");
  atom = cbt_finding(all, n, "An atomic update");
  cont = cbt_finding(all, n, "Contention");
  /* the folklore: no dearer than a plain lock (within 5%); 25% is dearer */
  assert_int_equal(rec->verdict, CB_V_NOT);
  assert_int_equal(rec->losses, 2);
  CBT_CHECK(strstr(rec->evidence, "sync.rmutex 1.25e+03 ns/update, sync.mutex 1e+03 ns/update "
                              "(sync.rmutex +25%)") != NULL);
  assert_int_equal(atom->verdict, CB_V_HOLDS);
  assert_int_equal(atom->wins, 2);
  assert_int_equal(cont->verdict, CB_V_DEPENDS);
  assert_int_equal(cont->wins, 2);
  assert_int_equal(cont->losses, 1);
  CBT_CHECK(strstr(cont->evidence, "sync.mutex, threads: 1e+03 ns/update at c=1, 2.5e+03 ns/update "
                               "at c=2 (x2.50") != NULL);
  CBT_CHECK(strstr(cont->evidence, "sync.none") == NULL);
  free(all);
  cb_cells_free(&cells);
  cb_table_free(&t);
  cb_buf_free(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_protected_verify),
    cmocka_unit_test(test_none_loses_updates),
    cmocka_unit_test(test_none_without_races),
    cmocka_unit_test(test_verify_hook),
    cmocka_unit_test(test_cli),
    cmocka_unit_test(test_findings),
  };

  return cmocka_run_group_tests(tests, cbt_topo_setup, cbt_topo_teardown);
}
