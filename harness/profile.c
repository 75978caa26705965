/* The profiles and the registry of their experiments; see profile.h. A
 * workload needs no line here: under each profile it runs at its own sizing
 * (cb_workload_t.profile, chosen so that a serial trial lasts tens of
 * milliseconds here under standard: long enough to time well, short enough
 * for the time budget) with the profile's concurrency and variants. The
 * tables below hold only experiments, which replace that for their workload:
 * sweeps of task granularity, CPU shares, payloads, concurrency lists,
 * dispatch modes and GIL modes. They name the workloads they sweep, as a
 * registry does. */
#include <string.h>

#include "cb.h"
#include "profile.h"
#include "workload.h"

/* An experiment at its own size and tasks, and one at the workload's. */
#define CB_ENTRY(w, s, t, ...) { .workload = w, .sized = 1, .size = s, .tasks = t, __VA_ARGS__ }
#define CB_SWEEP(w, ...) { .workload = w, __VA_ARGS__ }

static const cb_profile_entry_t quick_entries[] = {
  CB_SWEEP("comm.payload", .payloads = "65536"),
};

/* Task granularity: cpu.hash from about 1 us to about 10 ms a task (here)
 * at c = PUs, serial for each size's task time, the process pool with both
 * of its dispatch modes; task counts give each trial tens of milliseconds. */
#define CB_GRAIN(s, t)                                                                     \
  CB_ENTRY("cpu.hash", s, t, .concurrency = "pus", .runners = "serial,threads,processes",  \
           .dispatches = "shared,queue")

/* Mixed work: the CPU share of mix.sleep and mix.tcp swept at c = PUs and
 * c = 64, with and without the GIL, for the three models. Tasks per c follow
 * the ideal throughput at each share (min(c / 1 ms, PUs / CPU time)), so
 * that a trial lasts about 60 ms here (twice that for threads under the
 * GIL). */
#define CB_MIX_ONE(wl, share, per_c_)                                                       \
  CB_ENTRY(wl, share, 120, .per_c = per_c_, .concurrency = "pus,64",                        \
           .runners = "threads,processes,eventloop", .gil_modes = 3)
#define CB_MIX(share, per_c_)                                                              \
  CB_MIX_ONE("mix.sleep", share, per_c_), CB_MIX_ONE("mix.tcp", share, per_c_)

/* Locks and atomics: up to 16 contenders, where the contention is. */
#define CB_SYNC(w, conc) CB_SWEEP(w, .concurrency = conc)

/* The runners a profile runs on every workload: the three models and the
 * reference. The single loop and the hybrids (P processes of T threads or
 * of a loop) run only in the experiments that need them: at every
 * workload, size and concurrency they would more than double the run. */
#define CB_CLASSIC_RUNNERS "serial,threads,processes,eventloop"

static const cb_profile_entry_t standard_entries[] = {
  CB_SWEEP("noop", .dispatches = "shared,queue"),
  CB_SWEEP("cpu.hash", .gil_modes = 3),
  CB_GRAIN(200, 40000),
  CB_GRAIN(600, 15000),
  CB_GRAIN(2000, 5000),
  CB_GRAIN(6000, 2000),
  CB_GRAIN(20000, 600),
  CB_GRAIN(60000, 200),
  CB_GRAIN(200000, 60),
  CB_GRAIN(600000, 20),
  CB_GRAIN(2000000, 8),
  /* Waits: 64 sleeps (160 round trips) a trial at c = 1 rather than the
   * workload's 256 (1000), which made the c = 1 and 2 cells the dearest of
   * the run (a quarter of a second a trial) and pays for the cells below;
   * at c >= 16 per_c sets the count, as before. */
  CB_ENTRY("io.sleep", 1000, 64, .per_c = 16, .concurrency = "1,2,4,16,64,256,1000",
           .gil_modes = 3),
  CB_ENTRY("io.tcp", 200, 400, .per_c = 16, .concurrency = "1,2,4,16,64,256,1000"),
  CB_SWEEP("comm.payload", .payloads = "64,65536,4194304", .transports = "pipe,shm"),
  CB_SWEEP("life.idle", .concurrency = "1,16,256,1000"),
  /* Issue 15's findings, at P = PUs processes: many waits under one loop
   * in one thread and under processes of loops (c = 64 and 1000, beside the
   * three models'); CPU work under one loop (c = PUs) and under processes
   * of threads with the GIL (c = 1 for the speedup's base, PUs, and 16 =
   * 2 x 8 threads sharing a GIL each); a crash's cost under the hybrids
   * (T = 2, 8, 32); memory per task in flight (life.idle's list from 16,
   * where P = PUs already, so that the slope is the tasks', not the
   * processes'). */
  CB_ENTRY("io.sleep", 1000, 64, .per_c = 16, .concurrency = "64,1000",
           .runners = "loop1,procs-loops"),
  CB_ENTRY("io.tcp", 200, 400, .per_c = 16, .concurrency = "64,1000",
           .runners = "loop1,procs-loops"),
  CB_SWEEP("cpu.hash", .concurrency = "pus", .runners = "loop1"),
  CB_SWEEP("cpu.hash", .concurrency = "1,pus,16", .runners = "procs-threads", .gil_modes = 2),
  CB_SWEEP("fault.crash"),
  CB_SWEEP("fault.crash", .concurrency = "4,16,64", .runners = "procs-threads,procs-loops"),
  CB_SWEEP("life.idle", .concurrency = "16,256,1000", .runners = "procs-threads,procs-loops"),
  CB_SYNC("sync.mutex", "1,2,4,16"),
  CB_SYNC("sync.rmutex", "1,2,4,16"),
  CB_SYNC("sync.semaphore", "1,2,4,16"),
  CB_SYNC("sync.atomic", "1,2,4,16"),
  CB_SYNC("sync.none", "1,2,4,16"),
  CB_MIX(0, 60),
  CB_MIX(1, 60),
  CB_MIX(2, 60),
  CB_MIX(5, 37),
  CB_MIX(10, 19),
  CB_MIX(25, 8),
  CB_MIX(50, 4),
  CB_MIX(100, 2),
};

static const cb_profile_entry_t full_entries[] = {
  CB_ENTRY("cpu.matmul", 32, 1000),
  CB_ENTRY("cpu.matmul", 96, 200),
  CB_ENTRY("cpu.matmul", 512, 8),
  CB_SWEEP("io.sleep", .per_c = 16, .concurrency = "1..4096"),
  CB_SWEEP("io.tcp", .per_c = 16, .concurrency = "1..4096"),
  CB_SWEEP("comm.payload", .payloads = "64..4194304"),
  CB_SWEEP("life.idle", .concurrency = "1..8192"),
  CB_SYNC("sync.mutex", "1..16"),
  CB_SYNC("sync.rmutex", "1..16"),
  CB_SYNC("sync.semaphore", "1..16"),
  CB_SYNC("sync.atomic", "1..16"),
  CB_SYNC("sync.none", "1..16"),
  CB_MIX(0, 60),
  CB_MIX(1, 60),
  CB_MIX(2, 60),
  CB_MIX(5, 37),
  CB_MIX(10, 19),
  CB_MIX(25, 8),
  CB_MIX(50, 4),
  CB_MIX(100, 2),
};

static const cb_profile_t quick = {
  .name = "quick",
  .description = "the whole catalogue at small sizes, 9 reps, for CI (about a minute on 2 cores)",
  .runners = CB_CLASSIC_RUNNERS,
  .concurrency = "1,4",
  .transports = "pipe",
  /* 9: with ~90 cells compared, Holm's correction needs 8 ok trials a side
   * before a Mann-Whitney test can reach 0.05 (concbench compare). */
  .reps = 9,
  .warmup = 1,
  .min_time_ms = CB_QUICK_MIN_MS,
  .sizing = CB_PROFILE_QUICK,
  .entries = quick_entries,
  .n = CB_ARRAY_SIZE(quick_entries),
};

static const cb_profile_t standard = {
  .name = "standard",
  .description = "the catalogue at 1 to 64 in flight (1000 for waits), with and without the "
                 "GIL, task sizes 1 us to 10 ms, CPU shares 0 to 100%, 6 reps: ./scripts/bench",
  .runners = CB_CLASSIC_RUNNERS,
  .concurrency = "1,2,4,16,64",
  .transports = NULL, /* each runner's default; comm.payload's entry asks for both */
  /* 6: the most comparisons a claim makes here (16, mixed work along its
   * shares) can then be significant after Holm (16 x 2 / C(12, 6) = 0.035). */
  .reps = 6,
  .warmup = 1,
  .min_time_ms = CB_STANDARD_MIN_MS,
  .sizing = CB_PROFILE_STANDARD,
  .entries = standard_entries,
  .n = CB_ARRAY_SIZE(standard_entries),
};

static const cb_profile_t full = {
  .name = "full",
  .description = "concurrency up to thousands, payloads 64 B to 4 MiB, 10 reps (hours)",
  .runners = "*",
  .concurrency = "1..256",
  .transports = "pipe,shm",
  .reps = 10,
  .warmup = 2,
  .min_time_ms = CB_FULL_MIN_MS,
  .sizing = CB_PROFILE_FULL,
  .entries = full_entries,
  .n = CB_ARRAY_SIZE(full_entries),
};

const cb_profile_t *const cb_profiles[] = { &quick, &standard, &full };
const size_t cb_profiles_count = CB_ARRAY_SIZE(cb_profiles);

const cb_profile_t *cb_profile_find(const char *name)
{
  size_t i;

  for (i = 0; i < cb_profiles_count; i++) {
    if (strcmp(cb_profiles[i]->name, name) == 0)
      return cb_profiles[i];
  }
  return NULL;
}

const cb_profile_entry_t *cb_profile_entry(const cb_profile_t *p, const char *workload)
{
  size_t i;

  for (i = 0; i < p->n; i++) {
    if (strcmp(p->entries[i].workload, workload) == 0)
      return &p->entries[i];
  }
  return NULL;
}
