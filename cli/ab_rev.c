/* Building a base revision for `concbench ab`; see ab_rev.h. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ab_rev.h"
#include "cb.h"
#include "spawn.h"

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)ftw;
  return (flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 && errno != ENOENT ? -1 : 0;
}

int cb_remove_tree(const char *path)
{
  struct stat st;

  if (lstat(path, &st) != 0)
    return errno == ENOENT ? 0 : -errno;
  return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -errno;
}

/* The last lines of the build log, on stderr. */
static void show_log(const char *path)
{
  static char buf[4096]; /* static: a small stack must do */
  size_t n, i, lines = 0;
  long size;
  FILE *f = fopen(path, "re");

  if (f == NULL)
    return;
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  fseek(f, size > (long)sizeof(buf) - 1 ? size - (long)sizeof(buf) + 1 : 0, SEEK_SET);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  for (i = n; i > 0; i--) {
    if (buf[i - 1] == '\n' && ++lines > 25)
      break;
  }
  fprintf(stderr, "%s%s", buf + i, n > 0 && buf[n - 1] != '\n' ? "\n" : "");
}

/* Run one step; on failure err says which, and the log's end is shown
 * when `show` is set. */
static int step(const cb_ab_rev_t *r, char *const argv[], const char *out, const char *what,
                int show, char *err, size_t errlen)
{
  static char log[4200]; /* static: a small stack must do (one step at a time) */
  cb_spawn_io_t io = { .out = out, .err = "-" };
  int st = 0, rc;

  snprintf(log, sizeof(log), "%s/build.log", r->dir);
  if (out == NULL)
    io.out = log;
  else
    io.err = log;
  rc = cb_spawn_run(argv, &io, 0, &st);
  if (rc == -EINTR)
    return rc;
  if (rc != 0) {
    snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(-rc));
    return -EINVAL;
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    if (show)
      show_log(log);
    snprintf(err, errlen, "%s failed (%s %d)", what, WIFEXITED(st) ? "exit" : "signal",
             WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    return -EINVAL;
  }
  return 0;
}

static int resolve(cb_ab_rev_t *r, const char *rev, char *err, size_t errlen)
{
  static char spec[512], out[4200]; /* static: a small stack must do */
  char *argv[] = { "git", "-C", r->src, "rev-parse", "--verify", "--quiet", spec, NULL };
  FILE *f;
  int rc;

  snprintf(spec, sizeof(spec), "%s^{commit}", rev);
  snprintf(out, sizeof(out), "%s/commit.txt", r->dir);
  rc = step(r, argv, out, "git rev-parse", 0, err, errlen);
  if (rc == -EINVAL && strncmp(err, "cannot run", 10) != 0)
    snprintf(err, errlen, "'%s' is not a commit of the git checkout %s", rev, r->src);
  if (rc != 0)
    return rc;
  f = fopen(out, "re");
  if (f == NULL || fgets(r->commit, sizeof(r->commit), f) == NULL) {
    if (f != NULL)
      fclose(f);
    snprintf(err, errlen, "git rev-parse gave no commit for '%s'", rev);
    return -EINVAL;
  }
  fclose(f);
  unlink(out);
  r->commit[strcspn(r->commit, "\n")] = '\0';
  return 0;
}

int cb_ab_rev_build(cb_ab_rev_t *r, const char *src, const char *rev, const char *dir,
                    char *err, size_t errlen)
{
  static char wt[4160], build[4160], buildtype[64]; /* static: a small stack must do */
  char *add[] = { "git", "-C", r->src, "worktree", "add", "--detach", "--quiet", wt, r->commit,
                  NULL };
  char *setup[] = { "meson", "setup", buildtype, build, wt, NULL };
  char *ninja[] = { "ninja", "-C", build, "concbench", NULL };
  int rc;

  memset(r, 0, sizeof(*r));
  snprintf(r->src, sizeof(r->src), "%s", src);
  snprintf(r->dir, sizeof(r->dir), "%s", dir);
  snprintf(wt, sizeof(wt), "%s/src", dir);
  snprintf(build, sizeof(build), "%s/build", dir);
  snprintf(buildtype, sizeof(buildtype), "--buildtype=%s", CB_BUILDTYPE);
  rc = resolve(r, rev, err, errlen);
  if (rc == 0) {
    rc = step(r, add, NULL, "git worktree add", 1, err, errlen);
    r->worktree = rc == 0;
  }
  if (rc == 0)
    rc = step(r, setup, NULL, "meson setup of the base revision", 1, err, errlen);
  if (rc == 0)
    rc = step(r, ninja, NULL, "building the base revision", 1, err, errlen);
  if (rc == 0)
    snprintf(r->bin, sizeof(r->bin), "%s/concbench", build);
  return rc;
}

void cb_ab_rev_remove(cb_ab_rev_t *r)
{
  static char wt[4200]; /* static: a small stack must do */
  char *rm[] = { "git", "-C", r->src, "worktree", "remove", "--force", wt, NULL };
  char *prune[] = { "git", "-C", r->src, "worktree", "prune", NULL };
  cb_spawn_io_t io = { .always = 1 };
  int st = 0;

  snprintf(wt, sizeof(wt), "%s/src", r->dir);
  /* If git could not remove it, removing the files leaves a stale entry in
   * git's list of worktrees, which prune drops. */
  if (r->worktree && (cb_spawn_run(rm, &io, 60, &st) != 0 || !WIFEXITED(st) ||
                      WEXITSTATUS(st) != 0)) {
    cb_remove_tree(r->dir);
    cb_spawn_run(prune, &io, 60, &st);
  }
  cb_remove_tree(r->dir);
  r->worktree = 0;
}
