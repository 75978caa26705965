/* io.tcp: request and response over loopback TCP with a real server, like a
 * call to a backend. `setup` starts the server in its own process (tcp.c:
 * bound to 127.0.0.1 on an ephemeral port, single-threaded, epoll);
 * `teardown` stops and reaps it. This file holds its two clients. A request is a 16-byte header (task index, length) and the
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
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gil.h"
#include "io_tcp.h"
#include "tcp.h"
#include "workload.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

typedef cb__tcp_hdr_t hdr_t;
typedef cb__tcp_state_t tcp_state_t;

static uint64_t reply_sum(const cb_params_t *p, uint64_t index, const unsigned char *reply)
{
  return cb_digest(reply, (size_t)p->payload, cb_task_seed(p->seed, index));
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
  cb__tcp_transform(t->out, t->in, (size_t)t->p->payload, t->index);
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
  .setup = cb__tcp_setup,
  .teardown = cb__tcp_teardown,
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
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(100, 240),
               [CB_PROFILE_STANDARD] = CB_SIZING(200, 1000),
               [CB_PROFILE_FULL] = CB_SIZING(200, 4000) },
  .test = CB_SIZING(50, 30),
};
