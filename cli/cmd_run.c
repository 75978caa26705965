/* `concbench run`: build the matrix (harness/matrix.c), check that the machine
 * can take every cell before starting any, check the environment (harness/env.h:
 * warnings, or a refusal with --strict-env), calibrate each cell's task count
 * to the minimum time (harness/calibrate.h), run the warm-up and recorded
 * trials of all cells in a seeded random order (so drift on a noisy machine
 * spreads over all runners instead of biasing the one that ran last), and
 * rewrite the trial CSV atomically after every trial: an interrupted or
 * failing run leaves a valid CSV of what finished, and its summary. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calibrate.h"
#include "parse.h"
#include "cmd.h"
#include "env.h"
#include "export.h"
#include "gil.h"
#include "matrix.h"
#include "record.h"
#include "output.h"
#include "progress.h"
#include "signals.h"
#include "summary.h"

typedef struct opts_s {
  cb_matrix_opts_t mx;
  const char *output, *json;
  uint64_t reps, warmup, min_time_ms, max_reps;
  double target_ci;          /* --target-ci, a fraction */
  int have_reps, have_warmup, quiet, dry_run, have_switch, have_min_time, strict_env;
  double trial_timeout, progress_s;
} opts_t;

typedef struct session_s {
  const opts_t *o;
  cb_matrix_t *m;
  const cb_topo_t *topo;
  cb_meta_t *meta;
  const char *path;         /* the CSV as given (or the default) */
  cb_output_t csv, summary, metadata, json;
  int have_summary, have_metadata, have_json;
  char *lock_path;          /* beside a regular CSV; NULL for a stream */
  int lock_fd;
  int csv_is_stdout;        /* the CSV goes to our own stdout: talk on stderr */
  cb_progress_t pg;
  unsigned char *warm_done; /* per cell: warm-ups its calibration ran (0 or 1) */
  double *tp;               /* --max-reps: per cell, max_reps throughputs of ok trials */
  size_t *ntp;              /* how many each cell has */
  cb_buf_t csv_text;
  size_t rows, not_ok;
} session_t;

static volatile sig_atomic_t stop_signal;

static const char run_help[] =
    "usage: concbench run [options]\n\n"
    "Runs every cell of workloads x runners x concurrency (x transports x payloads),\n"
    "`--reps` recorded trials each in a seeded random order, each cell's `--warmup`\n"
    "unrecorded ones just before its first recorded one, and writes one CSV row per\n"
    "recorded trial as it finishes (columns: docs/SCHEMA.md)\n"
    "and the summary beside it (X.csv -> X.summary.csv).\n\n"
    "  --profile NAME           quick|standard|full: a whole matrix (see --dry-run);\n"
    "                           the options below override parts of it\n"
    "  -w, --workload LIST      names or globs, comma separated; !GLOB leaves out what\n"
    "                           it matches, e.g. '*,!sync.*' (default: all)\n"
    "  -r, --runner LIST        serial,threads,processes,eventloop, or !NAME to leave\n"
    "                           one out (default: all)\n"
    "  -c, --concurrency LIST   e.g. 1,2,8 or 1..64 (powers of two); default 1,2,8\n"
    "  -p, --pin POLICY         none|compact|scatter|cores (default compact)\n"
    "      --transport LIST     how processes move payloads: pipe,shm (default pipe);\n"
    "                           other runners keep their own (inproc)\n"
    "      --dispatch LIST      how process workers get tasks: shared (a shared counter,\n"
    "                           default), queue (one task pipe kept filled, as Python's\n"
    "                           multiprocessing.Pool), roundtrip (one task at a time per\n"
    "                           worker); other runners keep their own\n"
    "  -t, --tasks N            tasks per trial (default: per workload)\n"
    "  -s, --size LIST          work per task in the workload's unit, e.g. 200,2000 or\n"
    "                           200..204800 (default: per workload)\n"
    "      --payload LIST       bytes in and out per task, e.g. 64,65536 or 64..4194304\n"
    "                           (default: per workload)\n"
    "      --reps N             recorded trials per cell (default 5)\n"
    "      --warmup N           unrecorded trials per cell, before its first recorded\n"
    "                           one (default 1)\n"
    "      --min-time MS        calibrate: before its warm-up, grow each cell's task count\n"
    "                           until a trial's task phase lasts MS ms (default: the\n"
    "                           profile's, quick " CB_STR(CB_QUICK_MIN_MS) ", standard "
    CB_STR(CB_STANDARD_MIN_MS) ", full " CB_STR(CB_FULL_MIN_MS) ";\n"
    "                           without one " CB_STR(CB_STANDARD_MIN_MS) "); 0 or -t: no calibration\n"
    "      --max-reps N         adaptive: after the --reps rounds, more rounds (each one\n"
    "                           trial of every such cell, shuffled) of the cells whose\n"
    "                           median's 95% CI is not within --target-ci, up to N trials\n"
    "                           a cell (default: --reps, i.e. none)\n"
    "      --target-ci PCT      the CI's half-width, % of the median (default 2)\n"
    "      --strict-env         exit 2 instead of warning about the environment (load,\n"
    "                           busy processes, governor, boost, build, swap, cgroup:\n"
    "                           concbench env)\n"
    "      --progress S         a plain progress line every S seconds when stderr is not\n"
    "                           a terminal (default 10; 0: none)\n"
    "      --seed N             seed of the tasks' inputs and of the trial order (default 1)\n"
    "      --trial-timeout S    kill a trial after S seconds (default 300)\n"
    "      --gil[=on|off|both]  run tasks under one global lock handed over like CPython's\n"
    "                           GIL (threads and event loops share it; each process has\n"
    "                           its own); both: every cell without and with it\n"
    "      --switch-interval US the GIL's switch interval (default 5000, as in CPython)\n"
    "      --allow-races        also run sync.none, which loses updates on purpose\n"
    "                           (status racy; a glob like sync.* leaves it out without)\n"
    "  -o, --output FILE        trial CSV (default results/concbench-RUNID.csv);\n"
    "                           - for stdout\n"
    "      --json FILE          the trials also as Google Benchmark JSON, for its tools\n"
    "                           (compare.py); docs/SCHEMA.md has the mapping\n"
    "      --dry-run            print the matrix and the number of trials, run nothing\n"
    "  -q, --quiet              no progress line, no stability or environment warnings\n"
    "  -h, --help\n\n"
    "Regular files are rewritten atomically after every trial; a FIFO or a device\n"
    "(e.g. /dev/stdout into a pipe) is written once, at the end, and so is '-'\n"
    "(stdout); beside a stream there is no summary and no metadata. Two runs cannot\n"
    "write one output: the second exits 2 naming the first's PID (lock X.lock).\n\n"
    "exit: 0 every trial ok; 1 some trial not ok, or an output could not be written;\n"
    "2 bad usage; 128+N after signal N (SIGINT 130, SIGTERM 143, SIGHUP 129, ...)\n";

static void on_signal(int sig)
{
  stop_signal = sig;
}

static int parse_num(const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
  int err = cb_parse_u64(arg, min, max, out);

  if (err != 0)
    return cb_usage_error("run", "bad %s '%s' (a whole number %llu..%llu)", opt, arg,
                          (unsigned long long)min, (unsigned long long)max);
  return 0;
}

static int parse_profile(const char *arg, opts_t *o)
{
  o->mx.profile = cb_profile_find(arg);
  if (o->mx.profile == NULL)
    return cb_usage_error("run", "unknown profile '%s' (quick, standard, full)", arg);
  return 0;
}

/* --gil, --gil=on|off|both. */
static int parse_gil(const char *arg, cb_matrix_opts_t *mx)
{
  if (!CB_GIL_CHECKPOINTS)
    return cb_usage_error("run", "--gil needs the GIL checkpoints, which this build compiled "
                          "out (-Dgil_checkpoints=false)");
  if (arg == NULL || strcmp(arg, "on") == 0)
    mx->gil_modes = 2;
  else if (strcmp(arg, "off") == 0)
    mx->gil_modes = 1;
  else if (strcmp(arg, "both") == 0)
    mx->gil_modes = 3;
  else
    return cb_usage_error("run", "bad --gil '%s' (on, off or both)", arg);
  return 0;
}

static int parse_option(int opt, opts_t *o)
{
  cb_matrix_opts_t *mx = &o->mx;

  switch (opt) {
  case 'w': mx->workloads = optarg; return 0;
  case 'r': mx->runners = optarg; return 0;
  case 'c': mx->concurrency = optarg; return 0;
  case 'X': mx->transports = optarg; return 0;
  case 'K': mx->dispatches = optarg; return 0;
  case 'P': mx->payloads = optarg; return 0;
  case 'o': o->output = optarg; return 0;
  case 'J': o->json = optarg; return 0;
  case 'q': o->quiet = 1; return 0;
  case 'D': o->dry_run = 1; return 0;
  case 'F': return parse_profile(optarg, o);
  case 'p':
    if (cb_pin_parse(optarg, &mx->pin) != 0)
      return cb_usage_error("run", "unknown pin policy '%s' (none, compact, scatter, cores)",
                            optarg);
    return 0;
  case 't':
    mx->have_tasks = 1;
    return parse_num("--tasks", optarg, 1, CB_MAX_TASKS, &mx->tasks);
  case 's': mx->sizes = optarg; return 0;
  case 'R':
    o->have_reps = 1;
    return parse_num("--reps", optarg, 1, 100000, &o->reps);
  case 'W':
    o->have_warmup = 1;
    return parse_num("--warmup", optarg, 0, 100000, &o->warmup);
  case 'S': return parse_num("--seed", optarg, 0, UINT64_MAX, &mx->seed);
  case 'G': return parse_gil(optarg, mx);
  case 'I':
    o->have_switch = 1;
    return parse_num("--switch-interval", optarg, 1, CB_MAX_SWITCH_US, &mx->switch_us);
  case 'A': mx->allow_races = 1; return 0;
  case 'M':
    o->have_min_time = 1;
    return parse_num("--min-time", optarg, 0, 3600000, &o->min_time_ms);
  case 'E': o->strict_env = 1; return 0;
  case 'N': return parse_num("--max-reps", optarg, 1, 1000, &o->max_reps);
  case 'C':
    if (cb_parse_positive_double(optarg, 100, &o->target_ci) != 0)
      return cb_usage_error("run", "bad --target-ci '%s' (percent, > 0 and <= 100)", optarg);
    o->target_ci /= 100;
    return 0;
  case 'Q':
    if (strcmp(optarg, "0") == 0) {
      o->progress_s = 0;
      return 0;
    }
    if (cb_parse_positive_double(optarg, 86400, &o->progress_s) != 0)
      return cb_usage_error("run", "bad --progress '%s' (seconds, 0 for none)", optarg);
    return 0;
  case 'T':
    if (cb_parse_positive_double(optarg, 86400 * 7, &o->trial_timeout) != 0)
      return cb_usage_error("run", "bad --trial-timeout '%s' (seconds, > 0)", optarg);
    return 0;
  default:
    return CB_EXIT_USAGE;
  }
}

/* 0 to run, -1 after --help, else the exit code of a usage error. */
static int parse_options(int argc, char **argv, opts_t *o)
{
  static const struct option opts[] = {
    { "profile", required_argument, NULL, 'F' },
    { "workload", required_argument, NULL, 'w' },
    { "runner", required_argument, NULL, 'r' },
    { "concurrency", required_argument, NULL, 'c' },
    { "pin", required_argument, NULL, 'p' },
    { "tasks", required_argument, NULL, 't' },
    { "size", required_argument, NULL, 's' },
    { "payload", required_argument, NULL, 'P' },
    { "reps", required_argument, NULL, 'R' },
    { "warmup", required_argument, NULL, 'W' },
    { "seed", required_argument, NULL, 'S' },
    { "gil", optional_argument, NULL, 'G' },
    { "switch-interval", required_argument, NULL, 'I' },
    { "allow-races", no_argument, NULL, 'A' },
    { "trial-timeout", required_argument, NULL, 'T' },
    { "transport", required_argument, NULL, 'X' },
    { "dispatch", required_argument, NULL, 'K' },
    { "output", required_argument, NULL, 'o' },
    { "json", required_argument, NULL, 'J' },
    { "dry-run", no_argument, NULL, 'D' },
    { "min-time", required_argument, NULL, 'M' },
    { "strict-env", no_argument, NULL, 'E' },
    { "max-reps", required_argument, NULL, 'N' },
    { "target-ci", required_argument, NULL, 'C' },
    { "progress", required_argument, NULL, 'Q' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int opt, rc = 0;

  opterr = 0;
  optind = 1;
  while (rc == 0 && (opt = getopt_long(argc, argv, ":w:r:c:p:t:s:o:qh", opts, NULL)) != -1) {
    if (opt == 'h') {
      fputs(run_help, stdout);
      return -1;
    }
    if (opt == '?' || opt == ':')
      return cb_getopt_error("run", opt, argv);
    rc = parse_option(opt, o);
  }
  if (rc == 0 && optind < argc)
    rc = cb_usage_error("run", "unexpected argument '%s'", argv[optind]);
  if (rc == 0 && o->have_switch && !(o->mx.gil_modes & 2))
    rc = cb_usage_error("run", "--switch-interval is the GIL's: it needs --gil");
  if (rc == 0 && o->mx.profile != NULL) {
    if (!o->have_reps)
      o->reps = o->mx.profile->reps;
    if (!o->have_warmup)
      o->warmup = o->mx.profile->warmup;
    if (!o->have_min_time)
      o->min_time_ms = o->mx.profile->min_time_ms;
  }
  if (rc == 0 && o->max_reps != 0 && o->max_reps < o->reps)
    rc = cb_usage_error("run", "--max-reps %llu is below --reps %llu",
                        (unsigned long long)o->max_reps, (unsigned long long)o->reps);
  if (rc == 0 && o->max_reps == 0)
    o->max_reps = o->reps;
  return rc;
}

static void now_iso(char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  size_t n;

  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* X.csv -> X.<suffix>, malloc'd. */
static char *beside(const char *csv, const char *suffix)
{
  size_t n = strlen(csv), len;
  char *p;

  if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
    n -= 4;
  len = n + strlen(suffix) + 2;
  p = malloc(len);
  if (p != NULL)
    snprintf(p, len, "%.*s.%s", (int)n, csv, suffix);
  return p;
}

/* Where the run is, on a terminal or, every --progress seconds, in a log. */
/* Not inlined, like the other helpers with text buffers on the path to a
 * trial's fork: the trial process starts on the coordinator's stack, which
 * must leave it room under a 28 KiB limit (docs/RELIABILITY.md). */
static __attribute__((noinline)) void progress(session_t *s, size_t done, size_t total,
                                               const cb_cell_t *c, const char *what)
{
  char text[160];

  snprintf(text, sizeof(text), "%s %s%s c=%u%s", c->wl->name, c->rn->name, c->gil ? "+gil" : "",
           c->concurrency, what);
  cb_progress_show(&s->pg, done, total, text);
}

/* For people: one line per cell from the summary. */
static void print_cells(FILE *f, const cb_cells_t *cells)
{
  const cb_summary_t *tp;
  char flags[96], rn[32];
  size_t c;

  fprintf(f, "%-14s %-13s %-9s %-9s %6s %8s %5s %14s %21s %6s  %s\n", "workload", "runner",
          "transport", "dispatch", "c", "payload", "ok", "tasks/s median", "95% CI", "cv",
          "flags");
  for (c = 0; c < cells->n; c++) {
    tp = &cells->cell[c].m[CB_M_throughput];
    cb_flags_text(cells->cell[c].flags, flags, sizeof(flags));
    snprintf(rn, sizeof(rn), "%s%s", cb_cell_key(cells, c, "runner"),
             strcmp(cb_cell_key(cells, c, "gil"), "1") == 0 ? "+gil" : "");
    fprintf(f, "%-14s %-13s %-9s %-9s %6s %8s %2zu/%-2zu %14.5g [%9.4g, %9.4g] %5.1f%%  %s\n",
            cb_cell_key(cells, c, "workload"), rn, cb_cell_key(cells, c, "transport"),
            cb_cell_key(cells, c, "dispatch"), cb_cell_key(cells, c, "concurrency"),
            cb_cell_key(cells, c, "payload"), cells->cell[c].n_ok, cells->cell[c].nrows,
            tp->median, tp->ci_lo, tp->ci_hi, 100 * tp->cv, flags);
  }
}

/* A trial that failed the run: anything but ok, except that a crash is what
 * a workload that fails on purpose measures, and lost updates what a racy
 * workload does. */
static int not_ok(const cb_cell_t *c, const cb_trial_t *t)
{
  if (t->status == CB_ST_CRASHED && c->wl->fails_on_purpose)
    return 0;
  if (t->status == CB_ST_RACY && c->wl->racy)
    return 0;
  return t->status != CB_ST_OK;
}

static int record(session_t *s, size_t cell, unsigned rep, const cb_trial_t *t)
{
  cb_row_t row = { .meta = s->meta, .cell = &s->m->cells[cell], .trial = t, .rep = rep };
  char fam[32];
  int err;

  cb_workload_family(row.cell->wl, fam, sizeof(fam));
  row.family = fam;
  row.transport = row.cell->transport;
  row.dispatch = row.cell->dispatch;
  now_iso(row.timestamp, sizeof(row.timestamp));
  row.load1 = cb_env_load1(cb_env_root());
  cb_record_row(&s->csv_text, &row);
  if (s->csv_text.failed) {
    cb_progress_clear(&s->pg);
    cb_message("run", "out of memory for the trial CSV");
    return -ENOMEM;
  }
  s->rows++;
  s->not_ok += not_ok(row.cell, t);
  if ((t->status == CB_ST_OK || (t->status == CB_ST_RACY && row.cell->wl->racy)) &&
      s->ntp[cell] < s->o->max_reps)
    s->tp[cell * s->o->max_reps + s->ntp[cell]++] = t->throughput;
  /* A stream takes the whole CSV once, at the end. */
  if (s->csv.kind != CB_OUT_FILE)
    return 0;
  err = cb_output_write(&s->csv, s->csv_text.data, s->csv_text.len);
  if (err != 0) {
    cb_progress_clear(&s->pg);
    cb_message("run", "cannot write '%s': %s", s->path, strerror(-err));
  }
  return err;
}

/* Derive the summary from the trials written so far and write it beside the
 * CSV; *cells keeps it for showing (cb_cells_free). */
static int write_summary(session_t *s, cb_cells_t *cells, cb_table_t *t)
{
  char err[256];
  cb_buf_t b = { 0 };
  int rc;

  rc = cb_table_parse(s->csv_text.data, s->csv_text.len, t, err, sizeof(err));
  if (rc == 0) {
    rc = cb_cells_build(t, cells, err, sizeof(err));
    if (rc == 0) {
      cb_cells_sort(cells);
      cb_cells_csv(cells, &b);
      rc = b.failed ? -ENOMEM : cb_output_write(&s->summary, b.data, b.len);
      snprintf(err, sizeof(err), "%s", strerror(-rc));
      cb_buf_free(&b);
      if (rc != 0)
        cb_cells_free(cells);
    }
    if (rc != 0)
      cb_table_free(t);
  }
  if (rc != 0)
    cb_message("run", "cannot write the summary '%s': %s", s->summary.path, err);
  return rc;
}

/* What a cell's trial records when it cannot run; 0 to run it. */
static int expected_of(session_t *s, size_t cell, const uint64_t **e, cb_trial_t *instead)
{
  const cb_cell_t *c = &s->m->cells[cell];
  const cb_trial_t *fail;
  int err = cb_matrix_expected(s->m, cell, s->o->trial_timeout,
                               (volatile const int *)&stop_signal, e, &fail);

  if (err == 1)
    *instead = *fail;
  else if (err < 0 && err != -EINTR) {
    cb_progress_clear(&s->pg);
    cb_message("run", "%s size %llu: %s", c->wl->name, (unsigned long long)c->params.size,
               fail->msg);
  }
  return err;
}

/* Before any warm-up: each cell that may be calibrated gets the task count
 * that makes a trial last --min-time (harness/calibrate.h). The last
 * calibration trial ran at that count: it is the cell's first warm-up. */
static __attribute__((noinline)) int calibrate_cells(session_t *s)
{
  const opts_t *o = s->o;
  double min_s = (double)o->min_time_ms / 1e3;
  size_t i, n = 0, done = 0, missed = 0;
  uint64_t t0 = cb_now_ns();
  static char first[256]; /* static: the trials fork below this frame */
  static cb_calib_t cal;
  int err = 0;

  first[0] = '\0';
  for (i = 0; i < s->m->ncells; i++)
    n += s->m->cells[i].calibrate != 0;
  if (min_s <= 0 || n == 0)
    return 0;
  for (i = 0; err == 0 && i < s->m->ncells && !stop_signal; i++) {
    cb_cell_t *c = &s->m->cells[i];
    if (!c->calibrate)
      continue;
    progress(s, done++, n, c, " (calibrating)");
    err = cb_calibrate(c, s->topo, min_s, o->trial_timeout, (volatile const int *)&stop_signal,
                       &cal);
    if (err != 0 && err != -EINTR) {
      cb_progress_clear(&s->pg);
      cb_message("run", "cannot start a calibration trial of %s %s%s c=%u: %s", c->wl->name,
                 c->rn->name, c->gil ? "+gil" : "", c->concurrency, cal.why);
    }
    s->warm_done[i] = cal.warm && o->warmup > 0;
    if (err == 0 && !cal.reached && missed++ == 0)
      snprintf(first, sizeof(first), "%s %s%s c=%u: %s", c->wl->name, c->rn->name,
               c->gil ? "+gil" : "", c->concurrency, cal.why);
  }
  cb_progress_clear(&s->pg);
  if (err == 0 && !stop_signal && !o->quiet) {
    if (missed > 0)
      cb_message("run", "calibrated %zu cells to trials of at least %llu ms in %.1f s; %zu did "
                 "not reach it, e.g. %s", n, (unsigned long long)o->min_time_ms,
                 (double)(cb_now_ns() - t0) / 1e9, missed, first);
    else
      cb_message("run", "calibrated %zu cells to trials of at least %llu ms in %.1f s", n,
                 (unsigned long long)o->min_time_ms, (double)(cb_now_ns() - t0) / 1e9);
  }
  return err != 0 ? err : stop_signal ? -EINTR : 0;
}

/* One trial of a cell, recorded unless it is a warm-up; k of total for the
 * progress line. 0 or -errno (-EINTR when stopped). */
static int one_trial(session_t *s, size_t cell, int warm, unsigned *reps, size_t k, size_t total)
{
  const cb_cell_t *c = &s->m->cells[cell];
  const uint64_t *expected;
  cb_trial_t t;
  int err;

  progress(s, k, total, c, " (expected checksums)");
  err = expected_of(s, cell, &expected, &t);
  if (err == 0) {
    progress(s, k, total, c, warm ? " (warm-up)" : "");
    err = cb_trial_supervised(c, s->topo, expected, s->o->trial_timeout,
                              (volatile const int *)&stop_signal, &t);
    if (err != 0 && err != -EINTR) {
      cb_progress_clear(&s->pg);
      cb_message("run", "cannot start a trial of %s %s%s c=%u: %s", c->wl->name, c->rn->name,
                 c->gil ? "+gil" : "", c->concurrency, t.msg);
    }
  } else if (err == 1) {
    err = 0; /* recorded as what kept it from running */
  }
  if (err != 0)
    return err;
  if (not_ok(c, &t) && !s->o->quiet) {
    cb_progress_clear(&s->pg);
    cb_message(NULL, "%s %s%s c=%u: %s: %s", c->wl->name, c->rn->name, c->gil ? "+gil" : "",
               c->concurrency, cb_status_name(t.status), t.msg);
  }
  return warm ? 0 : record(s, cell, reps[cell]++, &t);
}

/* A cell that --max-reps may still extend: below the maximum, with ok
 * trials, and its median's CI not yet within --target-ci. */
static int wants_more(const session_t *s, size_t cell, const unsigned *reps)
{
  const double *v = s->tp + cell * s->o->max_reps;

  return reps[cell] < s->o->max_reps && s->ntp[cell] > 0 &&
         !cb_median_ci_within(v, s->ntp[cell], s->o->target_ci);
}

/* --max-reps: rounds after the schedule, each one trial of every cell that
 * wants more, in an order shuffled from the seed and the round (Fisher-Yates
 * over splitmix64, as cb_schedule). Says at the end which cells reached the
 * target. */
static __attribute__((noinline)) int more_reps(session_t *s, unsigned *reps)
{
  const opts_t *o = s->o;
  size_t *list, n, i, j, tmp, k = 0, reached = 0, ok = 0, missed = 0;
  uint64_t state = o->mx.seed ^ UINT64_C(0x5851f42d4c957f2d), round;
  static char first[200]; /* static: the trials fork below this frame */
  int err = 0;

  first[0] = '\0';
  if (o->max_reps <= o->reps)
    return 0;
  list = malloc((s->m->ncells > 0 ? s->m->ncells : 1) * sizeof(*list));
  if (list == NULL)
    return -ENOMEM;
  for (round = o->reps; err == 0 && round < o->max_reps && !stop_signal; round++) {
    for (i = n = 0; i < s->m->ncells; i++) {
      if (wants_more(s, i, reps))
        list[n++] = i;
    }
    for (i = n; i > 1; i--) {
      state += UINT64_C(0x9e3779b97f4a7c15);
      j = (size_t)(cb_mix64(state) % i);
      tmp = list[i - 1];
      list[i - 1] = list[j];
      list[j] = tmp;
    }
    for (i = 0; err == 0 && i < n && !stop_signal; i++, k++)
      err = one_trial(s, list[i], 0, reps, k, k + n - i);
  }
  free(list);
  cb_progress_clear(&s->pg);
  for (i = 0; i < s->m->ncells; i++) {
    if (s->ntp[i] == 0)
      continue;
    ok++;
    if (cb_median_ci_within(s->tp + i * o->max_reps, s->ntp[i], o->target_ci))
      reached++;
    else if (missed++ == 0)
      snprintf(first, sizeof(first), "%s %s%s c=%u", s->m->cells[i].wl->name,
               s->m->cells[i].rn->name, s->m->cells[i].gil ? "+gil" : "",
               s->m->cells[i].concurrency);
  }
  if (err == 0 && !stop_signal && !o->quiet)
    cb_message("run", "--max-reps %llu: %zu of %zu cells with ok trials have their median's 95%% "
               "CI within %g%% (%zu extra trials)%s%s", (unsigned long long)o->max_reps,
               reached, ok, 100 * o->target_ci, k, missed > 0 ? "; not, e.g. " : "", first);
  return err != 0 ? err : stop_signal ? -EINTR : 0;
}

static int run_trials(session_t *s)
{
  const opts_t *o = s->o;
  size_t total = 0, skip = 0, i, k = 0;
  unsigned *reps;
  cb_slot_t *order;
  int err = 0;

  order = cb_schedule(s->m->ncells, o->warmup, o->reps, o->mx.seed, &total);
  reps = calloc(s->m->ncells > 0 ? s->m->ncells : 1, sizeof(*reps));
  if (order == NULL || reps == NULL) {
    cb_message("run", "out of memory for the schedule of %zu cells", s->m->ncells);
    err = -ENOMEM;
  }
  for (i = 0; err == 0 && i < s->m->ncells; i++)
    skip += s->warm_done[i];
  cb_progress_init(&s->pg, "run", o->quiet, o->progress_s);
  for (i = 0; err == 0 && i < total && !stop_signal; i++) {
    int warm = order[i].rep < 0;
    if (warm && s->warm_done[order[i].cell] > 0) {
      s->warm_done[order[i].cell]--; /* its calibration's last trial */
      continue;
    }
    err = one_trial(s, order[i].cell, warm, reps, k++, total - skip);
  }
  cb_progress_clear(&s->pg);
  if (err == 0 && !stop_signal)
    err = more_reps(s, reps);
  free(reps);
  free(order);
  return err != 0 ? err : stop_signal ? -EINTR : 0;
}

static int pin_unsupported(const cb_topo_t *topo, cb_pin_policy_t pin)
{
  cb_plan_t plan;
  int err = cb_plan_compute(topo, pin, 1, &plan);

  if (err == 0)
    cb_plan_free(&plan);
  return err == -ENOTSUP;
}

/* results/concbench-RUNID.csv, creating results/ if needed. */
static int default_output(char **out, const cb_meta_t *meta)
{
  size_t n = sizeof("results/concbench-.csv") + strlen(meta->run_id);

  if (mkdir("results", 0755) != 0 && errno != EEXIST)
    return cb_usage_error("run", "cannot create the directory 'results' for the default "
                          "output (or give -o FILE): %s", strerror(errno));
  *out = malloc(n);
  if (*out == NULL)
    return cb_fail("run", "out of memory");
  snprintf(*out, n, "results/concbench-%s.csv", meta->run_id);
  return 0;
}

/* One output, opened and checked up front. */
static int open_output(cb_output_t *o, const char *path, const char *what)
{
  char why[512];
  int err = cb_output_open(o, path, why, sizeof(why));

  if (err != 0)
    return cb_usage_error("run", "cannot write %s '%s': %s", what, path, why);
  return 0;
}

/* The lock beside a regular CSV: a second run on the same output is
 * refused, naming the first. */
static int take_lock(session_t *s)
{
  long holder = 0;
  int err;

  s->lock_path = beside(s->path, "lock");
  if (s->lock_path == NULL)
    return cb_fail("run", "out of memory");
  err = cb_lock_take(s->lock_path, &s->lock_fd, &holder);
  if (err == -EWOULDBLOCK && holder > 0)
    cb_message("run", "output '%s' is being written by another run (PID %ld, lock file %s)",
               s->path, holder, s->lock_path);
  else if (err == -EWOULDBLOCK)
    cb_message("run", "output '%s' is being written by another run (lock file %s)", s->path,
               s->lock_path);
  else if (err != 0)
    cb_message("run", "cannot lock '%s': %s", s->lock_path,
               err == -EINVAL ? "not a regular file" : strerror(-err));
  if (err != 0) {
    free(s->lock_path);
    s->lock_path = NULL;
    return CB_EXIT_USAGE;
  }
  return 0;
}

/* Every output of the run, checked and opened before anything runs: the
 * CSV; beside a regular CSV its summary and metadata (and its lock); the
 * JSON; no two of them the same file. 0 or the exit code. */
static int open_outputs(session_t *s)
{
  char *path;
  int rc;

  rc = open_output(&s->csv, s->path, "output");
  if (rc != 0)
    return rc;
  if (s->csv.kind == CB_OUT_FILE) {
    /* Beside /dev/null or a FIFO there is no place for files of ours. */
    path = beside(s->path, "summary.csv");
    rc = path == NULL ? cb_fail("run", "out of memory") : open_output(&s->summary, path,
                                                                      "the summary");
    s->have_summary = rc == 0;
    free(path);
    if (rc != 0)
      return rc;
    path = beside(s->path, "meta.json");
    rc = path == NULL ? cb_fail("run", "out of memory") : open_output(&s->metadata, path,
                                                                      "the metadata");
    s->have_metadata = rc == 0;
    free(path);
    if (rc != 0)
      return rc;
  }
  if (s->o->json != NULL) {
    rc = open_output(&s->json, s->o->json, "--json");
    s->have_json = rc == 0;
    if (rc != 0)
      return rc;
    if (cb_output_same(&s->json, &s->csv) ||
        (s->have_summary && cb_output_same(&s->json, &s->summary)) ||
        (s->have_metadata && cb_output_same(&s->json, &s->metadata)))
      return cb_usage_error("run", "--json '%s' would overwrite the run's own CSV or its "
                            "summary or metadata", s->o->json);
  }
  if (s->csv.kind == CB_OUT_STREAM) {
    struct stat st;
    s->csv_is_stdout = fstat(STDOUT_FILENO, &st) == 0 && st.st_dev == s->csv.dev &&
                       st.st_ino == s->csv.ino;
  }
  return s->csv.kind == CB_OUT_FILE ? take_lock(s) : 0;
}

static void close_outputs(session_t *s)
{
  if (s->lock_path != NULL)
    cb_lock_drop(s->lock_path, s->lock_fd);
  free(s->lock_path);
  s->lock_path = NULL;
  cb_output_close(&s->csv);
  if (s->have_summary)
    cb_output_close(&s->summary);
  if (s->have_metadata)
    cb_output_close(&s->metadata);
  if (s->have_json)
    cb_output_close(&s->json);
  s->have_summary = s->have_metadata = s->have_json = 0;
}

/* The machine metadata beside the CSV, complete (X.meta.json). */
static int write_sidecar(session_t *s)
{
  cb_buf_t b = { 0 };
  int err;

  if (!s->have_metadata)
    return 0;
  cb_meta_json(s->meta, &b);
  err = b.failed ? -ENOMEM : cb_output_write(&s->metadata, b.data, b.len);
  if (err != 0)
    cb_message("run", "cannot write '%s': %s", s->metadata.path, strerror(-err));
  cb_buf_free(&b);
  return err;
}

/* The trials written so far as Google Benchmark JSON (--json). */
static int write_json(session_t *s)
{
  char err[256];
  cb_buf_t b = { 0 };
  cb_table_t t;
  int rc;

  rc = cb_table_parse(s->csv_text.data, s->csv_text.len, &t, err, sizeof(err));
  if (rc == 0) {
    rc = cb_export_gbench(&t, s->meta, &b, err, sizeof(err));
    cb_table_free(&t);
  }
  if (rc == 0) {
    rc = b.failed ? -ENOMEM : cb_output_write(&s->json, b.data, b.len);
    snprintf(err, sizeof(err), "%s", strerror(-rc));
  }
  if (rc != 0)
    cb_message("run", "cannot write the JSON '%s': %s", s->o->json, err);
  cb_buf_free(&b);
  return rc;
}

/* Everything the trials produced, once they are done or stopped: the CSV
 * (again, or for the first time when it is a stream), the summary and the
 * JSON. 0 or -errno (each failure already said). */
static int write_results(session_t *s, cb_cells_t *cells, cb_table_t *t, int *have_cells)
{
  int err = 0, e;

  *have_cells = 0;
  if (s->csv.kind != CB_OUT_FILE || s->rows == 0) {
    e = cb_output_write(&s->csv, s->csv_text.data, s->csv_text.len);
    if (e != 0)
      cb_message("run", "cannot write '%s': %s", s->path, strerror(-e));
    err = e;
  }
  if (s->rows > 0 && s->have_summary) {
    e = write_summary(s, cells, t);
    *have_cells = e == 0;
    err = err != 0 ? err : e;
  }
  if (s->rows > 0 && s->have_json) {
    e = write_json(s);
    err = err != 0 ? err : e;
  }
  return err;
}

/* An output's name in messages: "-" is stdout. */
static const char *shown(const char *path)
{
  return strcmp(path, "-") == 0 ? "stdout" : path;
}

static void check_env_end(session_t *s);

/* Run the schedule and write what it produced; returns the exit code. */
static int execute(session_t *s)
{
  int err, werr, have_cells, sig;
  FILE *talk = s->csv_is_stdout ? stderr : stdout;
  cb_cells_t cells;
  cb_table_t t;

  cb_record_header(&s->csv_text);
  if (s->csv_text.failed)
    return cb_fail("run", "out of memory");
  if (s->csv.kind == CB_OUT_FILE && (err = cb_output_write(&s->csv, s->csv_text.data,
                                                           s->csv_text.len)) != 0)
    return cb_fail("run", "cannot write '%s': %s", s->path, strerror(-err));
  if (write_sidecar(s) != 0)
    return CB_EXIT_FAIL;
  cb_progress_init(&s->pg, "run", s->o->quiet, s->o->progress_s);
  err = calibrate_cells(s);
  /* Expected checksums are shared by the cells of a group, as many as the
   * longest calibrated trial needs. */
  if (err == 0 && cb_matrix_groups(s->m) != 0) {
    cb_message("run", "out of memory");
    err = -ENOMEM;
  }
  if (err == 0)
    err = run_trials(s);
  check_env_end(s);
  werr = write_results(s, &cells, &t, &have_cells);
  sig = stop_signal;
  if (err == -EINTR || sig != 0) {
    cb_message("run", "interrupted by signal %d (%s); %zu finished trials are in %s", sig,
               strsignal(sig), s->rows, shown(s->path));
  } else if (err == 0 && werr == 0) {
    if (have_cells && !s->o->quiet)
      cb_cells_warn(&cells, stderr);
    if (have_cells)
      print_cells(talk, &cells);
    if (have_cells)
      fprintf(talk, "summary in %s\n", s->summary.path != NULL ? s->summary.path : "");
    fprintf(talk, "wrote %zu trials to %s (%zu not ok)\n", s->rows, shown(s->path), s->not_ok);
    if (s->csv.kind == CB_OUT_STREAM && !s->o->quiet)
      fprintf(talk, "no summary and no metadata: %s is a stream, with no place beside it for "
              "X.summary.csv and X.meta.json (concbench summary reads the CSV back)\n",
              shown(s->path));
  }
  if (have_cells) {
    cb_cells_free(&cells);
    cb_table_free(&t);
  }
  close_outputs(s);
  if (err == -EINTR || sig != 0)
    return 128 + sig;
  if (err != 0 || werr != 0)
    return CB_EXIT_FAIL;
  return s->not_ok > 0 ? CB_EXIT_FAIL : CB_EXIT_OK;
}

static int calibrated(const cb_matrix_t *m)
{
  size_t i;

  for (i = 0; i < m->ncells; i++) {
    if (m->cells[i].calibrate)
      return 1;
  }
  return 0;
}

/* The environment before the run: warnings on stderr (not with -q), or
 * with --strict-env a refusal naming them. 0 or the exit code. */
static int check_env(const opts_t *o, const cb_topo_t *topo, cb_meta_t *meta)
{
  cb_env_check(cb_env_root(), cb_topo_pus(topo), CB_ENV_SAMPLE_S, &meta->env);
  cb_env_warnings_text(&meta->env, meta->env_text, sizeof(meta->env_text));
  if (o->strict_env && meta->env.warnings > 0)
    return cb_usage_error("run", "--strict-env: %u environment warning%s: %s (concbench env "
                          "gives hints)", meta->env.warnings, meta->env.warnings == 1 ? "" : "s",
                          meta->env_text);
  if (!o->quiet)
    cb_env_warn(&meta->env, "run", stderr);
  return 0;
}

/* The environment again after the last trial, for the metadata (the load
 * average then includes the run itself: only other processes are news). */
static __attribute__((noinline)) void check_env_end(session_t *s)
{
  cb_env_t *e = &s->meta->env_end;

  cb_env_check(cb_env_root(), s->meta->pus, stop_signal ? 0 : CB_ENV_SAMPLE_S, e);
  s->meta->have_env_end = 1;
  if (!s->o->quiet && e->item[CB_ENV_BUSY].warn)
    cb_message("run", "warning: at the end of the run: busy %s",
               e->item[CB_ENV_BUSY].value);
  if (s->have_metadata)
    write_sidecar(s);
}

/* Set up everything that can be refused before any trial runs; the exit
 * code, 0 to go on. */
static int prepare(session_t *s, opts_t *o, cb_matrix_t *m, cb_topo_t *topo, cb_meta_t *meta,
                   char **path)
{
  const cb_workload_t *uncalibrated = NULL;
  static char why[2048]; /* static: the trials fork below cb_cmd_run */
  int rc;

  if (pin_unsupported(topo, o->mx.pin))
    return cb_usage_error("run", "pin policy '%s' needs hwloc, which this build lacks (use "
                          "none)", cb_pin_name(o->mx.pin));
  rc = cb_matrix_build(&o->mx, topo, m, why, sizeof(why));
  if (rc != 0)
    return cb_refused("run", rc, why);
  if (o->dry_run) {
    cb_matrix_print(m, o->reps, o->warmup, stdout);
    if (o->min_time_ms > 0 && calibrated(m))
      printf("tasks grow at run time until a trial lasts %llu ms (--min-time; -t: as shown)\n",
             (unsigned long long)o->min_time_ms);
    return -1;
  }
  if (cb_scratch_check(why, sizeof(why)) != 0)
    return cb_usage_error("run", "%s", why);
  cb_meta_collect(meta, topo);
  meta->min_time_ms = o->min_time_ms;
  rc = check_env(o, topo, meta);
  if (rc != 0)
    return rc;
  if (o->output == NULL) {
    rc = default_output(path, meta);
    if (rc != 0)
      return rc;
  }
  s->path = o->output != NULL ? o->output : *path;
  rc = open_outputs(s);
  if (rc != 0)
    return rc;
  if ((rc = cb_matrix_calibrate(m, &uncalibrated)) != 0)
    return cb_fail("run", "cannot calibrate %s: %s", uncalibrated->name, strerror(-rc));
  s->warm_done = calloc(m->ncells > 0 ? m->ncells : 1, 1);
  s->ntp = calloc(m->ncells > 0 ? m->ncells : 1, sizeof(*s->ntp));
  s->tp = calloc(m->ncells > 0 ? m->ncells * o->max_reps : 1, sizeof(*s->tp));
  if (s->warm_done == NULL || s->ntp == NULL || s->tp == NULL)
    return cb_fail("run", "out of memory");
  /* Scratch directories of runs killed before they could remove them. */
  cb_scratch_sweep();
  s->m = m;
  s->topo = topo;
  s->meta = meta;
  return 0;
}

int cb_cmd_run(int argc, char **argv)
{
  opts_t o = { .mx = { .pin = CB_PIN_COMPACT, .seed = 1, .switch_us = 5000 },
               .reps = 5, .warmup = 1, .target_ci = 0.02, .progress_s = CB_PROGRESS_EVERY_S,
               .trial_timeout = 300 };
  session_t s = { .o = &o, .lock_fd = -1 };
  cb_matrix_t m = { 0 };
  cb_topo_t *topo = NULL;
  cb_meta_t *meta = NULL;
  char *path = NULL;
  int rc, err;

  s.csv.fd = s.summary.fd = s.metadata.fd = s.json.fd = -1;
  rc = parse_options(argc, argv, &o);
  if (rc != 0)
    return rc < 0 ? CB_EXIT_OK : rc;
  /* From here on a signal is noticed, not fatal: the run stops cleanly. */
  stop_signal = 0;
  cb_sig_catch(on_signal);
  meta = calloc(1, sizeof(*meta));
  if (meta == NULL) {
    rc = cb_fail("run", "out of memory");
    goto out;
  }
  err = cb_topo_load(&topo);
  if (err != 0) {
    rc = cb_fail("run", "cannot load the topology: %s", strerror(-err));
    goto out;
  }
  rc = prepare(&s, &o, &m, topo, meta, &path);
  if (rc == 0 && stop_signal)
    rc = 128 + stop_signal;
  if (rc == 0)
    rc = execute(&s);
  else if (rc < 0)
    rc = CB_EXIT_OK; /* --dry-run */

out:
  close_outputs(&s);
  cb_sig_restore();
  cb_buf_free(&s.csv_text);
  cb_matrix_free(&m);
  cb_topo_free(topo);
  free(meta);
  free(path);
  free(s.warm_done);
  free(s.tp);
  free(s.ntp);
  return rc;
}
