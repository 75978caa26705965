/* Descriptor and shared-memory helpers for runners whose workers are
 * processes: whole reads and writes that survive EINTR, a non-blocking
 * readability check, the futex a forked worker sleeps on at its barriers,
 * and anonymous shared mappings. Kept apart so that every process-based
 * runner moves bytes and waits the same way. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kit.h"

int cb__read_full(int fd, void *buf, size_t len)
{
  size_t got = 0;
  ssize_t r;

  while (got < len) {
    r = read(fd, (char *)buf + got, len - got);
    if (r == 0)
      return got == 0 ? 0 : -EPROTO;
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    got += (size_t)r;
  }
  return 1;
}

int cb__write_full(int fd, const void *buf, size_t len)
{
  size_t put = 0;
  ssize_t r;

  while (put < len) {
    r = write(fd, (const char *)buf + put, len - put);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    put += (size_t)r;
  }
  return 0;
}

void cb__close_fd(int *fd)
{
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

int cb__readable(int fd)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };

  return poll(&pfd, 1, 0) > 0;
}

void cb__futex_wait(atomic_int *a, int val)
{
  syscall(SYS_futex, a, FUTEX_WAIT, val, NULL, NULL, 0);
}

void cb__futex_wake(atomic_int *a)
{
  syscall(SYS_futex, a, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

void *cb__map_shared(size_t len)
{
  void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

  return m == MAP_FAILED ? NULL : m;
}
