/* Output buffers, CSV fields and atomic file replacement; see csv.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "output.h"

void cb_buf_free(cb_buf_t *b)
{
  free(b->data);
  memset(b, 0, sizeof(*b));
}

static int reserve(cb_buf_t *b, size_t extra)
{
  size_t cap = b->cap ? b->cap : 4096;
  char *p;

  if (b->failed)
    return -ENOMEM;
  while (cap < b->len + extra + 1)
    cap *= 2;
  if (cap == b->cap)
    return 0;
  p = realloc(b->data, cap);
  if (p == NULL) {
    b->failed = 1;
    return -ENOMEM;
  }
  b->data = p;
  b->cap = cap;
  return 0;
}

void cb_buf_put(cb_buf_t *b, const char *s, size_t n)
{
  if (reserve(b, n) != 0)
    return;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void cb_buf_printf(cb_buf_t *b, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || reserve(b, (size_t)n) != 0)
    return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void cb_buf_csv_str(cb_buf_t *b, const char *s)
{
  const char *p;

  if (s[strcspn(s, ",\"\r\n")] == '\0') {
    cb_buf_put(b, s, strlen(s));
    return;
  }
  cb_buf_put(b, "\"", 1);
  for (p = s; *p != '\0'; p++) {
    if (*p == '"')
      cb_buf_put(b, "\"", 1);
    cb_buf_put(b, p, 1);
  }
  cb_buf_put(b, "\"", 1);
}

void cb_buf_json_str(cb_buf_t *b, const char *s)
{
  const unsigned char *p;

  cb_buf_put(b, "\"", 1);
  for (p = (const unsigned char *)s; *p != '\0'; p++) {
    if (*p == '"' || *p == '\\')
      cb_buf_printf(b, "\\%c", *p);
    else if (*p < 0x20)
      cb_buf_printf(b, "\\u%04x", *p);
    else
      cb_buf_put(b, (const char *)p, 1);
  }
  cb_buf_put(b, "\"", 1);
}

void cb_md_escape(char *out, size_t len, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  static const char ellipsis[] = "…";
  size_t i, o = 0;
  char e[5];
  size_t n;

  if (len == 0)
    return;
  for (i = 0; s[i] != '\0'; i++) {
    unsigned char ch = (unsigned char)s[i];
    n = 0;
    if (ch < 0x20 || ch == 0x7f) {
      e[n++] = '\\';
      if (ch == '\n' || ch == '\t' || ch == '\r') {
        e[n++] = ch == '\n' ? 'n' : ch == '\t' ? 't' : 'r';
      } else {
        e[n++] = 'x';
        e[n++] = hex[ch >> 4];
        e[n++] = hex[ch & 15];
      }
    } else {
      if (strchr("\\`*_[]<>|#&!~", ch) != NULL)
        e[n++] = '\\';
      e[n++] = (char)ch;
    }
    if (o + n + sizeof(ellipsis) > len) {
      memcpy(out + o, ellipsis, sizeof(ellipsis));
      return;
    }
    memcpy(out + o, e, n);
    o += n;
  }
  out[o] = '\0';
}

void cb_buf_md(cb_buf_t *b, const char *s)
{
  size_t len = strlen(s) * 4 + sizeof("…");
  char *tmp = malloc(len);

  if (tmp == NULL) {
    b->failed = 1;
    return;
  }
  cb_md_escape(tmp, len, s);
  cb_buf_put(b, tmp, strlen(tmp));
  free(tmp);
}

void cb_buf_csv_double(cb_buf_t *b, double v)
{
  char s[40];

  int p;

  /* %.15g is the shortest when it reads back (a shorter exact decimal would
   * show through it with its zeros stripped); else 16 digits, else 17. */
  for (p = 15; p < 17; p++) {
    snprintf(s, sizeof(s), "%.*g", p, v);
    if (strtod(s, NULL) == v)
      break;
  }
  if (p == 17)
    snprintf(s, sizeof(s), "%.17g", v);
  cb_buf_put(b, s, strlen(s));
}

int cb_check_writable(const char *path)
{
  cb_output_t o;
  int err;

  /* Devices and FIFOs are opened (without blocking) to be checked. */
  err = cb_output_open(&o, path, NULL, 0);
  if (err == 0)
    cb_output_close(&o);
  return err;
}

int cb_write_atomic(const char *path, const void *data, size_t len)
{
  cb_output_t o;
  int err = cb_output_open(&o, path, NULL, 0), err2;

  if (err != 0)
    return err;
  err = cb_output_write(&o, data, len);
  err2 = cb_output_close(&o);
  return err != 0 ? err : err2;
}
