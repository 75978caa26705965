/* io.tcp: request and response over loopback TCP with a real server, like a
 * call to a backend. `setup` starts the server in its own process (bound to
 * 127.0.0.1 on an ephemeral port, single-threaded, epoll); `teardown` stops
 * and reaps it. A request is a 16-byte header (task index, length) and the
 * task's payload; the server waits `size` us of think time, then answers with
 * the header and the payload transformed by a key derived from the index, so
 * the client verifies that the reply is the one to its own request.
 *
 * Every in-flight task has its own persistent connection: a blocking socket
 * per worker (opened before the clock starts) in the blocking form, a uv_tcp
 * per event loop slot in the asynchronous form. Under --gil the blocking
 * client lets go of the GIL around each connect, writev and read, as
 * CPython's socket module does. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gil.h"
#include "io_tcp.h"
#include "workload.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

typedef struct hdr_s {
  uint64_t index, len;
} hdr_t;

typedef cb__tcp_state_t tcp_state_t;

/* The server's answer to request `index`: each byte keyed by the index. */
static void transform(unsigned char *dst, const unsigned char *src, size_t n, uint64_t index)
{
  uint64_t key = cb_mix64(index + 1);
  size_t i;

  for (i = 0; i < n; i++)
    dst[i] = src[i] ^ (unsigned char)(key >> (8 * (i & 7)));
}

static uint64_t reply_sum(const cb_params_t *p, uint64_t index, const unsigned char *reply)
{
  return cb_digest(reply, (size_t)p->payload, cb_task_seed(p->seed, index));
}

/* ---- the server ---------------------------------------------------------- */

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
  transform(c->body, c->body, (size_t)c->hdr.len, c->hdr.index);
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

static int tcp_setup(const cb_params_t *p, void **state)
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

static void tcp_teardown(const cb_params_t *p, void *state)
{
  tcp_state_t *st = state;

  CB_UNUSED(p);
  kill(st->server, SIGKILL);
  waitpid(st->server, NULL, 0);
  free(st);
}

/* ---- the blocking client ------------------------------------------------- */

/* Write header and body with as few system calls as the socket allows: one
 * writev for a small request, so it travels as one segment. */
static int send_request(int fd, hdr_t *h, const unsigned char *body, size_t n)
{
  size_t total = sizeof(*h) + n, done = 0, off;
  struct iovec iov[2];
  ssize_t r;
  int k;

  while (done < total) {
    k = 0;
    off = done;
    if (off < sizeof(*h)) {
      iov[k++] = (struct iovec){ (char *)h + off, sizeof(*h) - off };
      off = sizeof(*h);
    }
    if (n > 0)
      iov[k++] = (struct iovec){ (void *)(body + (off - sizeof(*h))), total - off };
    cb_gil_release();
    r = writev(fd, iov, k);
    cb_gil_acquire();
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -errno;
    done += (size_t)r;
  }
  return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
  size_t done = 0;
  ssize_t r;

  while (done < len) {
    cb_gil_release();
    r = read(fd, (char *)buf + done, len - done);
    cb_gil_acquire();
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -errno;
    if (r == 0)
      return -ECONNRESET;
    done += (size_t)r;
  }
  return 0;
}

static int tcp_worker_open(const cb_params_t *p, void *state, void **worker)
{
  tcp_state_t *st = state;
  struct sockaddr_in addr = {
    .sin_family = AF_INET,
    .sin_port = htons(st->port),
    .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
  };
  int fd, one = 1, err;

  CB_UNUSED(p);
  fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  cb_gil_release();
  err = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ? -errno : 0;
  cb_gil_acquire();
  if (err != 0) {
    close(fd);
    return err;
  }
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  *worker = (void *)(intptr_t)(fd + 1); /* + 1: a NULL slot means "none" */
  return 0;
}

static void tcp_worker_close(const cb_params_t *p, void *state, void *worker)
{
  CB_UNUSED(p);
  CB_UNUSED(state);
  close((int)(intptr_t)worker - 1);
}

static int tcp_run(const cb_task_t *t, uint64_t *checksum)
{
  hdr_t h = { .index = t->index, .len = t->p->payload };
  size_t n = (size_t)t->p->payload;
  int fd, err;

  if (*t->worker == NULL && (err = tcp_worker_open(t->p, t->state, t->worker)) != 0)
    return err;
  fd = (int)(intptr_t)*t->worker - 1;
  err = send_request(fd, &h, t->in, n);
  if (err == 0)
    err = read_full(fd, &h, sizeof(h));
  if (err == 0 && (h.index != t->index || h.len != n))
    err = -EPROTO;
  if (err == 0 && n > 0)
    err = read_full(fd, t->out, n);
  if (err == 0)
    *checksum = reply_sum(t->p, t->index, t->out);
  return err;
}

static uint64_t tcp_expect(const cb_task_t *t)
{
  transform(t->out, t->in, (size_t)t->p->payload, t->index);
  return reply_sum(t->p, t->index, t->out);
}

/* ---- the asynchronous client --------------------------------------------- */

#if CB_HAVE_LIBUV
typedef struct tcp_slot_s {
  uv_tcp_t tcp;
  uv_connect_t connect;
  uv_write_t write;
  hdr_t whdr, rhdr;
  size_t got;          /* bytes of the current reply so far */
  int status;          /* of the connection: 0, or a libuv error */
  int in_flight;       /* a task waits for its reply */
  int write_pending;   /* `write` is in use until its callback */
  int want_write;      /* a request waits for `write` to be free */
  int reading;
  unsigned char sink[64];
  void (*closed)(cb_async_t *a);
} tcp_slot_t;

static void finish(cb_async_t *a, int err)
{
  tcp_slot_t *s = a->slot;

  if (!s->in_flight)
    return;
  s->in_flight = 0;
  a->done(a, err, err == 0 ? reply_sum(a->params, a->index, a->out) : 0);
}

static void on_connect(uv_connect_t *req, int status)
{
  cb_async_t *a = req->data;

  ((tcp_slot_t *)a->slot)->status = status;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
  cb_async_t *a = h->data;
  tcp_slot_t *s = a->slot;
  size_t n = (size_t)a->params->payload;

  CB_UNUSED(suggested);
  if (s->in_flight && s->got < sizeof(s->rhdr))
    *buf = uv_buf_init((char *)&s->rhdr + s->got, (unsigned)(sizeof(s->rhdr) - s->got));
  else if (s->in_flight && s->got < sizeof(s->rhdr) + n)
    *buf = uv_buf_init((char *)a->out + (s->got - sizeof(s->rhdr)),
                       (unsigned)(sizeof(s->rhdr) + n - s->got));
  else
    *buf = uv_buf_init((char *)s->sink, sizeof(s->sink)); /* nothing is expected */
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
  cb_async_t *a = stream->data;
  tcp_slot_t *s = a->slot;
  size_t n = (size_t)a->params->payload;

  if (nread < 0) {
    s->status = (int)nread;
    uv_read_stop(stream);
    s->reading = 0;
    finish(a, (int)nread);
    return;
  }
  if (nread == 0 || !s->in_flight || buf->base == (char *)s->sink)
    return;
  s->got += (size_t)nread;
  if (s->got == sizeof(s->rhdr) && (s->rhdr.index != a->index || s->rhdr.len != n)) {
    finish(a, -EPROTO);
    return;
  }
  if (s->got == sizeof(s->rhdr) + n)
    finish(a, 0);
}

static int send_now(cb_async_t *a);

static void on_write(uv_write_t *req, int status)
{
  cb_async_t *a = req->data;
  tcp_slot_t *s = a->slot;

  s->write_pending = 0;
  if (status < 0) {
    finish(a, status);
    return;
  }
  if (s->want_write) {
    s->want_write = 0;
    status = send_now(a);
    if (status != 0)
      finish(a, status);
  }
}

static int send_now(cb_async_t *a)
{
  tcp_slot_t *s = a->slot;
  uv_buf_t bufs[2] = {
    uv_buf_init((char *)&s->whdr, sizeof(s->whdr)),
    uv_buf_init((char *)a->in, (unsigned)a->params->payload),
  };
  int err;

  s->write.data = a;
  err = uv_write(&s->write, (uv_stream_t *)&s->tcp, bufs, a->params->payload > 0 ? 2 : 1,
                 on_write);
  s->write_pending = err == 0;
  return err;
}

static int tcp_async_open(cb_async_t *a)
{
  tcp_slot_t *s = a->slot;
  tcp_state_t *st = a->state;
  struct sockaddr_in addr;
  int err;

  err = uv_tcp_init(a->loop, &s->tcp);
  if (err != 0)
    return err;
  s->tcp.data = a;
  uv_tcp_nodelay(&s->tcp, 1);
  uv_ip4_addr("127.0.0.1", st->port, &addr);
  s->connect.data = a;
  err = uv_tcp_connect(&s->connect, &s->tcp, (const struct sockaddr *)&addr, on_connect);
  if (err != 0)
    s->status = err; /* the handle is open; async_close will close it */
  return 0;
}

static int tcp_async_start(cb_async_t *a)
{
  tcp_slot_t *s = a->slot;
  int err;

  if (s->status != 0)
    return s->status;
  if (!s->reading) {
    err = uv_read_start((uv_stream_t *)&s->tcp, on_alloc, on_read);
    if (err != 0)
      return err;
    s->reading = 1;
  }
  s->whdr.index = a->index;
  s->whdr.len = a->params->payload;
  s->got = 0;
  s->in_flight = 1;
  /* The reply to the last request can arrive before the callback of its
   * write; `write` may then still be in use. */
  if (s->write_pending) {
    s->want_write = 1;
    return 0;
  }
  err = send_now(a);
  if (err != 0)
    s->in_flight = 0;
  return err;
}

static void tcp_closed(uv_handle_t *h)
{
  cb_async_t *a = h->data;

  ((tcp_slot_t *)a->slot)->closed(a);
}

static void tcp_async_close(cb_async_t *a, void (*closed)(cb_async_t *a))
{
  tcp_slot_t *s = a->slot;

  s->closed = closed;
  uv_close((uv_handle_t *)&s->tcp, tcp_closed);
}
#endif

const cb_workload_t cb_workload_io_tcp = {
  .name = "io.tcp",
  .description = "request/response over loopback TCP to a server with size us think time",
  .size_unit = "us",
  .default_size = 200,
  .max_size = 60000000, /* a minute */
  .default_tasks = 2000,
  .default_payload = 64,
  .setup = tcp_setup,
  .teardown = tcp_teardown,
  .fds_per_task = 1,
  .async_fds_per_task = 1,
  .ports_per_task = 1,
  .run = tcp_run,
  .worker_open = tcp_worker_open,
  .worker_close = tcp_worker_close,
  .expect = tcp_expect,
#if CB_HAVE_LIBUV
  .async_slot_size = sizeof(tcp_slot_t),
  .async_open = tcp_async_open,
  .async_start = tcp_async_start,
  .async_close = tcp_async_close,
#endif
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(100, 400),
               [CB_PROFILE_STANDARD] = CB_SIZING(200, 1000),
               [CB_PROFILE_FULL] = CB_SIZING(200, 4000) },
  .test = CB_SIZING(50, 30),
};
