/* Shared basics of concbench: the error convention, the clock and the integer
 * mixing function that every checksum is built from.
 *
 * Errors are 0 or a negative errno everywhere. pthread's positive codes and
 * hwloc's -1+errno are converted where they enter our code; only main and the
 * reporters turn an error into words. */
#ifndef CB_H
#define CB_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>

#include "cb_config.h"

#define CB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CB_UNUSED(x) ((void)(x))

/* Room for element n of the array *arrayp (of *cap elements of `elem`
 * bytes): doubles it (from `first`) when n is past its end. 0, or -ENOMEM
 * with the array and *cap unchanged (core/grow.c). CB_GROW(a, cap, n, first)
 * passes a's address and element size. */
int cb_grow(void *arrayp, size_t *cap, size_t n, size_t elem, size_t first);
#define CB_GROW(a, cap, n, first) cb_grow(&(a), &(cap), (n), sizeof(*(a)), (first))

/* The monotonic clock that every timed region uses. */
static inline uint64_t cb_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64's finaliser: a cheap bijective mix, so checksums of different
 * tasks never cancel by accident. */
static inline uint64_t cb_mix64(uint64_t x)
{
  x ^= x >> 30;
  x *= UINT64_C(0xbf58476d1ce4e5b9);
  x ^= x >> 27;
  x *= UINT64_C(0x94d049bb133111eb);
  x ^= x >> 31;
  return x;
}

/* Seed of task `index`: every workload derives its input from this, so a task's
 * result depends only on (index, size, payload, seed). */
static inline uint64_t cb_task_seed(uint64_t seed, uint64_t index)
{
  return cb_mix64(seed ^ cb_mix64(index + UINT64_C(0x9e3779b97f4a7c15)));
}

#endif
