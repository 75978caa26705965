/* The run pipeline; see run.h. Every trial runs in a child of its own
 * (harness/trial.c), forked from the stack of this file's functions: those
 * with text buffers on the path to a fork are not inlined, or keep the
 * buffers static, so that the trial process has room under its 28 KiB
 * stack limit (docs/RELIABILITY.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calibrate.h"
#include "env.h"
#include "record.h"
#include "run.h"
#include "usage.h"

static void now_iso(char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  size_t n;

  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Where the run is, on a terminal or, every --progress seconds, in a log. */
/* Not inlined, like the other helpers with text buffers on the path to a
 * trial's fork: the trial process starts on the coordinator's stack, which
 * must leave it room under a 28 KiB limit (docs/RELIABILITY.md). */
static __attribute__((noinline)) void progress(cb_run_t *s, size_t done, size_t total,
                                               const cb_cell_t *c, const char *what)
{
  char text[160];

  snprintf(text, sizeof(text), "%s %s%s c=%u%s", c->wl->name, c->rn->name, c->gil ? "+gil" : "",
           c->concurrency, what);
  cb_progress_show(&s->pg, done, total, text);
}

/* A trial that failed the run: anything but ok, except that a crash is what
 * a workload that fails on purpose measures, and lost updates what a racy
 * workload does. */
static int not_ok(const cb_cell_t *c, const cb_trial_t *t)
{
  if (t->status == CB_ST_CRASHED && c->wl->fails_on_purpose)
    return 0;
  if (t->status == CB_ST_RACY && c->wl->racy)
    return 0;
  return t->status != CB_ST_OK;
}

/* The trial CSV as it is now, replacing the file (a regular one). */
static int write_csv(cb_run_t *s)
{
  int err = cb_output_write(s->csv, s->csv_text.data, s->csv_text.len);

  if (err != 0) {
    cb_progress_clear(&s->pg);
    cb_message(s->o->cmd, "cannot write '%s': %s", s->csv_name, strerror(-err));
  }
  s->last_write = cb_now_ns();
  s->rows_written = s->rows;
  return err;
}

static int record(cb_run_t *s, size_t cell, unsigned rep, const cb_trial_t *t)
{
  cb_row_t row = { .meta = s->meta, .cell = &s->m->cells[cell], .trial = t, .rep = rep };
  char fam[32];

  cb_workload_family(row.cell->wl, fam, sizeof(fam));
  row.family = fam;
  row.transport = row.cell->transport;
  row.dispatch = row.cell->dispatch;
  now_iso(row.timestamp, sizeof(row.timestamp));
  row.load1 = cb_env_load1(cb_env_root());
  cb_record_row(&s->csv_text, &row);
  if (s->csv_text.failed) {
    cb_progress_clear(&s->pg);
    cb_message(s->o->cmd, "out of memory for the trial CSV");
    return -ENOMEM;
  }
  s->rows++;
  s->not_ok += not_ok(row.cell, t);
  if ((t->status == CB_ST_OK || (t->status == CB_ST_RACY && row.cell->wl->racy)) &&
      s->ntp[cell] < s->o->max_reps)
    s->tp[cell * s->o->max_reps + s->ntp[cell]++] = t->throughput;
  /* A stream takes the whole CSV once, at the end. */
  if (s->csv->kind != CB_OUT_FILE ||
      (s->rows > 1 && cb_now_ns() - s->last_write < CB_OUTPUT_REWRITE_NS))
    return 0;
  return write_csv(s);
}

/* What a cell's trial records when it cannot run; 0 to run it. */
static int expected_of(cb_run_t *s, size_t cell, const uint64_t **e, cb_trial_t *instead)
{
  const cb_cell_t *c = &s->m->cells[cell];
  const cb_trial_t *fail;
  int err = cb_matrix_expected(s->m, cell, s->o->trial_timeout,
                               (volatile const int *)s->stop, e, &fail);

  if (err == 1)
    *instead = *fail;
  else if (err < 0 && err != -EINTR) {
    cb_progress_clear(&s->pg);
    cb_message(s->o->cmd, "%s size %llu: %s", c->wl->name, (unsigned long long)c->params.size,
               fail->msg);
  }
  return err;
}

/* Before any warm-up: each cell that may be calibrated gets the task count
 * that makes a trial last --min-time (harness/calibrate.h). The last
 * calibration trial ran at that count: it is the cell's first warm-up. */
static __attribute__((noinline)) int calibrate_cells(cb_run_t *s)
{
  const cb_run_opts_t *o = s->o;
  double min_s = (double)o->min_time_ms / 1e3;
  size_t i, n = 0, done = 0, missed = 0;
  uint64_t t0 = cb_now_ns();
  static char first[256]; /* static: the trials fork below this frame */
  static cb_calib_t cal;
  int err = 0;

  first[0] = '\0';
  for (i = 0; i < s->m->ncells; i++)
    n += s->m->cells[i].calibrate != 0;
  if (min_s <= 0 || n == 0)
    return 0;
  for (i = 0; err == 0 && i < s->m->ncells && !*s->stop; i++) {
    cb_cell_t *c = &s->m->cells[i];
    if (!c->calibrate)
      continue;
    progress(s, done++, n, c, " (calibrating)");
    err = cb_calibrate(c, s->topo, min_s, o->trial_timeout, (volatile const int *)s->stop,
                       &cal);
    if (err != 0 && err != -EINTR) {
      cb_progress_clear(&s->pg);
      cb_message(s->o->cmd, "cannot start a calibration trial of %s %s%s c=%u: %s", c->wl->name,
                 c->rn->name, c->gil ? "+gil" : "", c->concurrency, cal.why);
    }
    s->warm_done[i] = cal.warm && o->warmup > 0;
    if (err == 0 && !cal.reached && missed++ == 0)
      snprintf(first, sizeof(first), "%s %s%s c=%u: %s", c->wl->name, c->rn->name,
               c->gil ? "+gil" : "", c->concurrency, cal.why);
  }
  cb_progress_clear(&s->pg);
  if (err == 0 && !*s->stop && !o->quiet) {
    if (missed > 0)
      cb_message(s->o->cmd, "calibrated %zu cells to trials of at least %llu ms in %.1f s; %zu did "
                 "not reach it, e.g. %s", n, (unsigned long long)o->min_time_ms,
                 (double)(cb_now_ns() - t0) / 1e9, missed, first);
    else
      cb_message(s->o->cmd, "calibrated %zu cells to trials of at least %llu ms in %.1f s", n,
                 (unsigned long long)o->min_time_ms, (double)(cb_now_ns() - t0) / 1e9);
  }
  return err != 0 ? err : *s->stop ? -EINTR : 0;
}

/* One trial of a cell, recorded unless it is a warm-up; k of total for the
 * progress line. 0 or -errno (-EINTR when stopped). */
static int one_trial(cb_run_t *s, size_t cell, int warm, unsigned *reps, size_t k, size_t total)
{
  const cb_cell_t *c = &s->m->cells[cell];
  const uint64_t *expected;
  cb_trial_t t;
  int err;

  progress(s, k, total, c, " (expected checksums)");
  err = expected_of(s, cell, &expected, &t);
  if (err == 0) {
    progress(s, k, total, c, warm ? " (warm-up)" : "");
    err = cb_trial_supervised(c, s->topo, expected, s->o->trial_timeout,
                              (volatile const int *)s->stop, &t);
    if (err != 0 && err != -EINTR) {
      cb_progress_clear(&s->pg);
      cb_message(s->o->cmd, "cannot start a trial of %s %s%s c=%u: %s", c->wl->name, c->rn->name,
                 c->gil ? "+gil" : "", c->concurrency, t.msg);
    }
  } else if (err == 1) {
    err = 0; /* recorded as what kept it from running */
  }
  if (err != 0)
    return err;
  if (not_ok(c, &t) && !s->o->quiet) {
    cb_progress_clear(&s->pg);
    cb_message(NULL, "%s %s%s c=%u: %s: %s", c->wl->name, c->rn->name, c->gil ? "+gil" : "",
               c->concurrency, cb_status_name(t.status), t.msg);
  }
  return warm ? 0 : record(s, cell, reps[cell]++, &t);
}

/* A cell that --max-reps may still extend: below the maximum, with ok
 * trials, and its median's CI not yet within --target-ci. */
static int wants_more(const cb_run_t *s, size_t cell, const unsigned *reps)
{
  const double *v = s->tp + cell * s->o->max_reps;

  return reps[cell] < s->o->max_reps && s->ntp[cell] > 0 &&
         !cb_median_ci_within(v, s->ntp[cell], s->o->target_ci);
}

/* --max-reps: rounds after the schedule, each one trial of every cell that
 * wants more, in an order shuffled from the seed and the round (Fisher-Yates
 * over splitmix64, as cb_schedule). Says at the end which cells reached the
 * target. */
static __attribute__((noinline)) int more_reps(cb_run_t *s, unsigned *reps)
{
  const cb_run_opts_t *o = s->o;
  size_t *list, n, i, j, tmp, k = 0, reached = 0, ok = 0, missed = 0;
  uint64_t state = o->seed ^ UINT64_C(0x5851f42d4c957f2d), round;
  static char first[200]; /* static: the trials fork below this frame */
  int err = 0;

  first[0] = '\0';
  if (o->max_reps <= o->reps)
    return 0;
  list = malloc((s->m->ncells > 0 ? s->m->ncells : 1) * sizeof(*list));
  if (list == NULL)
    return -ENOMEM;
  for (round = o->reps; err == 0 && round < o->max_reps && !*s->stop; round++) {
    for (i = n = 0; i < s->m->ncells; i++) {
      if (wants_more(s, i, reps))
        list[n++] = i;
    }
    for (i = n; i > 1; i--) {
      state += UINT64_C(0x9e3779b97f4a7c15);
      j = (size_t)(cb_mix64(state) % i);
      tmp = list[i - 1];
      list[i - 1] = list[j];
      list[j] = tmp;
    }
    for (i = 0; err == 0 && i < n && !*s->stop; i++, k++)
      err = one_trial(s, list[i], 0, reps, k, k + n - i);
  }
  free(list);
  cb_progress_clear(&s->pg);
  for (i = 0; i < s->m->ncells; i++) {
    if (s->ntp[i] == 0)
      continue;
    ok++;
    if (cb_median_ci_within(s->tp + i * o->max_reps, s->ntp[i], o->target_ci))
      reached++;
    else if (missed++ == 0)
      snprintf(first, sizeof(first), "%s %s%s c=%u", s->m->cells[i].wl->name,
               s->m->cells[i].rn->name, s->m->cells[i].gil ? "+gil" : "",
               s->m->cells[i].concurrency);
  }
  if (err == 0 && !*s->stop && !o->quiet)
    cb_message(s->o->cmd, "--max-reps %llu: %zu of %zu cells with ok trials have their median's 95%% "
               "CI within %g%% (%zu extra trials)%s%s", (unsigned long long)o->max_reps,
               reached, ok, 100 * o->target_ci, k, missed > 0 ? "; not, e.g. " : "", first);
  return err != 0 ? err : *s->stop ? -EINTR : 0;
}

static int run_trials(cb_run_t *s)
{
  const cb_run_opts_t *o = s->o;
  size_t total = 0, skip = 0, i, k = 0;
  unsigned *reps;
  cb_slot_t *order;
  int err = 0;

  order = cb_schedule(s->m->ncells, o->warmup, o->reps, o->seed, &total);
  reps = calloc(s->m->ncells > 0 ? s->m->ncells : 1, sizeof(*reps));
  if (order == NULL || reps == NULL) {
    cb_message(s->o->cmd, "out of memory for the schedule of %zu cells", s->m->ncells);
    err = -ENOMEM;
  }
  for (i = 0; err == 0 && i < s->m->ncells; i++)
    skip += s->warm_done[i];
  cb_progress_init(&s->pg, o->cmd, o->quiet, o->progress_s);
  for (i = 0; err == 0 && i < total && !*s->stop; i++) {
    int warm = order[i].rep < 0;
    if (warm && s->warm_done[order[i].cell] > 0) {
      s->warm_done[order[i].cell]--; /* its calibration's last trial */
      continue;
    }
    err = one_trial(s, order[i].cell, warm, reps, k++, total - skip);
  }
  cb_progress_clear(&s->pg);
  if (err == 0 && !*s->stop)
    err = more_reps(s, reps);
  free(reps);
  free(order);
  return err != 0 ? err : *s->stop ? -EINTR : 0;
}

/* The machine metadata beside the CSV, complete (X.meta.json). */
static int write_sidecar(cb_run_t *s)
{
  cb_buf_t b = { 0 };
  int err;

  if (s->metadata == NULL)
    return 0;
  cb_meta_json(s->meta, &b);
  err = b.failed ? -ENOMEM : cb_output_write(s->metadata, b.data, b.len);
  if (err != 0)
    cb_message(s->o->cmd, "cannot write '%s': %s", s->metadata->path, strerror(-err));
  cb_buf_free(&b);
  return err;
}

/* The environment again after the last trial, for the metadata (the load
 * average then includes the run itself: only other processes are news). */
static __attribute__((noinline)) void check_env_end(cb_run_t *s)
{
  cb_env_t *e = &s->meta->env_end;

  cb_env_check(cb_env_root(), s->meta->pus, *s->stop ? 0 : CB_ENV_SAMPLE_S, e);
  s->meta->have_env_end = 1;
  if (!s->o->quiet && e->item[CB_ENV_BUSY].warn)
    cb_message(s->o->cmd, "warning: at the end of the run: busy %s",
               e->item[CB_ENV_BUSY].value);
  if (s->metadata != NULL)
    write_sidecar(s);
}

int cb_run_env_before(const cb_run_opts_t *o, const cb_topo_t *topo, cb_meta_t *meta,
                      int strict)
{
  cb_env_check(cb_env_root(), cb_topo_pus(topo), CB_ENV_SAMPLE_S, &meta->env);
  cb_env_warnings_text(&meta->env, meta->env_text, sizeof(meta->env_text));
  if (strict && meta->env.warnings > 0)
    return -EBUSY;
  if (!o->quiet)
    cb_env_warn(&meta->env, o->cmd, stderr);
  return 0;
}

int cb_run_prepare(cb_run_t *s, char *why, size_t len)
{
  const cb_workload_t *uncalibrated = NULL;
  size_t n = s->m->ncells > 0 ? s->m->ncells : 1;
  int err;

  if ((err = cb_matrix_calibrate(s->m, &uncalibrated)) != 0) {
    snprintf(why, len, "cannot calibrate %s: %s", uncalibrated->name, strerror(-err));
    return err;
  }
  s->warm_done = calloc(n, 1);
  s->ntp = calloc(n, sizeof(*s->ntp));
  s->tp = calloc(s->m->ncells > 0 ? s->m->ncells * s->o->max_reps : 1, sizeof(*s->tp));
  if (s->warm_done == NULL || s->ntp == NULL || s->tp == NULL) {
    snprintf(why, len, "out of memory");
    return -ENOMEM;
  }
  /* Scratch directories of runs killed before they could remove them. */
  cb_scratch_sweep();
  return 0;
}

int cb_run_begin(cb_run_t *s)
{
  int err;

  cb_record_header(&s->csv_text);
  if (s->csv_text.failed) {
    cb_message(s->o->cmd, "out of memory");
    return -ENOMEM;
  }
  if (s->csv->kind == CB_OUT_FILE &&
      (err = cb_output_write(s->csv, s->csv_text.data, s->csv_text.len)) != 0) {
    cb_message(s->o->cmd, "cannot write '%s': %s", s->csv_name, strerror(-err));
    return err;
  }
  return write_sidecar(s);
}

int cb_run_trials(cb_run_t *s)
{
  int err;

  cb_progress_init(&s->pg, s->o->cmd, s->o->quiet, s->o->progress_s);
  err = calibrate_cells(s);
  /* Expected checksums are shared by the cells of a group, as many as the
   * longest calibrated trial needs. */
  if (err == 0 && cb_matrix_groups(s->m) != 0) {
    cb_message(s->o->cmd, "out of memory");
    err = -ENOMEM;
  }
  if (err == 0)
    err = run_trials(s);
  /* The rows the last interval held back, whether the run ended or stopped. */
  if (s->csv->kind == CB_OUT_FILE && s->rows_written != s->rows) {
    int e = write_csv(s);
    err = err != 0 ? err : e;
  }
  check_env_end(s);
  return err;
}

void cb_run_free(cb_run_t *s)
{
  cb_buf_free(&s->csv_text);
  free(s->warm_done);
  free(s->tp);
  free(s->ntp);
  s->warm_done = NULL;
  s->tp = NULL;
  s->ntp = NULL;
}
