/* Findings: each claim of the folklore judged against the cells of a run.
 * A claim collects comparisons (a Mann-Whitney test of two cells' trial
 * samples, or an outcome that needs no test, such as a crash); their
 * p-values are adjusted by Holm's method within the claim, so a claim with
 * many comparisons does not find differences by chance; then
 *   holds          every significant comparison goes the claim's way,
 *   does not hold  every significant comparison goes against it,
 *   depends        significant comparisons go both ways (the evidence says where),
 *   not shown      no comparison is significant (ties, or too few trials),
 *   not measured   the run holds no cell for the claim.
 * A claim is judged where its premise holds: the folklore's claims about
 * Python are judged under the GIL and in plain C as two findings, and one
 * about moving data once per payload size. */
#ifndef CB_FINDINGS_H
#define CB_FINDINGS_H

#include "summary.h"

typedef enum cb_verdict_e {
  CB_V_HOLDS,
  CB_V_NOT,       /* does not hold */
  CB_V_DEPENDS,
  CB_V_NOT_SHOWN, /* no significant comparison either way */
  CB_V_UNTESTED,  /* the results hold no cell for it */
  CB_V_MACHINE,   /* across hosts judged apart: their verdicts differ (never of one host) */
} cb_verdict_t;

const char *cb_verdict_name(cb_verdict_t v);

/* How to read a verdict, in one paragraph (the report and the README say it). */
#define CB_HOW_TO_READ                                                                      \
  "A comparison pits two cells' trials against each other with a Mann-Whitney U test (a "   \
  "per-worker slope, by the bootstrap; a crash or a limit is an outcome, not a test); the "  \
  "p-values of one claim are adjusted together by Holm's method, so that a claim tested "    \
  "in many cells does not hold by chance. A comparison is significant when its adjusted p "  \
  "is below 0.05, and a tie otherwise. **holds**: every significant comparison goes the "    \
  "claim's way; **does not hold**: every one goes against it; **depends**: some go each "    \
  "way, and the evidence says where; **not shown**: none is significant (ties, or too few "  \
  "trials); **not measured**: the run holds no cell for the claim."

typedef struct cb_finding_s {
  char claim[192];
  const char *chart;   /* chart file stem to link, e.g. "scaling-cpu.hash" */
  cb_verdict_t verdict;
  unsigned wins, losses, ties; /* significant as claimed, against; not significant */
  unsigned weak;       /* comparisons whose samples are too small ever to be significant */
  char headline[400];  /* one line: the numbers the verdict rests on most */
  char evidence[2560]; /* Markdown: the numbers it rests on */
} cb_finding_t;

/* Every finding, in the order of the claims registry (analysis/claims.c;
 * some claims give one finding per scope). 0 or -ENOMEM. */
int cb_findings(const cb_cells_t *cells, double alpha, cb_finding_t **out, size_t *n);

/* Every claim judged on each host's cells apart (analysis/fleet.h): Holm
 * within the claim and the host, exactly as cb_findings judges a run of
 * that one host. Claims are aligned by their text (a claim per payload
 * size may exist on some hosts only: elsewhere it is not measured). Across
 * the hosts a claim gets their common verdict, or CB_V_MACHINE ("depends
 * on the machine") when the hosts that measured it disagree, and `where`
 * says which verdict holds on which hosts. */
typedef struct cb_host_findings_s {
  size_t nhosts, nclaims;
  char (*host)[256];      /* host labels (analysis/fleet.h), in the order of the cells */
  char (*claim)[192];
  const char **chart;
  cb_finding_t *f;        /* nclaims x nhosts, claim-major */
  cb_verdict_t *across;   /* per claim */
  char (*where)[640];     /* per claim: "holds on alpha, beta; not shown on gamma" */
} cb_host_findings_t;

int cb_findings_per_host(const cb_cells_t *cells, double alpha, cb_host_findings_t *out);
void cb_host_findings_free(cb_host_findings_t *h);

#endif
