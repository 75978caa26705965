/* What the workload tests (test_workloads_*.c) share: an executable whose
 * TMPDIR is a fresh directory of its own, the registry workloads they copy
 * into test-only ones, and a trial run as the harness runs it that must
 * leave no child process and nothing in TMPDIR behind (tests/test_wl.c). */
#ifndef CB_TESTS_TEST_WL_H
#define CB_TESTS_TEST_WL_H

#include "common.h"

#define WLT_TMPDIR_TEMPLATE "/tmp/cb-test-workloads-XXXXXX"

/* The executable's TMPDIR (made by wlt_group_setup). */
extern char wlt_tmpdir[sizeof(WLT_TMPDIR_TEMPLATE)];
/* Processing units of the topology (cbt_topo). */
extern unsigned wlt_pus;
/* The registry workloads the test-only ones copy. */
extern const cb_workload_t *wlt_io_tcp, *wlt_io_file, *wlt_comm_payload;

/* cmocka group set-up and teardown: TMPDIR, the topology, the workloads
 * above; the teardown fails when a trial left its scratch directory. */
int wlt_group_setup(void **state);
int wlt_group_teardown(void **state);

/* Entries of the TMPDIR, each named on stderr: after a trial, none. */
int wlt_tmpdir_entries(void);
/* A workload's calibration, measured once here as a run measures it once
 * (cb_matrix_calibrate); 0 for a workload without one. */
uint64_t wlt_calib_of(const cb_workload_t *wl);
int wlt_is_runner(const cb_runner_t *rn, const char *name);
/* A cell (cbt_cell) with the payload and the workload's calibration,
 * measured once as a run measures it once; described in cbt_where. */
cb_cell_t wlt_cell(const cb_workload_t *wl, const cb_runner_t *rn, unsigned c, uint64_t tasks,
                   uint64_t size, uint64_t payload);
/* Run the cell in a supervised child (supervise = 1) or in this process,
 * with expected checksums computed as the harness does; check that the
 * trial left no child process and nothing in TMPDIR. */
int wlt_run_trial(const cb_cell_t *cell, int supervise, cb_trial_t *t);
/* The trial is ok, verified, with no failed or wrong task and the workers
 * its runner starts. */
void wlt_check_ok(const cb_cell_t *cell, const cb_trial_t *t);

#endif
