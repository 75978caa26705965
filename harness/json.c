/* JSON through jansson; see json.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

json_t *cb_json_num(double v)
{
  return isfinite(v) ? json_real(v) : json_null();
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the byte there
 * does not start one (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF). */
static size_t utf8_seq(const unsigned char *p)
{
  unsigned c = p[0];

  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    return (p[1] & 0xc0) == 0x80 ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4 : 0;
  }
  return 0;
}

char *cb_utf8_clean(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  char *out = malloc(strlen(s) * 3 + 1), *o = out; /* each bad byte grows to 3 */
  size_t n;

  if (out == NULL)
    return NULL;
  while (*p != '\0') {
    n = utf8_seq(p);
    if (n == 0) {
      memcpy(o, "\xef\xbf\xbd", 3);
      o += 3;
      p++;
      continue;
    }
    memcpy(o, p, n);
    o += n;
    p += n;
  }
  *o = '\0';
  return out;
}

json_t *cb_json_str(const char *s)
{
  json_t *v = json_string(s);
  char *clean;

  if (v != NULL || s == NULL)
    return v;
  clean = cb_utf8_clean(s);
  v = clean != NULL ? json_string(clean) : NULL;
  free(clean);
  return v;
}

/* A key is text too: one from the data (a cell's name in the BMF export)
 * is cleaned like a string value, or jansson would refuse it. */
void cb_json_set(json_t *obj, const char *key, json_t *v, int *failed)
{
  const unsigned char *p;
  char *clean = NULL;

  for (p = (const unsigned char *)key; *p != '\0' && *p < 0x80; p++)
    ;
  if (*p != '\0')
    clean = cb_utf8_clean(key);
  if (v == NULL || obj == NULL || (*p != '\0' && clean == NULL)) {
    json_decref(v);
    *failed = 1;
  } else if (json_object_set_new(obj, clean != NULL ? clean : key, v) != 0) {
    *failed = 1; /* jansson has released v */
  }
  free(clean);
}

void cb_json_push(json_t *arr, json_t *v, int *failed)
{
  if (v == NULL || arr == NULL) {
    json_decref(v);
    *failed = 1;
  } else if (json_array_append_new(arr, v) != 0) {
    *failed = 1;
  }
}

int cb_json_dump(const json_t *root, int failed, cb_buf_t *out)
{
  char *text;

  if (root == NULL || failed)
    return -ENOMEM;
  text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
  if (text == NULL)
    return -ENOMEM;
  cb_buf_put(out, text, strlen(text));
  cb_buf_put(out, "\n", 1);
  free(text);
  return out->failed ? -ENOMEM : 0;
}
