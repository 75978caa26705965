/* The timed wait shared by io.sleep and life.idle: two workloads that differ
 * in what they are for (a slow service; idle workers whose memory is
 * measured) but wait the same way. Blocking form: nanosleep(), with the GIL
 * released under --gil, as time.sleep() releases it. Asynchronous form: a
 * timerfd watched with uv_poll, so the loop learns that a wait is over the
 * way it learns that a reply arrived (a descriptor becomes readable), with
 * the same nanosecond precision as nanosleep. (uv_timer counts whole
 * milliseconds of a cached, truncated loop time: its waits end up to a
 * millisecond early or late, which would be charged to the model.)
 *
 * A wait that ends early is a wrong result: each task measures its own wait
 * on the monotonic clock and its checksum is right only when the wait lasted
 * at least `size` microseconds, so a runner that cuts waits short fails
 * verification instead of looking fast. */
#ifndef CB_SLEEP_H
#define CB_SLEEP_H

#include "workload.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

uint64_t cb__sleep_expect(const cb_task_t *t);
int cb__sleep_run(const cb_task_t *t, uint64_t *checksum);

#if CB_HAVE_LIBUV
typedef struct cb__sleep_slot_s {
  uv_poll_t poll;
  int tfd;
  uint64_t t_start;
  void (*closed)(cb_async_t *a);
} cb__sleep_slot_t;

int cb__sleep_open(cb_async_t *a);
int cb__sleep_start(cb_async_t *a);
void cb__sleep_close(cb_async_t *a, void (*closed)(cb_async_t *a));

/* The asynchronous members of a cb_workload_t that waits this way. */
#define CB__SLEEP_ASYNC                          \
  .async_slot_size = sizeof(cb__sleep_slot_t),   \
  .async_open = cb__sleep_open,                  \
  .async_start = cb__sleep_start,                \
  .async_close = cb__sleep_close,
#else
#define CB__SLEEP_ASYNC
#endif

#endif
