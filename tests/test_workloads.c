/* Tests of the workload catalogue: every workload of the registry (but
 * fault.crash, tested apart, and sync.none, which races on purpose and is
 * tested in test_sync.c), run as a trial (cb_trial_supervised, some also
 * cb_trial_execute) under every runner with small sizes, must come back ok
 * and verified; and what each workload
 * promises beyond its checksum holds: fault.crash kills exactly its tasks,
 * comm.payload moves its bytes through both transports of the process pool,
 * io.tcp's server is gone and its port closed after the trial, io.file leaves
 * no file, life.idle's memory counts every worker, comm.pingpong's checksum
 * holds at the smallest sizes. The registry's contract (names, families,
 * default tasks) and the digest and payload bytes every checksum is built
 * from are checked directly.
 *
 * The whole executable runs with TMPDIR set to a fresh directory of its own;
 * every trial makes its scratch directory there, so after each trial that
 * directory must be empty again, crashed trials included. After each trial
 * no child process may be left either. Test-only workloads here are copies
 * of registry workloads with one member replaced (a crash, a wrong checksum,
 * a set-up that records what it made), made in group_setup.
 *
 * Results that travel are checked by corrupting them on the way: io.tcp's
 * clients talk to the real server through a proxy that flips a byte of the
 * reply to the first and the last task, and reads of io.file's files go
 * through this executable's own pread64, which can flip a byte of what the
 * first and the last task read back; each trial must then be wrong (or an
 * error) in exactly those two tasks. */
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

/* ---- checks that say which case failed ---------------------------------- */

/* ---- shared state -------------------------------------------------------- */

#define MAX_PORTS 1024

/* What test workloads saw inside a trial process; MAP_SHARED, so that it
 * survives the trial process and its workers. */
typedef struct shared_s {
  int setups;             /* test.tcp-watch set-ups */
  int server_pid;         /* the child that io.tcp's set-up started */
  int server_sockets;     /* listening sockets on 127.0.0.1 that the server holds */
  unsigned long server_inode;
  int crash_file_made;    /* test.file-crash created its file before crashing */
  char crash_file[4200];
} shared_t;

static shared_t *shared;
static unsigned pus;
static char tmpdir[] = "/tmp/cb-test-workloads-XXXXXX";

#define TRIAL_TIMEOUT_S 120

/* Entries of the test's TMPDIR, named on stderr: after a trial, none. */
static int tmpdir_entries(void)
{
  struct dirent *e;
  DIR *d = opendir(tmpdir);
  int n = 0;

  assert_non_null(d);
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    print_error("[%s] left in TMPDIR: %s\n", cbt_where, e->d_name);
    n++;
  }
  closedir(d);
  return n;
}

static int is_runner(const cb_runner_t *rn, const char *name)
{
  return strcmp(rn->name, name) == 0;
}

/* A workload's calibration, measured once here as a run measures it once
 * (cb_matrix_calibrate); 0 for a workload without one. */
static uint64_t calib_of(const cb_workload_t *wl)
{
  static uint64_t calib;

  if (wl->calibrate == NULL)
    return 0;
  if (calib == 0)
    assert_int_equal(wl->calibrate(&calib), 0);
  assert_true(calib > 0);
  return calib;
}

static cb_cell_t make_cell(const cb_workload_t *wl, const cb_runner_t *rn, unsigned c,
                           uint64_t tasks, uint64_t size, uint64_t payload)
{
  cb_cell_t cell = cbt_cell(wl, rn, c, tasks, size, 0x5eed + c);

  cell.params.payload = payload;
  cell.params.calib = calib_of(wl);
  cbt_describe_cell(&cell);
  return cell;
}

/* Run the cell in a supervised child (supervise = 1) or in this process,
 * with expected checksums computed as the harness does; check that the
 * trial left no child process and nothing in TMPDIR. */
static int run_trial(const cb_cell_t *cell, int supervise, cb_trial_t *t)
{
  int rc;

  CBT_CHECK(cbt_no_children());
  rc = cbt_trial(cell, cbt_topo, supervise, TRIAL_TIMEOUT_S, NULL, t);
  CBT_CHECK(cbt_no_children());
  CBT_CHECK_EQ(tmpdir_entries(), 0);
  return rc;
}

static void check_ok(const cb_cell_t *cell, const cb_trial_t *t)
{
  if (t->status != CB_ST_OK || t->msg[0] != '\0')
    print_error("[%s] status %s: %s\n", cbt_where, cb_status_name(t->status), t->msg);
  CBT_CHECK_EQ(t->status, CB_ST_OK);
  CBT_CHECK_EQ(t->msg[0], '\0');
  CBT_CHECK_EQ(t->verified, 1);
  CBT_CHECK_EQ(t->failed, 0);
  CBT_CHECK_EQ(t->wrong, 0);
  CBT_CHECK_EQ(t->workers, cbt_expected_workers(cell->rn, cell->concurrency, pus));
}

/* ---- listening TCP sockets on 127.0.0.1 ---------------------------------- */

/* One listening socket: its port and its inode, which no later socket
 * shares while it exists. Other processes on the machine (other tests, a
 * benchmark) open and close listening sockets at any time, so a socket that
 * appeared during a trial counts against it only when it belongs to this
 * process or a descendant; a trial's own server is recognised by its inode. */
typedef struct lsock_s {
  unsigned port;
  unsigned long inode;
} lsock_t;

typedef struct socks_s {
  unsigned n;
  lsock_t s[MAX_PORTS];
} socks_t;

/* The sockets in state LISTEN (0A) on 127.0.0.1, from /proc/net/tcp, where
 * the address is the raw network-order word in hex. 0 or -errno. */
static int listening_sockets(socks_t *ss)
{
  unsigned addr, port, st;
  unsigned long inode;
  char line[512];
  FILE *f = fopen("/proc/net/tcp", "re");

  ss->n = 0;
  if (f == NULL)
    return -errno;
  while (fgets(line, sizeof(line), f) != NULL) {
    if (sscanf(line, " %*u: %8X:%4X %*8X:%*4X %2X %*8X:%*8X %*2X:%*8X %*8X %*u %*u %lu",
               &addr, &port, &st, &inode) != 4)
      continue; /* the header */
    if (st == 0x0A && addr == htonl(INADDR_LOOPBACK) && ss->n < MAX_PORTS)
      ss->s[ss->n++] = (lsock_t){ .port = port, .inode = inode };
  }
  fclose(f);
  return 0;
}

static int has_inode(const socks_t *ss, unsigned long inode)
{
  unsigned i;

  for (i = 0; i < ss->n; i++) {
    if (ss->s[i].inode == inode)
      return 1;
  }
  return 0;
}

/* Does process `pid` hold socket `inode`? */
static int holds_socket(int pid, unsigned long inode)
{
  char dir[64], path[400], link[64], want[64];
  struct dirent *e;
  ssize_t n;
  DIR *d;
  int found = 0;

  snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
  snprintf(want, sizeof(want), "socket:[%lu]", inode);
  d = opendir(dir);
  if (d == NULL)
    return 0;
  while (!found && (e = readdir(d)) != NULL) {
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    n = readlink(path, link, sizeof(link) - 1);
    if (n > 0) {
      link[n] = '\0';
      found = strcmp(link, want) == 0;
    }
  }
  closedir(d);
  return found;
}

static int parent_of(int pid)
{
  char path[64], buf[512], *close_paren;
  int ppid = 0;
  FILE *f;

  snprintf(path, sizeof(path), "/proc/%d/stat", pid);
  f = fopen(path, "re");
  if (f == NULL)
    return 0;
  if (fgets(buf, sizeof(buf), f) != NULL && (close_paren = strrchr(buf, ')')) != NULL &&
      sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
    ppid = 0;
  fclose(f);
  return ppid;
}

/* A process of this test (itself or a descendant) that holds socket
 * `inode`, or 0. */
static int our_holder(unsigned long inode)
{
  struct dirent *e;
  DIR *d = opendir("/proc");
  int pid, up, hops, holder = 0;

  assert_non_null(d);
  while (holder == 0 && (e = readdir(d)) != NULL) {
    pid = atoi(e->d_name);
    if (pid <= 0 || !holds_socket(pid, inode))
      continue;
    for (up = pid, hops = 0; up > 1 && hops < 64; up = parent_of(up), hops++) {
      if (up == (int)getpid()) {
        holder = pid;
        break;
      }
    }
  }
  closedir(d);
  return holder;
}

/* No socket that listens now and did not before belongs to this test. */
static int no_new_listener_of_ours(const socks_t *before, const socks_t *after)
{
  unsigned i;
  int holder, ok = 1;

  for (i = 0; i < after->n; i++) {
    if (has_inode(before, after->s[i].inode))
      continue;
    holder = our_holder(after->s[i].inode);
    if (holder != 0) {
      print_error("[%s] port %u listens after the trial, held by pid %d\n", cbt_where,
                  after->s[i].port, holder);
      ok = 0;
    } else {
      print_message("port %u began to listen during the trial, not ours\n", after->s[i].port);
    }
  }
  return ok;
}

/* ---- test-only workloads, copies of registry ones ----------------------- */

static cb_workload_t wl_tcp_watch, wl_file_crash, wl_payload_wrong, wl_tcp_corrupt;
static int tcp_corrupt_setup(const cb_params_t *p, void **state);
static void tcp_corrupt_teardown(const cb_params_t *p, void *state);
static const cb_workload_t *io_tcp, *io_file, *comm_payload;

#define FILE_CRASH_INDEX 3u
#define WRONG_INDEX 5u
#define WRONG_XOR UINT64_C(0x0f0f0f0f0f0f0f0f)

/* io.tcp's set-up, then a record of what it made: the one child of this
 * thread (its server) and the listening socket on 127.0.0.1 that the server
 * holds. */
static int tcp_watch_setup(const cb_params_t *p, void **state)
{
  char path[96];
  socks_t *now;
  unsigned i;
  FILE *f;
  int err = io_tcp->setup(p, state), pid = 0;

  shared->setups++;
  if (err != 0)
    return err;
  snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)gettid());
  f = fopen(path, "re");
  if (f != NULL) {
    if (fscanf(f, "%d", &pid) != 1)
      pid = 0;
    fclose(f);
  }
  shared->server_pid = pid;
  now = malloc(sizeof(*now));
  if (pid > 0 && now != NULL && listening_sockets(now) == 0) {
    for (i = 0; i < now->n; i++) {
      if (holds_socket(pid, now->s[i].inode)) {
        shared->server_sockets++;
        shared->server_inode = now->s[i].inode;
      }
    }
  }
  free(now);
  return 0;
}

/* io.file's task, except that task 3 creates its file in the scratch
 * directory and then dies of SIGSEGV (default action, so that a sanitizer's
 * handler cannot turn the crash into an exit status). */
static int file_crash_run(const cb_task_t *t, uint64_t *checksum)
{
  int fd;

  if (t->index != FILE_CRASH_INDEX)
    return io_file->run(t, checksum);
  snprintf(shared->crash_file, sizeof(shared->crash_file), "%s/task-%u", t->p->scratch,
           FILE_CRASH_INDEX);
  fd = open(shared->crash_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) {
    shared->crash_file_made = write(fd, "partial", 7) == 7;
    close(fd);
  }
  signal(SIGSEGV, SIG_DFL);
  raise(SIGSEGV);
  return -EFAULT;
}

/* comm.payload, with a wrong checksum from task 5. */
static int payload_wrong_run(const cb_task_t *t, uint64_t *checksum)
{
  int err = comm_payload->run(t, checksum);

  if (t->index == WRONG_INDEX)
    *checksum ^= WRONG_XOR;
  return err;
}

/* ---- group set-up -------------------------------------------------------- */

static int group_setup(void **state)
{
  if (!cbt_no_children())
    return -1; /* the leak checks need a process without children */
  if (mkdtemp(tmpdir) == NULL || setenv("TMPDIR", tmpdir, 1) != 0)
    return -1;
  shared = cbt_map_shared(sizeof(*shared));
  if (cbt_topo_setup(state) != 0)
    return -1;
  pus = cb_topo_pus(cbt_topo);
  io_tcp = cb_workload_find("io.tcp");
  io_file = cb_workload_find("io.file");
  comm_payload = cb_workload_find("comm.payload");
  if (io_tcp == NULL || io_file == NULL || comm_payload == NULL || io_tcp->setup == NULL)
    return -1;
  wl_tcp_watch = *io_tcp;
  wl_tcp_watch.name = "test.tcp-watch";
  wl_tcp_watch.setup = tcp_watch_setup;
  wl_tcp_corrupt = *io_tcp;
  wl_tcp_corrupt.name = "test.tcp-corrupt";
  wl_tcp_corrupt.setup = tcp_corrupt_setup;
  wl_tcp_corrupt.teardown = tcp_corrupt_teardown;
  wl_file_crash = *io_file;
  wl_file_crash.name = "test.file-crash";
  wl_file_crash.run = file_crash_run;
  wl_file_crash.fails_on_purpose = 1;
  wl_payload_wrong = *comm_payload;
  wl_payload_wrong.name = "test.payload-wrong";
  wl_payload_wrong.run = payload_wrong_run;
  wl_payload_wrong.async_start = NULL; /* comm.payload has none; stay blocking */
  return 0;
}

static int group_teardown(void **state)
{
  cbt_topo_teardown(state);
  munmap(shared, sizeof(*shared));
  /* fails if a trial left its scratch directory behind */
  return rmdir(tmpdir) == 0 ? 0 : -1;
}

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

/* ---- every workload under every runner ----------------------------------- */

typedef struct wcase_s {
  const char *name;
  uint64_t size, payload, tasks; /* tasks 0: one per unit of concurrency */
} wcase_t;

/* Cases beside each workload's test size (cb_workload_t.test) at its
 * default payload: a payload that is no multiple of a word, and the ends of
 * the mixed workloads' CPU share, with and without a payload. */
static const wcase_t extra_cases[] = {
  { "comm.payload", 0, 1000, 30 },
  { "mix.sleep", 0, 0, 30 },
  { "mix.sleep", 100, 0, 30 },
  { "mix.tcp", 0, 64, 30 },
  { "mix.tcp", 100, 0, 30 },
};

static void run_case(const cb_workload_t *wl, const wcase_t *wc)
{
  static const unsigned cs[] = { 1, 2, 16 };
  size_t i, ci;
  cb_trial_t t;

  for (i = 0; i < cb_runners_count; i++)
    for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
      const cb_runner_t *rn = cb_runners[i];
      unsigned c = cs[ci];
      cb_cell_t cell;

      if (is_runner(rn, "serial") && c != 1)
        continue;
      cell = make_cell(wl, rn, c, wc->tasks > 0 ? wc->tasks : c, wc->size, wc->payload);
      CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
      check_ok(&cell, &t);
    }
}

static void test_every_workload_every_runner(void **state)
{
  size_t k, covered = 0;

  (void)state;
  for (k = 0; k < cb_workloads_count; k++) {
    const cb_workload_t *wl = cb_workloads[k];
    wcase_t wc = { wl->name, wl->test.size, wl->default_payload, wl->test.tasks };

    /* fault.* and sync.none are tested apart (the last in test_sync.c) */
    if (wl->fails_on_purpose || wl->racy)
      continue;
    run_case(wl, &wc);
    covered++;
  }
  for (k = 0; k < CB_ARRAY_SIZE(extra_cases); k++)
    run_case(cbt_find_wl(extra_cases[k].name), &extra_cases[k]);
  /* every workload of the registry but fault.crash, fault.error and sync.none */
  assert_int_equal(covered + 3, cb_workloads_count);
}

/* ---- fault.crash ---------------------------------------------------------- */

/* fault.crash raises SIGSEGV and relies on its default action. A trial
 * process inherits this process's handlers, and cmocka catches SIGSEGV
 * during a test (a sanitizer may too): in a trial process its handler would
 * jump back into a copy of the test runner. So the default action is put
 * back around these trials (see the report: the trial process does not reset
 * it itself). */
static struct sigaction segv_saved;

static void segv_default(void)
{
  struct sigaction dfl = { .sa_handler = SIG_DFL };

  assert_int_equal(sigaction(SIGSEGV, &dfl, &segv_saved), 0);
}

static void segv_restore(void)
{
  sigaction(SIGSEGV, &segv_saved, NULL);
}

static void test_fault_crash(void **state)
{
  static const unsigned cs[] = { 1, 2, 4 };
  const cb_workload_t *wl = cbt_find_wl("fault.crash");
  char sig[96];
  size_t i, ci;
  cb_trial_t t;

  (void)state;
  snprintf(sig, sizeof(sig), "trial process killed by signal %d (%s)", SIGSEGV,
           strsignal(SIGSEGV));
  segv_default();
  for (i = 0; i < cb_runners_count; i++)
    for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
      const cb_runner_t *rn = cb_runners[i];
      cb_cell_t cell;

      if (is_runner(rn, "serial") && cs[ci] != 1)
        continue;
      cell = make_cell(wl, rn, cs[ci], 20, 5, 0);
      CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
      if (rn->survives_crash) {
        /* tasks 4, 9, 14 and 19 die with their workers; the rest verify.
         * A hybrid's crash also costs the other tasks its process held: at
         * most T (per_proc) per crash. */
        if (t.status != CB_ST_OK)
          print_error("[%s] status %s: %s\n", cbt_where, cb_status_name(t.status), t.msg);
        CBT_CHECK_EQ(t.status, CB_ST_OK);
        if (is_runner(rn, "processes"))
          CBT_CHECK_EQ(t.failed, 4);
        CBT_CHECK(t.failed >= 4 && t.failed <= 4 * (uint64_t)t.per_proc);
        CBT_CHECK_EQ(t.wrong, 0);
        CBT_CHECK_EQ(t.verified, 1);
        /* The clock ends at the last result, a lost task's included: at
         * c = 1 the last process dies on the last task (19) and no survivor
         * marks an end, yet the trial lasted. */
        CBT_CHECK(t.wall_s > 0 && t.throughput > 0);
        CBT_CHECK_EQ(t.workers, rn->workers(cs[ci], cb_topo_pus(cbt_topo), cb_topo_pus(cbt_topo)));
      } else {
        if (t.status != CB_ST_CRASHED)
          print_error("[%s] status %s: %s\n", cbt_where, cb_status_name(t.status), t.msg);
        CBT_CHECK_EQ(t.status, CB_ST_CRASHED);
        CBT_CHECK_EQ(t.verified, 0);
        if (strcmp(t.msg, sig) != 0)
          print_error("[%s] msg \"%s\"\n", cbt_where, t.msg);
        CBT_CHECK(strcmp(t.msg, sig) == 0);
      }
    }
  segv_restore();
}

/* Which tasks fault.crash loses, seen in the results of the processes runner
 * itself (the trial reports only how many). */
static void test_fault_crash_which_tasks(void **state)
{
  const cb_workload_t *wl = cbt_find_wl("fault.crash");
  const cb_runner_t *rn = cb_runner_find("processes");
  cb_params_t p = { .tasks = 20, .size = 5, .seed = 9, .scratch = tmpdir };
  cb_task_result_t *res = cb_results_map(20);
  cb_exec_t x = { .wl = wl, .params = &p, .concurrency = 3, .pus = pus, .results = res };
  cb_task_t tk = { .p = &p };
  uint64_t i;

  (void)state;
  assert_non_null(rn);
  snprintf(cbt_where, sizeof(cbt_where), "fault.crash under the processes runner, c=3");
  assert_non_null(res);
  CBT_CHECK(cbt_no_children());
  segv_default();
  CBT_CHECK_EQ(rn->run(&x), 0);
  segv_restore();
  CBT_CHECK(cbt_no_children());
  CBT_CHECK_EQ(x.failed, 4);
  for (i = 0; i < 20; i++) {
    snprintf(cbt_where, sizeof(cbt_where), "fault.crash under processes, task %llu",
             (unsigned long long)i);
    tk.index = i;
    if (i % 5 == 4) {
      CBT_CHECK_EQ(res[i].seen, 0);
      CBT_CHECK_EQ(res[i].err, -ECHILD);
    } else {
      CBT_CHECK_EQ(res[i].seen, 1);
      CBT_CHECK_EQ(res[i].err, 0);
      CBT_CHECK_EQ(res[i].checksum, wl->expect(&tk));
    }
  }
  /* size 0 crashes nothing */
  snprintf(cbt_where, sizeof(cbt_where), "fault.crash, size 0");
  for (i = 0; i < 20; i++) {
    uint64_t sum = 0;
    p.size = 0;
    tk.index = i;
    CBT_CHECK_EQ(wl->run(&tk, &sum), 0);
    CBT_CHECK_EQ(sum, wl->expect(&tk));
  }
  cb_results_unmap(res, 20);
}

/* ---- fault.error ------------------------------------------------------------ */

/* A task that returns an error fails alone under every runner and variant:
 * the trial completes (ok, verified), `failed` counts exactly the errored
 * tasks (4, 9, 14 and 19 of 20 with size 5), and throughput counts only the
 * 16 that came back right. */
static void test_fault_error(void **state)
{
  static const unsigned cs[] = { 1, 2, 4 };
  const cb_workload_t *wl = cbt_find_wl("fault.error");
  size_t i, d, ci;
  cb_trial_t t;

  (void)state;
  for (i = 0; i < cb_runners_count; i++)
    for (d = 0; cb_runners[i]->dispatches[d] != NULL; d++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
        cb_cell_t cell = make_cell(wl, cb_runners[i], cs[ci], 20, 5, 0);

        if (cb_runners[i]->reference && cs[ci] != 1)
          continue;
        cell.dispatch = cb_runners[i]->dispatches[d];
        CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
        if (t.status != CB_ST_OK)
          print_error("[%s] %s: %s\n", cbt_where, cb_status_name(t.status), t.msg);
        CBT_CHECK_EQ(t.status, CB_ST_OK);
        CBT_CHECK_EQ(t.failed, 4);
        CBT_CHECK_EQ(t.wrong, 0);
        CBT_CHECK_EQ(t.verified, 1);
        CBT_CHECK(t.throughput * t.wall_s > 16 * 0.999999 && t.throughput * t.wall_s < 16 * 1.000001);
      }
}

/* ---- comm.payload over both transports ----------------------------------- */

static void test_payload_transports(void **state)
{
  static const char *const transports[] = { "pipe", "shm" };
  static const uint64_t payloads[] = { 1, 4096, 1u << 20 };
  const cb_runner_t *rn = cb_runner_find("processes");
  size_t ti, pi;
  cb_trial_t t;

  (void)state;
  assert_non_null(rn);
  for (ti = 0; ti < CB_ARRAY_SIZE(transports); ti++) {
    assert_true(cb_runner_has_transport(rn, transports[ti]));
    for (pi = 0; pi < CB_ARRAY_SIZE(payloads); pi++) {
      cb_cell_t cell = make_cell(comm_payload, rn, 3, payloads[pi] > 4096 ? 8 : 30, 0,
                                 payloads[pi]);

      cell.transport = transports[ti];
      snprintf(cbt_where + strlen(cbt_where), sizeof(cbt_where) - strlen(cbt_where), ", %s", transports[ti]);
      CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
      check_ok(&cell, &t);

      /* and a wrong checksum from task 5 is caught through the same transport */
      cell.wl = &wl_payload_wrong;
      CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
      CBT_CHECK_EQ(t.status, CB_ST_WRONG);
      CBT_CHECK_EQ(t.verified, 0);
      CBT_CHECK_EQ(t.wrong, 1);
      CBT_CHECK_EQ(t.failed, 0);
      {
        unsigned char *in = malloc(payloads[pi]), *out = malloc(payloads[pi]);
        cb_task_t tk = { .p = &cell.params, .index = WRONG_INDEX, .in = in, .out = out };
        char msg[160];
        uint64_t want;

        assert_non_null(in);
        assert_non_null(out);
        cb_payload_fill(&cell.params, in);
        want = comm_payload->expect(&tk);
        snprintf(msg, sizeof(msg), "task %u: checksum %016llx, expected %016llx", WRONG_INDEX,
                 (unsigned long long)(want ^ WRONG_XOR), (unsigned long long)want);
        if (strcmp(t.msg, msg) != 0)
          print_error("[%s] msg \"%s\", expected \"%s\"\n", cbt_where, t.msg, msg);
        CBT_CHECK(strcmp(t.msg, msg) == 0);
        free(in);
        free(out);
      }
    }
  }
}

/* comm.payload's checksum is the digest of every output byte it wrote, and
 * each input byte, changed alone, changes it (so a transport that delivered
 * one wrong byte in is caught). */
static void test_payload_covers_every_byte(void **state)
{
  enum { N = 77 };
  cb_params_t p = { .tasks = 1, .payload = N, .seed = 3 };
  unsigned char in[N], out[N], in2[N];
  cb_task_t t = { .p = &p, .index = 2, .in = in, .out = out };
  uint64_t base, sum, again;
  size_t i;

  (void)state;
  cb_payload_fill(&p, in);
  assert_int_equal(comm_payload->run(&t, &base), 0);
  assert_true(base == comm_payload->expect(&t));
  for (i = 0; i < N; i++) {
    snprintf(cbt_where, sizeof(cbt_where), "comm.payload, input byte %zu", i);
    memcpy(in2, in, N);
    in2[i] ^= 0x40;
    t.in = in2;
    CBT_CHECK_EQ(comm_payload->run(&t, &sum), 0);
    CBT_CHECK(sum != base);
    /* and the output it wrote is the digest's input */
    CBT_CHECK_EQ(cb_digest(out, N, cb_task_seed(p.seed, t.index)), sum);
    t.in = in;
  }
  /* another task index transforms the bytes differently */
  t.index = 3;
  CBT_CHECK_EQ(comm_payload->run(&t, &again), 0);
  CBT_CHECK(again != base);
}

/* ---- io.tcp --------------------------------------------------------------- */

/* After a trial of io.tcp (in a supervised child and in this process, where
 * only teardown can stop the server) no socket listens on 127.0.0.1 that did
 * not before and belongs to this test, and the server that set-up started
 * is gone with its listening socket. */
static void test_tcp_server_gone(void **state)
{
  socks_t *before = malloc(sizeof(*before)), *after = malloc(sizeof(*after));
  size_t i, w;
  cb_trial_t t;
  int sup;

  (void)state;
  assert_non_null(before);
  assert_non_null(after);
  for (i = 0; i < cb_runners_count; i++)
    for (sup = 0; sup < 2; sup++)
      for (w = 0; w < 2; w++) {
        const cb_runner_t *rn = cb_runners[i];
        unsigned c = is_runner(rn, "serial") ? 1 : 3;
        cb_cell_t cell = make_cell(w == 0 ? io_tcp : &wl_tcp_watch, rn, c, 20, 20, 32);

        snprintf(cbt_where + strlen(cbt_where), sizeof(cbt_where) - strlen(cbt_where), ", %s",
                 sup ? "supervised" : "in process");
        assert_int_equal(listening_sockets(before), 0);
        memset(shared, 0, sizeof(*shared));
        CBT_CHECK_EQ(run_trial(&cell, sup, &t), 0);
        check_ok(&cell, &t);
        assert_int_equal(listening_sockets(after), 0);
        CBT_CHECK(no_new_listener_of_ours(before, after));
        if (w == 1) {
          /* what set-up made, seen inside the trial: a server holding one
           * listening socket; both gone now */
          CBT_CHECK_EQ(shared->setups, 1);
          CBT_CHECK(shared->server_pid > 0);
          CBT_CHECK_EQ(shared->server_sockets, 1);
          CBT_CHECK(!has_inode(before, shared->server_inode));
          CBT_CHECK(!has_inode(after, shared->server_inode));
          errno = 0;
          CBT_CHECK(kill(shared->server_pid, 0) == -1 && errno == ESRCH);
        }
      }
  free(before);
  free(after);
}

/* No payload at all, and one larger than the socket buffers each way. */
static void test_tcp_payload_extremes(void **state)
{
  static const char *const runners[] = { "threads", "processes", "eventloop" };
  static const uint64_t payloads[] = { 0, 100000 };
  size_t i, pi;
  cb_trial_t t;

  (void)state;
  for (i = 0; i < CB_ARRAY_SIZE(runners); i++) {
    const cb_runner_t *rn = cb_runner_find(runners[i]);

    if (rn == NULL) {
      print_message("%s is not built; skipped\n", runners[i]);
      continue;
    }
    for (pi = 0; pi < CB_ARRAY_SIZE(payloads); pi++) {
      cb_cell_t cell = make_cell(io_tcp, rn, 4, 20, 50, payloads[pi]);

      CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
      check_ok(&cell, &t);
    }
  }
}

/* ---- io.file -------------------------------------------------------------- */

/* io.file leaves nothing in TMPDIR after a supervised trial (checked by
 * run_trial): the supervisor removes the scratch directory. */
static void test_file_leaves_nothing(void **state)
{
  size_t i;
  cb_trial_t t;

  (void)state;
  for (i = 0; i < cb_runners_count; i++) {
    const cb_runner_t *rn = cb_runners[i];
    cb_cell_t cell = make_cell(io_file, rn, is_runner(rn, "serial") ? 1 : 4, 20, 4, 0);

    CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
    check_ok(&cell, &t);
  }
}

/* io.file removes each task's file itself: in a trial in this process with a
 * scratch directory of the test's own, which the trial does not remove, the
 * directory is empty afterwards. Last of all the tests: libuv's thread pool,
 * started by the event loop's fs requests, lives on in this process (see the
 * report), and ThreadSanitizer forbids threads in a child forked after that. */
static void test_file_removes_its_files(void **state)
{
  char dir[sizeof(tmpdir) + 32];
  uint64_t *expected = NULL;
  size_t i;
  cb_trial_t t;

  (void)state;
  /* Runners that fork their workers first (a hybrid's workers start
   * threads, which ThreadSanitizer refuses in a child forked after
   * libuv's pool started here), then the rest. */
  for (i = 0; i < 2 * cb_runners_count; i++) {
    const cb_runner_t *rn = cb_runners[i % cb_runners_count];
    cb_cell_t cell;
    struct dirent *e;
    DIR *d;

    if (!rn->forks_workers != (i >= cb_runners_count))
      continue;
    cell = make_cell(io_file, rn, is_runner(rn, "serial") ? 1 : 4, 20, 4, 0);

    snprintf(dir, sizeof(dir), "%s/own-XXXXXX", tmpdir);
    assert_non_null(mkdtemp(dir));
    cell.params.scratch = dir;
    CBT_CHECK_EQ(cb_trial_expected(&cell, cell.params.tasks, &expected), 0);
    CBT_CHECK_EQ(cb_trial_execute(&cell, cbt_topo, expected, &t), 0);
    free(expected);
    check_ok(&cell, &t);
    CBT_CHECK(cbt_no_children());
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      print_error("[%s] io.file left %s/%s\n", cbt_where, dir, e->d_name);
      CBT_CHECK(0);
    }
    closedir(d);
    CBT_CHECK_EQ(rmdir(dir), 0);
  }
  CBT_CHECK_EQ(tmpdir_entries(), 0);
}

static void check_crash_file(void)
{
  struct stat st;

  CBT_CHECK_EQ(shared->crash_file_made, 1);
  CBT_CHECK(strncmp(shared->crash_file, tmpdir, strlen(tmpdir)) == 0);
  errno = 0;
  CBT_CHECK(stat(shared->crash_file, &st) != 0 && errno == ENOENT);
}

static void test_file_crash_leaves_nothing(void **state)
{
  cb_cell_t cell;
  cb_trial_t t;

  (void)state;
  /* the thread's crash takes the trial process with it */
  cell = make_cell(&wl_file_crash, cb_runner_find("threads"), 2, 12, 4, 0);
  memset(shared, 0, sizeof(*shared));
  CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
  CBT_CHECK_EQ(t.status, CB_ST_CRASHED);
  check_crash_file();

  /* a process pool loses the task and its worker, and carries on */
  cell = make_cell(&wl_file_crash, cb_runner_find("processes"), 2, 12, 4, 0);
  memset(shared, 0, sizeof(*shared));
  CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
  CBT_CHECK_EQ(t.status, CB_ST_OK);
  CBT_CHECK_EQ(t.failed, 1);
  CBT_CHECK_EQ(t.verified, 1);
  check_crash_file();
}

/* ---- replies corrupted on the way ---------------------------------------- */

/* What the proxy and the pread64 below corrupt: the results of the first
 * and the last task. Set before a trial, so the trial process and its
 * workers inherit it. */
enum { CORRUPT_NONE, CORRUPT_BODY, CORRUPT_INDEX };
static int corrupt_mode;
static uint64_t corrupt_last;
static pid_t proxy_pid;

static int is_corrupted(uint64_t index)
{
  return index == 0 || index == corrupt_last;
}

static int put_all(int fd, const void *buf, size_t len)
{
  ssize_t r;

  while (len > 0) {
    r = write(fd, buf, len);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    buf = (const char *)buf + r;
    len -= (size_t)r;
  }
  return 0;
}

/* One client connection and the proxy's own connection to the server. The
 * server's replies are parsed as io.tcp frames (16-byte header: index,
 * length; then the body) so that a reply to a chosen task can be altered:
 * CORRUPT_BODY flips a bit of its last body byte, CORRUPT_INDEX names
 * another task in its header. */
typedef struct pconn_s {
  int cfd, sfd;
  unsigned char hdr[16];
  size_t hgot;
  uint64_t left;
  int bad;
} pconn_t;

static int relay_reply(pconn_t *c, unsigned char *in, size_t n)
{
  uint64_t index, len;
  size_t k;

  while (n > 0) {
    if (c->hgot < sizeof(c->hdr)) {
      k = sizeof(c->hdr) - c->hgot < n ? sizeof(c->hdr) - c->hgot : n;
      memcpy(c->hdr + c->hgot, in, k);
      c->hgot += k;
      in += k;
      n -= k;
      if (c->hgot < sizeof(c->hdr))
        break;
      memcpy(&index, c->hdr, 8);
      memcpy(&len, c->hdr + 8, 8);
      c->bad = is_corrupted(index);
      c->left = len;
      if (c->bad && corrupt_mode == CORRUPT_INDEX) {
        index ^= 1;
        memcpy(c->hdr, &index, 8);
      }
      if (put_all(c->cfd, c->hdr, sizeof(c->hdr)) != 0)
        return -1;
      if (len == 0)
        c->hgot = 0;
      continue;
    }
    k = c->left < n ? (size_t)c->left : n;
    if (c->bad && corrupt_mode == CORRUPT_BODY && k == c->left)
      in[k - 1] ^= 0x20;
    if (put_all(c->cfd, in, k) != 0)
      return -1;
    c->left -= k;
    in += k;
    n -= k;
    if (c->left == 0)
      c->hgot = 0;
  }
  return 0;
}

static int connect_to(uint16_t port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

  if (fd < 0)
    return -1;
  if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

/* The proxy process: relay every connection until killed. */
static void proxy_main(int lfd, uint16_t server_port)
{
  enum { MAXC = 64 };
  static pconn_t conns[MAXC];
  static unsigned char buf[1 << 16];
  struct pollfd pfd[1 + 2 * MAXC];
  unsigned n = 0, i, k;
  ssize_t r;
  int one = 1;

  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  for (;;) {
    pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
    for (i = 0; i < n; i++) {
      pfd[1 + 2 * i] = (struct pollfd){ .fd = conns[i].cfd, .events = POLLIN };
      pfd[2 + 2 * i] = (struct pollfd){ .fd = conns[i].sfd, .events = POLLIN };
    }
    if (poll(pfd, 1 + 2 * n, -1) < 0)
      continue;
    for (i = 0; i < n; i++) {
      for (k = 0; k < 2; k++) {
        pconn_t *c = &conns[i];
        if (c->cfd < 0 || !(pfd[1 + 2 * i + k].revents & (POLLIN | POLLHUP | POLLERR)))
          continue;
        r = read(k == 0 ? c->cfd : c->sfd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
          continue;
        if (r <= 0 || (k == 0 ? put_all(c->sfd, buf, (size_t)r) : relay_reply(c, buf, (size_t)r)) != 0) {
          close(c->cfd);
          close(c->sfd);
          c->cfd = c->sfd = -1;
        }
      }
    }
    if ((pfd[0].revents & POLLIN) && n < MAXC) {
      int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), sfd = cfd >= 0 ? connect_to(server_port) : -1;
      if (cfd >= 0 && sfd >= 0) {
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        conns[n++] = (pconn_t){ .cfd = cfd, .sfd = sfd };
      } else if (cfd >= 0) {
        close(cfd);
      }
    }
  }
}

/* io.tcp's set-up, then the proxy in front of its server: the clients get
 * the proxy's port. */
static int tcp_corrupt_setup(const cb_params_t *p, void **state)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof(addr);
  cb__tcp_state_t *st;
  int err = io_tcp->setup(p, state), lfd;

  if (err != 0)
    return err;
  st = *state;
  lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(lfd, 256) != 0 ||
      getsockname(lfd, (struct sockaddr *)&addr, &len) != 0) {
    err = -errno;
    goto fail;
  }
  proxy_pid = fork();
  if (proxy_pid < 0) {
    err = -errno;
    goto fail;
  }
  if (proxy_pid == 0)
    proxy_main(lfd, st->port);
  close(lfd);
  st->port = ntohs(addr.sin_port);
  return 0;

fail:
  if (lfd >= 0)
    close(lfd);
  io_tcp->teardown(p, *state);
  return err;
}

static void tcp_corrupt_teardown(const cb_params_t *p, void *state)
{
  kill(proxy_pid, SIGKILL);
  waitpid(proxy_pid, NULL, 0);
  io_tcp->teardown(p, state);
}

/* io.tcp through a proxy that corrupts the replies to the first and the
 * last task: a flipped bit in the body makes exactly those two wrong (the
 * client's checksum is computed from the reply, not from its request); a
 * reply naming another task makes those two an error (EPROTO). Blocking
 * and asynchronous clients alike. Without payload the reply is a header
 * only, which keeps the stream in step after the error. */
static void test_tcp_corrupted_replies(void **state)
{
  static const unsigned cs[] = { 1, 3 };
  size_t i, ci, m;
  cb_trial_t t;
  char want[64];

  (void)state;
  for (m = 0; m < 2; m++)
    for (i = 0; i < cb_runners_count; i++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
        const cb_runner_t *rn = cb_runners[i];
        cb_cell_t cell;

        if (is_runner(rn, "serial") && cs[ci] != 1)
          continue;
        cell = make_cell(&wl_tcp_corrupt, rn, cs[ci], 12, 20, m == 0 ? 64 : 0);
        snprintf(cbt_where + strlen(cbt_where), sizeof(cbt_where) - strlen(cbt_where), ", %s",
                 m == 0 ? "body corrupted" : "index corrupted");
        corrupt_mode = m == 0 ? CORRUPT_BODY : CORRUPT_INDEX;
        corrupt_last = cell.params.tasks - 1;
        CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
        corrupt_mode = CORRUPT_NONE;
        if (m == 0) {
          cb_task_t tk = { .p = &cell.params, .index = 0 };
          unsigned char in[64], out[64];

          cb_payload_fill(&cell.params, in);
          tk.in = in;
          tk.out = out;
          snprintf(want, sizeof(want), ", expected %016llx",
                   (unsigned long long)io_tcp->expect(&tk));
          CBT_CHECK_EQ(t.status, CB_ST_WRONG);
          CBT_CHECK_EQ(t.wrong, 2);
          CBT_CHECK_EQ(t.failed, 0);
          CBT_CHECK(strncmp(t.msg, "task 0: checksum ", 17) == 0);
          CBT_CHECK_HAS(t.msg, want);
          CBT_CHECK_EQ(strlen(t.msg), 17 + 16 + strlen(want)); /* the value got, in hex */
        } else {
          snprintf(want, sizeof(want), "task 0: %s", strerror(EPROTO));
          CBT_CHECK_EQ(t.status, CB_ST_ERROR);
          CBT_CHECK_EQ(t.wrong, 0);
          CBT_CHECK_EQ(t.failed, 2);
          if (strcmp(t.msg, want) != 0)
            print_error("[%s] msg \"%s\"\n", cbt_where, t.msg);
          CBT_CHECK(strcmp(t.msg, want) == 0);
        }
        CBT_CHECK_EQ(t.verified, 0);
      }
}

/* Reads of the first and the last task's file come back with their first
 * byte changed: this executable's pread64 takes the place of the C
 * library's for every caller in it (io.file's blocking form and libuv's
 * thread pool alike) while corrupt_mode says so; it hands every other read
 * to the next pread64 (the C library's, or a sanitizer's interceptor). */
ssize_t pread64(int fd, void *buf, size_t n, __off64_t off)
{
  typedef ssize_t (*pread_fn)(int, void *, size_t, __off64_t);
  static void *next_fn; /* found on first use, by any thread */
  void *next = __atomic_load_n(&next_fn, __ATOMIC_ACQUIRE);
  char link[64], path[4096];
  const char *base;
  ssize_t r, len;

  if (next == NULL) {
    next = dlsym(RTLD_NEXT, "pread64");
    __atomic_store_n(&next_fn, next, __ATOMIC_RELEASE);
  }
  r = ((pread_fn)next)(fd, buf, n, off);
  if (corrupt_mode == CORRUPT_NONE || r <= 0 || off != 0)
    return r;
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  len = readlink(link, path, sizeof(path) - 1);
  if (len <= 0)
    return r;
  path[len] = '\0';
  base = strrchr(path, '/');
  if (base != NULL && strncmp(base, "/task-", 6) == 0 &&
      is_corrupted(strtoull(base + 6, NULL, 10)))
    ((unsigned char *)buf)[0] ^= 0x01;
  return r;
}

/* io.file's checksum covers the bytes read back, not the bytes written:
 * with the first and the last task's read corrupted, exactly those two are
 * wrong, under every runner (the event loop's reads run on libuv's pool). */
static void test_file_corrupted_reads(void **state)
{
  size_t i;
  cb_trial_t t;
  char want[64];

  (void)state;
  for (i = 0; i < cb_runners_count; i++) {
    const cb_runner_t *rn = cb_runners[i];
    cb_cell_t cell = make_cell(io_file, rn, is_runner(rn, "serial") ? 1 : 3, 10, 4, 0);
    cb_task_t tk = { .p = &cell.params, .index = 0 };

    snprintf(want, sizeof(want), ", expected %016llx", (unsigned long long)io_file->expect(&tk));
    corrupt_mode = CORRUPT_BODY;
    corrupt_last = cell.params.tasks - 1;
    CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
    corrupt_mode = CORRUPT_NONE;
    CBT_CHECK_EQ(t.status, CB_ST_WRONG);
    CBT_CHECK_EQ(t.wrong, 2);
    CBT_CHECK_EQ(t.failed, 0);
    CBT_CHECK_EQ(t.verified, 0);
    CBT_CHECK(strncmp(t.msg, "task 0: checksum ", 17) == 0);
    CBT_CHECK_HAS(t.msg, want);
    CBT_CHECK_EQ(strlen(t.msg), 17 + 16 + strlen(want));
  }
  /* and without the corruption, the same cells are right */
  for (i = 0; i < cb_runners_count; i++) {
    const cb_runner_t *rn = cb_runners[i];
    cb_cell_t cell = make_cell(io_file, rn, is_runner(rn, "serial") ? 1 : 3, 10, 4, 0);

    CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
    check_ok(&cell, &t);
  }
}

/* ---- life.idle ------------------------------------------------------------ */

/* 64 idle workers: each model reports the memory of the trial; 64 processes
 * (Pss summed over all of them) hold more than one process with 64 timers. */
static void test_life_idle_memory(void **state)
{
  static const char *const runners[] = { "threads", "processes", "eventloop" };
  uint64_t kb[CB_ARRAY_SIZE(runners)] = { 0 };
  size_t i;
  cb_trial_t t;

  (void)state;
  for (i = 0; i < CB_ARRAY_SIZE(runners); i++) {
    const cb_runner_t *rn = cb_runner_find(runners[i]);
    cb_cell_t cell;

    if (rn == NULL) {
      print_message("%s is not built; skipped\n", runners[i]);
      continue;
    }
    cell = make_cell(cbt_find_wl("life.idle"), rn, 64, 64, 10000, 0);
    CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
    check_ok(&cell, &t);
    CBT_CHECK(t.maxrss_kb > 0);
    kb[i] = t.maxrss_kb;
  }
  print_message("life.idle c=64 memory: threads %llu KiB, processes %llu KiB, eventloop %llu KiB\n",
                (unsigned long long)kb[0], (unsigned long long)kb[1], (unsigned long long)kb[2]);
  if (kb[2] > 0) {
    snprintf(cbt_where, sizeof(cbt_where), "life.idle c=64: processes %llu KiB vs eventloop %llu KiB",
             (unsigned long long)kb[1], (unsigned long long)kb[2]);
    CBT_CHECK(kb[1] > kb[2]);
  }
}

/* ---- io.sleep and life.idle on a loop ----------------------------------- */

#if CB_HAVE_LIBUV
/* What the asynchronous form reported, for one slot driven by the test. */
typedef struct sleep_run_s {
  const cb_workload_t *wl;
  uint64_t started[3], ended[3];
  uint64_t sums[3];
  int errs[3];
  unsigned done, tasks, closed;
} sleep_run_t;

static void sleep_closed(cb_async_t *a)
{
  ((sleep_run_t *)a->runner_data)->closed++;
}

static void sleep_done(cb_async_t *a, int err, uint64_t checksum)
{
  sleep_run_t *sr = a->runner_data;
  unsigned k = sr->done++;

  sr->ended[k] = cb_now_ns();
  sr->errs[k] = err;
  sr->sums[k] = checksum;
  if (sr->done < sr->tasks) {
    /* the next task, from the callback, as the runner does */
    a->index = sr->done;
    sr->started[sr->done] = cb_now_ns();
    if (sr->wl->async_start(a) != 0)
      sr->tasks = sr->done;
  }
  if (sr->done == sr->tasks)
    sr->wl->async_close(a, sleep_closed);
}

/* A wait on the loop never ends before its size, whatever the loop's cached
 * clock says. The first task is started from outside any callback 1.5 ms
 * after the loop last read its clock (as a runner starts its first wave, or
 * a loop that ran callbacks for a while): a uv_timer, which counts whole
 * milliseconds from that cached time, fired at once there. The next two
 * start from the completion callback. Sizes of whole milliseconds and not. */
static void test_sleep_async_never_early(void **state)
{
  static const struct {
    const char *name;
    uint64_t sizes[4];
  } cases[] = {
    { "io.sleep", { 1000, 2000, 300, 1500 } },
    { "life.idle", { 1000, 2000, 300, 1500 } },
    { "mix.sleep", { 0, 30, 100, 70 } }, /* % CPU of 1 ms: waits of 1000, 700, 0, 300 us */
  };
  struct timespec stale = { 0, 1500000 };
  size_t wi, si, k;

  (void)state;
  for (wi = 0; wi < CB_ARRAY_SIZE(cases); wi++)
    for (si = 0; si < CB_ARRAY_SIZE(cases[wi].sizes); si++) {
      const cb_workload_t *wl = cbt_find_wl(cases[wi].name);
      uint64_t size = cases[wi].sizes[si];
      /* the wait a task must not cut short: all of it, or the share not CPU */
      uint64_t wait_us = wl->mixed_task_us > 0 ? wl->mixed_task_us * (100 - size) / 100 : size;
      cb_params_t p = { .tasks = 3, .size = size, .seed = 21, .calib = calib_of(wl) };
      cb_task_t tk = { .p = &p };
      sleep_run_t sr = { .wl = wl, .tasks = 3 };
      void *slot = calloc(1, wl->async_slot_size);
      cb_async_t a = { .params = &p, .done = sleep_done, .slot = slot, .runner_data = &sr };
      uv_loop_t loop;

      snprintf(cbt_where, sizeof(cbt_where), "%s, size %llu %s, on a loop", cases[wi].name,
               (unsigned long long)size, wl->size_unit);
      assert_non_null(slot);
      assert_non_null(wl->async_start);
      assert_int_equal(uv_loop_init(&loop), 0);
      a.loop = &loop;
      CBT_CHECK_EQ(wl->async_open(&a), 0);
      uv_update_time(&loop);
      nanosleep(&stale, NULL);
      sr.started[0] = cb_now_ns();
      CBT_CHECK_EQ(wl->async_start(&a), 0);
      CBT_CHECK_EQ(sr.done, 0); /* never from inside async_start */
      CBT_CHECK_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
      CBT_CHECK_EQ(sr.done, 3);
      CBT_CHECK_EQ(sr.closed, 1);
      for (k = 0; k < 3; k++) {
        tk.index = k;
        if (sr.ended[k] - sr.started[k] < wait_us * 1000u)
          print_error("[%s] task %zu ended after %llu ns\n", cbt_where, k,
                      (unsigned long long)(sr.ended[k] - sr.started[k]));
        CBT_CHECK(sr.ended[k] - sr.started[k] >= wait_us * 1000u);
        CBT_CHECK_EQ(sr.errs[k], 0);
        CBT_CHECK_EQ(sr.sums[k], wl->expect(&tk));
      }
      CBT_CHECK_EQ(uv_loop_close(&loop), 0);
      free(slot);
    }
}
#endif

/* ---- mix.sleep ------------------------------------------------------------ */

/* A task's split: at 0% it waits the whole millisecond and computes
 * nothing, at 100% it computes a calibrated millisecond and does not wait,
 * in between the rounds of its share are halved around the wait; the chain
 * carries on across the wait; a wait cut short by one nanosecond
 * complements the checksum; share and calibration both change it. */
static void test_mix_plan(void **state)
{
  static const struct {
    uint64_t calib, size, before, after, wait_us;
  } cases[] = {
    { 4000, 0, 0, 0, 1000 },    { 4000, 100, 2000, 2000, 0 }, { 4000, 25, 500, 500, 750 },
    { 4000, 1, 20, 20, 990 },   { 3011, 10, 150, 151, 900 },  { 0, 50, 0, 0, 500 },
  };
  cb__mix_plan_t plan;
  cb_params_t p = { .seed = 3 };
  uint64_t x;
  size_t i;

  (void)state;
  for (i = 0; i < CB_ARRAY_SIZE(cases); i++) {
    snprintf(cbt_where, sizeof(cbt_where), "mix plan, calib %llu, %llu%%",
             (unsigned long long)cases[i].calib, (unsigned long long)cases[i].size);
    p.calib = cases[i].calib;
    p.size = cases[i].size;
    cb__mix_plan(&p, 1000, &plan);
    CBT_CHECK_EQ(plan.rounds_before, cases[i].before);
    CBT_CHECK_EQ(plan.rounds_after, cases[i].after);
    CBT_CHECK_EQ(plan.wait_us, cases[i].wait_us);
    x = cb__mix_rounds(cb__mix_start(&p, 5), 0, plan.rounds_before + plan.rounds_after);
    CBT_CHECK_EQ(cb__mix_expect(&p, 5, 1000),
             cb__mix_rounds(cb__mix_rounds(cb__mix_start(&p, 5), 0, plan.rounds_before),
                            plan.rounds_before, plan.rounds_after));
    CBT_CHECK_EQ(cb__mix_expect(&p, 5, 1000), x);
    CBT_CHECK_EQ(cb__mix_sum(&plan, x, plan.wait_us * 1000u), x);
    CBT_CHECK_EQ(cb__mix_sum(&plan, x, plan.wait_us * 1000u + 1), x);
    if (plan.wait_us > 0)
      CBT_CHECK_EQ(cb__mix_sum(&plan, x, plan.wait_us * 1000u - 1), ~x);
  }
  p.calib = 4000;
  p.size = 25;
  x = cb__mix_expect(&p, 5, 1000);
  CBT_CHECK(cb__mix_expect(&p, 6, 1000) != x);
  p.size = 26;
  CBT_CHECK(cb__mix_expect(&p, 5, 1000) != x);
  p.size = 25;
  p.calib = 4004; /* 1001 rounds instead of 1000 */
  CBT_CHECK(cb__mix_expect(&p, 5, 1000) != x);
}

/* At 0% a mix.sleep task is io.sleep of 1 ms (and a mix.tcp task a round
 * trip to a server that thinks for 1 ms): the trial lasts at least its
 * tasks' waits and uses next to no CPU; at 100% it is a CPU task of a
 * calibrated millisecond, as cpu.hash of that many rounds is: both use
 * between half and twice a millisecond of CPU per task (the calibration
 * takes the fastest of its batches; CPU time, unlike wall time, does not
 * grow when other processes take the CPU). Serial, so that the trial's CPU
 * is its tasks'. */
static void test_mix_extremes(void **state)
{
  enum { N = 40 };
  const cb_runner_t *serial = cb_runner_find("serial");
  const cb_workload_t *mix = cbt_find_wl("mix.sleep");
  const double ms = 1e-3 * N; /* N tasks of 1 ms */
  cb_cell_t cell;
  cb_trial_t t;
  double cpu[2];
  int k;

  (void)state;
  assert_non_null(serial);
  for (k = 0; k < 3; k++) { /* io.sleep of 1 ms; mix.sleep and mix.tcp at 0% */
    cell = make_cell(k == 0 ? cbt_find_wl("io.sleep") : k == 1 ? mix : cbt_find_wl("mix.tcp"), serial,
                     1, N, k == 0 ? 1000 : 0, k == 2 ? 64 : 0);
    CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
    check_ok(&cell, &t);
    CBT_CHECK(t.wall_s >= ms);
    CBT_CHECK(t.user_s + t.sys_s < 0.25 * ms);
  }
  for (k = 0; k < 2; k++) { /* cpu.hash of a calibrated ms, mix.sleep at 100% */
    cell = make_cell(k == 0 ? cbt_find_wl("cpu.hash") : mix, serial, 1, N,
                     k == 0 ? calib_of(mix) : 100, 0);
    CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
    check_ok(&cell, &t);
    cpu[k] = t.user_s + t.sys_s;
    if (cpu[k] < 0.5 * ms || cpu[k] > 2 * ms)
      print_error("[%s] %.4f s of CPU for %d tasks\n", cbt_where, cpu[k], N);
    CBT_CHECK(cpu[k] >= 0.5 * ms && cpu[k] <= 2 * ms);
    CBT_CHECK(t.wall_s >= 0.5 * ms);
  }
}

/* ---- comm.pingpong -------------------------------------------------------- */

static void test_pingpong_small_sizes(void **state)
{
  static const uint64_t sizes[] = { 0, 1 };
  static const unsigned cs[] = { 1, 3 };
  const cb_workload_t *wl = cbt_find_wl("comm.pingpong");
  cb_params_t p = { .seed = 11 };
  cb_task_t tk = { .p = &p, .index = 4 };
  size_t i, si, ci;
  cb_trial_t t;

  (void)state;
  /* the contract: the token comes back with one added per visit */
  for (si = 0; si < 3; si++) {
    p.size = si * 10;
    snprintf(cbt_where, sizeof(cbt_where), "comm.pingpong expect, size %zu", si * 10);
    CBT_CHECK_EQ(wl->expect(&tk), cb_task_seed(p.seed, tk.index) + p.size);
  }
  for (i = 0; i < cb_runners_count; i++)
    for (si = 0; si < CB_ARRAY_SIZE(sizes); si++)
      for (ci = 0; ci < CB_ARRAY_SIZE(cs); ci++) {
        const cb_runner_t *rn = cb_runners[i];
        cb_cell_t cell;

        if (is_runner(rn, "serial") && cs[ci] != 1)
          continue;
        cell = make_cell(wl, rn, cs[ci], 20, sizes[si], 0);
        CBT_CHECK_EQ(run_trial(&cell, 1, &t), 0);
        check_ok(&cell, &t);
      }
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
    cmocka_unit_test(test_payload_covers_every_byte),
    cmocka_unit_test(test_every_workload_every_runner),
    cmocka_unit_test(test_fault_crash),
    cmocka_unit_test(test_fault_crash_which_tasks),
    cmocka_unit_test(test_fault_error),
    cmocka_unit_test(test_payload_transports),
    cmocka_unit_test(test_tcp_server_gone),
    cmocka_unit_test(test_tcp_payload_extremes),
    cmocka_unit_test(test_file_leaves_nothing),
    cmocka_unit_test(test_file_crash_leaves_nothing),
    cmocka_unit_test(test_tcp_corrupted_replies),
    cmocka_unit_test(test_file_corrupted_reads),
    cmocka_unit_test(test_life_idle_memory),
    cmocka_unit_test(test_pingpong_small_sizes),
    cmocka_unit_test(test_mix_plan),
    cmocka_unit_test(test_mix_extremes),
#if CB_HAVE_LIBUV
    cmocka_unit_test(test_sleep_async_never_early),
#endif
    cmocka_unit_test(test_file_removes_its_files), /* last: see there */
  };

  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
