/* The environment check: what on this machine, besides the code, makes
 * numbers unstable, checked before a run (and again after it) the way
 * pyperf's `system show` and Google Benchmark's start-up warnings do. Each
 * item is a finding, a warning or not, with a hint for fixing it; the run
 * prints the warnings, records every item in X.meta.json and the warnings
 * in the trial CSV (column `env`), and `--strict-env` refuses to run with
 * any. `concbench env` prints the check alone.
 *
 * Every file is read under a root (default "/", else $CONCBENCH_SYSROOT),
 * so that tests give it a fake /proc and /sys. The busy-process item reads
 * every /proc/PID/stat twice, `sample_s` apart: the CPU time each process
 * used meanwhile, without the calling process and its own children; it
 * names the busiest, and up to two more that are busy too. Meanwhile the
 * noise probe (harness/noise.h) times a bare loop on one PU: the machine's
 * own steadiness, which no cell can beat (on a single PU it runs after the
 * sampling, not to take the CPU from the processes watched). */
#ifndef CB_ENV_H
#define CB_ENV_H

#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

#include "csv.h"

enum {
  CB_ENV_LOAD,     /* 1-minute load average against the PUs */
  CB_ENV_BUSY,     /* the processes that used the most CPU while sampled */
  CB_ENV_NOISE,    /* a bare loop's cv meanwhile (harness/noise.h) */
  CB_ENV_GOVERNOR, /* cpufreq scaling governors */
  CB_ENV_BOOST,    /* turbo / boost */
  CB_ENV_BUILD,    /* concbench's own build: optimised, sanitizers */
  CB_ENV_SWAP,     /* swap in use */
  CB_ENV_CGROUP,   /* a CPU limit of the cgroup (v2 cpu.max) below the PUs */
  CB_ENV_ITEMS
};

/* A load average at or above this share of the PUs is a warning. */
#define CB_ENV_LOAD_SHARE 0.5
/* A process using this share of one CPU or more while sampled is busy. */
#define CB_ENV_BUSY_SHARE 0.5
/* The default sampling time of the busy-process item. */
#define CB_ENV_SAMPLE_S 0.2

typedef struct cb_env_item_s {
  const char *name;  /* load, busy, noise, governor, boost, build, swap, cgroup */
  int warn;          /* 1 when it makes numbers less stable */
  char value[128];   /* what was found, e.g. "1.93 on 2 PUs", "unknown" */
  const char *hint;  /* what to do about it (static text) */
} cb_env_item_t;

typedef struct cb_env_s {
  cb_env_item_t item[CB_ENV_ITEMS];
  unsigned warnings;
  int skipped;       /* CONCBENCH_ENV_CHECK=0: nothing was checked */
  double load1;      /* the 1-minute load average, -1 when unknown */
} cb_env_t;

/* The root of $CONCBENCH_SYSROOT, else "/". */
const char *cb_env_root(void);

/* Check everything under `root`, sampling processes for sample_s seconds
 * (0: neither the busy item nor the noise is checked; under a root other
 * than "/" the noise is unknown: the probe would time this machine, not
 * the one the files describe). `pus` is the machine's PU count. With
 * $CONCBENCH_ENV_CHECK set to 0 nothing is checked (`skipped`): concbench ab
 * sets it for the run it starts per trial, having checked once itself.
 * Never fails: what cannot be read is "unknown" and no warning. */
void cb_env_check(const char *root, unsigned pus, double sample_s, cb_env_t *e);

/* The noise item from the probe's n rates of batches of batch_s seconds:
 * their cv, a warning above CB_NOISE_WARN_CV, and their mean (the start's
 * and the end's in X.meta.json show how far the machine drifted during a
 * run, which a cell's interleaved trials span). */
void cb_env_noise(cb_env_t *e, const double *rates, size_t n, double batch_s);

/* The 1-minute load average under root, -1 when unknown. */
double cb_env_load1(const char *root);

/* The warnings as one line, "name value; name value" ("" without any). */
void cb_env_warnings_text(const cb_env_t *e, char *buf, size_t len);
/* Every item as a JSON object {"checked": B, "warnings": N, "items":
 * [{"name", "value", "warning", "hint"}, ...]} (a jansson tree for
 * harness/json.h's setters, which take it; NULL when out of memory). */
json_t *cb_env_json(const cb_env_t *e);
/* The warnings on f, one line each with its hint, prefixed "concbench CMD:
 * warning: "; returns how many. */
unsigned cb_env_warn(const cb_env_t *e, const char *cmd, FILE *f);
/* Every item, one line each (`concbench env`). */
void cb_env_print(const cb_env_t *e, FILE *f);

#endif
