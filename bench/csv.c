/* Output buffers, CSV fields and atomic file replacement; see csv.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"

void cb_buf_free(cb_buf_t *b)
{
  free(b->data);
  memset(b, 0, sizeof(*b));
}

static int reserve(cb_buf_t *b, size_t extra)
{
  size_t cap = b->cap ? b->cap : 4096;
  char *p;

  if (b->failed)
    return -ENOMEM;
  while (cap < b->len + extra + 1)
    cap *= 2;
  if (cap == b->cap)
    return 0;
  p = realloc(b->data, cap);
  if (p == NULL) {
    b->failed = 1;
    return -ENOMEM;
  }
  b->data = p;
  b->cap = cap;
  return 0;
}

void cb_buf_put(cb_buf_t *b, const char *s, size_t n)
{
  if (reserve(b, n) != 0)
    return;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void cb_buf_printf(cb_buf_t *b, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || reserve(b, (size_t)n) != 0)
    return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void cb_buf_csv_str(cb_buf_t *b, const char *s)
{
  const char *p;

  if (s[strcspn(s, ",\"\r\n")] == '\0') {
    cb_buf_put(b, s, strlen(s));
    return;
  }
  cb_buf_put(b, "\"", 1);
  for (p = s; *p != '\0'; p++) {
    if (*p == '"')
      cb_buf_put(b, "\"", 1);
    cb_buf_put(b, p, 1);
  }
  cb_buf_put(b, "\"", 1);
}

void cb_buf_json_str(cb_buf_t *b, const char *s)
{
  const unsigned char *p;

  cb_buf_put(b, "\"", 1);
  for (p = (const unsigned char *)s; *p != '\0'; p++) {
    if (*p == '"' || *p == '\\')
      cb_buf_printf(b, "\\%c", *p);
    else if (*p < 0x20)
      cb_buf_printf(b, "\\u%04x", *p);
    else
      cb_buf_put(b, (const char *)p, 1);
  }
  cb_buf_put(b, "\"", 1);
}

void cb_buf_csv_double(cb_buf_t *b, double v)
{
  char s[40];

  snprintf(s, sizeof(s), "%.15g", v);
  if (strtod(s, NULL) != v)
    snprintf(s, sizeof(s), "%.17g", v);
  cb_buf_put(b, s, strlen(s));
}

/* The directory part of path, in buf. */
static void dir_of(const char *path, char *buf, size_t len)
{
  char tmp[4096];

  snprintf(tmp, sizeof(tmp), "%s", path);
  snprintf(buf, len, "%s", dirname(tmp));
}

int cb_check_writable(const char *path)
{
  char dir[4096];
  struct stat st;

  if (path[0] == '\0')
    return -ENOENT;
  if (path[strlen(path) - 1] == '/' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
    return -EISDIR; /* a trailing slash names a directory, existing or not */
  dir_of(path, dir, sizeof(dir));
  if (stat(dir, &st) != 0)
    return -errno;
  if (!S_ISDIR(st.st_mode))
    return -ENOTDIR;
  if (access(dir, W_OK | X_OK) != 0)
    return -errno;
  return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
  ssize_t r;

  while (len > 0) {
    r = write(fd, p, len);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -errno;
    p += r;
    len -= (size_t)r;
  }
  return 0;
}

/* A target that is not a regular file (/dev/null, /dev/full, a FIFO) is
 * written in place: renaming a file over a device would replace the device. */
static int write_in_place(const char *path, const void *data, size_t len)
{
  int fd = open(path, O_WRONLY | O_CLOEXEC), err;

  if (fd < 0)
    return -errno;
  err = write_all(fd, data, len);
  if (close(fd) != 0 && err == 0)
    err = -errno;
  return err;
}

int cb_write_atomic(const char *path, const void *data, size_t len)
{
  char tmp[4200];
  struct stat st;
  int fd, err;

  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
    return write_in_place(path, data, len);
  snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
  fd = mkostemp(tmp, O_CLOEXEC);
  if (fd < 0)
    return -errno;
  err = write_all(fd, data, len);
  if (err == 0 && fchmod(fd, 0644) != 0)
    err = -errno;
  if (err == 0 && fsync(fd) != 0)
    err = -errno;
  if (close(fd) != 0 && err == 0)
    err = -errno;
  if (err == 0 && rename(tmp, path) != 0)
    err = -errno;
  if (err != 0)
    unlink(tmp);
  return err;
}
