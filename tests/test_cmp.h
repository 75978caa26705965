/* What the compare tests (test_compare.c, test_compare_output.c,
 * test_compare_metric.c) share: a fixed pseudo-random sequence, samples drawn
 * from it, and trial CSVs of those samples written into a test's directory
 * (tests/test_cmp.c). */
#ifndef CB_TESTS_TEST_CMP_H
#define CB_TESTS_TEST_CMP_H

#include "common.h"
#include "compare.h"
#include "table.h"

/* The columns of a trial CSV (docs/SCHEMA.md), as `concbench run` writes them. */
extern const char cmp_header[];

/* A deterministic generator (splitmix64) for noise. */
extern uint64_t cmp_rng_state;

/* n samples around `center`, spread uniformly by +-noise (a fraction). */
void cmp_noisy(double *v, size_t n, double center, double noise);

/* One cell of a trial CSV: its key, the throughput of each ok trial and
 * what else its rows hold. */
typedef struct cell_s {
  const char *host, *workload, *runner, *transport;
  unsigned c;
  const double *tp;  /* throughput of each ok trial */
  size_t n;
  unsigned crashed;  /* extra trials that crashed */
  const char *size;  /* NULL: 2000 */
  const double *lat99, *rss; /* lat_p99_us and maxrss_kb of each ok trial; NULL: 20, 3000 */
} cell_t;

/* The CPU model of the rows written: what tells machines apart (the host
 * name does not). */
extern const char *cmp_cpu_model;

FILE *cmp_csv_open(const cbt_dir_t *d, const char *name, char *path, size_t len);

/* The rows of one cell: an ok trial per sample, then the crashed ones. */
void cmp_csv_cell(FILE *f, const cell_t *c);

/* csv_cell of a cell given member by member (size NULL: 2000). */
void cmp_put_sized(FILE *f, const char *host, const char *workload, const char *runner,
                   const char *transport, unsigned c, const double *tp, size_t n,
                   unsigned crashed, const char *size);

/* put_sized at the default size. */
void cmp_put_cell(FILE *f, const char *host, const char *workload, const char *runner,
                  const char *transport, unsigned c, const double *tp, size_t n,
                  unsigned crashed);

/* Closed, or fail. */
void cmp_csv_close(FILE *f);

#define REPS 9

/* The samples write_run wrote last, per cell. */
extern double cmp_last_run[3][32];

/* Two cells of cpu.hash (serial, threads c:2) and one of io.sleep, REPS
 * samples each with +-noise, on `host`; `scale[i]` multiplies cell i. */
void cmp_write_run(const cbt_dir_t *d, const char *name, char *path, size_t len,
                   const char *host, double noise, const double scale[3], size_t reps);

/* A scale of write_run that changes nothing. */
extern const double cmp_same[3];

#endif
