/* life.idle: c workers that block doing nothing for `size` us, one task per
 * unit of concurrency, so that at the end of the task phase all c are alive
 * at once: the trial's memory (maxrss_kb) divided by c is the memory one idle
 * worker costs under each model, and startup_s is what creating c of them
 * costs. Under the event loop the "workers" are c pending timers. */
#include "sleep.h"

const cb_workload_t cb_workload_life_idle = {
  .name = "life.idle",
  .description = "c workers block for size us at once: memory and creation cost per worker",
  .size_unit = "us",
  .default_size = 100000,
  .max_size = 60000000, /* a minute */
  .default_tasks = 0,
  .async_fds_per_task = 1,
  .run = cb__sleep_run,
  .expect = cb__sleep_expect,
  CB__SLEEP_ASYNC
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(20000, 0),
               [CB_PROFILE_STANDARD] = CB_SIZING(50000, 0),
               [CB_PROFILE_FULL] = CB_SIZING(200000, 0) },
  .test = CB_SIZING(1000, 0),
  .charts = CB_CHART_MEMORY,
};
