/* Running other programs from a command that must stay interruptible and
 * leave nothing behind (`concbench ab`: one child per trial, and git, meson
 * and ninja to build a base revision).
 *
 * Design: between cb_spawn_begin and cb_spawn_end, the terminating signals
 * (SIGINT, SIGTERM, SIGHUP, ...: harness/signals.h) and SIGCHLD are blocked
 * and taken synchronously (sigtimedwait) only where the
 * command waits, so no signal is lost between a check and a wait, and no
 * handler runs in the middle of the command's own work. Each child runs in a
 * process group of its own with the signal mask and dispositions reset; on a
 * stop signal or a timeout its group gets SIGTERM (a concbench child then
 * stops its trial and exits 143), and SIGKILL if it has not ended within a
 * grace period. The caller becomes a child subreaper, so descendants that a
 * killed child leaves behind come back to it, and cb_spawn_end kills and
 * reaps them. Single-threaded callers only (the signal mask is the
 * process's). */
#ifndef CB_SPAWN_H
#define CB_SPAWN_H

typedef struct cb_spawn_io_s {
  const char *cwd;  /* NULL: the caller's */
  const char *out;  /* stdout into this file (created or truncated); NULL: /dev/null */
  const char *err;  /* stderr into this file, or "-" for stdout's file; NULL: the caller's */
  int always;       /* clean-up: run even after a stop signal, and wait until it ends or
                       times out (a stop signal does not cut it short) */
} cb_spawn_io_t;

void cb_spawn_begin(void);
/* Kill and reap every child still there, drop pending terminating signals
 * and SIGCHLD, and restore the signal mask. Returns the stop signal
 * received, or 0. */
int cb_spawn_end(void);
/* The stop signal received so far, or 0 (takes a pending one). */
int cb_spawn_stopped(void);

/* Run argv (argv[0] a path, or a name looked up in PATH) and wait for it, at
 * most timeout_s seconds (0: no limit). 0 with *status its wait status;
 * -EINTR when a stop signal came (the child was stopped and reaped);
 * -ETIMEDOUT (killed and reaped); -errno when it could not be started (the
 * exec error included). */
int cb_spawn_run(char *const argv[], const cb_spawn_io_t *io, double timeout_s, int *status);

#endif
