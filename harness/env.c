/* The environment check; see env.h. Each item reads a few small files and
 * falls back to "unknown" without a warning: a machine that hides its
 * governor (most VMs) is not a machine to refuse. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cb.h"
#include "cb_version.h"
#include "env.h"
#include "noise.h"
#include "json.h"

/* One process's CPU time in clock ticks. */
typedef struct proc_s {
  long pid;
  unsigned long long ticks;
  char comm[20];
} proc_t;

typedef struct snap_s {
  proc_t *p;
  size_t n, cap;
} snap_t;

const char *cb_env_root(void)
{
  const char *r = getenv("CONCBENCH_SYSROOT");

  return r != NULL && r[0] != '\0' ? r : "/";
}

/* The first line of ROOT/rel into buf (newline cut); 0 or -errno. */
static int read_line(const char *root, const char *rel, char *buf, size_t len)
{
  char path[1100];
  FILE *f;
  int err = 0;

  snprintf(path, sizeof(path), "%s/%s", root, rel);
  f = fopen(path, "re");
  if (f == NULL)
    return -errno;
  if (fgets(buf, (int)len, f) == NULL)
    err = -EIO;
  else
    buf[strcspn(buf, "\n")] = '\0';
  fclose(f);
  return err;
}

double cb_env_load1(const char *root)
{
  char line[128];
  double l;

  if (read_line(root, "proc/loadavg", line, sizeof(line)) != 0 || sscanf(line, "%lf", &l) != 1)
    return -1;
  return l;
}

static void set(cb_env_item_t *it, int warn, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set(cb_env_item_t *it, int warn, const char *hint, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(it->value, sizeof(it->value), fmt, ap);
  va_end(ap);
  it->warn = warn;
  it->hint = hint;
}

static void check_load(const char *root, unsigned pus, cb_env_t *e)
{
  cb_env_item_t *it = &e->item[CB_ENV_LOAD];

  e->load1 = cb_env_load1(root);
  if (e->load1 < 0)
    set(it, 0, "", "unknown");
  else
    set(it, e->load1 >= CB_ENV_LOAD_SHARE * pus,
        "other work is running or just ran: wait for the load to fall, or find it with top",
        "%.2f on %u PUs", e->load1, pus);
}

/* ---- busy processes ------------------------------------------------------- */

/* pid, comm, ppid and utime + stime of ROOT/proc/NAME/stat. 0 or -1. */
static int read_stat(const char *root, const char *name, proc_t *p, long *ppid)
{
  char path[320], line[1024], *close, *tok, *save = NULL;
  unsigned long long ut = 0, st = 0;
  int field = 2;
  FILE *f;

  snprintf(path, sizeof(path), "%s/proc/%s/stat", root, name);
  f = fopen(path, "re");
  if (f == NULL)
    return -1;
  tok = fgets(line, sizeof(line), f);
  fclose(f);
  if (tok == NULL || (close = strrchr(line, ')')) == NULL || strchr(line, '(') == NULL)
    return -1;
  p->pid = strtol(line, NULL, 10);
  snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(close - strchr(line, '(') - 1),
           strchr(line, '(') + 1);
  /* Fields after the name: 3 state, 4 ppid, ..., 14 utime, 15 stime. */
  for (tok = strtok_r(close + 1, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
    field++;
    if (field == 4)
      *ppid = strtol(tok, NULL, 10);
    else if (field == 14)
      ut = strtoull(tok, NULL, 10);
    else if (field == 15) {
      st = strtoull(tok, NULL, 10);
      break;
    }
  }
  if (field != 15)
    return -1;
  p->ticks = ut + st;
  return 0;
}

/* Every process but this one and its children. 0 or -errno. */
static int snapshot(const char *root, snap_t *s)
{
  char path[300];
  struct dirent *d;
  long self = (long)getpid(), ppid = 0;
  proc_t p;
  DIR *dir;

  s->n = 0;
  snprintf(path, sizeof(path), "%s/proc", root);
  dir = opendir(path);
  if (dir == NULL)
    return -errno;
  while ((d = readdir(dir)) != NULL) {
    if (d->d_name[0] < '1' || d->d_name[0] > '9' || read_stat(root, d->d_name, &p, &ppid) != 0)
      continue;
    if (p.pid == self || ppid == self)
      continue;
    if (CB_GROW(s->p, s->cap, s->n, 256) != 0) {
      closedir(dir);
      return -ENOMEM;
    }
    s->p[s->n++] = p;
  }
  closedir(dir);
  return 0;
}

static const proc_t *find(const snap_t *s, long pid)
{
  size_t i;

  for (i = 0; i < s->n; i++) {
    if (s->p[i].pid == pid)
      return &s->p[i];
  }
  return NULL;
}

/* The CPU share of process i of b since snapshot a (-1 when it is new). */
static double share_of(const snap_t *a, const snap_t *b, size_t i, double ticks)
{
  const proc_t *was = find(a, b->p[i].pid);

  if (was == NULL || b->p[i].ticks < was->ticks)
    return -1;
  return (double)(b->p[i].ticks - was->ticks) / ticks;
}

/* The busiest process, and up to two more at the busy share or above,
 * "pid N (name) S% of a CPU" joined by " / " (no comma: a CSV field). The
 * window between the two snapshots times the noise probe into `rates`, or
 * is slept through when rates is NULL. */
static void check_busy(const char *root, double sample_s, double *rates, cb_env_t *e)
{
  cb_env_item_t *it = &e->item[CB_ENV_BUSY];
  snap_t a = { 0 }, b = { 0 };
  struct timespec ts = { (time_t)sample_s, (long)((sample_s - (double)(time_t)sample_s) * 1e9) };
  double secs, ticks, share, top[3] = { -1, -1, -1 };
  size_t who[3] = { 0 }, i, k, used = 0;
  uint64_t t0;
  long hz = sysconf(_SC_CLK_TCK);

  if (sample_s <= 0) {
    set(it, 0, "", "not checked");
    return;
  }
  t0 = cb_now_ns();
  if (snapshot(root, &a) != 0) {
    set(it, 0, "", "unknown");
    goto out;
  }
  if (rates != NULL)
    cb_noise_measure(sample_s / CB_NOISE_BATCHES, CB_NOISE_BATCHES, rates);
  else
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
      ;
  secs = (double)(cb_now_ns() - t0) / 1e9;
  if (snapshot(root, &b) != 0 || hz <= 0) {
    set(it, 0, "", "unknown");
    goto out;
  }
  ticks = (double)hz * secs;
  for (i = 0; i < b.n; i++) {
    share = share_of(&a, &b, i, ticks);
    for (k = 3; k > 0 && share > top[k - 1]; k--) {
      if (k < 3) {
        top[k] = top[k - 1];
        who[k] = who[k - 1];
      }
    }
    if (k < 3) {
      top[k] = share;
      who[k] = i;
    }
  }
  if (top[0] < 0) {
    set(it, 0, "", "none over %.0f ms", secs * 1e3);
    goto out;
  }
  set(it, top[0] >= CB_ENV_BUSY_SHARE,
      "another process competes for the CPUs: stop it, or run when it is done", "%s", "");
  for (k = 0; k < 3 && top[k] >= 0 && (k == 0 || top[k] >= CB_ENV_BUSY_SHARE) &&
              used < sizeof(it->value); k++)
    used += (size_t)snprintf(it->value + used, sizeof(it->value) - used,
                             "%spid %ld (%s) %.0f%% of a CPU", k ? " / " : "",
                             b.p[who[k]].pid, b.p[who[k]].comm, 100 * top[k]);
out:
  free(a.p);
  free(b.p);
}

/* ---- the CPU's clock ------------------------------------------------------- */

static void check_governor(const char *root, cb_env_t *e)
{
  cb_env_item_t *it = &e->item[CB_ENV_GOVERNOR];
  char path[320], gov[64], other[64] = "";
  unsigned cpus = 0, perf = 0;
  struct dirent *d;
  DIR *dir;

  snprintf(path, sizeof(path), "%s/sys/devices/system/cpu", root);
  dir = opendir(path);
  while (dir != NULL && (d = readdir(dir)) != NULL) {
    if (strncmp(d->d_name, "cpu", 3) != 0 || d->d_name[3] < '0' || d->d_name[3] > '9')
      continue;
    snprintf(path, sizeof(path), "sys/devices/system/cpu/%.32s/cpufreq/scaling_governor",
             d->d_name);
    if (read_line(root, path, gov, sizeof(gov)) != 0)
      continue;
    cpus++;
    if (strcmp(gov, "performance") == 0)
      perf++;
    else if (other[0] == '\0')
      snprintf(other, sizeof(other), "%s", gov);
  }
  if (dir != NULL)
    closedir(dir);
  if (cpus == 0)
    set(it, 0, "", "none (no cpufreq: a fixed clock, or a VM that hides it)");
  else if (perf == cpus)
    set(it, 0, "", "performance on %u CPUs", cpus);
  else
    set(it, 1, "the clock follows the load: cpupower frequency-set -g performance",
        "%s on %u of %u CPUs", other, cpus - perf, cpus);
}

static void check_boost(const char *root, cb_env_t *e)
{
  cb_env_item_t *it = &e->item[CB_ENV_BOOST];
  static const char hint[] = "the clock rises while the chip is cool: echo 1 > "
                             "/sys/devices/system/cpu/intel_pstate/no_turbo (or 0 > "
                             "/sys/devices/system/cpu/cpufreq/boost)";
  char v[32];

  if (read_line(root, "sys/devices/system/cpu/intel_pstate/no_turbo", v, sizeof(v)) == 0)
    set(it, strcmp(v, "0") == 0, hint, "%s (intel_pstate)", strcmp(v, "0") == 0 ? "on" : "off");
  else if (read_line(root, "sys/devices/system/cpu/cpufreq/boost", v, sizeof(v)) == 0)
    set(it, strcmp(v, "1") == 0, hint, "%s (cpufreq)", strcmp(v, "1") == 0 ? "on" : "off");
  else
    set(it, 0, "", "unknown");
}

/* ---- the build, memory, the cgroup --------------------------------------- */

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CB_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CB_SANITIZED 1
#endif

static void check_build(cb_env_t *e)
{
  static const char hint[] = "timed code must be the optimised code: meson setup "
                             "--buildtype=release";
  cb_env_item_t *it = &e->item[CB_ENV_BUILD];

#if defined(CB_SANITIZED)
  set(it, 1, hint, "%s with a sanitizer", CB_BUILDTYPE);
#elif !defined(__OPTIMIZE__)
  set(it, 1, hint, "%s not optimised", CB_BUILDTYPE);
#else
  set(it, 0, hint, "%s optimised", CB_BUILDTYPE);
#endif
}

/* A "Key: N kB" of ROOT/proc/meminfo, -1 when missing. */
static long long meminfo(const char *root, const char *key)
{
  char path[300], line[256];
  long long v = -1;
  size_t n = strlen(key);
  FILE *f;

  snprintf(path, sizeof(path), "%s/proc/meminfo", root);
  f = fopen(path, "re");
  if (f == NULL)
    return -1;
  while (v < 0 && fgets(line, sizeof(line), f) != NULL) {
    if (strncmp(line, key, n) == 0 && line[n] == ':')
      sscanf(line + n + 1, "%lld", &v);
  }
  fclose(f);
  return v;
}

static void check_swap(const char *root, cb_env_t *e)
{
  long long total = meminfo(root, "SwapTotal"), avail = meminfo(root, "SwapFree");

  if (total < 0 || avail < 0)
    set(&e->item[CB_ENV_SWAP], 0, "", "unknown");
  else if (total == 0)
    set(&e->item[CB_ENV_SWAP], 0, "", "no swap");
  else
    set(&e->item[CB_ENV_SWAP], total > avail,
        "memory was short: pages of some process are swapped out; free memory, or "
        "swapoff -a && swapon -a", "%lld MiB of %lld MiB in use", (total - avail) / 1024,
        total / 1024);
}

/* The CPUs a cgroup v2 directory's cpu.max allows (quota / period), or -1. */
static double cpu_max(const char *root, const char *dir)
{
  char rel[600], line[64], quota[32];
  long long period = 0;

  snprintf(rel, sizeof(rel), "sys/fs/cgroup%s/cpu.max", dir);
  if (read_line(root, rel, line, sizeof(line)) != 0 ||
      sscanf(line, "%31s %lld", quota, &period) != 2 || strcmp(quota, "max") == 0 ||
      period <= 0)
    return -1;
  return (double)strtoll(quota, NULL, 10) / (double)period;
}

/* This process's cgroup v2 path ("0::/path" of /proc/self/cgroup, also
 * on a hybrid hierarchy) into dir ("" for the root). 0 or -1. */
static int cgroup_v2_path(const char *root, char *dir, size_t len)
{
  char path[1100], line[512];
  int found = -1;
  FILE *f;

  snprintf(path, sizeof(path), "%s/proc/self/cgroup", root);
  f = fopen(path, "re");
  if (f == NULL)
    return -1;
  while (found != 0 && fgets(line, sizeof(line), f) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    if (strncmp(line, "0::/", 4) == 0) {
      snprintf(dir, len, "%s", strcmp(line + 3, "/") == 0 ? "" : line + 3);
      found = 0;
    }
  }
  fclose(f);
  return found;
}

static void check_cgroup(const char *root, unsigned pus, cb_env_t *e)
{
  cb_env_item_t *it = &e->item[CB_ENV_CGROUP];
  char dir[512], at[512] = "";
  double lim = -1, l;
  char *slash;

  /* Each ancestor's limit applies too. */
  if (cgroup_v2_path(root, dir, sizeof(dir)) != 0) {
    set(it, 0, "", "unknown (no cgroup v2)");
    return;
  }
  for (;;) {
    l = cpu_max(root, dir);
    if (l >= 0 && (lim < 0 || l < lim)) {
      lim = l;
      snprintf(at, sizeof(at), "%s", dir[0] != '\0' ? dir : "/");
    }
    slash = strrchr(dir, '/');
    if (slash == NULL)
      break;
    *slash = '\0';
  }
  if (lim < 0)
    set(it, 0, "", "no CPU limit");
  else
    set(it, lim < (double)pus, "the cgroup gets less CPU time than the machine has PUs: "
        "raise cpu.max or run outside it", "cpu.max %.2f CPUs at %.64s (%u PUs)", lim, at, pus);
}

void cb_env_noise(cb_env_t *e, const double *rates, size_t n, double batch_s)
{
  double mean, cv = cb_noise_cv(rates, n, &mean);

  set(&e->item[CB_ENV_NOISE], cv > CB_NOISE_WARN_CV,
      "the machine itself varies (another tenant of its host on a sibling hyperthread, "
      "steal time, frequency steps): no cell can be steadier; read the cells' cv against "
      "it, raise --min-time, or use dedicated hardware",
      "cv %.1f%% over %zu batches of %.0f ms of a bare FP loop, %.0f products/s", 100 * cv, n,
      batch_s * 1e3, mean);
}

/* The noise probe, timed during the busy item's window when a second PU is
 * free for it, else after it. */
static void check_busy_and_noise(const char *root, unsigned pus, double sample_s, cb_env_t *e)
{
  double rates[CB_NOISE_BATCHES];
  int probe = sample_s > 0 && strcmp(root, "/") == 0;

  check_busy(root, sample_s, probe && pus >= 2 ? rates : NULL, e);
  if (probe && pus < 2)
    cb_noise_measure(sample_s / CB_NOISE_BATCHES, CB_NOISE_BATCHES, rates);
  if (probe)
    cb_env_noise(e, rates, CB_NOISE_BATCHES, sample_s / CB_NOISE_BATCHES);
  else if (sample_s > 0)
    set(&e->item[CB_ENV_NOISE], 0, "", "unknown under a root other than /");
}

void cb_env_check(const char *root, unsigned pus, double sample_s, cb_env_t *e)
{
  static const char *const names[CB_ENV_ITEMS] = { "load", "busy", "noise", "governor",
                                                   "boost", "build", "swap", "cgroup" };
  const char *on = getenv("CONCBENCH_ENV_CHECK");
  size_t i;

  memset(e, 0, sizeof(*e));
  e->load1 = -1;
  for (i = 0; i < CB_ENV_ITEMS; i++) {
    e->item[i].name = names[i];
    set(&e->item[i], 0, "", "not checked");
  }
  if (on != NULL && strcmp(on, "0") == 0) {
    e->skipped = 1;
    return;
  }
  check_load(root, pus, e);
  check_busy_and_noise(root, pus, sample_s, e);
  check_governor(root, e);
  check_boost(root, e);
  check_build(e);
  check_swap(root, e);
  check_cgroup(root, pus, e);
  for (i = 0; i < CB_ENV_ITEMS; i++)
    e->warnings += e->item[i].warn != 0;
}

void cb_env_warnings_text(const cb_env_t *e, char *buf, size_t len)
{
  size_t i, used = 0;

  buf[0] = '\0';
  for (i = 0; i < CB_ENV_ITEMS && used < len; i++) {
    if (e->item[i].warn)
      used += (size_t)snprintf(buf + used, len - used, "%s%s %s", used ? "; " : "",
                               e->item[i].name, e->item[i].value);
  }
}

json_t *cb_env_json(const cb_env_t *e)
{
  json_t *o = json_object(), *items = json_array(), *it;
  int bad = o == NULL || items == NULL;
  size_t i;

  cb_json_set(o, "checked", json_boolean(!e->skipped), &bad);
  cb_json_set(o, "warnings", json_integer(e->warnings), &bad);
  for (i = 0; i < CB_ENV_ITEMS; i++) {
    it = json_object();
    cb_json_set(it, "name", cb_json_str(e->item[i].name), &bad);
    cb_json_set(it, "value", cb_json_str(e->item[i].value), &bad);
    cb_json_set(it, "warning", json_boolean(e->item[i].warn), &bad);
    cb_json_set(it, "hint", cb_json_str(e->item[i].warn ? e->item[i].hint : ""), &bad);
    cb_json_push(items, it, &bad);
  }
  cb_json_set(o, "items", items, &bad);
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

unsigned cb_env_warn(const cb_env_t *e, const char *cmd, FILE *f)
{
  size_t i;

  for (i = 0; i < CB_ENV_ITEMS; i++) {
    if (e->item[i].warn)
      fprintf(f, "concbench %s: warning: %s %s: %s\n", cmd, e->item[i].name, e->item[i].value,
              e->item[i].hint);
  }
  return e->warnings;
}

void cb_env_print(const cb_env_t *e, FILE *f)
{
  size_t i;

  for (i = 0; i < CB_ENV_ITEMS; i++)
    fprintf(f, "%-4s %-9s %s%s%s\n", e->item[i].warn ? "WARN" : "ok", e->item[i].name,
            e->item[i].value, e->item[i].warn ? "\n               hint: " : "",
            e->item[i].warn ? e->item[i].hint : "");
  fprintf(f, "%u warning%s\n", e->warnings, e->warnings == 1 ? "" : "s");
}
