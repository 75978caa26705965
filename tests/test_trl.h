/* What the trial tests (test_trial.c, test_trial_supervised.c) share:
 * test-only workloads (not in the registry) that misbehave on purpose in task
 * 5, or in the first and the last task (a wrong checksum, an error, a crash,
 * a hang), with a page shared with every descendant where hanging tasks write
 * their pids and set-up notes the scratch directory it saw; a cell of them;
 * one trial run in this process or in a supervised child, checked to leave no
 * child and no scratch directory behind; and the checks of a correct trial
 * (tests/test_trl.c). */
#ifndef CB_TESTS_TEST_TRL_H
#define CB_TESTS_TEST_TRL_H

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cb_config.h"
#include "trial.h"
#include "common.h"

enum { MODE_OK, MODE_WRONG, MODE_EIO, MODE_SEGV, MODE_BADPTR, MODE_HANG, MODE_HANG_FORK };

#define BAD_INDEX 5u

/* Or'ed into a mode: misbehave in the first and the last task instead of in
 * task 5, where a verification that skips either end is caught. */
#define AT_EDGES 0x100

#define WRONG_XOR UINT64_C(0x00ff00ff00ff00ff)

/* Shared with every descendant: the pids of processes that hang. */
typedef struct shared_s {
  atomic_int npids;
  atomic_int pids[64];
  char scratch[4096]; /* the trial's scratch directory, as setup saw it */
  int scratch_ok;     /* 1: a private directory (0700) that setup could write in */
} shared_t;

/* The page shared with every descendant (mapped by trl_group_setup). */
extern shared_t *trl_shared;

typedef struct mode_s {
  int mode;
} mode_state_t;

/* The checksum of task `index` of a test workload. */
uint64_t trl_mode_sum(const cb_params_t *p, uint64_t index);

extern const cb_workload_t trl_wl_ok;
extern const cb_workload_t trl_wl_wrong;
extern const cb_workload_t trl_wl_wrong_inline;
extern const cb_workload_t trl_wl_eio;
extern const cb_workload_t trl_wl_segv;
extern const cb_workload_t trl_wl_badptr;

/* The same crash in a workload that does not crash on purpose: to the
 * harness, a worker that died was killed from outside. */
extern const cb_workload_t trl_wl_segv_unplanned;

/* test.ok, but a workload that kills its workers on purpose (fault.*): a
 * task lost with its worker is failed, and the trial still measured. */
extern const cb_workload_t trl_wl_ok_planned;
extern const cb_workload_t trl_wl_hang;
extern const cb_workload_t trl_wl_hang_fork;
extern const cb_workload_t trl_wl_setup_fails;
extern const cb_workload_t trl_wl_wrong_edges;
extern const cb_workload_t trl_wl_wrong_edges_inline;
extern const cb_workload_t trl_wl_eio_edges;
extern const cb_workload_t trl_wl_expect_hang;
extern const cb_workload_t trl_wl_expect_crash;

/* The processing units of this machine. */
extern unsigned trl_pus;

/* A described cell of wl under the named runner (which must exist). */
cb_cell_t trl_make_cell(const cb_workload_t *wl, const char *runner, unsigned c,
                        cb_pin_policy_t pin, uint64_t tasks, uint64_t size);

/* Run the cell in this process (supervise = 0) or in a supervised child;
 * no child and no scratch directory may be left. */
int trl_trial(const cb_cell_t *cell, int supervise, double timeout_s,
              volatile const int *stop, cb_trial_t *t);

/* The shared page and the topology, with no child running. */
int trl_group_setup(void **state);

/* Undo group_setup. */
int trl_group_teardown(void **state);

#endif
