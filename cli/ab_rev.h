/* The base side of `concbench ab --base-rev REV`: revision REV of a git
 * checkout, checked out with `git worktree add --detach` into a directory of
 * its own and built there with meson and ninja (the same build type as this
 * binary), so that the checkout the user works in is never touched. Every
 * command runs through harness/spawn.h: interruptible, always reaped; its
 * output goes to a log that is shown (its end) only when the step fails. */
#ifndef CB_AB_REV_H
#define CB_AB_REV_H

#include <stddef.h>

typedef struct cb_ab_rev_s {
  char src[4096];    /* the git checkout */
  char dir[4096];    /* our directory: src/ (the worktree), build/, build.log */
  char commit[64];   /* REV resolved to a full hash */
  char bin[4200];    /* dir/build/concbench once built */
  int worktree;      /* the worktree was added (and must be removed) */
} cb_ab_rev_t;

/* Resolve, check out and build REV of `src` under `dir` (which exists and is
 * empty). 0; -EINVAL with err naming what failed (a bad revision, a step
 * that failed, with its log's end on stderr); -EINTR (a stop signal); or
 * -errno. */
int cb_ab_rev_build(cb_ab_rev_t *r, const char *src, const char *rev, const char *dir,
                    char *err, size_t errlen);
/* Remove the worktree (from git's list too) and everything under dir. */
void cb_ab_rev_remove(cb_ab_rev_t *r);

/* Remove a directory tree (no symlink is followed). 0 or -errno. */
int cb_remove_tree(const char *path);

#endif
