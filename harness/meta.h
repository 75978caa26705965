/* What a result depends on besides the code: the machine, the build and the
 * moment. Read once per run, outside every timed region. The trial CSV
 * carries the columns people filter on; the JSON sidecar beside it
 * (X.meta.json) carries all of it. */
#ifndef CB_META_H
#define CB_META_H

#include "csv.h"
#include "env.h"
#include "topo.h"

typedef struct cb_meta_s {
  char run_id[48];
  char started[32];          /* ISO 8601 UTC */
  char host[256];
  char cpu_model[160];
  char kernel[160];
  char governor[64];         /* cpufreq governor of cpu0, or "unknown" */
  char libuv_version[32];
  double mhz;                /* current clock of cpu0, 0 when unknown */
  double load_avg[3];
  unsigned long long mem_total_kb; /* MemTotal of /proc/meminfo */
  unsigned pus, cores, packages, numa_nodes;
  int smt;                   /* more PUs than cores */
  cb_cache_t caches[8];
  size_t ncaches;
  char caches_text[256];     /* the `caches` column (harness/fingerprint.h) */
  unsigned long long min_time_ms; /* calibration's minimum trial time, 0: none */
  cb_env_t env, env_end;     /* the environment before the first trial, after the last */
  int have_env_end;
  char env_text[512];        /* env's warnings, the `env` column */
} cb_meta_t;

void cb_meta_collect(cb_meta_t *m, const cb_topo_t *topo);
/* The sidecar: one JSON object with everything above, the build, and the
 * fingerprint of both (harness/fingerprint.h): its id and its fields. The
 * environment (`env`, and `env_end` once the run is over) is written as
 * harness/env.h's cb_env_json. */
void cb_meta_json(const cb_meta_t *m, cb_buf_t *b);
/* X.csv (or X) -> X.meta.json, the sidecar's name. 0 or -ENAMETOOLONG. */
int cb_meta_path(const char *csv, char *buf, size_t len);
/* Read a sidecar back (what exports of a CSV take for their context): the
 * fields above that it holds, the others 0 or "". 0, or -EINVAL with `err`
 * naming the file and what is wrong (not JSON, with its line; not concbench
 * metadata). */
int cb_meta_read(const char *path, cb_meta_t *m, char *err, size_t errlen);

#endif
