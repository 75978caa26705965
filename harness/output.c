/* Outputs by kind; see output.h. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "signals.h"

static void say(char *why, size_t len, const char *text)
{
  if (why != NULL && len > 0)
    snprintf(why, len, "%s", text);
}

/* The directory part of `path` (malloc'd), or NULL. */
static char *dir_of(const char *path)
{
  char *copy = strdup(path), *d = NULL;

  if (copy != NULL)
    d = strdup(dirname(copy));
  free(copy);
  return d;
}

static char *base_of(const char *path)
{
  char *copy = strdup(path), *b = NULL;

  if (copy != NULL)
    b = strdup(basename(copy));
  free(copy);
  return b;
}

/* The directory that will hold `file` must exist and take new files. */
static int check_dir(const char *file, char *why, size_t len, struct stat *dst)
{
  char *dir = dir_of(file);
  int err = 0;

  if (dir == NULL)
    return -ENOMEM;
  if (stat(dir, dst) != 0)
    err = -errno;
  else if (!S_ISDIR(dst->st_mode))
    err = -ENOTDIR;
  else if (access(dir, W_OK | X_OK) != 0)
    err = -errno;
  if (err != 0 && why != NULL)
    snprintf(why, len, "directory '%s': %s", dir, strerror(-err));
  free(dir);
  return err;
}

size_t cb_sweep_temporaries(const char *dir, const char *prefix)
{
  size_t removed = 0, plen = strlen(prefix), n;
  struct dirent *e;
  struct stat st;
  DIR *d = opendir(dir);
  const char *tag;
  char *path, *end;
  long pid;

  while (d != NULL && (e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, prefix, plen) != 0 || (tag = strstr(e->d_name + plen, ".tmp-")) == NULL)
      continue;
    pid = strtol(tag + 5, &end, 10);
    if (end == tag + 5 || pid <= 0 || (*end != '-' && *end != '.') || pid == (long)getpid())
      continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue; /* its owner may still be writing it */
    n = strlen(dir) + strlen(e->d_name) + 2;
    if ((path = malloc(n)) == NULL)
      break;
    snprintf(path, n, "%s/%s", dir, e->d_name);
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        unlink(path) == 0)
      removed++;
    free(path);
  }
  if (d != NULL)
    closedir(d);
  return removed;
}

/* The temporaries of `file` left by writers that were killed. */
static void sweep_beside(const char *file)
{
  char *dir = dir_of(file), *base = base_of(file);

  if (dir != NULL && base != NULL)
    cb_sweep_temporaries(dir, base);
  free(dir);
  free(base);
}

/* Open a FIFO or a device for writing without ever blocking in open(), then
 * make it blocking again for the write. */
static int open_stream(cb_output_t *o, const struct stat *st, char *why, size_t len)
{
  int fd = open(o->path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
                             (S_ISREG(st->st_mode) ? O_TRUNC : 0)), flags;

  if (fd < 0) {
    int err = -errno;
    if (err == -ENXIO && S_ISFIFO(st->st_mode))
      say(why, len, "a FIFO that nobody reads (opening it would wait for a reader)");
    else
      say(why, len, strerror(-err));
    return err;
  }
  flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    int err = -errno;
    close(fd);
    say(why, len, strerror(-err));
    return err;
  }
  o->fd = fd;
  o->kind = CB_OUT_STREAM;
  o->dev = st->st_dev;
  o->ino = st->st_ino;
  return 0;
}

/* "-": our standard output, whatever it is (a terminal, a pipe, a file the
 * shell opened), written once at the end through a descriptor of our own. */
static int open_stdout(cb_output_t *o, char *why, size_t len)
{
  struct stat st;
  int fd;

  if (fstat(STDOUT_FILENO, &st) != 0 || (fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0) {
    int err = -errno;
    say(why, len, err == -EBADF ? "standard output is closed" : strerror(-err));
    return err;
  }
  o->fd = fd;
  o->kind = CB_OUT_STREAM;
  o->dev = st.st_dev;
  o->ino = st.st_ino;
  return 0;
}

int cb_output_open(cb_output_t *o, const char *path, char *why, size_t len)
{
  struct stat st, dst;
  char *real;
  int err;

  memset(o, 0, sizeof(*o));
  o->fd = -1;
  say(why, len, "");
  if (path[0] == '\0') {
    say(why, len, "an empty name");
    return -ENOENT;
  }
  o->path = strdup(path);
  if (o->path == NULL)
    return -ENOMEM;
  if (strcmp(path, "-") == 0) {
    err = open_stdout(o, why, len);
    if (err != 0)
      goto fail;
    return 0;
  }
  if (path[strlen(path) - 1] == '/') {
    say(why, len, "a directory (ends with '/')");
    err = -EISDIR;
    goto fail;
  }
  if (stat(path, &st) != 0) {
    err = -errno;
    if (err != -ENOENT) {
      say(why, len, strerror(-err));
      goto fail;
    }
    /* A new file: its directory must take it. */
    err = check_dir(path, why, len, &dst);
    if (err != 0)
      goto fail;
    sweep_beside(path);
    o->kind = CB_OUT_FILE;
    o->target = strdup(path);
    o->name = base_of(path);
    o->dev = dst.st_dev;
    o->ino = dst.st_ino;
    if (o->target == NULL || o->name == NULL) {
      err = -ENOMEM;
      goto fail;
    }
    return 0;
  }
  if (S_ISREG(st.st_mode)) {
    struct stat rst;
    real = realpath(path, NULL);
    if (real == NULL || stat(real, &rst) != 0 || rst.st_dev != st.st_dev ||
        rst.st_ino != st.st_ino) {
      /* A file with no name to replace it by (an unlinked file behind
       * /dev/stdout or /proc/self/fd/N): written in place, once. Renaming
       * over the path would replace the link, not the file. */
      free(real);
      err = open_stream(o, &st, why, len);
      if (err != 0)
        goto fail;
      return 0;
    }
    o->target = real;
    err = check_dir(o->target, why, len, &dst);
    if (err != 0)
      goto fail;
    sweep_beside(o->target);
    o->kind = CB_OUT_FILE;
    o->dev = st.st_dev;
    o->ino = st.st_ino;
    return 0;
  }
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
    err = open_stream(o, &st, why, len);
    if (err != 0)
      goto fail;
    return 0;
  }
  err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
  say(why, len, S_ISDIR(st.st_mode)    ? "a directory"
                : S_ISSOCK(st.st_mode) ? "a socket (not a file to write)"
                : S_ISBLK(st.st_mode)  ? "a block device (not a file to write)"
                                       : "not a file to write");
fail:
  cb_output_close(o);
  return err;
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

/* Temporary file beside the target (TARGET.tmp-PID-XXXXXX: named after its
 * owner, see cb_sweep_temporaries), fsync, rename. */
static int replace(const char *target, const void *data, size_t len)
{
  size_t n = strlen(target) + sizeof(".tmp--XXXXXX") + 24;
  char *tmp = malloc(n);
  int fd, err;

  if (tmp == NULL)
    return -ENOMEM;
  snprintf(tmp, n, "%s.tmp-%ld-XXXXXX", target, (long)getpid());
  fd = mkostemp(tmp, O_CLOEXEC);
  if (fd < 0) {
    err = -errno;
    free(tmp);
    return err;
  }
  err = write_all(fd, data, len);
  if (err == 0 && fchmod(fd, 0644) != 0)
    err = -errno;
  if (err == 0 && fsync(fd) != 0)
    err = -errno;
  if (close(fd) != 0 && err == 0)
    err = -errno;
  if (err == 0 && rename(tmp, target) != 0)
    err = -errno;
  if (err != 0)
    unlink(tmp);
  free(tmp);
  return err;
}

int cb_output_write(cb_output_t *o, const void *data, size_t len)
{
  sigset_t old;
  int err;

  if (o->kind == CB_OUT_STREAM) {
    if (o->written)
      return -EALREADY;
    o->written = 1;
    return write_all(o->fd, data, len);
  }
  cb_sig_block(&old);
  err = replace(o->target, data, len);
  cb_sig_unblock(&old);
  if (err == 0) {
    /* A new inode now, and the file exists: that is its identity. */
    struct stat st;
    if (stat(o->target, &st) == 0) {
      free(o->name);
      o->name = NULL;
      o->dev = st.st_dev;
      o->ino = st.st_ino;
    }
  }
  return err;
}

int cb_output_close(cb_output_t *o)
{
  int err = 0;

  if (o->fd >= 0 && close(o->fd) != 0)
    err = -errno;
  free(o->path);
  free(o->target);
  free(o->name);
  memset(o, 0, sizeof(*o));
  o->fd = -1;
  return err;
}

int cb_output_same(const cb_output_t *a, const cb_output_t *b)
{
  if (a->dev != b->dev || a->ino != b->ino || (a->name == NULL) != (b->name == NULL))
    return 0;
  return a->name == NULL || strcmp(a->name, b->name) == 0;
}

int cb_output_is(const cb_output_t *o, const char *input)
{
  struct stat st;

  if (o->name != NULL || stat(input, &st) != 0)
    return 0;
  return st.st_dev == o->dev && st.st_ino == o->ino;
}

int cb_lock_take(const char *path, int *fd, long *holder)
{
  struct stat a, b;
  char text[32];
  ssize_t n;
  int tries, f, err;

  *fd = -1;
  *holder = 0;
  /* The holder removes the file when it is done: a lock taken on a file
   * that is no longer at `path` is worth nothing, so look again. */
  for (tries = 0; tries < 100; tries++) {
    f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
    if (f < 0)
      return -errno;
    if (fstat(f, &a) != 0 || !S_ISREG(a.st_mode)) {
      close(f); /* someone else's FIFO or device: neither ours to lock nor to remove */
      return -EINVAL;
    }
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
      err = -errno;
      if (err == -EWOULDBLOCK) {
        n = pread(f, text, sizeof(text) - 1, 0);
        text[n > 0 ? n : 0] = '\0';
        *holder = strtol(text, NULL, 10);
      }
      close(f);
      return err;
    }
    if (fstat(f, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
      break;
    close(f);
    f = -1;
  }
  if (f < 0)
    return -EAGAIN;
  n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
  if (ftruncate(f, 0) != 0 || pwrite(f, text, (size_t)n, 0) != n) {
    err = -errno;
    unlink(path);
    close(f);
    return err;
  }
  *fd = f;
  return 0;
}

void cb_lock_drop(const char *path, int fd)
{
  if (fd < 0)
    return;
  unlink(path);
  close(fd);
}
