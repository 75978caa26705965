/* Topology discovery and worker placement. Loading a topology is slow (tens of
 * ms to seconds on big machines), so cb_topo_load* does all the hwloc work
 * once: it walks the PUs and caches, per policy, the order in which workers
 * take places (OS indexes of PUs). A plan is then only "worker i gets
 * order[i mod places]", a pure function of (topology, policy, workers) that
 * tests can check on synthetic topologies. Binding applies one plan entry to
 * the calling thread.
 *
 * Without hwloc the topology is a flat count of online CPUs from sysconf and
 * only CB_PIN_NONE has a plan; every other policy reports -ENOTSUP. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb.h"
#include "topo.h"

#if CB_HAVE_HWLOC
#include <hwloc.h>
#endif

/* The one list of policy names; parse and print both walk it. */
static const char *const pin_names[CB_PIN__COUNT] = {
  [CB_PIN_NONE] = "none",
  [CB_PIN_COMPACT] = "compact",
  [CB_PIN_SCATTER] = "scatter",
  [CB_PIN_CORES] = "cores",
};

struct cb_topo_s {
#if CB_HAVE_HWLOC
  hwloc_topology_t hw;
#endif
  /* Per policy, the places in the order workers take them; NULL for NONE and
   * for every policy that this build cannot honour. */
  int *order[CB_PIN__COUNT];
  unsigned norder[CB_PIN__COUNT];
  unsigned pus, cores, packages, numa;
  int real;
};

int cb_pin_parse(const char *s, cb_pin_policy_t *out)
{
  unsigned i;

  if (s == NULL || out == NULL)
    return -EINVAL;
  for (i = 0; i < CB_PIN__COUNT; i++) {
    if (strcmp(s, pin_names[i]) == 0) {
      *out = (cb_pin_policy_t)i;
      return 0;
    }
  }
  return -EINVAL;
}

const char *cb_pin_name(cb_pin_policy_t p)
{
  if ((unsigned)p >= CB_PIN__COUNT)
    return "?";
  return pin_names[p];
}

static cb_topo_t *topo_new(void)
{
  return calloc(1, sizeof(cb_topo_t));
}

void cb_topo_free(cb_topo_t *t)
{
  unsigned i;

  if (t == NULL)
    return;
  for (i = 0; i < CB_PIN__COUNT; i++)
    free(t->order[i]);
#if CB_HAVE_HWLOC
  if (t->hw != NULL)
    hwloc_topology_destroy(t->hw);
#endif
  free(t);
}

#if CB_HAVE_HWLOC

/* hwloc reports -1 and sets errno; some paths leave errno at 0. */
static int neg_errno(void)
{
  return errno > 0 ? -errno : -EIO;
}

/* Where one PU sits, as ranks that make the scatter order a plain sort. */
typedef struct place_s {
  int os;
  unsigned pu_rank;   /* among the PUs of its core: SMT siblings last */
  unsigned core_rank; /* among the cores of its package */
  unsigned pkg_rank;
  unsigned logical;   /* tie-break, so that qsort's instability never shows */
} place_t;

static int place_cmp(const void *a, const void *b)
{
  const place_t *x = a, *y = b;

  if (x->pu_rank != y->pu_rank)
    return x->pu_rank < y->pu_rank ? -1 : 1;
  if (x->core_rank != y->core_rank)
    return x->core_rank < y->core_rank ? -1 : 1;
  if (x->pkg_rank != y->pkg_rank)
    return x->pkg_rank < y->pkg_rank ? -1 : 1;
  if (x->logical != y->logical)
    return x->logical < y->logical ? -1 : 1;
  return 0;
}

/* hwloc numbers objects of one type in tree order, so the PUs of one core
 * and the cores of one package are consecutive in logical order: one pass
 * with "did the core or package change" gives every rank. A PU without a
 * core ancestor is its own core; without a package everything is one
 * package. Fills `places` and `core_first` (first PU of each core, in core
 * order); returns the number of cores. */
static unsigned walk_pus(hwloc_topology_t hw, unsigned npus, place_t *places,
                         int *core_first)
{
  hwloc_obj_t prev_core = NULL, prev_pkg = NULL;
  unsigned i, ncores = 0, pu_rank = 0, core_rank = 0;
  int new_pkg, new_core;

  for (i = 0; i < npus; i++) {
    hwloc_obj_t pu = hwloc_get_obj_by_type(hw, HWLOC_OBJ_PU, i);
    hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(hw, HWLOC_OBJ_CORE, pu);
    hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(hw, HWLOC_OBJ_PACKAGE, pu);

    if (core == NULL)
      core = pu;
    new_pkg = i == 0 || pkg != prev_pkg;
    new_core = new_pkg || core != prev_core;
    if (new_pkg)
      core_rank = 0;
    else if (new_core)
      core_rank++;
    pu_rank = new_core ? 0 : pu_rank + 1;
    if (new_core)
      core_first[ncores++] = (int)pu->os_index;
    places[i] = (place_t){
      .os = (int)pu->os_index,
      .pu_rank = pu_rank,
      .core_rank = core_rank,
      .pkg_rank = pkg != NULL ? pkg->logical_index : 0,
      .logical = i,
    };
    prev_core = core;
    prev_pkg = pkg;
  }
  return ncores;
}

static unsigned count_or_one(hwloc_topology_t hw, hwloc_obj_type_t type)
{
  int n = hwloc_get_nbobjs_by_type(hw, type);

  return n > 0 ? (unsigned)n : 1;
}

/* Fills counts and the per-policy orders from a loaded topology. */
static int build_orders(cb_topo_t *t)
{
  place_t *places = NULL;
  int *compact = NULL, *scatter = NULL, *cores = NULL;
  int n = hwloc_get_nbobjs_by_type(t->hw, HWLOC_OBJ_PU);
  unsigned i, npus, ncores;
  int err = 0;

  if (n <= 0) {
    err = -ENODEV;
    goto out;
  }
  npus = (unsigned)n;
  places = calloc(npus, sizeof(*places));
  compact = calloc(npus, sizeof(*compact));
  scatter = calloc(npus, sizeof(*scatter));
  cores = calloc(npus, sizeof(*cores));
  if (places == NULL || compact == NULL || scatter == NULL || cores == NULL) {
    err = -ENOMEM;
    goto out;
  }

  ncores = walk_pus(t->hw, npus, places, cores);
  for (i = 0; i < npus; i++)
    compact[i] = places[i].os;
  qsort(places, npus, sizeof(*places), place_cmp);
  for (i = 0; i < npus; i++)
    scatter[i] = places[i].os;

  t->pus = npus;
  t->cores = ncores;
  t->packages = count_or_one(t->hw, HWLOC_OBJ_PACKAGE);
  t->numa = count_or_one(t->hw, HWLOC_OBJ_NUMANODE);
  t->order[CB_PIN_COMPACT] = compact;
  t->norder[CB_PIN_COMPACT] = npus;
  t->order[CB_PIN_SCATTER] = scatter;
  t->norder[CB_PIN_SCATTER] = npus;
  t->order[CB_PIN_CORES] = cores;
  t->norder[CB_PIN_CORES] = ncores;
  compact = scatter = cores = NULL;

out:
  free(cores);
  free(scatter);
  free(compact);
  free(places);
  return err;
}

/* desc == NULL loads the real machine. */
static int topo_load(const char *desc, cb_topo_t **out)
{
  cb_topo_t *t = NULL;
  int err = 0;

  *out = NULL;
  t = topo_new();
  if (t == NULL) {
    err = -ENOMEM;
    goto out;
  }
  if (hwloc_topology_init(&t->hw) != 0) {
    t->hw = NULL;
    err = neg_errno();
    goto out;
  }
  if (desc != NULL && hwloc_topology_set_synthetic(t->hw, desc) != 0) {
    err = -EINVAL;
    goto out;
  }
  if (hwloc_topology_load(t->hw) != 0) {
    err = neg_errno();
    goto out;
  }
  err = build_orders(t);
  if (err != 0)
    goto out;
  t->real = hwloc_topology_is_thissystem(t->hw) != 0;
  *out = t;
  t = NULL;

out:
  cb_topo_free(t);
  return err;
}

int cb_topo_load(cb_topo_t **out)
{
  if (out == NULL)
    return -EINVAL;
  return topo_load(NULL, out);
}

/* Synthetic descriptions are checked against a strict subset of hwloc's
 * grammar before hwloc sees them: space-separated levels, each `type:count`
 * or a bare `count`, counts in decimal, a level optionally followed by one
 * `(attributes)` group. Within that subset the number of PUs is the product
 * of the counts, and a machine above CB_SYNTHETIC_MAX_PUS is refused: hwloc
 * takes seconds and gigabytes to build 10^5 objects. (Fuzzing found four
 * ways through looser checks: missing spaces, hex counts, an unbalanced
 * bracket, a "0x" read as 0.) Returns 0 and the PU count, or -EINVAL. */
static int synthetic_check(const char *desc, double *pus)
{
  const char *p = desc;
  double product = 1, count;
  int levels = 0;

  while (*p == ' ')
    p++;
  while (*p != '\0') {
    if (isalpha((unsigned char)*p)) { /* a type: a letter, then letters and digits */
      while (isalnum((unsigned char)*p))
        p++;
      if (*p++ != ':')
        return -EINVAL;
    }
    if (!isdigit((unsigned char)*p))
      return -EINVAL;
    for (count = 0; isdigit((unsigned char)*p); p++)
      count = count * 10 + (*p - '0');
    product *= count;
    if (*p == '(') { /* attributes, not nested */
      p += 1 + strcspn(p + 1, "()");
      if (*p++ != ')')
        return -EINVAL;
    }
    if (*p != ' ' && *p != '\0')
      return -EINVAL;
    while (*p == ' ')
      p++;
    levels++;
  }
  *pus = product;
  return levels > 0 ? 0 : -EINVAL;
}

int cb_topo_load_synthetic(const char *desc, cb_topo_t **out)
{
  double pus;

  if (out == NULL)
    return -EINVAL;
  *out = NULL;
  if (desc == NULL)
    return -EINVAL;
  if (synthetic_check(desc, &pus) != 0)
    return -EINVAL;
  if (pus > CB_SYNTHETIC_MAX_PUS)
    return -E2BIG;
  return topo_load(desc, out);
}

/* A PU's cpuset has one bit, but singlify anyway: binding must never leave the
 * thread free to move between PUs. */
static int bind_thread(const cb_topo_t *t, int os)
{
  hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t->hw, (unsigned)os);
  hwloc_bitmap_t set = NULL;
  int err = 0;

  if (pu == NULL) {
    err = -EINVAL;
    goto out;
  }
  set = hwloc_bitmap_dup(pu->cpuset);
  if (set == NULL) {
    err = -ENOMEM;
    goto out;
  }
  hwloc_bitmap_singlify(set);
  /* THREAD, not 0 or PROCESS: those would rebind every worker at once. */
  if (hwloc_set_cpubind(t->hw, set, HWLOC_CPUBIND_THREAD) != 0)
    err = neg_errno();

out:
  hwloc_bitmap_free(set);
  return err;
}

#else /* !CB_HAVE_HWLOC */

int cb_topo_load(cb_topo_t **out)
{
  cb_topo_t *t;
  long n;

  if (out == NULL)
    return -EINVAL;
  *out = NULL;
  t = topo_new();
  if (t == NULL)
    return -ENOMEM;
  n = sysconf(_SC_NPROCESSORS_ONLN);
  t->pus = n > 0 ? (unsigned)n : 1;
  t->cores = t->pus;
  t->packages = 1;
  t->numa = 1;
  t->real = 1;
  *out = t;
  return 0;
}

int cb_topo_load_synthetic(const char *desc, cb_topo_t **out)
{
  CB_UNUSED(desc);
  if (out != NULL)
    *out = NULL;
  return -ENOTSUP;
}

/* Unreachable: without hwloc no plan has a PU. */
static int bind_thread(const cb_topo_t *t, int os)
{
  CB_UNUSED(t);
  CB_UNUSED(os);
  return -ENOTSUP;
}

#endif /* CB_HAVE_HWLOC */

unsigned cb_topo_pus(const cb_topo_t *t)
{
  return t->pus;
}

unsigned cb_topo_cores(const cb_topo_t *t)
{
  return t->cores;
}

unsigned cb_topo_packages(const cb_topo_t *t)
{
  return t->packages;
}

unsigned cb_topo_numa_nodes(const cb_topo_t *t)
{
  return t->numa;
}

#if CB_HAVE_HWLOC
static const char *cache_type(hwloc_obj_cache_type_t t)
{
  return t == HWLOC_OBJ_CACHE_DATA ? "Data" : t == HWLOC_OBJ_CACHE_INSTRUCTION ? "Instruction"
                                                                              : "Unified";
}

size_t cb_topo_caches(const cb_topo_t *t, cb_cache_t *out, size_t max)
{
  static const hwloc_obj_type_t kinds[] = {
    HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
  };
  hwloc_obj_t o;
  size_t i, n = 0;

  for (i = 0; i < CB_ARRAY_SIZE(kinds) && n < max; i++) {
    o = hwloc_get_obj_by_type(t->hw, kinds[i], 0);
    if (o == NULL || o->attr == NULL)
      continue;
    out[n].level = o->attr->cache.depth;
    out[n].type = cache_type(o->attr->cache.type);
    out[n].size = (unsigned long long)o->attr->cache.size;
    out[n].num_sharing = (unsigned)hwloc_bitmap_weight(o->cpuset);
    n++;
  }
  return n;
}
#else
size_t cb_topo_caches(const cb_topo_t *t, cb_cache_t *out, size_t max)
{
  CB_UNUSED(t);
  CB_UNUSED(out);
  CB_UNUSED(max);
  return 0;
}
#endif

int cb_topo_is_real(const cb_topo_t *t)
{
  return t->real;
}

int cb_plan_compute(const cb_topo_t *t, cb_pin_policy_t policy, unsigned workers,
                    cb_plan_t *out)
{
  const int *order;
  unsigned i, n;
  int *pu;

  if (out == NULL)
    return -EINVAL;
  memset(out, 0, sizeof(*out));
  if (t == NULL || workers == 0 || (unsigned)policy >= CB_PIN__COUNT)
    return -EINVAL;
  order = t->order[policy];
  n = t->norder[policy];
  if (policy != CB_PIN_NONE && order == NULL)
    return -ENOTSUP;
  pu = calloc(workers, sizeof(*pu));
  if (pu == NULL)
    return -ENOMEM;
  for (i = 0; i < workers; i++)
    pu[i] = order != NULL ? order[i % n] : -1;
  *out = (cb_plan_t){
    .policy = policy,
    .workers = workers,
    .pu = pu,
    .wrapped = order != NULL && workers > n,
    .topo = t,
    .bind = t->real ? bind_thread : NULL,
  };
  return 0;
}

void cb_plan_free(cb_plan_t *p)
{
  if (p == NULL)
    return;
  free(p->pu);
  memset(p, 0, sizeof(*p));
}

/* Print lines stay within this width, also for 64+ workers; plan entries
 * line up after the policy name column. */
#define LINE_WIDTH 78
#define NAME_WIDTH 9

/* Appends one word, starting a new indented line when it would not fit. */
static void put_word(FILE *f, unsigned *col, const char *word)
{
  size_t len = strlen(word);

  if (*col > NAME_WIDTH && *col + 1 + len > LINE_WIDTH) {
    fprintf(f, "\n%*s", NAME_WIDTH, "");
    *col = NAME_WIDTH;
  }
  if (*col > NAME_WIDTH) {
    fputc(' ', f);
    (*col)++;
  }
  fputs(word, f);
  *col += (unsigned)len;
}

static int print_plan(FILE *f, const cb_topo_t *t, cb_pin_policy_t policy,
                      unsigned workers)
{
  cb_plan_t plan;
  char word[64];
  unsigned i, col = NAME_WIDTH;
  int err;

  fprintf(f, "%-*s", NAME_WIDTH, cb_pin_name(policy));
  err = cb_plan_compute(t, policy, workers, &plan);
  if (err == -ENOTSUP) {
    fputs("(needs hwloc)\n", f);
    err = 0;
    goto out;
  }
  if (err != 0)
    goto out;
  if (policy == CB_PIN_NONE) {
    fputs("(not bound)\n", f);
    goto out;
  }
  for (i = 0; i < workers; i++) {
    snprintf(word, sizeof(word), "w%u->PU%d", i, plan.pu[i]);
    put_word(f, &col, word);
  }
  if (plan.wrapped) {
    snprintf(word, sizeof(word), "(wraps: %u workers on %u places)", workers,
             t->norder[policy]);
    put_word(f, &col, word);
  }
  fputc('\n', f);

out:
  cb_plan_free(&plan);
  return err;
}

int cb_topo_print(FILE *f, const cb_topo_t *t, unsigned workers)
{
  unsigned i;
  int err = 0;

  if (f == NULL || t == NULL || workers == 0) {
    err = -EINVAL;
    goto out;
  }
  fprintf(f, "topology: PUs %u, cores %u, packages %u, NUMA nodes %u, SMT %s\n",
          t->pus, t->cores, t->packages, t->numa, t->pus > t->cores ? "on" : "off");
  if (!t->real)
    fputs("(not this machine: binding has no effect)\n", f);
  fprintf(f, "placement of %u workers (w<worker>->PU<OS index>):\n", workers);
  for (i = 0; i < CB_PIN__COUNT; i++) {
    err = print_plan(f, t, (cb_pin_policy_t)i, workers);
    if (err != 0)
      goto out;
  }
  if (ferror(f))
    err = -EIO;

out:
  return err;
}
