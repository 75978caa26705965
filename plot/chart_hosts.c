/* hosts-scaling, a chart of a CSV of several hosts (a merged fleet; its
 * winners map is in chart_winners.c): per setting of a workload one chart
 * of small multiples, a panel per host, each host's throughput divided by the best median that
 * host reached on the workload, so that the panels compare the models on
 * each machine and not the machines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "chart.h"
#include "fleet.h"

static void append_word(cb_buf_t *b, const char *w)
{
  cb_buf_printf(b, "%s%s", b->len ? " " : "", w);
}

/* One chart of small multiples: the setting of variant `first`, a panel
 * per host that ran it, each normalised by the best median of a model (not
 * serial, the reference) on its host. */
static void hosts_scaling_one(cb__plot_ctx_t *x, size_t first, const char *done,
                              cb__series_t *s, size_t *buf)
{
  cb_plot_t *p = x->p;
  const cb__set_t *set = x->set;
  const cb_fleet_t *fl = x->fl;
  const cb_cells_t *cells = set->cells;
  cb_buf_t titles_ = { 0 }, starts = { 0 }, counts = { 0 }, lnames = { 0 }, lcolors = { 0 };
  cb_buf_t lpoints = { 0 }, ldashes = { 0 };
  char suffix[160], title[256], sub[512], seen[16][64], wl[320];
  size_t h, v, i, k, ns, panels = 0, nseen = 0, block = 0;
  cb_plot_style_t st;
  cb__chart_t ch;
  cb__lines_t l;

  cb__setting_suffix(cells, set, first, suffix, sizeof(suffix));
  cb__chart_init(&ch, x->kind->script, "%s-%s%s", x->kind->name, set->v[first].workload,
                 suffix);
  cb__lines_init(&l, &ch, "concurrency");
  for (h = 0; h < fl->n; h++) {
    double best = 0;
    size_t before = l.n;
    for (v = first; v < set->nv; v++) {
      if (!done[v] && cb__same_setting(cells, &set->v[first], &set->v[v]) &&
          strcmp(cb_cell_key(cells, set->v[v].cell[0], "host"), fl->host[h].id) == 0)
        break;
    }
    if (v == set->nv)
      continue;
    ns = cb__series_of(cells, &set->v[v], s, buf);
    for (i = 0; i < ns; i++) {
      for (k = 0; k < s[i].n && !cb__series_reference(&s[i]); k++) {
        const cb_cell_sum_t *c = &cells->cell[s[i].cell[k]];
        if (c->n_ok > 0 && c->m[CB_M_throughput].median > best)
          best = c->m[CB_M_throughput].median;
      }
    }
    if (best <= 0)
      continue;
    for (i = 0; i < ns; i++) {
      /* serial is the reference, not a model: left out, as in contests;
       * cb__pt_speedup divides by its context: here the host's best */
      if (cb__series_reference(&s[i]) || cb__lines_add(&l, cells, &s[i], cb__pt_speedup, &best) == 0)
        continue;
      for (k = 0; k < nseen && strcmp(seen[k], s[i].name) != 0; k++)
        ;
      if (k == nseen && nseen < CB_ARRAY_SIZE(seen)) {
        snprintf(seen[nseen++], sizeof(seen[0]), "%s", s[i].name);
        cb_plot_style(s[i].name, &st);
        append_word(&lnames, s[i].name);
        append_word(&lcolors, st.color);
        cb_buf_printf(&lpoints, "%s%d", lpoints.len ? " " : "", st.point);
        cb_buf_printf(&ldashes, "%s%d", ldashes.len ? " " : "", st.dash);
      }
    }
    if (l.n == before)
      continue;
    cb_buf_printf(&titles_, "%s%s", panels ? "|" : "", fl->host[h].label);
    cb_buf_printf(&starts, "%s%zu", panels ? " " : "", block + 1);
    cb_buf_printf(&counts, "%s%zu", panels ? " " : "", l.n - before);
    block = l.n;
    panels++;
  }
  if (panels == 0) {
    cb__plot_skip(p, ch.name, "no host has ok trials of it");
    goto out;
  }
  snprintf(title, sizeof(title), "%s: throughput vs concurrency on each host, as a fraction of "
           "that host's best", set->v[first].workload);
  cb__workload_text(cells, &set->v[first], 1, wl, sizeof(wl));
  cb__trials_text(cells, set->v[first].cell, set->v[first].n, sub, sizeof(sub));
  snprintf(sub + strlen(sub), sizeof(sub) - strlen(sub), "  ·  %s", wl);
  cb__var_s(&ch, "ttl", title);
  cb__var_s(&ch, "sub1", sub);
  cb__var_s(&ch, "sub2", "1 = the best median throughput of a model on that host (serial, the "
                     "reference, left out): each panel compares the models on its machine");
  cb__var_s(&ch, "note", "");
  cb__var_s(&ch, "ptitles", titles_.data != NULL ? titles_.data : "");
  cb__var_s(&ch, "pstart", starts.data != NULL ? starts.data : "");
  cb__var_s(&ch, "pcount", counts.data != NULL ? counts.data : "");
  cb__var_d(&ch, "panels", (double)panels);
  cb__var_s(&ch, "lnames", lnames.data != NULL ? lnames.data : "");
  cb__var_s(&ch, "lcolors", lcolors.data != NULL ? lcolors.data : "");
  cb__var_s(&ch, "lpoints", lpoints.data != NULL ? lpoints.data : "");
  cb__var_s(&ch, "ldashes", ldashes.data != NULL ? ldashes.data : "");
  cb__lines_vars(&l, 0, 0, CB__UNIT_TIMES, "");
  /* the normalised axis is the same on every panel: 0 to a little over 1 */
  cb__var_d(&ch, "W", panels < 3 ? 560.0 * (double)panels + 420 : 1680 + 420);
  cb__var_d(&ch, "H", 300 + 420 * (double)((panels + 2) / 3));
  cb__chart_draw(p, &ch, x->err, x->errlen);
out:
  cb_buf_free(&titles_);
  cb_buf_free(&starts);
  cb_buf_free(&counts);
  cb_buf_free(&lnames);
  cb_buf_free(&lcolors);
  cb_buf_free(&lpoints);
  cb_buf_free(&ldashes);
  cb__lines_free(&l);
  cb__chart_free(&ch);
}

/* A chart per setting, its panels the hosts that ran it. */
void cb__draw_hosts_scaling(cb__plot_ctx_t *x)
{
  const cb__set_t *set = x->set;
  const cb_cells_t *cells = set->cells;
  char *done = calloc(set->nv + 1, 1);
  cb__series_t *s = calloc(cells->n + 1, sizeof(*s));
  size_t *buf = malloc((cells->n + 1) * sizeof(*buf));
  size_t v, w;

  if (done == NULL || s == NULL || buf == NULL) {
    cb__plot_skip(x->p, "hosts-scaling-*", "out of memory");
    goto out;
  }
  for (v = 0; v < set->nv; v++) {
    if (done[v])
      continue;
    hosts_scaling_one(x, v, done, s, buf);
    for (w = v; w < set->nv; w++)
      done[w] |= cb__same_setting(cells, &set->v[v], &set->v[w]);
  }
out:
  free(buf);
  free(s);
  free(done);
}
