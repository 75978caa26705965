/* The registry of claims (analysis/claim.h): each claim of the folklore is
 * one row, with its text, its evaluator and the evaluator's parameters, the
 * workloads and runners it judges among them. A new claim is one row here,
 * and a new kind of comparison one evaluator in analysis/cb__eval_*.c. The
 * findings come in the order of the rows (findings.h). */
#include <stddef.h>

#include "cb.h"
#include "claim.h"

#define DUEL(text_, wls, side_, others_, c, chart_, gil_)                                          \
  { .text = text_, .eval = cb__eval_duels, .workloads = wls, .side = side_, .others = others_,     \
    .metric = "throughput", .higher_better = 1, .min_c = c, .chart = chart_, .gil = gil_ }

/* Mixed work, judged along the CPU share (cb__eval_crossover), per workload
 * (Holm over one workload's shares and concurrencies: 16 comparisons in the
 * standard profile, which its 6 trials a cell can make significant), under a
 * GIL and in plain C. */
#define MIXED_ONE(wl, text_, side_, others_, gil_, scope)                                          \
  { .text = "Mixed work (" wl "): " text_ " (" scope ").", .eval = cb__eval_crossover,             \
    .workloads = wl, .side = side_, .others = others_, .chart = "share-" wl "-c64", .gil = gil_ }
#define MIXED(wl, text_, side_, others_)                                                           \
  MIXED_ONE(wl, text_, side_, others_, 1, "under a GIL"),                                          \
  MIXED_ONE(wl, text_, side_, others_, 0, "in plain C")

static const cb__claim_t claims[] = {
  DUEL("CPU-bound work: processes beat threads (under a GIL).", "cpu.*", "processes",
       "threads", 2, "scaling-cpu.hash", 1),
  DUEL("CPU-bound work: processes beat threads (in plain C).", "cpu.*", "processes", "threads",
       2, "scaling-cpu.hash", 0),
  { .text = "Processes cost no more than threads for CPU work, whatever the task size (within "
            "5%).",
    .eval = cb__eval_granularity, .workloads = "cpu.hash", .side = "processes", .others = "threads",
    .margin = 0.05, .chart = "granularity" },
  DUEL("I/O-bound work: threads beat processes (under a GIL).", "io.*", "threads",
       "processes", 2, "scaling-io.sleep", 1),
  DUEL("I/O-bound work: threads beat processes (in plain C).", "io.*", "threads", "processes",
       2, "scaling-io.tcp", 0),
  DUEL("An event loop handles many concurrent waits better than threads (under a GIL).",
       "io.[st]*", "eventloop", "threads", 64, "scaling-io.sleep", 1),
  DUEL("An event loop handles many concurrent waits better than threads (in plain C).",
       "io.[st]*", "eventloop", "threads", 64, "scaling-io.sleep", 0),
  DUEL("Threads are cheaper to start than processes.", "life.spawn", "threads", "processes", 1,
       "scaling-life.spawn", 0),
  { .text = "Threads use less memory per worker than processes.", .eval = cb__eval_slopes,
    .workloads = "life.idle", .side = "threads", .others = "processes", .metric = "maxrss_kb",
    .chart = "memory" },
  { .text = "Threads let you run more workers than processes.", .eval = cb__eval_reach,
    .workloads = "life.idle", .side = "threads", .others = "processes", .chart = "memory" },
  DUEL("Communication-heavy work: threads hand work to each other faster than processes.",
       "comm.pingpong", "threads", "processes", 1, "scaling-comm.pingpong", 0),
  { .text = "Moving data between processes costs more than between threads",
    .eval = cb__eval_duels, .workloads = "comm.payload", .side = "threads",
    .others = "processes,processes/shm", .metric = "throughput", .higher_better = 1,
    .min_c = 1, .chart = "payload", .per_payload = 1 },
  { .text = "A crash takes down a thread pool but not a process pool.", .eval = cb__eval_crash,
    .workloads = "fault.crash", .side = "processes", .others = "threads,eventloop" },
  { .text = "An error takes down only the worker it occurs in.", .eval = cb__eval_contained,
    .workloads = "fault.*", .others = "threads,processes,eventloop" },
  { .text = "Under a GIL, threads do not speed up CPU-bound work but still overlap waits; "
            "processes do both.",
    .eval = cb__eval_gil, .workloads = "*", .side = "processes", .others = "threads",
    .cpu_work = "cpu.*", .chart = "scaling-cpu.hash", .gil = 1 },
  { .text = "A recursive lock costs no more per update than a plain one (within 5%).",
    .eval = cb__eval_cheaper, .side = "sync.rmutex", .others = "sync.mutex", .margin = 0.05,
    .chart = "scaling-sync.rmutex" },
  { .text = "An atomic update is cheaper than one under a lock.", .eval = cb__eval_cheaper,
    .side = "sync.atomic", .others = "sync.mutex", .chart = "scaling-sync.atomic" },
  { .text = "Contention makes every synchronised update dearer (c=2 against c=1).",
    .eval = cb__eval_contention, .workloads = "sync.[mrsa]*", .chart = "scaling-sync.mutex" },
  MIXED("mix.sleep", "an event loop beats threads while requests mostly wait", "eventloop",
        "threads"),
  MIXED("mix.sleep", "threads beat processes while requests mostly wait", "threads",
        "processes"),
  MIXED("mix.tcp", "an event loop beats threads while requests mostly wait", "eventloop",
        "threads"),
  MIXED("mix.tcp", "threads beat processes while requests mostly wait", "threads", "processes"),
  /* Issue 15: the hybrids (P processes of T threads or of one loop with T in
   * flight) and the single loop (asyncio's, node's). */
  { .text = "asyncio handles all the use cases (many waits): one event loop in one thread keeps "
            "up with a loop per PU, processes of loops, threads and processes (within 10%).",
    .eval = cb__eval_duels, .workloads = "io.[st]*", .side = "loop1",
    .others = "eventloop,procs-loops,threads,processes", .metric = "throughput",
    .higher_better = 1, .min_c = 64, .margin = 0.10, .chart = "scaling-io.sleep" },
  { .text = "asyncio handles all the use cases (CPU work): one event loop in one thread keeps "
            "up with a loop per PU, threads and processes (within 10%).",
    .eval = cb__eval_duels, .workloads = "cpu.hash", .side = "loop1",
    .others = "eventloop,procs-loops,threads,processes", .metric = "throughput",
    .higher_better = 1, .min_c = 2, .margin = 0.10, .chart = "scaling-cpu.hash" },
  { .text = "A crash takes down only its own process: the whole trial under threads, one task "
            "under processes, at most a process's T tasks under processes of threads or loops.",
    .eval = cb__eval_blast, .workloads = "fault.crash",
    .others = "threads,processes,procs-threads,procs-loops" },
  { .text = "Processes of threads use less memory per task in flight than processes.",
    .eval = cb__eval_slopes, .workloads = "life.idle", .side = "procs-threads",
    .others = "processes", .metric = "maxrss_kb", .chart = "memory" },
  { .text = "Processes of event loops use less memory per task in flight than processes.",
    .eval = cb__eval_slopes, .workloads = "life.idle", .side = "procs-loops",
    .others = "processes", .metric = "maxrss_kb", .chart = "memory" },
  { .text = "Under a GIL, processes of threads (a process per PU) speed up CPU-bound work, which "
            "threads do not.",
    .eval = cb__eval_gil, .workloads = "cpu.hash", .side = "procs-threads", .others = "threads",
    .cpu_work = "cpu.*", .chart = "scaling-cpu.hash", .gil = 1 },
};

const cb__claim_t *cb__claims(size_t *n)
{
  *n = CB_ARRAY_SIZE(claims);
  return claims;
}
