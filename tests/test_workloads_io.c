/* What the workloads that move bytes promise beyond their checksum:
 * comm.payload moves its bytes through both transports of the process pool
 * (a wrong checksum from one task is caught) and covers every byte; io.tcp's
 * server is gone and its port closed after the trial; io.file leaves no
 * file, not even when a task crashes after creating one.
 *
 * The executable runs with TMPDIR set to a fresh directory of its own
 * (tests/test_wl.c); after each trial it must be empty again and no child
 * process may be left. Test-only workloads here are copies of registry
 * workloads with one member replaced (a crash, a wrong checksum, a set-up
 * that records what it made), made in group_setup. */
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
#include "test_wl.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif
/* ---- what test workloads saw --------------------------------------------- */

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

static cb_workload_t wl_tcp_watch, wl_file_crash, wl_payload_wrong;

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
  int err = wlt_io_tcp->setup(p, state), pid = 0;

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
    return wlt_io_file->run(t, checksum);
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
  int err = wlt_comm_payload->run(t, checksum);

  if (t->index == WRONG_INDEX)
    *checksum ^= WRONG_XOR;
  return err;
}

/* ---- group set-up -------------------------------------------------------- */

static int group_setup(void **state)
{
  if (wlt_group_setup(state) != 0)
    return -1;
  shared = cbt_map_shared(sizeof(*shared));
  wl_tcp_watch = *wlt_io_tcp;
  wl_tcp_watch.name = "test.tcp-watch";
  wl_tcp_watch.setup = tcp_watch_setup;
  wl_file_crash = *wlt_io_file;
  wl_file_crash.name = "test.file-crash";
  wl_file_crash.run = file_crash_run;
  wl_file_crash.fails_on_purpose = 1;
  wl_payload_wrong = *wlt_comm_payload;
  wl_payload_wrong.name = "test.payload-wrong";
  wl_payload_wrong.run = payload_wrong_run;
  wl_payload_wrong.async_start = NULL; /* comm.payload has none; stay blocking */
  return 0;
}

static int group_teardown(void **state)
{
  munmap(shared, sizeof(*shared));
  return wlt_group_teardown(state);
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
      cb_cell_t cell = wlt_cell(wlt_comm_payload, rn, 3, payloads[pi] > 4096 ? 8 : 30, 0,
                                 payloads[pi]);

      cell.transport = transports[ti];
      snprintf(cbt_where + strlen(cbt_where), sizeof(cbt_where) - strlen(cbt_where), ", %s", transports[ti]);
      CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
      wlt_check_ok(&cell, &t);

      /* and a wrong checksum from task 5 is caught through the same transport */
      cell.wl = &wl_payload_wrong;
      CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
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
        want = wlt_comm_payload->expect(&tk);
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
  assert_int_equal(wlt_comm_payload->run(&t, &base), 0);
  assert_true(base == wlt_comm_payload->expect(&t));
  for (i = 0; i < N; i++) {
    snprintf(cbt_where, sizeof(cbt_where), "comm.payload, input byte %zu", i);
    memcpy(in2, in, N);
    in2[i] ^= 0x40;
    t.in = in2;
    CBT_CHECK_EQ(wlt_comm_payload->run(&t, &sum), 0);
    CBT_CHECK(sum != base);
    /* and the output it wrote is the digest's input */
    CBT_CHECK_EQ(cb_digest(out, N, cb_task_seed(p.seed, t.index)), sum);
    t.in = in;
  }
  /* another task index transforms the bytes differently */
  t.index = 3;
  CBT_CHECK_EQ(wlt_comm_payload->run(&t, &again), 0);
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
        unsigned c = wlt_is_runner(rn, "serial") ? 1 : 3;
        cb_cell_t cell = wlt_cell(w == 0 ? wlt_io_tcp : &wl_tcp_watch, rn, c, 20, 20, 32);

        snprintf(cbt_where + strlen(cbt_where), sizeof(cbt_where) - strlen(cbt_where), ", %s",
                 sup ? "supervised" : "in process");
        assert_int_equal(listening_sockets(before), 0);
        memset(shared, 0, sizeof(*shared));
        CBT_CHECK_EQ(wlt_run_trial(&cell, sup, &t), 0);
        wlt_check_ok(&cell, &t);
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
      cb_cell_t cell = wlt_cell(wlt_io_tcp, rn, 4, 20, 50, payloads[pi]);

      CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
      wlt_check_ok(&cell, &t);
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
    cb_cell_t cell = wlt_cell(wlt_io_file, rn, wlt_is_runner(rn, "serial") ? 1 : 4, 20, 4, 0);

    CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
    wlt_check_ok(&cell, &t);
  }
}

/* io.file removes each task's file itself: in a trial in this process with a
 * scratch directory of the test's own, which the trial does not remove, the
 * directory is empty afterwards. Last of all the tests: libuv's thread pool,
 * started by the event loop's fs requests, lives on in this process (see the
 * report), and ThreadSanitizer forbids threads in a child forked after that. */
static void test_file_removes_its_files(void **state)
{
  char dir[sizeof(wlt_tmpdir) + 32];
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
    cell = wlt_cell(wlt_io_file, rn, wlt_is_runner(rn, "serial") ? 1 : 4, 20, 4, 0);

    snprintf(dir, sizeof(dir), "%s/own-XXXXXX", wlt_tmpdir);
    assert_non_null(mkdtemp(dir));
    cell.params.scratch = dir;
    CBT_CHECK_EQ(cb_trial_expected(&cell, cell.params.tasks, &expected), 0);
    CBT_CHECK_EQ(cb_trial_execute(&cell, cbt_topo, expected, &t), 0);
    free(expected);
    wlt_check_ok(&cell, &t);
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
  CBT_CHECK_EQ(wlt_tmpdir_entries(), 0);
}

static void check_crash_file(void)
{
  struct stat st;

  CBT_CHECK_EQ(shared->crash_file_made, 1);
  CBT_CHECK(strncmp(shared->crash_file, wlt_tmpdir, strlen(wlt_tmpdir)) == 0);
  errno = 0;
  CBT_CHECK(stat(shared->crash_file, &st) != 0 && errno == ENOENT);
}

static void test_file_crash_leaves_nothing(void **state)
{
  cb_cell_t cell;
  cb_trial_t t;

  (void)state;
  /* the thread's crash takes the trial process with it */
  cell = wlt_cell(&wl_file_crash, cb_runner_find("threads"), 2, 12, 4, 0);
  memset(shared, 0, sizeof(*shared));
  CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
  CBT_CHECK_EQ(t.status, CB_ST_CRASHED);
  check_crash_file();

  /* a process pool loses the task and its worker, and carries on */
  cell = wlt_cell(&wl_file_crash, cb_runner_find("processes"), 2, 12, 4, 0);
  memset(shared, 0, sizeof(*shared));
  CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
  CBT_CHECK_EQ(t.status, CB_ST_OK);
  CBT_CHECK_EQ(t.failed, 1);
  CBT_CHECK_EQ(t.verified, 1);
  check_crash_file();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_payload_covers_every_byte),
    cmocka_unit_test(test_payload_transports),
    cmocka_unit_test(test_tcp_server_gone),
    cmocka_unit_test(test_tcp_payload_extremes),
    cmocka_unit_test(test_file_leaves_nothing),
    cmocka_unit_test(test_file_crash_leaves_nothing),
    cmocka_unit_test(test_file_removes_its_files), /* last: see there */
  };

  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
