/* The workload contract. A workload is one file that fills in one
 * `const cb_workload_t` and one line in workloads/registry.c; the compiler
 * checks every workload against this struct. A workload never knows which
 * runner calls it: it offers a blocking form (serial, threads, processes) and,
 * optionally, an asynchronous form for the libuv event loop. */
#ifndef CB_WORKLOAD_H
#define CB_WORKLOAD_H

#include <stdint.h>
#include <stddef.h>

#include "cb.h"

typedef struct cb_params_s {
  uint64_t tasks;   /* tasks per trial */
  uint64_t size;    /* work per task, in the workload's unit */
  uint64_t payload; /* bytes in and out per task */
  uint64_t seed;
} cb_params_t;

typedef struct cb_async_s cb_async_t;
typedef void (*cb_async_done_fn)(cb_async_t *a, int err, uint64_t checksum);

/* One in-flight slot of the event loop runner. The runner owns it; the
 * workload keeps its handles in `slot` (async_slot_size bytes, zeroed), which
 * lives from async_open to the callback of async_close. */
struct cb_async_s {
  void *loop;                /* uv_loop_t * */
  const cb_params_t *params;
  void *state;               /* from setup */
  uint64_t index;            /* task being run by async_start */
  cb_async_done_fn done;     /* call exactly once per async_start, never from inside it */
  void *slot;
  void *runner_data;
};

typedef struct cb_workload_s {
  const char *name;        /* family.name, e.g. "cpu.hash"; family = text before '.' */
  const char *description; /* one line */
  const char *size_unit;   /* e.g. "iterations", "us" */
  uint64_t default_size;
  uint64_t default_tasks;

  /* Trial set-up in the trial process, before any worker exists; teardown after
   * they are all gone. Both optional. */
  int (*setup)(const cb_params_t *p, void **state);
  void (*teardown)(void *state);

  /* Blocking form: run task `index`, store its checksum. 0 or -errno. */
  int (*run)(const cb_params_t *p, void *state, uint64_t index, uint64_t *checksum);

  /* The checksum task `index` must produce, computed without concurrency. */
  uint64_t (*expect)(const cb_params_t *p, uint64_t index);

  /* Asynchronous form (optional; without it the event loop runs `run` inline
   * and blocks, which is what such a task does to a loop). */
  size_t async_slot_size;
  int (*async_open)(cb_async_t *a);
  int (*async_start)(cb_async_t *a);
  void (*async_close)(cb_async_t *a, void (*closed)(cb_async_t *a));
} cb_workload_t;

/* The registry: every workload, in the order `concbench list` shows them. */
extern const cb_workload_t *const cb_workloads[];
extern const size_t cb_workloads_count;

const cb_workload_t *cb_workload_find(const char *name);
/* Family of a workload: "cpu" for "cpu.hash"; "noop" for "noop". */
size_t cb_workload_family(const cb_workload_t *w, char *buf, size_t len);

#endif
