/* Topology and pinning. hwloc loads the machine (or a synthetic topology in
 * tests) once, outside every timed region. A placement plan is a pure function
 * of (topology, policy, worker count), so tests check plans on synthetic
 * topologies; binding applies one plan entry to the calling thread. */
#ifndef CB_TOPO_H
#define CB_TOPO_H

#include <stdio.h>

#include "plan.h"


/* "none" | "compact" | "scatter" | "cores"; 0 or -EINVAL. */
int cb_pin_parse(const char *s, cb_pin_policy_t *out);
const char *cb_pin_name(cb_pin_policy_t p);

/* The real machine. 0 or -errno. */
int cb_topo_load(cb_topo_t **out);
/* The largest synthetic machine accepted, in PUs. */
#define CB_SYNTHETIC_MAX_PUS 4096

/* An hwloc synthetic description, e.g. "pack:2 core:4 pu:2(indexes=...)":
 * space-separated `type:count` or `count` levels with decimal counts, each
 * optionally followed by one (attributes) group — a strict subset of hwloc's
 * grammar, so that the size can be bounded before hwloc builds it. -EINVAL
 * outside that subset or when hwloc rejects it, -E2BIG above
 * CB_SYNTHETIC_MAX_PUS, -ENOTSUP without hwloc. */
int cb_topo_load_synthetic(const char *desc, cb_topo_t **out);
void cb_topo_free(cb_topo_t *t);

unsigned cb_topo_pus(const cb_topo_t *t);
unsigned cb_topo_cores(const cb_topo_t *t);
unsigned cb_topo_packages(const cb_topo_t *t);
unsigned cb_topo_numa_nodes(const cb_topo_t *t);
/* 1 when binding affects this machine (not a synthetic topology). */
int cb_topo_is_real(const cb_topo_t *t);

/* One kind of CPU cache: every cache of a level and type is alike here. */
typedef struct cb_cache_s {
  unsigned level;      /* 1, 2, 3 */
  const char *type;    /* "Data", "Instruction", "Unified" (Google Benchmark's words) */
  unsigned long long size;
  unsigned num_sharing; /* PUs sharing one such cache */
} cb_cache_t;

/* Up to `max` cache kinds, smallest level first; returns how many (0 without
 * hwloc). */
size_t cb_topo_caches(const cb_topo_t *t, cb_cache_t *out, size_t max);

/* 0, -EINVAL (bad args), -ENOTSUP (policy needs hwloc), -ENOMEM. */
int cb_plan_compute(const cb_topo_t *t, cb_pin_policy_t policy, unsigned workers,
                    cb_plan_t *out);
void cb_plan_free(cb_plan_t *p);

/* `concbench topology`: the machine and each policy's plan for `workers`. */
int cb_topo_print(FILE *f, const cb_topo_t *t, unsigned workers);

#endif
