/* One side of a comparison (compare.c's, not a public interface): a trial
 * CSV's cells with their compare keys, hosts and machine, and finding a cell
 * or its reference cell among them. */
#ifndef CB_COMPARE_SIDE_H
#define CB_COMPARE_SIDE_H

#include <stddef.h>

#include "cells.h"
#include "fingerprint.h"
#include "summary.h"
#include "table.h"

/* Compare key index k is key column k + 1 (cells.h: the host comes first). */
enum { CB__CK_WORKLOAD, CB__CK_RUNNER, CB__CK_TRANSPORT, CB__CK_PIN, CB__CK_C, CB__CK_TASKS,
       CB__CK_SIZE, CB__CK_PAYLOAD, CB__CK_GIL, CB__CK_SI, CB__CK_DISPATCH };

typedef const char *cb__keyv_t[CB_CMP_KEYS];

/* One file: its cells, each cell's compare key, and the hosts it holds. */
typedef struct cb__side_s {
  cb_cells_t cells;
  cb__keyv_t *key;
  char *hosts;   /* distinct hosts, sorted, comma-separated */
  size_t nhosts;
  cb_fp_t fp;    /* the machine of its first row */
  int fp_several; /* some row comes from another machine or build */
  int built;
} cb__side_t;

/* Build a side from a parsed table; errors prefixed "LABEL: " (when not
 * NULL), a cell on two hosts refused. 0, -EINVAL, -ENOMEM. */
int cb__side_load(const cb_table_t *t, const char *label, cb__side_t *s, char *err,
                  size_t errlen);
void cb__side_free(cb__side_t *s);
/* Index of the cell with compare key `key`, or -1. */
long cb__side_find(const cb__side_t *s, const cb__keyv_t key);
/* The reference cell a cell's speedup divides by: same workload, pin, size
 * and payload, preferably the same tasks; -1 when none. */
long cb__side_reference(const cb__side_t *s, const cb__keyv_t key);
/* 1 when a runner is a reference (serial), not a model (runner.h). */
int cb__is_reference(const char *runner);
/* Names of n cells by compare key (cells.h; the host is not part of it). */
int cb__cmp_names(const cb__keyv_t *key, size_t n, char **name);

#endif
