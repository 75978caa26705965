/* The inputs of a merge (merge.h) and the names it makes: a host's identity
 * NAME@FINGERPRINT, the hosts file beside the output, and the list of trial
 * CSVs to merge, from files named on the command line and from directories
 * (their own CSVs, and those of each subdirectory NAME/ as host NAME),
 * leaving out derived files, earlier merges and the output itself. Reading
 * and checking them is merge.c's. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb.h"
#include "merge.h"

/* ---- names ------------------------------------------------------------ */

void cb_host_identity(const char *name, const char *fp_id, char *buf, size_t len)
{
  snprintf(buf, len, "%s@%s", name, fp_id);
}

void cb_host_name(const char *identity, char *buf, size_t len)
{
  const char *at = strrchr(identity, '@');

  snprintf(buf, len, "%.*s", at != NULL ? (int)(at - identity) : (int)strlen(identity),
           identity);
}

static int ends_with(const char *s, const char *suffix)
{
  size_t a = strlen(s), b = strlen(suffix);

  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* X.csv -> X<ext>; X -> X<ext> */
void cb__merge_beside(const char *csv, const char *ext, char *buf, size_t len)
{
  size_t n = strlen(csv);

  if (ends_with(csv, ".csv"))
    n -= 4;
  snprintf(buf, len, "%.*s%s", (int)n, csv, ext);
}

void cb_merge_hosts_path(const char *csv, char *buf, size_t len)
{
  cb__merge_beside(csv, ".hosts.csv", buf, len);
}

/* ---- inputs ----------------------------------------------------------- */

static int push(cb_merge_t *m, const char *path, const char *name)
{
  if (CB_GROW(m->in, m->cap, m->nin, 16) != 0)
    return -ENOMEM;
  m->in[m->nin].path = strdup(path);
  m->in[m->nin].name = name != NULL ? strdup(name) : NULL;
  if (m->in[m->nin].path == NULL || (name != NULL && m->in[m->nin].name == NULL)) {
    free(m->in[m->nin].path);
    free(m->in[m->nin].name);
    return -ENOMEM;
  }
  m->nin++;
  return 0;
}

static int same_file(const struct stat *a, const char *path)
{
  struct stat b;

  return a != NULL && stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/* A CSV in a directory that is not a trial CSV of a run: derived files
 * and earlier merges (with their hosts file beside them). */
static int left_out(const char *path, const struct stat *skip)
{
  size_t len = strlen(path) + sizeof(".hosts.csv");
  char *hosts;
  struct stat st;
  int out;

  if (!ends_with(path, ".csv") || ends_with(path, ".summary.csv") ||
      ends_with(path, ".hosts.csv") || same_file(skip, path))
    return 1;
  hosts = malloc(len);
  if (hosts == NULL)
    return 1; /* out of memory: what cannot be checked is not merged */
  cb_merge_hosts_path(path, hosts, len);
  out = stat(hosts, &st) == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode);
  free(hosts);
  return out;
}

/* DIR/NAME in a new string (NULL: out of memory). */
static char *join(const char *dir, const char *name)
{
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);

  if (p != NULL)
    snprintf(p, n, "%s/%s", dir, name);
  return p;
}

static int visible(const struct dirent *e)
{
  return e->d_name[0] != '.';
}

/* The CSVs of one directory, sorted, each added with `name`. */
static int add_dir_files(cb_merge_t *m, const char *dir, const char *name,
                         const struct stat *skip, size_t *added)
{
  struct dirent **e = NULL;
  char *path;
  int n, i, rc = 0;

  n = scandir(dir, &e, visible, alphasort);
  if (n < 0)
    return -errno;
  for (i = 0; i < n && rc == 0; i++) {
    path = join(dir, e[i]->d_name);
    if (path == NULL) {
      rc = -ENOMEM;
    } else if (!left_out(path, skip)) {
      rc = push(m, path, name);
      *added += rc == 0;
    }
    free(path);
  }
  for (i = 0; i < n; i++)
    free(e[i]);
  free(e);
  return rc;
}

static int add_dir(cb_merge_t *m, const char *dir, const struct stat *skip, char *err,
                   size_t errlen)
{
  struct dirent **e = NULL;
  char *path;
  struct stat st;
  size_t added = 0;
  int n, i, rc;

  rc = add_dir_files(m, dir, NULL, skip, &added);
  if (rc == 0 && (n = scandir(dir, &e, visible, alphasort)) >= 0) {
    for (i = 0; i < n && rc == 0; i++) {
      path = join(dir, e[i]->d_name);
      if (path == NULL)
        rc = -ENOMEM;
      else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        rc = add_dir_files(m, path, e[i]->d_name, skip, &added);
      free(path);
    }
    for (i = 0; i < n; i++)
      free(e[i]);
    free(e);
  }
  if (rc == -ENOMEM)
    return rc;
  if (rc != 0) {
    snprintf(err, errlen, "%s: %s", dir, strerror(-rc));
    return -EINVAL;
  }
  if (added == 0) {
    snprintf(err, errlen, "%s: no trial CSV in it or in its subdirectories", dir);
    return -EINVAL;
  }
  return 0;
}

int cb_merge_add(cb_merge_t *m, const char *arg, const char *skip, char *err, size_t errlen)
{
  struct stat st, sk;
  const struct stat *skp = skip != NULL && stat(skip, &sk) == 0 ? &sk : NULL;

  if (stat(arg, &st) != 0) {
    snprintf(err, errlen, "%s: %s", arg, strerror(errno));
    return -EINVAL;
  }
  if (S_ISDIR(st.st_mode))
    return add_dir(m, arg, skp, err, errlen);
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "%s: neither a file nor a directory", arg);
    return -EINVAL;
  }
  if (same_file(skp, arg)) {
    snprintf(err, errlen, "%s: is the output too", arg);
    return -EINVAL;
  }
  return push(m, arg, NULL);
}

void cb_merge_free(cb_merge_t *m)
{
  size_t i;

  for (i = 0; i < m->nin; i++) {
    free(m->in[i].path);
    free(m->in[i].name);
  }
  free(m->in);
  memset(m, 0, sizeof(*m));
}
