/* io.file: write `size` KiB to a file of its own in the trial's private
 * scratch directory, fsync it, read it back, close and remove it; the
 * checksum covers the bytes read back, so a short or wrong read is caught.
 * The asynchronous form chains uv_fs_* requests, which libuv runs on its own
 * thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise): an event
 * loop "does file I/O" by handing it to threads. The scratch directory is
 * removed by the supervisor after the trial, also after a crash or timeout.
 * Under --gil the blocking form lets go of the GIL around each system call
 * (open, write, fsync, read, close, unlink), as CPython's os and io do. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gil.h"
#include "workload.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

typedef struct file_buf_s {
  unsigned char *data, *back;
  char path[PATH_MAX]; /* the task's file (here, not on a worker's small stack) */
} file_buf_t;

static size_t file_len(const cb_params_t *p)
{
  return (size_t)p->size * 1024u;
}

/* The content of task `index`'s file. */
static void content(const cb_params_t *p, uint64_t index, unsigned char *buf)
{
  cb_params_t q = *p;

  q.seed = cb_task_seed(p->seed, index);
  q.payload = file_len(p);
  cb_payload_fill(&q, buf);
}

static uint64_t back_sum(const cb_params_t *p, uint64_t index, const unsigned char *back)
{
  return cb_digest(back, file_len(p), cb_task_seed(p->seed, index));
}

static int bufs_open(const cb_params_t *p, file_buf_t **out)
{
  file_buf_t *b = calloc(1, sizeof(*b));
  size_t n = file_len(p) > 0 ? file_len(p) : 1;

  if (b == NULL)
    return -ENOMEM;
  b->data = malloc(n);
  b->back = malloc(n);
  if (b->data == NULL || b->back == NULL) {
    free(b->data);
    free(b->back);
    free(b);
    return -ENOMEM;
  }
  *out = b;
  return 0;
}

static void bufs_close(file_buf_t *b)
{
  free(b->data);
  free(b->back);
  free(b);
}

static void task_path(const cb_params_t *p, uint64_t index, char *buf, size_t len)
{
  snprintf(buf, len, "%s/task-%llu", p->scratch, (unsigned long long)index);
}

static int file_worker_open(const cb_params_t *p, void *state, void **worker)
{
  CB_UNUSED(state);
  return bufs_open(p, (file_buf_t **)worker);
}

static void file_worker_close(const cb_params_t *p, void *state, void *worker)
{
  CB_UNUSED(p);
  CB_UNUSED(state);
  bufs_close(worker);
}

static int rw_full(int fd, unsigned char *buf, size_t len, int writing)
{
  size_t done = 0;
  ssize_t r;

  while (done < len) {
    cb_gil_release();
    r = writing ? pwrite(fd, buf + done, len - done, (off_t)done)
                : pread(fd, buf + done, len - done, (off_t)done);
    cb_gil_acquire();
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -errno;
    if (r == 0)
      return -EIO; /* the file is shorter than what was written */
    done += (size_t)r;
  }
  return 0;
}

static int file_run(const cb_task_t *t, uint64_t *checksum)
{
  file_buf_t *b;
  char *path;
  int fd, err;

  if (*t->worker == NULL && (err = bufs_open(t->p, (file_buf_t **)t->worker)) != 0)
    return err;
  b = *t->worker;
  path = b->path;
  content(t->p, t->index, b->data);
  task_path(t->p, t->index, path, sizeof(b->path));
  cb_gil_release();
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  cb_gil_acquire();
  if (fd < 0)
    return -errno;
  err = rw_full(fd, b->data, file_len(t->p), 1);
  cb_gil_release();
  if (err == 0 && fsync(fd) != 0)
    err = -errno;
  cb_gil_acquire();
  if (err == 0)
    err = rw_full(fd, b->back, file_len(t->p), 0);
  cb_gil_release();
  close(fd);
  unlink(path);
  cb_gil_acquire();
  if (err == 0)
    *checksum = back_sum(t->p, t->index, b->back);
  return err;
}

static uint64_t file_expect(const cb_task_t *t)
{
  unsigned char *buf = malloc(file_len(t->p) > 0 ? file_len(t->p) : 1);
  uint64_t sum;

  if (buf == NULL)
    return 0; /* the trial then reports a wrong checksum, never a false ok */
  content(t->p, t->index, buf);
  sum = back_sum(t->p, t->index, buf);
  free(buf);
  return sum;
}

#if CB_HAVE_LIBUV
enum { F_OPEN, F_WRITE, F_FSYNC, F_READ, F_CLOSE, F_UNLINK };

typedef struct file_slot_s {
  uv_fs_t req;
  file_buf_t *b;
  char path[PATH_MAX];
  uv_file fd;
  int step, err;
  size_t done;
} file_slot_t;

static void step_cb(uv_fs_t *req);

/* Issue the request for the slot's current step. */
static int issue(cb_async_t *a)
{
  file_slot_t *s = a->slot;
  size_t len = file_len(a->params);
  uv_buf_t buf;

  s->req.data = a;
  switch (s->step) {
  case F_OPEN:
    return uv_fs_open(a->loop, &s->req, s->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600,
                      step_cb);
  case F_WRITE:
    buf = uv_buf_init((char *)s->b->data + s->done, (unsigned)(len - s->done));
    return uv_fs_write(a->loop, &s->req, s->fd, &buf, 1, (int64_t)s->done, step_cb);
  case F_FSYNC:
    return uv_fs_fsync(a->loop, &s->req, s->fd, step_cb);
  case F_READ:
    buf = uv_buf_init((char *)s->b->back + s->done, (unsigned)(len - s->done));
    return uv_fs_read(a->loop, &s->req, s->fd, &buf, 1, (int64_t)s->done, step_cb);
  case F_CLOSE:
    return uv_fs_close(a->loop, &s->req, s->fd, step_cb);
  default:
    return uv_fs_unlink(a->loop, &s->req, s->path, step_cb);
  }
}

/* Where to go after a step that returned `r`. */
static void advance(file_slot_t *s, ssize_t r, size_t len)
{
  if (r < 0 || ((s->step == F_WRITE || s->step == F_READ) && r == 0 && s->done < len)) {
    if (s->err == 0)
      s->err = r < 0 ? (int)r : -EIO;
    /* After a failure: close what is open, remove what was created. */
    s->step = s->fd >= 0 && s->step < F_CLOSE ? F_CLOSE : F_UNLINK;
    return;
  }
  if (s->step == F_OPEN) {
    s->fd = (uv_file)r;
  } else if (s->step == F_WRITE || s->step == F_READ) {
    s->done += (size_t)r;
    if (s->done < len)
      return; /* a short transfer: go on from where it stopped */
    s->done = 0;
  } else if (s->step == F_CLOSE) {
    s->fd = -1;
  }
  s->step++;
}

static void step_cb(uv_fs_t *req)
{
  cb_async_t *a = req->data;
  file_slot_t *s = a->slot;
  ssize_t r = req->result;
  int err;

  uv_fs_req_cleanup(req);
  if (s->step == F_UNLINK) {
    err = s->err;
    a->done(a, err, err == 0 ? back_sum(a->params, a->index, s->b->back) : 0);
    return;
  }
  advance(s, r, file_len(a->params));
  err = issue(a);
  if (err != 0) {
    s->err = err;
    a->done(a, err, 0);
  }
}

static void warmed_cb(uv_fs_t *req)
{
  uv_fs_req_cleanup(req);
}

/* Each slot's first request goes through libuv's thread pool, which starts
 * its threads on first use: a stat of the scratch directory here, before the
 * clock, so that the pool's start-up is not charged to the first tasks. */
static int file_async_open(cb_async_t *a)
{
  file_slot_t *s = a->slot;
  int err;

  s->fd = -1;
  err = bufs_open(a->params, &s->b);
  if (err != 0)
    return err;
  err = uv_fs_stat(a->loop, &s->req, a->params->scratch, warmed_cb);
  if (err != 0) {
    bufs_close(s->b);
    s->b = NULL;
  }
  return err;
}

static int file_async_start(cb_async_t *a)
{
  file_slot_t *s = a->slot;

  content(a->params, a->index, s->b->data);
  task_path(a->params, a->index, s->path, sizeof(s->path));
  s->step = F_OPEN;
  s->err = 0;
  s->done = 0;
  return issue(a);
}

static void file_async_close(cb_async_t *a, void (*closed)(cb_async_t *a))
{
  file_slot_t *s = a->slot;

  if (s->b != NULL)
    bufs_close(s->b);
  s->b = NULL;
  closed(a);
}
#endif

const cb_workload_t cb_workload_io_file = {
  .name = "io.file",
  .description = "write size KiB to a private file, fsync, read it back, remove it",
  .size_unit = "KiB",
  .default_size = 64,
  .max_size = 262144, /* 256 MiB per file, twice that in buffers */
  .default_tasks = 200,
  .fds_per_task = 1,
  .async_fds_per_task = 1,
  .run = file_run,
  .worker_open = file_worker_open,
  .worker_close = file_worker_close,
  .expect = file_expect,
#if CB_HAVE_LIBUV
  .async_slot_size = sizeof(file_slot_t),
  .async_open = file_async_open,
  .async_start = file_async_start,
  .async_close = file_async_close,
#endif
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(16, 40),
               [CB_PROFILE_STANDARD] = CB_SIZING(64, 100),
               [CB_PROFILE_FULL] = CB_SIZING(64, 300) },
  .test = CB_SIZING(4, 20),
};
