/* Winners maps: who has the highest median throughput, per variant (rows)
 * and concurrency (columns); and for a merged fleet, per setting (rows) and
 * host (columns). Each cell names the winning model, its margin over the
 * runner-up, or a tie (Mann-Whitney p >= 0.05). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "chart.h"
#include "fleet.h"
#include "workload.h"

static void margin_label(const cb_contest_t *k, char *buf, size_t len)
{
  double ratio = 1 + k->margin;

  if (k->runner_up < 0)
    snprintf(buf, len, "alone");
  else if (k->tie)
    snprintf(buf, len, "tie");
  else if (ratio < 2)
    snprintf(buf, len, "+%.0f%%", 100 * k->margin);
  else
    snprintf(buf, len, ratio < 10 ? "×%.1f" : "×%.0f", ratio);
}

/* The legend of the winners map: every contestant that won a cell, in
 * legend order, then "tie". */
static void winners_legend(const cb_cells_t *cells, const cb_contest_t *k, size_t nk,
                           char *names, size_t nlen, char *colors, size_t clen)
{
  char won[16][64];
  size_t i, j, n = 0, un = 0, uc = 0;
  int tie = 0;
  cb_plot_style_t st;

  for (i = 0; i < nk; i++) {
    tie |= k[i].tie;
    if (k[i].tie || n == CB_ARRAY_SIZE(won))
      continue;
    cb_model(cells, k[i].winner, won[n], sizeof(won[n]));
    for (j = 0; j < n && strcmp(won[j], won[n]) != 0; j++)
      ;
    if (j < n)
      continue;
    /* insert in rank order */
    for (j = n++; j > 0 && cb_plot_rank(won[j]) < cb_plot_rank(won[j - 1]); j--) {
      char t[64];
      memcpy(t, won[j], sizeof(t));
      memcpy(won[j], won[j - 1], sizeof(t));
      memcpy(won[j - 1], t, sizeof(t));
    }
  }
  names[0] = colors[0] = '\0';
  for (i = 0; i < n && un < nlen && uc < clen; i++) {
    cb_plot_style(won[i], &st);
    un += (size_t)snprintf(names + un, nlen - un, "%s%s", i ? " " : "", won[i]);
    uc += (size_t)snprintf(colors + uc, clen - uc, "%s%s", i ? " " : "", st.color);
  }
  if (tie && un < nlen && uc < clen) {
    snprintf(names + un, nlen - un, "%stie", n ? " " : "");
    snprintf(colors + uc, clen - uc, "%s%s", n ? " " : "", CB__TIE_COLOR);
  }
}

/* A contest's winning model (name), the fill of its square (color) and its
 * label: the margin over the runner-up and the winner's variant. */
static void winner_square(const cb_cells_t *cells, const cb_contest_t *w, char *name,
                          size_t nlen, char *color, size_t clen, char *label, size_t llen)
{
  cb_plot_style_t st;
  char variant[32];

  cb_model(cells, w->winner, name, nlen);
  cb_plot_style(name, &st);
  snprintf(color, clen, "%s", w->tie ? CB__TIE_COLOR : st.color);
  margin_label(w, label, llen);
  cb_variant(cells, w->winner, variant, sizeof(variant));
  if (!w->tie && variant[0] != '\0')
    snprintf(label + strlen(label), llen - strlen(label), " %s", variant);
}

/* One data line of a map: col row fill label text-colour row-name col-name
 * winner. */
static void map_line(cb_buf_t *b, size_t col, long row, const char *color, const char *label,
                     const char *row_name, const char *col_name, const char *winner)
{
  cb_buf_printf(b, "%zu %ld 0x%06X ", col, row, cb__hex_color(color));
  cb__data_str(b, label);
  cb_buf_printf(b, " 0x%06X ", cb__text_on(color));
  cb__data_str(b, row_name);
  cb_buf_put(b, " ", 1);
  cb__data_str(b, col_name);
  cb_buf_put(b, " ", 1);
  cb__data_str(b, winner);
  cb_buf_put(b, "\n", 1);
}

/* A cell of a mixed workload (its size a CPU share: `mixed_task_us`). */
static int mixed_cell(const cb_cells_t *cells, size_t c)
{
  const cb_workload_t *wl = cb_workload_find(cb_cell_key(cells, c, "workload"));

  return wl != NULL && wl->mixed_task_us > 0;
}

/* Rows: the variants that held a contest, first on top; columns: every
 * concurrency, ascending. One data line per contest. */
void cb__draw_winners(cb__plot_ctx_t *x)
{
  cb_plot_t *p = x->p;
  const cb__set_t *set = x->set;
  const cb_cells_t *cells = set->cells;
  cb_contest_t *k = NULL;
  size_t nk = 0, i, j, ncol = 0, nrow = 0, undecidable = 0, fewest = SIZE_MAX, longest = 8;
  size_t inline_wins = 0, used, mixed;
  size_t *all = NULL;
  double cols[64];
  long *row_of = NULL;
  char label[48], row[512], col[32], sub[512];
  static char names[1024], colors[512]; /* static: a small stack must do (one chart at a time) */
  cb__chart_t ch;

  cb__chart_init(&ch, x->kind->script, "%s", x->kind->name);
  if (cb_contests(cells, 0.05, &k, &nk) != 0 ||
      (row_of = malloc(2 * (set->nv + 1) * sizeof(*row_of))) == NULL ||
      (all = malloc((cells->n + 1) * sizeof(*all))) == NULL) {
    cb__plot_skip(p, ch.name, "out of memory");
    goto out;
  }
  /* Mixed work has its own map of who wins where: share-W-cN, by share. */
  for (i = j = 0; i < nk; i++) {
    if (!mixed_cell(cells, k[i].first))
      k[j++] = k[i];
  }
  mixed = nk - j;
  nk = j;
  if (nk == 0) {
    cb__plot_skip(p, ch.name, mixed > 0
                              ? "only mixed work, drawn against its CPU share (share-W-cN)"
                              : "no cell has ok trials");
    goto out;
  }
  /* A row per variant of the set and GIL mode: contests with and without
   * the GIL are apart (row 2 * variant + gil). */
  for (i = 0; i < 2 * set->nv; i++)
    row_of[i] = -1;
  for (i = 0; i < nk; i++) {
    double c = cb__concurrency(cells, k[i].first);
    for (j = 0; j < ncol && cols[j] != c; j++)
      ;
    if (j == ncol && ncol < CB_ARRAY_SIZE(cols))
      cols[ncol++] = c;
    row_of[2 * set->variant_of[k[i].first] + cb__gil_of(cells, k[i].first)] = 0;
  }
  qsort(cols, ncol, sizeof(cols[0]), cb__cmp_double);
  for (i = 0; i < 2 * set->nv; i++) {
    if (row_of[i] == 0)
      row_of[i] = (long)++nrow;
  }
  for (i = 0; i < nk; i++) {
    const cb_contest_t *w = &k[i];
    long vi = 2 * set->variant_of[w->first] + cb__gil_of(cells, w->first);
    const cb__variant_t *v = &set->v[vi / 2];
    double c = cb__concurrency(cells, w->first);
    char name[64], color[8];

    for (j = 0; j < ncol && cols[j] != c; j++)
      ;
    if (j == ncol)
      continue;
    winner_square(cells, w, name, sizeof(name), color, sizeof(color), label, sizeof(label));
    if (!w->tie && cb_cell_inline(cells, w->winner)) {
      inline_wins++;
      snprintf(label + strlen(label), sizeof(label) - strlen(label), "*");
    }
    snprintf(row, sizeof(row), "%s%s%s", v->workload, v->row, vi % 2 ? " +gil" : "");
    if (strlen(row) > longest)
      longest = strlen(row);
    snprintf(col, sizeof(col), "%g", c);
    map_line(&ch.data, j + 1, (long)nrow + 1 - row_of[vi], color, label, row, col, name);
    if (w->runner_up >= 0) {
      size_t a = cells->cell[w->winner].n_ok, b = cells->cell[w->runner_up].n_ok;
      undecidable += cb_mw_min_p(a, b) >= 0.05;
      fewest = a < fewest ? a : fewest;
      fewest = b < fewest ? b : fewest;
    }
  }
  winners_legend(cells, k, nk, names, sizeof(names), colors, sizeof(colors));
  snprintf(sub, sizeof(sub), "label: winning model's median over the runner-up's, and its best "
                             "variant  ·  tie: Mann-Whitney p >= 0.05  ·  alone: no other model "
                             "had ok trials");
  used = 0;
  row[0] = '\0';
  if (inline_wins > 0)
    used = (size_t)snprintf(row, sizeof(row), "*: tasks ran inline on event loop threads, as "
                            "many loops as in flight (a pool of loop threads, not waits "
                            "overlapped); loops short of c in flight do not compete");
  if (undecidable > 0 && used < sizeof(row))
    used += (size_t)snprintf(row + used, sizeof(row) - used, "%s%zu cell%s cannot reach p < "
                             "0.05 with %zu trials per runner: run with --reps 5 or more",
                             used ? "  ·  " : "", undecidable, undecidable > 1 ? "s" : "",
                             fewest);
  if (mixed > 0 && used < sizeof(row))
    snprintf(row + used, sizeof(row) - used, "%smixed work (by CPU share): the share-W-cN "
             "charts", used ? "  ·  " : "");
  cb__var_s(&ch, "note", row);
  for (i = 0; i < cells->n; i++)
    all[i] = i;
  cb__titles(&ch, cells, all, cells->n, "Who wins: highest median throughput", sub);
  cb__var_s(&ch, "names", names);
  cb__var_s(&ch, "colors", colors);
  cb__var_d(&ch, "ncols", (double)ncol);
  cb__var_d(&ch, "lmargin", (double)longest * 0.95 + 2);
  cb__var_d(&ch, "nrows", (double)nrow);
  cb__var_d(&ch, "W", ncol * 110 + 520 < 1280 ? 1280 : (double)ncol * 110 + 520);
  cb__var_d(&ch, "H", nrow * 46 + 280 < 720 ? 720 : (double)nrow * 46 + 280);
  cb__chart_draw(p, &ch, x->err, x->errlen);
out:
  free(all);
  free(row_of);
  free(k);
  cb__chart_free(&ch);
}

/* Rows: settings (workload x c, or workload at p->at_c); columns: hosts. */
void cb__draw_hosts_winners(cb__plot_ctx_t *x)
{
  cb_plot_t *p = x->p;
  const cb_cells_t *cells = x->cells;
  const cb_fleet_t *fl = x->fl;
  cb_fleet_map_t m;
  char label[64], name[64], color[8], names[1024], colors[512], sub[512], note_[256];
  size_t r, i, longest = 8, undecidable = 0;
  cb__chart_t ch;

  cb__chart_init(&ch, x->kind->script, "%s", x->kind->name);
  if (cb_fleet_winners(cells, fl, 0.05, p->at_c, &m) != 0) {
    cb__plot_skip(p, ch.name, "out of memory");
    cb__chart_free(&ch);
    return;
  }
  if (m.nrows == 0) {
    cb__plot_skip(p, ch.name,
                  p->at_c > 0 ? "no contest at that concurrency" : "no cell has ok trials");
    goto out;
  }
  for (r = 0; r < m.nrows; r++) {
    if (strlen(m.row[r]) > longest)
      longest = strlen(m.row[r]);
    for (i = 0; i < fl->n; i++) {
      long ki = m.at[r * fl->n + i];
      const cb_contest_t *w;
      if (ki < 0)
        continue;
      w = &m.k[ki];
      winner_square(cells, w, name, sizeof(name), color, sizeof(color), label, sizeof(label));
      if (w->runner_up >= 0)
        undecidable += cb_mw_min_p(cells->cell[w->winner].n_ok,
                                   cells->cell[w->runner_up].n_ok) >= 0.05;
      map_line(&ch.data, i + 1, (long)(m.nrows - r), color, label, m.row[r], fl->host[i].label,
               name);
    }
  }
  winners_legend(cells, m.k, m.nk, names, sizeof(names), colors, sizeof(colors));
  snprintf(sub, sizeof(sub), "rows: workload%s  ·  columns: hosts, each judged on its own "
           "trials", p->at_c > 0 ? "" : " and concurrency c");
  snprintf(note_, sizeof(note_), "blank: the host did not run it%s",
           undecidable > 0 ? "  ·  some ties cannot be decided with so few trials: run with "
                             "--reps 5 or more" : "");
  cb__var_s(&ch, "note", note_);
  if (p->at_c > 0)
    snprintf(label, sizeof(label), "Who wins on each host at c = %lu", p->at_c);
  cb__var_s(&ch, "ttl", p->at_c > 0 ? label : "Who wins on each host: highest median throughput");
  cb__var_s(&ch, "sub1", sub);
  cb__var_s(&ch, "sub2", "label: the winning model's median over the runner-up's on that host  ·  "
                     "tie: Mann-Whitney p >= 0.05");
  cb__var_s(&ch, "xlab", "host");
  cb__var_s(&ch, "names", names);
  cb__var_s(&ch, "colors", colors);
  cb__var_d(&ch, "ncols", (double)fl->n);
  cb__var_d(&ch, "lmargin", (double)longest * 0.95 + 2);
  cb__var_d(&ch, "nrows", (double)m.nrows);
  cb__var_d(&ch, "W", fl->n * 170 + longest * 12 + 420 < 1280
                          ? 1280 : (double)(fl->n * 170 + longest * 12 + 420));
  cb__var_d(&ch, "H", m.nrows * 46 + 280 < 720 ? 720 : (double)m.nrows * 46 + 280);
  cb__chart_draw(p, &ch, x->err, x->errlen);
out:
  cb_fleet_map_free(&m);
  cb__chart_free(&ch);
}
