/* Machine, build and moment of a run; see meta.h. Everything read here has a
 * fallback ("unknown", 0): a missing /sys file must not stop a benchmark.
 * The sidecar is written and read back with jansson (harness/json.h): a host
 * name or CPU model that is not UTF-8 cannot make it invalid JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cb.h"
#include "cb_version.h"
#include "fingerprint.h"
#include "json.h"
#include "meta.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

/* The value of the first "key : value" line of a /proc-style file. */
static void read_field(const char *path, const char *key, char *buf, size_t len)
{
  char line[512], *colon;
  FILE *f = fopen(path, "re");

  snprintf(buf, len, "unknown");
  if (f == NULL)
    return;
  while (fgets(line, sizeof(line), f) != NULL) {
    if (strncmp(line, key, strlen(key)) != 0 || (colon = strchr(line, ':')) == NULL)
      continue;
    colon += 1 + (colon[1] == ' ');
    colon[strcspn(colon, "\n")] = '\0';
    snprintf(buf, len, "%s", colon);
    break;
  }
  fclose(f);
}

static void read_line(const char *path, char *buf, size_t len)
{
  FILE *f = fopen(path, "re");

  snprintf(buf, len, "unknown");
  if (f == NULL)
    return;
  if (fgets(buf, (int)len, f) == NULL)
    snprintf(buf, len, "unknown");
  buf[strcspn(buf, "\n")] = '\0';
  fclose(f);
}

static void run_id(cb_meta_t *m)
{
  uint64_t rnd = 0;
  time_t now = time(NULL);
  struct tm tm;
  char when[32];

  if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
    rnd = cb_mix64(cb_now_ns() ^ (uint64_t)getpid());
  gmtime_r(&now, &tm);
  strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
  strftime(m->started, sizeof(m->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf(m->run_id, sizeof(m->run_id), "%s-%08" PRIx32, when, (uint32_t)rnd);
}

void cb_meta_collect(cb_meta_t *m, const cb_topo_t *topo)
{
  struct utsname u;
  char mhz[64];
  FILE *f;

  memset(m, 0, sizeof(*m));
  run_id(m);
  if (gethostname(m->host, sizeof(m->host) - 1) != 0)
    snprintf(m->host, sizeof(m->host), "unknown");
  if (uname(&u) == 0)
    snprintf(m->kernel, sizeof(m->kernel), "%s %s", u.sysname, u.release);
  read_field("/proc/cpuinfo", "model name", m->cpu_model, sizeof(m->cpu_model));
  read_field("/proc/cpuinfo", "cpu MHz", mhz, sizeof(mhz));
  sscanf(mhz, "%lf", &m->mhz);
  read_field("/proc/meminfo", "MemTotal", mhz, sizeof(mhz));
  sscanf(mhz, "%llu", &m->mem_total_kb);
  read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", m->governor,
            sizeof(m->governor));
  if ((f = fopen("/proc/loadavg", "re")) != NULL) {
    if (fscanf(f, "%lf %lf %lf", &m->load_avg[0], &m->load_avg[1], &m->load_avg[2]) != 3)
      m->load_avg[0] = m->load_avg[1] = m->load_avg[2] = 0;
    fclose(f);
  }
#if CB_HAVE_LIBUV
  snprintf(m->libuv_version, sizeof(m->libuv_version), "%s", uv_version_string());
#else
  snprintf(m->libuv_version, sizeof(m->libuv_version), "none");
#endif
  m->pus = cb_topo_pus(topo);
  m->cores = cb_topo_cores(topo);
  m->packages = cb_topo_packages(topo);
  m->numa_nodes = cb_topo_numa_nodes(topo);
  m->smt = m->pus > m->cores;
  m->ncaches = cb_topo_caches(topo, m->caches, CB_ARRAY_SIZE(m->caches));
  cb_fp_caches_text(m->caches, m->ncaches, m->caches_text, sizeof(m->caches_text));
}

void cb_meta_json(const cb_meta_t *m, cb_buf_t *b)
{
  json_t *root = json_object(), *caches = json_array(), *load = json_array(), *fpf = json_object();
  char id[128];
  cb_fp_t fp;
  size_t i;
  int bad = 0;

  cb_json_set(root, "run_id", cb_json_str(m->run_id), &bad);
  cb_json_set(root, "started", cb_json_str(m->started), &bad);
  cb_json_set(root, "host", cb_json_str(m->host), &bad);
  cb_json_set(root, "cpu_model", cb_json_str(m->cpu_model), &bad);
  cb_json_set(root, "mhz", cb_json_num(m->mhz), &bad);
  cb_json_set(root, "pus", json_integer(m->pus), &bad);
  cb_json_set(root, "cores", json_integer(m->cores), &bad);
  cb_json_set(root, "packages", json_integer(m->packages), &bad);
  cb_json_set(root, "numa_nodes", json_integer(m->numa_nodes), &bad);
  cb_json_set(root, "smt", json_boolean(m->smt), &bad);
  for (i = 0; i < m->ncaches; i++) {
    json_t *c = json_object();
    cb_json_set(c, "level", json_integer(m->caches[i].level), &bad);
    cb_json_set(c, "type", cb_json_str(m->caches[i].type), &bad);
    cb_json_set(c, "size", json_integer((json_int_t)m->caches[i].size), &bad);
    cb_json_set(c, "num_sharing", json_integer(m->caches[i].num_sharing), &bad);
    cb_json_push(caches, c, &bad);
  }
  cb_json_set(root, "caches", caches, &bad);
  cb_json_set(root, "governor", cb_json_str(m->governor), &bad);
  cb_json_set(root, "kernel", cb_json_str(m->kernel), &bad);
  cb_json_set(root, "mem_total_kb", json_integer((json_int_t)m->mem_total_kb), &bad);
  for (i = 0; i < 3; i++)
    cb_json_push(load, cb_json_num(m->load_avg[i]), &bad);
  cb_json_set(root, "load_avg", load, &bad);
  cb_json_set(root, "compiler", cb_json_str(CB_COMPILER), &bad);
  cb_json_set(root, "c_flags", cb_json_str(CB_CFLAGS), &bad);
  cb_json_set(root, "build_type", cb_json_str(CB_BUILDTYPE), &bad);
  cb_json_set(root, "libuv_version", cb_json_str(m->libuv_version), &bad);
  cb_json_set(root, "hwloc_version", cb_json_str(CB_HWLOC_VERSION), &bad);
  cb_json_set(root, "concbench_version", cb_json_str(CB_VERSION), &bad);
  cb_json_set(root, "git_revision", cb_json_str(CB_GIT_REVISION), &bad);
  cb_json_set(root, "min_time_ms", json_integer((json_int_t)m->min_time_ms), &bad);
  /* A sidecar of a run always has it; metadata made otherwise may not. */
  if (m->env.item[0].name != NULL)
    cb_json_set(root, "env", cb_env_json(&m->env), &bad);
  if (m->have_env_end)
    cb_json_set(root, "env_end", cb_env_json(&m->env_end), &bad);
  cb_fp_of_meta(m, &fp);
  cb_fp_id(&fp, id, sizeof(id));
  cb_json_set(root, "fingerprint", cb_json_str(id), &bad);
  for (i = 0; i < CB_FP_FIELDS; i++)
    cb_json_set(fpf, cb_fp_columns[i], cb_json_str(fp.v[i]), &bad);
  cb_json_set(root, "fingerprint_fields", fpf, &bad);
  if (cb_json_dump(root, bad, b) != 0)
    b->failed = 1;
  json_decref(root);
}

/* A number of the sidecar, 0 when absent or not a number. */
static double num_of(const json_t *root, const char *key)
{
  return json_number_value(json_object_get(root, key));
}

static void text_of(const json_t *root, const char *key, char *buf, size_t len)
{
  const char *v = json_string_value(json_object_get(root, key));

  snprintf(buf, len, "%s", v != NULL ? v : "");
}

/* The cache types hwloc gives (harness/topo.c) are static strings. */
static const char *cache_type(const char *s)
{
  static const char *const types[] = { "Data", "Instruction", "Unified" };
  size_t i;

  for (i = 0; s != NULL && i < CB_ARRAY_SIZE(types); i++) {
    if (strcmp(s, types[i]) == 0)
      return types[i];
  }
  return "Unknown";
}

int cb_meta_read(const char *path, cb_meta_t *m, char *err, size_t errlen)
{
  const json_t *caches, *c, *load;
  json_error_t je;
  json_t *root;
  size_t i;

  memset(m, 0, sizeof(*m));
  root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (root == NULL) {
    if (je.line < 0)
      snprintf(err, errlen, "%s: %s", path, je.text);
    else
      snprintf(err, errlen, "%s: line %d: %s", path, je.line, je.text);
    return -EINVAL;
  }
  if (!json_is_object(root) || !json_is_string(json_object_get(root, "run_id"))) {
    snprintf(err, errlen, "%s: not a concbench metadata file (no \"run_id\")", path);
    json_decref(root);
    return -EINVAL;
  }
  text_of(root, "run_id", m->run_id, sizeof(m->run_id));
  text_of(root, "started", m->started, sizeof(m->started));
  text_of(root, "host", m->host, sizeof(m->host));
  text_of(root, "cpu_model", m->cpu_model, sizeof(m->cpu_model));
  text_of(root, "kernel", m->kernel, sizeof(m->kernel));
  text_of(root, "governor", m->governor, sizeof(m->governor));
  text_of(root, "libuv_version", m->libuv_version, sizeof(m->libuv_version));
  m->mhz = num_of(root, "mhz");
  m->mem_total_kb = (unsigned long long)num_of(root, "mem_total_kb");
  m->pus = (unsigned)num_of(root, "pus");
  m->cores = (unsigned)num_of(root, "cores");
  m->packages = (unsigned)num_of(root, "packages");
  m->numa_nodes = (unsigned)num_of(root, "numa_nodes");
  m->smt = json_is_true(json_object_get(root, "smt"));
  load = json_object_get(root, "load_avg");
  for (i = 0; i < 3; i++)
    m->load_avg[i] = json_number_value(json_array_get(load, i));
  caches = json_object_get(root, "caches");
  for (i = 0; i < json_array_size(caches) && m->ncaches < CB_ARRAY_SIZE(m->caches); i++) {
    cb_cache_t *x = &m->caches[m->ncaches];
    c = json_array_get(caches, i);
    if (!json_is_object(c))
      continue;
    x->level = (unsigned)json_number_value(json_object_get(c, "level"));
    x->size = (unsigned long long)json_number_value(json_object_get(c, "size"));
    x->num_sharing = (unsigned)json_number_value(json_object_get(c, "num_sharing"));
    x->type = cache_type(json_string_value(json_object_get(c, "type")));
    m->ncaches++;
  }
  cb_fp_caches_text(m->caches, m->ncaches, m->caches_text, sizeof(m->caches_text));
  json_decref(root);
  return 0;
}

int cb_meta_path(const char *csv, char *buf, size_t len)
{
  size_t n = strlen(csv);
  int w;

  if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
    n -= 4;
  w = snprintf(buf, len, "%.*s.meta.json", (int)n, csv);
  return w >= 0 && (size_t)w < len ? 0 : -ENAMETOOLONG;
}
