/* The report tests' shared fixtures (test_rpt.h): trial CSVs of cells built
 * so that each outcome occurs, and the findings evaluated on them, written
 * once so that each test_report*.c holds only what it checks. */
#include "test_rpt.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

const char rpt_header[] =
    "host,workload,family,runner,transport,pin,concurrency,tasks,size,payload,status,"
    "throughput,wall_s,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,gil,switch_interval_us,"
    "dispatch,pus,failed,startup_s,max_concurrency,limit,mem_total_kb\n";

/* `n` trials of one cell: throughput around `tp` (a spread of +-1%, distinct
 * values so the exact test applies), memory around `kb`. */
void rpt_cell_m(cbt_csv_t *f, const char *workload, const char *runner,
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

void rpt_cell(cbt_csv_t *f, const char *workload, const char *runner, const char *transport,
              unsigned c, unsigned payload, const char *status, double tp, double kb,
              unsigned n)
{
  rpt_cell_m(f, workload, runner, transport, c, payload, status, tp, kb, n, NULL);
}

void rpt_findings_of(cbt_csv_t *f, cb_finding_t **all, size_t *n)
{
  cbt_csv_parse(f);
  assert_int_equal(cb_findings(&f->cells, 0.05, all, n), 0);
}
