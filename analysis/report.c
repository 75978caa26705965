/* The report in Markdown: the machine, every finding (analysis/findings.c
 * judges them) with the numbers it rests on, the winner of every contest
 * (analysis/analysis.c), and how stable the run was, with the cells whose
 * trials failed. A CSV of several hosts (a merged fleet, analysis/merge.h) gets
 * the fleet report instead: the hosts, the verdicts of each host judged
 * apart with where they differ, the winners map with one column per host,
 * each host's findings, and the winners with their host. Values from the
 * CSV are escaped (md) and chart links percent-encoded, so no host name or
 * --charts directory can change the document; findings interpolate only
 * names and numbers the CSV reader has checked (analysis/validate.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "fleet.h"
#include "report.h"
#include "workload.h"

/* A value from the CSV as Markdown text (cb_md_escape). Up to eight
 * results live at once (static buffers, so that a small stack does). */
static const char *md(const char *s)
{
  static char bufs[8][1200];
  static unsigned next;
  char *out = bufs[next++ % CB_ARRAY_SIZE(bufs)];

  cb_md_escape(out, sizeof(bufs[0]), s);
  return out;
}

/* A path as a link destination: every byte but letters, digits and
 * "-._~/" percent-encoded, so spaces, parentheses, brackets and line breaks
 * cannot end the link. */
static void link_path(cb_buf_t *b, const char *s)
{
  for (; *s != '\0'; s++) {
    unsigned char ch = (unsigned char)*s;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        strchr("-._~/", ch) != NULL)
      cb_buf_put(b, s, 1);
    else
      cb_buf_printf(b, "%%%02X", ch);
  }
}

/* "[text](charts/stem.svg)" */
static void chart_link(cb_buf_t *b, const char *text, const char *charts, const char *stem)
{
  cb_buf_printf(b, "[%s](", md(text));
  link_path(b, charts);
  cb_buf_put(b, "/", 1);
  link_path(b, stem);
  cb_buf_printf(b, ".svg)");
}

/* The environment check of the run (`env`, the same in every row of a run)
 * and the load average when the first and the last trial ended (which
 * includes the run's own workers). Files written before they existed have
 * neither column. */
static void machine_state(const cb_table_t *t, cb_buf_t *b)
{
  long env = cb_table_col(t, "env"), load = cb_table_col(t, "load_avg");
  const char *w;

  if (env >= 0 && t->rows > 1) {
    w = cb_table_get(t, 1, (size_t)env);
    cb_buf_printf(b, "| environment at the start | %s |\n", w[0] != '\0' ? md(w) : "no warning");
  }
  if (load >= 0 && t->rows > 1)
    cb_buf_printf(b, "| load average (1 min) | %s after the first trial, %s after the last |\n",
                  md(cb_table_get(t, 1, (size_t)load)),
                  md(cb_table_get(t, t->rows - 1, (size_t)load)));
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
      cb_buf_printf(b, "| %s | %s |\n", cols[i], md(cb_table_get(t, 1, (size_t)c)));
  }
  c = cb_table_col(t, "timestamp");
  if (c >= 0 && t->rows > 1)
    cb_buf_printf(b, "| measured | %s to %s |\n", md(cb_table_get(t, 1, (size_t)c)),
                  md(cb_table_get(t, t->rows - 1, (size_t)c)));
  cb_buf_printf(b, "| trials | %zu in %zu cells |\n", t->rows - 1, cells->n);
  machine_state(t, b);
  cb_buf_put(b, "\n", 1);
}

/* Text for a table cell: a '|' would end the cell, a newline the row. */
static void cell_text(cb_buf_t *b, const char *s)
{
  for (; *s != '\0'; s++) {
    if (*s == '|')
      cb_buf_put(b, "\\|", 2);
    else if (*s == '\n' || *s == '\r')
      cb_buf_put(b, " ", 1);
    else
      cb_buf_put(b, s, 1);
  }
}

/* One row per finding, between markers that scripts/docs copies into the
 * README (one source for both). */
static void verdicts_md(const cb_finding_t *f, size_t n, const char *charts, cb_buf_t *b)
{
  size_t i;

  cb_buf_printf(b, "## Verdicts\n\n<!-- verdicts:start -->\n| folklore | here | what it rests on "
                   "|\n|---|---|---|\n");
  for (i = 0; i < n; i++) {
    cb_buf_put(b, "| ", 2);
    cell_text(b, f[i].claim);
    cb_buf_printf(b, " | **%s** | ", cb_verdict_name(f[i].verdict));
    cell_text(b, f[i].headline[0] != '\0' ? f[i].headline : "—");
    if (f[i].chart != NULL && f[i].verdict != CB_V_UNTESTED) {
      cb_buf_put(b, " (", 2);
      chart_link(b, "chart", charts, f[i].chart);
      cb_buf_put(b, ")", 1);
    }
    cb_buf_put(b, " |\n", 3);
  }
  cb_buf_printf(b, "<!-- verdicts:end -->\n\n");
}

static void findings_md(const cb_cells_t *cells, const char *charts, cb_buf_t *b)
{
  cb_finding_t *f;
  size_t n, i;

  if (cb_findings(cells, 0.05, &f, &n) != 0) {
    b->failed = 1;
    return;
  }
  verdicts_md(f, n, charts, b);
  cb_buf_printf(b, "## Findings\n\nEach claim of the folklore against what this machine "
                   "measured. %s\n\n", CB_HOW_TO_READ);
  for (i = 0; i < n; i++) {
    cb_buf_printf(b, "### %zu. %s — **%s**\n\n%s", i + 1, f[i].claim,
                  cb_verdict_name(f[i].verdict), f[i].evidence);
    if (f[i].chart != NULL && f[i].verdict != CB_V_UNTESTED) {
      cb_buf_printf(b, "\nChart: ");
      chart_link(b, f[i].chart, charts, f[i].chart);
      cb_buf_printf(b, "\n");
    }
    cb_buf_printf(b, "\n");
  }
  free(f);
}

static void winners_md(const cb_cells_t *cells, const char *charts, const cb_fleet_t *fl,
                       cb_buf_t *b)
{
  cb_contest_t *k;
  char win[64], up[64];
  const char *wl = "";
  size_t n, i;

  if (cb_contests(cells, 0.05, &k, &n) != 0) {
    b->failed = 1;
    return;
  }
  cb_buf_printf(b, "## Winners\n\nFor every workload and setting (concurrency, size, "
                   "payload, GIL mode), the model with the highest median throughput, named "
                   "by its best variant (transport, dispatch mode), its margin over the "
                   "runner-up model and the Mann-Whitney p-value of the two (a tie when p >= "
                   "0.05). Serial is the reference, never a contestant; an event loop that "
                   "ran fewer tasks at once than c (CPU work inline) does not compete. Chart: ");
  chart_link(b, "winners", charts, "winners");
  cb_buf_printf(b, "\n");
  for (i = 0; i < n; i++) {
    const char *w = cb_cell_key(cells, k[i].first, "workload");
    if (strcmp(w, wl) != 0) {
      cb_buf_printf(b, "\n### %s\n\n%s| c | size | payload | winner | runner-up | margin | p | "
                       "verdict |\n%s|---|---|---|---|---|---|---|---|\n", md(w),
                    fl != NULL ? "| host " : "", fl != NULL ? "|---" : "");
      wl = w;
    }
    cb_contestant(cells, k[i].winner, win, sizeof(win));
    if (k[i].runner_up >= 0)
      cb_contestant(cells, (size_t)k[i].runner_up, up, sizeof(up));
    else
      snprintf(up, sizeof(up), "—");
    if (fl != NULL) {
      long h = cb_fleet_host_of(fl, cells, k[i].first);
      cb_buf_put(b, "| ", 2);
      cell_text(b, h >= 0 ? fl->host[h].label : "?");
      cb_buf_put(b, " ", 1);
    }
    cb_buf_printf(b, "| %s | %s | %s | %s | %s | %+.1f%% | %.2g | %s |\n",
                  md(cb_cell_key(cells, k[i].first, "concurrency")),
                  md(cb_cell_key(cells, k[i].first, "size")),
                  md(cb_cell_key(cells, k[i].first, "payload")), md(win), md(up),
                  100 * k[i].margin, k[i].p,
                  k[i].runner_up < 0 ? "alone" : k[i].tie ? "tie" : "significant");
  }
  cb_buf_printf(b, "\n");
  free(k);
}

/* Cells whose trials failed (not on purpose), each with what failed: a
 * result resting on fewer trials than were run, or on none, is named. */
static void failures_md(const cb_cells_t *cells, cb_buf_t *b)
{
  char name[64], flags[96];
  size_t c, n = 0;

  for (c = 0; c < cells->n; c++) {
    const cb_cell_sum_t *cs = &cells->cell[c];
    const cb_workload_t *wl = cb_workload_find(cb_cell_key(cells, c, "workload"));
    /* fault.*'s failures are their findings, not failures of the run */
    if (!(cs->flags & CB_FLAG_FAILURES) || (wl != NULL && wl->fails_on_purpose))
      continue;
    if (n++ == 0)
      cb_buf_printf(b, "\nCells with failed trials or lost tasks (the statistics use only "
                       "the trials that completed without losing a task, unless the workload "
                       "fails on purpose):\n\n| workload | runner | c | trials measured | "
                       "tasks lost | flags |\n|---|---|---|---|---|---|\n");
    cb_contestant(cells, c, name, sizeof(name));
    cb_flags_text(cs->flags, flags, sizeof(flags));
    cb_buf_printf(b, "| %s | %s | %s | %zu of %zu | %llu | %s |\n",
                  md(cb_cell_key(cells, c, "workload")), md(name),
                  md(cb_cell_key(cells, c, "concurrency")), cs->n_ok, cs->nrows,
                  (unsigned long long)cs->failed_tasks, md(flags));
  }
}

typedef struct family_s {
  const char *name;
  size_t n, noisy, failed; /* cells, noisy ones, the others with failed trials */
} family_t;

/* Flags that say the trials disagree, as against failed trials (which a
 * workload that fails on purpose has by design). */
static int noisy(unsigned flags)
{
  return (flags & (CB_FLAG_HIGH_CV | CB_FLAG_OUTLIER | CB_FLAG_SHORT)) != 0;
}

/* Noisy and failed cells in each family, in order of first appearance:
 * where the noise is. */
static void flagged_by_family(const cb_cells_t *cells, cb_buf_t *out)
{
  family_t fam[16];
  size_t nf = 0, c, f;

  for (c = 0; c < cells->n; c++) {
    const char *name = cb_cell_key(cells, c, "family");
    for (f = 0; f < nf && strcmp(fam[f].name, name) != 0; f++)
      ;
    if (f == nf && nf == CB_ARRAY_SIZE(fam))
      continue;
    if (f == nf)
      fam[nf++] = (family_t){ name, 0, 0, 0 };
    fam[f].n++;
    fam[f].noisy += noisy(cells->cell[c].flags);
    fam[f].failed += cells->cell[c].flags != 0 && !noisy(cells->cell[c].flags);
  }
  cb_buf_printf(out, "\n| family | cells | noisy | failed trials only | noisy share |\n"
                     "|---|---|---|---|---|\n");
  for (f = 0; f < nf; f++)
    cb_buf_printf(out, "| %s | %zu | %zu | %zu | %.0f%% |\n", md(fam[f].name), fam[f].n,
                  fam[f].noisy, fam[f].failed, 100.0 * (double)fam[f].noisy / (double)fam[f].n);
}

static void stability_md(const cb_cells_t *cells, cb_buf_t *out)
{
  size_t c, flagged = 0, n_noisy = 0;

  for (c = 0; c < cells->n; c++) {
    flagged += cells->cell[c].flags != 0;
    n_noisy += noisy(cells->cell[c].flags);
  }
  cb_buf_printf(out, "## Stability\n\n%zu of %zu cells carry a stability flag (see the "
                     "`flags` and `hint` columns of the summary CSV): %zu are noisy (high-cv, "
                     "outlier or short: their trials disagree), %zu only had failed trials "
                     "(fault workloads fail on purpose under some runners).\n", flagged,
                cells->n, n_noisy, flagged - n_noisy);
  if (cells->n > 0)
    flagged_by_family(cells, out);
  failures_md(cells, out);
}

int cb_report_md(const cb_cells_t *cells, const char *charts, cb_buf_t *out)
{
  cb_fleet_t fl;
  size_t nhosts;

  if (cb_fleet_hosts(cells, &fl) != 0)
    return -ENOMEM;
  nhosts = fl.n;
  cb_fleet_free(&fl);
  if (nhosts > 1)
    return cb_report_fleet_md(cells, charts, 0, out);
  cb_buf_printf(out, "# concbench report\n\nWhen do threads, processes or an event loop win? "
                     "Measured on this machine.\n\n");
  machine(cells, out);
  findings_md(cells, charts, out);
  winners_md(cells, charts, NULL, out);
  stability_md(cells, out);
  return out->failed ? -ENOMEM : 0;
}

/* ---- the fleet report --------------------------------------------------- */

/* One row per host: what it is, from its first trial. */
static void hosts_md(const cb_cells_t *cells, const cb_fleet_t *fl, cb_buf_t *b)
{
  static const char *const cols[] = { "cpu_model", "pus", "cores", "kernel", "compiler",
                                      "concbench_version" };
  size_t i, k, c, trials;

  cb_buf_printf(b, "## Hosts\n\nEach host is named by its inventory name; its identity "
                   "(the `host` column of the trials and of the `.hosts.csv` that `concbench "
                   "merge` writes) adds its machine-and-build fingerprint.\n\n| host | "
                   "identity | CPU | PUs | cores | kernel | compiler | concbench | trials "
                   "|\n|---|---|---|---|---|---|---|---|---|\n");
  for (i = 0; i < fl->n; i++) {
    for (c = 0; c < cells->n && cb_fleet_host_of(fl, cells, c) != (long)i; c++)
      ;
    for (k = 0, trials = 0; k < cells->n; k++)
      trials += cb_fleet_host_of(fl, cells, k) == (long)i ? cells->cell[k].nrows : 0;
    cb_buf_put(b, "| **", 4);
    cell_text(b, fl->host[i].label);
    cb_buf_put(b, "** | ", 5);
    cell_text(b, fl->host[i].id);
    for (k = 0; k < CB_ARRAY_SIZE(cols); k++) {
      cb_buf_put(b, " | ", 3);
      cell_text(b, c < cells->n ? cb_cell_key(cells, c, cols[k]) : "");
    }
    cb_buf_printf(b, " | %zu |\n", trials);
  }
  cb_buf_printf(b, "\n");
}

/* Claims (rows) by hosts (columns), then the verdict across hosts. */
static void verdicts_per_host_md(const cb_host_findings_t *h, const char *charts, cb_buf_t *b)
{
  size_t k, i;

  cb_buf_printf(b, "## Verdicts per host\n\nEach claim judged on each host's trials apart "
                   "(Holm within the claim and the host). **across hosts**: the verdict every "
                   "host that measured the claim agrees on, or **depends on the machine** "
                   "naming which host says what.\n\n| folklore |");
  for (i = 0; i < h->nhosts; i++) {
    cb_buf_put(b, " ", 1);
    cell_text(b, h->host[i]);
    cb_buf_put(b, " |", 2);
  }
  cb_buf_printf(b, " across hosts |\n|---|");
  for (i = 0; i <= h->nhosts; i++)
    cb_buf_printf(b, "---|");
  cb_buf_printf(b, "\n");
  for (k = 0; k < h->nclaims; k++) {
    cb_buf_put(b, "| ", 2);
    cell_text(b, h->claim[k]);
    /* the scaling charts have per-host small multiples */
    if (h->chart[k] != NULL && h->across[k] != CB_V_UNTESTED &&
        strncmp(h->chart[k], "scaling-", 8) == 0)
      cb_buf_printf(b, " ([chart](%s/hosts-%s.svg))", charts, h->chart[k]);
    for (i = 0; i < h->nhosts; i++)
      cb_buf_printf(b, " | %s", cb_verdict_name(h->f[k * h->nhosts + i].verdict));
    cb_buf_printf(b, " | **%s**", cb_verdict_name(h->across[k]));
    if (h->across[k] == CB_V_MACHINE) {
      cb_buf_put(b, ": ", 2);
      cell_text(b, h->where[k]);
    }
    cb_buf_printf(b, " |\n");
  }
  cb_buf_printf(b, "\n");
}

static void findings_per_host_md(const cb_host_findings_t *h, cb_buf_t *b)
{
  size_t k, i;

  cb_buf_printf(b, "## Findings per host\n\nEach claim against what each host measured. %s"
                   "\n\n", CB_HOW_TO_READ);
  for (k = 0; k < h->nclaims; k++) {
    cb_buf_printf(b, "### %zu. %s — **%s**\n\n", k + 1, h->claim[k],
                  cb_verdict_name(h->across[k]));
    if (h->across[k] == CB_V_MACHINE)
      cb_buf_printf(b, "It %s.\n\n", h->where[k]);
    for (i = 0; i < h->nhosts; i++) {
      const cb_finding_t *f = &h->f[k * h->nhosts + i];
      cb_buf_printf(b, "#### %s — %s\n\n%s\n", h->host[i], cb_verdict_name(f->verdict),
                    f->evidence);
    }
  }
}

/* "threads +35%", "processes ×2.1 shm", "tie", "alone" */
static void map_cell(const cb_cells_t *cells, const cb_contest_t *k, char *buf, size_t len)
{
  char model[64], variant[32];
  double ratio = 1 + k->margin;
  size_t u;

  cb_model(cells, k->winner, model, sizeof(model));
  cb_variant(cells, k->winner, variant, sizeof(variant));
  if (k->tie) {
    snprintf(buf, len, "tie");
    return;
  }
  u = (size_t)snprintf(buf, len, "**%s**", model);
  if (variant[0] != '\0' && u < len)
    u += (size_t)snprintf(buf + u, len - u, "/%s", variant);
  if (u < len)
    snprintf(buf + u, len - u, k->runner_up < 0 ? " alone" : ratio < 2 ? " +%.0f%%" : " ×%.1f",
             ratio < 2 ? 100 * k->margin : ratio);
}

static void winners_map_md(const cb_cells_t *cells, const cb_fleet_t *fl, unsigned long at_c,
                           const char *charts, cb_buf_t *b)
{
  cb_fleet_map_t m;
  char text[160];
  size_t r, i;

  if (cb_fleet_winners(cells, fl, 0.05, at_c, &m) != 0) {
    b->failed = 1;
    return;
  }
  cb_buf_printf(b, "## Winners per host\n\nFor every setting (rows: workload%s; size, payload "
                   "and GIL mode where they vary) the model with the highest median throughput "
                   "on each host (columns), with its margin over the runner-up model; **tie** "
                   "when the Mann-Whitney p of the two is >= 0.05; — where the host did not "
                   "run it. Serial is the reference, never a contestant. Chart: "
                   "[hosts-winners](%s/hosts-winners.svg)\n\n| setting |",
                at_c > 0 ? " at the chosen c" : " and concurrency", charts);
  for (i = 0; i < fl->n; i++) {
    cb_buf_put(b, " ", 1);
    cell_text(b, fl->host[i].label);
    cb_buf_put(b, " |", 2);
  }
  cb_buf_printf(b, "\n|---|");
  for (i = 0; i < fl->n; i++)
    cb_buf_printf(b, "---|");
  cb_buf_printf(b, "\n");
  for (r = 0; r < m.nrows; r++) {
    cb_buf_put(b, "| ", 2);
    cell_text(b, m.row[r]);
    for (i = 0; i < fl->n; i++) {
      long k = m.at[r * fl->n + i];
      if (k >= 0)
        map_cell(cells, &m.k[k], text, sizeof(text));
      else
        snprintf(text, sizeof(text), "—");
      cb_buf_printf(b, " | %s", text);
    }
    cb_buf_printf(b, " |\n");
  }
  if (m.nrows == 0)
    cb_buf_printf(b, "| (no contest%s) |%s\n", at_c > 0 ? " at that c" : "", "");
  cb_buf_printf(b, "\n");
  cb_fleet_map_free(&m);
}

int cb_report_fleet_md(const cb_cells_t *cells, const char *charts, unsigned long at_c,
                       cb_buf_t *out)
{
  cb_host_findings_t h;
  cb_fleet_t fl;

  if (cb_fleet_hosts(cells, &fl) != 0)
    return -ENOMEM;
  if (cb_findings_per_host(cells, 0.05, &h) != 0) {
    cb_fleet_free(&fl);
    return -ENOMEM;
  }
  cb_buf_printf(out, "# concbench report: %zu hosts\n\nWhen do threads, processes or an event "
                     "loop win? Measured on each host and judged on each host apart: "
                     "comparisons never cross hosts, and absolute numbers compare hardware, "
                     "not models.\n\n", fl.n);
  hosts_md(cells, &fl, out);
  verdicts_per_host_md(&h, charts, out);
  winners_map_md(cells, &fl, at_c, charts, out);
  findings_per_host_md(&h, out);
  winners_md(cells, charts, &fl, out);
  stability_md(cells, out);
  cb_host_findings_free(&h);
  cb_fleet_free(&fl);
  return out->failed ? -ENOMEM : 0;
}
