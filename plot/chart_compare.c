/* The compare chart: NEW/BASE ratio of every compared cell with its
 * confidence interval, regressions highlighted. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cb.h"
#include "chart.h"
#include "compare.h"
#include "plot.h"

int cb_plot_compare(cb_plot_t *p, const cb_compare_t *cmp, char *err, size_t errlen)
{
  static const cb_cmp_verdict_t order[] = { CB_CMP_V_SLOWER, CB_CMP_V_FASTER,
                                            CB_CMP_V_UNCHANGED, CB_CMP_V_NOISY };
  static const char *const legend[] = { "slower (regression)", "faster", "unchanged", "noisy" };
  size_t i, n = 0, row = 0, longest = 8;
  double lo = 1 - cmp->threshold, hi = 1 + cmp->threshold;
  char sub[512], sub2[256], note[256];
  cb_buf_t regrows = { 0 }, names = { 0 }, colors = { 0 };
  cb__chart_t ch;

  cb__chart_init(&ch, "compare.gp", "compare");
  for (i = 0; i < cmp->n; i++)
    n += cmp->cell[i].status == CB_CMP_COMPARED;
  if (n == 0) {
    cb__plot_skip(p, ch.name, "no cell is in both files with ok trials on both sides");
    cb__chart_free(&ch);
    return 0;
  }
  for (i = 0; i < cmp->n; i++) {
    const cb_cmp_cell_t *c = &cmp->cell[i];
    if (c->status != CB_CMP_COMPARED)
      continue;
    /* row (first on top), ratio, CI, colour, regression, name, verdict */
    cb_buf_printf(&ch.data, "%zu %.10g %.10g %.10g 0x%06X %d ", n - row, c->ratio, c->ci_lo,
                  c->ci_hi, cb__hex_color(cb__verdict_color(c->verdict)), c->regression);
    cb__data_str(&ch.data, c->name);
    cb_buf_put(&ch.data, " ", 1);
    cb__data_str(&ch.data, cb_cmp_verdict_name(c->verdict));
    cb_buf_put(&ch.data, "\n", 1);
    if (c->regression)
      cb_buf_printf(&regrows, "%s%zu", regrows.len ? " " : "", n - row);
    row++;
    if (strlen(c->name) > longest)
      longest = strlen(c->name);
    if (c->ci_lo > 0 && c->ci_lo < lo)
      lo = c->ci_lo;
    if (c->ci_hi > hi)
      hi = c->ci_hi;
  }
  /* The legend: the verdicts that occur. Labels have spaces: '|' apart. */
  for (i = 0; i < CB_ARRAY_SIZE(order); i++) {
    if (cmp->count[order[i]] == 0)
      continue;
    cb_buf_printf(&names, "%s%s", names.len ? "|" : "", legend[i]);
    cb_buf_printf(&colors, "%s%s", colors.len ? " " : "", cb__verdict_color(order[i]));
  }
  snprintf(sub, sizeof(sub), "NEW %s (%s)  /  BASE %s (%s)", cmp->new_label, cmp->new_hosts,
           cmp->base_label, cmp->base_hosts);
  snprintf(sub2, sizeof(sub2), "%zu slower (regressions), %zu faster, %zu unchanged, %zu noisy",
           cmp->count[CB_CMP_V_SLOWER], cmp->count[CB_CMP_V_FASTER],
           cmp->count[CB_CMP_V_UNCHANGED], cmp->count[CB_CMP_V_NOISY]);
  snprintf(note, sizeof(note), "bars: bootstrap 95%% CI of the ratio of medians  ·  "
           "verdicts as concbench compare: Mann-Whitney, Holm, alpha %g, threshold %g%%",
           cmp->alpha, 100 * cmp->threshold);
  cb__var_s(&ch, "ttl", cmp->speedup ? "Compare: NEW / BASE speedup over serial, per cell"
                                  : "Compare: NEW / BASE median throughput, per cell");
  cb__var_s(&ch, "sub1", sub);
  cb__var_s(&ch, "sub2", sub2);
  cb__var_s(&ch, "note", note);
  cb__var_s(&ch, "metric", cmp->speedup ? "speedup over serial" : "median throughput");
  cb__var_s(&ch, "names", names.data != NULL ? names.data : "");
  cb__var_s(&ch, "colors", colors.data != NULL ? colors.data : "");
  cb__var_d(&ch, "n", (double)n);
  cb__var_s(&ch, "regrows", regrows.data != NULL ? regrows.data : "");
  cb__var_d(&ch, "threshold", cmp->threshold);
  cb__var_d(&ch, "xmin", lo / 1.15);
  cb__var_d(&ch, "xmax", hi * 1.15);
  cb__var_d(&ch, "lmargin", (double)longest * 0.8 + 2);
  cb__var_d(&ch, "W", 1280);
  cb__var_d(&ch, "H", n * 26 + 300 < 720 ? 720 : (double)n * 26 + 300);
  cb_buf_free(&regrows);
  cb_buf_free(&names);
  cb_buf_free(&colors);
  cb__chart_draw(p, &ch, err, errlen);
  cb__chart_free(&ch);
  return cb__plot_stopped(p) ? -EINTR : p->failed > 0 ? -EIO : 0;
}
