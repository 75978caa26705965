/* Tests of harness/topo.c. Placement plans are checked exactly on hwloc
 * synthetic topologies, where hwloc numbers PUs P#0.. in topology order
 * unless the description gives `indexes=`; binding is checked on the real
 * machine, where it must move the calling thread. Without hwloc only the
 * parts that exist in such a build are tested. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cb_config.h"
#include "common.h"
#include "runner.h"
#include "topo.h"

/* 2 packages x 4 cores x 2 PUs; PU P#k sits on core k / 2. */
#define PLAIN "pack:2 core:4 pu:2"
/* Same shape, SMT siblings numbered P#i and P#i+8; P#k sits on core k % 8. */
#define INTEL "pack:2 core:4 pu:2(indexes=0,8,1,9,2,10,3,11,4,12,5,13,6,14,7,15)"

static void test_parse_round_trip(void **state)
{
  unsigned i;
  cb_pin_policy_t p;

  (void)state;
  for (i = 0; i < CB_PIN__COUNT; i++) {
    p = CB_PIN__COUNT;
    assert_int_equal(cb_pin_parse(cb_pin_name((cb_pin_policy_t)i), &p), 0);
    assert_int_equal(p, i);
  }
  assert_string_equal(cb_pin_name(CB_PIN_NONE), "none");
  assert_string_equal(cb_pin_name(CB_PIN_COMPACT), "compact");
  assert_string_equal(cb_pin_name(CB_PIN_SCATTER), "scatter");
  assert_string_equal(cb_pin_name(CB_PIN_CORES), "cores");
  assert_string_equal(cb_pin_name(CB_PIN__COUNT), "?");
  assert_string_equal(cb_pin_name((cb_pin_policy_t)(CB_PIN__COUNT + 7)), "?");
}

static void test_parse_rejects_bad_names(void **state)
{
  static const char *const bad[] = {"", "Compact", "core", "compact ", " none",
                                    "NONE", "scatte", "?"};
  cb_pin_policy_t p;
  size_t i;

  (void)state;
  for (i = 0; i < CBT_ARRAY_SIZE(bad); i++)
    assert_int_equal(cb_pin_parse(bad[i], &p), -EINVAL);
  assert_int_equal(cb_pin_parse(NULL, &p), -EINVAL);
}

static void test_real_machine_loads(void **state)
{
  cb_topo_t *t = NULL;
  cpu_set_t aff;

  (void)state;
  assert_int_equal(sched_getaffinity(0, sizeof(aff), &aff), 0);
  assert_int_equal(cb_topo_load(&t), 0);
  assert_non_null(t);
  assert_true(cb_topo_is_real(t));
  /* every CPU this process may run on is a PU of the machine */
  assert_true(cb_topo_pus(t) >= (unsigned)CPU_COUNT(&aff));
  assert_true(cb_topo_pus(t) >= cb_topo_cores(t));
  assert_true(cb_topo_cores(t) >= cb_topo_packages(t));
  assert_true(cb_topo_packages(t) >= 1);
  assert_true(cb_topo_numa_nodes(t) >= 1);
  cb_topo_free(t);
}

static void test_none_is_unbound(void **state)
{
  cb_plan_t plan;
  cpu_set_t before, after;
  unsigned i;

  (void)state;
  assert_int_equal(cb_plan_compute(cbt_topo, CB_PIN_NONE, 5, &plan), 0);
  assert_int_equal(plan.wrapped, 0);
  for (i = 0; i < 5; i++)
    assert_int_equal(plan.pu[i], -1);

  assert_int_equal(sched_getaffinity(0, sizeof(before), &before), 0);
  assert_int_equal(cb_plan_bind_self(&plan, 4), 0);
  assert_int_equal(sched_getaffinity(0, sizeof(after), &after), 0);
  assert_true(CPU_EQUAL(&before, &after));
  assert_int_equal(cb_plan_bind_self(&plan, 5), -EINVAL);

  cb_plan_free(&plan);
}

static void test_zero_workers_is_einval(void **state)
{
  cb_plan_t plan;
  unsigned i;

  (void)state;
  for (i = 0; i < CB_PIN__COUNT; i++)
    assert_int_equal(cb_plan_compute(cbt_topo, (cb_pin_policy_t)i, 0, &plan), -EINVAL);
  assert_int_equal(cb_plan_compute(cbt_topo, CB_PIN__COUNT, 1, &plan), -EINVAL);
}

#if CB_HAVE_HWLOC

static void assert_plan(const cb_topo_t *t, cb_pin_policy_t policy, unsigned workers,
                        const int *expect, int wrapped)
{
  cb_plan_t plan;
  unsigned i;

  assert_int_equal(cb_plan_compute(t, policy, workers, &plan), 0);
  assert_int_equal(plan.policy, policy);
  assert_int_equal(plan.workers, workers);
  assert_ptr_equal(plan.topo, t);
  assert_int_equal(plan.wrapped, wrapped);
  for (i = 0; i < workers; i++)
    assert_int_equal(plan.pu[i], expect[i]);
  cb_plan_free(&plan);
}

/* A hybrid's processes on a synthetic 16-PU machine: while the plan gives
 * every worker a PU (c <= 16), worker j of process i is plan index i*T + j,
 * all PUs distinct; once it wraps, each process keeps a block of 16 / P PUs
 * of its own, disjoint from every other process's (with i*T + j every
 * process would spread over all 16). And on 2 PUs with 16 workers in 2
 * processes, each process's threads share its one PU. */
static void test_hybrid_blocks(void **state)
{
  static const unsigned cases[][2] = { { 8, 2 }, { 16, 4 }, { 32, 2 }, { 64, 4 }, { 64, 16 },
                                       { 48, 3 } };
  const cb_topo_t *t = *state;
  unsigned k, i, j, per, n, pus = cb_topo_pus(t);
  int owner[64];
  cb_plan_t plan;

  for (k = 0; k < CB_ARRAY_SIZE(cases); k++) {
    unsigned c = cases[k][0], procs = cases[k][1];

    assert_int_equal(cb_plan_compute(t, CB_PIN_COMPACT, c, &plan), 0);
    n = cb_procs_split(c, procs, pus, &per);
    for (i = 0; i < CB_ARRAY_SIZE(owner); i++)
      owner[i] = -1;
    for (i = 0; i < n; i++) {
      unsigned in_proc = i + 1 < n ? per : c - (n - 1) * per, pu_seen = 0;

      for (j = 0; j < in_proc; j++) {
        unsigned idx = cb_procs_plan_index(c, procs, pus, i, j);
        int pu = plan.pu[idx];

        assert_true(idx < c);
        if (c <= pus)
          assert_int_equal(idx, i * per + j);
        assert_true(pu >= 0 && pu < (int)CB_ARRAY_SIZE(owner));
        /* a PU belongs to one process only */
        assert_true(owner[pu] == -1 || owner[pu] == (int)i);
        pu_seen += owner[pu] == -1;
        owner[pu] = (int)i;
      }
      if (c > pus)
        assert_int_equal(pu_seen, pus / n);
    }
    cb_plan_free(&plan);
  }
  /* 2 PUs, c = 16 in 2 processes: process i's eight threads all at index i */
  for (i = 0; i < 2; i++)
    for (j = 0; j < 8; j++)
      assert_int_equal(cb_procs_plan_index(16, 2, 2, i, j), i);
}

static int setup_plain(void **state)
{
  cb_topo_t *t = NULL;

  if (cb_topo_load_synthetic(PLAIN, &t) != 0)
    return -1;
  *state = t;
  return 0;
}

static int setup_intel(void **state)
{
  cb_topo_t *t = NULL;

  if (cb_topo_load_synthetic(INTEL, &t) != 0)
    return -1;
  *state = t;
  return 0;
}

static int teardown_topo(void **state)
{
  cb_topo_free(*state);
  *state = NULL;
  return 0;
}

static void test_synthetic_counts(void **state)
{
  const cb_topo_t *t = *state;

  assert_int_equal(cb_topo_pus(t), 16);
  assert_int_equal(cb_topo_cores(t), 8);
  assert_int_equal(cb_topo_packages(t), 2);
  assert_int_equal(cb_topo_numa_nodes(t), 1);
  assert_false(cb_topo_is_real(t));
}

static void test_bad_synthetic_is_einval(void **state)
{
  static const char *const bad[] = {"pack:2 bogus:3", "pack:x core:4",
                                    "not a topology", "", "pack:0 core:2",
                                    "core:2 pack:2"};
  static char sentinel;
  cb_topo_t *t;
  size_t i;

  (void)state;
  for (i = 0; i < CBT_ARRAY_SIZE(bad); i++) {
    t = (cb_topo_t *)&sentinel; /* a failed load must not leave it dangling */
    assert_int_equal(cb_topo_load_synthetic(bad[i], &t), -EINVAL);
    assert_null(t);
  }
  assert_int_equal(cb_topo_load_synthetic(NULL, &t), -EINVAL);
}

static void test_compact_fills_in_order(void **state)
{
  static const int expect[] = {0, 1, 2, 3};

  assert_plan(*state, CB_PIN_COMPACT, 4, expect, 0);
}

static void test_scatter_packages_first(void **state)
{
  static const int expect[] = {0, 8, 2, 10};

  assert_plan(*state, CB_PIN_SCATTER, 4, expect, 0);
}

static void test_scatter_smt_siblings_last(void **state)
{
  /* Workers 0-7 take the first PU of every core; 8 is pack0/core0's sibling. */
  static const int expect[] = {0, 8, 2, 10, 4, 12, 6, 14, 1};

  assert_plan(*state, CB_PIN_SCATTER, 9, expect, 0);
}

static void test_scatter_covers_all_pus_once(void **state)
{
  cb_plan_t plan;
  int seen[16] = {0};
  unsigned i;

  assert_int_equal(cb_plan_compute(*state, CB_PIN_SCATTER, 16, &plan), 0);
  assert_int_equal(plan.wrapped, 0);
  for (i = 0; i < 16; i++) {
    assert_in_range(plan.pu[i], 0, 15);
    seen[plan.pu[i]]++;
  }
  for (i = 0; i < 16; i++)
    assert_int_equal(seen[i], 1);
  cb_plan_free(&plan);
}

static void test_cores_one_per_core(void **state)
{
  static const int expect[] = {0, 2, 4, 6, 8, 10, 12, 14};

  assert_plan(*state, CB_PIN_CORES, 8, expect, 0);
}

static void assert_wraps_at(const cb_topo_t *t, cb_pin_policy_t policy, unsigned places)
{
  cb_plan_t plan;

  assert_int_equal(cb_plan_compute(t, policy, places, &plan), 0);
  assert_int_equal(plan.wrapped, 0);
  cb_plan_free(&plan);

  assert_int_equal(cb_plan_compute(t, policy, places + 1, &plan), 0);
  assert_int_equal(plan.wrapped, 1);
  assert_int_equal(plan.pu[places], plan.pu[0]);
  assert_int_not_equal(plan.pu[places - 1], plan.pu[0]);
  cb_plan_free(&plan);
}

static void test_compact_wraps(void **state)
{
  assert_wraps_at(*state, CB_PIN_COMPACT, 16);
}

static void test_scatter_wraps(void **state)
{
  assert_wraps_at(*state, CB_PIN_SCATTER, 16);
}

static void test_cores_wraps(void **state)
{
  assert_wraps_at(*state, CB_PIN_CORES, 8);
}

static void test_synthetic_none_is_unbound(void **state)
{
  static const int expect[] = {-1, -1, -1};

  assert_plan(*state, CB_PIN_NONE, 3, expect, 0);
}

static void test_bind_on_synthetic_is_noop(void **state)
{
  cb_plan_t plan;
  cpu_set_t before, after;

  assert_int_equal(cb_plan_compute(*state, CB_PIN_COMPACT, 16, &plan), 0);
  assert_int_equal(sched_getaffinity(0, sizeof(before), &before), 0);
  assert_int_equal(cb_plan_bind_self(&plan, 15), 0);
  assert_int_equal(sched_getaffinity(0, sizeof(after), &after), 0);
  assert_true(CPU_EQUAL(&before, &after));
  cb_plan_free(&plan);
}

static void test_intel_compact_takes_siblings(void **state)
{
  static const int expect[] = {0, 8};

  assert_plan(*state, CB_PIN_COMPACT, 2, expect, 0);
}

static void test_intel_cores_never_siblings(void **state)
{
  static const int expect[] = {0, 1, 2, 3};

  assert_plan(*state, CB_PIN_CORES, 4, expect, 0);
}

static void test_intel_scatter_packages_first(void **state)
{
  static const int expect[] = {0, 4};

  assert_plan(*state, CB_PIN_SCATTER, 2, expect, 0);
}

static void test_intel_scatter_one_per_core(void **state)
{
  cb_plan_t plan;
  int seen[8] = {0};
  unsigned i;

  assert_int_equal(cb_plan_compute(*state, CB_PIN_SCATTER, 8, &plan), 0);
  for (i = 0; i < 8; i++) {
    assert_in_range(plan.pu[i], 0, 15);
    seen[plan.pu[i] % 8]++;
  }
  for (i = 0; i < 8; i++)
    assert_int_equal(seen[i], 1);
  cb_plan_free(&plan);
}

static char *print_to_string(const cb_topo_t *t, unsigned workers)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);

  assert_non_null(f);
  assert_int_equal(cb_topo_print(f, t, workers), 0);
  assert_int_equal(fclose(f), 0);
  return buf;
}

static void test_print_names_policies_and_wraps(void **state)
{
  char *text = print_to_string(*state, 17);
  unsigned i;

  for (i = 0; i < CB_PIN__COUNT; i++)
    assert_non_null(strstr(text, cb_pin_name((cb_pin_policy_t)i)));
  assert_non_null(strstr(text, "not bound"));
  assert_non_null(strstr(text, "w16->PU0"));
  assert_non_null(strstr(text, "wraps"));
  assert_non_null(strstr(text, "SMT on"));
  free(text);

  text = print_to_string(*state, 4);
  assert_null(strstr(text, "wraps"));
  free(text);
}

static void test_print_lines_stay_short(void **state)
{
  char *text = print_to_string(*state, 64);
  const char *line = text, *nl;

  while ((nl = strchr(line, '\n')) != NULL) {
    assert_true(nl - line <= 80);
    line = nl + 1;
  }
  assert_non_null(strstr(text, "w63->PU"));
  free(text);
}

/* Restores the test thread's affinity, so later tests run anywhere again. */
static void test_real_bind_moves_thread(void **state)
{
  cb_plan_t plan;
  cpu_set_t saved;

  (void)state;
  assert_int_equal(sched_getaffinity(0, sizeof(saved), &saved), 0);
  assert_int_equal(cb_plan_compute(cbt_topo, CB_PIN_COMPACT, 1, &plan), 0);
  assert_true(plan.pu[0] >= 0);
  assert_int_equal(cb_plan_bind_self(&plan, 0), 0);
  assert_int_equal(sched_getcpu(), plan.pu[0]);
  cb_plan_free(&plan);
  assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);
}

static void *bind_worker0(void *arg)
{
  const cb_plan_t *plan = arg;

  return (void *)(intptr_t)cb_plan_bind_self(plan, 0);
}

/* Binding flags 0 or PROCESS would also move this (the main) thread. */
static void test_real_bind_only_calling_thread(void **state)
{
  cb_plan_t plan;
  cpu_set_t before, after;
  pthread_t th;
  void *ret;

  (void)state;
  assert_int_equal(cb_plan_compute(cbt_topo, CB_PIN_COMPACT, 1, &plan), 0);
  assert_int_equal(sched_getaffinity(0, sizeof(before), &before), 0);
  assert_int_equal(pthread_create(&th, NULL, bind_worker0, &plan), 0);
  assert_int_equal(pthread_join(th, &ret), 0);
  assert_int_equal((intptr_t)ret, 0);
  assert_int_equal(sched_getaffinity(0, sizeof(after), &after), 0);
  assert_true(CPU_EQUAL(&before, &after));
  cb_plan_free(&plan);
}

/* A synthetic machine of P packages x C cores x U PUs, PUs numbered in
 * topology order unless `indexes` gives the OS index of each (hwloc orders
 * siblings by their lowest PU, so a core's PUs ascend and cores ascend by
 * their first PU). */
typedef struct shape_s {
  const char *desc;
  unsigned packs, cores, pus;
  const int *indexes;
} shape_t;

static int os_of(const shape_t *m, unsigned pk, unsigned core, unsigned u)
{
  unsigned logical = (pk * m->cores + core) * m->pus + u;

  return m->indexes != NULL ? m->indexes[logical] : (int)logical;
}

/* The order in which each policy hands out places, written from the
 * policy's definition (README, topo.h) with nested loops, not from the
 * library's walk and sort: compact in topology order; scatter the first PU
 * of core 0 of every package, then core 1 of every package, ..., SMT
 * siblings last; cores the first PU of every core. Returns the number of
 * places. */
static unsigned policy_order(const shape_t *m, cb_pin_policy_t policy, int *order)
{
  unsigned pk, core, u, n = 0;

  switch (policy) {
  case CB_PIN_COMPACT:
    for (pk = 0; pk < m->packs; pk++)
      for (core = 0; core < m->cores; core++)
        for (u = 0; u < m->pus; u++)
          order[n++] = os_of(m, pk, core, u);
    break;
  case CB_PIN_SCATTER:
    for (u = 0; u < m->pus; u++)
      for (core = 0; core < m->cores; core++)
        for (pk = 0; pk < m->packs; pk++)
          order[n++] = os_of(m, pk, core, u);
    break;
  case CB_PIN_CORES:
    for (pk = 0; pk < m->packs; pk++)
      for (core = 0; core < m->cores; core++)
        order[n++] = os_of(m, pk, core, 0);
    break;
  default:
    break;
  }
  return n;
}

/* Every policy on every shape, for worker counts from one to several full
 * rounds past the places (and a partial last round): worker i takes place
 * i mod places, and the plan says it wrapped exactly when there are more
 * workers than places. NONE binds nobody and never wraps. */
static void test_wrap_rounds_every_policy(void **state)
{
  static const int intel_idx[] = { 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15 };
  static const int odd_idx[] = { 0, 3, 1, 4, 2, 5 };
  static const shape_t shapes[] = {
    { PLAIN, 2, 4, 2, NULL },
    { INTEL, 2, 4, 2, intel_idx },
    { "pack:3 core:2 pu:3", 3, 2, 3, NULL },
    { "pack:1 core:5 pu:1", 1, 5, 1, NULL },
    { "pack:2 core:1 pu:4", 2, 1, 4, NULL },
    { "pack:2 l3:2 core:2 pu:2", 2, 4, 2, NULL },
    { "core:3 pu:2(indexes=0,3,1,4,2,5)", 1, 3, 2, odd_idx },
  };
  int order[64];
  size_t si;
  unsigned p, k, i, places;

  (void)state;
  for (si = 0; si < sizeof(shapes) / sizeof(shapes[0]); si++) {
    const shape_t *m = &shapes[si];
    cb_topo_t *t = NULL;

    if (cb_topo_load_synthetic(m->desc, &t) != 0)
      fail_msg("%s does not load", m->desc);
    assert_int_equal(cb_topo_pus(t), m->packs * m->cores * m->pus);
    assert_int_equal(cb_topo_cores(t), m->packs * m->cores);
    assert_int_equal(cb_topo_packages(t), m->packs);
    for (p = 0; p < CB_PIN__COUNT; p++) {
      places = policy_order(m, (cb_pin_policy_t)p, order);
      for (k = 0; k < 12; k++) {
        /* 1, places - 1, places, places + 1, then 2..4 full extra rounds
         * with and without a partial one */
        static const unsigned rounds[] = { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5 };
        static const int extra[] = { 1, -1, 0, 1, 0, 1, 0, 3, 0, -1, 0, 2 };
        unsigned base = places > 0 ? places : 4;
        long w = (long)rounds[k] * base + extra[k];
        cb_plan_t plan;

        if (w <= 0)
          continue;
        assert_int_equal(cb_plan_compute(t, (cb_pin_policy_t)p, (unsigned)w, &plan), 0);
        assert_int_equal(plan.workers, (unsigned)w);
        if (plan.wrapped != (places > 0 && (unsigned)w > places))
          fail_msg("%s, %s, %ld workers: wrapped %d", m->desc, cb_pin_name(p), w, plan.wrapped);
        for (i = 0; i < (unsigned)w; i++) {
          int want = places > 0 ? order[i % places] : -1;
          if (plan.pu[i] != want)
            fail_msg("%s, %s, %ld workers: worker %u on PU %d, expected %d", m->desc,
                     cb_pin_name(p), w, i, plan.pu[i], want);
        }
        cb_plan_free(&plan);
      }
    }
    cb_topo_free(t);
  }
}

#else /* !CB_HAVE_HWLOC */

static void test_without_hwloc_only_none(void **state)
{
  static char sentinel;
  cb_topo_t *t = (cb_topo_t *)&sentinel;
  cb_plan_t plan;
  unsigned i;

  (void)state;
  assert_int_equal(cb_topo_load_synthetic(PLAIN, &t), -ENOTSUP);
  assert_null(t);
  assert_int_equal(cb_topo_load(&t), 0);
  assert_int_equal(cb_topo_pus(t), cb_topo_cores(t));
  for (i = CB_PIN_COMPACT; i < CB_PIN__COUNT; i++)
    assert_int_equal(cb_plan_compute(t, (cb_pin_policy_t)i, 1, &plan), -ENOTSUP);
  cb_topo_free(t);
}

#endif /* CB_HAVE_HWLOC */

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_round_trip),
    cmocka_unit_test(test_parse_rejects_bad_names),
    cmocka_unit_test(test_real_machine_loads),
    cmocka_unit_test(test_none_is_unbound),
    cmocka_unit_test(test_zero_workers_is_einval),
#if CB_HAVE_HWLOC
    cmocka_unit_test_setup_teardown(test_synthetic_counts, setup_plain, teardown_topo),
    cmocka_unit_test(test_bad_synthetic_is_einval),
    cmocka_unit_test_setup_teardown(test_compact_fills_in_order, setup_plain, teardown_topo),
    cmocka_unit_test_setup_teardown(test_scatter_packages_first, setup_plain, teardown_topo),
    cmocka_unit_test_setup_teardown(test_scatter_smt_siblings_last, setup_plain,
                                    teardown_topo),
    cmocka_unit_test_setup_teardown(test_scatter_covers_all_pus_once, setup_plain,
                                    teardown_topo),
    cmocka_unit_test_setup_teardown(test_cores_one_per_core, setup_plain, teardown_topo),
    cmocka_unit_test_setup_teardown(test_compact_wraps, setup_plain, teardown_topo),
    cmocka_unit_test_setup_teardown(test_hybrid_blocks, setup_plain, teardown_topo),
    cmocka_unit_test_setup_teardown(test_scatter_wraps, setup_plain, teardown_topo),
    cmocka_unit_test_setup_teardown(test_cores_wraps, setup_plain, teardown_topo),
    cmocka_unit_test_setup_teardown(test_synthetic_none_is_unbound, setup_plain,
                                    teardown_topo),
    cmocka_unit_test_setup_teardown(test_bind_on_synthetic_is_noop, setup_plain,
                                    teardown_topo),
    cmocka_unit_test_setup_teardown(test_intel_compact_takes_siblings, setup_intel,
                                    teardown_topo),
    cmocka_unit_test_setup_teardown(test_intel_cores_never_siblings, setup_intel,
                                    teardown_topo),
    cmocka_unit_test_setup_teardown(test_intel_scatter_packages_first, setup_intel,
                                    teardown_topo),
    cmocka_unit_test_setup_teardown(test_intel_scatter_one_per_core, setup_intel,
                                    teardown_topo),
    cmocka_unit_test_setup_teardown(test_print_names_policies_and_wraps, setup_plain,
                                    teardown_topo),
    cmocka_unit_test_setup_teardown(test_print_lines_stay_short, setup_plain,
                                    teardown_topo),
    cmocka_unit_test(test_wrap_rounds_every_policy),
    cmocka_unit_test(test_real_bind_moves_thread),
    cmocka_unit_test(test_real_bind_only_calling_thread),
#else
    cmocka_unit_test(test_without_hwloc_only_none),
#endif
  };

  /* The real machine's topology (cbt_topo) for the tests of plans and
   * binding on it; test_real_machine_loads loads its own, as the test of
   * cb_topo_load. */
  return cmocka_run_group_tests(tests, cbt_topo_setup, cbt_topo_teardown);
}
