/* Reading CSV files back: the trial CSVs that summary, compare, plot and
 * report consume. RFC 4180 (quoted fields, doubled quotes, CRLF or LF), a
 * header row first. Every row must have as many fields as the header; a
 * malformed file is an error that names the file and the line. A table
 * costs little more than its text: a file is parsed in place, and each field
 * is a 32-bit offset (files of 4 GiB or more are refused). */
#ifndef CB_TABLE_H
#define CB_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cb_table_s {
  uint32_t *cells;  /* rows x cols offsets of fields in blob, row-major; row 0 is the header */
  size_t rows, cols;
  size_t *line;     /* the line each row starts on, 1-based */
  char *blob;       /* storage of every field, NUL-terminated each */
  uint32_t *names;  /* the header's columns by hash of their name (open
                       addressing, nnames slots, 0 free, else column + 1) */
  size_t nnames;
} cb_table_t;

/* Parse `len` bytes of CSV text. 0, or -EINVAL with `err` holding "line N:
 * what is wrong", or -ENOMEM. An empty text is -EINVAL ("empty"). */
int cb_table_parse(const char *text, size_t len, cb_table_t *t, char *err, size_t errlen);
/* Read and parse a file, or standard input when path is "-"; errors name
 * the file ("stdin"). 0, -errno. */
int cb_table_load(const char *path, cb_table_t *t, char *err, size_t errlen);
void cb_table_free(cb_table_t *t);

/* Column of a header name, or -1 (the first of equal names). O(1). */
long cb_table_col(const cb_table_t *t, const char *name);
/* Field of data row r (1-based: row 0 is the header). */
static inline const char *cb_table_get(const cb_table_t *t, size_t r, size_t c)
{
  return t->blob + t->cells[r * t->cols + c];
}

/* Check that every name is a column; -EINVAL naming the first missing one. */
int cb_table_require(const cb_table_t *t, const char *const *names, size_t n, char *err,
                     size_t errlen);

#endif
