/* Terminating signals, caught alike; see signals.h. */
#include <string.h>

#include "cb.h"
#include "signals.h"

static const int term_signals[] = {
  SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM,
  SIGIO, SIGPWR, SIGXCPU, SIGSTKFLT,
};

static struct sigaction saved[CB_ARRAY_SIZE(term_signals)];
static int have_saved;

void cb_sig_catch(void (*handler)(int))
{
  struct sigaction sa;
  size_t i;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  for (i = 0; i < CB_ARRAY_SIZE(term_signals); i++)
    sigaction(term_signals[i], &sa, have_saved ? NULL : &saved[i]);
  have_saved = 1;
}

void cb_sig_restore(void)
{
  size_t i;

  for (i = 0; have_saved && i < CB_ARRAY_SIZE(term_signals); i++)
    sigaction(term_signals[i], &saved[i], NULL);
  have_saved = 0;
}

void cb_sig_termset(sigset_t *set)
{
  size_t i;

  sigemptyset(set);
  for (i = 0; i < CB_ARRAY_SIZE(term_signals); i++)
    sigaddset(set, term_signals[i]);
}

void cb_sig_default(void)
{
  struct sigaction dfl;
  sigset_t set;
  size_t i;

  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  for (i = 0; i < CB_ARRAY_SIZE(term_signals); i++)
    sigaction(term_signals[i], &dfl, NULL);
  sigaction(SIGXFSZ, &dfl, NULL);
  cb_sig_termset(&set);
  sigaddset(&set, SIGXFSZ);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

void cb_sig_block(sigset_t *old)
{
  sigset_t set;

  cb_sig_termset(&set);
  sigprocmask(SIG_BLOCK, &set, old);
}

void cb_sig_unblock(const sigset_t *old)
{
  sigprocmask(SIG_SETMASK, old, NULL);
}
