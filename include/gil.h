/* GIL mode (`concbench run --gil`): one global lock that a worker must hold
 * while it executes task code, handed over the way CPython (3.2 and later)
 * hands over its global interpreter lock, so that threads and event loops can
 * be measured the way Python runs them.
 *
 * Design, after CPython's Python/ceval_gil.c ("new GIL", FORCE_SWITCHING):
 * - A thread that wants the GIL while another holds it waits on a condition
 *   variable for the switch interval (`--switch-interval`, default 5000 us,
 *   sys.getswitchinterval()). If it wakes by timeout and no hand-off happened
 *   in between (the switch counter did not move), it sets the drop request.
 *   Each wake-up restarts the full interval, as in CPython.
 * - The holder passes a checkpoint every few microseconds of task code
 *   (cb_gil_checkpoint(), CPython's eval-breaker check): one relaxed load of
 *   the drop request, which is 0 whenever GIL mode is off or nobody waits.
 *   When it is set the holder drops the GIL and, since a drop request is
 *   pending, waits until another thread has taken it before it asks for it
 *   again: the hand-off is forced and fair, the waiter is not out-raced by
 *   the thread that just let go.
 * - Blocking waits release it: workloads wrap nanosleep, socket and file
 *   calls (and waits on the runner's kin) in cb_gil_release() /
 *   cb_gil_acquire(), where CPython has Py_BEGIN/END_ALLOW_THREADS. A lock
 *   that is busy is taken with the GIL released, as CPython's lock.acquire()
 *   does after a failed non-blocking try.
 * The lock is process-private: forked workers each get a copy of their own,
 * so a process pool escapes it, as multiprocessing escapes Python's. Every
 * function is a no-op (and costs one test of a flag) when GIL mode is off.
 *
 * Runners say where a worker runs task code with cb_gil_enter() and
 * cb_gil_leave() (where each runner does is described in its file); task
 * code lets go around a blocking wait with the pair cb_gil_release() /
 * cb_gil_acquire(), which takes back only what the release let go of, so the
 * same code is right where the caller does not hold the GIL (a worker's
 * set-up before the start barrier, the coordinator computing expected
 * checksums). Pairs do not nest. */
#ifndef CB_GIL_H
#define CB_GIL_H

#include <stdatomic.h>
#include <stdint.h>

#include "cb.h"

/* Set by the build: -Dgil_checkpoints=false compiles the checkpoints out
 * (to measure what they cost with the GIL off; --gil is refused then). */
#ifndef CB_GIL_CHECKPOINTS
#define CB_GIL_CHECKPOINTS 1
#endif

/* Non-zero while a waiter asks the holder to drop the GIL; never set when
 * GIL mode is off. Written by the GIL only. */
extern atomic_int cb__gil_drop_request;
/* GIL mode on in this process; set before any worker exists. */
extern int cb__gil_on;

void cb__gil_yield(void);

/* Turn GIL mode on with a switch interval (us, > 0) or off (on = 0) for the
 * trial in this process, before any worker exists. 0 or -errno. */
int cb_gil_init(int on, uint64_t switch_interval_us);
/* After every worker is gone: back to off. */
void cb_gil_fini(void);
/* 1 when GIL mode is on in this process. */
static inline int cb_gil_enabled(void)
{
  return cb__gil_on;
}
/* 1 when the calling thread holds the GIL. */
int cb_gil_held(void);
/* Take the GIL to run task code (no-op when held, or in GIL mode off); leave
 * it when the worker stops running task code. For runners. */
void cb_gil_enter(void);
void cb_gil_leave(void);
/* How many times the GIL changed hands since cb_gil_init (a take by another
 * thread than the last holder). */
uint64_t cb_gil_switches(void);

/* Task code calls this often (every few microseconds of work): when another
 * worker asked for the GIL, hand it over and wait for it back. Safe to call
 * without holding the GIL or with GIL mode off. */
static inline void cb_gil_checkpoint(void)
{
#if CB_GIL_CHECKPOINTS
  if (__builtin_expect(atomic_load_explicit(&cb__gil_drop_request, memory_order_relaxed), 0))
    cb__gil_yield();
#endif
}

void cb__gil_release(void);
void cb__gil_acquire(void);

/* Around a blocking wait in task code: let others run, then wait for the GIL
 * back; when the caller did not hold it, both do nothing. Both keep errno,
 * so the wrapped call's errno can be read after cb_gil_acquire(). */
static inline void cb_gil_release(void)
{
  if (cb__gil_on)
    cb__gil_release();
}

static inline void cb_gil_acquire(void)
{
  if (cb__gil_on)
    cb__gil_acquire();
}

#endif
