/* Tests of the workload registry and the bytes every checksum is built
 * from, checked directly (no trial): the registry's contract (names,
 * families, chart kinds, default tasks, a sizing for every profile and a
 * test size), the digest and the payload bytes. The workloads run as trials
 * are tested in test_workloads_runners.c, _io.c, _corrupt.c and _misc.c. */
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cb_config.h"
#include "io_tcp.h"
#include "mix.h"
#include "trial.h"
#include "common.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

/* ---- the registry -------------------------------------------------------- */

static const char *const all_names[] = {
  "noop", "cpu.hash", "cpu.fp", "cpu.matmul", "cpu.alloc", "io.sleep", "io.tcp",
  "io.file", "comm.pingpong", "comm.payload", "life.spawn", "life.idle", "fault.crash",
  "fault.error", "sync.mutex", "sync.rmutex", "sync.semaphore", "sync.atomic", "sync.none",
  "mix.sleep", "mix.tcp",
};

/* A workload runs under every profile without a line in harness/profile.c
 * and in the unit tests at a small size: it must say at what size and how
 * many tasks, and every such size must be one it accepts. */
static void check_sizings(const cb_workload_t *w)
{
  size_t k;

  for (k = 0; k < CB_PROFILES; k++) {
    snprintf(cbt_where, sizeof(cbt_where), "%s: sizing for profile %zu (cb_workload_t.profile)", w->name, k);
    CBT_CHECK(w->profile[k].given);
    CBT_CHECK(w->profile[k].size <= w->max_size);
    CBT_CHECK(w->profile[k].tasks > 0 || w->default_tasks == 0);
  }
  snprintf(cbt_where, sizeof(cbt_where), "%s: test size (cb_workload_t.test)", w->name);
  CBT_CHECK(w->test.given);
  CBT_CHECK(w->test.size <= w->max_size);
  /* a test trial stays small: at most the quick profile's tasks */
  CBT_CHECK(w->test.tasks <= w->profile[CB_PROFILE_QUICK].tasks);
}

/* The charts each workload feeds, as plot/ reads them from its traits. */
static void test_chart_kinds(void **state)
{
  char fam[32];
  size_t i;

  (void)state;
  for (i = 0; i < cb_workloads_count; i++) {
    const cb_workload_t *w = cb_workloads[i];
    unsigned want = 0;

    cb_workload_family(w, fam, sizeof(fam));
    want |= strcmp(fam, "cpu") == 0 ? CB_CHART_CPU_BOUND : 0;
    want |= strcmp(w->name, "cpu.hash") == 0 ? CB_CHART_GRANULARITY : 0;
    want |= strcmp(w->name, "comm.payload") == 0 ? CB_CHART_PAYLOAD : 0;
    want |= strcmp(w->name, "life.idle") == 0 ? CB_CHART_MEMORY : 0;
    snprintf(cbt_where, sizeof(cbt_where), "%s: charts", w->name);
    CBT_CHECK_EQ(w->charts, want);
  }
}

static void test_registry_contract(void **state)
{
  static const char *const families[] = { "cpu", "io", "comm", "life", "fault", "noop", "sync",
                                          "mix" };
  size_t i, k, fam_ok;
  char fam[32];

  (void)state;
  assert_int_equal(cb_workloads_count, CB_ARRAY_SIZE(all_names));
  for (i = 0; i < CB_ARRAY_SIZE(all_names); i++)
    assert_ptr_equal(cb_workload_find(all_names[i]), cb_workloads[i]);
  for (i = 0; i < cb_workloads_count; i++) {
    const cb_workload_t *w = cb_workloads[i];

    snprintf(cbt_where, sizeof(cbt_where), "registry entry %zu (%s)", i, w->name ? w->name : "NULL");
    CBT_CHECK(w->name != NULL && w->name[0] != '\0');
    CBT_CHECK(w->description != NULL && w->description[0] != '\0');
    CBT_CHECK(w->size_unit != NULL && w->size_unit[0] != '\0');
    CBT_CHECK(w->run != NULL);
    CBT_CHECK(w->expect != NULL);
    /* an asynchronous form is whole or absent, and async_close is what frees a slot */
    CBT_CHECK((w->async_start != NULL) == (w->async_close != NULL));
    CBT_CHECK(w->async_open == NULL || w->async_start != NULL);
    /* a mixed workload's size is a share: at most 100 (%), and it is calibrated */
    CBT_CHECK(w->mixed_task_us == 0 || (w->max_size == 100 && w->calibrate != NULL));
    CBT_CHECK_EQ(cb_workload_family(w, fam, sizeof(fam)), strlen(fam));
    fam_ok = 0;
    for (k = 0; k < CB_ARRAY_SIZE(families); k++)
      fam_ok += strcmp(fam, families[k]) == 0;
    CBT_CHECK_EQ(fam_ok, 1);
    /* family.name, or the family alone for noop */
    CBT_CHECK(strcmp(w->name, "noop") == 0 ? strcmp(fam, "noop") == 0
                                       : w->name[strlen(fam)] == '.' && w->name[strlen(fam) + 1] != '\0');
    for (k = 0; k < i; k++)
      CBT_CHECK(strcmp(w->name, cb_workloads[k]->name) != 0);
    /* the registry finds every entry by its own name */
    CBT_CHECK(cb_workload_find(w->name) == w);
    check_sizings(w);
  }
  assert_null(cb_workload_find("cpu"));
  assert_null(cb_workload_find("cpu."));
  assert_null(cb_workload_find("CPU.HASH"));
  assert_null(cb_workload_find(""));
}

static void test_family(void **state)
{
  static const cb_workload_t deep = { .name = "a.b.c" }, bare = { .name = "solo" };
  char buf[32];

  (void)state;
  assert_int_equal(cb_workload_family(cbt_find_wl("cpu.hash"), buf, sizeof(buf)), 3);
  assert_string_equal(buf, "cpu");
  assert_int_equal(cb_workload_family(cbt_find_wl("comm.pingpong"), buf, sizeof(buf)), 4);
  assert_string_equal(buf, "comm");
  assert_int_equal(cb_workload_family(cbt_find_wl("noop"), buf, sizeof(buf)), 4);
  assert_string_equal(buf, "noop");
  assert_int_equal(cb_workload_family(cbt_find_wl("fault.crash"), buf, sizeof(buf)), 5);
  assert_string_equal(buf, "fault");
  /* the text before the first dot only */
  assert_int_equal(cb_workload_family(&deep, buf, sizeof(buf)), 1);
  assert_string_equal(buf, "a");
  assert_int_equal(cb_workload_family(&bare, buf, sizeof(buf)), 4);
  assert_string_equal(buf, "solo");
  /* a small buffer gets a terminated prefix, never more than it holds */
  memset(buf, 'x', sizeof(buf));
  cb_workload_family(cbt_find_wl("life.idle"), buf, 3);
  assert_string_equal(buf, "li");
  assert_int_equal(buf[3], 'x');
  memset(buf, 'x', sizeof(buf));
  cb_workload_family(cbt_find_wl("life.idle"), buf, 1);
  assert_int_equal(buf[0], '\0');
  assert_int_equal(buf[1], 'x');
  /* no buffer: the length it would need */
  assert_int_equal(cb_workload_family(cbt_find_wl("life.idle"), buf, 0), 4);
  assert_int_equal(buf[0], '\0');
}

/* The order of families on charts (cb_workload_family_rank), from workload
 * names this build may not know; and the workload a chart of one workload
 * is of, found by its chart bit (cb_workload_charting). */
static void test_chart_order(void **state)
{
  static const char *const order[] = { "cpu.hash", "cpu.zzz", "io.aaa", "mix.tcp", "comm.x",
                                       "sync.none", "life.idle", "fault.crash", "noop" };
  static const struct {
    unsigned bit;
    const char *name;
  } one[] = { { CB_CHART_CPU_BOUND, "cpu.hash" }, { CB_CHART_PAYLOAD, "comm.payload" },
              { CB_CHART_MEMORY, "life.idle" }, { CB_CHART_GRANULARITY, "cpu.hash" } };
  int unknown = cb_workload_family_rank("nosuch.family");
  size_t i, k;

  (void)state;
  for (i = 1; i < CB_ARRAY_SIZE(order); i++) {
    snprintf(cbt_where, sizeof(cbt_where), "%s before %s", order[i - 1], order[i]);
    CBT_CHECK(cb_workload_family_rank(order[i - 1]) <= cb_workload_family_rank(order[i]));
    CBT_CHECK((cb_workload_family_rank(order[i - 1]) == cb_workload_family_rank(order[i])) ==
              (strcspn(order[i - 1], ".") == strcspn(order[i], ".") &&
               strncmp(order[i - 1], order[i], strcspn(order[i], ".")) == 0));
  }
  /* a family is one rank ("cpu" alone is the cpu family); every family of
   * the registry comes before any family this build does not know, and
   * those share one rank */
  assert_int_equal(cb_workload_family_rank("cpu"), cb_workload_family_rank("cpu.hash"));
  assert_int_equal(cb_workload_family_rank("other.x"), unknown);
  assert_int_equal(cb_workload_family_rank(""), unknown);
  assert_true(cb_workload_family_rank("cpux.hash") == unknown);
  for (i = 0; i < cb_workloads_count; i++) {
    snprintf(cbt_where, sizeof(cbt_where), "%s: family rank", cb_workloads[i]->name);
    CBT_CHECK(cb_workload_family_rank(cb_workloads[i]->name) < unknown);
  }
  for (i = 0; i < CB_ARRAY_SIZE(one); i++) {
    const cb_workload_t *w = cb_workload_charting(one[i].bit);
    assert_non_null(w);
    assert_string_equal(w->name, one[i].name);
    /* the registry's first with the bit */
    for (k = 0; cb_workloads[k] != w; k++)
      assert_int_equal(cb_workloads[k]->charts & one[i].bit, 0);
  }
  assert_null(cb_workload_charting(1u << 30));
  assert_null(cb_workload_charting(0));
}

static void test_default_tasks(void **state)
{
  static const unsigned cs[] = { 1, 2, 7, 64, 1000 };
  static const cb_workload_t per_c = { .name = "t.per-c", .default_tasks = 0 },
                             fixed = { .name = "t.fixed", .default_tasks = 33 };
  size_t i, k;

  (void)state;
  for (k = 0; k < CB_ARRAY_SIZE(cs); k++) {
    snprintf(cbt_where, sizeof(cbt_where), "c=%u", cs[k]);
    CBT_CHECK_EQ(cb_workload_tasks(&per_c, cs[k]), cs[k]);
    CBT_CHECK_EQ(cb_workload_tasks(&fixed, cs[k]), 33);
    /* life.idle is one task per unit of concurrency, so all c are alive at once */
    CBT_CHECK_EQ(cb_workload_tasks(cbt_find_wl("life.idle"), cs[k]), cs[k]);
    CBT_CHECK_EQ(cb_workload_tasks(cbt_find_wl("noop"), cs[k]), cbt_find_wl("noop")->default_tasks);
    for (i = 0; i < cb_workloads_count; i++) {
      const cb_workload_t *w = cb_workloads[i];
      CBT_CHECK_EQ(cb_workload_tasks(w, cs[k]), w->default_tasks > 0 ? w->default_tasks : cs[k]);
      CBT_CHECK(cb_workload_tasks(w, cs[k]) > 0);
    }
  }
  CBT_CHECK(cbt_find_wl("noop")->default_tasks > 0);
}

/* ---- digest and payload bytes -------------------------------------------- */

static void fill_pattern(unsigned char *buf, size_t n, uint64_t seed)
{
  size_t i;

  for (i = 0; i < n; i++)
    buf[i] = (unsigned char)cb_mix64(seed + i);
}

/* One byte changed anywhere (positions 0, 7, 8, 31, 32, 33 and the last
 * among them), in any of several ways, changes the digest; the same bytes
 * give the same digest wherever they lie; bytes past `len` do not count. */
static void test_digest(void **state)
{
  static const unsigned char deltas[] = { 0x01, 0x80, 0xff, 0x10 };
  unsigned char a[128 + 8], b[128 + 8], *shifted = b + 1;
  uint64_t d, seed = UINT64_C(0x1234567890abcdef);
  size_t len, pos, k;

  (void)state;
  for (len = 1; len <= 100; len++) {
    snprintf(cbt_where, sizeof(cbt_where), "digest of %zu bytes", len);
    fill_pattern(a, sizeof(a), len);
    d = cb_digest(a, len, seed);
    CBT_CHECK_EQ(cb_digest(a, len, seed), d);
    memcpy(shifted, a, len);
    CBT_CHECK_EQ(cb_digest(shifted, len, seed), d); /* unaligned: same bytes, same digest */
    /* the bytes after len are not read */
    memcpy(b, a, sizeof(a));
    for (k = len; k < sizeof(b); k++)
      b[k] ^= 0x5a;
    CBT_CHECK_EQ(cb_digest(b, len, seed), d);
    for (pos = 0; pos < len; pos++)
      for (k = 0; k < CB_ARRAY_SIZE(deltas); k++) {
        memcpy(b, a, len);
        b[pos] ^= deltas[k];
        if (cb_digest(b, len, seed) == d)
          print_error("[%s] byte %zu ^ 0x%02x does not change it\n", cbt_where, pos, deltas[k]);
        CBT_CHECK(cb_digest(b, len, seed) != d);
      }
    /* a trailing zero byte is data too */
    memcpy(b, a, len);
    b[len] = 0;
    CBT_CHECK(cb_digest(b, len + 1, seed) != d);
    /* the seed matters */
    CBT_CHECK(cb_digest(a, len, seed + 1) != d);
  }
  /* the explicit positions of the contract, at a length with every kind of block */
  fill_pattern(a, sizeof(a), 99);
  d = cb_digest(a, 100, 7);
  {
    static const size_t spots[] = { 0, 7, 8, 31, 32, 33, 99 };
    for (k = 0; k < CB_ARRAY_SIZE(spots); k++) {
      memcpy(b, a, 100);
      b[spots[k]] ^= 1;
      snprintf(cbt_where, sizeof(cbt_where), "digest of 100 bytes, byte %zu", spots[k]);
      CBT_CHECK(cb_digest(b, 100, 7) != d);
    }
  }
  /* zero bytes of different lengths differ */
  memset(a, 0, sizeof(a));
  for (len = 0; len < 100; len++) {
    snprintf(cbt_where, sizeof(cbt_where), "digest of %zu vs %zu zero bytes", len, len + 1);
    CBT_CHECK(cb_digest(a, len, 0) != cb_digest(a, len + 1, 0));
  }
}

static void test_payload_fill(void **state)
{
  enum { GUARD = 16 };
  unsigned char a[200 + GUARD], b[200 + GUARD];
  cb_params_t p = { .seed = 42 }, q = { .seed = 43 };
  size_t n, k;

  (void)state;
  for (n = 0; n <= 200; n++) {
    snprintf(cbt_where, sizeof(cbt_where), "payload of %zu bytes", n);
    p.payload = q.payload = n;
    memset(a, 0xa5, sizeof(a));
    memset(b, 0x3c, sizeof(b));
    cb_payload_fill(&p, a);
    cb_payload_fill(&p, b);
    /* deterministic: the same bytes whatever was in the buffer before */
    CBT_CHECK(memcmp(a, b, n) == 0);
    /* exactly n bytes are written */
    for (k = n; k < n + GUARD; k++) {
      CBT_CHECK_EQ(a[k], 0xa5);
      CBT_CHECK_EQ(b[k], 0x3c);
    }
    if (n == 0)
      continue;
    /* another seed, other bytes */
    cb_payload_fill(&q, b);
    CBT_CHECK(memcmp(a, b, n) != 0);
    /* not one repeated word */
    if (n >= 16)
      CBT_CHECK(memcmp(a, a + 8, 8) != 0);
  }
  /* with 200 bytes, each 8-byte word differs between the seeds */
  p.payload = q.payload = 200;
  cb_payload_fill(&p, a);
  cb_payload_fill(&q, b);
  for (k = 0; k < 200; k += 8)
    CBT_CHECK(memcmp(a + k, b + k, 8) != 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_registry_contract),
    cmocka_unit_test(test_chart_kinds),
    cmocka_unit_test(test_family),
    cmocka_unit_test(test_chart_order),
    cmocka_unit_test(test_default_tasks),
    cmocka_unit_test(test_digest),
    cmocka_unit_test(test_payload_fill),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
