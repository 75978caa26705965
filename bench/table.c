/* CSV reader; see table.h. One pass over the text builds the fields into a
 * single blob (each field NUL-terminated), so a table is three allocations
 * however large it is. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "table.h"

typedef struct builder_s {
  cb_table_t *t;
  char **fields;    /* all fields so far */
  size_t nfields, capfields;
  size_t *line;
  size_t caplines;
  size_t row_start; /* index in fields where the current row starts */
} builder_t;

static int push_field(builder_t *b, char *f)
{
  char **p;

  if (b->nfields == b->capfields) {
    b->capfields = b->capfields ? b->capfields * 2 : 256;
    p = realloc(b->fields, b->capfields * sizeof(*p));
    if (p == NULL)
      return -ENOMEM;
    b->fields = p;
  }
  b->fields[b->nfields++] = f;
  return 0;
}

/* End of a record that started on `line`. */
static int end_row(builder_t *b, size_t line, char *err, size_t errlen)
{
  cb_table_t *t = b->t;
  size_t n = b->nfields - b->row_start, *p;

  if (t->rows == 0) {
    t->cols = n;
  } else if (n != t->cols) {
    snprintf(err, errlen, "line %zu: %zu fields, the header has %zu", line, n, t->cols);
    return -EINVAL;
  }
  if (t->rows == b->caplines) {
    b->caplines = b->caplines ? b->caplines * 2 : 256;
    p = realloc(b->line, b->caplines * sizeof(*p));
    if (p == NULL)
      return -ENOMEM;
    b->line = p;
  }
  b->line[t->rows++] = line;
  b->row_start = b->nfields;
  return 0;
}

/* The scanner: fields are copied unquoted into `out`, which never grows
 * faster than the input, so one blob of len + 1 bytes holds them all. */
static int scan(builder_t *b, const char *s, size_t len, char *out, char *err, size_t errlen)
{
  size_t i = 0, line = 1, row_line = 1;
  char *f = out;
  int err2, quoted;

  while (i < len) {
    if (b->nfields == b->row_start && (s[i] == '\n' || s[i] == '\r')) {
      /* An empty line between records (files pasted together): skip it. */
      line += s[i] == '\n';
      row_line = line;
      i++;
      continue;
    }
    quoted = s[i] == '"';
    if (quoted) {
      for (i++;; i++) {
        if (i >= len) {
          snprintf(err, errlen, "line %zu: a quoted field is not closed", row_line);
          return -EINVAL;
        }
        if (s[i] == '"' && i + 1 < len && s[i + 1] == '"') {
          *out++ = '"';
          i++;
        } else if (s[i] == '"') {
          i++;
          break;
        } else if (s[i] == '\0') {
          snprintf(err, errlen, "line %zu: a NUL byte inside a field", line);
          return -EINVAL;
        } else {
          line += s[i] == '\n';
          *out++ = s[i];
        }
      }
    } else {
      while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
        if (s[i] == '"' || s[i] == '\0') {
          snprintf(err, errlen, "line %zu: %s inside an unquoted field", line,
                   s[i] == '"' ? "a quote" : "a NUL byte");
          return -EINVAL;
        }
        *out++ = s[i++];
      }
    }
    *out++ = '\0';
    if ((err2 = push_field(b, f)) != 0)
      return err2;
    f = out;
    if (i < len && s[i] == ',') {
      i++;
      if (i == len && (err2 = push_field(b, out)) != 0)
        return err2; /* a trailing comma ends with an empty field */
      if (i == len)
        *out++ = '\0';
      continue;
    }
    if (i < len && s[i] == '\r')
      i++;
    if (i < len && s[i] == '\n')
      i++;
    else if (i < len) {
      snprintf(err, errlen, "line %zu: text after a closing quote", line);
      return -EINVAL;
    }
    if ((err2 = end_row(b, row_line, err, errlen)) != 0)
      return err2;
    row_line = ++line;
  }
  if (b->nfields > b->row_start)
    return end_row(b, row_line, err, errlen);
  return 0;
}

int cb_table_parse(const char *text, size_t len, cb_table_t *t, char *err, size_t errlen)
{
  builder_t b = { .t = t };
  int rc;

  memset(t, 0, sizeof(*t));
  if (len == 0) {
    snprintf(err, errlen, "empty");
    return -EINVAL;
  }
  t->blob = malloc(len + 2);
  if (t->blob == NULL)
    return -ENOMEM;
  rc = scan(&b, text, len, t->blob, err, errlen);
  if (rc == 0 && t->rows > 0 && t->cols == 0)
    rc = -EINVAL;
  if (rc == 0) {
    t->cells = b.fields;
    t->line = b.line;
    return 0;
  }
  free(b.fields);
  free(b.line);
  free(t->blob);
  memset(t, 0, sizeof(*t));
  return rc;
}

int cb_table_load(const char *path, cb_table_t *t, char *err, size_t errlen)
{
  char msg[200], *text = NULL;
  struct stat st;
  ssize_t r;
  size_t got = 0;
  int fd, rc = 0;

  memset(t, 0, sizeof(*t));
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &st) != 0) {
    rc = -errno;
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    goto out;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = -EINVAL;
    snprintf(err, errlen, "%s: not a regular file", path);
    goto out;
  }
  text = malloc((size_t)st.st_size + 1);
  if (text == NULL) {
    rc = -ENOMEM;
    snprintf(err, errlen, "%s: out of memory", path);
    goto out;
  }
  while (got < (size_t)st.st_size && (r = read(fd, text + got, (size_t)st.st_size - got)) != 0) {
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      rc = -errno;
      snprintf(err, errlen, "%s: %s", path, strerror(errno));
      goto out;
    }
    got += (size_t)r;
  }
  rc = cb_table_parse(text, got, t, msg, sizeof(msg));
  if (rc != 0)
    snprintf(err, errlen, "%s: %s", path, rc == -ENOMEM ? "out of memory" : msg);
out:
  free(text);
  if (fd >= 0)
    close(fd);
  return rc;
}

void cb_table_free(cb_table_t *t)
{
  free(t->cells);
  free(t->line);
  free(t->blob);
  memset(t, 0, sizeof(*t));
}

long cb_table_col(const cb_table_t *t, const char *name)
{
  size_t c;

  for (c = 0; t->rows > 0 && c < t->cols; c++) {
    if (strcmp(t->cells[c], name) == 0)
      return (long)c;
  }
  return -1;
}

int cb_table_require(const cb_table_t *t, const char *const *names, size_t n, char *err,
                     size_t errlen)
{
  size_t i;

  for (i = 0; i < n; i++) {
    if (cb_table_col(t, names[i]) < 0) {
      snprintf(err, errlen, "missing column '%s'", names[i]);
      return -EINVAL;
    }
  }
  return 0;
}
