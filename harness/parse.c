/* Command-line value parsers; see cli.h. Strict: no leading sign, no
 * trailing garbage, no silent wrap-around, so a typo is an error that names
 * itself rather than a strange run. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "parse.h"

static void copy_bad(char *bad, size_t badlen, const char *s, size_t n)
{
  if (bad == NULL || badlen == 0)
    return;
  if (n >= badlen)
    n = badlen - 1;
  memcpy(bad, s, n);
  bad[n] = '\0';
}

/* Digits only, within [s, s+n). */
static int parse_digits(const char *s, size_t n, uint64_t *out)
{
  uint64_t v = 0;
  size_t i;

  if (n == 0)
    return -EINVAL;
  for (i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i]))
      return -EINVAL;
    if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
      return -ERANGE;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return 0;
}

int cb_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
  uint64_t v;
  int err;

  if (s == NULL)
    return -EINVAL;
  err = parse_digits(s, strlen(s), &v);
  if (err != 0)
    return err;
  if (v < min || v > max)
    return -ERANGE;
  *out = v;
  return 0;
}

int cb_parse_positive_double(const char *s, double max, double *out)
{
  char *end;
  double v;

  const char *digits = s != NULL && *s == '-' ? s + 1 : s;

  /* Plain decimal only: strtod would also take '+', hex and "inf". A minus
   * sign parses, so that "-1" is reported as out of range. */
  if (s == NULL || !(isdigit((unsigned char)*digits) || *digits == '.') ||
      strpbrk(s, "xXpP") != NULL)
    return -EINVAL;
  errno = 0;
  v = strtod(s, &end);
  if (*end != '\0' || isnan(v))
    return -EINVAL;
  if (errno == ERANGE || !(v > 0) || v > max)
    return -ERANGE;
  *out = v;
  return 0;
}

typedef struct ulist_s {
  uint64_t *v;
  size_t n, cap;
} ulist_t;

static int ulist_add(ulist_t *l, uint64_t x)
{
  if (CB_GROW(l->v, l->cap, l->n, 16) != 0)
    return -ENOMEM;
  l->v[l->n++] = x;
  return 0;
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

  return (x > y) - (x < y);
}

static int parse_value(const char *s, size_t n, uint64_t min, uint64_t max, uint64_t *out)
{
  int err = parse_digits(s, n, out);

  if (err == 0 && (*out < min || *out > max))
    err = -ERANGE;
  return err;
}

/* One item: "N" or "A..B" (A, 2A, 4A, ... below B, then B). */
static int parse_item(const char *s, size_t n, uint64_t min, uint64_t max, ulist_t *l)
{
  const char *dots = NULL;
  uint64_t a, b, x;
  size_t i;
  int err;

  for (i = 0; i + 1 < n; i++) {
    if (s[i] == '.' && s[i + 1] == '.') {
      dots = s + i;
      break;
    }
  }
  if (dots == NULL) {
    err = parse_value(s, n, min, max, &a);
    return err != 0 ? err : ulist_add(l, a);
  }
  err = parse_value(s, (size_t)(dots - s), min, max, &a);
  if (err == 0)
    err = parse_value(dots + 2, n - (size_t)(dots - s) - 2, min, max, &b);
  if (err != 0)
    return err;
  if (a > b)
    return -EINVAL;
  for (x = a; x < b && err == 0; x = x > 0 ? x * 2 : 1)
    err = ulist_add(l, x);
  return err != 0 ? err : ulist_add(l, b);
}

int cb_parse_u64_list(const char *s, uint64_t min, uint64_t max, uint64_t **out, size_t *n,
                      char *bad, size_t badlen)
{
  ulist_t l = { 0 };
  const char *p = s, *comma;
  size_t len, i, k;
  int err = 0;

  if (s == NULL || *s == '\0') {
    copy_bad(bad, badlen, "", 0);
    return -EINVAL;
  }
  for (;;) {
    comma = strchr(p, ',');
    len = comma != NULL ? (size_t)(comma - p) : strlen(p);
    err = parse_item(p, len, min, max, &l);
    if (err != 0) {
      copy_bad(bad, badlen, p, len);
      goto out;
    }
    if (comma == NULL)
      break;
    p = comma + 1;
  }
  qsort(l.v, l.n, sizeof(*l.v), cmp_u64);
  for (i = 0, k = 0; i < l.n; i++) {
    if (k == 0 || l.v[k - 1] != l.v[i])
      l.v[k++] = l.v[i];
  }
  *out = l.v;
  *n = k;
  l.v = NULL;
out:
  free(l.v);
  return err;
}

int cb_parse_concurrency(const char *s, unsigned **out, size_t *n, char *bad, size_t badlen)
{
  uint64_t *v = NULL;
  unsigned *u;
  size_t i, k = 0;
  int err = cb_parse_u64_list(s, 1, CB_MAX_CONCURRENCY, &v, &k, bad, badlen);

  if (err != 0)
    return err;
  u = malloc((k > 0 ? k : 1) * sizeof(*u));
  if (u == NULL) {
    free(v);
    return -ENOMEM;
  }
  for (i = 0; i < k; i++)
    u[i] = (unsigned)v[i];
  free(v);
  *out = u;
  *n = k;
  return 0;
}

/* Mark (or, for an exclusion, unmark) every name the glob `item` matches;
 * 0 when it matched none. Marks are numbered by the order first matched. */
static int mark_names(const char *item, const char *const *names, size_t count, size_t *order,
                      size_t *next, int exclude)
{
  size_t i;
  int matched = 0;

  for (i = 0; i < count; i++) {
    if (fnmatch(item, names[i], 0) != 0)
      continue;
    matched = 1;
    if (exclude)
      order[i] = 0;
    else if (order[i] == 0)
      order[i] = ++*next;
  }
  return matched;
}

int cb_select_names(const char *list, const char *const *names, size_t count,
                    size_t **picked, size_t *n, char *bad, size_t badlen)
{
  size_t *order = NULL, *sel = NULL, k = 0, i, j, len, next = 0;
  const char *p, *comma;
  char item[256];
  int err = 0, pass, any_include = 0;

  order = calloc(count > 0 ? count : 1, sizeof(*order));
  sel = calloc(count > 0 ? count : 1, sizeof(*sel));
  if (order == NULL || sel == NULL) {
    err = -ENOMEM;
    goto out;
  }
  if (list == NULL || *list == '\0') {
    copy_bad(bad, badlen, "", 0);
    err = -EINVAL;
    goto out;
  }
  /* Inclusions first, then exclusions, so that the order of the items does
   * not matter; a list of exclusions only starts from every name. */
  for (pass = 0; pass < 2; pass++) {
    for (p = list;; p = comma + 1) {
      comma = strchr(p, ',');
      len = comma != NULL ? (size_t)(comma - p) : strlen(p);
      copy_bad(bad, badlen, p, len);
      if (len == 0 || (len == 1 && p[0] == '!') || len >= sizeof(item)) {
        err = len >= sizeof(item) ? -ENOENT : -EINVAL;
        goto out;
      }
      if ((p[0] == '!') == (pass == 1)) {
        memcpy(item, p + pass, len - (size_t)pass);
        item[len - (size_t)pass] = '\0';
        any_include |= pass == 0;
        if (!mark_names(item, names, count, order, &next, pass)) {
          err = -ENOENT;
          goto out;
        }
      }
      if (comma == NULL)
        break;
    }
    if (pass == 0 && !any_include)
      mark_names("*", names, count, order, &next, 0);
  }
  for (j = 1; j <= next; j++) {
    for (i = 0; i < count; i++) {
      if (order[i] == j)
        sel[k++] = i;
    }
  }
  if (k == 0) {
    copy_bad(bad, badlen, list, strlen(list));
    err = -ENODATA;
    goto out;
  }
  if (bad != NULL && badlen > 0)
    bad[0] = '\0';
  *picked = sel;
  *n = k;
  sel = NULL;
out:
  free(order);
  free(sel);
  return err;
}

int cb_list_names(const char *list, const char *name)
{
  size_t n = strlen(name);
  const char *p;

  for (p = list; p != NULL; p = strchr(p, ',') != NULL ? strchr(p, ',') + 1 : NULL) {
    if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
      return 1;
  }
  return 0;
}
