/* CSV reader; see table.h. One pass over the text builds the fields into a
 * single blob (each field NUL-terminated; a file's own text is that blob),
 * so a table is three allocations however large it is. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb.h"
#include "table.h"

typedef struct builder_s {
  cb_table_t *t;
  const char *base; /* where offsets count from */
  uint32_t *fields; /* all fields so far */
  size_t nfields, capfields;
  size_t *line;
  size_t caplines;
  size_t row_start; /* index in fields where the current row starts */
} builder_t;

static int push_field(builder_t *b, const char *f)
{
  if (CB_GROW(b->fields, b->capfields, b->nfields, 256) != 0)
    return -ENOMEM;
  b->fields[b->nfields++] = (uint32_t)(f - b->base);
  return 0;
}

/* End of a record that started on `line`. */
static int end_row(builder_t *b, size_t line, char *err, size_t errlen)
{
  cb_table_t *t = b->t;
  size_t n = b->nfields - b->row_start;

  if (t->rows == 0) {
    t->cols = n;
  } else if (n != t->cols) {
    snprintf(err, errlen, "line %zu: %zu fields, the header has %zu", line, n, t->cols);
    return -EINVAL;
  }
  if (CB_GROW(b->line, b->caplines, t->rows, 256) != 0)
    return -ENOMEM;
  b->line[t->rows++] = line;
  b->row_start = b->nfields;
  return 0;
}

/* The scanner: fields are copied unquoted into `out`, which never gets
 * ahead of the input (a field is never longer than its text, and its NUL
 * takes the place of the delimiter after it), so `out` may be the text
 * itself, or one blob of len + 2 bytes. */
static int scan(builder_t *b, const char *s, size_t len, char *out, char *err, size_t errlen)
{
  size_t i = 0, line = 1, row_line = 1;
  char *f = out, end;
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
    end = i < len ? s[i] : '\0'; /* before the NUL may take its place */
    *out++ = '\0';
    if ((err2 = push_field(b, f)) != 0)
      return err2;
    f = out;
    if (end == ',') {
      i++;
      if (i == len && (err2 = push_field(b, out)) != 0)
        return err2; /* a trailing comma ends with an empty field */
      if (i == len)
        *out++ = '\0';
      continue;
    }
    if (i < len && end == '\n') {
      i++;
    } else if (i < len && end == '\r') {
      i++;
      if (i < len && s[i] == '\n')
        i++;
      else if (i < len)
        goto after_quote;
    } else if (i < len) {
      goto after_quote;
    }
    if ((err2 = end_row(b, row_line, err, errlen)) != 0)
      return err2;
    row_line = ++line;
  }
  if (b->nfields > b->row_start)
    return end_row(b, row_line, err, errlen);
  return 0;
after_quote:
  snprintf(err, errlen, "line %zu: text after a closing quote", line);
  return -EINVAL;
}

static uint64_t name_hash(const char *s)
{
  uint64_t h = UINT64_C(0xcbf29ce484222325);

  for (; *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
  return h;
}

/* The header's names by hash, so that a column is found in O(1): readers
 * look columns up by name for every cell, and a file may hold many. */
static int index_names(cb_table_t *t)
{
  size_t n = 16, c, i;

  while (n < 2 * t->cols)
    n *= 2;
  t->names = calloc(n, sizeof(*t->names));
  if (t->names == NULL)
    return -ENOMEM;
  t->nnames = n;
  for (c = 0; c < t->cols; c++) {
    for (i = name_hash(cb_table_get(t, 0, c)) & (n - 1); t->names[i] != 0; i = (i + 1) & (n - 1)) {
      if (strcmp(cb_table_get(t, 0, t->names[i] - 1), cb_table_get(t, 0, c)) == 0)
        break; /* a repeated name: the first one stands */
    }
    if (t->names[i] == 0)
      t->names[i] = (uint32_t)c + 1;
  }
  return 0;
}

/* Parse text of len bytes into fields held in blob (len + 2 bytes), which
 * is the text itself. Takes blob over (frees it on error). */
static int parse_into(char *blob, const char *text, size_t len, cb_table_t *t, char *err,
                      size_t errlen)
{
  builder_t b = { .t = t, .base = blob };
  int rc;

  memset(t, 0, sizeof(*t));
  if (len == 0) {
    snprintf(err, errlen, "empty");
    rc = -EINVAL;
  } else if (len >= UINT32_MAX - 2) {
    snprintf(err, errlen, "4 GiB or more: too large to read");
    rc = -EFBIG;
  } else {
    rc = scan(&b, text, len, blob, err, errlen);
  }
  if (rc == 0 && t->rows > 0 && t->cols == 0)
    rc = -EINVAL;
  if (rc == 0) {
    t->cells = b.fields;
    t->line = b.line;
    t->blob = blob;
    if (t->rows == 0 || index_names(t) == 0)
      return 0;
    cb_table_free(t);
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  free(b.fields);
  free(b.line);
  free(blob);
  memset(t, 0, sizeof(*t));
  return rc;
}

int cb_table_parse(const char *text, size_t len, cb_table_t *t, char *err, size_t errlen)
{
  char *blob = malloc(len + 2);

  memset(t, 0, sizeof(*t));
  if (blob == NULL) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  /* Parsed in place, as a file is: one way of parsing, the one fuzzed. */
  memcpy(blob, text, len);
  return parse_into(blob, blob, len, t, err, errlen);
}

/* All of standard input ("-"), which has no size to ask for: read in
 * doubling chunks, up to the same 4 GiB as a file. */
static int load_stdin(cb_table_t *t, char *err, size_t errlen)
{
  char msg[200], *text = NULL, *grown;
  size_t got = 0, cap = 0;
  ssize_t r;
  int rc = 0;

  for (;;) {
    if (cap - got < 2) {
      if (cap >= UINT32_MAX / 2) {
        snprintf(err, errlen, "stdin: 4 GiB or more: too large to read");
        rc = -EFBIG;
        goto out;
      }
      cap = cap ? 2 * cap : 65536;
      if ((grown = realloc(text, cap)) == NULL) {
        snprintf(err, errlen, "stdin: out of memory");
        rc = -ENOMEM;
        goto out;
      }
      text = grown;
    }
    r = read(STDIN_FILENO, text + got, cap - got - 2);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      rc = -errno;
      snprintf(err, errlen, "stdin: %s", strerror(errno));
      goto out;
    }
    if (r == 0)
      break;
    got += (size_t)r;
  }
  rc = parse_into(text, text, got, t, msg, sizeof(msg));
  text = NULL;
  if (rc != 0)
    snprintf(err, errlen, "stdin: %s", rc == -ENOMEM ? "out of memory" : msg);
out:
  free(text);
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
  if (strcmp(path, "-") == 0)
    return load_stdin(t, err, errlen);
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
  if ((uint64_t)st.st_size >= UINT32_MAX - 2) {
    rc = -EFBIG;
    snprintf(err, errlen, "%s: 4 GiB or more: too large to read", path);
    goto out;
  }
  text = malloc((size_t)st.st_size + 2);
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
  /* In place: the text becomes the table's blob. */
  rc = parse_into(text, text, got, t, msg, sizeof(msg));
  text = NULL;
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
  free(t->names);
  free(t->cells);
  free(t->line);
  free(t->blob);
  memset(t, 0, sizeof(*t));
}

long cb_table_col(const cb_table_t *t, const char *name)
{
  size_t i;

  if (t->rows == 0 || t->nnames == 0)
    return -1;
  for (i = name_hash(name) & (t->nnames - 1); t->names[i] != 0; i = (i + 1) & (t->nnames - 1)) {
    if (strcmp(cb_table_get(t, 0, t->names[i] - 1), name) == 0)
      return (long)t->names[i] - 1;
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
