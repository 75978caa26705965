/* Machine and build fingerprints; see fingerprint.h. The hash is FNV-1a over
 * the fields in column order, each followed by a NUL, so that no two
 * different field lists hash the same string; an unknown field hashes as a
 * lone 0x01, which no column value holds. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cb.h"
#include "cb_version.h"
#include "fingerprint.h"

const char *const cb_fp_columns[CB_FP_FIELDS] = {
  "cpu_model", "pus", "cores", "caches", "kernel", "compiler", "build_type",
};

static void size_text(unsigned long long b, char *buf, size_t len)
{
  if (b >= (1ull << 20) && b % (1ull << 20) == 0)
    snprintf(buf, len, "%lluM", b >> 20);
  else if (b >= 1024 && b % 1024 == 0)
    snprintf(buf, len, "%lluK", b >> 10);
  else
    snprintf(buf, len, "%llu", b);
}

void cb_fp_caches_text(const cb_cache_t *c, size_t n, char *buf, size_t len)
{
  char sz[32];
  size_t i, used = 0;

  snprintf(buf, len, "none");
  for (i = 0; i < n && used < len; i++) {
    const char *kind = strcmp(c[i].type, "Data") == 0 ? "d"
                       : strcmp(c[i].type, "Instruction") == 0 ? "i" : "";
    size_text(c[i].size, sz, sizeof(sz));
    used += (size_t)snprintf(buf + used, len - used, "%sL%u%s:%s/%u", i ? " " : "", c[i].level,
                             kind, sz, c[i].num_sharing);
  }
}

static void set(cb_fp_t *fp, size_t i, const char *v)
{
  snprintf(fp->v[i], sizeof(fp->v[i]), "%s", v);
  fp->known |= 1u << i;
}

void cb_fp_of_meta(const cb_meta_t *m, cb_fp_t *fp)
{
  char num[32];

  memset(fp, 0, sizeof(*fp));
  set(fp, 0, m->cpu_model);
  snprintf(num, sizeof(num), "%u", m->pus);
  set(fp, 1, num);
  snprintf(num, sizeof(num), "%u", m->cores);
  set(fp, 2, num);
  set(fp, 3, m->caches_text);
  set(fp, 4, m->kernel);
  set(fp, 5, CB_COMPILER);
  set(fp, 6, CB_BUILDTYPE);
}

void cb_fp_of_row(const cb_table_t *t, size_t row, cb_fp_t *fp)
{
  size_t i;
  long col;

  memset(fp, 0, sizeof(*fp));
  for (i = 0; i < CB_FP_FIELDS; i++) {
    col = cb_table_col(t, cb_fp_columns[i]);
    if (col >= 0 && row >= 1 && row < t->rows)
      set(fp, i, cb_table_get(t, row, (size_t)col));
  }
}

static int same(const cb_fp_t *a, const cb_fp_t *b)
{
  size_t i;

  if (a->known != b->known)
    return 0;
  for (i = 0; i < CB_FP_FIELDS; i++) {
    if ((a->known & (1u << i)) && strcmp(a->v[i], b->v[i]) != 0)
      return 0;
  }
  return 1;
}

int cb_fp_of_table(const cb_table_t *t, cb_fp_t *fp, int *several, char *err, size_t errlen)
{
  cb_fp_t other;
  size_t r;

  *several = 0;
  if (t->rows < 2) {
    snprintf(err, errlen, "no trial rows");
    return -EINVAL;
  }
  cb_fp_of_row(t, 1, fp);
  for (r = 2; r < t->rows && !*several; r++) {
    cb_fp_of_row(t, r, &other);
    *several = !same(fp, &other);
  }
  return 0;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
  const unsigned char *s = p;
  size_t i;

  for (i = 0; i < n; i++)
    h = (h ^ s[i]) * UINT64_C(0x100000001b3);
  return h;
}

/* Lower-case words of the CPU model joined by '-', without the (R), (TM)
 * and "CPU" that vendors sprinkle in. */
static void slug(const char *s, char *buf, size_t len)
{
  size_t used = 0, w;
  char word[64];

  buf[0] = '\0';
  while (*s != '\0') {
    while (*s != '\0' && !isalnum((unsigned char)*s))
      s++;
    for (w = 0; isalnum((unsigned char)*s); s++) {
      if (w + 1 < sizeof(word))
        word[w++] = (char)tolower((unsigned char)*s);
    }
    word[w] = '\0';
    if (w == 0 || strcmp(word, "r") == 0 || strcmp(word, "tm") == 0 ||
        strcmp(word, "cpu") == 0)
      continue;
    if (used + w + 2 > len || used > 40)
      break;
    used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "-" : "", word);
  }
  if (used == 0)
    snprintf(buf, len, "unknown");
}

void cb_fp_id(const cb_fp_t *fp, char *buf, size_t len)
{
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  char model[64];
  size_t i;

  for (i = 0; i < CB_FP_FIELDS; i++) {
    if (fp->known & (1u << i))
      h = fnv(h, fp->v[i], strlen(fp->v[i]) + 1);
    else
      h = fnv(h, "\001", 2);
  }
  slug(fp->known & 1u ? fp->v[0] : "", model, sizeof(model));
  snprintf(buf, len, "%s-%spu-%012" PRIx64, model, fp->known & 2u ? fp->v[1] : "x",
           h >> 16);
}

int cb_fp_diff(const cb_fp_t *a, const cb_fp_t *b, size_t nfields, int strict,
               const char *label_a, const char *label_b, char *why, size_t len)
{
  unsigned mask = (1u << nfields) - 1;
  size_t i, used = 0;
  int n = 0;

  why[0] = '\0';
  if (!strict && (!(a->known & mask) || !(b->known & mask))) {
    snprintf(why, len, "%s has none of the machine columns (%s, ...)",
             !(a->known & mask) ? label_a : label_b, cb_fp_columns[0]);
    return 1;
  }
  for (i = 0; i < nfields && i < CB_FP_FIELDS; i++) {
    unsigned bit = 1u << i;
    const char *sep = n ? "; " : "";
    if ((a->known & bit) && (b->known & bit)) {
      if (strcmp(a->v[i], b->v[i]) == 0)
        continue;
      if (used < len)
        used += (size_t)snprintf(why + used, len - used, "%s%s '%s' vs '%s'", sep,
                                 cb_fp_columns[i], a->v[i], b->v[i]);
    } else if (!strict) {
      continue;
    } else if (used < len) {
      used += (size_t)snprintf(why + used, len - used, "%s%s unknown in %s", sep,
                               cb_fp_columns[i], !(a->known & bit) ? label_a : label_b);
    }
    n++;
  }
  return n;
}
