/* The report and its findings; see report.h. A claim is a duel between two
 * contestants (e.g. processes against threads) on one metric over a set of
 * workloads; every cell where both ran is one duel, decided by a
 * Mann-Whitney test at alpha. The claim holds when its side wins every duel,
 * does not hold when it wins none, and depends otherwise — and then the
 * evidence says where it held and where not. Claims about one contestant
 * (how it scales under a GIL; what one primitive costs against another in the
 * same setting) compare its cells with each other in the same way. */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "report.h"

typedef struct claim_s {
  const char *text;
  const char *workloads;   /* fnmatch pattern */
  const char *side;        /* the contestant the claim favours */
  const char *others;      /* its opponents, comma separated */
  const char *metric;
  int higher_better;
  unsigned min_c;          /* duels only at concurrency >= min_c */
  const char *chart;
  int slope;               /* compare the metric's slope over concurrency (per worker) */
} claim_t;

static const claim_t claims[] = {
  { "CPU-bound work: processes beat threads.", "cpu.*", "processes", "threads", "throughput",
    1, 2, "scaling-cpu.hash", 0 },
  { "I/O-bound work: threads beat processes.", "io.*", "threads", "processes", "throughput", 1,
    2, "scaling-io.tcp", 0 },
  { "An event loop handles many concurrent waits better than threads.", "io.[st]*",
    "eventloop", "threads", "throughput", 1, 64, "scaling-io.sleep", 0 },
  { "Threads are cheaper to start than processes.", "life.spawn", "threads", "processes",
    "throughput", 1, 1, "scaling-life.spawn", 0 },
  { "Threads use less memory per worker than processes.", "life.idle", "threads", "processes",
    "maxrss_kb", 0, 1, "memory", 1 },
  { "Moving data between processes costs more than between threads.", "comm.payload",
    "threads", "processes,processes/shm", "throughput", 1, 1, "payload", 0 },
};

static const char *const verdict_names[] = {
  [CB_V_HOLDS] = "holds",
  [CB_V_NOT] = "does not hold",
  [CB_V_DEPENDS] = "depends",
  [CB_V_UNTESTED] = "not measured",
  [CB_V_UNDECIDED] = "undecided: too few trials",
};

const char *cb_verdict_name(cb_verdict_t v)
{
  return (size_t)v < CB_ARRAY_SIZE(verdict_names) ? verdict_names[v] : "?";
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

/* The cell of contestant `who` in the same group as cell `c`, or -1. */
static long partner(const cb_cells_t *cells, size_t c, const char *who)
{
  static const char *const same[] = { "host", "workload", "concurrency", "size", "payload",
                                      "pin" };
  char name[64];
  size_t d, i;

  for (d = 0; d < cells->n; d++) {
    cb_contestant(cells, d, name, sizeof(name));
    if (strcmp(name, who) != 0)
      continue;
    for (i = 0; i < CB_ARRAY_SIZE(same); i++) {
      if (strcmp(cb_cell_key(cells, c, same[i]), cb_cell_key(cells, d, same[i])) != 0)
        break;
    }
    if (i == CB_ARRAY_SIZE(same))
      return (long)d;
  }
  return -1;
}

static double metric_median(const cb_cells_t *cells, size_t c, const char *metric)
{
  return strcmp(metric, "throughput") == 0 ? cells->cell[c].m[CB_M_throughput].median
                                           : cells->cell[c].m[CB_M_maxrss_kb].median;
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

/* One duel: the claim's side in cell `s` against cell `o`. */
static void duel(const cb_cells_t *cells, const claim_t *k, size_t s, size_t o, double alpha,
                 cb_finding_t *f, unsigned *lines)
{
  double ms = metric_median(cells, s, k->metric), mo = metric_median(cells, o, k->metric);
  double floor, p = cb_cells_p(cells, s, o, k->metric, &floor);
  double rel = mo != 0 ? ms / mo - 1 : 0;
  int side_better = k->higher_better ? ms > mo : ms < mo;
  const char *unit = strcmp(k->metric, "throughput") == 0 ? "tasks/s" : "KiB";
  const char *outcome;
  char other[64], hs[32], ho[32];

  cb_contestant(cells, o, other, sizeof(other));
  human(ms, hs, sizeof(hs));
  human(mo, ho, sizeof(ho));
  if (floor >= alpha) {
    f->weak++;
    outcome = "too few trials to tell";
  } else if (p >= alpha) {
    f->ties++;
    outcome = "no significant difference";
  } else if (side_better) {
    f->wins++;
    outcome = "as claimed";
  } else {
    f->losses++;
    outcome = "against the claim";
  }
  if ((*lines)++ < 8)
    add(f, "- %s, c=%s%s%s: %s %s %s vs %s %s (%+.0f%%, p=%.2g): %s\n",
        cb_cell_key(cells, s, "workload"), cb_cell_key(cells, s, "concurrency"),
        strcmp(cb_cell_key(cells, s, "payload"), "0") ? ", payload " : "",
        strcmp(cb_cell_key(cells, s, "payload"), "0") ? cb_cell_key(cells, s, "payload") : "",
        k->side, hs, unit, other, ho, 100 * rel, p, outcome);
}

/* A slope duel: per-worker cost (the slope of the metric over concurrency)
 * of the side's series through cell `s` against the other's through `o`,
 * decided by the bootstrap interval of their difference. */
static void slope_duel(const cb_cells_t *cells, const claim_t *k, size_t s, size_t o,
                       double alpha, cb_finding_t *f, unsigned *lines)
{
  cb_group_t *a = NULL, *b = NULL;
  size_t ka = 0, kb = 0;
  double sa, sb, d = 0, lo = 0, hi = 0;
  const char *outcome;
  char other[64];
  int better;

  cb_contestant(cells, o, other, sizeof(other));
  if (cb_series_groups(cells, s, k->metric, &a, &ka) != 0 ||
      cb_series_groups(cells, o, k->metric, &b, &kb) != 0)
    goto out;
  sa = cb_slope(a, ka);
  sb = cb_slope(b, kb);
  if (ka < 2 || kb < 2) {
    f->weak++;
    outcome = "one concurrency only: no slope";
  } else {
    d = cb_bootstrap_slope(a, ka, b, kb, 1 - alpha, 2000, 0x5eed, &lo, &hi);
    better = k->higher_better ? hi < 0 : lo > 0;
    if (better) {
      f->wins++;
      outcome = "as claimed";
    } else if (k->higher_better ? lo > 0 : hi < 0) {
      f->losses++;
      outcome = "against the claim";
    } else {
      f->ties++;
      outcome = "no significant difference";
    }
  }
  if ((*lines)++ < 8)
    add(f, "- %s, c=%s..: %s %.1f KiB per worker vs %s %.1f KiB (difference %.1f KiB, "
        "%.0f%% CI [%.1f, %.1f]): %s\n", cb_cell_key(cells, s, "workload"),
        cb_cell_key(cells, s, "concurrency"), k->side, sa, other, sb, d, 100 * (1 - alpha), lo,
        hi, outcome);
out:
  cb_groups_free(a, ka);
  cb_groups_free(b, kb);
}

/* The cell of the lowest concurrency of c's series: one slope duel a series. */
static int first_of_series(const cb_cells_t *cells, size_t c)
{
  size_t d;

  for (d = 0; d < c; d++) {
    if (cells->cell[d].n_ok > 0 && cb_same_series(cells, c, d))
      return 0;
  }
  return 1;
}

static void judge(cb_finding_t *f, unsigned lines)
{
  unsigned n = f->wins + f->losses + f->ties;

  if (lines > 8)
    add(f, "- … and %u more comparisons\n", lines - 8);
  if (n == 0 && f->weak > 0) {
    f->verdict = CB_V_UNDECIDED;
    add(f, "\nWith so few trials per cell no difference can be significant: run with "
           "--reps 5 or more.\n");
    return;
  }
  if (n == 0) {
    f->verdict = CB_V_UNTESTED;
    add(f, "These results hold no cell where both sides ran.\n");
    return;
  }
  f->verdict = f->wins == n ? CB_V_HOLDS : f->wins == 0 ? CB_V_NOT : CB_V_DEPENDS;
  add(f, "\nOver %u comparisons: %u as claimed, %u against, %u without a significant "
         "difference%s.\n", n, f->wins, f->losses, f->ties,
      f->weak > 0 ? " (and some with too few trials to tell)" : "");
}

static void evaluate(const cb_cells_t *cells, const claim_t *k, double alpha, cb_finding_t *f)
{
  unsigned lines = 0;
  char name[64];
  size_t c;
  long o;
  const char *p, *comma;
  char other[64];

  memset(f, 0, sizeof(*f));
  f->claim = k->text;
  f->chart = k->chart;
  for (c = 0; c < cells->n; c++) {
    cb_contestant(cells, c, name, sizeof(name));
    if (strcmp(name, k->side) != 0 || cells->cell[c].n_ok == 0 ||
        fnmatch(k->workloads, cb_cell_key(cells, c, "workload"), 0) != 0 ||
        strtoul(cb_cell_key(cells, c, "concurrency"), NULL, 10) < k->min_c)
      continue;
    for (p = k->others; *p != '\0'; p = *comma ? comma + 1 : comma) {
      comma = strchr(p, ',');
      if (comma == NULL)
        comma = p + strlen(p);
      snprintf(other, sizeof(other), "%.*s", (int)(comma - p), p);
      o = partner(cells, c, other);
      if (o < 0 || cells->cell[o].n_ok == 0)
        continue;
      if (!k->slope)
        duel(cells, k, c, (size_t)o, alpha, f, &lines);
      else if (first_of_series(cells, c))
        slope_duel(cells, k, c, (size_t)o, alpha, f, &lines);
    }
  }
  judge(f, lines);
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

/* The crash claim is about outcomes, not speed. */
static void evaluate_crash(const cb_cells_t *cells, cb_finding_t *f)
{
  char name[64];
  unsigned lines = 0;
  size_t c, crashed;
  int pool;

  memset(f, 0, sizeof(*f));
  f->claim = "A crash takes down a thread pool but not a process pool.";
  f->chart = NULL;
  for (c = 0; c < cells->n; c++) {
    if (strcmp(cb_cell_key(cells, c, "family"), "fault") != 0)
      continue;
    cb_contestant(cells, c, name, sizeof(name));
    crashed = count_status(cells, c, "crashed");
    pool = strcmp(name, "processes") == 0 || strncmp(name, "processes/", 10) == 0;
    if (strcmp(name, "serial") == 0)
      continue;
    /* As claimed: processes survive every trial, the others go down in every trial. */
    if (pool ? cells->cell[c].n_ok == cells->cell[c].nrows : crashed == cells->cell[c].nrows)
      f->wins++;
    else
      f->losses++;
    if (lines++ < 8)
      add(f, "- %s, %s, c=%s: %zu of %zu trials completed (%zu crashed)\n",
          cb_cell_key(cells, c, "workload"), name, cb_cell_key(cells, c, "concurrency"),
          cells->cell[c].n_ok, cells->cell[c].nrows, crashed);
  }
  judge(f, lines);
}

/* ---- claims within one contestant: GIL scaling and synchronisation ------- */

/* The cell in the same setting as cell `c` (equal host, size, payload, pin,
 * tasks, gil and switch interval) whose workload is `wl` (NULL: c's), whose
 * concurrency is `conc` (NULL: c's) and whose contestant is c's; -1 if none
 * has measured trials. */
static long sibling(const cb_cells_t *cells, size_t c, const char *wl, const char *conc)
{
  static const char *const same[] = { "host", "size", "payload", "pin", "gil",
                                      "switch_interval_us" };
  char mine[64], name[64];
  size_t d, i;

  cb_contestant(cells, c, mine, sizeof(mine));
  for (d = 0; d < cells->n; d++) {
    if (d == c || cells->cell[d].n_ok == 0 ||
        strcmp(cb_cell_key(cells, d, "workload"),
               wl != NULL ? wl : cb_cell_key(cells, c, "workload")) != 0 ||
        strcmp(cb_cell_key(cells, d, "concurrency"),
               conc != NULL ? conc : cb_cell_key(cells, c, "concurrency")) != 0)
      continue;
    cb_contestant(cells, d, name, sizeof(name));
    if (strcmp(name, mine) != 0)
      continue;
    for (i = 0; i < CB_ARRAY_SIZE(same); i++) {
      if (strcmp(cb_cell_key(cells, c, same[i]), cb_cell_key(cells, d, same[i])) != 0)
        break;
    }
    /* tasks may follow c (life.idle); elsewhere they must match */
    if (i == CB_ARRAY_SIZE(same) &&
        (conc != NULL || strcmp(cb_cell_key(cells, c, "tasks"), cb_cell_key(cells, d, "tasks")) == 0))
      return (long)d;
  }
  return -1;
}

/* "21.3 ns/update" from a cell's median throughput, or tasks/s without a size. */
static void per_update(const cb_cells_t *cells, size_t c, char *buf, size_t len)
{
  double tp = metric_median(cells, c, "throughput");
  double size = strtod(cb_cell_key(cells, c, "size"), NULL);
  char h[16];

  if (tp > 0 && size > 0) {
    snprintf(buf, len, "%.3g ns/update", 1e9 / (tp * size));
  } else {
    human(tp, h, sizeof(h));
    snprintf(buf, len, "%s tasks/s", h);
  }
}

/* Count one comparison; `as_claimed` when the numbers go the claim's way. */
static const char *score(cb_finding_t *f, double p, double floor, double alpha, int as_claimed,
                         int needs_significance)
{
  if (floor >= alpha) {
    f->weak++;
    return "too few trials to tell";
  }
  if (as_claimed && (!needs_significance || p < alpha)) {
    f->wins++;
    return "as claimed";
  }
  if (p >= alpha) {
    f->ties++;
    return "no significant difference";
  }
  f->losses++;
  return "against the claim";
}

/* Speedups from c=1 under a GIL that the claim expects: none for threads on
 * CPU work (below 1.25x), at least 1.5x for waits and for processes. */
#define GIL_NO_SPEEDUP 1.25
#define GIL_SPEEDUP 1.5

static void evaluate_gil(const cb_cells_t *cells, double alpha, cb_finding_t *f)
{
  char name[64], h1[32], hc[32];
  unsigned lines = 0;
  size_t c;

  memset(f, 0, sizeof(*f));
  f->claim = "Under a GIL, threads do not speed up CPU-bound work but still overlap waits; "
             "processes do both.";
  f->chart = "scaling-cpu.hash";
  for (c = 0; c < cells->n; c++) {
    const char *wl = cb_cell_key(cells, c, "workload");
    int threads, cpu = fnmatch("cpu.*", wl, 0) == 0, expect_none;
    double s, floor, p;
    long one;

    if (strcmp(cb_cell_key(cells, c, "gil"), "1") != 0 || cells->cell[c].n_ok == 0 ||
        strtoul(cb_cell_key(cells, c, "concurrency"), NULL, 10) < 2 ||
        (!cpu && strcmp(wl, "io.sleep") != 0))
      continue;
    cb_contestant(cells, c, name, sizeof(name));
    threads = strncmp(name, "threads", 7) == 0;
    if (!threads && strncmp(name, "processes", 9) != 0)
      continue;
    one = sibling(cells, c, NULL, "1");
    if (one < 0)
      continue;
    s = metric_median(cells, (size_t)one, "throughput") > 0
            ? metric_median(cells, c, "throughput") / metric_median(cells, (size_t)one, "throughput")
            : 0;
    p = cb_cells_p(cells, c, (size_t)one, "throughput", &floor);
    expect_none = threads && cpu;
    human(metric_median(cells, (size_t)one, "throughput"), h1, sizeof(h1));
    human(metric_median(cells, c, "throughput"), hc, sizeof(hc));
    {
      const char *outcome = expect_none ? score(f, p, floor, alpha, s < GIL_NO_SPEEDUP, 0)
                                        : score(f, p, floor, alpha, s >= GIL_SPEEDUP, 1);
      if (lines++ < 8)
        add(f, "- %s, %s: %s tasks/s at c=1, %s at c=%s (x%.2f, p=%.2g; %s): %s\n", wl, name,
            h1, hc, cb_cell_key(cells, c, "concurrency"), s, p,
            expect_none ? "claimed: no speedup" : cpu ? "claimed: a speedup" : "claimed: waits overlap",
            outcome);
    }
  }
  judge(f, lines);
}

/* `side` is claimed cheaper per update than `other` in the same setting. */
static void evaluate_cheaper(const cb_cells_t *cells, double alpha, const char *claim,
                             const char *side, const char *other, const char *chart,
                             cb_finding_t *f)
{
  char name[64], hs[48], ho[48];
  unsigned lines = 0;
  size_t c;

  memset(f, 0, sizeof(*f));
  f->claim = claim;
  f->chart = chart;
  for (c = 0; c < cells->n; c++) {
    double ms, mo, floor, p;
    const char *outcome;
    long o;

    if (strcmp(cb_cell_key(cells, c, "workload"), side) != 0 || cells->cell[c].n_ok == 0)
      continue;
    o = sibling(cells, c, other, NULL);
    if (o < 0)
      continue;
    ms = metric_median(cells, c, "throughput");
    mo = metric_median(cells, (size_t)o, "throughput");
    p = cb_cells_p(cells, c, (size_t)o, "throughput", &floor);
    outcome = score(f, p, floor, alpha, ms > mo, 1);
    cb_contestant(cells, c, name, sizeof(name));
    per_update(cells, c, hs, sizeof(hs));
    per_update(cells, (size_t)o, ho, sizeof(ho));
    if (lines++ < 8)
      add(f, "- %s, c=%s: %s %s, %s %s (%s %+.0f%%, p=%.2g): %s\n", name,
          cb_cell_key(cells, c, "concurrency"), side, hs, other, ho, other,
          mo > 0 ? 100 * (ms / mo - 1) : 0, p, outcome);
  }
  judge(f, lines);
}

/* Every update costs more at c >= 2 than at c = 1 (without a GIL, which
 * would serialise the workers and hide the contention). */
static void evaluate_contention(const cb_cells_t *cells, double alpha, cb_finding_t *f)
{
  char name[64], h1[48], hc[48];
  unsigned lines = 0;
  size_t c;

  memset(f, 0, sizeof(*f));
  f->claim = "Contention makes every synchronised update dearer (c=2 against c=1).";
  f->chart = "scaling-sync.mutex";
  for (c = 0; c < cells->n; c++) {
    const char *wl = cb_cell_key(cells, c, "workload");
    double m1, mc, floor, p;
    const char *outcome;
    long one;

    if (fnmatch("sync.*", wl, 0) != 0 || strcmp(wl, "sync.none") == 0 ||
        strcmp(cb_cell_key(cells, c, "gil"), "1") == 0 || cells->cell[c].n_ok == 0 ||
        strtoul(cb_cell_key(cells, c, "concurrency"), NULL, 10) < 2)
      continue;
    one = sibling(cells, c, NULL, "1");
    if (one < 0)
      continue;
    m1 = metric_median(cells, (size_t)one, "throughput");
    mc = metric_median(cells, c, "throughput");
    p = cb_cells_p(cells, (size_t)one, c, "throughput", &floor);
    outcome = score(f, p, floor, alpha, m1 > mc, 1);
    cb_contestant(cells, c, name, sizeof(name));
    per_update(cells, (size_t)one, h1, sizeof(h1));
    per_update(cells, c, hc, sizeof(hc));
    if (lines++ < 8)
      add(f, "- %s, %s: %s at c=1, %s at c=%s (x%.2f, p=%.2g): %s\n", wl, name, h1, hc,
          cb_cell_key(cells, c, "concurrency"), mc > 0 ? m1 / mc : 0, p, outcome);
  }
  judge(f, lines);
}

int cb_findings(const cb_cells_t *cells, double alpha, cb_finding_t **out, size_t *n)
{
  size_t i, m = CB_ARRAY_SIZE(claims) + 5;
  cb_finding_t *f = calloc(m, sizeof(*f));

  if (f == NULL)
    return -ENOMEM;
  for (i = 0; i < CB_ARRAY_SIZE(claims); i++)
    evaluate(cells, &claims[i], alpha, &f[i]);
  evaluate_crash(cells, &f[i++]);
  evaluate_gil(cells, alpha, &f[i++]);
  evaluate_cheaper(cells, alpha, "A recursive lock costs more per update than a plain one.",
                   "sync.mutex", "sync.rmutex", "scaling-sync.rmutex", &f[i++]);
  evaluate_cheaper(cells, alpha, "An atomic update is cheaper than one under a lock.",
                   "sync.atomic", "sync.mutex", "scaling-sync.atomic", &f[i++]);
  evaluate_contention(cells, alpha, &f[i]);
  *out = f;
  *n = m;
  return 0;
}

static void machine(const cb_cells_t *cells, cb_buf_t *b)
{
  const cb_table_t *t = cells->table;
  static const char *const cols[] = { "host", "cpu_model", "pus", "cores", "kernel",
                                      "compiler", "concbench_version", "git_revision" };
  size_t i;
  long c;

  cb_buf_printf(b, "## Machine\n\n| | |\n|---|---|\n");
  for (i = 0; i < CB_ARRAY_SIZE(cols); i++) {
    c = cb_table_col(t, cols[i]);
    if (c >= 0 && t->rows > 1)
      cb_buf_printf(b, "| %s | %s |\n", cols[i], cb_table_get(t, 1, (size_t)c));
  }
  c = cb_table_col(t, "timestamp");
  if (c >= 0 && t->rows > 1)
    cb_buf_printf(b, "| measured | %s to %s |\n", cb_table_get(t, 1, (size_t)c),
                  cb_table_get(t, t->rows - 1, (size_t)c));
  cb_buf_printf(b, "| trials | %zu in %zu cells |\n\n", t->rows - 1, cells->n);
}

static void findings_md(const cb_cells_t *cells, const char *charts, cb_buf_t *b)
{
  cb_finding_t *f;
  size_t n, i;

  if (cb_findings(cells, 0.05, &f, &n) != 0) {
    b->failed = 1;
    return;
  }
  cb_buf_printf(b, "## Findings\n\nEach claim of the folklore against what this machine "
                   "measured. A comparison counts when a Mann-Whitney U test on the trial "
                   "samples gives p < 0.05.\n\n");
  for (i = 0; i < n; i++) {
    cb_buf_printf(b, "### %zu. %s — **%s**\n\n%s", i + 1, f[i].claim,
                  cb_verdict_name(f[i].verdict), f[i].evidence);
    if (f[i].chart != NULL && f[i].verdict != CB_V_UNTESTED)
      cb_buf_printf(b, "\nChart: [%s](%s/%s.svg)\n", f[i].chart, charts, f[i].chart);
    cb_buf_printf(b, "\n");
  }
  free(f);
}

static void winners_md(const cb_cells_t *cells, const char *charts, cb_buf_t *b)
{
  cb_contest_t *k;
  char win[64], up[64];
  const char *wl = "";
  size_t n, i;

  if (cb_contests(cells, 0.05, &k, &n) != 0) {
    b->failed = 1;
    return;
  }
  cb_buf_printf(b, "## Winners\n\nFor every workload and concurrency, the runner with the "
                   "highest median throughput, its margin over the runner-up and the "
                   "Mann-Whitney p-value of the two (a tie when p >= 0.05). Chart: "
                   "[winners](%s/winners.svg)\n", charts);
  for (i = 0; i < n; i++) {
    const char *w = cb_cell_key(cells, k[i].first, "workload");
    if (strcmp(w, wl) != 0) {
      cb_buf_printf(b, "\n### %s\n\n| c | size | payload | winner | runner-up | margin | p | "
                       "verdict |\n|---|---|---|---|---|---|---|---|\n", w);
      wl = w;
    }
    cb_contestant(cells, k[i].winner, win, sizeof(win));
    if (k[i].runner_up >= 0)
      cb_contestant(cells, (size_t)k[i].runner_up, up, sizeof(up));
    else
      snprintf(up, sizeof(up), "—");
    cb_buf_printf(b, "| %s | %s | %s | %s | %s | %+.1f%% | %.2g | %s |\n",
                  cb_cell_key(cells, k[i].first, "concurrency"),
                  cb_cell_key(cells, k[i].first, "size"),
                  cb_cell_key(cells, k[i].first, "payload"), win, up, 100 * k[i].margin, k[i].p,
                  k[i].runner_up < 0 ? "alone" : k[i].tie ? "tie" : "significant");
  }
  cb_buf_printf(b, "\n");
  free(k);
}

int cb_report_md(const cb_cells_t *cells, const char *charts, cb_buf_t *out)
{
  size_t c, flagged = 0;

  cb_buf_printf(out, "# concbench report\n\nWhen do threads, processes or an event loop win? "
                     "Measured on this machine.\n\n");
  machine(cells, out);
  findings_md(cells, charts, out);
  winners_md(cells, charts, out);
  for (c = 0; c < cells->n; c++)
    flagged += cells->cell[c].flags != 0;
  cb_buf_printf(out, "## Stability\n\n%zu of %zu cells carry a stability flag (see the "
                     "`flags` and `hint` columns of the summary CSV).\n", flagged, cells->n);
  return out->failed ? -ENOMEM : 0;
}
