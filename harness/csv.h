/* Output files: a growable text buffer, RFC 4180 fields, and atomic file
 * replacement (harness/output.h: a temporary file beside the target, fsync,
 * rename), so a reader never sees half a file and an interrupted run leaves
 * the last complete version. */
#ifndef CB_CSV_H
#define CB_CSV_H

#include <stddef.h>
#include <stdint.h>

typedef struct cb_buf_s {
  char *data;
  size_t len, cap;
  int failed; /* an allocation failed: the content is incomplete */
} cb_buf_t;

void cb_buf_free(cb_buf_t *b);
void cb_buf_printf(cb_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cb_buf_put(cb_buf_t *b, const char *s, size_t n);
/* One CSV field, quoted when it holds a comma, quote, CR or LF. */
void cb_buf_csv_str(cb_buf_t *b, const char *s);
/* A JSON string literal, quoted and escaped. */
void cb_buf_json_str(cb_buf_t *b, const char *s);
/* A value as Markdown text: characters that would start markup (emphasis,
 * code, links, HTML, a table cell's end) escaped with a backslash, control
 * characters written out (\n, \x1b), so that no value changes a document's
 * structure. cb_md_escape writes into out (len bytes, NUL-terminated,
 * truncated with "…" when it does not fit); cb_buf_md appends. */
void cb_md_escape(char *out, size_t len, const char *s);
void cb_buf_md(cb_buf_t *b, const char *s);
/* A double as the shortest %g decimal that reads back exactly. */
void cb_buf_csv_double(cb_buf_t *b, double v);

/* Write `len` bytes to `path` as harness/output.h does for its kind: a regular
 * file is replaced atomically (never a temporary file left behind), a device
 * or a FIFO with a reader is written in place, anything else is refused.
 * 0 or -errno. */
int cb_write_atomic(const char *path, const void *data, size_t len);
/* Check that `path` could be written by cb_write_atomic (its directory exists
 * and is writable; it is not a directory, a socket or a FIFO without a
 * reader). 0 or -errno. Creates nothing. */
int cb_check_writable(const char *path);

#endif
