/* Machine metadata and CSV rows; see record.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "record.h"

static void cpu_model(char *buf, size_t len)
{
  char line[512], *colon;
  FILE *f = fopen("/proc/cpuinfo", "re");

  snprintf(buf, len, "unknown");
  if (f == NULL)
    return;
  while (fgets(line, sizeof(line), f) != NULL) {
    if (strncmp(line, "model name", 10) != 0 || (colon = strchr(line, ':')) == NULL)
      continue;
    colon += 1 + (colon[1] == ' ');
    colon[strcspn(colon, "\n")] = '\0';
    snprintf(buf, len, "%s", colon);
    break;
  }
  fclose(f);
}

void cb_meta_collect(cb_meta_t *m, const cb_topo_t *topo)
{
  struct utsname u;
  uint64_t rnd = 0;
  time_t now = time(NULL);
  struct tm tm;
  char when[32];

  memset(m, 0, sizeof(*m));
  if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
    rnd = cb_mix64(cb_now_ns() ^ (uint64_t)getpid());
  gmtime_r(&now, &tm);
  strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
  snprintf(m->run_id, sizeof(m->run_id), "%s-%08" PRIx32, when, (uint32_t)rnd);
  if (gethostname(m->host, sizeof(m->host) - 1) != 0)
    snprintf(m->host, sizeof(m->host), "unknown");
  if (uname(&u) == 0)
    snprintf(m->kernel, sizeof(m->kernel), "%s %s", u.sysname, u.release);
  cpu_model(m->cpu_model, sizeof(m->cpu_model));
  m->pus = cb_topo_pus(topo);
  m->cores = cb_topo_cores(topo);
}

#define CB_HEADER(name, kind, expr) #name,
static const char *const columns[] = { CB_COLUMNS(CB_HEADER) };

void cb_record_header(cb_buf_t *b)
{
  size_t i;

  for (i = 0; i < CB_ARRAY_SIZE(columns); i++)
    cb_buf_printf(b, "%s%s", i ? "," : "", columns[i]);
  cb_buf_put(b, "\n", 1);
}

#define EMIT_STR(b, v) cb_buf_csv_str(b, v)
#define EMIT_U64(b, v) cb_buf_printf(b, "%" PRIu64, (uint64_t)(v))
#define EMIT_DBL(b, v) cb_buf_csv_double(b, v)
#define CB_FIELD(name, kind, expr) \
  if (first) first = 0; else cb_buf_put(b, ",", 1); \
  EMIT_##kind(b, expr);

void cb_record_row(cb_buf_t *b, const cb_row_t *r)
{
  int first = 1;

  CB_COLUMNS(CB_FIELD)
  cb_buf_put(b, "\n", 1);
}
