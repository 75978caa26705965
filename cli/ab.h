/* The parts of `concbench ab` (cli/cmd_ab.c: options, outputs, verdict;
 * cli/ab_rows.c: the trials kept; cli/ab_slot.c: one trial by a side's
 * binary, and the schedule of both sides). Private to cli/. */
#ifndef CB_AB_H
#define CB_AB_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "compare.h"
#include "matrix_opts.h"
#include "output.h"
#include "progress.h"
#include "table.h"

enum { SIDE_BASE, SIDE_NEW, SIDES };
extern const char *const cb__ab_sides[SIDES];

typedef enum { FMT_TEXT, FMT_MD, FMT_JSON, FMT_CSV } cb_ab_format_t;


typedef struct opts_s {
  cb_mopts_t mo; /* the matrix, --reps, --warmup, --trial-timeout (cli/matrix_opts.h) */
  const char *bin[SIDES], *base_rev, *source, *output;
  int quiet, dry_run;
  cb_compare_opts_t cmp;
  cb_ab_format_t format;
} cb_ab_opts_t;

/* The trials kept: every column that either side's CSV had, in order of
 * first appearance, and each row's values by column (NULL: not written). */
typedef struct row_s {
  int side;
  size_t cell;
  char **v;
  size_t nv;
} cb_ab_row_t;

typedef struct rows_s {
  char **col;
  unsigned *from; /* per column: bit s when side s wrote it */
  size_t ncols;
  cb_ab_row_t *row;
  size_t n, cap;
} cb_ab_rows_t;

typedef struct session_s {
  const cb_ab_opts_t *o;
  const cb_matrix_t *m;
  char tmp[4096];       /* our private directory */
  char trial_csv[4200]; /* where each trial writes */
  char trial_err[4200];
  char run_id[48];
  char bin[SIDES][PATH_MAX];
  unsigned char *refused; /* per side and cell: the side cannot run it */
  unsigned *reps;         /* per side and cell: recorded trials so far */
  size_t not_ok[SIDES];
  cb_ab_rows_t rows;
  uint64_t last_write;
  cb_output_t out, compare_out; /* opened before anything runs (harness/output.h) */
  char *lock_path;              /* beside a regular output: one ab per output */
  int lock_fd;
  cb_progress_t pg;             /* on a terminal, or a line every 10 s in a log */
} cb_ab_session_t;

/* What the row of a cell must say in compare's key columns. */
void cb__ab_cell_key(const cb_cell_t *c, char key[CB_CMP_KEYS][64]);
/* Keep data row 1 of t as a row of `side` and cell, with run_id and rep
 * replaced. 0 or -ENOMEM. */
int cb__ab_rows_add(cb_ab_rows_t *rs, int side, size_t cell, const cb_table_t *t,
                    const char *run_id, unsigned rep);
/* The rows of both sides (side < 0: the side column first, then every
 * column, as written), or of one side, to be judged (m given): only the
 * columns it wrote, and each compare key column it lacks with the value of
 * the cell its trial was asked for (cli/ab_rows.c says why). */
void cb__ab_rows_csv(const cb_ab_rows_t *rs, int side, const cb_matrix_t *m, cb_buf_t *b);
void cb__ab_rows_free(cb_ab_rows_t *rs);
/* The first value of a column among a side's rows, or "". */
const char *cb__ab_rows_first(const cb_ab_rows_t *rs, int side, const char *name);

/* The output CSV: a regular file is rewritten as trials come in; a stream
 * takes it once, at the end (`final`). 0 or -errno (said). */
int cb__ab_write_output(cb_ab_session_t *s, int final);
/* Every trial of both sides in one seeded order. 0, -EINTR, -EINVAL with
 * err (a side that cannot run), -EIO (said) or -ENOMEM. */
int cb__ab_run_schedule(cb_ab_session_t *s, char *err, size_t errlen);

#endif
