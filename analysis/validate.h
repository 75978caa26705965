/* Checking a trial CSV read back before anyone computes with it. Every
 * column a reader uses is checked in every row: numbers are plain decimals
 * within the bounds a run can produce (finite, not negative; whole numbers
 * where the run writes whole numbers; concurrency >= 1, tasks within
 * --tasks' bounds, failed <= tasks), names are known (status, runner, pin)
 * or at least name-shaped (workload, transport, family), text has no control
 * characters. A file that fails is refused with the line, the column and the
 * value, so that no impossible value (inf, a negative time, 1e23 tasks, an
 * empty workload) reaches a summary, a chart or a comparison. */
#ifndef CB_VALIDATE_H
#define CB_VALIDATE_H

#include <stddef.h>

#include "table.h"

/* 0, or -EINVAL with `err` holding "line N: COLUMN 'VALUE' is not ...". */
int cb_trials_check(const cb_table_t *t, char *err, size_t errlen);

/* Load a trial CSV for a command: read, parse, check, and refuse a file
 * without trials (header only) the same way everywhere. 0; -EINVAL (bad
 * input: `err` names the file, the line and what is wrong), -ENOMEM or
 * -errno from reading it (`err` names the file). */
int cb_trials_load(const char *path, cb_table_t *t, char *err, size_t errlen);

#endif
