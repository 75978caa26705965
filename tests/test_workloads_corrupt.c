/* Results that travel are checked by corrupting them on the way: io.tcp's
 * clients talk to the real server through a proxy that flips a byte of the
 * reply to the first and the last task, and reads of io.file's files go
 * through this executable's own pread64, which can flip a byte of what the
 * first and the last task read back; each trial must then be wrong (or an
 * error) in exactly those two tasks. The executable runs with TMPDIR set to
 * a fresh directory of its own (tests/test_wl.c). */
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

/* ---- replies corrupted on the way ---------------------------------------- */

/* What the proxy and the pread64 below corrupt: the results of the first
 * and the last task. Set before a trial, so the trial process and its
 * workers inherit it. */
enum { CORRUPT_NONE, CORRUPT_BODY, CORRUPT_INDEX };
static int corrupt_mode;
static uint64_t corrupt_last;
static pid_t proxy_pid;
static cb_workload_t wl_tcp_corrupt;

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
  int err = wlt_io_tcp->setup(p, state), lfd;

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
  wlt_io_tcp->teardown(p, *state);
  return err;
}

static void tcp_corrupt_teardown(const cb_params_t *p, void *state)
{
  kill(proxy_pid, SIGKILL);
  waitpid(proxy_pid, NULL, 0);
  wlt_io_tcp->teardown(p, state);
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

        if (wlt_is_runner(rn, "serial") && cs[ci] != 1)
          continue;
        cell = wlt_cell(&wl_tcp_corrupt, rn, cs[ci], 12, 20, m == 0 ? 64 : 0);
        snprintf(cbt_where + strlen(cbt_where), sizeof(cbt_where) - strlen(cbt_where), ", %s",
                 m == 0 ? "body corrupted" : "index corrupted");
        corrupt_mode = m == 0 ? CORRUPT_BODY : CORRUPT_INDEX;
        corrupt_last = cell.params.tasks - 1;
        CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
        corrupt_mode = CORRUPT_NONE;
        if (m == 0) {
          cb_task_t tk = { .p = &cell.params, .index = 0 };
          unsigned char in[64], out[64];

          cb_payload_fill(&cell.params, in);
          tk.in = in;
          tk.out = out;
          snprintf(want, sizeof(want), ", expected %016llx",
                   (unsigned long long)wlt_io_tcp->expect(&tk));
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
    cb_cell_t cell = wlt_cell(wlt_io_file, rn, wlt_is_runner(rn, "serial") ? 1 : 3, 10, 4, 0);
    cb_task_t tk = { .p = &cell.params, .index = 0 };

    snprintf(want, sizeof(want), ", expected %016llx", (unsigned long long)wlt_io_file->expect(&tk));
    corrupt_mode = CORRUPT_BODY;
    corrupt_last = cell.params.tasks - 1;
    CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
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
    cb_cell_t cell = wlt_cell(wlt_io_file, rn, wlt_is_runner(rn, "serial") ? 1 : 3, 10, 4, 0);

    CBT_CHECK_EQ(wlt_run_trial(&cell, 1, &t), 0);
    wlt_check_ok(&cell, &t);
  }
}

/* io.tcp with the proxy between its clients and its server. */
static int group_setup(void **state)
{
  if (wlt_group_setup(state) != 0)
    return -1;
  wl_tcp_corrupt = *wlt_io_tcp;
  wl_tcp_corrupt.name = "test.tcp-corrupt";
  wl_tcp_corrupt.setup = tcp_corrupt_setup;
  wl_tcp_corrupt.teardown = tcp_corrupt_teardown;
  return 0;
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tcp_corrupted_replies),
    cmocka_unit_test(test_file_corrupted_reads),
  };

  return cmocka_run_group_tests(tests, group_setup, wlt_group_teardown);
}
