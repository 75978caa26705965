/* Machine, build and moment of a run; see meta.h. Everything read here has a
 * fallback ("unknown", 0): a missing /sys file must not stop a benchmark. */
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

static void json_kv(cb_buf_t *b, const char *key, const char *value, int last)
{
  cb_buf_printf(b, "  \"%s\": ", key);
  cb_buf_json_str(b, value);
  cb_buf_printf(b, "%s\n", last ? "" : ",");
}

void cb_meta_json(const cb_meta_t *m, cb_buf_t *b)
{
  char id[128];
  cb_fp_t fp;
  size_t i;

  cb_buf_printf(b, "{\n");
  json_kv(b, "run_id", m->run_id, 0);
  json_kv(b, "started", m->started, 0);
  json_kv(b, "host", m->host, 0);
  json_kv(b, "cpu_model", m->cpu_model, 0);
  cb_buf_printf(b, "  \"mhz\": %.1f,\n", m->mhz);
  cb_buf_printf(b, "  \"pus\": %u,\n  \"cores\": %u,\n  \"packages\": %u,\n"
                   "  \"numa_nodes\": %u,\n  \"smt\": %s,\n",
                m->pus, m->cores, m->packages, m->numa_nodes, m->smt ? "true" : "false");
  cb_buf_printf(b, "  \"caches\": [");
  for (i = 0; i < m->ncaches; i++)
    cb_buf_printf(b, "%s\n    {\"level\": %u, \"type\": \"%s\", \"size\": %llu, "
                     "\"num_sharing\": %u}", i ? "," : "", m->caches[i].level,
                  m->caches[i].type, m->caches[i].size, m->caches[i].num_sharing);
  cb_buf_printf(b, "%s],\n", m->ncaches ? "\n  " : "");
  json_kv(b, "governor", m->governor, 0);
  json_kv(b, "kernel", m->kernel, 0);
  cb_buf_printf(b, "  \"mem_total_kb\": %llu,\n", m->mem_total_kb);
  cb_buf_printf(b, "  \"load_avg\": [%.2f, %.2f, %.2f],\n", m->load_avg[0], m->load_avg[1],
                m->load_avg[2]);
  json_kv(b, "compiler", CB_COMPILER, 0);
  json_kv(b, "c_flags", CB_CFLAGS, 0);
  json_kv(b, "build_type", CB_BUILDTYPE, 0);
  json_kv(b, "libuv_version", m->libuv_version, 0);
  json_kv(b, "hwloc_version", CB_HWLOC_VERSION, 0);
  json_kv(b, "concbench_version", CB_VERSION, 0);
  json_kv(b, "git_revision", CB_GIT_REVISION, 0);
  cb_fp_of_meta(m, &fp);
  cb_fp_id(&fp, id, sizeof(id));
  json_kv(b, "fingerprint", id, 0);
  cb_buf_printf(b, "  \"fingerprint_fields\": {");
  for (i = 0; i < CB_FP_FIELDS; i++) {
    cb_buf_printf(b, "%s\"%s\": ", i ? ", " : "", cb_fp_columns[i]);
    cb_buf_json_str(b, fp.v[i]);
  }
  cb_buf_printf(b, "}\n}\n");
}
