/* What the export tests (test_export.c, test_export_cli.c) share: a Google
 * Benchmark JSON document read back with jansson into its benchmark entries,
 * field by field (tests/test_gbj.c). */
#ifndef CB_TESTS_TEST_GBJ_H
#define CB_TESTS_TEST_GBJ_H

#include "cb_config.h"
#include "common.h"
#include "csv.h"
#include "export.h"
#include "meta.h"
#include "table.h"

typedef struct entry_s {
  char name[160], run_name[160], run_type[32], time_unit[8];
  double family, instance, repetitions, index, threads, iterations;
  double real_time, cpu_time, items_per_second;
} entry_t;

/* The benchmark entries of a document, in order; returns how many. */
size_t gbj_read_entries(const char *json, entry_t *e, size_t max);

#endif
