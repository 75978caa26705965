/* Every JSON document concbench writes is built as a jansson tree and dumped
 * by jansson, so that it is valid JSON whatever the values: strings are
 * checked as UTF-8 (a byte that is not part of valid UTF-8 becomes U+FFFD,
 * the replacement character, instead of making the document invalid), a
 * number that is not finite (NaN, ±Infinity, which JSON cannot hold) is
 * written as null, and reals are written with 17 significant digits, which
 * read back exactly. The rules are documented in docs/SCHEMA.md, "JSON".
 *
 * The setters take ownership of the value they are given, as jansson's
 * *_new functions do, and accept NULL (a failed allocation): the failure is
 * remembered in the tree's builder and reported once, by cb_json_dump. */
#ifndef CB_JSON_H
#define CB_JSON_H

#include <jansson.h>

#include "csv.h"

/* A real, or null when v is not finite. */
json_t *cb_json_num(double v);
/* A string, its invalid UTF-8 bytes replaced by U+FFFD. */
json_t *cb_json_str(const char *s);
/* The value of s as UTF-8 with every invalid byte replaced by U+FFFD, into
 * a malloc'd string; NULL on ENOMEM. */
char *cb_utf8_clean(const char *s);

/* obj[key] = v (stolen); *failed set when v is NULL or the set fails. */
void cb_json_set(json_t *obj, const char *key, json_t *v, int *failed);
/* Append v (stolen) to the array; *failed as above. */
void cb_json_push(json_t *arr, json_t *v, int *failed);

/* Append the document (indented by 2, keys in insertion order, a final
 * newline) to out. 0, or -ENOMEM when the tree is NULL, `failed` is set or
 * the dump fails. */
int cb_json_dump(const json_t *root, int failed, cb_buf_t *out);

#endif
