/* Exports of one trial CSV for other tools: the trials in Google Benchmark's
 * JSON format, and one entry per cell for dashboards.
 *
 * The trials of a CSV in Google Benchmark's JSON format (json_schema_version
 * 1, as Google Benchmark 1.7 writes it with --benchmark_format=json and
 * --benchmark_repetitions), so that its tools, compare.py first, read our
 * results. Each cell of the CSV (grouped by the summary's key columns) is one
 * benchmark; each of its `ok` trials is one repetition of it, with tasks as
 * iterations. docs/SCHEMA.md documents the mapping. */
#ifndef CB_EXPORT_H
#define CB_EXPORT_H

#include <stddef.h>

#include "csv.h"
#include "meta.h"
#include "table.h"

/* Append the JSON document for the trials of `t` to `out`. `meta` gives the
 * "context" object (the run's X.meta.json, cb_meta_read); when NULL the
 * context comes from the CSV (host, pus, timestamp, build_type) and zeros.
 * A number that is not finite is null. 0, -EINVAL with `err` naming a missing
 * column or a bad value (with its line), or -ENOMEM. */
int cb_export_gbench(const cb_table_t *t, const cb_meta_t *meta, cb_buf_t *out, char *err,
                     size_t errlen);

/* Parse `len` bytes of trial CSV, export them and replace `path` atomically
 * with the JSON. 0 or -errno, with `err` saying what went wrong. */
int cb_export_gbench_file(const char *path, const char *csv, size_t len, const cb_meta_t *meta,
                          char *err, size_t errlen);

/* Exports of one trial CSV for dashboards, one entry per cell with ok
 * trials, named as compare names cells (cells.h, without the host):
 * github-action-benchmark's "customBiggerIsBetter" JSON array, and the
 * Bencher Metric Format. 0, -EINVAL with err (missing column, bad value, a
 * cell on two hosts), or -ENOMEM. */
int cb_export_custom_bigger(const cb_table_t *t, cb_buf_t *out, char *err, size_t errlen);
int cb_export_bmf(const cb_table_t *t, cb_buf_t *out, char *err, size_t errlen);

#endif
