/* The signals that end a process by default and that come from outside
 * (a terminal, a job control shell, a CI runner, kill): SIGINT and SIGTERM,
 * and as well SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGIO,
 * SIGPWR, SIGXCPU and SIGSTKFLT. A command that has something to clean up
 * (a trial's process group, a scratch directory, gnuplot, half a file)
 * catches all of them alike, finishes what it must, and exits with 128 + the
 * signal. SIGPROF and SIGVTALRM are left alone: profilers use them. SIGXFSZ
 * (a write beyond RLIMIT_FSIZE) is ignored by main, so that such a write
 * fails with EFBIG and is reported like a full disk. */
#ifndef CB_SIGNALS_H
#define CB_SIGNALS_H

#include <signal.h>

/* Call `handler` for every one of them (no SA_RESTART: a blocking call
 * returns EINTR, so the command notices at once); the previous actions are
 * kept for cb_sig_restore. */
void cb_sig_catch(void (*handler)(int));
void cb_sig_restore(void);
/* In a forked child: the default action for every one of them and for
 * SIGXFSZ, and none blocked, whatever the parent had. */
void cb_sig_default(void);
/* The set of them, for a command that takes them synchronously
 * (sigtimedwait, harness/spawn.c). */
void cb_sig_termset(sigset_t *set);
/* Hold them off around a short critical section (a file being replaced), so
 * that none can end the process half way; cb_sig_unblock delivers what came. */
void cb_sig_block(sigset_t *old);
void cb_sig_unblock(const sigset_t *old);

#endif
