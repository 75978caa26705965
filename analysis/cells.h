/* What a cell is, in one place: the key columns that make one (summary,
 * compare, ab), the name that stands for one in comparisons and exports
 * (docs/SCHEMA.md, "Names"), and which transport and dispatch mode are its
 * runner's defaults, left out of names and labels. The defaults come from
 * the runner registry (the first transport and dispatch mode a runner
 * lists), never from runner or transport names written here, so a new
 * runner is named right without a line in this file. */
#ifndef CB_CELLS_H
#define CB_CELLS_H

#include <stddef.h>

/* The key columns, in the order of the summary CSV. A cell of one file is
 * one value of all of them; a cell across files (compare, ab) is one value
 * of all of them but the host, the first. */
enum {
  CB_KEY_HOST,
  CB_KEY_WORKLOAD,
  CB_KEY_RUNNER,
  CB_KEY_TRANSPORT,
  CB_KEY_PIN,
  CB_KEY_CONCURRENCY,
  CB_KEY_TASKS,
  CB_KEY_SIZE,
  CB_KEY_PAYLOAD,
  CB_KEY_GIL,
  CB_KEY_SWITCH_INTERVAL,
  CB_KEY_DISPATCH,
  CB_KEY_PROCS,
  CB_KEYS
};
extern const char *const cb_key_columns[CB_KEYS];
extern const size_t cb_key_columns_count;

/* Compare's key: every key column but the host (cb_key_columns + 1). */
#define CB_CMP_KEYS (CB_KEYS - 1)
extern const char *const *const cb_compare_key_columns;

/* One cell's key values, by CB_KEY_* index. */
typedef const char *cb_keyv_t[CB_KEYS];

/* The value an optional key column that a file lacks stands for (older CSVs
 * have no gil, switch_interval_us or dispatch: "0", "0", ""), or NULL when
 * the column is required. */
const char *cb_key_absent(const char *column);

/* A key value as it identifies a cell: `raw` (the column's value, or
 * cb_key_absent's), except for procs of a runner that does not take
 * --procs, which is "" (its processes follow from its runner and c, and
 * older files lack the column): hybrids are told apart by P, the rest
 * match across files old and new. T follows from c and P. */
const char *cb_key_value(const char *column, const char *runner, const char *raw);

/* 1 when `dispatch` is the default of `runner` (its first in the registry)
 * or was not recorded (""): names and labels leave it out. An unknown runner
 * has no default: anything recorded is named. Transports: the registry's
 * cb_runner_default_transport (include/runner.h). */
int cb_default_dispatch(const char *runner, const char *dispatch);

/* The name of the registry's first reference runner (serial), for messages
 * about speedups; "reference" when there is none. */
const char *cb_reference_runner(void);

/* The names of n cells (docs/SCHEMA.md, "Names"): WORKLOAD/RUNNER/c:C/pin:P,
 * then /transport:T and /dispatch:D when not the runner's default,
 * /payload:N when not 0, /gil in GIL mode; then size, tasks, transport,
 * switch_interval_us, dispatch and host, in that order, are added as
 * /COLUMN:VALUE only to the names that would still collide with a cell that
 * differs in them. A host of NULL or "" everywhere (compare's cells) never
 * adds one. name[i] is malloc'd; 0 or -ENOMEM (then name[] holds nothing to
 * free). */
int cb_cell_names(const cb_keyv_t *key, size_t n, char **name);
/* Free n names and the array that holds them. */
void cb_cell_names_free(char **name, size_t n);

/* The same over the cells of one file (summary.h), with or without the
 * host: name[] has cells->n entries. */
struct cb_cells_s;
int cb_cells_names(const struct cb_cells_s *cells, int with_host, char **name);
/* 0 when no two cells of the file agree on compare's key (every key column
 * but the host); else -EINVAL with err saying "[LABEL: ]cell NAME was
 * measured on two hosts (A, B); …", or -ENOMEM. */
int cb_cells_one_host(const struct cb_cells_s *cells, const char *label, char *err,
                      size_t errlen);

#endif
