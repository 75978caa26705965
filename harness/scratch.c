/* The trial's scratch directory: a private directory per trial under
 * $TMPDIR (or /tmp), created by whoever runs the trial and removed after it
 * (supervise.c removes it after reaping, so files survive neither a crash
 * nor a timeout). A scratch directory is named after the process that owns
 * it (concbench-PID-XXXXXX), so that when that process was killed before it
 * could remove it (SIGKILL), a later run finds it and removes it
 * (cb_scratch_sweep). */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trial.h"
#include "trial_int.h"

#define SCRATCH_PREFIX "concbench-"

const char *cb__scratch_base(void)
{
  const char *tmp = getenv("TMPDIR");

  return tmp != NULL && *tmp != '\0' ? tmp : "/tmp";
}

int cb__scratch_make(char **out)
{
  size_t n = strlen(cb__scratch_base()) + sizeof("/" SCRATCH_PREFIX "-XXXXXX") + 24;
  char *dir = malloc(n);
  int err = 0;

  *out = NULL;
  if (dir == NULL)
    return -ENOMEM;
  snprintf(dir, n, "%s/" SCRATCH_PREFIX "%ld-XXXXXX", cb__scratch_base(), (long)getpid());
  if (mkdtemp(dir) == NULL)
    err = -errno;
  *out = dir;
  return err;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
  CB_UNUSED(st);
  CB_UNUSED(f);
  if (type == FTW_DP)
    rmdir(path);
  else
    unlink(path);
  return 0;
}

void cb__scratch_remove(const char *path)
{
  nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int cb_scratch_check(char *why, size_t len)
{
  char *dir;
  int err = cb__scratch_make(&dir);

  if (err != 0)
    snprintf(why, len, "cannot create a scratch directory in %s'%s': %s",
             getenv("TMPDIR") != NULL && *getenv("TMPDIR") != '\0' ? "TMPDIR " : "",
             cb__scratch_base(), strerror(-err));
  else
    rmdir(dir);
  free(dir);
  return err;
}

size_t cb_scratch_sweep(void)
{
  const char *base = cb__scratch_base();
  struct dirent *e;
  struct stat st;
  size_t removed = 0, n;
  DIR *d = opendir(base);
  char *path, tail[8];
  long pid;

  while (d != NULL && (e = readdir(d)) != NULL) {
    /* concbench-PID-XXXXXX, made by mkdtemp: six characters after the PID */
    if (sscanf(e->d_name, SCRATCH_PREFIX "%ld-%7s", &pid, tail) != 2 || pid <= 0 ||
        strlen(tail) != 6 || pid == (long)getpid())
      continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue; /* its owner lives (or is not ours to ask about) */
    n = strlen(base) + strlen(e->d_name) + 2;
    if ((path = malloc(n)) == NULL)
      break;
    snprintf(path, n, "%s/%s", base, e->d_name);
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
      cb__scratch_remove(path);
      removed += lstat(path, &st) != 0;
    }
    free(path);
  }
  if (d != NULL)
    closedir(d);
  return removed;
}

