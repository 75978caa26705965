/* Tests of the fleet's library code on files and tables built here: merging
 * (analysis/merge.c: which files a directory gives, host identities and their
 * stability, the hosts file from the sidecars, a sidecar of another run),
 * and the per-host views (analysis/fleet.c, cb_findings_per_host, the fleet
 * report): a claim that holds on one host and not on another depends on
 * the machine, and the winners map has one column per host. The refusals
 * of `concbench merge` are in test_badinput.c; the playbook in fleet.sh. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis.h"
#include "common.h"
#include "fingerprint.h"
#include "findings.h"
#include "fleet.h"
#include "merge.h"
#include "record.h"
#include "report.h"

/* ---- files ------------------------------------------------------------- */

/* A trial CSV of this schema: `rows` trials of run `run_id` on `host`
 * whose CPU model is `cpu`. */
static void put_trials(const char *path, const char *run_id, const char *host, const char *cpu,
                       int rows)
{
  FILE *f = fopen(path, "w");
  size_t c;
  int r;

  assert_non_null(f);
  for (c = 0; c < cb_record_columns_count; c++)
    fprintf(f, "%s%s", c ? "," : "", cb_record_columns[c]);
  fputc('\n', f);
  for (r = 0; r < rows; r++) {
    for (c = 0; c < cb_record_columns_count; c++) {
      const char *col = cb_record_columns[c];
      fprintf(f, "%s%s", c ? "," : "",
              strcmp(col, "run_id") == 0 ? run_id
              : strcmp(col, "host") == 0 ? host
              : strcmp(col, "cpu_model") == 0 ? cpu
              : strcmp(col, "kernel") == 0 ? "Linux 6.1"
              : strcmp(col, "timestamp") == 0 ? (r == 0 ? "2026-01-02T00:00:00Z"
                                                        : "2026-01-01T00:00:00Z")
              : strcmp(col, "git_revision") == 0 ? "abc123"
              : strcmp(col, "status") == 0 ? "ok"
              : strcmp(col, "workload") == 0 ? "noop"
              : strcmp(col, "runner") == 0 ? "serial" : "1");
    }
    fputc('\n', f);
  }
  assert_int_equal(fclose(f), 0);
}

/* The fingerprint id of the rows put_trials writes with CPU `cpu`. */
static void fp_id_of(const char *path, char *buf, size_t len)
{
  char err[256];
  cb_table_t t;
  cb_fp_t fp;

  assert_int_equal(cb_table_load(path, &t, err, sizeof(err)), 0);
  cb_fp_of_row(&t, 1, &fp);
  cb_fp_id(&fp, buf, len);
  cb_table_free(&t);
}

/* Column `name` of data row `row` of a CSV text. */
static const char *field(const cb_table_t *t, size_t row, const char *name)
{
  long c = cb_table_col(t, name);

  assert_true(c >= 0);
  assert_true(row < t->rows);
  return cb_table_get(t, row, (size_t)c);
}

static int merge(const char *const *args, size_t n, cb_buf_t *csv, cb_buf_t *hosts, char *err,
                 size_t errlen)
{
  cb_merge_t m = { 0 };
  size_t i;
  int rc = 0;

  for (i = 0; i < n && rc == 0; i++)
    rc = cb_merge_add(&m, args[i], NULL, err, errlen);
  if (rc == 0)
    rc = cb_merge_run(&m, csv, hosts, err, errlen);
  cb_merge_free(&m);
  return rc;
}

/* ---- merging ------------------------------------------------------------ */

/* RESULTS/alpha and RESULTS/beta are two names of one machine: two hosts,
 * named by their folders, the sidecar's fields in the hosts file; files
 * that are not runs' trials are left out. */
static void test_directory_names_hosts(void **state)
{
  char dir[512], p[700], fp[160], err[1024], want[400];
  const char *args[1];
  cb_buf_t csv = { 0 }, hosts = { 0 };
  cb_table_t t, h;

  (void)state;
  cbt_make_dir(dir, sizeof(dir), "fleet");
  snprintf(p, sizeof(p), "%s/alpha", dir);
  assert_int_equal(mkdir(p, 0755), 0);
  snprintf(p, sizeof(p), "%s/beta", dir);
  assert_int_equal(mkdir(p, 0755), 0);
  snprintf(p, sizeof(p), "%s/alpha/concbench-a.csv", dir);
  put_trials(p, "RUN-A", "vm", "Test CPU", 3);
  fp_id_of(p, fp, sizeof(fp));
  snprintf(p, sizeof(p), "%s/alpha/concbench-a.meta.json", dir);
  cbt_write_file(p, "{\"run_id\": \"RUN-A\", \"started\": \"2026-01-01T00:00:00Z\", \"packages\": 2, "
              "\"numa_nodes\": 1, \"smt\": true, \"mhz\": 2100.5, \"governor\": \"performance\"}\n");
  snprintf(p, sizeof(p), "%s/alpha/concbench-a.summary.csv", dir);
  cbt_write_file(p, "host,workload\nvm,noop\n");
  snprintf(p, sizeof(p), "%s/beta/concbench-b.csv", dir);
  put_trials(p, "RUN-B", "vm", "Test CPU", 2);
  snprintf(p, sizeof(p), "%s/beta/notes.txt", dir);
  cbt_write_file(p, "not a CSV\n");

  args[0] = dir;
  if (merge(args, 1, &csv, &hosts, err, sizeof(err)) != 0)
    fail_msg("merge failed: %s", err);
  assert_int_equal(cb_table_parse(csv.data, csv.len, &t, err, sizeof(err)), 0);
  assert_int_equal(t.rows, 1 + 3 + 2);
  snprintf(want, sizeof(want), "alpha@%s", fp);
  assert_string_equal(field(&t, 1, "host"), want);
  assert_string_equal(field(&t, 3, "host"), want);
  snprintf(want, sizeof(want), "beta@%s", fp);
  assert_string_equal(field(&t, 4, "host"), want);
  assert_string_equal(field(&t, 5, "run_id"), "RUN-B");

  assert_int_equal(cb_table_parse(hosts.data, hosts.len, &h, err, sizeof(err)), 0);
  assert_int_equal(h.rows, 3);
  assert_string_equal(field(&h, 1, "name"), "alpha");
  assert_string_equal(field(&h, 1, "hostname"), "vm");
  assert_string_equal(field(&h, 1, "fingerprint"), fp);
  assert_string_equal(field(&h, 1, "cpu_model"), "Test CPU");
  assert_string_equal(field(&h, 1, "packages"), "2");
  assert_string_equal(field(&h, 1, "smt"), "true");
  assert_string_equal(field(&h, 1, "mhz"), "2100.5");
  assert_string_equal(field(&h, 1, "governor"), "performance");
  assert_string_equal(field(&h, 1, "git_revision"), "abc123");
  assert_string_equal(field(&h, 1, "runs"), "1");
  assert_string_equal(field(&h, 1, "trials"), "3");
  assert_string_equal(field(&h, 1, "first"), "2026-01-01T00:00:00Z");
  assert_string_equal(field(&h, 1, "last"), "2026-01-02T00:00:00Z");
  assert_non_null(strstr(field(&h, 1, "meta"), "alpha/concbench-a.meta.json"));
  /* beta's run has no sidecar: what only the sidecar knows is empty */
  assert_string_equal(field(&h, 2, "name"), "beta");
  assert_string_equal(field(&h, 2, "packages"), "");
  assert_string_equal(field(&h, 2, "meta"), "");
  assert_string_equal(field(&h, 2, "trials"), "2");
  cb_table_free(&h);
  cb_table_free(&t);
  cb_buf_free(&csv);
  cb_buf_free(&hosts);
  cbt_remove_tree(dir);
}

/* A file on the command line is named by its rows' host; merging the
 * merged file again keeps every identity; another CPU is another host
 * even under the same name. */
static void test_identity_is_stable(void **state)
{
  char dir[512], a[700], b[700], fleet[700], fpa[160], fpb[160], err[1024], want[400];
  const char *args[2];
  cb_buf_t csv = { 0 }, hosts = { 0 }, again = { 0 }, hosts2 = { 0 };
  cb_table_t t;

  (void)state;
  cbt_make_dir(dir, sizeof(dir), "fleet");
  snprintf(a, sizeof(a), "%s/a.csv", dir);
  snprintf(b, sizeof(b), "%s/b.csv", dir);
  put_trials(a, "RUN-A", "web1", "Old CPU", 2);
  put_trials(b, "RUN-B", "web1", "New CPU", 2);
  fp_id_of(a, fpa, sizeof(fpa));
  fp_id_of(b, fpb, sizeof(fpb));
  assert_string_not_equal(fpa, fpb);
  args[0] = a;
  args[1] = b;
  assert_int_equal(merge(args, 2, &csv, &hosts, err, sizeof(err)), 0);
  assert_int_equal(cb_table_parse(csv.data, csv.len, &t, err, sizeof(err)), 0);
  snprintf(want, sizeof(want), "web1@%s", fpa);
  assert_string_equal(field(&t, 1, "host"), want);
  snprintf(want, sizeof(want), "web1@%s", fpb);
  assert_string_equal(field(&t, 3, "host"), want);
  cb_table_free(&t);

  snprintf(fleet, sizeof(fleet), "%s/fleet.csv", dir);
  cbt_write_file(fleet, csv.data);
  args[0] = fleet;
  assert_int_equal(merge(args, 1, &again, &hosts2, err, sizeof(err)), 0);
  assert_int_equal(again.len, csv.len);
  assert_memory_equal(again.data, csv.data, csv.len);
  cb_buf_free(&csv);
  cb_buf_free(&hosts);
  cb_buf_free(&again);
  cb_buf_free(&hosts2);
  cbt_remove_tree(dir);
}

/* A sidecar that describes another run is refused, naming both. */
static void test_sidecar_of_another_run(void **state)
{
  char dir[512], a[700], meta[700], err[1024];
  const char *args[1];
  cb_buf_t csv = { 0 }, hosts = { 0 };

  (void)state;
  cbt_make_dir(dir, sizeof(dir), "fleet");
  snprintf(a, sizeof(a), "%s/a.csv", dir);
  snprintf(meta, sizeof(meta), "%s/a.meta.json", dir);
  put_trials(a, "RUN-A", "vm", "Test CPU", 1);
  cbt_write_file(meta, "{\"run_id\": \"RUN-Z\"}\n");
  args[0] = a;
  assert_int_equal(merge(args, 1, &csv, &hosts, err, sizeof(err)), -EINVAL);
  assert_non_null(strstr(err, "a.meta.json: run_id RUN-Z is not a run of"));
  cbt_write_file(meta, "{\"run_id\": \"RUN-A\",}\n");
  cb_buf_free(&csv);
  cb_buf_free(&hosts);
  memset(&csv, 0, sizeof(csv));
  memset(&hosts, 0, sizeof(hosts));
  assert_int_equal(merge(args, 1, &csv, &hosts, err, sizeof(err)), -EINVAL);
  assert_non_null(strstr(err, "a.meta.json: line 1:"));
  cb_buf_free(&csv);
  cb_buf_free(&hosts);
  cbt_remove_tree(dir);
}

static void test_names(void **state)
{
  char buf[64], name[64];

  (void)state;
  cb_host_identity("alpha", "cpu-2pu-0123456789ab", buf, sizeof(buf));
  assert_string_equal(buf, "alpha@cpu-2pu-0123456789ab");
  cb_host_name(buf, name, sizeof(name));
  assert_string_equal(name, "alpha");
  cb_host_name("plain", buf, sizeof(buf));
  assert_string_equal(buf, "plain");
  cb_merge_hosts_path("out/fleet.csv", buf, sizeof(buf));
  assert_string_equal(buf, "out/fleet.hosts.csv");
  cb_merge_hosts_path("fleet", buf, sizeof(buf));
  assert_string_equal(buf, "fleet.hosts.csv");
}

/* ---- per-host views ----------------------------------------------------- */

static const char header[] =
    "host,workload,family,runner,transport,pin,concurrency,tasks,size,payload,status,"
    "throughput,wall_s,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,cpu_model,pus\n";

/* `n` trials of a cell around throughput `tp` (+-1%, distinct values). */
static void cell(cb_buf_t *b, const char *host, const char *runner, unsigned c, double tp,
                 unsigned n)
{
  unsigned i;

  for (i = 0; i < n; i++)
    cb_buf_printf(b, "%s,cpu.hash,cpu,%s,%s,compact,%u,100,10,0,ok,%.6f,0.1,10,20,0.1,0,1000,"
                  "CPU,2\n", host, runner, strcmp(runner, "processes") ? "inproc" : "pipe", c,
                  tp * (1 + 0.01 * ((double)i / (n - 1) - 0.5)));
}

typedef struct two_s {
  cb_buf_t csv;
  cb_table_t t;
  cb_cells_t cells;
} two_t;

/* processes twice as fast as threads at c=2 on h1, half as fast on h2;
 * h3 runs only serial (it measures nothing of the claim). */
static void two_hosts(two_t *x)
{
  memset(x, 0, sizeof(*x));
  cb_buf_printf(&x->csv, "%s", header);
  cell(&x->csv, "h1@cpu-x", "processes", 2, 200, 6);
  cell(&x->csv, "h1@cpu-x", "threads", 2, 100, 6);
  cell(&x->csv, "h2@cpu-y", "processes", 2, 100, 6);
  cell(&x->csv, "h2@cpu-y", "threads", 2, 200, 6);
  cell(&x->csv, "h3@cpu-x", "serial", 1, 100, 6);
  cbt_cells_parse(x->csv.data, x->csv.len, &x->t, &x->cells);
  cb_cells_sort(&x->cells);
}

static void two_free(two_t *x)
{
  cb_cells_free(&x->cells);
  cb_table_free(&x->t);
  cb_buf_free(&x->csv);
}

static void test_hosts_and_subsets(void **state)
{
  cb_fleet_t f;
  cb_cells_t sub;
  two_t x;
  size_t c;

  (void)state;
  two_hosts(&x);
  assert_int_equal(cb_fleet_hosts(&x.cells, &f), 0);
  assert_int_equal(f.n, 3);
  assert_string_equal(f.host[0].id, "h1@cpu-x");
  assert_string_equal(f.host[0].label, "h1");
  assert_string_equal(f.host[2].label, "h3");
  assert_int_equal(cb_fleet_subset(&x.cells, "h2@cpu-y", &sub), 0);
  assert_int_equal(sub.n, 2);
  for (c = 0; c < sub.n; c++)
    assert_string_equal(cb_cell_key(&sub, c, "host"), "h2@cpu-y");
  cb_fleet_subset_free(&sub);
  cb_fleet_free(&f);
  two_free(&x);
}

static void test_verdict_depends_on_the_machine(void **state)
{
  const char *claim = "CPU-bound work: processes beat threads (in plain C).";
  cb_host_findings_t h;
  size_t k;
  two_t x;

  (void)state;
  two_hosts(&x);
  assert_int_equal(cb_findings_per_host(&x.cells, 0.05, &h), 0);
  assert_int_equal(h.nhosts, 3);
  assert_string_equal(h.host[1], "h2");
  for (k = 0; k < h.nclaims && strcmp(h.claim[k], claim) != 0; k++)
    ;
  assert_true(k < h.nclaims);
  assert_int_equal(h.f[k * 3 + 0].verdict, CB_V_HOLDS);
  assert_int_equal(h.f[k * 3 + 1].verdict, CB_V_NOT);
  assert_int_equal(h.f[k * 3 + 2].verdict, CB_V_UNTESTED);
  assert_int_equal(h.across[k], CB_V_MACHINE);
  assert_string_equal(h.where[k], "holds on h1; does not hold on h2");
  assert_string_equal(cb_verdict_name(h.across[k]), "depends on the machine");
  /* a claim no host measured stays not measured across them */
  for (k = 0; k < h.nclaims && strncmp(h.claim[k], "Threads are cheaper", 19) != 0; k++)
    ;
  assert_true(k < h.nclaims);
  assert_int_equal(h.across[k], CB_V_UNTESTED);
  cb_host_findings_free(&h);
  two_free(&x);
}

static void test_winners_map(void **state)
{
  cb_fleet_map_t m;
  cb_fleet_t f;
  char model[64];
  two_t x;

  (void)state;
  two_hosts(&x);
  assert_int_equal(cb_fleet_hosts(&x.cells, &f), 0);
  assert_int_equal(cb_fleet_winners(&x.cells, &f, 0.05, 0, &m), 0);
  assert_int_equal(m.nrows, 1);
  assert_int_equal(m.ncols, 3);
  assert_string_equal(m.row[0], "cpu.hash c=2");
  assert_true(m.at[0] >= 0 && m.at[1] >= 0);
  assert_int_equal(m.at[2], -1); /* h3 ran no contest */
  cb_model(&x.cells, m.k[m.at[0]].winner, model, sizeof(model));
  assert_string_equal(model, "processes");
  cb_model(&x.cells, m.k[m.at[1]].winner, model, sizeof(model));
  assert_string_equal(model, "threads");
  assert_false(m.k[m.at[0]].tie);
  cb_fleet_map_free(&m);
  /* at a concurrency nobody ran: no row */
  assert_int_equal(cb_fleet_winners(&x.cells, &f, 0.05, 4, &m), 0);
  assert_int_equal(m.nrows, 0);
  cb_fleet_map_free(&m);
  assert_int_equal(cb_fleet_winners(&x.cells, &f, 0.05, 2, &m), 0);
  assert_string_equal(m.row[0], "cpu.hash");
  cb_fleet_map_free(&m);
  cb_fleet_free(&f);
  two_free(&x);
}

static void test_fleet_report(void **state)
{
  cb_buf_t md = { 0 };
  two_t x;

  (void)state;
  two_hosts(&x);
  assert_int_equal(cb_report_md(&x.cells, "charts", &md), 0);
  assert_non_null(md.data);
  assert_non_null(strstr(md.data, "# concbench report: 3 hosts\n"));
  assert_non_null(strstr(md.data, "| folklore | h1 | h2 | h3 | across hosts |\n"));
  assert_non_null(strstr(md.data, "| CPU-bound work: processes beat threads (in plain C). "
                                  "([chart](charts/hosts-scaling-cpu.hash.svg)) | holds | does "
                                  "not hold | not measured | **depends on the machine**: holds "
                                  "on h1; does not hold on h2 |\n"));
  assert_non_null(strstr(md.data, "| setting | h1 | h2 | h3 |\n"));
  assert_non_null(strstr(md.data, "| cpu.hash c=2 | **processes** ×2.0 | **threads** ×2.0 | "
                                  "— |\n"));
  /* the per-workload winners name their host */
  assert_non_null(strstr(md.data, "| host | c | size | payload | winner |"));
  /* no README markers: the verdicts of several hosts are not one machine's */
  assert_null(strstr(md.data, "<!-- verdicts:start -->"));
  cb_buf_free(&md);
  two_free(&x);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_directory_names_hosts),
    cmocka_unit_test(test_identity_is_stable),
    cmocka_unit_test(test_sidecar_of_another_run),
    cmocka_unit_test(test_hosts_and_subsets),
    cmocka_unit_test(test_verdict_depends_on_the_machine),
    cmocka_unit_test(test_winners_map),
    cmocka_unit_test(test_fleet_report),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
