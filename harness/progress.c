/* Progress lines; see progress.h. */
#include <stdio.h>
#include <unistd.h>

#include "cb.h"
#include "progress.h"

void cb_progress_init(cb_progress_t *p, const char *cmd, int quiet, double every_s)
{
  p->cmd = cmd;
  p->quiet = quiet;
  p->tty = isatty(STDERR_FILENO);
  p->every_ns = every_s > 0 ? (uint64_t)(every_s * 1e9) : 0;
  p->t0 = p->last = cb_now_ns();
  p->on = 0;
  p->lines = 0;
}

void cb_progress_clock(char *buf, size_t len, double s)
{
  unsigned long t = (unsigned long)(s + 0.5);

  if (t >= 3600)
    snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
  else
    snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

void cb_progress_show(cb_progress_t *p, size_t done, size_t total, const char *what)
{
  uint64_t now = cb_now_ns();
  double elapsed = (double)(now - p->t0) / 1e9;
  char el[32], eta[32];

  if (p->quiet || (!p->tty && (p->every_ns == 0 || now - p->last < p->every_ns)))
    return;
  cb_progress_clock(el, sizeof(el), elapsed);
  if (done > 0)
    cb_progress_clock(eta, sizeof(eta), elapsed / (double)done * (double)(total - done));
  else
    snprintf(eta, sizeof(eta), "?");
  if (p->tty) {
    fprintf(stderr, "\r\033[K[%zu/%zu] %s  %s elapsed, ETA %s", done + 1, total, what, el, eta);
    p->on = 1;
  } else {
    fprintf(stderr, "concbench %s: [%zu/%zu] %s elapsed, ETA %s, %s\n", p->cmd, done + 1, total,
            el, eta, what);
    p->last = now;
    p->lines++;
  }
  fflush(stderr);
}

void cb_progress_clear(cb_progress_t *p)
{
  if (p->on)
    fputs("\r\033[K", stderr);
  p->on = 0;
}
