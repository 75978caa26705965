/* Placement plans as a runner reads them: which PU each worker is bound to.
 * The harness computes a plan from the topology (harness/topo.h); a runner
 * only binds its workers by it, through cb_plan_bind_self. */
#ifndef CB_PLAN_H
#define CB_PLAN_H

#include <errno.h>

typedef enum cb_pin_policy_e {
  CB_PIN_NONE,    /* no binding: the kernel places workers */
  CB_PIN_COMPACT, /* fill PUs in topology order */
  CB_PIN_SCATTER, /* round-robin across packages, then cores, SMT siblings last */
  CB_PIN_CORES,   /* at most one worker per physical core (its first PU) */
  CB_PIN__COUNT
} cb_pin_policy_t;

typedef struct cb_topo_s cb_topo_t;

typedef struct cb_plan_s {
  cb_pin_policy_t policy;
  unsigned workers;
  int *pu;       /* per worker: OS index of its PU, -1 when not bound */
  int wrapped;   /* 1 when some place holds more than one worker */
  const cb_topo_t *topo;
  /* Binds the calling thread to PU `pu` of `topo` (set by the harness,
   * which owns the topology): 0 or -errno. */
  int (*bind)(const cb_topo_t *topo, int pu);
} cb_plan_t;

/* Bind the calling thread to the PU of `worker`; a no-op for NONE and for a
 * topology that is not this machine's (synthetic or XML: hwloc would accept
 * the call and do nothing; skipping it keeps that silence explicit). 0 or
 * -errno. */
static inline int cb_plan_bind_self(const cb_plan_t *p, unsigned worker)
{
  if (p == NULL || p->topo == NULL || worker >= p->workers)
    return -EINVAL;
  if (p->policy == CB_PIN_NONE || p->pu[worker] < 0 || p->bind == NULL)
    return 0;
  return p->bind(p->topo, p->pu[worker]);
}

#endif
