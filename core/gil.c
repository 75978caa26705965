/* The GIL; see gil.h for the design. Lock order: `mutex`, then
 * `switch_mutex` (take holds both while it records the new holder); drop
 * never holds both. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "gil.h"

atomic_int cb__gil_drop_request;
int cb__gil_on;

typedef struct gil_s {
  pthread_mutex_t mutex;        /* guards locked, switch_number, last_holder's writes */
  pthread_cond_t cond;          /* waiters for the GIL; CLOCK_MONOTONIC */
  pthread_mutex_t switch_mutex; /* guards last_holder against a dropper's check */
  pthread_cond_t switch_cond;   /* signalled on every take */
  int locked;
  const void *last_holder;
  uint64_t switch_number;
  uint64_t interval_ns;
} gil_t;

static gil_t gil;

/* The calling thread's identity is the address of its own `held`. */
static __thread int held;
static __thread int released; /* let go by cb_gil_release, to take back */

int cb_gil_init(int on, uint64_t switch_interval_us)
{
  pthread_condattr_t ca;
  int err;

  cb__gil_on = 0;
  atomic_store(&cb__gil_drop_request, 0);
  if (!on)
    return 0;
  if (switch_interval_us == 0 || !CB_GIL_CHECKPOINTS)
    return -EINVAL;
  memset(&gil, 0, sizeof(gil));
  gil.interval_ns = switch_interval_us * 1000u;
  err = -pthread_condattr_init(&ca);
  if (err != 0)
    return err;
  err = -pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  if (err == 0)
    err = -pthread_cond_init(&gil.cond, &ca);
  pthread_condattr_destroy(&ca);
  if (err != 0)
    return err;
  pthread_mutex_init(&gil.mutex, NULL);
  pthread_mutex_init(&gil.switch_mutex, NULL);
  pthread_cond_init(&gil.switch_cond, NULL);
  held = released = 0;
  cb__gil_on = 1;
  return 0;
}

void cb_gil_fini(void)
{
  if (!cb__gil_on)
    return;
  cb__gil_on = 0;
  held = released = 0;
  atomic_store(&cb__gil_drop_request, 0);
  pthread_cond_destroy(&gil.switch_cond);
  pthread_mutex_destroy(&gil.switch_mutex);
  pthread_cond_destroy(&gil.cond);
  pthread_mutex_destroy(&gil.mutex);
}

int cb_gil_held(void)
{
  return held;
}

uint64_t cb_gil_switches(void)
{
  uint64_t n;

  if (!cb__gil_on)
    return 0;
  pthread_mutex_lock(&gil.mutex);
  n = gil.switch_number;
  pthread_mutex_unlock(&gil.mutex);
  return n;
}

static void deadline(struct timespec *ts, uint64_t ns)
{
  clock_gettime(CLOCK_MONOTONIC, ts);
  ns += (uint64_t)ts->tv_nsec;
  ts->tv_sec += (time_t)(ns / 1000000000u);
  ts->tv_nsec = (long)(ns % 1000000000u);
}

/* Both keep errno, as CPython's take_gil does: a caller reads the errno of
 * the system call it wrapped after taking the GIL back. */
static void take(void)
{
  struct timespec ts;
  uint64_t saved;
  int r, saved_errno = errno;

  if (held)
    return;
  pthread_mutex_lock(&gil.mutex);
  while (gil.locked) {
    saved = gil.switch_number;
    deadline(&ts, gil.interval_ns);
    r = pthread_cond_timedwait(&gil.cond, &gil.mutex, &ts);
    /* A whole interval without a hand-off: ask the holder to drop it. */
    if (r == ETIMEDOUT && gil.locked && gil.switch_number == saved)
      atomic_store_explicit(&cb__gil_drop_request, 1, memory_order_relaxed);
  }
  pthread_mutex_lock(&gil.switch_mutex);
  gil.locked = 1;
  if (gil.last_holder != &held) {
    gil.last_holder = &held;
    gil.switch_number++;
  }
  pthread_cond_broadcast(&gil.switch_cond);
  pthread_mutex_unlock(&gil.switch_mutex);
  /* Whoever asked got what a drop request asks for: a hand-off. */
  atomic_store_explicit(&cb__gil_drop_request, 0, memory_order_relaxed);
  pthread_mutex_unlock(&gil.mutex);
  held = 1;
  errno = saved_errno;
}

static void drop(void)
{
  int saved_errno = errno;

  if (!held)
    return;
  held = 0;
  pthread_mutex_lock(&gil.mutex);
  gil.locked = 0;
  pthread_cond_signal(&gil.cond);
  pthread_mutex_unlock(&gil.mutex);
  /* A waiter asked for it: do not take it back before it (or any other
   * thread) had it. The request is only set by a thread that waits in
   * cb__gil_take and leaves only by taking, so the wait ends. */
  if (atomic_load_explicit(&cb__gil_drop_request, memory_order_relaxed)) {
    pthread_mutex_lock(&gil.switch_mutex);
    while (gil.last_holder == &held)
      pthread_cond_wait(&gil.switch_cond, &gil.switch_mutex);
    pthread_mutex_unlock(&gil.switch_mutex);
  }
  errno = saved_errno;
}

void cb__gil_yield(void)
{
  if (!held)
    return;
  drop();
  take();
}

void cb_gil_enter(void)
{
  if (cb__gil_on)
    take();
}

void cb_gil_leave(void)
{
  if (cb__gil_on)
    drop();
  released = 0;
}

void cb__gil_release(void)
{
  if (!held)
    return;
  drop();
  released = 1;
}

void cb__gil_acquire(void)
{
  if (!released)
    return;
  released = 0;
  take();
}
