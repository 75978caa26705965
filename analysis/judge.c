/* From comparisons to a verdict (analysis/judge.h). The p-values of one
 * claim are adjusted together by Holm's method; a comparison is then of
 * one kind: as claimed or against the claim (significant), a tie (not
 * significant), or weak (its samples are too small ever to be significant,
 * whatever they hold). The verdict follows from the counts of the kinds
 * (findings.h); the evidence, written apart from the judging, lists the
 * comparisons by kind and closes with the counts. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "judge.h"
#include "stats.h"

enum { SHOWN = 10 }; /* evidence lines shown per finding */

enum { K_AGAINST, K_AS_CLAIMED, K_TIE, K_WEAK };

static const char *const kind_text[] = {
  [K_AGAINST] = "against the claim",
  [K_AS_CLAIMED] = "as claimed",
  [K_TIE] = "no significant difference",
  [K_WEAK] = "too few trials to tell",
};

void cb__judge_add(cb__judge_t *j, double p, double floor, int as_claimed, const char *fmt, ...)
{
  va_list ap;

  if (CB_GROW(j->v, j->cap, j->n, 16) != 0) {
    j->failed = 1;
    return;
  }
  j->v[j->n].p = p;
  j->v[j->n].floor = floor;
  j->v[j->n].as_claimed = as_claimed;
  va_start(ap, fmt);
  vsnprintf(j->v[j->n].line, sizeof(j->v[j->n].line), fmt, ap);
  va_end(ap);
  j->n++;
}

void cb__evidence_add(cb_finding_t *f, const char *fmt, ...)
{
  size_t used = strlen(f->evidence);
  va_list ap;

  if (used + 1 >= sizeof(f->evidence))
    return;
  va_start(ap, fmt);
  vsnprintf(f->evidence + used, sizeof(f->evidence) - used, fmt, ap);
  va_end(ap);
}

/* ---- judging ---------------------------------------------------------------- */

/* Holm within the claim, then each comparison's kind and the counts. */
static void classify(const cb__judge_t *j, double alpha, double *adj, int *kind,
                     cb_finding_t *f)
{
  size_t i;

  for (i = 0; i < j->n; i++)
    adj[i] = j->v[i].p == CB__OUTCOME ? 0 : j->v[i].p;
  cb_holm(adj, j->n);
  for (i = 0; i < j->n; i++) {
    const cb__cmp_t *c = &j->v[i];
    if (c->p != CB__OUTCOME && c->floor >= alpha)
      kind[i] = K_WEAK;
    else if (adj[i] >= alpha)
      kind[i] = K_TIE;
    else
      kind[i] = c->as_claimed ? K_AS_CLAIMED : K_AGAINST;
    f->wins += kind[i] == K_AS_CLAIMED;
    f->losses += kind[i] == K_AGAINST;
    f->ties += kind[i] == K_TIE;
    f->weak += kind[i] == K_WEAK;
  }
}

static cb_verdict_t verdict_of(const cb__judge_t *j, const cb_finding_t *f)
{
  if (j->n == 0)
    return CB_V_UNTESTED;
  if (f->wins > 0 && f->losses == 0)
    return CB_V_HOLDS;
  if (f->losses > 0 && f->wins == 0)
    return CB_V_NOT;
  return f->wins > 0 ? CB_V_DEPENDS : CB_V_NOT_SHOWN;
}

/* The most significant comparison of a kind, or -1. */
static long strongest(const cb__judge_t *j, const int *kind, const double *adj, int k)
{
  long best = -1;
  size_t i;

  for (i = 0; i < j->n; i++) {
    if (kind[i] == k && (best < 0 || adj[i] < adj[best]))
      best = (long)i;
  }
  return best;
}

/* The line a verdict rests on most: the strongest comparison its way (both
 * ways when it depends; the first tie when nothing is shown). */
static void headline(const cb__judge_t *j, const int *kind, const double *adj, cb_finding_t *f)
{
  long w = strongest(j, kind, adj, K_AS_CLAIMED), l = strongest(j, kind, adj, K_AGAINST);
  long t = strongest(j, kind, adj, K_TIE), weak = strongest(j, kind, adj, K_WEAK);

  if (f->verdict == CB_V_DEPENDS)
    snprintf(f->headline, sizeof(f->headline), "as claimed: %.180s; against: %.180s",
             j->v[w].line, j->v[l].line);
  else if (f->verdict == CB_V_HOLDS || f->verdict == CB_V_NOT)
    snprintf(f->headline, sizeof(f->headline), "%s", j->v[w >= 0 ? w : l].line);
  else if (t >= 0 || weak >= 0)
    snprintf(f->headline, sizeof(f->headline), "%s%s", j->v[t >= 0 ? t : weak].line,
             t >= 0 ? "" : " (too few trials)");
}

/* ---- the evidence, as Markdown ----------------------------------------------- */

/* The comparisons by kind (against the claim first), at most SHOWN, then
 * the counts and the evaluator's note. */
static void evidence_md(const cb__judge_t *j, const int *kind, const double *adj,
                        cb_finding_t *f)
{
  size_t i, k, shown = 0;

  for (k = K_AGAINST; k <= K_WEAK; k++) {
    for (i = 0; i < j->n; i++) {
      if (kind[i] != (int)k || shown++ >= SHOWN)
        continue;
      if (j->v[i].p == CB__OUTCOME)
        cb__evidence_add(f, "- %s: %s\n", j->v[i].line, kind_text[k]);
      else
        cb__evidence_add(f, "- %s (p=%.2g, Holm %.2g): %s\n", j->v[i].line, j->v[i].p, adj[i],
                         kind_text[k]);
    }
  }
  if (shown > SHOWN)
    cb__evidence_add(f, "- … and %zu more comparisons\n", shown - SHOWN);
  if (j->n == 0) {
    cb__evidence_add(f, "These results hold no cell for it.\n");
    return;
  }
  cb__evidence_add(f, "\nOver %zu comparisons (p-values adjusted by Holm within the claim): "
                      "%u as claimed, %u against, %u without a significant difference", j->n,
                   f->wins, f->losses, f->ties);
  if (f->weak > 0)
    cb__evidence_add(f, ", %u with too few trials to tell (run with --reps 5 or more)", f->weak);
  cb__evidence_add(f, ".%s%s\n", j->note[0] != '\0' ? " " : "", j->note);
}

void cb__judge_finish(cb__judge_t *j, double alpha, cb_finding_t *f)
{
  double *adj = malloc((j->n + 1) * sizeof(*adj));
  int *kind = malloc((j->n + 1) * sizeof(*kind));

  if (adj == NULL || kind == NULL || j->failed) {
    snprintf(f->evidence, sizeof(f->evidence), "Out of memory while judging.\n");
    f->verdict = CB_V_UNTESTED;
    goto out;
  }
  classify(j, alpha, adj, kind, f);
  while (strlen(j->note) > 0 && j->note[strlen(j->note) - 1] == ' ')
    j->note[strlen(j->note) - 1] = '\0';
  f->verdict = verdict_of(j, f);
  if (f->verdict != CB_V_UNTESTED) {
    headline(j, kind, adj, f);
    if (j->note[0] != '\0') /* an evaluator's own summary says it best */
      snprintf(f->headline, sizeof(f->headline), "%.399s", j->note);
  }
  evidence_md(j, kind, adj, f);
out:
  free(kind);
  free(adj);
  free(j->v);
  memset(j, 0, sizeof(*j));
}
