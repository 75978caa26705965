/* The workload tests' shared executable state and trial runner (test_wl.h):
 * written once so that each test_workloads_*.c holds only what it checks. */
#include "test_wl.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TRIAL_TIMEOUT_S 120

char wlt_tmpdir[sizeof(WLT_TMPDIR_TEMPLATE)] = WLT_TMPDIR_TEMPLATE;
unsigned wlt_pus;
const cb_workload_t *wlt_io_tcp, *wlt_io_file, *wlt_comm_payload;

/* Entries of the test's TMPDIR, named on stderr (test_wl.h). */
int wlt_tmpdir_entries(void)
{
  struct dirent *e;
  DIR *d = opendir(wlt_tmpdir);
  int n = 0;

  assert_non_null(d);
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    print_error("[%s] left in TMPDIR: %s\n", cbt_where, e->d_name);
    n++;
  }
  closedir(d);
  return n;
}

int wlt_is_runner(const cb_runner_t *rn, const char *name)
{
  return strcmp(rn->name, name) == 0;
}

/* A workload's calibration, measured once here as a run measures it once
 * (cb_matrix_calibrate); 0 for a workload without one. */
uint64_t wlt_calib_of(const cb_workload_t *wl)
{
  static uint64_t calib;

  if (wl->calibrate == NULL)
    return 0;
  if (calib == 0)
    assert_int_equal(wl->calibrate(&calib), 0);
  assert_true(calib > 0);
  return calib;
}

cb_cell_t wlt_cell(const cb_workload_t *wl, const cb_runner_t *rn, unsigned c,
                   uint64_t tasks, uint64_t size, uint64_t payload)
{
  cb_cell_t cell = cbt_cell(wl, rn, c, tasks, size, 0x5eed + c);

  cell.params.payload = payload;
  cell.params.calib = wlt_calib_of(wl);
  cbt_describe_cell(&cell);
  return cell;
}

/* Run the cell in a supervised child (supervise = 1) or in this process,
 * with expected checksums computed as the harness does; check that the
 * trial left no child process and nothing in TMPDIR. */
int wlt_run_trial(const cb_cell_t *cell, int supervise, cb_trial_t *t)
{
  int rc;

  CBT_CHECK(cbt_no_children());
  rc = cbt_trial(cell, cbt_topo, supervise, TRIAL_TIMEOUT_S, NULL, t);
  CBT_CHECK(cbt_no_children());
  CBT_CHECK_EQ(wlt_tmpdir_entries(), 0);
  return rc;
}

void wlt_check_ok(const cb_cell_t *cell, const cb_trial_t *t)
{
  if (t->status != CB_ST_OK || t->msg[0] != '\0')
    print_error("[%s] status %s: %s\n", cbt_where, cb_status_name(t->status), t->msg);
  CBT_CHECK_EQ(t->status, CB_ST_OK);
  CBT_CHECK_EQ(t->msg[0], '\0');
  CBT_CHECK_EQ(t->verified, 1);
  CBT_CHECK_EQ(t->failed, 0);
  CBT_CHECK_EQ(t->wrong, 0);
  CBT_CHECK_EQ(t->workers, cbt_expected_workers(cell->rn, cell->concurrency, wlt_pus));
}

int wlt_group_setup(void **state)
{
  if (!cbt_no_children())
    return -1; /* the leak checks need a process without children */
  if (mkdtemp(wlt_tmpdir) == NULL || setenv("TMPDIR", wlt_tmpdir, 1) != 0)
    return -1;
  if (cbt_topo_setup(state) != 0)
    return -1;
  wlt_pus = cb_topo_pus(cbt_topo);
  wlt_io_tcp = cb_workload_find("io.tcp");
  wlt_io_file = cb_workload_find("io.file");
  wlt_comm_payload = cb_workload_find("comm.payload");
  if (wlt_io_tcp == NULL || wlt_io_file == NULL || wlt_comm_payload == NULL ||
      wlt_io_tcp->setup == NULL)
    return -1;
  return 0;
}

int wlt_group_teardown(void **state)
{
  cbt_topo_teardown(state);
  /* fails if a trial left its scratch directory behind */
  return rmdir(wlt_tmpdir) == 0 ? 0 : -1;
}
