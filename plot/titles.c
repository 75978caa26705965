/* Titles, subtitles and notes: the machine, dates and trials a chart rests
 * on, what the workload ran with, and which points failed or ran inline. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "chart.h"
#include "workload.h"

static void date_range(const cb_cells_t *cells, const size_t *cell, size_t n, char *buf,
                       size_t len)
{
  long col = cb_table_col(cells->table, "timestamp");
  char lo[11] = "", hi[11] = "", d[11];
  size_t i, r;

  buf[0] = '\0';
  if (col < 0)
    return;
  for (i = 0; i < n; i++) {
    const cb_cell_sum_t *cs = &cells->cell[cell[i]];
    for (r = 0; r < cs->nrows; r++) {
      snprintf(d, sizeof(d), "%s", cb_table_get(cells->table, cs->rows[r], (size_t)col));
      if (strlen(d) < 10)
        continue;
      if (lo[0] == '\0' || strcmp(d, lo) < 0)
        memcpy(lo, d, sizeof(d));
      if (hi[0] == '\0' || strcmp(d, hi) > 0)
        memcpy(hi, d, sizeof(d));
    }
  }
  if (lo[0] != '\0')
    snprintf(buf, len, strcmp(lo, hi) == 0 ? "%s" : "%s to %s", lo, hi);
}

/* "Intel(R) Xeon(R) Processor, 2 cores, 2 PUs · host · 2026-11-22" */
static void machine_line(const cb_cells_t *cells, const size_t *cell, size_t n, char *buf,
                         size_t len)
{
  const char *cpu = cb_cell_key(cells, cell[0], "cpu_model");
  const char *cores = cb_cell_key(cells, cell[0], "cores");
  const char *pus = cb_cell_key(cells, cell[0], "pus");
  char date[32];
  size_t u;

  date_range(cells, cell, n, date, sizeof(date));
  u = (size_t)snprintf(buf, len, "%s", cpu[0] ? cpu : "unknown CPU");
  if (cores[0] && u < len)
    u += (size_t)snprintf(buf + u, len - u, ", %s core%s", cores, strcmp(cores, "1") ? "s" : "");
  if (pus[0] && u < len)
    u += (size_t)snprintf(buf + u, len - u, ", %s PU%s", pus, strcmp(pus, "1") ? "s" : "");
  if (u < len)
    u += (size_t)snprintf(buf + u, len - u, "  ·  %s", cb_cell_key(cells, cell[0], "host"));
  if (date[0] && u < len)
    snprintf(buf + u, len - u, "  ·  %s", date);
}

/* How many trials the points rest on and what the error bars are. */
void cb__trials_text(const cb_cells_t *cells, const size_t *cell, size_t n, char *buf,
                     size_t len)
{
  size_t i, lo = SIZE_MAX, hi = 0;
  double level = 1;

  for (i = 0; i < n; i++) {
    const cb_cell_sum_t *cs = &cells->cell[cell[i]];
    if (cs->n_ok == 0)
      continue;
    lo = cs->n_ok < lo ? cs->n_ok : lo;
    hi = cs->n_ok > hi ? cs->n_ok : hi;
    if (cs->m[CB_M_throughput].ci_level < level)
      level = cs->m[CB_M_throughput].ci_level;
  }
  if (hi == 0) {
    buf[0] = '\0';
    return;
  }
  if (lo == hi)
    snprintf(buf, len, "median of %zu trials", lo);
  else
    snprintf(buf, len, "median of %zu-%zu trials", lo, hi);
  i = strlen(buf);
  if (level >= 0.949)
    snprintf(buf + i, len - i, "; bars: 95%% CI of the median");
  else
    snprintf(buf + i, len - i, "; bars: CI of the median, only %.0f%% with so few trials",
             100 * level);
}

/* "cpu.hash, 20000 iterations per task, 1000 tasks, pin compact" */
void cb__workload_text(const cb_cells_t *cells, const cb__variant_t *v, int with_payload,
                       char *buf, size_t len)
{
  const cb_workload_t *w = cb_workload_find(v->workload);
  const char *size = cb_cell_key(cells, v->cell[0], "size");
  const char *unit = w != NULL ? w->size_unit : "";
  int same_tasks = 1, tasks_c = 1;
  size_t i, u;

  for (i = 0; i < v->n; i++) {
    same_tasks &= strcmp(cb_cell_key(cells, v->cell[i], "tasks"),
                         cb_cell_key(cells, v->cell[0], "tasks")) == 0;
    tasks_c &= cb__key_num(cells, v->cell[i], "tasks") == cb__concurrency(cells, v->cell[i]);
  }
  u = (size_t)snprintf(buf, len, "%s", v->workload);
  if (strcmp(unit, "none") != 0 && strcmp(size, "0") != 0 && u < len)
    u += (size_t)snprintf(buf + u, len - u, ", size %s %s", size,
                          strcmp(unit, "us") == 0 ? "µs" : unit);
  if (with_payload && strcmp(cb_cell_key(cells, v->cell[0], "payload"), "0") != 0 && u < len) {
    char b[32];
    cb__human_bytes(cb__key_num(cells, v->cell[0], "payload"), b, sizeof(b));
    u += (size_t)snprintf(buf + u, len - u, ", payload %s", b);
  }
  if (u < len)
    u += (size_t)(same_tasks ? snprintf(buf + u, len - u, ", %s tasks",
                                         cb_cell_key(cells, v->cell[0], "tasks"))
                  : tasks_c ? snprintf(buf + u, len - u, ", c tasks")
                            : snprintf(buf + u, len - u, ", tasks vary"));
  if (u < len)
    snprintf(buf + u, len - u, ", pin %s", cb_cell_key(cells, v->cell[0], "pin"));
}

/* Cells of a series that are not drawn or rest on fewer trials. */
static void failure_note(const cb_cells_t *cells, const cb__series_t *s, size_t ns, char *buf,
                         size_t len)
{
  long status = cb_table_col(cells->table, "status");
  size_t i, k, u = 0;

  buf[0] = '\0';
  for (i = 0; i < ns && u < len; i++) {
    size_t none = 0, some = 0;
    const char *why = "failed";
    char cs[128] = "";
    size_t cu = 0;
    for (k = 0; k < s[i].n; k++) {
      const cb_cell_sum_t *c = &cells->cell[s[i].cell[k]];
      if (c->n_ok == 0) {
        none++;
        if (status >= 0 && c->nrows > 0)
          why = cb_table_get(cells->table, c->rows[0], (size_t)status);
        if (cu < sizeof(cs))
          cu += (size_t)snprintf(cs + cu, sizeof(cs) - cu, "%s%s", cu ? "," : "",
                                 cb_cell_key(cells, s[i].cell[k], "concurrency"));
      } else if (c->n_ok < c->nrows) {
        some++;
      }
    }
    if (none > 0)
      u += (size_t)snprintf(buf + u, len - u, "%s%s: no ok trial (%s) at c=%s", u ? "; " : "",
                            s[i].name, why, cs);
    if (some > 0 && u < len)
      u += (size_t)snprintf(buf + u, len - u, "%s%s: some trials failed at %zu point%s",
                            u ? "; " : "", s[i].name, some, some > 1 ? "s" : "");
  }
}

void cb__titles(cb__chart_t *ch, const cb_cells_t *cells, const size_t *cell, size_t n,
                const char *title, const char *line2)
{
  char machine[512];

  machine_line(cells, cell, n, machine, sizeof(machine));
  cb__var_s(ch, "ttl", title);
  cb__var_s(ch, "sub1", machine);
  cb__var_s(ch, "sub2", line2);
}

void cb__line2(const cb__plot_ctx_t *x, char *buf, size_t len)
{
  char wl[320], tr[160];

  cb__workload_text(x->cells, x->v, 1, wl, sizeof(wl));
  cb__trials_text(x->cells, x->v->cell, x->v->n, tr, sizeof(tr));
  snprintf(buf, len, "%s  ·  %s", wl, tr);
}

/* The contestants among the chart's series whose tasks ran inline on an
 * event loop ("eventloop, eventloop+gil"), or "". */
static void inline_series(const cb__plot_ctx_t *x, char *buf, size_t len)
{
  size_t i, j, u = 0;

  buf[0] = '\0';
  for (i = 0; i < x->ns && u < len; i++) {
    for (j = 0; j < x->s[i].n && !cb_cell_inline(x->cells, x->s[i].cell[j]); j++)
      ;
    if (j < x->s[i].n)
      u += (size_t)snprintf(buf + u, len - u, "%s%s", u ? ", " : "", x->s[i].name);
  }
}

void cb__note(cb__chart_t *ch, const cb__plot_ctx_t *x, const char *extra)
{
  char buf[768], inl[128];
  size_t u;

  failure_note(x->cells, x->s, x->ns, buf, sizeof(buf));
  u = strlen(buf);
  inline_series(x, inl, sizeof(inl));
  if (inl[0] != '\0' && u < sizeof(buf))
    u += (size_t)snprintf(buf + u, sizeof(buf) - u, "%s%s ran these tasks inline: at most "
                          "min(c, PUs) in flight, a pool of loop threads", u ? "; " : "", inl);
  if (extra != NULL && extra[0] != '\0' && u < sizeof(buf))
    snprintf(buf + u, sizeof(buf) - u, "%s%s", u ? "; " : "", extra);
  cb__var_s(ch, "note", buf);
}

