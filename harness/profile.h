/* Profiles: named matrices for `concbench run --profile`. quick runs the
 * whole catalogue at small sizes for CI (about a minute on a 2-core
 * machine), standard is what ./scripts/bench runs (at most ten minutes
 * there), full sweeps concurrency as far as the machine's limits allow.
 * Each workload brings its own size and tasks for each profile
 * (cb_workload_t.profile); a profile adds only its experiments (sweeps).
 * Options given on the command line override a profile's. */
#ifndef CB_PROFILE_H
#define CB_PROFILE_H

#include <stddef.h>
#include <stdint.h>

/* Each profile's minimum task phase of a trial (run --min-time), in ms;
 * a run without a profile takes the standard's. */
#define CB_QUICK_MIN_MS 30
#define CB_STANDARD_MIN_MS 40
#define CB_FULL_MIN_MS 100
#define CB_STR_(x) #x
#define CB_STR(x) CB_STR_(x)

/* An experiment: what a profile runs of one workload instead of the
 * workload's own sizing (cb_workload_t.profile): a sweep of sizes, payloads,
 * concurrency, variants or GIL modes. A workload may have several. */
typedef struct cb_profile_entry_s {
  const char *workload;
  int sized;                /* 1: size and tasks are the entry's; 0: the workload's */
  uint64_t size, tasks;     /* 0 tasks: the workload's default */
  uint64_t per_c;           /* at least this many tasks per unit of concurrency,
                               so that every worker gets work at high c */
  const char *payloads;     /* NULL: the workload's default */
  const char *concurrency;  /* NULL: the profile's; "pus" stands for the PU count */
  const char *runners;      /* NULL: the profile's */
  const char *transports;   /* NULL: the profile's */
  const char *dispatches;   /* NULL: the profile's */
  const char *procs;        /* a hybrid's process counts (--procs); NULL: "pus" */
  unsigned gil_modes;       /* 0: the profile's (without the GIL); 3: without and with */
} cb_profile_entry_t;

typedef struct cb_profile_s {
  const char *name, *description;
  const char *runners, *concurrency, *transports;
  const char *dispatches; /* NULL: each runner's default */
  unsigned sizing;        /* which of a workload's sizings: CB_PROFILE_QUICK, ... */
  uint64_t reps, warmup;
  unsigned min_time_ms;   /* calibration: a trial's task phase at least this long */
  const cb_profile_entry_t *entries;
  size_t n;
} cb_profile_t;

extern const cb_profile_t *const cb_profiles[];
extern const size_t cb_profiles_count;
const cb_profile_t *cb_profile_find(const char *name);
/* The first experiment for a workload, or NULL. */
const cb_profile_entry_t *cb_profile_entry(const cb_profile_t *p, const char *workload);

#endif
