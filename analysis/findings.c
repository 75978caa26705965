/* The claims and how each is judged; see findings.h. Every claim is one row
 * of the table at the bottom: its text, its evaluator and the evaluator's
 * parameters. An evaluator walks the cells, adds one comparison per pair of
 * cells it can compare (judge_add), and judge_finish turns them into a
 * verdict with Holm's adjustment within the claim. Comparisons that claim
 * a difference use the Mann-Whitney U test on the cells' trial samples;
 * comparisons that claim a bound ("no speedup", "within 5%") scale one side
 * by the bound and test against that, so both directions are tested with
 * the same statistic; a slope (memory per worker) is tested by the
 * bootstrap; an outcome (a crash, a limit) needs no test. */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "findings.h"
#include "fleet.h"
#include "stats.h"

enum { SHOWN = 10 };  /* evidence lines shown per finding */
#define OUTCOME (-1.0) /* a comparison's p when it is an outcome, not a test */

static const char *const verdict_names[] = {
  [CB_V_HOLDS] = "holds",
  [CB_V_NOT] = "does not hold",
  [CB_V_DEPENDS] = "depends",
  [CB_V_NOT_SHOWN] = "not shown",
  [CB_V_UNTESTED] = "not measured",
  [CB_V_MACHINE] = "depends on the machine",
};

const char *cb_verdict_name(cb_verdict_t v)
{
  return (size_t)v < CB_ARRAY_SIZE(verdict_names) ? verdict_names[v] : "?";
}

/* ---- comparisons and their verdict ---------------------------------------- */

typedef struct cmp_s {
  double p, floor; /* p of the test (OUTCOME: none), smallest p its samples allow */
  int as_claimed;  /* the numbers go the claim's way */
  char line[320];
} cmp_t;

typedef struct judge_s {
  cmp_t *v;
  size_t n, cap;
  int failed;
  char note[1024]; /* a closing sentence of the evaluator's, after the counts */
} judge_t;

static void judge_add(judge_t *j, double p, double floor, int as_claimed, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void judge_add(judge_t *j, double p, double floor, int as_claimed, const char *fmt, ...)
{
  cmp_t *grown;
  va_list ap;

  if (j->n == j->cap) {
    grown = realloc(j->v, (j->cap ? 2 * j->cap : 16) * sizeof(*grown));
    if (grown == NULL) {
      j->failed = 1;
      return;
    }
    j->v = grown;
    j->cap = j->cap ? 2 * j->cap : 16;
  }
  j->v[j->n].p = p;
  j->v[j->n].floor = floor;
  j->v[j->n].as_claimed = as_claimed;
  va_start(ap, fmt);
  vsnprintf(j->v[j->n].line, sizeof(j->v[j->n].line), fmt, ap);
  va_end(ap);
  j->n++;
}

static void add(cb_finding_t *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(cb_finding_t *f, const char *fmt, ...)
{
  size_t used = strlen(f->evidence);
  va_list ap;

  if (used + 1 >= sizeof(f->evidence))
    return;
  va_start(ap, fmt);
  vsnprintf(f->evidence + used, sizeof(f->evidence) - used, fmt, ap);
  va_end(ap);
}

enum { K_AGAINST, K_AS_CLAIMED, K_TIE, K_WEAK };

static const char *const kind_text[] = {
  [K_AGAINST] = "against the claim",
  [K_AS_CLAIMED] = "as claimed",
  [K_TIE] = "no significant difference",
  [K_WEAK] = "too few trials to tell",
};

/* The most significant comparison of a kind, or -1. */
static long strongest(const judge_t *j, const int *kind, const double *adj, int k)
{
  long best = -1;
  size_t i;

  for (i = 0; i < j->n; i++) {
    if (kind[i] == k && (best < 0 || adj[i] < adj[best]))
      best = (long)i;
  }
  return best;
}

/* The line a verdict rests on most: the strongest comparison its way (both
 * ways when it depends; the first tie when nothing is shown). */
static void headline(const judge_t *j, const int *kind, const double *adj, cb_finding_t *f)
{
  long w = strongest(j, kind, adj, K_AS_CLAIMED), l = strongest(j, kind, adj, K_AGAINST);
  long t = strongest(j, kind, adj, K_TIE), weak = strongest(j, kind, adj, K_WEAK);

  if (f->verdict == CB_V_DEPENDS)
    snprintf(f->headline, sizeof(f->headline), "as claimed: %.180s; against: %.180s",
             j->v[w].line, j->v[l].line);
  else if (f->verdict == CB_V_HOLDS || f->verdict == CB_V_NOT)
    snprintf(f->headline, sizeof(f->headline), "%s", j->v[w >= 0 ? w : l].line);
  else if (t >= 0 || weak >= 0)
    snprintf(f->headline, sizeof(f->headline), "%s%s", j->v[t >= 0 ? t : weak].line,
             t >= 0 ? "" : " (too few trials)");
}

/* Holm within the claim, then each comparison's kind, the evidence (the
 * significant ones first) and the verdict. */
static void judge_finish(judge_t *j, double alpha, cb_finding_t *f)
{
  double *adj = malloc((j->n + 1) * sizeof(*adj));
  int *kind = malloc((j->n + 1) * sizeof(*kind));
  size_t i, k, shown = 0;

  if (adj == NULL || kind == NULL || j->failed) {
    snprintf(f->evidence, sizeof(f->evidence), "Out of memory while judging.\n");
    f->verdict = CB_V_UNTESTED;
    goto out;
  }
  for (i = 0; i < j->n; i++)
    adj[i] = j->v[i].p == OUTCOME ? 0 : j->v[i].p;
  cb_holm(adj, j->n);
  for (i = 0; i < j->n; i++) {
    const cmp_t *c = &j->v[i];
    if (c->p != OUTCOME && c->floor >= alpha)
      kind[i] = K_WEAK;
    else if (adj[i] >= alpha)
      kind[i] = K_TIE;
    else
      kind[i] = c->as_claimed ? K_AS_CLAIMED : K_AGAINST;
    f->wins += kind[i] == K_AS_CLAIMED;
    f->losses += kind[i] == K_AGAINST;
    f->ties += kind[i] == K_TIE;
    f->weak += kind[i] == K_WEAK;
  }
  for (k = K_AGAINST; k <= K_WEAK; k++) {
    for (i = 0; i < j->n; i++) {
      if (kind[i] != (int)k || shown++ >= SHOWN)
        continue;
      if (j->v[i].p == OUTCOME)
        add(f, "- %s: %s\n", j->v[i].line, kind_text[k]);
      else
        add(f, "- %s (p=%.2g, Holm %.2g): %s\n", j->v[i].line, j->v[i].p, adj[i],
            kind_text[k]);
    }
  }
  if (shown > SHOWN)
    add(f, "- … and %zu more comparisons\n", shown - SHOWN);
  if (j->n == 0) {
    f->verdict = CB_V_UNTESTED;
    add(f, "These results hold no cell for it.\n");
    goto out;
  }
  if (f->wins > 0 && f->losses == 0)
    f->verdict = CB_V_HOLDS;
  else if (f->losses > 0 && f->wins == 0)
    f->verdict = CB_V_NOT;
  else if (f->wins > 0)
    f->verdict = CB_V_DEPENDS;
  else
    f->verdict = CB_V_NOT_SHOWN;
  headline(j, kind, adj, f);
  add(f, "\nOver %zu comparisons (p-values adjusted by Holm within the claim): %u as "
         "claimed, %u against, %u without a significant difference", j->n, f->wins,
      f->losses, f->ties);
  if (f->weak > 0)
    add(f, ", %u with too few trials to tell (run with --reps 5 or more)", f->weak);
  while (strlen(j->note) > 0 && j->note[strlen(j->note) - 1] == ' ')
    j->note[strlen(j->note) - 1] = '\0';
  if (j->note[0] != '\0') /* an evaluator's own summary says it best */
    snprintf(f->headline, sizeof(f->headline), "%.399s", j->note);
  add(f, ".%s%s\n", j->note[0] != '\0' ? " " : "", j->note);
out:
  free(kind);
  free(adj);
  free(j->v);
  memset(j, 0, sizeof(*j));
}

/* ---- helpers --------------------------------------------------------------- */

static double median_of(const cb_cells_t *cells, size_t c, const char *metric)
{
  size_t n = 0;
  double *v = cb_cell_samples(cells, c, metric, &n), m;
  cb_summary_t s;

  if (v == NULL)
    return 0;
  cb_summarize(v, n, 0.95, &s);
  m = s.median;
  free(v);
  return m;
}

/* 12.3k, 4.56M: numbers for people. */
static void human(double v, char *buf, size_t len)
{
  static const char *const suffix[] = { "", "k", "M", "G" };
  size_t i = 0;

  while (v >= 1000 && i + 1 < CB_ARRAY_SIZE(suffix)) {
    v /= 1000;
    i++;
  }
  snprintf(buf, len, v >= 100 || i == 0 ? "%.0f%s" : "%.3g%s", v, suffix[i]);
}

/* 9.1 µs, 2.3 ms: a duration in seconds for people. */
static void duration(double s, char *buf, size_t len)
{
  if (s < 1e-6)
    snprintf(buf, len, "%.3g ns", s * 1e9);
  else if (s < 1e-3)
    snprintf(buf, len, "%.3g µs", s * 1e6);
  else if (s < 1)
    snprintf(buf, len, "%.3g ms", s * 1e3);
  else
    snprintf(buf, len, "%.3g s", s);
}

static unsigned long conc(const cb_cells_t *cells, size_t c)
{
  return strtoul(cb_cell_key(cells, c, "concurrency"), NULL, 10);
}

static int is_gil(const cb_cells_t *cells, size_t c)
{
  return strcmp(cb_cell_key(cells, c, "gil"), "1") == 0;
}

static int key_eq(const cb_cells_t *cells, size_t a, size_t b, const char *column)
{
  return strcmp(cb_cell_key(cells, a, column), cb_cell_key(cells, b, column)) == 0;
}

/* The cell of contestant `who` in the same setting as cell `c` (host,
 * workload, size, payload, pin, GIL switch interval) at concurrency `at`
 * (NULL: c's), with measured trials; -1 if none. Its task count may differ
 * when the concurrency does (per-c task counts). */
static long find(const cb_cells_t *cells, size_t c, const char *who, const char *at,
                 const char *workload)
{
  static const char *const same[] = { "host", "size", "payload", "pin", "switch_interval_us" };
  char name[64];
  size_t d, i;

  for (d = 0; d < cells->n; d++) {
    if (cells->cell[d].n_ok == 0 ||
        strcmp(cb_cell_key(cells, d, "workload"),
               workload != NULL ? workload : cb_cell_key(cells, c, "workload")) != 0 ||
        strcmp(cb_cell_key(cells, d, "concurrency"),
               at != NULL ? at : cb_cell_key(cells, c, "concurrency")) != 0)
      continue;
    cb_contestant(cells, d, name, sizeof(name));
    if (strcmp(name, who) != 0)
      continue;
    for (i = 0; i < CB_ARRAY_SIZE(same) && key_eq(cells, c, d, same[i]); i++)
      ;
    if (i == CB_ARRAY_SIZE(same))
      return (long)d;
  }
  return -1;
}

/* Mann-Whitney of a's samples against b's scaled by `scale`: is a
 * different from scale x b? *a_more says which way the medians go. */
static double scaled_p(const cb_cells_t *cells, size_t a, size_t b, const char *metric,
                       double scale, double *floor, int *a_more)
{
  size_t na = 0, nb = 0, i;
  double *x = cb_cell_samples(cells, a, metric, &na);
  double *y = cb_cell_samples(cells, b, metric, &nb);
  double p = 1;

  *floor = cb_mw_min_p(na, nb);
  *a_more = 0;
  if (x != NULL && y != NULL) {
    for (i = 0; i < nb; i++)
      y[i] *= scale;
    p = cb_mann_whitney_p(x, na, y, nb);
    *a_more = median_of(cells, a, metric) > scale * median_of(cells, b, metric);
  }
  free(x);
  free(y);
  return p;
}

/* "21.3 ns/update" from a cell's median throughput and its size (updates
 * per task), or tasks/s without a size. */
static void per_update(const cb_cells_t *cells, size_t c, char *buf, size_t len)
{
  double tp = median_of(cells, c, "throughput");
  double size = strtod(cb_cell_key(cells, c, "size"), NULL);
  char h[16];

  if (tp > 0 && size > 0) {
    snprintf(buf, len, "%.3g ns/update", 1e9 / (tp * size));
  } else {
    human(tp, h, sizeof(h));
    snprintf(buf, len, "%s tasks/s", h);
  }
}

/* "processes" or "processes+gil": a contestant name in the claim's scope. */
static void scoped(const char *name, int gil, char *buf, size_t len)
{
  snprintf(buf, len, "%s%s", name, gil == 1 ? "+gil" : "");
}

/* ---- the claims ------------------------------------------------------------ */

typedef struct claim_s claim_t;
typedef void (*eval_fn)(const cb_cells_t *cells, const claim_t *k, double alpha,
                        const char *payload, judge_t *j, cb_finding_t *f);

struct claim_s {
  const char *text;
  eval_fn eval;
  const char *workloads; /* fnmatch pattern */
  const char *side;      /* the contestant the claim favours */
  const char *others;    /* its opponents, comma separated */
  const char *metric;
  int higher_better;
  unsigned min_c;        /* comparisons only at concurrency >= min_c */
  double margin;         /* "no more than": the side may be this much slower */
  const char *chart;
  int gil;               /* 1: under the GIL only; 0: without it only */
  int per_payload;       /* one finding per payload size */
};

/* The side's cells against each opponent's in the same setting. */
static void eval_duels(const cb_cells_t *cells, const claim_t *k, double alpha,
                       const char *payload, judge_t *j, cb_finding_t *f)
{
  const char *unit = strcmp(k->metric, "throughput") == 0 ? "tasks/s" : "";
  char name[64], side[80], other[80], hs[32], ho[32];
  const char *p, *comma;
  double ms, mo, pv, floor;
  size_t c;
  long o;

  CB_UNUSED(alpha);
  CB_UNUSED(f);
  scoped(k->side, k->gil, side, sizeof(side));
  for (c = 0; c < cells->n; c++) {
    cb_contestant(cells, c, name, sizeof(name));
    if (strcmp(name, side) != 0 || cells->cell[c].n_ok == 0 || is_gil(cells, c) != k->gil ||
        fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0 ||
        conc(cells, c) < k->min_c ||
        (payload != NULL && strcmp(cb_cell_key(cells, c, "payload"), payload) != 0))
      continue;
    for (p = k->others; *p != '\0'; p = *comma ? comma + 1 : comma) {
      comma = p + strcspn(p, ",");
      snprintf(name, sizeof(name), "%.*s", (int)(comma - p), p);
      scoped(name, k->gil, other, sizeof(other));
      o = find(cells, c, other, NULL, NULL);
      if (o < 0)
        continue;
      ms = median_of(cells, c, k->metric);
      mo = median_of(cells, (size_t)o, k->metric);
      pv = cb_cells_p(cells, c, (size_t)o, k->metric, &floor);
      human(ms, hs, sizeof(hs));
      human(mo, ho, sizeof(ho));
      judge_add(j, pv, floor, k->higher_better ? ms > mo : ms < mo,
                "%s, c=%s: %s %s %s vs %s %s %s (%+.0f%%)", cb_cell_key(cells, c, "workload"),
                cb_cell_key(cells, c, "concurrency"), side, hs, unit, other, ho, unit,
                mo != 0 ? 100 * (ms / mo - 1) : 0);
    }
  }
}

/* Per-worker cost: the slope of the metric over concurrency of the side's
 * series against each opponent's, by the bootstrap of the difference. */
static void eval_slopes(const cb_cells_t *cells, const claim_t *k, double alpha,
                        const char *payload, judge_t *j, cb_finding_t *f)
{
  cb_group_t *a = NULL, *b = NULL;
  size_t ka = 0, kb = 0, c, d;
  char name[64], side[80], other[80];
  double sa, sb, diff, lo, hi, p;
  long o;

  CB_UNUSED(payload);
  CB_UNUSED(f);
  scoped(k->side, k->gil, side, sizeof(side));
  scoped(k->others, k->gil, other, sizeof(other));
  for (c = 0; c < cells->n; c++) {
    cb_contestant(cells, c, name, sizeof(name));
    if (strcmp(name, side) != 0 || cells->cell[c].n_ok == 0 || is_gil(cells, c) != k->gil ||
        fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0)
      continue;
    for (d = 0; d < c && !(cells->cell[d].n_ok > 0 && cb_same_series(cells, c, d)); d++)
      ;
    o = find(cells, c, other, NULL, NULL);
    if (d < c || o < 0)
      continue; /* one comparison a series, from its first cell */
    if (cb_series_groups(cells, c, k->metric, &a, &ka) == 0 &&
        cb_series_groups(cells, (size_t)o, k->metric, &b, &kb) == 0) {
      sa = cb_slope(a, ka);
      sb = cb_slope(b, kb);
      if (ka < 2 || kb < 2) {
        judge_add(j, 1, 1, 0, "%s: %s and %s at one concurrency only: no slope",
                  cb_cell_key(cells, c, "workload"), side, other);
      } else {
        diff = cb_bootstrap_slope(a, ka, b, kb, 1 - alpha, 2000, 0x5eed, &lo, &hi, &p);
        judge_add(j, p, 1.0 / 2000, k->higher_better ? diff < 0 : diff > 0,
                  "%s, c=%s..%lu: %s %.1f KiB per worker vs %s %.1f KiB (difference %.1f "
                  "KiB, %.0f%% CI [%.1f, %.1f])", cb_cell_key(cells, c, "workload"),
                  cb_cell_key(cells, c, "concurrency"), (unsigned long)b[kb - 1].x, side, sa,
                  other, sb, diff, 100 * (1 - alpha), lo, hi);
      }
    }
    cb_groups_free(a, ka);
    cb_groups_free(b, kb);
    a = b = NULL;
    ka = kb = 0;
  }
}

/* Trials of a cell with a given status. */
static size_t count_status(const cb_cells_t *cells, size_t c, const char *status)
{
  long col = cb_table_col(cells->table, "status");
  size_t i, n = 0;

  for (i = 0; col >= 0 && i < cells->cell[c].nrows; i++)
    n += strcmp(cb_table_get(cells->table, cells->cell[c].rows[i], (size_t)col), status) == 0;
  return n;
}

/* Whether the model's pool survives a worker's crash: a process pool does,
 * a pool of threads (or loops) dies with its process. */
static void eval_crash(const cb_cells_t *cells, const claim_t *k, double alpha,
                       const char *payload, judge_t *j, cb_finding_t *f)
{
  char model[64];
  size_t c, crashed;
  int pool;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  for (c = 0; c < cells->n; c++) {
    if (fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0 ||
        cb_cell_reference(cells, c) || cells->cell[c].nrows == 0)
      continue;
    cb_model(cells, c, model, sizeof(model));
    crashed = count_status(cells, c, "crashed");
    pool = strncmp(model, k->side, strlen(k->side)) == 0;
    judge_add(j, OUTCOME, 0,
              pool ? cells->cell[c].n_ok == cells->cell[c].nrows
                   : crashed == cells->cell[c].nrows,
              "%s, %s, c=%s: %zu of %zu trials completed (%zu crashed)",
              cb_cell_key(cells, c, "workload"), model, cb_cell_key(cells, c, "concurrency"),
              cells->cell[c].n_ok, cells->cell[c].nrows, crashed);
  }
}

/* Whether a failure stays with the worker it occurs in: the trial completes
 * with only the failed tasks lost. A returned error does under every model;
 * a fatal signal only where a worker is a process of its own. */
static void eval_contained(const cb_cells_t *cells, const claim_t *k, double alpha,
                           const char *payload, judge_t *j, cb_finding_t *f)
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
        cb_cell_reference(cells, c) || cells->cell[c].nrows == 0 || is_gil(cells, c))
      continue;
    cb_model(cells, c, model, sizeof(model));
    held = cells->cell[c].n_ok == cells->cell[c].nrows;
    if (held)
      judge_add(j, OUTCOME, 0, 1, "%s, %s, c=%s: %zu of %zu trials completed, a median %.0f "
                "of %s tasks failed", cb_cell_key(cells, c, "workload"), model,
                cb_cell_key(cells, c, "concurrency"), cells->cell[c].n_ok,
                cells->cell[c].nrows, median_of(cells, c, "failed"),
                cb_cell_key(cells, c, "tasks"));
    else
      judge_add(j, OUTCOME, 0, 0, "%s, %s, c=%s: %zu of %zu trials crashed",
                cb_cell_key(cells, c, "workload"), model, cb_cell_key(cells, c, "concurrency"),
                count_status(cells, c, "crashed"), cells->cell[c].nrows);
    /* the closing sentence: which models held, per workload */
    for (w = 0; w < 2 && wl[w][0] != '\0' && strcmp(wl[w], cb_cell_key(cells, c, "workload"));
         w++)
      ;
    if (w == 2)
      continue;
    snprintf(wl[w], sizeof(wl[w]), "%s", cb_cell_key(cells, c, "workload"));
    if (strstr(list[w][held], model) == NULL) {
      used = strlen(list[w][held]);
      snprintf(list[w][held] + used, sizeof(list[w][held]) - used, "%s%s", used ? ", " : "",
               model);
    }
  }
  for (w = 0; w < 2 && wl[w][0] != '\0'; w++)
    cb_buf_printf(&note, "%s%s: only the failing task under %s; the whole trial under %s.",
                  w > 0 ? " " : "", wl[w], list[w][1][0] ? list[w][1] : "no model",
                  list[w][0][0] ? list[w][0] : "no model");
  /* as much of it as the note holds */
  if (!note.failed && note.len > 0)
    snprintf(j->note, sizeof(j->note), "%s", note.data);
  cb_buf_free(&note);
}

/* Under the GIL, speedup from c = 1 to c: none claimed for threads on CPU
 * work, a speedup for waits and for processes. "A speedup" means more than
 * half way from none to the ideal (min(c, PUs) for CPU work, c for waits);
 * both ways are tested by Mann-Whitney against the c = 1 samples scaled by
 * that bound. */
static void eval_gil(const cb_cells_t *cells, const claim_t *k, double alpha,
                     const char *payload, judge_t *j, cb_finding_t *f)
{
  char name[64], h1[32], hc[32];
  unsigned long c_, pus;
  double ideal, bound, floor, p, s;
  int cpu, expect_speedup, faster;
  size_t c;
  long one;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  for (c = 0; c < cells->n; c++) {
    const char *wl = cb_cell_key(cells, c, "workload");
    cpu = fnmatch("cpu.*", wl, 0) == 0;
    c_ = conc(cells, c);
    if (!is_gil(cells, c) || cells->cell[c].n_ok == 0 || c_ < 2 ||
        fnmatch(k->workloads, wl, 0) != 0 || cb_cell_reference(cells, c))
      continue;
    cb_contestant(cells, c, name, sizeof(name));
    if (strcmp(name, "threads+gil") != 0 && strcmp(name, "processes+gil") != 0)
      continue;
    one = find(cells, c, name, "1", NULL);
    if (one < 0)
      continue;
    pus = strtoul(cb_cell_key(cells, c, "pus"), NULL, 10);
    ideal = cpu ? (double)(c_ < pus || pus == 0 ? c_ : pus) : (double)c_;
    bound = (1 + ideal) / 2;
    p = scaled_p(cells, c, (size_t)one, "throughput", bound, &floor, &faster);
    expect_speedup = !(cpu && strcmp(name, "threads+gil") == 0);
    s = median_of(cells, (size_t)one, "throughput") > 0
            ? median_of(cells, c, "throughput") / median_of(cells, (size_t)one, "throughput")
            : 0;
    human(median_of(cells, (size_t)one, "throughput"), h1, sizeof(h1));
    human(median_of(cells, c, "throughput"), hc, sizeof(hc));
    judge_add(j, p, floor, faster == expect_speedup,
              "%s, %s: %s tasks/s at c=1, %s at c=%lu (x%.2f; claimed: %s x%.2g)", wl, name, h1,
              hc, c_, s, expect_speedup ? "a speedup above" : "no speedup, below", bound);
  }
}

/* `side` (a workload) costs more or less than `other` per task in the same
 * setting; a bound of 1 + margin claims "no more than, within the margin". */
static void eval_cheaper(const cb_cells_t *cells, const claim_t *k, double alpha,
                         const char *payload, judge_t *j, cb_finding_t *f)
{
  char name[64], hs[48], ho[48];
  double ms, mo, floor, p, scale = 1 - k->margin;
  int more;
  size_t c;
  long o;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  for (c = 0; c < cells->n; c++) {
    if (strcmp(cb_cell_key(cells, c, "workload"), k->side) != 0 || cells->cell[c].n_ok == 0 ||
        cb_cell_reference(cells, c) || is_gil(cells, c))
      continue;
    cb_contestant(cells, c, name, sizeof(name));
    o = find(cells, c, name, NULL, k->others);
    if (o < 0)
      continue;
    ms = median_of(cells, c, "throughput");
    mo = median_of(cells, (size_t)o, "throughput");
    p = scaled_p(cells, c, (size_t)o, "throughput", scale, &floor, &more);
    per_update(cells, c, hs, sizeof(hs));
    per_update(cells, (size_t)o, ho, sizeof(ho));
    judge_add(j, p, floor, more, "%s, c=%s: %s %s, %s %s (%s %+.0f%%)", name,
              cb_cell_key(cells, c, "concurrency"), k->side, hs, k->others, ho, k->side,
              ms > 0 ? 100 * (mo / ms - 1) : 0);
  }
}

/* Every update costs more at c >= 2 than at c = 1 (without the GIL, which
 * would serialise the workers and hide the contention). */
static void eval_contention(const cb_cells_t *cells, const claim_t *k, double alpha,
                            const char *payload, judge_t *j, cb_finding_t *f)
{
  char name[64], h1[48], hc[48];
  double m1, mc, floor, p;
  size_t c;
  long one;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  for (c = 0; c < cells->n; c++) {
    const char *wl = cb_cell_key(cells, c, "workload");
    if (fnmatch(k->workloads, wl, 0) != 0 || is_gil(cells, c) || cells->cell[c].n_ok == 0 ||
        conc(cells, c) < 2 || cb_cell_reference(cells, c))
      continue;
    cb_contestant(cells, c, name, sizeof(name));
    one = find(cells, c, name, "1", NULL);
    if (one < 0)
      continue;
    m1 = median_of(cells, (size_t)one, "throughput");
    mc = median_of(cells, c, "throughput");
    p = cb_cells_p(cells, (size_t)one, c, "throughput", &floor);
    per_update(cells, (size_t)one, h1, sizeof(h1));
    per_update(cells, c, hc, sizeof(hc));
    judge_add(j, p, floor, m1 > mc, "%s, %s: %s at c=1, %s at c=%s (x%.2f)", wl, name, h1, hc,
              cb_cell_key(cells, c, "concurrency"), mc > 0 ? m1 / mc : 0);
  }
}

/* ---- how many workers ------------------------------------------------------ */

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
    if (cells->cell[d].n_ok > 0 && cb_same_series(cells, c, d) && conc(cells, d) > r->at_c) {
      r->at_c = conc(cells, d);
      r->startup_s = median_of(cells, d, "startup_s");
    }
  }
  return 0;
}

/* "Threads let you run more workers than processes": how many each model
 * could hold on this machine, by the limits the run checked (processes,
 * threads, file descriptors, ports) and by memory (per-worker slope of the
 * workload's memory against the machine's). */
static void eval_reach(const cb_cells_t *cells, const claim_t *k, double alpha,
                       const char *payload, judge_t *j, cb_finding_t *f)
{
  reach_t r[16], *side = NULL;
  char name[64], hs[32], ho[32], st[32];
  size_t c, d, n = 0;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  for (c = 0; c < cells->n && n < CB_ARRAY_SIZE(r); c++) {
    if (fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0 ||
        cells->cell[c].n_ok == 0 || cb_cell_reference(cells, c) || is_gil(cells, c))
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
    human(r[d].reach, hs, sizeof(hs));
    duration(r[d].startup_s, st, sizeof(st));
    add(f, "- %s: about %s workers, bound by %s (%.1f KiB each; %lu started in %s)\n",
        r[d].model, hs, r[d].binding, r[d].slope_kb, r[d].at_c, st);
    if (strcmp(r[d].model, k->side) == 0)
      side = &r[d];
  }
  for (d = 0; side != NULL && d < n; d++) {
    if (strstr(k->others, r[d].model) == NULL)
      continue;
    human(side->reach, hs, sizeof(hs));
    human(r[d].reach, ho, sizeof(ho));
    judge_add(j, OUTCOME, 0, side->reach > r[d].reach, "%s %s against %s %s", side->model, hs,
              r[d].model, ho);
  }
  if (n > 0)
    add(f, "\n");
}

/* ---- task granularity ------------------------------------------------------ */

/* The serial task time of the cell's size: 1 / serial throughput, else c /
 * throughput of the cell itself. */
static double task_time(const cb_cells_t *cells, size_t c)
{
  long s = find(cells, c, "serial", "1", NULL);
  double tp = s >= 0 ? median_of(cells, (size_t)s, "throughput") : 0;

  if (tp > 0)
    return 1 / tp;
  tp = median_of(cells, c, "throughput");
  return tp > 0 ? (double)conc(cells, c) / tp : 0;
}

typedef struct step_s {
  double t, ratio; /* serial task time; median throughput ratio to threads */
  int kind;        /* 1 within the bound, -1 below it, 0 not significant */
} step_t;

static int by_time(const void *a, const void *b)
{
  double x = ((const step_t *)a)->t, y = ((const step_t *)b)->t;

  return (x > y) - (x < y);
}

/* Where a variant's steps cross the bound: after the last significantly
 * below it, at the first significantly within it; log-interpolated. */
static void crossover(step_t *s, size_t n, double bound, const char *who, judge_t *j)
{
  char lo[32], hi[32], at[32];
  size_t i, below = n, within = n;
  double t;
  size_t used = strlen(j->note);

  qsort(s, n, sizeof(*s), by_time);
  for (i = 0; i < n; i++) {
    if (s[i].kind < 0)
      below = i;
  }
  for (i = below == n ? 0 : below + 1; i < n && within == n; i++) {
    if (s[i].kind > 0)
      within = i;
  }
  if (n == 0 || used >= sizeof(j->note))
    return;
  if (below == n && within < n) {
    duration(s[0].t, lo, sizeof(lo));
    snprintf(j->note + used, sizeof(j->note) - used, "%s is within %.0f%% of threads at every "
             "task time measured (from %s). ", who, 100 * (1 - bound), lo);
  } else if (within == n) {
    duration(s[n - 1].t, hi, sizeof(hi));
    snprintf(j->note + used, sizeof(j->note) - used, "%s is not shown within %.0f%% of threads "
             "up to %s per task. ", who, 100 * (1 - bound), hi);
  } else {
    /* the median ratio meets the bound between steps below and within */
    t = s[within].t;
    if (s[below].ratio < bound && s[within].ratio > s[below].ratio)
      t = exp(log(s[below].t) + (log(s[within].t) - log(s[below].t)) *
                                    (bound - s[below].ratio) / (s[within].ratio - s[below].ratio));
    duration(t, at, sizeof(at));
    duration(s[below].t, lo, sizeof(lo));
    duration(s[within].t, hi, sizeof(hi));
    snprintf(j->note + used, sizeof(j->note) - used, "%s comes within %.0f%% of threads from "
             "about %s per task (between %s, x%.2f, and %s, x%.2f). ", who,
             100 * (1 - bound), at, lo, s[below].ratio, hi, s[within].ratio);
  }
}

/* How long a task must be before a process pool costs no more than threads
 * (within 5%), per variant (dispatch mode), at c = PUs without the GIL. */
static void eval_granularity(const cb_cells_t *cells, const claim_t *k, double alpha,
                             const char *payload, judge_t *j, cb_finding_t *f)
{
  const double bound = 1 - k->margin;
  char who[16][64], name[64], tt[32];
  step_t (*steps)[32] = calloc(16, sizeof(*steps)); /* 12 KiB: not on the stack */
  size_t nsteps[16] = { 0 }, nwho = 0, c, w;
  double floor, p, tp, tt_s;
  int more;
  long t;

  CB_UNUSED(alpha);
  CB_UNUSED(payload);
  CB_UNUSED(f);
  if (steps == NULL) {
    j->failed = 1;
    return;
  }
  for (c = 0; c < cells->n; c++) {
    if (fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0 ||
        cells->cell[c].n_ok == 0 || is_gil(cells, c) ||
        strcmp(cb_cell_key(cells, c, "concurrency"), cb_cell_key(cells, c, "pus")) != 0)
      continue;
    cb_contestant(cells, c, name, sizeof(name));
    if (strncmp(name, k->side, strlen(k->side)) != 0)
      continue;
    t = find(cells, c, k->others, NULL, NULL);
    if (t < 0)
      continue;
    for (w = 0; w < nwho && strcmp(who[w], name) != 0; w++)
      ;
    if (w == nwho) {
      if (nwho == CB_ARRAY_SIZE(who))
        continue;
      snprintf(who[nwho++], sizeof(who[w]), "%s", name);
    }
    p = scaled_p(cells, c, (size_t)t, "throughput", bound, &floor, &more);
    tp = median_of(cells, (size_t)t, "throughput");
    tt_s = task_time(cells, c);
    duration(tt_s, tt, sizeof(tt));
    judge_add(j, p, floor, more, "%s, %s per task (size %s), c=%s: %s at x%.2f of threads",
              cb_cell_key(cells, c, "workload"), tt, cb_cell_key(cells, c, "size"),
              cb_cell_key(cells, c, "concurrency"), name,
              tp > 0 ? median_of(cells, c, "throughput") / tp : 0);
    if (nsteps[w] < CB_ARRAY_SIZE(steps[w]))
      steps[w][nsteps[w]++] = (step_t){ tt_s, tp > 0 ? median_of(cells, c, "throughput") / tp
                                                     : 0,
                                        0 };
    /* significance is decided after Holm; remember the raw direction now,
     * the kind is filled from the judged comparison below */
    steps[w][nsteps[w] - 1].kind = (int)j->n; /* index of its comparison, +1 */
  }
  /* Holm over the claim, then each step's kind from its comparison. */
  if (j->n > 0) {
    double *adj = malloc(j->n * sizeof(*adj));
    size_t i;

    if (adj == NULL) {
      j->failed = 1;
      free(steps);
      return;
    }
    for (i = 0; i < j->n; i++)
      adj[i] = j->v[i].p;
    cb_holm(adj, j->n);
    for (w = 0; w < nwho; w++) {
      for (i = 0; i < nsteps[w]; i++) {
        size_t ci = (size_t)steps[w][i].kind - 1;
        steps[w][i].kind = adj[ci] < alpha && j->v[ci].floor < alpha
                               ? (j->v[ci].as_claimed ? 1 : -1)
                               : 0;
      }
      crossover(steps[w], nsteps[w], bound, who[w], j);
    }
    free(adj);
  }
  free(steps);
}

/* ---- mixed work: where the winner changes along the CPU share -------------- */

enum { MIX_SERIES = 16, MIX_STEPS = 32 };

typedef struct mix_step_s {
  double share, ratio; /* CPU share (%); median throughput, side / other */
  size_t cmp;          /* its comparison in the judge, then its kind */
  int kind;            /* 1 side significantly ahead, -1 behind, 0 neither */
} mix_step_t;

typedef struct mix_series_s {
  size_t first;        /* a side cell of the series: workload, c, setting */
  size_t n;
  mix_step_t step[MIX_STEPS];
} mix_series_t;

static int by_share(const void *a, const void *b)
{
  double x = ((const mix_step_t *)a)->share, y = ((const mix_step_t *)b)->share;

  return (x > y) - (x < y);
}

/* The series of side cell c: same workload, concurrency and setting. */
static size_t mix_series_of(const cb_cells_t *cells, mix_series_t *s, size_t *ns, size_t c)
{
  static const char *const same[] = { "host", "workload", "concurrency", "payload", "pin",
                                      "switch_interval_us" };
  size_t i, k;

  for (i = 0; i < *ns; i++) {
    for (k = 0; k < CB_ARRAY_SIZE(same) && key_eq(cells, s[i].first, c, same[k]); k++)
      ;
    if (k == CB_ARRAY_SIZE(same))
      return i;
  }
  if (*ns < MIX_SERIES) {
    s[*ns].first = c;
    s[*ns].n = 0;
    (*ns)++;
  }
  return *ns - 1 < i ? *ns - 1 : i;
}

/* Where the ratio's line crosses 1 between steps a and b (the first pair of
 * neighbours whose ratios lie on either side of it), linear in the share;
 * -1 when none does. */
static double ratio_meets_one(const mix_step_t *st, size_t a, size_t b)
{
  size_t i;

  for (i = a; i < b; i++) {
    double r1 = st[i].ratio - 1, r2 = st[i + 1].ratio - 1;
    if (r1 != 0 && (r1 > 0) != (r2 > 0))
      return st[i].share + (st[i + 1].share - st[i].share) * r1 / (r1 - r2);
  }
  return -1;
}

/* "1%" or "1-25%": the shares of steps a..b. */
static void share_span(const mix_step_t *st, size_t a, size_t b, char *buf, size_t len)
{
  if (a == b)
    snprintf(buf, len, "%g%%", st[a].share);
  else
    snprintf(buf, len, "%g-%g%%", st[a].share, st[b].share);
}

/* One series' sentence: who is ahead at which shares, from the lowest
 * share to the highest ("threads+gil ahead at 0%, tied at 1-25%, ..."),
 * then each change of winner as the interval between the last share where
 * one model is significantly ahead and the next where the other is (its
 * uncertainty), with the share at which the median ratio crosses 1 inside
 * it. */
static void mix_sentence(const mix_series_t *s, const cb_cells_t *cells, const char *side,
                         const char *other, char *buf, size_t len)
{
  const mix_step_t *st = s->step;
  size_t i, j, last = s->n, used, changes = 0;
  char span[32];
  double at;

  used = (size_t)snprintf(buf, len, "%s, c=%s: ", cb_cell_key(cells, s->first, "workload"),
                          cb_cell_key(cells, s->first, "concurrency"));
  for (i = 0; i < s->n && used < len; i = j) {
    for (j = i + 1; j < s->n && st[j].kind == st[i].kind; j++)
      ;
    share_span(st, i, j - 1, span, sizeof(span));
    used += (size_t)snprintf(buf + used, len - used, "%s%s%s at %s", i > 0 ? ", " : "",
                             st[i].kind > 0 ? side : st[i].kind < 0 ? other : "tied",
                             st[i].kind != 0 ? " ahead" : "", span);
  }
  if (used < len)
    used += (size_t)snprintf(buf + used, len - used, " CPU");
  for (i = 0; i < s->n && used < len; i++) {
    if (st[i].kind == 0)
      continue;
    if (last < s->n && st[last].kind != st[i].kind) {
      used += (size_t)snprintf(buf + used, len - used, "%s the winner changes between %g%% "
                               "and %g%%", changes ? ", and again" : ":", st[last].share,
                               st[i].share);
      at = ratio_meets_one(st, last, i);
      if (at >= 0 && used < len)
        used += (size_t)snprintf(buf + used, len - used, " (the medians meet at about %.2g%%)",
                                 at);
      changes++;
    }
    last = i;
  }
  if (used < len)
    snprintf(buf + used, len - used, "%s. ", changes > 0 ? "" : ": no change of winner");
}

/* Mixed work (mix.*, whose size is the CPU share): the side against the
 * other at every share, per series (workload, concurrency, setting); after
 * Holm over the claim, each series says where the winner changes. */
static void eval_crossover(const cb_cells_t *cells, const claim_t *k, double alpha,
                           const char *payload, judge_t *j, cb_finding_t *f)
{
  mix_series_t *s = calloc(MIX_SERIES, sizeof(*s));
  char name[64], side[80], other[80], hs[32], ho[32], line[400];
  size_t c, ns = 0, i, q, used;
  double ms, mo, pv, floor, *adj = NULL;
  long o;

  CB_UNUSED(payload);
  CB_UNUSED(f);
  if (s == NULL) {
    j->failed = 1;
    return;
  }
  scoped(k->side, k->gil, side, sizeof(side));
  scoped(k->others, k->gil, other, sizeof(other));
  for (c = 0; c < cells->n; c++) {
    cb_contestant(cells, c, name, sizeof(name));
    if (strcmp(name, side) != 0 || cells->cell[c].n_ok == 0 || is_gil(cells, c) != k->gil ||
        fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0)
      continue;
    o = find(cells, c, other, NULL, NULL);
    if (o < 0)
      continue;
    i = mix_series_of(cells, s, &ns, c);
    if (s[i].n == MIX_STEPS)
      continue;
    ms = median_of(cells, c, "throughput");
    mo = median_of(cells, (size_t)o, "throughput");
    pv = cb_cells_p(cells, c, (size_t)o, "throughput", &floor);
    human(ms, hs, sizeof(hs));
    human(mo, ho, sizeof(ho));
    s[i].step[s[i].n++] = (mix_step_t){ strtod(cb_cell_key(cells, c, "size"), NULL),
                                        mo > 0 ? ms / mo : 0, j->n, 0 };
    judge_add(j, pv, floor, ms > mo, "%s, c=%s, %s%% CPU: %s %s tasks/s vs %s %s (%+.0f%%)",
              cb_cell_key(cells, c, "workload"), cb_cell_key(cells, c, "concurrency"),
              cb_cell_key(cells, c, "size"), side, hs, other, ho,
              mo != 0 ? 100 * (ms / mo - 1) : 0);
  }
  if (j->n > 0 && (adj = malloc(j->n * sizeof(*adj))) == NULL)
    j->failed = 1;
  for (i = 0; adj != NULL && i < j->n; i++)
    adj[i] = j->v[i].p;
  if (adj != NULL)
    cb_holm(adj, j->n);
  used = strlen(j->note);
  for (i = 0; adj != NULL && i < ns; i++) {
    for (q = 0; q < s[i].n; q++) {
      const cmp_t *cm = &j->v[s[i].step[q].cmp];
      s[i].step[q].kind = adj[s[i].step[q].cmp] < alpha && cm->floor < alpha
                              ? (cm->as_claimed ? 1 : -1) : 0;
    }
    qsort(s[i].step, s[i].n, sizeof(s[i].step[0]), by_share);
    mix_sentence(&s[i], cells, side, other, line, sizeof(line));
    if (used < sizeof(j->note))
      used += (size_t)snprintf(j->note + used, sizeof(j->note) - used, "%s", line);
  }
  free(adj);
  free(s);
}

/* ---- the table ------------------------------------------------------------- */

#define DUEL(text_, wls, side_, others_, c, chart_, gil_)                                   \
  { .text = text_, .eval = eval_duels, .workloads = wls, .side = side_, .others = others_,     \
    .metric = "throughput", .higher_better = 1, .min_c = c, .chart = chart_, .gil = gil_ }

/* Mixed work, judged along the CPU share (eval_crossover), per workload
 * (Holm over one workload's shares and concurrencies: 16 comparisons in the
 * standard profile, which its 6 trials a cell can make significant), under a
 * GIL and in plain C. */
#define MIXED_ONE(wl, text_, side_, others_, gil_, scope)                                      \
  { .text = "Mixed work (" wl "): " text_ " (" scope ").", .eval = eval_crossover,              \
    .workloads = wl, .side = side_, .others = others_, .chart = "share-" wl "-c64", .gil = gil_ }
#define MIXED(wl, text_, side_, others_)                                                      \
  MIXED_ONE(wl, text_, side_, others_, 1, "under a GIL"),                                       \
  MIXED_ONE(wl, text_, side_, others_, 0, "in plain C")

static const claim_t claims[] = {
  DUEL("CPU-bound work: processes beat threads (under a GIL).", "cpu.*", "processes",
       "threads", 2, "scaling-cpu.hash", 1),
  DUEL("CPU-bound work: processes beat threads (in plain C).", "cpu.*", "processes", "threads",
       2, "scaling-cpu.hash", 0),
  { .text = "Processes cost no more than threads for CPU work, whatever the task size (within "
            "5%).",
    .eval = eval_granularity, .workloads = "cpu.hash", .side = "processes", .others = "threads",
    .margin = 0.05, .chart = "granularity" },
  DUEL("I/O-bound work: threads beat processes (under a GIL).", "io.*", "threads",
       "processes", 2, "scaling-io.sleep", 1),
  DUEL("I/O-bound work: threads beat processes (in plain C).", "io.*", "threads", "processes",
       2, "scaling-io.tcp", 0),
  DUEL("An event loop handles many concurrent waits better than threads (under a GIL).",
       "io.[st]*", "eventloop", "threads", 64, "scaling-io.sleep", 1),
  DUEL("An event loop handles many concurrent waits better than threads (in plain C).",
       "io.[st]*", "eventloop", "threads", 64, "scaling-io.sleep", 0),
  DUEL("Threads are cheaper to start than processes.", "life.spawn", "threads", "processes", 1,
       "scaling-life.spawn", 0),
  { .text = "Threads use less memory per worker than processes.", .eval = eval_slopes,
    .workloads = "life.idle", .side = "threads", .others = "processes", .metric = "maxrss_kb",
    .chart = "memory" },
  { .text = "Threads let you run more workers than processes.", .eval = eval_reach,
    .workloads = "life.idle", .side = "threads", .others = "processes", .chart = "memory" },
  DUEL("Communication-heavy work: threads hand work to each other faster than processes.",
       "comm.pingpong", "threads", "processes", 1, "scaling-comm.pingpong", 0),
  { .text = "Moving data between processes costs more than between threads",
    .eval = eval_duels, .workloads = "comm.payload", .side = "threads",
    .others = "processes,processes/shm", .metric = "throughput", .higher_better = 1,
    .min_c = 1, .chart = "payload", .per_payload = 1 },
  { .text = "A crash takes down a thread pool but not a process pool.", .eval = eval_crash,
    .workloads = "fault.crash", .side = "processes" },
  { .text = "An error takes down only the worker it occurs in.", .eval = eval_contained,
    .workloads = "fault.*" },
  { .text = "Under a GIL, threads do not speed up CPU-bound work but still overlap waits; "
            "processes do both.",
    .eval = eval_gil, .workloads = "*", .chart = "scaling-cpu.hash", .gil = 1 },
  { .text = "A recursive lock costs no more per update than a plain one (within 5%).",
    .eval = eval_cheaper, .side = "sync.rmutex", .others = "sync.mutex", .margin = 0.05,
    .chart = "scaling-sync.rmutex" },
  { .text = "An atomic update is cheaper than one under a lock.", .eval = eval_cheaper,
    .side = "sync.atomic", .others = "sync.mutex", .chart = "scaling-sync.atomic" },
  { .text = "Contention makes every synchronised update dearer (c=2 against c=1).",
    .eval = eval_contention, .workloads = "sync.[mrsa]*", .chart = "scaling-sync.mutex" },
  MIXED("mix.sleep", "an event loop beats threads while requests mostly wait", "eventloop",
        "threads"),
  MIXED("mix.sleep", "threads beat processes while requests mostly wait", "threads",
        "processes"),
  MIXED("mix.tcp", "an event loop beats threads while requests mostly wait", "eventloop",
        "threads"),
  MIXED("mix.tcp", "threads beat processes while requests mostly wait", "threads", "processes"),
};

/* Payload sizes of the claim's side cells, ascending, each once. */
static size_t payloads_of(const cb_cells_t *cells, const claim_t *k, const char **out,
                          size_t max)
{
  size_t c, i, n = 0;
  const char *p, *tmp;

  for (c = 0; c < cells->n; c++) {
    if (fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0)
      continue;
    p = cb_cell_key(cells, c, "payload");
    for (i = 0; i < n && strcmp(out[i], p) != 0; i++)
      ;
    if (i < n || n == max)
      continue;
    out[n++] = p;
    for (i = n - 1; i > 0 && strtod(out[i], NULL) < strtod(out[i - 1], NULL); i--) {
      tmp = out[i];
      out[i] = out[i - 1];
      out[i - 1] = tmp;
    }
  }
  return n;
}

static void bytes_text(const char *bytes, char *buf, size_t len)
{
  double b = strtod(bytes, NULL);

  if (b >= 1 << 20)
    snprintf(buf, len, "%g MiB", b / (1 << 20));
  else if (b >= 1 << 10)
    snprintf(buf, len, "%g KiB", b / (1 << 10));
  else
    snprintf(buf, len, "%g B", b);
}

static void judge_one(const cb_cells_t *cells, const claim_t *k, double alpha,
                      const char *payload, cb_finding_t *f)
{
  judge_t j = { 0 };
  char scope[32];

  memset(f, 0, sizeof(*f));
  if (payload != NULL) {
    bytes_text(payload, scope, sizeof(scope));
    snprintf(f->claim, sizeof(f->claim), "%s (payload %s).", k->text, scope);
  } else {
    snprintf(f->claim, sizeof(f->claim), "%s%s", k->text,
             k->text[strlen(k->text) - 1] == '.' ? "" : ".");
  }
  f->chart = k->chart;
  k->eval(cells, k, alpha, payload, &j, f);
  judge_finish(&j, alpha, f);
}

int cb_findings(const cb_cells_t *cells, double alpha, cb_finding_t **out, size_t *n)
{
  const char *payload[32];
  cb_finding_t *f = NULL, *grown;
  size_t i, m = 0, cap = 0, np, q;

  for (i = 0; i < CB_ARRAY_SIZE(claims); i++) {
    np = claims[i].per_payload ? payloads_of(cells, &claims[i], payload, 32) : 0;
    for (q = 0; q < (np > 0 ? np : 1); q++) {
      if (m == cap) {
        cap = cap ? 2 * cap : 32;
        grown = realloc(f, cap * sizeof(*f));
        if (grown == NULL) {
          free(f);
          return -ENOMEM;
        }
        f = grown;
      }
      judge_one(cells, &claims[i], alpha, np > 0 ? payload[q] : NULL, &f[m++]);
    }
  }
  *out = f;
  *n = m;
  return 0;
}

/* ---- per host -------------------------------------------------------------- */

void cb_host_findings_free(cb_host_findings_t *h)
{
  free(h->host);
  free(h->claim);
  free(h->chart);
  free(h->f);
  free(h->across);
  free(h->where);
  memset(h, 0, sizeof(*h));
}

/* The row of a claim text, added at the end when new; -1 when full. */
static long claim_row(cb_host_findings_t *h, size_t cap, const cb_finding_t *f)
{
  size_t i;

  for (i = 0; i < h->nclaims; i++) {
    if (strcmp(h->claim[i], f->claim) == 0)
      return (long)i;
  }
  if (h->nclaims == cap)
    return -1;
  snprintf(h->claim[h->nclaims], sizeof(h->claim[0]), "%s", f->claim);
  h->chart[h->nclaims] = f->chart;
  return (long)h->nclaims++;
}

/* The hosts' common verdict, or "depends on the machine" and which hosts
 * say what. Hosts that did not measure the claim have no say. */
static void across_hosts(cb_host_findings_t *h, size_t k)
{
  static const cb_verdict_t order[] = { CB_V_HOLDS, CB_V_NOT, CB_V_DEPENDS, CB_V_NOT_SHOWN };
  size_t i, o, used = 0, kinds = 0;
  char *w = h->where[k];
  int first;

  h->across[k] = CB_V_UNTESTED;
  w[0] = '\0';
  for (o = 0; o < CB_ARRAY_SIZE(order); o++) {
    for (i = 0, first = 1; i < h->nhosts; i++) {
      if (h->f[k * h->nhosts + i].verdict != order[o] || used >= sizeof(h->where[0]))
        continue;
      if (first) {
        kinds++;
        h->across[k] = order[o];
        used += (size_t)snprintf(w + used, sizeof(h->where[0]) - used, "%s%s on ",
                                 used ? "; " : "", verdict_names[order[o]]);
      }
      if (used < sizeof(h->where[0]))
        used += (size_t)snprintf(w + used, sizeof(h->where[0]) - used, "%s%s",
                                 first ? "" : ", ", h->host[i]);
      first = 0;
    }
  }
  if (kinds > 1)
    h->across[k] = CB_V_MACHINE;
}

static int judge_hosts(const cb_cells_t *cells, const cb_fleet_t *fl, double alpha,
                       cb_host_findings_t *h, size_t cap)
{
  cb_finding_t *f = NULL;
  cb_cells_t sub;
  size_t i, k, n;
  long row;
  int rc = 0;

  for (i = 0; i < fl->n && rc == 0; i++) {
    rc = cb_fleet_subset(cells, fl->host[i].id, &sub);
    if (rc == 0)
      rc = cb_findings(&sub, alpha, &f, &n);
    for (k = 0; rc == 0 && k < n; k++) {
      row = claim_row(h, cap, &f[k]);
      if (row >= 0)
        h->f[(size_t)row * h->nhosts + i] = f[k];
    }
    free(f);
    f = NULL;
    cb_fleet_subset_free(&sub);
  }
  return rc;
}

int cb_findings_per_host(const cb_cells_t *cells, double alpha, cb_host_findings_t *out)
{
  cb_fleet_t fl;
  size_t i, k, cap;
  int rc;

  memset(out, 0, sizeof(*out));
  if ((rc = cb_fleet_hosts(cells, &fl)) != 0)
    return rc;
  /* every claim once, and each payload size of the per-payload ones */
  cap = 2 * CB_ARRAY_SIZE(claims) + 32;
  out->nhosts = fl.n;
  out->host = calloc(fl.n + 1, sizeof(*out->host));
  out->claim = calloc(cap, sizeof(*out->claim));
  out->chart = calloc(cap, sizeof(*out->chart));
  out->f = calloc(cap * (fl.n + 1), sizeof(*out->f));
  out->across = calloc(cap, sizeof(*out->across));
  out->where = calloc(cap, sizeof(*out->where));
  if (out->host == NULL || out->claim == NULL || out->chart == NULL || out->f == NULL ||
      out->across == NULL || out->where == NULL) {
    rc = -ENOMEM;
    goto out;
  }
  for (i = 0; i < fl.n; i++)
    snprintf(out->host[i], sizeof(out->host[0]), "%s", fl.host[i].label);
  for (k = 0; k < cap * fl.n; k++) {
    out->f[k].verdict = CB_V_UNTESTED;
    snprintf(out->f[k].evidence, sizeof(out->f[k].evidence), "This host holds no cell for it.\n");
  }
  rc = judge_hosts(cells, &fl, alpha, out, cap);
  for (k = 0; rc == 0 && k < out->nclaims; k++)
    across_hosts(out, k);
out:
  cb_fleet_free(&fl);
  if (rc != 0)
    cb_host_findings_free(out);
  return rc;
}
