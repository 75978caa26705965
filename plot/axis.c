/* Axes and number formats: tic labels with SI or binary prefixes or as
 * speedups ("25k", "2 ms", "512 KiB", "2×"), and readable axes (a range and
 * at most about 8 labelled tics, on a log axis powers of 10 or of 2). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb.h"
#include "chart.h"

int cb__cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

void cb__tic_label(double v, cb__unit_t kind, const char *unit, char *buf, size_t len)
{
  static const char *const si[] = { "n", "µ", "m", "", "k", "M", "G", "T" };
  static const char *const iec[] = { "", "Ki", "Mi", "Gi", "Ti" };
  double m = v;
  size_t i;

  if (kind == CB__UNIT_TIMES || v == 0) {
    snprintf(buf, len, kind == CB__UNIT_TIMES ? "%g×" : "0", v);
    return;
  }
  if (kind == CB__UNIT_IEC) {
    for (i = 0; m >= 1024 && i + 1 < CB_ARRAY_SIZE(iec); i++)
      m /= 1024;
    snprintf(buf, len, "%.4g %s%s", m, iec[i], unit);
    return;
  }
  m = v * 1e9;
  for (i = 0; m >= 999.999 && i + 1 < CB_ARRAY_SIZE(si); i++)
    m /= 1000;
  snprintf(buf, len, "%.4g%s%s%s", m, unit[0] ? " " : "", si[i], unit);
}

static void add_tic(cb__axis_t *a, double v, cb__unit_t kind, const char *unit)
{
  char label[48];
  size_t u = strlen(a->tics);

  cb__tic_label(v, kind, unit, label, sizeof(label));
  snprintf(a->tics + u, sizeof(a->tics) - u, "%s\"%s\" %.10g", u ? ", " : "", label, v);
}

/* Tics of a log axis over [lo, hi]: every `step`-th power of `base`, times
 * each of the mantissas. How many fall inside. */
static size_t log_tics(double lo, double hi, double base, int step, const double *mant,
                       size_t nm, double *out, size_t max)
{
  int e, e0 = (int)floor(log(lo) / log(base)) - 1, e1 = (int)ceil(log(hi) / log(base)) + 1;
  size_t n = 0, k;

  e0 -= ((e0 % step) + step) % step;
  for (e = e0; e <= e1; e += step) {
    for (k = 0; k < nm; k++) {
      double v = mant[k] * pow(base, e);
      if (v >= lo * 0.9999 && v <= hi * 1.0001 && n < max)
        out[n++] = v;
    }
  }
  return n;
}

/* A readable axis for data in [dmin, dmax] (dmin > 0 on a log axis): its
 * range and at most about 8 labelled tics. */
void cb__axis_make(cb__axis_t *a, double dmin, double dmax, int log_axis, cb__unit_t kind,
                   const char *unit)
{
  static const double m125[] = { 1, 2, 5 }, m13[] = { 1, 3 }, m1[] = { 1 };
  double tics[64];
  size_t n = 0, i;

  memset(a, 0, sizeof(*a));
  a->log = log_axis && dmin > 0 && dmax > dmin;
  if (!a->log) {
    double raw, mag, step = 1, top = dmax > 0 ? dmax * 1.08 : 1;
    static const double nice[] = { 1, 2, 2.5, 5, 10 };
    raw = top / 6;
    mag = pow(10, floor(log10(raw)));
    for (i = 0; i < CB_ARRAY_SIZE(nice); i++) {
      step = nice[i] * mag;
      if (step >= raw)
        break;
    }
    a->lo = 0;
    a->hi = top;
    for (i = 0; i * step <= top * 1.0001 && i < 32; i++)
      add_tic(a, i * step, kind == CB__UNIT_TIMES ? CB__UNIT_TIMES : kind, unit);
    return;
  }
  a->lo = dmin / 1.25;
  a->hi = dmax * 1.25;
  if (kind == CB__UNIT_SI) {
    double decades = log10(a->hi / a->lo);
    const double *m = decades <= 2.2 ? m125 : decades <= 3.5 ? m13 : m1;
    size_t nm = decades <= 2.2 ? 3 : decades <= 3.5 ? 2 : 1;
    int step = decades > 8 ? (int)ceil(decades / 8) : 1;
    n = log_tics(a->lo, a->hi, 10, step, m, nm, tics, CB_ARRAY_SIZE(tics));
    if (n < 2) { /* widen to the tics around the data */
      a->lo = pow(10, floor(log10(a->lo)));
      a->hi = pow(10, ceil(log10(a->hi)));
      n = log_tics(a->lo, a->hi, 10, 1, m125, 3, tics, CB_ARRAY_SIZE(tics));
    }
  } else {
    double doublings = log2(a->hi / a->lo);
    int step = doublings > 8 ? (int)ceil(doublings / 8) : 1;
    if (kind == CB__UNIT_IEC && step > 1 && step < 10)
      step = step <= 2 ? 2 : step <= 5 ? 5 : 10; /* 1, 4, 16 or 1 Ki, 32 Ki, 1 Mi */
    n = log_tics(a->lo, a->hi, 2, step, m1, 1, tics, CB_ARRAY_SIZE(tics));
    if (n < 2) {
      a->lo = pow(2, floor(log2(a->lo)));
      a->hi = pow(2, ceil(log2(a->hi)));
      n = log_tics(a->lo, a->hi, 2, 1, m1, 1, tics, CB_ARRAY_SIZE(tics));
    }
  }
  for (i = 0; i < n; i++)
    add_tic(a, tics[i], kind, unit);
}

void cb__human_bytes(double b, char *buf, size_t len)
{
  cb__tic_label(b, CB__UNIT_IEC, "B", buf, len);
}

