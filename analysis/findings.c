/* The findings (findings.h): every claim of the registry (analysis/claims.c)
 * judged against the cells of a run, one finding per claim or, for a claim
 * per payload size, one per size the run measured; and the same on each
 * host of a fleet apart, with the verdict across the hosts. How a claim is
 * judged is its evaluator's (analysis/eval_*.c) and the judge's
 * (analysis/judge.c): comparisons that claim a difference use the
 * Mann-Whitney U test on the cells' trial samples; comparisons that claim a
 * bound ("no speedup", "within 5%") scale one side by the bound and test
 * against that, so both directions are tested with the same statistic; a
 * slope (memory per worker) is tested by the bootstrap; an outcome (a crash,
 * a limit) needs no test. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "claim.h"
#include "findings.h"
#include "fleet.h"

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

/* Payload sizes of the claim's side cells, ascending, each once. */
static size_t payloads_of(const cb_cells_t *cells, const cb__claim_t *k, const char **out,
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

static void judge_one(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                      const char *payload, cb_finding_t *f)
{
  cb__judge_t j = { 0 };
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
  cb__judge_finish(&j, alpha, f);
}

int cb_findings(const cb_cells_t *cells, double alpha, cb_finding_t **out, size_t *n)
{
  const char *payload[32];
  cb_finding_t *f = NULL;
  size_t i, m = 0, cap = 0, np, q, nclaims;
  const cb__claim_t *claims = cb__claims(&nclaims);

  for (i = 0; i < nclaims; i++) {
    np = claims[i].per_payload
             ? payloads_of(cells, &claims[i], payload, CB_ARRAY_SIZE(payload))
             : 0;
    for (q = 0; q < (np > 0 ? np : 1); q++) {
      if (CB_GROW(f, cap, m, 32) != 0) {
        free(f);
        return -ENOMEM;
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

/* Each host's findings, judged on its cells alone. */
static int judge_hosts(const cb_cells_t *cells, const cb_fleet_t *fl, double alpha,
                       cb_finding_t **f, size_t *n)
{
  cb_cells_t sub;
  size_t i;
  int rc = 0;

  for (i = 0; i < fl->n && rc == 0; i++) {
    rc = cb_fleet_subset(cells, fl->host[i].id, &sub);
    if (rc == 0)
      rc = cb_findings(&sub, alpha, &f[i], &n[i]);
    cb_fleet_subset_free(&sub);
  }
  return rc;
}

/* Room for `cap` claims on every host, each not measured until a host's
 * finding fills it. */
static int alloc_rows(cb_host_findings_t *out, const cb_fleet_t *fl, size_t cap)
{
  size_t i, k;

  out->nhosts = fl->n;
  out->host = calloc(fl->n + 1, sizeof(*out->host));
  out->claim = calloc(cap, sizeof(*out->claim));
  out->chart = calloc(cap, sizeof(*out->chart));
  out->f = calloc(cap * (fl->n + 1), sizeof(*out->f));
  out->across = calloc(cap, sizeof(*out->across));
  out->where = calloc(cap, sizeof(*out->where));
  if (out->host == NULL || out->claim == NULL || out->chart == NULL || out->f == NULL ||
      out->across == NULL || out->where == NULL)
    return -ENOMEM;
  for (i = 0; i < fl->n; i++)
    snprintf(out->host[i], sizeof(out->host[0]), "%s", fl->host[i].label);
  for (k = 0; k < cap * fl->n; k++) {
    out->f[k].verdict = CB_V_UNTESTED;
    snprintf(out->f[k].evidence, sizeof(out->f[k].evidence), "This host holds no cell for it.\n");
  }
  return 0;
}

int cb_findings_per_host(const cb_cells_t *cells, double alpha, cb_host_findings_t *out)
{
  cb_finding_t **f = NULL;
  size_t *n = NULL, i, k, cap = 1;
  cb_fleet_t fl;
  long row;
  int rc;

  memset(out, 0, sizeof(*out));
  if ((rc = cb_fleet_hosts(cells, &fl)) != 0)
    return rc;
  f = calloc(fl.n + 1, sizeof(*f));
  n = calloc(fl.n + 1, sizeof(*n));
  if (f == NULL || n == NULL) {
    rc = -ENOMEM;
    goto out;
  }
  if ((rc = judge_hosts(cells, &fl, alpha, f, n)) != 0)
    goto out;
  /* no more claims than all hosts' findings together: every claim once, and
   * each payload size of the per-payload ones that some host measured */
  for (i = 0; i < fl.n; i++)
    cap += n[i];
  if ((rc = alloc_rows(out, &fl, cap)) != 0)
    goto out;
  for (i = 0; i < fl.n; i++) {
    for (k = 0; k < n[i]; k++) {
      row = claim_row(out, cap, &f[i][k]);
      if (row >= 0)
        out->f[(size_t)row * out->nhosts + i] = f[i][k];
    }
  }
  for (k = 0; k < out->nclaims; k++)
    across_hosts(out, k);
out:
  for (i = 0; f != NULL && i < fl.n; i++)
    free(f[i]);
  free(n);
  free(f);
  cb_fleet_free(&fl);
  if (rc != 0)
    cb_host_findings_free(out);
  return rc;
}
