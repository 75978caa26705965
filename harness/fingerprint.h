/* The fingerprint of a machine and a build: what decides whether two results
 * can be compared as absolute throughput. Host names cannot decide it (CI
 * runners are all called `runner`, and two development VMs both `vm`), so
 * the fingerprint is made of what the numbers depend on: the CPU model, PUs,
 * cores, caches and kernel (the machine), and the compiler and build type
 * (the build). Every trial row carries these fields as columns, so a
 * fingerprint is read from any trial CSV without its sidecar; `run` also
 * writes it into X.meta.json. Its id (e.g. intel-xeon-processor-2pu-
 * 0123456789ab) names baseline files: a readable part for people and a hash
 * of all seven fields that decides. */
#ifndef CB_FINGERPRINT_H
#define CB_FINGERPRINT_H

#include <stddef.h>

#include "meta.h"
#include "table.h"

/* The fields, by their CSV column names: the machine's first. */
#define CB_FP_FIELDS 7
#define CB_FP_MACHINE 5
extern const char *const cb_fp_columns[CB_FP_FIELDS];

typedef struct cb_fp_s {
  char v[CB_FP_FIELDS][256];
  unsigned known; /* bit i: field i was there (a CSV may lack a column) */
} cb_fp_t;

/* The `caches` column: each kind of cache as LEVEL[d|i]:SIZE/SHARING,
 * space-separated, smallest level first, e.g. "L1d:48K/1 L2:2M/1 L3:480M/2"
 * (sizes in K or M when exact, else bytes); "none" when unknown (no hwloc). */
void cb_fp_caches_text(const cb_cache_t *c, size_t n, char *buf, size_t len);

/* This machine (as collected in m) and this build. */
void cb_fp_of_meta(const cb_meta_t *m, cb_fp_t *fp);
/* The fingerprint of data row `row` (1-based) of a trial CSV. */
void cb_fp_of_row(const cb_table_t *t, size_t row, cb_fp_t *fp);
/* The fingerprint of a whole trial CSV: that of its first row; *several is
 * set when some row has another. -EINVAL (err set) when there is no row. */
int cb_fp_of_table(const cb_table_t *t, cb_fp_t *fp, int *several, char *err, size_t errlen);

/* The id: a slug of the CPU model, the PUs and 12 hex digits of a hash of
 * all fields (unknown ones included as such). */
void cb_fp_id(const cb_fp_t *fp, char *buf, size_t len);

/* How two fingerprints differ, over the first `nfields` fields
 * (CB_FP_MACHINE: the machine only; CB_FP_FIELDS: machine and build).
 * Strict: a field unknown on either side counts as a difference. Not
 * strict: it is skipped, but a side that knows none of the fields differs
 * from everything. Returns the number of differences; `why` gets them as
 * "kernel 'A' vs 'B'; caches unknown in A" (A and B being the labels). */
int cb_fp_diff(const cb_fp_t *a, const cb_fp_t *b, size_t nfields, int strict,
               const char *label_a, const char *label_b, char *why, size_t len);

#endif
