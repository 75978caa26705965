/* The report in Markdown: the machine, every finding (bench/findings.c
 * judges them) with the numbers it rests on, the winner of every contest
 * (bench/analysis.c), and how stable the run was, with the cells whose
 * trials failed. Values from the CSV are escaped (md) and chart links
 * percent-encoded, so no host name or --charts directory can change the
 * document; findings interpolate only names and numbers the CSV reader has
 * checked (bench/validate.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "report.h"
#include "workload.h"

/* A value from the CSV as Markdown text (cb_md_escape). Up to eight
 * results live at once (static buffers, so that a small stack does). */
static const char *md(const char *s)
{
  static char bufs[8][1200];
  static unsigned next;
  char *out = bufs[next++ % 8];

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
  cb_buf_printf(b, "| trials | %zu in %zu cells |\n\n", t->rows - 1, cells->n);
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
      cb_buf_printf(b, "\n### %s\n\n| c | size | payload | winner | runner-up | margin | p | "
                       "verdict |\n|---|---|---|---|---|---|---|---|\n", md(w));
      wl = w;
    }
    cb_contestant(cells, k[i].winner, win, sizeof(win));
    if (k[i].runner_up >= 0)
      cb_contestant(cells, (size_t)k[i].runner_up, up, sizeof(up));
    else
      snprintf(up, sizeof(up), "—");
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
  failures_md(cells, out);
  return out->failed ? -ENOMEM : 0;
}
