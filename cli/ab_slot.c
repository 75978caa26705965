/* One trial of `concbench ab` (cli/ab.h): executed by its side's binary as
 * `BIN run` with one repetition, no warm-up and every key of the cell given
 * explicitly, writing a one-row CSV into ab's private directory; the row is
 * checked against the cell asked for and kept. A side that refuses a cell
 * (exit 2) has it left out. And the schedule: every trial of both sides in
 * one seeded shuffled order (cb_schedule over 2 x cells). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ab.h"
#include "cmd.h"
#include "spawn.h"
#include "summary.h"

/* `BIN run` for one trial of the cell: every key explicit, one repetition. */
static void trial_argv(const cb_ab_session_t *s, int side, const cb_cell_t *c, char num[9][32],
                       char **argv)
{
  size_t n = 0;

  snprintf(num[0], 32, "%u", c->concurrency);
  snprintf(num[1], 32, "%llu", (unsigned long long)c->params.tasks);
  snprintf(num[2], 32, "%llu", (unsigned long long)c->params.size);
  snprintf(num[3], 32, "%llu", (unsigned long long)c->params.payload);
  snprintf(num[4], 32, "%llu", (unsigned long long)c->params.seed);
  snprintf(num[5], 32, "%g", s->o->mo.trial_timeout);
  snprintf(num[6], 32, "%llu", (unsigned long long)c->switch_us);
  snprintf(num[7], 32, "%s", c->dispatch != NULL ? c->dispatch : c->rn->dispatches[0]);
  argv[n++] = (char *)s->bin[side];
  argv[n++] = (char *)"run";
  argv[n++] = (char *)"-q";
  argv[n++] = (char *)"--reps";
  argv[n++] = (char *)"1";
  argv[n++] = (char *)"--warmup";
  argv[n++] = (char *)"0";
  argv[n++] = (char *)"-w";
  argv[n++] = (char *)c->wl->name;
  argv[n++] = (char *)"-r";
  argv[n++] = (char *)c->rn->name;
  argv[n++] = (char *)"-c";
  argv[n++] = num[0];
  argv[n++] = (char *)"-p";
  argv[n++] = (char *)cb_pin_name(c->pin);
  argv[n++] = (char *)"--transport";
  argv[n++] = (char *)c->transport;
  argv[n++] = (char *)"-t";
  argv[n++] = num[1];
  argv[n++] = (char *)"-s";
  argv[n++] = num[2];
  argv[n++] = (char *)"--payload";
  argv[n++] = num[3];
  argv[n++] = (char *)"--seed";
  argv[n++] = num[4];
  argv[n++] = (char *)"--trial-timeout";
  argv[n++] = num[5];
  if (c->gil) {
    argv[n++] = (char *)"--gil=on";
    argv[n++] = (char *)"--switch-interval";
    argv[n++] = num[6];
  }
  /* Only when not the default: a base from before dispatch modes has no
   * --dispatch, and runs its default. */
  if (!cb_default_dispatch(c->rn->name, num[7])) {
    argv[n++] = (char *)"--dispatch";
    argv[n++] = num[7];
  }
  if (c->rn->takes_procs) {
    snprintf(num[8], 32, "%u", c->procs);
    argv[n++] = (char *)"--procs";
    argv[n++] = num[8];
  }
  if (c->wl->racy)
    argv[n++] = (char *)"--allow-races";
  argv[n++] = (char *)"-o";
  argv[n++] = (char *)s->trial_csv;
  argv[n] = NULL;
}

static void cell_text(const cb_cell_t *c, char *buf, size_t len)
{
  snprintf(buf, len, "%s %s%s c=%u", c->wl->name, c->rn->name, c->gil ? "+gil" : "",
           c->concurrency);
}

/* The first line of the child's stderr, for messages. */
static void first_line(const char *path, char *buf, size_t len)
{
  FILE *f = fopen(path, "re");

  buf[0] = '\0';
  if (f != NULL) {
    if (fgets(buf, (int)len, f) == NULL)
      buf[0] = '\0';
    fclose(f);
  }
  buf[strcspn(buf, "\n")] = '\0';
  if (buf[0] == '\0')
    snprintf(buf, len, "(no message)");
}

static void remove_trial_files(const cb_ab_session_t *s)
{
  static const char *const sides[] = { "summary.csv", "meta.json" };
  static char p[4300]; /* static: a small stack must do */
  size_t n = strlen(s->trial_csv) - 4, i;

  unlink(s->trial_csv);
  unlink(s->trial_err);
  for (i = 0; i < CB_ARRAY_SIZE(sides); i++) {
    snprintf(p, sizeof(p), "%.*s.%s", (int)n, s->trial_csv, sides[i]);
    unlink(p);
  }
}

/* The row a trial wrote: one data row, for the cell asked. Returns 0 with
 * *t loaded, or -EINVAL with err saying what is wrong. */
static int load_row(const cb_ab_session_t *s, int side, const cb_cell_t *c, cb_table_t *t, char *err,
                    size_t errlen)
{
  char key[CB_CMP_KEYS][64], what[1024];
  size_t k;
  long col;

  if (cb_table_load(s->trial_csv, t, what, sizeof(what)) != 0) {
    snprintf(err, errlen, "%s wrote no readable trial CSV: %s", cb__ab_sides[side], what);
    return -EINVAL;
  }
  if (t->rows != 2) {
    snprintf(err, errlen, "%s wrote %zu rows for one trial", cb__ab_sides[side], t->rows - 1);
    cb_table_free(t);
    return -EINVAL;
  }
  cb__ab_cell_key(c, key);
  for (k = 0; k < CB_CMP_KEYS; k++) {
    col = cb_table_col(t, cb_compare_key_columns[k]);
    if (col >= 0 && strcmp(cb_key_value(cb_compare_key_columns[k], c->rn->name,
                                         cb_table_get(t, 1, (size_t)col)), key[k]) != 0) {
      snprintf(err, errlen, "%s recorded %s '%s' for a trial asked with '%s': it does not run "
               "the cell asked", cb__ab_sides[side], cb_compare_key_columns[k],
               cb_table_get(t, 1, (size_t)col), key[k]);
      cb_table_free(t);
      return -EINVAL;
    }
  }
  return 0;
}

/* Run one slot. 0, -EINTR (stop), -EINVAL (err set: a side misbehaves) or
 * -ENOMEM. */
static int run_slot(cb_ab_session_t *s, int side, size_t cell, int warm, char *err, size_t errlen)
{
  const cb_cell_t *c = &s->m->cells[cell];
  cb_spawn_io_t io = { .err = s->trial_err };
  char num[9][32], *argv[48], what[512], msg[512];
  size_t idx = (size_t)side * s->m->ncells + cell;
  cb_table_t t;
  int st = 0, rc, code;

  trial_argv(s, side, c, num, argv);
  /* The run's own limit per trial, and time to start and write. */
  rc = cb_spawn_run(argv, &io, s->o->mo.trial_timeout + 60, &st);
  if (rc == -EINTR)
    goto out;
  cell_text(c, what, sizeof(what));
  if (rc != 0) {
    snprintf(err, errlen, "cannot run %s (%s) for %s: %s", cb__ab_sides[side], s->bin[side], what,
             rc == -ETIMEDOUT ? "it did not end" : strerror(-rc));
    rc = -EINVAL;
    goto out;
  }
  code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  if (code == 130 || code == 143) {
    /* stopped by someone else: stop too */
    rc = -EINTR;
    goto out;
  }
  if (code == CB_EXIT_USAGE) {
    first_line(s->trial_err, msg, sizeof(msg));
    if (!s->refused[idx]) {
      cb_progress_clear(&s->pg);
      cb_message("ab", "%s cannot run %s, left out: %s", cb__ab_sides[side], what, msg);
    }
    s->refused[idx] = 1;
    rc = 0;
    goto out;
  }
  if (code != CB_EXIT_OK && code != CB_EXIT_FAIL) {
    first_line(s->trial_err, msg, sizeof(msg));
    snprintf(err, errlen, "%s (%s) ended with %s %d for %s: %s", cb__ab_sides[side], s->bin[side],
             WIFEXITED(st) ? "exit code" : "signal", WIFEXITED(st) ? code : WTERMSIG(st), what,
             msg);
    rc = -EINVAL;
    goto out;
  }
  rc = load_row(s, side, c, &t, err, errlen);
  if (rc != 0)
    goto out;
  if (code == CB_EXIT_FAIL) {
    long mcol = cb_table_col(&t, "message"), scol = cb_table_col(&t, "status");
    s->not_ok[side] += !warm; /* as in run: warm-ups are not results */
    if (!s->o->quiet) {
      cb_progress_clear(&s->pg);
      cb_message("ab", "%s %s: %s: %s", cb__ab_sides[side], what,
                 scol >= 0 ? cb_table_get(&t, 1, (size_t)scol) : "not ok",
                 mcol >= 0 ? cb_table_get(&t, 1, (size_t)mcol) : "");
    }
  }
  if (!warm)
    rc = cb__ab_rows_add(&s->rows, side, cell, &t, s->run_id, s->reps[idx]++);
  cb_table_free(&t);
out:
  remove_trial_files(s);
  return rc;
}

/* The output CSV: a regular file is rewritten as trials come in; a stream
 * (a FIFO, a device) takes it once, at the end (`final`). */
int cb__ab_write_output(cb_ab_session_t *s, int final)
{
  cb_buf_t b = { 0 };
  int err;

  if (!final && s->out.kind != CB_OUT_FILE)
    return 0;
  cb__ab_rows_csv(&s->rows, -1, NULL, &b);
  err = b.failed ? -ENOMEM : cb_output_write(&s->out, b.data, b.len);
  if (err != 0) {
    cb_progress_clear(&s->pg);
    cb_message("ab", "cannot write '%s': %s", s->o->output, strerror(-err));
  }
  cb_buf_free(&b);
  s->last_write = cb_now_ns();
  return err;
}

int cb__ab_run_schedule(cb_ab_session_t *s, char *err, size_t errlen)
{
  const cb_ab_opts_t *o = s->o;
  size_t total = 0, i;
  cb_slot_t *order;
  char what[320], text[400];
  int rc = 0;

  /* Slot cell k is cell k / 2 of side k % 2: both sides in one order. */
  order = cb_schedule(SIDES * s->m->ncells, o->mo.warmup, o->mo.reps, o->mo.mx.seed,
                      &total);
  if (order == NULL)
    return -ENOMEM;
  for (i = 0; rc == 0 && i < total; i++) {
    int side = (int)(order[i].cell % SIDES);
    size_t cell = order[i].cell / SIDES;
    if (s->refused[(size_t)side * s->m->ncells + cell])
      continue;
    cell_text(&s->m->cells[cell], what, sizeof(what));
    snprintf(text, sizeof(text), "%s %s", cb__ab_sides[side], what);
    cb_progress_show(&s->pg, i, total, text);
    rc = run_slot(s, side, cell, order[i].rep < 0, err, errlen);
    if (rc == 0 && s->rows.n > 0 && cb_now_ns() - s->last_write > CB_OUTPUT_REWRITE_NS)
      rc = cb__ab_write_output(s, 0) == 0 ? 0 : -EIO;
  }
  cb_progress_clear(&s->pg);
  free(order);
  return rc;
}

