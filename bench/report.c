/* The report in Markdown: the machine, every finding (bench/findings.c
 * judges them) with the numbers it rests on, the winner of every contest
 * (bench/analysis.c), and how stable the run was. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "report.h"

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
    if (f[i].chart != NULL && f[i].verdict != CB_V_UNTESTED)
      cb_buf_printf(b, " ([chart](%s/%s.svg))", charts, f[i].chart);
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
  cb_buf_printf(b, "## Winners\n\nFor every workload and setting (concurrency, size, "
                   "payload, GIL mode), the model with the highest median throughput, named "
                   "by its best variant (transport, dispatch mode), its margin over the "
                   "runner-up model and the Mann-Whitney p-value of the two (a tie when p >= "
                   "0.05). Serial is the reference, never a contestant; an event loop that "
                   "ran fewer tasks at once than c (CPU work inline) does not compete. Chart: "
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
