/* The payload chart: bytes moved per second against the payload size, at
 * one concurrency, one line per contestant: where copying between
 * processes starts to cost against passing pointers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cb.h"
#include "chart.h"

static int pt_bytes(const cb_cells_t *cells, size_t c, double *v, const void *ctx)
{
  CB_UNUSED(ctx);
  /* in and out */
  return cb__pt_metric(cells, c, v, CB_M_throughput, 2 * cb__key_num(cells, c, "payload"));
}

static double payload_x(const cb_cells_t *cells, size_t c)
{
  return cb__key_num(cells, c, "payload");
}

/* Of the kind's workload (CB_CHART_PAYLOAD: it has a payload). */
void cb__draw_payload(cb__plot_ctx_t *x)
{
  cb_plot_t *p = x->p;
  const cb__set_t *set = x->set;
  const cb_cells_t *cells = set->cells;
  const char *name = x->kind->name, *wname = x->workload;
  size_t i, k, n = 0, ns = 0, npay = 0;
  double pus = 0, best = 0, pays[64];
  size_t *pick = NULL;
  cb__series_t *s = NULL;
  cb__variant_t v = { 0 };
  cb__chart_t ch;
  cb__lines_t l;
  char title[256], sub[512], wl[320], tr[160], extra[160], why[160];

  /* The concurrency: the largest at most PUs that a concurrent runner ran
   * (all cores busy, none oversubscribed), else the smallest. */
  for (i = 0; i < cells->n; i++) {
    size_t c = set->order[i];
    double cc = cb__concurrency(cells, c);
    if (strcmp(cb_cell_key(cells, c, "workload"), wname) != 0 ||
        cells->cell[c].n_ok == 0)
      continue;
    if (pus == 0)
      pus = cb__key_num(cells, c, "pus");
    if (cb_cell_reference(cells, c))
      continue;
    if ((cc <= pus && cc > best) || (best == 0) || (best > pus && cc < best))
      best = cc;
  }
  if (best == 0) {
    snprintf(why, sizeof(why), "no %s cells with ok trials of a concurrent runner", wname);
    cb__plot_skip(p, name, why);
    return;
  }
  pick = malloc((cells->n + 1) * sizeof(*pick));
  s = calloc(cells->n + 1, sizeof(*s));
  if (pick == NULL || s == NULL) {
    cb__plot_skip(p, name, "out of memory");
    goto out;
  }
  /* Cells at that concurrency, by contestant then payload (the set's order
   * is by payload first, through the variants). */
  for (i = 0; i < cells->n; i++) {
    size_t c = set->order[i];
    if (strcmp(cb_cell_key(cells, c, "workload"), wname) == 0 && cb__concurrency(cells, c) == best)
      pick[n++] = c;
  }
  for (i = 0; i < n; i++) {
    double pay = cb__key_num(cells, pick[i], "payload");
    for (k = 0; k < npay && pays[k] != pay; k++)
      ;
    if (k == npay && npay < CB_ARRAY_SIZE(pays) && pay > 0)
      pays[npay++] = pay;
  }
  if (cb__series_group(cells, pick, n, s, &ns) != 0)
    goto out;
  if (npay < 2) {
    snprintf(why, sizeof(why), "%s ran with one payload size (run it with e.g. "
             "--payload 64,65536,1048576)", wname);
    cb__plot_skip(p, name, why);
    goto out;
  }
  /* Series in legend order, each by payload. */
  for (i = 0; i < ns; i++) {
    for (k = i + 1; k < ns; k++) {
      if (cb_plot_rank(s[k].name) < cb_plot_rank(s[i].name)) {
        cb__series_t t = s[i];
        s[i] = s[k];
        s[k] = t;
      }
    }
  }
  cb__series_sort(cells, s, ns, payload_x);
  cb__chart_init(&ch, x->kind->script, "%s", name);
  cb__lines_init(&l, &ch, "payload");
  v.workload = wname;
  v.cell = pick;
  v.n = n;
  snprintf(title, sizeof(title), "%s: data moved vs payload size (c = %g)", wname, best);
  cb__workload_text(cells, &v, 0, wl, sizeof(wl));
  cb__trials_text(cells, pick, n, tr, sizeof(tr));
  snprintf(sub, sizeof(sub), "%s  ·  %s", wl, tr);
  cb__titles(&ch, cells, pick, n, title, sub);
  {
    cb__plot_ctx_t y = { .p = p, .cells = cells, .v = &v, .s = s, .ns = ns };
    snprintf(extra, sizeof(extra), "bytes moved = 2 x payload x tasks/s (in and out); "
                                   "threads and eventloop pass pointers, processes copy");
    cb__note(&ch, &y, extra);
  }
  for (i = 0; i < ns; i++)
    cb__lines_add(&l, cells, &s[i], pt_bytes, NULL);
  if (l.n == 0) {
    snprintf(why, sizeof(why), "no %s series with ok trials", wname);
    cb__plot_skip(p, name, why);
  } else {
    cb__lines_vars(&l, CB__X_BYTES, 1, CB__UNIT_IEC, "B/s");
    cb__chart_draw(p, &ch, x->err, x->errlen);
  }
  cb__lines_free(&l);
  cb__chart_free(&ch);
out:
  for (i = 0; s != NULL && i < ns; i++)
    free(s[i].cell);
  free(s);
  free(pick);
}
