/* Claims of the folklore and their evaluators, inside analysis/ only. A
 * claim is one row of the registry (analysis/claims.c): its text, its
 * evaluator and the evaluator's parameters, which name the workloads and
 * runners the claim is about, so that no evaluator names one. An evaluator
 * (analysis/eval_*.c, grouped by the kind of comparison) walks the cells
 * and adds to the judge (analysis/judge.h) one comparison per pair of cells
 * it can compare; the helpers below find those cells and say their numbers
 * for people (analysis/claim_cells.c). */
#ifndef CB_CLAIM_H
#define CB_CLAIM_H

#include <stddef.h>

#include "findings.h"
#include "judge.h"
#include "summary.h"

typedef struct cb__claim_s cb__claim_t;
typedef void (*cb__eval_fn)(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                            const char *payload, cb__judge_t *j, cb_finding_t *f);

struct cb__claim_s {
  const char *text;
  cb__eval_fn eval;
  const char *workloads; /* fnmatch pattern */
  const char *side;      /* the contestant the claim favours */
  const char *others;    /* its opponents, comma separated */
  const char *metric;
  int higher_better;
  unsigned min_c;        /* comparisons only at concurrency >= min_c */
  double margin;         /* "no more than", "keeps up": the side may be this much slower */
  const char *chart;
  int gil;               /* 1: under the GIL only; 0: without it only */
  int per_payload;       /* one finding per payload size */
  const char *cpu_work;  /* fnmatch pattern: the CPU-bound workloads (eval_gil) */
};

/* The registry, in the order of the findings; *n is its size. */
const cb__claim_t *cb__claims(size_t *n);

/* ---- evaluators, by kind ----------------------------------------------------- */

/* Two cells in the same setting (analysis/eval_duels.c): the side's model
 * against each opponent's (throughput; memory per worker by its slope), or
 * one workload against another under each model. */
void cb__eval_duels(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                    const char *payload, cb__judge_t *j, cb_finding_t *f);
void cb__eval_slopes(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                     const char *payload, cb__judge_t *j, cb_finding_t *f);
void cb__eval_cheaper(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                      const char *payload, cb__judge_t *j, cb_finding_t *f);

/* A cell against its own series at c = 1 (analysis/eval_scaling.c). */
void cb__eval_gil(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                  const char *payload, cb__judge_t *j, cb_finding_t *f);
void cb__eval_contention(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                         const char *payload, cb__judge_t *j, cb_finding_t *f);

/* Outcomes that need no test (analysis/eval_outcomes.c): crashes, failures
 * contained, how many tasks a crash costs, how many workers each model
 * could hold. */
void cb__eval_crash(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                    const char *payload, cb__judge_t *j, cb_finding_t *f);
void cb__eval_contained(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                        const char *payload, cb__judge_t *j, cb_finding_t *f);
void cb__eval_blast(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                    const char *payload, cb__judge_t *j, cb_finding_t *f);
void cb__eval_reach(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                    const char *payload, cb__judge_t *j, cb_finding_t *f);

/* Where the winner changes along a size: the task time
 * (analysis/eval_granularity.c), the CPU share of mixed work
 * (analysis/eval_mixed.c). */
void cb__eval_granularity(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                          const char *payload, cb__judge_t *j, cb_finding_t *f);
void cb__eval_crossover(const cb_cells_t *cells, const cb__claim_t *k, double alpha,
                        const char *payload, cb__judge_t *j, cb_finding_t *f);

/* ---- the cells a claim compares (analysis/claim_cells.c) --------------------- */

double cb__median_of(const cb_cells_t *cells, size_t c, const char *metric);
unsigned long cb__conc(const cb_cells_t *cells, size_t c);
int cb__is_gil(const cb_cells_t *cells, size_t c);
int cb__key_eq(const cb_cells_t *cells, size_t a, size_t b, const char *column);
/* 1 when the cell's model (without "+gil") is `side` or one of `others`
 * (comma separated); a claim without others judges every model. */
int cb__judges_model(const cb_cells_t *cells, size_t c, const cb__claim_t *k);
/* Trials of a cell with a given status. */
size_t cb__count_status(const cb_cells_t *cells, size_t c, const char *status);

/* The cell of contestant `who` in the same setting as cell `c` (host,
 * workload, size, payload, pin, GIL switch interval) at concurrency `at`
 * (NULL: c's), with measured trials; -1 if none. Its task count may differ
 * when the concurrency does (per-c task counts). */
long cb__find(const cb_cells_t *cells, size_t c, const char *who, const char *at,
              const char *workload);
/* The same for the reference runner (cb_runner_t.reference) in its default
 * variant without the GIL. */
long cb__find_reference(const cb_cells_t *cells, size_t c, const char *at);

/* Mann-Whitney of a's samples against b's scaled by `scale`: is a
 * different from scale x b? *a_more says which way the medians go. */
double cb__scaled_p(const cb_cells_t *cells, size_t a, size_t b, const char *metric,
                    double scale, double *floor, int *a_more);

/* Numbers for people: 12.3k, 4.56M; 9.1 µs, 2.3 ms (a duration in seconds);
 * "21.3 ns/update" from a cell's median throughput and its size (updates
 * per task), or tasks/s without a size. */
void cb__human(double v, char *buf, size_t len);
void cb__duration(double s, char *buf, size_t len);
void cb__per_update(const cb_cells_t *cells, size_t c, char *buf, size_t len);

/* "processes" or "processes+gil": a contestant name in the claim's scope. */
void cb__scoped(const char *name, int gil, char *buf, size_t len);

#endif
