/* Checks of a trial CSV's values; see validate.h. One table of rules, by
 * column name; a column the file lacks is not checked here (whoever needs
 * it requires it). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb.h"
#include "parse.h"
#include "runner.h"
#include "topo.h"
#include "trial.h"
#include "validate.h"

typedef enum kind_e {
  K_UINT,   /* whole number in [min, max] */
  K_REAL,   /* finite decimal >= 0 */
  K_NAME,   /* letters, digits and . _ + -; empty only when min is 1 */
  K_TEXT,   /* no control characters */
  K_STATUS, /* one of the trial statuses */
  K_RUNNER, /* a runner of the registry */
  K_PIN,    /* a pin policy */
} kind_t;

typedef struct rule_s {
  const char *column;
  kind_t kind;
  uint64_t min, max;
} rule_t;

static const rule_t rules[] = {
  { "run_id", K_TEXT, 0, 0 },
  { "timestamp", K_TEXT, 0, 0 },
  { "host", K_TEXT, 1, 0 },
  { "cpu_model", K_TEXT, 0, 0 },
  { "pus", K_UINT, 0, CB_MAX_CONCURRENCY },
  { "cores", K_UINT, 0, CB_MAX_CONCURRENCY },
  { "kernel", K_TEXT, 0, 0 },
  { "compiler", K_TEXT, 0, 0 },
  { "concbench_version", K_TEXT, 0, 0 },
  { "git_revision", K_TEXT, 0, 0 },
  { "build_type", K_TEXT, 0, 0 },
  { "workload", K_NAME, 0, 0 },
  { "family", K_NAME, 0, 0 },
  { "runner", K_RUNNER, 0, 0 },
  { "transport", K_NAME, 0, 0 },
  { "pin", K_PIN, 0, 0 },
  { "concurrency", K_UINT, 1, CB_MAX_CONCURRENCY },
  { "workers", K_UINT, 0, 2 * CB_MAX_CONCURRENCY },
  { "tasks", K_UINT, 1, CB_MAX_TASKS },
  { "size", K_UINT, 0, CB_MAX_SIZE },
  { "payload", K_UINT, 0, CB_MAX_PAYLOAD },
  { "rep", K_UINT, 0, UINT64_MAX },
  { "wall_s", K_REAL, 0, 0 },
  { "throughput", K_REAL, 0, 0 },
  { "lat_p50_us", K_REAL, 0, 0 },
  { "lat_p99_us", K_REAL, 0, 0 },
  { "user_s", K_REAL, 0, 0 },
  { "sys_s", K_REAL, 0, 0 },
  { "vcsw", K_UINT, 0, UINT64_MAX },
  { "ivcsw", K_UINT, 0, UINT64_MAX },
  { "maxrss_kb", K_REAL, 0, 0 },
  { "failed", K_UINT, 0, CB_MAX_TASKS },
  { "verified", K_UINT, 0, 1 },
  { "status", K_STATUS, 0, 0 },
  { "startup_s", K_REAL, 0, 0 },
  { "teardown_s", K_REAL, 0, 0 },
  { "pin_wrap", K_UINT, 0, 1 },
  { "seed", K_UINT, 0, UINT64_MAX },
  { "gil", K_UINT, 0, 1 },
  { "switch_interval_us", K_UINT, 0, CB_MAX_SWITCH_US },
  { "lost_updates", K_UINT, 0, UINT64_MAX },
  { "gil_switches", K_UINT, 0, UINT64_MAX },
  { "dispatch", K_NAME, 1, 0 }, /* min 1: may be empty (not recorded by older runs) */
  { "inflight", K_UINT, 0, CB_MAX_CONCURRENCY },
  { "inline", K_UINT, 0, CB_MAX_TASKS },
};

/* A plain decimal: optional digits, optional fraction, optional exponent;
 * no sign (nothing a run writes is negative), no inf, nan or hex. */
static int real_ok(const char *s)
{
  const char *p = s;
  long whole = 0, exp = 0;
  int digits = 0, neg = 0;
  char *end;

  while (isdigit((unsigned char)*p)) {
    whole += whole > 0 || *p != '0';
    p++;
    digits++;
  }
  if (*p == '.') {
    for (p++; isdigit((unsigned char)*p); p++)
      digits++;
  }
  if (digits == 0)
    return 0;
  if (*p == 'e' || *p == 'E') {
    p++;
    neg = *p == '-';
    if (*p == '+' || *p == '-')
      p++;
    if (!isdigit((unsigned char)*p))
      return 0;
    for (; isdigit((unsigned char)*p); p++)
      exp = exp < 100000 ? exp * 10 + (*p - '0') : exp;
  }
  if (*p != '\0')
    return 0;
  /* Finite unless its magnitude is near DBL_MAX's (1.8e308): only then is
   * it worth the cost of converting it. */
  if (whole + (neg ? -exp : exp) < 300)
    return 1;
  return isfinite(strtod(s, &end));
}

static int name_ok(const char *s, uint64_t empty_ok)
{
  if (*s == '\0')
    return (int)empty_ok;
  for (; *s != '\0'; s++) {
    if (!isalnum((unsigned char)*s) && strchr("._+-", *s) == NULL)
      return 0;
  }
  return 1;
}

static int text_ok(const char *s, uint64_t need)
{
  if (need && *s == '\0')
    return 0;
  for (; *s != '\0'; s++) {
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return 0;
  }
  return 1;
}

static int status_ok(const char *s)
{
  int st;

  for (st = CB_ST_OK; st <= CB_ST_RACY; st++) {
    if (strcmp(s, cb_status_name((cb_status_t)st)) == 0)
      return 1;
  }
  return 0;
}

/* What a value of the rule must be, for the message. */
static void expectation(const rule_t *r, char *buf, size_t len)
{
  switch (r->kind) {
  case K_UINT:
    if (r->max == UINT64_MAX)
      snprintf(buf, len, "a whole number >= %llu", (unsigned long long)r->min);
    else
      snprintf(buf, len, "a whole number %llu..%llu", (unsigned long long)r->min,
               (unsigned long long)r->max);
    break;
  case K_REAL: snprintf(buf, len, "a number (decimal, finite, >= 0)"); break;
  case K_NAME:
    snprintf(buf, len, "a name (letters, digits, . _ + -)%s", r->min ? " or nothing" : "");
    break;
  case K_TEXT:
    snprintf(buf, len, "%stext without control characters", r->min ? "non-empty " : "");
    break;
  case K_STATUS: snprintf(buf, len, "a status (ok, crashed, timeout, wrong, error, racy)"); break;
  case K_RUNNER: snprintf(buf, len, "a runner of this build (see concbench list)"); break;
  case K_PIN: snprintf(buf, len, "a pin policy (none, compact, scatter, cores)"); break;
  }
}

static int value_ok(const rule_t *r, const char *v, uint64_t *u)
{
  cb_pin_policy_t pin;

  switch (r->kind) {
  case K_UINT: return cb_parse_u64(v, r->min, r->max, u) == 0;
  case K_REAL: return real_ok(v);
  case K_NAME: return name_ok(v, r->min);
  case K_TEXT: return text_ok(v, r->min);
  case K_STATUS: return status_ok(v);
  case K_RUNNER: return cb_runner_find(v) != NULL;
  case K_PIN: return cb_pin_parse(v, &pin) == 0;
  }
  return 0;
}

/* The value as it may be quoted in a message: at most 40 bytes. */
static void quote(const char *v, char *buf, size_t len)
{
  snprintf(buf, len, "%.40s%s", v, strlen(v) > 40 ? "..." : "");
}

int cb_trials_check(const cb_table_t *t, char *err, size_t errlen)
{
  long col[CB_ARRAY_SIZE(rules)], tasks = cb_table_col(t, "tasks");
  long failed = cb_table_col(t, "failed");
  char want[96], shown[48];
  size_t i, r;
  uint64_t u, ntasks = 0;

  for (i = 0; i < CB_ARRAY_SIZE(rules); i++)
    col[i] = cb_table_col(t, rules[i].column);
  for (r = 1; r < t->rows; r++) {
    for (i = 0; i < CB_ARRAY_SIZE(rules); i++) {
      const char *v;
      if (col[i] < 0)
        continue;
      v = cb_table_get(t, r, (size_t)col[i]);
      if (value_ok(&rules[i], v, &u))
        continue;
      expectation(&rules[i], want, sizeof(want));
      quote(v, shown, sizeof(shown));
      snprintf(err, errlen, "line %zu: %s '%s' is not %s", t->line[r], rules[i].column, shown,
               want);
      return -EINVAL;
    }
    if (tasks >= 0 && failed >= 0 &&
        cb_parse_u64(cb_table_get(t, r, (size_t)tasks), 0, UINT64_MAX, &ntasks) == 0 &&
        cb_parse_u64(cb_table_get(t, r, (size_t)failed), 0, UINT64_MAX, &u) == 0 && u > ntasks) {
      snprintf(err, errlen, "line %zu: failed '%llu' is more than its %llu tasks",
               t->line[r], (unsigned long long)u, (unsigned long long)ntasks);
      return -EINVAL;
    }
  }
  return 0;
}

int cb_trials_load(const char *path, cb_table_t *t, char *err, size_t errlen)
{
  char what[320];
  struct stat st;
  int rc;

  memset(t, 0, sizeof(*t));
  if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
    snprintf(err, errlen, "%s: line 1: empty file (no header, no trials)", path);
    return -EINVAL;
  }
  rc = cb_table_load(path, t, err, errlen);
  if (rc != 0)
    return rc;
  if (t->rows < 2) {
    snprintf(err, errlen, "%s: line 2: no trials after the header", path);
    rc = -EINVAL;
  } else if ((rc = cb_trials_check(t, what, sizeof(what))) != 0) {
    snprintf(err, errlen, "%s: %s", path, what);
  }
  if (rc != 0)
    cb_table_free(t);
  return rc;
}
