/* Evaluators of outcomes that need no test (analysis/claim.h): whether a
 * model's pool survives a worker's crash, whether a failure stays with the
 * worker it occurs in, how many tasks a crash costs each model, and how
 * many workers each model could hold on this machine. */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "claim.h"
#include "runner.h"
#include "stats.h"


/* Whether the model's pool survives a worker's crash: a process pool does,
 * a pool of threads (or loops) dies with its process. Only the models the
 * claim names (its side and others) are judged. */
void cb__eval_crash(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                    const char *payload, cb__judge_t *j, cb_finding_t *f)
{
  char model[64];
  size_t c, crashed;
  int pool;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  for (c = 0; c < cells->n; c++) {
    if (fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0 ||
        cb_cell_reference(cells, c) || cells->cell[c].nrows == 0 ||
        !cb__judges_model(cells, c, k))
      continue;
    cb_model(cells, c, model, sizeof(model));
    crashed = cb__count_status(cells, c, "crashed");
    pool = strncmp(model, k->side, strlen(k->side)) == 0;
    cb__judge_add(j, CB__OUTCOME, 0,
                  pool ? cells->cell[c].n_ok == cells->cell[c].nrows
                       : crashed == cells->cell[c].nrows,
                  "%s, %s, c=%s: %zu of %zu trials completed (%zu crashed)",
                  cb_cell_key(cells, c, "workload"), model, cb_cell_key(cells, c, "concurrency"),
                  cells->cell[c].n_ok, cells->cell[c].nrows, crashed);
  }
}

/* Whether a failure stays with the worker it occurs in: the trial completes
 * with only the failed tasks lost. A returned error does under every model;
 * a fatal signal only where a worker is a process of its own. Only the
 * models the claim names, when it names some. */
void cb__eval_contained(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                        const char *payload, cb__judge_t *j, cb_finding_t *f)
{
  char model[64], list[2][2][256] = { { "" } }, wl[2][32] = { "", "" };
  cb_buf_t note = { 0 };
  size_t c, w, used;
  int held;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  for (c = 0; c < cells->n; c++) {
    if (fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0 ||
        cb_cell_reference(cells, c) || cells->cell[c].nrows == 0 || cb__is_gil(cells, c) ||
        !cb__judges_model(cells, c, k))
      continue;
    cb_model(cells, c, model, sizeof(model));
    held = cells->cell[c].n_ok == cells->cell[c].nrows;
    if (held)
      cb__judge_add(j, CB__OUTCOME, 0, 1, "%s, %s, c=%s: %zu of %zu trials completed, a "
                    "median %.0f of %s tasks failed", cb_cell_key(cells, c, "workload"), model,
                    cb_cell_key(cells, c, "concurrency"), cells->cell[c].n_ok,
                    cells->cell[c].nrows, cb__median_of(cells, c, "failed"),
                    cb_cell_key(cells, c, "tasks"));
    else
      cb__judge_add(j, CB__OUTCOME, 0, 0, "%s, %s, c=%s: %zu of %zu trials crashed",
                    cb_cell_key(cells, c, "workload"), model, cb_cell_key(cells, c, "concurrency"),
                    cb__count_status(cells, c, "crashed"), cells->cell[c].nrows);
    /* the closing sentence: which models held, per workload */
    for (w = 0; w < CB_ARRAY_SIZE(wl) && wl[w][0] != '\0' &&
                strcmp(wl[w], cb_cell_key(cells, c, "workload")) != 0;
         w++)
      ;
    if (w == CB_ARRAY_SIZE(wl))
      continue;
    snprintf(wl[w], sizeof(wl[w]), "%s", cb_cell_key(cells, c, "workload"));
    if (strstr(list[w][held], model) == NULL) {
      used = strlen(list[w][held]);
      snprintf(list[w][held] + used, sizeof(list[w][held]) - used, "%s%s", used ? ", " : "",
               model);
    }
  }
  for (w = 0; w < CB_ARRAY_SIZE(wl) && wl[w][0] != '\0'; w++)
    cb_buf_printf(&note, "%s%s: only the failing task under %s; the whole trial under %s.",
                  w > 0 ? " " : "", wl[w], list[w][1][0] ? list[w][1] : "no model",
                  list[w][0][0] ? list[w][0] : "no model");
  /* as much of it as the note holds */
  if (!note.failed && note.len > 0)
    snprintf(j->note, sizeof(j->note), "%s", note.data);
  cb_buf_free(&note);
}

/* A crash's domain in a cell: P processes of T tasks in flight each, from
 * the row's procs and per_proc columns; a CSV without them (before the
 * hybrids) ran one process of c (a runner whose workers share the trial
 * process) or c processes of one. */
static void domain_of(const cb_cells_t *cells, size_t c, unsigned long *procs,
                      unsigned long *per_proc, int *in_trial)
{
  const cb_runner_t *rn = cb_runner_find(cb_cell_key(cells, c, "runner"));
  unsigned long conc = cb__conc(cells, c);

  *in_trial = rn != NULL && !rn->forks_workers;
  *procs = strtoul(cb_cell_key(cells, c, "procs"), NULL, 10);
  *per_proc = strtoul(cb_cell_key(cells, c, "per_proc"), NULL, 10);
  if (*procs == 0)
    *procs = *in_trial ? 1 : conc;
  if (*per_proc == 0)
    *per_proc = *procs > 0 ? (conc + *procs - 1) / *procs : conc;
}

/* Crashes a trial of the cell holds: one task in `size` crashes (0 when
 * none does). */
static unsigned long crashes_of(const cb_cells_t *cells, size_t c)
{
  unsigned long size = strtoul(cb_cell_key(cells, c, "size"), NULL, 10);

  return size > 0 ? strtoul(cb_cell_key(cells, c, "tasks"), NULL, 10) / size : 0;
}

/* A cell the blast-radius claim judges. */
static int blast_cell(const cb_cells_t *cells, size_t c, const cb__claim_t *k)
{
  return fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) == 0 &&
         !cb_cell_reference(cells, c) && cells->cell[c].nrows > 0 && !cb__is_gil(cells, c) &&
         cb__judges_model(cells, c, k) && crashes_of(cells, c) > 0;
}

/* How many tasks a crash costs (the blast radius) and at what throughput:
 * a crash takes down its own process and the tasks in flight there. Where
 * that process is the trial process (threads, an event loop) the whole
 * trial is lost; where it is a worker process, at most its T tasks in
 * flight are (1 for a process pool, T for P processes of T threads or
 * loops), and the pool completes. Crashes per trial are tasks / size (one
 * task in `size` crashes; at c below size no crashing task is lost in
 * another's crash). The closing sentence sets each model's cost beside its
 * throughput at the largest concurrency measured. */
void cb__eval_blast(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                    const char *payload, cb__judge_t *j, cb_finding_t *f)
{
  char model[64], tp[32];
  unsigned long procs, per_proc, top = 0, crashes;
  double lost;
  size_t c, crashed;
  int in_trial, held;
  cb_buf_t note = { 0 };

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  for (c = 0; c < cells->n; c++) {
    if (!blast_cell(cells, c, k))
      continue;
    crashes = crashes_of(cells, c);
    cb_model(cells, c, model, sizeof(model));
    domain_of(cells, c, &procs, &per_proc, &in_trial);
    crashed = cb__count_status(cells, c, "crashed");
    held = cells->cell[c].n_ok == cells->cell[c].nrows;
    lost = cb__median_of(cells, c, "failed") / (double)crashes;
    if (in_trial || !held) {
      cb__judge_add(j, CB__OUTCOME, 0, in_trial && crashed == cells->cell[c].nrows,
                    "%s, %s, c=%s (P=%lu × T=%lu): %zu of %zu trials crashed, the whole trial lost",
                    cb_cell_key(cells, c, "workload"), model, cb_cell_key(cells, c, "concurrency"),
                    procs, per_proc, crashed, cells->cell[c].nrows);
    } else {
      cb__human(cb__median_of(cells, c, "throughput"), tp, sizeof(tp));
      cb__judge_add(j, CB__OUTCOME, 0, lost <= (double)per_proc + 1e-9,
                    "%s, %s, c=%s (P=%lu × T=%lu): %zu of %zu trials completed, %.2g task%s lost "
                    "per crash (at most %lu claimed), %s tasks/s",
                    cb_cell_key(cells, c, "workload"), model, cb_cell_key(cells, c, "concurrency"),
                    procs, per_proc, cells->cell[c].n_ok, cells->cell[c].nrows, lost,
                    lost == 1 ? "" : "s", per_proc, tp);
    }
    if (cb__conc(cells, c) > top)
      top = cb__conc(cells, c);
  }
  /* the closing sentence: each model's cost and throughput at the top c */
  for (c = 0; top > 0 && c < cells->n; c++) {
    if (!blast_cell(cells, c, k) || cb__conc(cells, c) != top)
      continue;
    crashes = crashes_of(cells, c);
    cb_model(cells, c, model, sizeof(model));
    domain_of(cells, c, &procs, &per_proc, &in_trial);
    if (note.len == 0)
      cb_buf_printf(&note, "At c=%lu:", top);
    cb_buf_printf(&note, "%s %s ", note.len > 0 && note.data[note.len - 1] == ':' ? "" : ";",
                  model);
    if (cells->cell[c].n_ok < cells->cell[c].nrows) {
      cb_buf_printf(&note, "lost the whole trial");
    } else {
      lost = cb__median_of(cells, c, "failed") / (double)crashes;
      cb__human(cb__median_of(cells, c, "throughput"), tp, sizeof(tp));
      cb_buf_printf(&note, "lost %.2g task%s a crash (P=%lu × T=%lu) at %s tasks/s", lost,
                    lost == 1 ? "" : "s", procs, per_proc, tp);
    }
  }
  if (!note.failed && note.len > 0)
    snprintf(j->note, sizeof(j->note), "%s.", note.data);
  cb_buf_free(&note);
}

typedef struct reach_s {
  char model[64];
  double max_c;      /* by the machine's limits (run's check) */
  char limit[96];
  double slope_kb;   /* memory per worker */
  double reach;      /* min(max_c, memory / slope) */
  const char *binding;
  double startup_s;  /* start-up at the largest c measured */
  unsigned long at_c;
} reach_t;

static int reach_of(const cb_cells_t *cells, size_t c, reach_t *r)
{
  cb_group_t *g = NULL;
  size_t k = 0, d;
  double mem_kb = strtod(cb_cell_key(cells, c, "mem_total_kb"), NULL);

  memset(r, 0, sizeof(*r));
  cb_model(cells, c, r->model, sizeof(r->model));
  r->max_c = strtod(cb_cell_key(cells, c, "max_concurrency"), NULL);
  snprintf(r->limit, sizeof(r->limit), "%s", cb_cell_key(cells, c, "limit"));
  if (r->max_c <= 0 || cb_series_groups(cells, c, "maxrss_kb", &g, &k) != 0)
    return -1;
  r->slope_kb = k >= 2 ? cb_slope(g, k) : 0;
  cb_groups_free(g, k);
  r->reach = r->max_c;
  r->binding = r->limit;
  if (r->slope_kb > 0 && mem_kb > 0 && mem_kb / r->slope_kb < r->reach) {
    r->reach = floor(mem_kb / r->slope_kb);
    r->binding = "the machine's memory";
  }
  for (d = 0; d < cells->n; d++) {
    if (cells->cell[d].n_ok > 0 && cb_same_series(cells, c, d) && cb__conc(cells, d) > r->at_c) {
      r->at_c = cb__conc(cells, d);
      r->startup_s = cb__median_of(cells, d, "startup_s");
    }
  }
  return 0;
}

/* "Threads let you run more workers than processes": how many each model
 * could hold on this machine, by the limits the run checked (processes,
 * threads, file descriptors, ports) and by memory (per-worker slope of the
 * workload's memory against the machine's). */
void cb__eval_reach(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                    const char *payload, cb__judge_t *j, cb_finding_t *f)
{
  reach_t r[16], *side = NULL;
  char name[64], hs[32], ho[32], st[32];
  size_t c, d, n = 0;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  for (c = 0; c < cells->n && n < CB_ARRAY_SIZE(r); c++) {
    if (fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0 ||
        cells->cell[c].n_ok == 0 || cb_cell_reference(cells, c) || cb__is_gil(cells, c))
      continue;
    cb_contestant(cells, c, name, sizeof(name));
    cb_model(cells, c, hs, sizeof(hs));
    if (strcmp(name, hs) != 0)
      continue; /* one variant a model: its default */
    for (d = 0; d < n && strcmp(r[d].model, name) != 0; d++)
      ;
    if (d == n && reach_of(cells, c, &r[n]) == 0)
      n++;
  }
  for (d = 0; d < n; d++) {
    cb__human(r[d].reach, hs, sizeof(hs));
    cb__duration(r[d].startup_s, st, sizeof(st));
    cb__evidence_add(f, "- %s: about %s workers, bound by %s (%.1f KiB each; %lu started in %s)\n",
                     r[d].model, hs, r[d].binding, r[d].slope_kb, r[d].at_c, st);
    if (strcmp(r[d].model, k->side) == 0)
      side = &r[d];
  }
  for (d = 0; side != NULL && d < n; d++) {
    if (strstr(k->others, r[d].model) == NULL)
      continue;
    cb__human(side->reach, hs, sizeof(hs));
    cb__human(r[d].reach, ho, sizeof(ho));
    cb__judge_add(j, CB__OUTCOME, 0, side->reach > r[d].reach, "%s %s against %s %s",
                  side->model, hs, r[d].model, ho);
  }
  if (n > 0)
    cb__evidence_add(f, "\n");
}
