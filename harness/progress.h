/* Progress of a long command (run, ab) on stderr. On a terminal: one line
 * rewritten in place. Elsewhere (a CI log, a file): one plain line every
 * `every_s` seconds, so that a log shows life: "concbench run: [i/N]
 * 1:05 elapsed, ETA 3:10, WHAT". Quiet: nothing. */
#ifndef CB_PROGRESS_H
#define CB_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* Seconds between plain lines by default. */
#define CB_PROGRESS_EVERY_S 10

typedef struct cb_progress_s {
  const char *cmd;
  int quiet, tty;
  uint64_t every_ns;  /* 0: no plain lines */
  uint64_t t0, last;  /* the start; the last plain line */
  int on;             /* a line is on the terminal */
  unsigned lines;     /* plain lines printed */
} cb_progress_t;

void cb_progress_init(cb_progress_t *p, const char *cmd, int quiet, double every_s);
/* Step `done` of `total` is starting; `what` names it. */
void cb_progress_show(cb_progress_t *p, size_t done, size_t total, const char *what);
/* Before anything else is said on stderr: clear the terminal's line. */
void cb_progress_clear(cb_progress_t *p);
/* "M:SS" or "H:MM:SS". */
void cb_progress_clock(char *buf, size_t len, double s);

#endif
