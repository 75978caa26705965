/* What the trial's files share and nobody else needs: the trial's message,
 * the scratch directory (scratch.c), and the supervision of a child process
 * in its own process group (supervise.c), which runs both the trial process
 * and the child that computes the expected checksums (expect.c). */
#ifndef CB_TRIAL_INT_H
#define CB_TRIAL_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "trial.h"

/* The trial's message, unless it already has one: the first cause wins. */
void cb__trial_msg(cb_trial_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* $TMPDIR, or /tmp. */
const char *cb__scratch_base(void);
/* A private directory for the trial's files, mode 0700, named after its
 * owner; malloc'd into *out (NULL when out of memory). 0 or -errno. */
int cb__scratch_make(char **out);
/* Remove it and everything in it. */
void cb__scratch_remove(const char *path);

/* The body of a supervised child: its write end of the pipe, and the
 * coordinator's pid (cb__trial_child_begin). Never returns. */
typedef void (*cb__child_body_t)(void *arg, int fd, pid_t coordinator);

/* Fork a supervised child in its own process group, connected by a pipe
 * whose read end *rfd the parent keeps. 0 with *pid and *rfd; -errno with
 * *at_fork saying what failed (0: making the pipe, 1: the fork), nothing
 * left open. */
int cb__trial_fork(cb__child_body_t body, void *arg, pid_t *pid, int *rfd, int *at_fork);

/* The first thing a supervised child does: its own process group, death with
 * the coordinator (and _exit(1) when the coordinator is already gone), no
 * core files (a crash is a result here, not something to debug). */
void cb__trial_child_begin(pid_t coordinator);

/* Milliseconds to poll for before the deadline: at most 100, so that a
 * stop request is noticed. */
int cb__trial_poll_ms(uint64_t deadline, uint64_t now);

/* Kill what is left of the process group pgid and reap it all; the status
 * of `child` into *child_status. */
void cb__trial_kill_group(pid_t pgid, int *child_status, pid_t child);

#endif
