/* Judging one claim, inside analysis/ only: an evaluator (analysis/eval_*.c)
 * adds one comparison per pair of cells it can compare, and
 * cb__judge_finish turns them into the finding's verdict with Holm's
 * adjustment within the claim, then writes the evidence: the comparisons
 * as Markdown lines (the significant ones first) and a closing sentence
 * with the counts. */
#ifndef CB_JUDGE_H
#define CB_JUDGE_H

#include <stddef.h>

#include "findings.h"

#define CB__OUTCOME (-1.0) /* a comparison's p when it is an outcome, not a test */

typedef struct cb__cmp_s {
  double p, floor; /* p of the test (CB__OUTCOME: none), smallest p its samples allow */
  int as_claimed;  /* the numbers go the claim's way */
  char line[320];
} cb__cmp_t;

typedef struct cb__judge_s {
  cb__cmp_t *v;
  size_t n, cap;
  int failed;
  char note[1024]; /* a closing sentence of the evaluator's, after the counts */
} cb__judge_t;

/* One comparison, its line printf-style. Out of memory marks the judge
 * failed (its finding then says so). */
void cb__judge_add(cb__judge_t *j, double p, double floor, int as_claimed, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The verdict, headline and evidence of f from j's comparisons; frees and
 * clears j. */
void cb__judge_finish(cb__judge_t *j, double alpha, cb_finding_t *f);

/* Appends to f's evidence, printf-style, as much as it holds. */
void cb__evidence_add(cb_finding_t *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
