/* Merging trial CSVs; see merge.h (the list of inputs and the names are
 * merge_in.c's). Files are read one at a time: each is checked whole (a
 * concbench trial CSV, this schema, rows, no run seen in an earlier file,
 * its sidecar) before its rows are appended, so memory holds one input
 * table besides the output. The sidecars are JSON, read with jansson. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb.h"
#include "fingerprint.h"
#include "merge.h"
#include "record.h"
#include "table.h"

/* What makes a CSV a concbench trial CSV at all, whatever its version. */
static const char *const identifying[] = { "run_id", "workload", "runner", "concurrency",
                                           "throughput", "status" };

/* The hosts file: the identity, then the fingerprint's fields, then what
 * only the sidecar knows, then counts. */
static const char *const meta_fields[] = { "packages", "numa_nodes", "smt", "mhz", "governor",
                                           "c_flags", "libuv_version", "hwloc_version" };
/* Taken from the rows (they are columns of the trial CSV). */
static const char *const row_fields[] = { "mem_total_kb", "concbench_version", "git_revision" };

enum { NMETA = CB_ARRAY_SIZE(meta_fields), NROWF = CB_ARRAY_SIZE(row_fields) };

typedef struct host_s {
  char id[512], name[256], hostname[256], fp_id[160];
  cb_fp_t fp;
  char row[NROWF][256];
  char meta[NMETA][256];
  char started[40]; /* of the sidecar the meta fields come from */
  char meta_path[1024];
  char first[40], last[40];
  size_t runs, trials;
} host_t;

typedef struct run_s {
  char *id;
  size_t file;
} run_t;

typedef struct state_s {
  host_t *host;
  size_t nhost, caphost;
  run_t *run;
  size_t nrun, caprun;
} state_t;

/* The sidecar of one file. */
typedef struct meta_s {
  int have;
  char path[1024];
  char run_id[64], started[40];
  char v[NMETA][256];
} meta_t;

/* ---- checking one file ------------------------------------------------ */

static int check_schema(const cb_table_t *t, const char *path, char *err, size_t errlen)
{
  size_t i;

  for (i = 0; i < CB_ARRAY_SIZE(identifying); i++) {
    if (cb_table_col(t, identifying[i]) < 0) {
      snprintf(err, errlen, "%s: not a concbench trial CSV (it has no column '%s')", path,
               identifying[i]);
      return -EINVAL;
    }
  }
  for (i = 0; i < cb_record_columns_count; i++) {
    if (cb_table_col(t, cb_record_columns[i]) < 0) {
      snprintf(err, errlen, "%s: a trial CSV of another schema version: it has no column '%s' "
               "(merge takes the %zu columns this concbench writes; re-run it with this "
               "version)", path, cb_record_columns[i], cb_record_columns_count);
      return -EINVAL;
    }
  }
  for (i = 0; i < t->cols; i++) {
    if (i >= cb_record_columns_count || strcmp(cb_table_get(t, 0, i), cb_record_columns[i]) != 0) {
      snprintf(err, errlen, "%s: a trial CSV of another schema version: column %zu is '%s', "
               "this concbench writes %s%s%s (merge takes its %zu columns in its order)", path,
               i + 1, cb_table_get(t, 0, i), i < cb_record_columns_count ? "'" : "none there",
               i < cb_record_columns_count ? cb_record_columns[i] : "",
               i < cb_record_columns_count ? "'" : "", cb_record_columns_count);
      return -EINVAL;
    }
  }
  if (t->rows < 2) {
    snprintf(err, errlen, "%s: line 2: no trials after the header", path);
    return -EINVAL;
  }
  return 0;
}

/* A JSON value as text: strings as they are, numbers and booleans as JSON
 * writes them, anything else (absent, null, arrays) empty. */
static void json_text(const json_t *v, char *buf, size_t len)
{
  buf[0] = '\0';
  if (json_is_string(v))
    snprintf(buf, len, "%s", json_string_value(v));
  else if (json_is_integer(v))
    snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
  else if (json_is_real(v))
    snprintf(buf, len, "%.10g", json_real_value(v));
  else if (json_is_boolean(v))
    snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
}

/* X.meta.json beside X.csv, when there is one. */
static int read_meta(const char *csv, meta_t *mt, char *err, size_t errlen)
{
  json_error_t je;
  json_t *root;
  struct stat st;
  size_t i;

  memset(mt, 0, sizeof(*mt));
  cb__merge_beside(csv, ".meta.json", mt->path, sizeof(mt->path));
  if (stat(mt->path, &st) != 0)
    return 0;
  root = json_load_file(mt->path, JSON_REJECT_DUPLICATES, &je);
  if (root == NULL) {
    snprintf(err, errlen, "%s: line %d: %s", mt->path, je.line, je.text);
    return -EINVAL;
  }
  json_text(json_object_get(root, "run_id"), mt->run_id, sizeof(mt->run_id));
  json_text(json_object_get(root, "started"), mt->started, sizeof(mt->started));
  for (i = 0; i < NMETA; i++)
    json_text(json_object_get(root, meta_fields[i]), mt->v[i], sizeof(mt->v[i]));
  json_decref(root);
  if (mt->run_id[0] == '\0') {
    snprintf(err, errlen, "%s: not a concbench metadata file (no \"run_id\")", mt->path);
    return -EINVAL;
  }
  mt->have = 1;
  return 0;
}

/* ---- hosts and runs --------------------------------------------------- */

static void fp_id_of_row(const cb_table_t *t, size_t r, cb_fp_t *fp, char *id, size_t len)
{
  cb_fp_of_row(t, r, fp);
  cb_fp_id(fp, id, len);
}

/* The identity of row r of an input. A row that already carries
 * NAME@ITS-FINGERPRINT (an earlier merge) keeps NAME. */
static void row_identity(const cb_merge_in_t *in, const cb_table_t *t, size_t r,
                         const char *fp_id, char *name, size_t nlen, char *id, size_t idlen)
{
  const char *host = cb_table_get(t, r, (size_t)cb_table_col(t, "host"));
  const char *at = strrchr(host, '@');

  if (in->name != NULL)
    snprintf(name, nlen, "%s", in->name);
  else if (at != NULL && strcmp(at + 1, fp_id) == 0)
    snprintf(name, nlen, "%.*s", (int)(at - host), host);
  else
    snprintf(name, nlen, "%s", host);
  cb_host_identity(name, fp_id, id, idlen);
}

static long find_host(const state_t *s, const char *id)
{
  size_t i;

  for (i = 0; i < s->nhost; i++) {
    if (strcmp(s->host[i].id, id) == 0)
      return (long)i;
  }
  return -1;
}

static long add_host(state_t *s, const char *id, const char *name, const char *hostname,
                     const cb_fp_t *fp, const char *fp_id)
{
  host_t *h;

  if (CB_GROW(s->host, s->caphost, s->nhost, 8) != 0)
    return -1;
  h = &s->host[s->nhost];
  memset(h, 0, sizeof(*h));
  snprintf(h->id, sizeof(h->id), "%s", id);
  snprintf(h->name, sizeof(h->name), "%s", name);
  snprintf(h->hostname, sizeof(h->hostname), "%s", hostname);
  snprintf(h->fp_id, sizeof(h->fp_id), "%s", fp_id);
  h->fp = *fp;
  return (long)s->nhost++;
}

static long find_run(const state_t *s, const char *id)
{
  size_t i;

  for (i = 0; i < s->nrun; i++) {
    if (strcmp(s->run[i].id, id) == 0)
      return (long)i;
  }
  return -1;
}

static int add_run(state_t *s, const char *id, size_t file)
{
  if (CB_GROW(s->run, s->caprun, s->nrun, 16) != 0)
    return -ENOMEM;
  s->run[s->nrun].id = strdup(id);
  if (s->run[s->nrun].id == NULL)
    return -ENOMEM;
  s->run[s->nrun++].file = file;
  return 0;
}

static void state_free(state_t *s)
{
  size_t i;

  for (i = 0; i < s->nrun; i++)
    free(s->run[i].id);
  free(s->run);
  free(s->host);
  memset(s, 0, sizeof(*s));
}

/* Every run of file f: none may be in an earlier file; the sidecar must be
 * of one of them. */
static int check_runs(const cb_merge_t *m, state_t *s, size_t f, const cb_table_t *t,
                      const meta_t *mt, char *err, size_t errlen)
{
  size_t col = (size_t)cb_table_col(t, "run_id"), r, first = s->nrun;
  int meta_seen = !mt->have, rc;
  long k;

  for (r = 1; r < t->rows; r++) {
    const char *id = cb_table_get(t, r, col);
    if (id[0] == '\0') {
      snprintf(err, errlen, "%s: line %zu: empty run_id", m->in[f].path, t->line[r]);
      return -EINVAL;
    }
    k = find_run(s, id);
    if (k >= 0 && (size_t)k < first) {
      snprintf(err, errlen, "%s: run %s is also in %s (the same run twice)", m->in[f].path, id,
               m->in[s->run[k].file].path);
      return -EINVAL;
    }
    if (k < 0 && (rc = add_run(s, id, f)) != 0)
      return rc;
    meta_seen |= strcmp(id, mt->run_id) == 0;
  }
  if (!meta_seen) {
    snprintf(err, errlen, "%s: run_id %s is not a run of %s", mt->path, mt->run_id,
             m->in[f].path);
    return -EINVAL;
  }
  return 0;
}

static void take_meta(host_t *h, const meta_t *mt)
{
  size_t i;

  if (!mt->have || (h->started[0] != '\0' && strcmp(mt->started, h->started) < 0))
    return;
  snprintf(h->started, sizeof(h->started), "%s", mt->started);
  snprintf(h->meta_path, sizeof(h->meta_path), "%s", mt->path);
  for (i = 0; i < NMETA; i++)
    snprintf(h->meta[i], sizeof(h->meta[i]), "%s", mt->v[i]);
}

/* Append file f's rows with their identities; count hosts' runs and
 * trials. */
static int append_rows(const cb_merge_t *m, state_t *s, size_t f, const cb_table_t *t,
                       const meta_t *mt, cb_buf_t *csv)
{
  size_t host_col = (size_t)cb_table_col(t, "host"), run_col = (size_t)cb_table_col(t, "run_id");
  size_t ts_col = (size_t)cb_table_col(t, "timestamp"), r, c, i;
  char fp_id[160], name[256], id[512];
  const char *run, *ts;
  cb_fp_t fp;
  host_t *h;
  long k;

  for (r = 1; r < t->rows; r++) {
    fp_id_of_row(t, r, &fp, fp_id, sizeof(fp_id));
    row_identity(&m->in[f], t, r, fp_id, name, sizeof(name), id, sizeof(id));
    k = find_host(s, id);
    if (k < 0)
      k = add_host(s, id, name, cb_table_get(t, r, host_col), &fp, fp_id);
    if (k < 0)
      return -ENOMEM;
    h = &s->host[k];
    h->trials++;
    run = cb_table_get(t, r, run_col);
    /* a run's first row in this file counts it for its host */
    for (i = 1; i < r && strcmp(cb_table_get(t, i, run_col), run) != 0; i++)
      ;
    if (i == r) {
      h->runs++;
      if (strcmp(run, mt->run_id) == 0)
        take_meta(h, mt);
    }
    for (i = 0; i < NROWF; i++)
      snprintf(h->row[i], sizeof(h->row[i]), "%s",
               cb_table_get(t, r, (size_t)cb_table_col(t, row_fields[i])));
    ts = cb_table_get(t, r, ts_col);
    if (ts == NULL) /* never: a field of a loaded table (gcc -O1 cannot tell) */
      ts = "";
    if (h->first[0] == '\0' || strcmp(ts, h->first) < 0)
      snprintf(h->first, sizeof(h->first), "%s", ts);
    if (strcmp(ts, h->last) > 0)
      snprintf(h->last, sizeof(h->last), "%s", ts);
    for (c = 0; c < t->cols; c++) {
      if (c > 0)
        cb_buf_put(csv, ",", 1);
      cb_buf_csv_str(csv, c == host_col ? id : cb_table_get(t, r, c));
    }
    cb_buf_put(csv, "\n", 1);
  }
  return csv->failed ? -ENOMEM : 0;
}

static void hosts_csv(const state_t *s, cb_buf_t *b)
{
  size_t i, k;

  cb_buf_printf(b, "host,name,hostname,fingerprint");
  for (k = 0; k < CB_FP_FIELDS; k++)
    cb_buf_printf(b, ",%s", cb_fp_columns[k]);
  for (k = 0; k < NMETA; k++)
    cb_buf_printf(b, ",%s", meta_fields[k]);
  for (k = 0; k < NROWF; k++)
    cb_buf_printf(b, ",%s", row_fields[k]);
  cb_buf_printf(b, ",runs,trials,first,last,meta\n");
  for (i = 0; i < s->nhost; i++) {
    const host_t *h = &s->host[i];
    cb_buf_csv_str(b, h->id);
    cb_buf_put(b, ",", 1);
    cb_buf_csv_str(b, h->name);
    cb_buf_put(b, ",", 1);
    cb_buf_csv_str(b, h->hostname);
    cb_buf_put(b, ",", 1);
    cb_buf_csv_str(b, h->fp_id);
    for (k = 0; k < CB_FP_FIELDS; k++) {
      cb_buf_put(b, ",", 1);
      cb_buf_csv_str(b, h->fp.known & (1u << k) ? h->fp.v[k] : "");
    }
    for (k = 0; k < NMETA; k++) {
      cb_buf_put(b, ",", 1);
      cb_buf_csv_str(b, h->meta[k]);
    }
    for (k = 0; k < NROWF; k++) {
      cb_buf_put(b, ",", 1);
      cb_buf_csv_str(b, h->row[k]);
    }
    cb_buf_printf(b, ",%zu,%zu,", h->runs, h->trials);
    cb_buf_csv_str(b, h->first);
    cb_buf_put(b, ",", 1);
    cb_buf_csv_str(b, h->last);
    cb_buf_put(b, ",", 1);
    cb_buf_csv_str(b, h->meta_path);
    cb_buf_put(b, "\n", 1);
  }
}

static int merge_file(cb_merge_t *m, state_t *s, size_t f, cb_buf_t *csv, char *err,
                      size_t errlen)
{
  cb_table_t t;
  meta_t *mt = malloc(sizeof(*mt)); /* kilobytes: not on a small stack */
  int rc;

  if (mt == NULL)
    return -ENOMEM;
  rc = cb_table_load(m->in[f].path, &t, err, errlen);
  if (rc != 0) {
    free(mt);
    return rc == -ENOMEM ? rc : -EINVAL;
  }
  rc = check_schema(&t, m->in[f].path, err, errlen);
  if (rc == 0)
    rc = read_meta(m->in[f].path, mt, err, errlen);
  if (rc == 0)
    rc = check_runs(m, s, f, &t, mt, err, errlen);
  if (rc == 0)
    rc = append_rows(m, s, f, &t, mt, csv);
  if (rc == 0)
    m->rows += t.rows - 1;
  cb_table_free(&t);
  free(mt);
  return rc;
}

int cb_merge_run(cb_merge_t *m, cb_buf_t *csv, cb_buf_t *hosts, char *err, size_t errlen)
{
  state_t s = { 0 };
  size_t f;
  int rc = 0;

  m->rows = m->runs = m->hosts = 0;
  cb_record_header(csv);
  for (f = 0; f < m->nin && rc == 0; f++)
    rc = merge_file(m, &s, f, csv, err, errlen);
  if (rc == 0) {
    hosts_csv(&s, hosts);
    m->runs = s.nrun;
    m->hosts = s.nhost;
    if (csv->failed || hosts->failed)
      rc = -ENOMEM;
  }
  if (rc == -ENOMEM)
    snprintf(err, errlen, "out of memory");
  state_free(&s);
  return rc;
}
