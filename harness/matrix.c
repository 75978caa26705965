/* The experiment matrix; see matrix.h. A "spec" is one workload with its
 * sizes, tasks, payloads, concurrency list, runners and their variants, and
 * GIL modes (a profile entry under the profile's settings, or a workload's
 * defaults; the command line overrides either); cells are specs x runners x
 * concurrency x transports x dispatch modes x payloads x sizes x GIL modes,
 * a reference runner (serial) once at c = 1. A workload that races on
 * purpose (sync.none) is refused when named without --allow-races and left
 * out when only a glob matched it. What the built cells share (a workload's
 * calibration, the expected checksums) is matrix_groups.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>

#include "parse.h"
#include "capacity.h"
#include "matrix.h"

/* Where a refusal is said: the caller's buffer (cb_matrix_build). */
typedef struct why_s {
  char *buf;
  size_t len;
} why_t;

/* Say why in w and return err (-EINVAL for bad input, -ENOMEM). */
static int __attribute__((format(printf, 3, 4))) refuse(why_t *w, int err, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  if (w->len > 0)
    vsnprintf(w->buf, w->len, fmt, ap);
  va_end(ap);
  return err;
}

/* Names of one kind of runner variant (transports, dispatch modes) picked. */
typedef struct variants_s {
  const char *v[16];
  size_t n;
} variants_t;

/* Runners and their variants picked for a spec. */
typedef struct picks_s {
  size_t *ri, nr;
  variants_t tr, ds;
} picks_t;

typedef struct spec_s {
  const cb_workload_t *wl;
  uint64_t tasks;             /* 0: the workload's default at each c */
  uint64_t per_c;             /* and at least per_c * c of them */
  uint64_t *payloads, *sizes;
  size_t npayloads, nsizes;
  unsigned *conc;
  size_t nconc;
  unsigned *procs;            /* a hybrid's processes asked for (--procs), PUs resolved */
  size_t nprocs;
  picks_t pk;
  unsigned gil_modes;         /* bit 0: without the GIL, bit 1: with it */
} spec_t;

/* A runner's list of one variant kind. */
typedef const char *const *(*variant_list_fn)(const cb_runner_t *rn);

static const char *const *transports_of(const cb_runner_t *rn)
{
  return rn->transports;
}

static const char *const *dispatches_of(const cb_runner_t *rn)
{
  return rn->dispatches;
}

static void join_names(char *buf, size_t len, const char *const *names, size_t n)
{
  size_t i, used = 0;

  buf[0] = '\0';
  for (i = 0; i < n && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
}

/* Pick registry entries by a name list; 0, or -errno saying why in w. */
static int select_list(const char *what, const char *list, const char *const *names, size_t count,
                       size_t **picked, size_t *n, why_t *w)
{
  char bad[256], known[1024];
  int err = cb_select_names(list, names, count, picked, n, bad, sizeof(bad));

  if (err == 0)
    return 0;
  join_names(known, sizeof(known), names, count);
  if (err == -ENOMEM)
    return refuse(w, -ENOMEM, "out of memory");
  if (err == -EINVAL)
    return refuse(w, -EINVAL, "empty name in the %s list '%s'", what, list);
  if (err == -ENODATA)
    return refuse(w, -EINVAL, "the %s list '%s' excludes every %s it names", what, list,
                          what);
  return refuse(w, -EINVAL, "unknown %s '%s' (known: %s)", what, bad, known);
}

static int parse_conc(const char *s, unsigned **out, size_t *n, why_t *w)
{
  char bad[256];
  int err = cb_parse_concurrency(s, out, n, bad, sizeof(bad));

  if (err == -ERANGE)
    return refuse(w, -EINVAL, "bad concurrency '%s' (1..%u)", bad, CB_MAX_CONCURRENCY);
  if (err != 0)
    return refuse(w, -EINVAL, "bad concurrency '%s' (a list like 1,2,8 or a range like "
                          "1..64, low to high)", bad);
  return 0;
}

static int parse_payloads(const char *s, uint64_t **out, size_t *n, why_t *w)
{
  char bad[256];
  int err = cb_parse_u64_list(s, 0, CB_MAX_PAYLOAD, out, n, bad, sizeof(bad));

  if (err != 0)
    return refuse(w, -EINVAL, "bad --payload '%s' (bytes 0..1073741824: a list like "
                          "64,65536 or a range like 64..4194304)", bad);
  return 0;
}

static int parse_sizes(const char *s, uint64_t **out, size_t *n, why_t *w)
{
  char bad[256];
  int err = cb_parse_u64_list(s, 0, CB_MAX_SIZE, out, n, bad, sizeof(bad));

  if (err != 0)
    return refuse(w, -EINVAL, "bad --size '%s' (0..1099511627776 in the workload's unit: "
                          "a list like 200,2000 or a range like 200..204800)", bad);
  return 0;
}

/* A list of one number, for a spec that has no list. */
static int one_value(uint64_t v, uint64_t **out, size_t *n, why_t *w)
{
  *out = malloc(sizeof(**out));
  if (*out == NULL)
    return refuse(w, -ENOMEM, "out of memory");
  **out = v;
  *n = 1;
  return 0;
}

/* Every variant some runner has, each once. */
static size_t all_variants(variant_list_fn list, const char **names, size_t max)
{
  size_t i, j, k, n = 0;

  for (i = 0; i < cb_runners_count; i++) {
    const char *const *l = list(cb_runners[i]);
    for (j = 0; l[j] != NULL; j++) {
      for (k = 0; k < n && strcmp(names[k], l[j]) != 0; k++)
        ;
      if (k == n && n < max)
        names[n++] = l[j];
    }
  }
  return n;
}

/* Pick variants by a name list (NULL: none picked, each runner's default). */
static int pick_variants(const char *what, const char *list, variant_list_fn of, variants_t *out,
                         why_t *w)
{
  const char *names[CB_ARRAY_SIZE(out->v)];
  size_t i, n = all_variants(of, names, CB_ARRAY_SIZE(names)), *idx = NULL;
  int err;

  out->n = 0;
  if (list == NULL)
    return 0;
  err = select_list(what, list, names, n, &idx, &out->n, w);
  if (err != 0)
    return err;
  for (i = 0; i < out->n; i++)
    out->v[i] = names[idx[i]];
  free(idx);
  return 0;
}

/* The first of: the command line's, the entry's, the profile's, a default. */
static const char *first_of(const char *cli, const char *entry, const char *profile,
                            const char *fallback)
{
  return cli != NULL ? cli : entry != NULL ? entry : profile != NULL ? profile : fallback;
}

static int pick(const cb_matrix_opts_t *o, const cb_profile_entry_t *e, picks_t *pk, why_t *w)
{
  const cb_profile_t *pf = o->profile;
  const char *rnames[cb_runners_count];
  const char *runners = first_of(o->runners, e ? e->runners : NULL, pf ? pf->runners : NULL, "*");
  const char *transports = first_of(o->transports, e ? e->transports : NULL,
                                    pf ? pf->transports : NULL, NULL);
  const char *dispatches = first_of(o->dispatches, e ? e->dispatches : NULL,
                                    pf ? pf->dispatches : NULL, NULL);
  size_t i;
  int err;

  for (i = 0; i < cb_runners_count; i++)
    rnames[i] = cb_runners[i]->name;
  err = select_list("runner", runners, rnames, cb_runners_count, &pk->ri, &pk->nr, w);
  if (err == 0)
    err = pick_variants("transport", transports, transports_of, &pk->tr, w);
  if (err == 0)
    err = pick_variants("dispatch mode", dispatches, dispatches_of, &pk->ds, w);
  return err;
}

static void free_specs(spec_t *specs, size_t n)
{
  size_t i;

  for (i = 0; specs != NULL && i < n; i++) {
    free(specs[i].payloads);
    free(specs[i].sizes);
    free(specs[i].conc);
    free(specs[i].procs);
    free(specs[i].pk.ri);
  }
  free(specs);
}

/* "pus" in a concurrency list stands for the machine's PU count. */
static int parse_conc_pus(const char *list, unsigned pus, unsigned **out, size_t *n, why_t *w)
{
  char buf[512] = "", num[16]; /* an empty list stays empty, and is refused */
  const char *p = list, *comma;
  size_t used = 0, len;

  snprintf(num, sizeof(num), "%u", pus > 0 ? pus : 1);
  while (*p != '\0' && used < sizeof(buf)) {
    comma = p + strcspn(p, ",");
    len = (size_t)(comma - p);
    used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%.*s", used ? "," : "",
                             len == 3 && strncmp(p, "pus", 3) == 0 ? (int)strlen(num) : (int)len,
                             len == 3 && strncmp(p, "pus", 3) == 0 ? num : p);
    p = *comma ? comma + 1 : comma;
  }
  return parse_conc(used < sizeof(buf) ? buf : list, out, n, w);
}

/* --procs: process counts, each a number or "pus" (the PU count). */
static int parse_procs(const char *list, unsigned pus, unsigned **out, size_t *n, why_t *w)
{
  const char *p = list, *comma;
  char item[32];
  uint64_t v;
  size_t len, cap = 1;

  for (comma = list; *comma != '\0'; comma++)
    cap += *comma == ',';
  *n = 0;
  if ((*out = malloc(cap * sizeof(**out))) == NULL)
    return refuse(w, -ENOMEM, "out of memory");
  do {
    comma = p + strcspn(p, ",");
    len = (size_t)(comma - p);
    snprintf(item, sizeof(item), "%.*s", (int)(len < sizeof(item) ? len : sizeof(item) - 1), p);
    if (strcmp(item, "pus") == 0)
      v = pus > 0 ? pus : 1;
    else if (len >= sizeof(item) || cb_parse_u64(item, 1, CB_MAX_CONCURRENCY, &v) != 0)
      return refuse(w, -EINVAL, "bad --procs '%.*s' (processes 1..%u or pus, a list like "
                            "1,2,pus)", (int)len, p, CB_MAX_CONCURRENCY);
    (*out)[(*n)++] = (unsigned)v;
    p = comma + 1;
  } while (*comma != '\0');
  return 0;
}

/* A spec's size and tasks: the experiment's own, else the workload's for
 * the profile, else its defaults (no profile, or a workload that gives no
 * sizing for it, which test_workloads_registry refuses). */
static cb_sizing_t sizing(const cb_matrix_opts_t *o, const cb_workload_t *wl,
                          const cb_profile_entry_t *e)
{
  if (e != NULL && e->sized)
    return (cb_sizing_t)CB_SIZING(e->size, e->tasks);
  if (o->profile != NULL && wl->profile[o->profile->sizing].given)
    return wl->profile[o->profile->sizing];
  return (cb_sizing_t)CB_SIZING(wl->default_size, wl->default_tasks);
}

/* One spec: the experiment (may be NULL) under the command line's overrides. */
static int make_spec(const cb_matrix_opts_t *o, const cb_workload_t *wl,
                     const cb_profile_entry_t *e, unsigned pus, spec_t *s, why_t *w)
{
  const char *conc = first_of(o->concurrency, e ? e->concurrency : NULL,
                              o->profile ? o->profile->concurrency : NULL, "1,2,8");
  const char *pay = first_of(o->payloads, e ? e->payloads : NULL, NULL, NULL);
  const char *procs = first_of(o->procs, e ? e->procs : NULL, NULL, "pus");
  const cb_sizing_t sz = sizing(o, wl, e);
  size_t i;
  int rc;

  s->wl = wl;
  s->tasks = o->have_tasks ? o->tasks : sz.tasks;
  s->per_c = o->have_tasks || e == NULL ? 0 : e->per_c;
  s->gil_modes = o->gil_modes != 0 ? o->gil_modes : e != NULL && e->gil_modes ? e->gil_modes : 1;
  rc = pick(o, e, &s->pk, w);
  if (rc == 0)
    rc = parse_conc_pus(conc, pus, &s->conc, &s->nconc, w);
  if (rc == 0)
    rc = parse_procs(procs, pus, &s->procs, &s->nprocs, w);
  if (rc == 0)
    rc = pay != NULL ? parse_payloads(pay, &s->payloads, &s->npayloads, w)
                     : one_value(wl->default_payload, &s->payloads, &s->npayloads, w);
  if (rc == 0)
    rc = o->sizes != NULL ? parse_sizes(o->sizes, &s->sizes, &s->nsizes, w)
                          : one_value(sz.size, &s->sizes, &s->nsizes, w);
  for (i = 0; rc == 0 && i < s->nsizes; i++) {
    if (s->sizes[i] > wl->max_size)
      rc = refuse(w, -EINVAL, "%s %llu for %s is above its largest, %llu (%s; "
                          "docs/WORKLOADS.md)", o->sizes != NULL ? "--size" : "size",
                          (unsigned long long)s->sizes[i], wl->name,
                          (unsigned long long)wl->max_size, wl->size_unit);
  }
  return rc;
}

/* The specs: the profile's entries for the chosen workloads, or one per
 * chosen workload. */
static int make_specs(const cb_matrix_opts_t *o, unsigned pus, spec_t **out, size_t *n, why_t *w)
{
  const char *wnames[cb_workloads_count];
  const char *list = o->workloads != NULL ? o->workloads : "*";
  size_t *wi = NULL, nw = 0, i, j, k = 0, ne, cap;
  spec_t *specs;
  int rc;

  for (i = 0; i < cb_workloads_count; i++)
    wnames[i] = cb_workloads[i]->name;
  rc = select_list("workload", list, wnames, cb_workloads_count, &wi, &nw, w);
  if (rc != 0)
    return rc;
  cap = (o->profile != NULL ? o->profile->n : 0) + nw;
  specs = calloc(cap > 0 ? cap : 1, sizeof(*specs));
  rc = specs == NULL ? refuse(w, -ENOMEM, "out of memory") : 0;
  for (i = 0; rc == 0 && i < nw; i++) {
    const cb_workload_t *wl = cb_workloads[wi[i]];
    if (wl->racy && !o->allow_races) {
      if (cb_list_names(list, wl->name) || nw == 1)
        rc = refuse(w, -EINVAL, "%s races on purpose (it loses updates): run it with "
                            "--allow-races", wl->name);
      continue;
    }
    if (o->profile == NULL) {
      rc = make_spec(o, wl, NULL, pus, &specs[k++], w);
      continue;
    }
    /* the profile's experiments with the workload, else its own sizing */
    for (j = 0, ne = 0; rc == 0 && j < o->profile->n; j++) {
      if (strcmp(o->profile->entries[j].workload, wl->name) == 0) {
        rc = make_spec(o, wl, &o->profile->entries[j], pus, &specs[k++], w);
        ne++;
      }
    }
    if (rc == 0 && ne == 0)
      rc = make_spec(o, wl, NULL, pus, &specs[k++], w);
  }
  free(wi);
  if (rc != 0) {
    free_specs(specs, k);
    return rc;
  }
  *out = specs;
  *n = k;
  return 0;
}

/* Refuse a cell the machine cannot take, naming the limit and its value;
 * note how far its runner and workload could go here. */
static int check_limits(cb_cell_t *c, unsigned pus, why_t *w)
{
  cb_limit_t why;

  if (cb_capacity_check(c, pus, &why) != 0)
    return refuse(w, -EINVAL, "concurrency %u for %s with %s needs about %llu %s but %s is "
                          "%llu", c->concurrency, c->rn->name, c->wl->name, why.need, why.what,
                          why.name, why.have);
  c->max_concurrency = cb_capacity_max(c, pus, 10000000, &c->limit);
  return 0;
}

/* How many of the picked variants the runner has (its default when none),
 * and the t-th of them. */
static size_t runner_variants(const cb_runner_t *rn, const variants_t *vs, variant_list_fn of)
{
  const char *const *l = of(rn);
  size_t i, j, n = 0;

  for (i = 0; i < vs->n; i++) {
    for (j = 0; l[j] != NULL; j++)
      n += strcmp(l[j], vs->v[i]) == 0;
  }
  return n > 0 ? n : 1;
}

static const char *runner_variant(const cb_runner_t *rn, const variants_t *vs, variant_list_fn of,
                                  size_t t)
{
  const char *const *l = of(rn);
  size_t i, j;

  for (i = 0; i < vs->n; i++) {
    for (j = 0; l[j] != NULL; j++) {
      if (strcmp(l[j], vs->v[i]) == 0 && t-- == 0)
        return vs->v[i];
    }
  }
  return l[0];
}

/* 1 when two cells would run the same trials: two experiments of one
 * workload that the command line's -r or -c made alike (the standard
 * profile's waits for the single loop and for the three models, under
 * -r threads) must not run one cell twice. */
static int same_name(const char *a, const char *b)
{
  return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_cell(const cb_cell_t *a, const cb_cell_t *b)
{
  return a->wl == b->wl && a->rn == b->rn && a->concurrency == b->concurrency &&
         a->procs == b->procs && same_name(a->transport, b->transport) &&
         same_name(a->dispatch, b->dispatch) &&
         a->gil == b->gil && a->switch_us == b->switch_us &&
         a->params.tasks == b->params.tasks && a->params.size == b->params.size &&
         a->params.payload == b->params.payload;
}

static int add_cell(cb_matrix_t *m, const cb_cell_t *c, why_t *w)
{
  size_t i;

  for (i = 0; i < m->ncells; i++) {
    if (same_cell(&m->cells[i], c))
      return 0;
  }
  if (CB_GROW(m->cells, m->cap, m->ncells, 64) != 0)
    return refuse(w, -ENOMEM, "out of memory");
  m->cells[m->ncells++] = *c;
  return 0;
}

/* One cell of a spec: runner rn at concurrency c, with its t-th picked
 * transport, d-th dispatch mode, p-th payload, z-th size and GIL mode g. */
static void make_cell(const cb_matrix_opts_t *o, const spec_t *s, const cb_runner_t *rn,
                      unsigned conc, unsigned procs, size_t t, size_t d, size_t p, size_t z,
                      int g, cb_cell_t *c)
{
  memset(c, 0, sizeof(*c));
  c->wl = s->wl;
  c->rn = rn;
  c->pin = o->pin;
  c->concurrency = conc;
  c->procs = procs;
  c->transport = runner_variant(rn, &s->pk.tr, transports_of, t);
  c->dispatch = runner_variant(rn, &s->pk.ds, dispatches_of, d);
  c->params.tasks = s->tasks > 0 ? s->tasks : cb_workload_tasks(s->wl, conc);
  if (c->params.tasks < s->per_c * conc)
    c->params.tasks = s->per_c * conc;
  c->calibrate = !o->have_tasks && (s->tasks > 0 || s->wl->default_tasks > 0);
  c->params.size = s->sizes[z];
  c->params.payload = s->payloads[p];
  c->params.seed = o->seed;
  c->gil = g;
  c->switch_us = g ? o->switch_us : 0;
}

/* The process counts of a runner at concurrency c: for a hybrid, each
 * --procs value's split (cb_procs_split) once, in the list's order; else
 * one, 0. */
static size_t procs_at(const spec_t *s, const cb_runner_t *rn, unsigned c, unsigned pus,
                       unsigned *out)
{
  size_t i, j, n = 0;
  unsigned p;

  if (!rn->takes_procs) {
    out[0] = 0;
    return 1;
  }
  for (i = 0; i < s->nprocs; i++) {
    p = cb_procs_split(c, s->procs[i], pus, NULL);
    for (j = 0; j < n && out[j] != p; j++)
      ;
    if (j == n)
      out[n++] = p;
  }
  return n;
}

/* The cells of one spec: runners x concurrency x (a hybrid's) process counts
 * x (each runner's picked) transports x dispatch modes x payloads x sizes x
 * GIL modes; a reference runner (serial) only at c = 1. */
static int spec_cells(const cb_matrix_opts_t *o, const spec_t *s, unsigned pus, cb_matrix_t *m,
                      why_t *w)
{
  size_t b, k, v, q, nq, nt, nd, np = s->npayloads, nz = s->nsizes, nv;
  unsigned *procs = malloc((s->nprocs > 0 ? s->nprocs : 1) * sizeof(*procs)), conc;
  cb_cell_t c;
  int rc = 0, g;

  if (procs == NULL)
    return refuse(w, -ENOMEM, "out of memory");

  for (b = 0; b < s->pk.nr; b++) {
    const cb_runner_t *rn = cb_runners[s->pk.ri[b]];
    nt = runner_variants(rn, &s->pk.tr, transports_of);
    nd = runner_variants(rn, &s->pk.ds, dispatches_of);
    nv = nt * nd * np * nz;
    for (k = 0; k < s->nconc && !(rn->reference && k > 0); k++) {
      conc = rn->reference ? 1 : s->conc[k];
      nq = procs_at(s, rn, conc, pus, procs);
      for (q = 0; q < nq; q++) {
        for (v = 0; v < nv; v++) {
          for (g = 0; g < 2; g++) { /* without the GIL, then with it */
            if (!(s->gil_modes & (1u << g)))
              continue;
            make_cell(o, s, rn, conc, procs[q], v / (nd * np * nz), v / (np * nz) % nd,
                      v / nz % np, v % nz, g, &c);
            rc = check_limits(&c, pus, w);
            if (rc == 0)
              rc = add_cell(m, &c, w);
            if (rc != 0)
              goto out;
          }
        }
      }
    }
  }
out:
  free(procs);
  return rc;
}

int cb_matrix_build(const cb_matrix_opts_t *o, const cb_topo_t *topo, cb_matrix_t *m, char *why,
                    size_t len)
{
  why_t w_ = { why, len }, *w = &w_;
  spec_t *specs = NULL;
  size_t nspecs = 0, i;
  int rc;

  memset(m, 0, sizeof(*m));
  rc = make_specs(o, cb_topo_pus(topo), &specs, &nspecs, w);
  for (i = 0; rc == 0 && i < nspecs; i++)
    rc = spec_cells(o, &specs[i], cb_topo_pus(topo), m, w);
  if (rc == 0 && m->ncells == 0)
    rc = refuse(w, -EINVAL, "the selection holds no cell (the profile has none of these "
                        "workloads)");
  free_specs(specs, nspecs);
  if (rc != 0)
    cb_matrix_free(m);
  return rc;
}

void cb_matrix_free(cb_matrix_t *m)
{
  size_t j;

  for (j = 0; m->group != NULL && j < m->nexpected; j++)
    cb_trial_expect_free(&m->cells[m->group[j].cell], m->group[j].expected, m->group[j].tasks);
  free(m->group);
  free(m->expected_of);
  free(m->cells);
  memset(m, 0, sizeof(*m));
}

void cb_matrix_print(const cb_matrix_t *m, uint64_t reps, uint64_t warmup, FILE *f)
{
  size_t i;

  fprintf(f, "%-14s %-13s %-9s %-9s %6s %8s %10s %10s %6s\n", "workload", "runner", "transport",
          "dispatch", "c", "tasks", "size", "payload", "procs");
  for (i = 0; i < m->ncells; i++) {
    const cb_cell_t *c = &m->cells[i];
    char rn[32], procs[16] = "-";

    snprintf(rn, sizeof(rn), "%s%s", c->rn->name, c->gil ? "+gil" : "");
    if (c->procs > 0)
      snprintf(procs, sizeof(procs), "%u", c->procs);
    fprintf(f, "%-14s %-13s %-9s %-9s %6u %8llu %10llu %10llu %6s\n", c->wl->name, rn,
            c->transport, c->dispatch, c->concurrency, (unsigned long long)c->params.tasks,
            (unsigned long long)c->params.size, (unsigned long long)c->params.payload, procs);
  }
  fprintf(f, "%zu cells x (%llu warm-up + %llu recorded) = %llu trials\n", m->ncells,
          (unsigned long long)warmup, (unsigned long long)reps,
          (unsigned long long)(m->ncells * (warmup + reps)));
}
