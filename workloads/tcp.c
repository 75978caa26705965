/* The server of the TCP workloads (tcp.h): io.tcp's, through which mix.tcp
 * makes its round trips as well. Set-up starts it in its own process, bound
 * to 127.0.0.1 on an ephemeral port, single-threaded, epoll; teardown stops
 * and reaps it. It reads a request (a header and the payload), waits the
 * think time without blocking anyone (a timerfd, the waiting requests in a
 * FIFO sorted by deadline), then answers with the header and the payload
 * transformed by a key derived from the task index. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcp.h"

typedef cb__tcp_hdr_t hdr_t;
typedef cb__tcp_state_t tcp_state_t;

void cb__tcp_transform(unsigned char *dst, const unsigned char *src, size_t n, uint64_t index)
{
  uint64_t key = cb_mix64(index + 1);
  size_t i;

  for (i = 0; i < n; i++)
    dst[i] = src[i] ^ (unsigned char)(key >> (8 * (i & 7)));
}

enum { S_HDR, S_BODY, S_THINK, S_REPLY };

typedef struct conn_s {
  int fd, state;
  hdr_t hdr;
  size_t got, sent;
  unsigned char *body;
  uint64_t due;
  struct conn_s *next; /* in the think-time queue */
} conn_t;

typedef struct server_s {
  int ep, tfd;
  uint64_t think_ns;
  size_t payload;
  conn_t *head, *tail; /* deadlines are arrival + a constant: a FIFO is sorted */
} server_t;

static void conn_drop(server_t *s, conn_t *c)
{
  epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->fd = -1;
  if (c->state != S_THINK) { /* a queued one is freed when it leaves the queue */
    free(c->body);
    free(c);
  }
}

static void arm(server_t *s)
{
  struct itimerspec its = { { 0, 0 }, { 0, 0 } };

  if (s->head != NULL) {
    its.it_value.tv_sec = (time_t)(s->head->due / 1000000000u);
    its.it_value.tv_nsec = (long)(s->head->due % 1000000000u);
  }
  timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void want(server_t *s, conn_t *c, uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.ptr = c };

  epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void reply_more(server_t *s, conn_t *c)
{
  size_t total = sizeof(c->hdr) + (size_t)c->hdr.len;
  struct iovec iov[2];
  ssize_t r;

  while (c->sent < total) {
    size_t off = c->sent;
    int n = 0;
    if (off < sizeof(c->hdr)) {
      iov[n++] = (struct iovec){ (char *)&c->hdr + off, sizeof(c->hdr) - off };
      off = sizeof(c->hdr);
    }
    if (c->hdr.len > 0)
      iov[n++] = (struct iovec){ c->body + (off - sizeof(c->hdr)), total - off };
    r = writev(c->fd, iov, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0 && errno == EAGAIN) {
      want(s, c, EPOLLOUT);
      return;
    }
    if (r < 0) {
      conn_drop(s, c);
      return;
    }
    c->sent += (size_t)r;
  }
  c->state = S_HDR;
  c->got = 0;
  want(s, c, EPOLLIN);
}

static void answer(server_t *s, conn_t *c)
{
  cb__tcp_transform(c->body, c->body, (size_t)c->hdr.len, c->hdr.index);
  c->state = S_REPLY;
  c->sent = 0;
  reply_more(s, c);
}

static void request_complete(server_t *s, conn_t *c)
{
  if (s->think_ns == 0) {
    answer(s, c);
    return;
  }
  c->state = S_THINK;
  c->due = cb_now_ns() + s->think_ns;
  c->next = NULL;
  if (s->tail != NULL)
    s->tail->next = c;
  else
    s->head = c;
  s->tail = c;
  if (s->head == c)
    arm(s);
}

static void on_readable(server_t *s, conn_t *c)
{
  ssize_t r;

  for (;;) {
    if (c->state == S_HDR)
      r = read(c->fd, (char *)&c->hdr + c->got, sizeof(c->hdr) - c->got);
    else if (c->state == S_BODY)
      r = read(c->fd, c->body + c->got, (size_t)c->hdr.len - c->got);
    else
      return;
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0 && errno == EAGAIN)
      return;
    if (r <= 0) {
      conn_drop(s, c);
      return;
    }
    c->got += (size_t)r;
    if (c->state == S_HDR && c->got == sizeof(c->hdr)) {
      if (c->hdr.len != s->payload) {
        conn_drop(s, c); /* not one of ours */
        return;
      }
      c->state = S_BODY;
      c->got = 0;
    }
    if (c->state == S_BODY && c->got == c->hdr.len) {
      request_complete(s, c);
      return;
    }
  }
}

static void on_timer(server_t *s)
{
  uint64_t expirations, now = cb_now_ns();
  conn_t *c;

  if (read(s->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
    return;
  while ((c = s->head) != NULL && c->due <= now) {
    s->head = c->next;
    if (s->head == NULL)
      s->tail = NULL;
    if (c->fd < 0) { /* its client left while it waited */
      free(c->body);
      free(c);
      continue;
    }
    answer(s, c);
  }
  arm(s);
}

static void on_accept(server_t *s, int lfd)
{
  struct epoll_event ev = { .events = EPOLLIN };
  int fd, one = 1;
  conn_t *c;

  while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
    c = calloc(1, sizeof(*c));
    if (c != NULL)
      c->body = malloc(s->payload > 0 ? s->payload : 1);
    if (c == NULL || c->body == NULL) {
      free(c);
      close(fd);
      continue;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->fd = fd;
    ev.data.ptr = c;
    epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
  }
}

/* The server process: serve until killed. Never returns. */
static void server_main(int lfd, const cb_params_t *p)
{
  server_t s = { .think_ns = p->size * 1000u, .payload = (size_t)p->payload };
  struct epoll_event ev = { .events = EPOLLIN }, evs[64];
  int i, n;

  prctl(PR_SET_NAME, "cb-tcp-server", 0, 0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* never outlive its trial */
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  s.ep = epoll_create1(EPOLL_CLOEXEC);
  s.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (s.ep < 0 || s.tfd < 0)
    _exit(2);
  ev.data.ptr = &s.ep; /* markers: the addresses of the two fds */
  epoll_ctl(s.ep, EPOLL_CTL_ADD, lfd, &ev);
  ev.data.ptr = &s.tfd;
  epoll_ctl(s.ep, EPOLL_CTL_ADD, s.tfd, &ev);
  for (;;) {
    n = epoll_wait(s.ep, evs, (int)CB_ARRAY_SIZE(evs), -1);
    for (i = 0; i < n; i++) {
      void *ptr = evs[i].data.ptr;
      if (ptr == &s.ep)
        on_accept(&s, lfd);
      else if (ptr == &s.tfd)
        on_timer(&s);
      else if (((conn_t *)ptr)->state == S_REPLY)
        reply_more(&s, ptr);
      else
        on_readable(&s, ptr);
    }
  }
}

int cb__tcp_setup(const cb_params_t *p, void **state)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof(addr);
  tcp_state_t *st = calloc(1, sizeof(*st));
  int lfd = -1, err = 0;

  if (st == NULL)
    return -ENOMEM;
  lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
      listen(lfd, 4096) != 0 || getsockname(lfd, (struct sockaddr *)&addr, &len) != 0) {
    err = -errno;
    goto fail;
  }
  st->port = ntohs(addr.sin_port);
  st->server = fork();
  if (st->server < 0) {
    err = -errno;
    goto fail;
  }
  if (st->server == 0)
    server_main(lfd, p);
  close(lfd);
  *state = st;
  return 0;

fail:
  if (lfd >= 0)
    close(lfd);
  free(st);
  return err;
}

void cb__tcp_teardown(const cb_params_t *p, void *state)
{
  tcp_state_t *st = state;

  CB_UNUSED(p);
  kill(st->server, SIGKILL);
  waitpid(st->server, NULL, 0);
  free(st);
}

