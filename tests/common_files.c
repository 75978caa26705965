/* The test helpers on files and directories (tests/common.h): whole files read
 * and written, directory listings, fresh temporary directories and their
 * removal with everything below them. */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *cbt_slurp_fd(int fd, size_t *len)
{
  off_t n = lseek(fd, 0, SEEK_END);
  char *buf;

  assert_true(n >= 0);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(pread(fd, buf, (size_t)n, 0), n);
  buf[n] = '\0';
  if (len != NULL)
    *len = (size_t)n;
  return buf;
}

char *cbt_slurp_file(FILE *f, size_t *len)
{
  assert_int_equal(fflush(f), 0);
  return cbt_slurp_fd(fileno(f), len);
}

char *cbt_try_slurp_path(const char *path, size_t *len)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  char *text;

  if (fd < 0)
    return NULL;
  text = cbt_slurp_fd(fd, len);
  close(fd);
  return text;
}

char *cbt_slurp_path(const char *path, size_t *len)
{
  char *text = cbt_try_slurp_path(path, len);

  if (text == NULL)
    fail_msg("cannot read %s: %s", path, strerror(errno));
  return text;
}

void cbt_read_fd(int fd, char *buf, size_t len)
{
  size_t got = 0;
  ssize_t r;

  while (got + 1 < len && (r = pread(fd, buf + got, len - 1 - got, (off_t)got)) > 0)
    got += (size_t)r;
  buf[got] = '\0';
}

void cbt_read_path(const char *path, char *buf, size_t len)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    fail_msg("cannot read %s: %s", path, strerror(errno));
  cbt_read_fd(fd, buf, len);
  close(fd);
}

void cbt_write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "wb");

  if (f == NULL)
    fail_msg("cannot write %s: %s", path, strerror(errno));
  assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
  assert_int_equal(fclose(f), 0);
}

int cbt_exists(const char *path)
{
  struct stat st;

  return lstat(path, &st) == 0;
}

size_t cbt_count_entries(const char *dir)
{
  struct dirent *e;
  size_t n = 0;
  DIR *d = opendir(dir);

  if (d == NULL)
    fail_msg("cannot open directory %s: %s", dir, strerror(errno));
  while ((e = readdir(d)) != NULL)
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

void cbt_listing(const char *dir, char *buf, size_t len)
{
  struct dirent **e = NULL;
  size_t used = 0;
  int n, i;

  n = scandir(dir, &e, NULL, alphasort);
  assert_true(n >= 0);
  buf[0] = '\0';
  for (i = 0; i < n; i++) {
    if (strcmp(e[i]->d_name, ".") != 0 && strcmp(e[i]->d_name, "..") != 0 && used < len)
      used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", e[i]->d_name);
    free(e[i]);
  }
  free(e);
}

void cbt_make_dir(char *buf, size_t len, const char *what)
{
  const char *base = getenv("TMPDIR");

  snprintf(buf, len, "%s/cb-test-%s-XXXXXX", base != NULL && base[0] != '\0' ? base : "/tmp",
           what);
  if (mkdtemp(buf) == NULL)
    fail_msg("mkdtemp %s: %s", buf, strerror(errno));
}

void cbt_dir_make(cbt_dir_t *d, const char *what)
{
  cbt_make_dir(d->path, sizeof(d->path), what);
  snprintf(d->tmp, sizeof(d->tmp), "%s/tmp", d->path);
  if (mkdir(d->tmp, 0700) != 0)
    fail_msg("mkdir %s: %s", d->tmp, strerror(errno));
}

int cbt_dir_setup(void **state)
{
  char *dir = malloc(512);

  if (dir == NULL)
    return -1;
  cbt_make_dir(dir, 512, "case");
  *state = dir;
  return 0;
}

int cbt_dir_teardown(void **state)
{
  cbt_remove_tree(*state);
  free(*state);
  return 0;
}

void cbt_dir_file(const cbt_dir_t *d, const char *name, char *buf, size_t len)
{
  snprintf(buf, len, "%s/%s", d->path, name);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
  (void)st;
  (void)f;
  if (type == FTW_DP)
    rmdir(path);
  else
    unlink(path);
  return 0;
}

void cbt_remove_tree(const char *dir)
{
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
