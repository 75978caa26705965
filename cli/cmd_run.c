/* `concbench run`: its options (the matrix's shared with ab, cli/matrix_opts.c),
 * the matrix (harness/matrix.c; --dry-run prints it), the outputs, chosen and
 * opened before anything runs, and the exit code. The run itself, from the
 * environment check to the last trial, is the harness's (harness/run.h); its
 * CSV is rewritten atomically after every trial, so an interrupted or failing
 * run leaves a valid CSV of what finished, and here its summary. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calibrate.h"
#include "parse.h"
#include "cmd.h"
#include "export.h"
#include "matrix_opts.h"
#include "output.h"
#include "run.h"
#include "signals.h"
#include "summary.h"

typedef struct opts_s {
  cb_mopts_t mo;             /* the matrix, --reps, --warmup, --trial-timeout */
  cb_run_opts_t run;
  const char *output, *json;
  int dry_run, have_min_time, strict_env;
} opts_t;

typedef struct session_s {
  const opts_t *o;
  cb_run_t run;             /* the trials and their CSV (harness/run.h) */
  const char *path;         /* the CSV as given (or the default) */
  cb_output_t csv, summary, metadata, json;
  int have_summary, have_metadata, have_json;
  char *lock_path;          /* beside a regular CSV; NULL for a stream */
  int lock_fd;
  int csv_is_stdout;        /* the CSV goes to our own stdout: talk on stderr */
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
    "  -r, --runner LIST        serial,threads,processes,procs-threads,eventloop,loop1,\n"
    "                           procs-loops, or !NAME to leave one out (default: all)\n"
    "  -c, --concurrency LIST   e.g. 1,2,8 or 1..64 (powers of two); default 1,2,8\n"
    "  -p, --pin POLICY         none|compact|scatter|cores (default compact)\n"
    "      --transport LIST     how processes move payloads: pipe,shm (default pipe);\n"
    "                           other runners keep their own (inproc)\n"
    "      --dispatch LIST      how process workers get tasks: shared (a shared counter,\n"
    "                           default), queue (one task pipe kept filled, as Python's\n"
    "                           multiprocessing.Pool), roundtrip (one task at a time per\n"
    "                           worker); other runners keep their own\n"
    "      --procs LIST         processes P of the hybrids (procs-threads, procs-loops),\n"
    "                           each a number or pus (default pus); T = ceil(c / P) tasks\n"
    "                           per process, the last holding the rest; others ignore it\n"
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
    "                           without one 0); 0 or -t: no calibration\n"
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

/* An option of run's own (o: the opts_t). */
static int parse_option(int opt, void *ctx)
{
  opts_t *o = ctx;
  cb_run_opts_t *r = &o->run;

  switch (opt) {
  case 'o': o->output = optarg; return 0;
  case 'J': o->json = optarg; return 0;
  case 'q': r->quiet = 1; return 0;
  case 'D': o->dry_run = 1; return 0;
  case 'M':
    o->have_min_time = 1;
    return cb_opt_u64("run", "--min-time", optarg, 0, 3600000, &r->min_time_ms);
  case 'E': o->strict_env = 1; return 0;
  case 'N': return cb_opt_u64("run", "--max-reps", optarg, 1, 1000, &r->max_reps);
  case 'C':
    if (cb_parse_positive_double(optarg, 100, &r->target_ci) != 0)
      return cb_usage_error("run", "bad --target-ci '%s' (percent, > 0 and <= 100)", optarg);
    r->target_ci /= 100;
    return 0;
  case 'Q':
    if (strcmp(optarg, "0") == 0) {
      r->progress_s = 0;
      return 0;
    }
    if (cb_parse_positive_double(optarg, 86400, &r->progress_s) != 0)
      return cb_usage_error("run", "bad --progress '%s' (seconds, 0 for none)", optarg);
    return 0;
  default:
    return CB_EXIT_USAGE;
  }
}

/* After the last option: the profile's defaults, the checks that need all
 * options, and the harness's copy of the matrix's. 0 or the exit code. */
static int finish_options(opts_t *o)
{
  cb_run_opts_t *r = &o->run;
  int rc = cb_mopts_finish("run", &o->mo);

  if (rc != 0)
    return rc;
  if (o->mo.mx.profile != NULL && !o->have_min_time)
    r->min_time_ms = o->mo.mx.profile->min_time_ms;
  if (r->max_reps != 0 && r->max_reps < o->mo.reps)
    return cb_usage_error("run", "--max-reps %llu is below --reps %llu",
                          (unsigned long long)r->max_reps, (unsigned long long)o->mo.reps);
  r->reps = o->mo.reps;
  r->warmup = o->mo.warmup;
  r->max_reps = r->max_reps != 0 ? r->max_reps : r->reps;
  r->seed = o->mo.mx.seed;
  r->trial_timeout = o->mo.trial_timeout;
  return 0;
}

static void print_help(void)
{
  fputs(run_help, stdout);
}

/* The functions of this file that are not on the way from cb_cmd_run to
 * the trials' fork are kept out of line (noinline): a trial process starts
 * with this call stack, and with their buffers inlined into cb_cmd_run's
 * frame (5.5 KiB under AddressSanitizer) a trial under `ulimit -s 28`
 * sometimes had too little stack left for ASan's allocator to map a new
 * region, and died of SIGSEGV (docs/RELIABILITY.md, "small stack").
 *
 * 0 to run, -1 after --help, else the exit code of a usage error. */
static __attribute__((noinline)) int parse_options(int argc, char **argv, opts_t *o)
{
  static const struct option own[] = {
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
  int rc = cb_mopts_getopt("run", argc, argv, own, "o:qh", &o->mo, parse_option, print_help, o);

  return rc == 0 ? finish_options(o) : rc;
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

/* For people: one line per cell from the summary. */
static __attribute__((noinline)) void print_cells(FILE *f, const cb_cells_t *cells)
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

/* Derive the summary from the trials written so far and write it beside the
 * CSV; *cells keeps it for showing (cb_cells_free). */
static __attribute__((noinline)) int write_summary(session_t *s, cb_cells_t *cells,
                                                  cb_table_t *t)
{
  char err[256];
  cb_buf_t b = { 0 };
  int rc;

  rc = cb_table_parse(s->run.csv_text.data, s->run.csv_text.len, t, err, sizeof(err));
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

static int pin_unsupported(const cb_topo_t *topo, cb_pin_policy_t pin)
{
  cb_plan_t plan;
  int err = cb_plan_compute(topo, pin, 1, &plan);

  if (err == 0)
    cb_plan_free(&plan);
  return err == -ENOTSUP;
}

/* results/concbench-RUNID.csv, creating results/ if needed. */
static __attribute__((noinline)) int default_output(char **out, const cb_meta_t *meta)
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
static __attribute__((noinline)) int open_output(cb_output_t *o, const char *path,
                                                const char *what)
{
  char why[512];
  int err = cb_output_open(o, path, why, sizeof(why));

  if (err != 0)
    return cb_usage_error("run", "cannot write %s '%s': %s", what, path, why);
  return 0;
}

/* The lock beside a regular CSV: a second run on the same output is
 * refused, naming the first. */
static __attribute__((noinline)) int take_lock(session_t *s)
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
static __attribute__((noinline)) int open_outputs(session_t *s)
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

/* The trials written so far as Google Benchmark JSON (--json). */
static __attribute__((noinline)) int write_json(session_t *s)
{
  char err[256];
  cb_buf_t b = { 0 };
  cb_table_t t;
  int rc;

  rc = cb_table_parse(s->run.csv_text.data, s->run.csv_text.len, &t, err, sizeof(err));
  if (rc == 0) {
    rc = cb_export_gbench(&t, s->run.meta, &b, err, sizeof(err));
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
static __attribute__((noinline)) int write_results(session_t *s, cb_cells_t *cells,
                                                  cb_table_t *t, int *have_cells)
{
  int err = 0, e;

  *have_cells = 0;
  if (s->csv.kind != CB_OUT_FILE || s->run.rows == 0) {
    e = cb_output_write(&s->csv, s->run.csv_text.data, s->run.csv_text.len);
    if (e != 0)
      cb_message("run", "cannot write '%s': %s", s->path, strerror(-e));
    err = e;
  }
  if (s->run.rows > 0 && s->have_summary) {
    e = write_summary(s, cells, t);
    *have_cells = e == 0;
    err = err != 0 ? err : e;
  }
  if (s->run.rows > 0 && s->have_json) {
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

/* Run the trials (harness/run.h) and write what they produced; returns the
 * exit code. */
static int execute(session_t *s)
{
  int err, werr, have_cells, sig;
  FILE *talk = s->csv_is_stdout ? stderr : stdout;
  const int quiet = s->o->run.quiet;
  cb_cells_t cells;
  cb_table_t t;

  if (cb_run_begin(&s->run) != 0)
    return CB_EXIT_FAIL;
  err = cb_run_trials(&s->run);
  werr = write_results(s, &cells, &t, &have_cells);
  sig = stop_signal;
  if (err == -EINTR || sig != 0) {
    cb_message("run", "interrupted by signal %d (%s); %zu finished trials are in %s", sig,
               strsignal(sig), s->run.rows, shown(s->path));
  } else if (err == 0 && werr == 0) {
    if (have_cells && !quiet)
      cb_cells_warn(&cells, stderr);
    if (have_cells)
      print_cells(talk, &cells);
    if (have_cells)
      fprintf(talk, "summary in %s\n", s->summary.path != NULL ? s->summary.path : "");
    fprintf(talk, "wrote %zu trials to %s (%zu not ok)\n", s->run.rows, shown(s->path),
            s->run.not_ok);
    if (s->csv.kind == CB_OUT_STREAM && !quiet)
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
  return s->run.not_ok > 0 ? CB_EXIT_FAIL : CB_EXIT_OK;
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

/* Set up everything that can be refused before any trial runs; the exit
 * code, 0 to go on, -1 after --dry-run. */
static __attribute__((noinline)) int prepare(session_t *s, const opts_t *o, cb_matrix_t *m,
                                             cb_topo_t *topo, cb_meta_t *meta, char **path)
{
  static char why[2048]; /* static: the trials fork below cb_cmd_run */
  const cb_run_opts_t *r = &o->run;
  int rc;

  if (pin_unsupported(topo, o->mo.mx.pin))
    return cb_usage_error("run", "pin policy '%s' needs hwloc, which this build lacks (use "
                          "none)", cb_pin_name(o->mo.mx.pin));
  rc = cb_matrix_build(&o->mo.mx, topo, m, why, sizeof(why));
  if (rc != 0)
    return cb_refused("run", rc, why);
  if (o->dry_run) {
    cb_matrix_print(m, r->reps, r->warmup, stdout);
    if (r->min_time_ms > 0 && calibrated(m))
      printf("tasks grow at run time until a trial lasts %llu ms (--min-time; -t: as shown)\n",
             (unsigned long long)r->min_time_ms);
    return -1;
  }
  if (cb_scratch_check(why, sizeof(why)) != 0)
    return cb_usage_error("run", "%s", why);
  cb_meta_collect(meta, topo);
  meta->min_time_ms = r->min_time_ms;
  if (cb_run_env_before(r, topo, meta, o->strict_env) != 0)
    return cb_usage_error("run", "--strict-env: %u environment warning%s: %s (concbench env "
                          "gives hints)", meta->env.warnings, meta->env.warnings == 1 ? "" : "s",
                          meta->env_text);
  if (o->output == NULL) {
    rc = default_output(path, meta);
    if (rc != 0)
      return rc;
  }
  s->path = o->output != NULL ? o->output : *path;
  rc = open_outputs(s);
  if (rc != 0)
    return rc;
  s->run = (cb_run_t){ .o = r, .m = m, .topo = topo, .meta = meta, .csv = &s->csv,
                       .csv_name = s->path, .metadata = s->have_metadata ? &s->metadata : NULL,
                       .stop = &stop_signal };
  rc = cb_run_prepare(&s->run, why, sizeof(why));
  return rc != 0 ? cb_fail("run", "%s", why) : 0;
}

int cb_cmd_run(int argc, char **argv)
{
  opts_t o = { .mo = CB_MOPTS_DEFAULT,
               .run = { .cmd = "run", .target_ci = 0.02, .progress_s = CB_PROGRESS_EVERY_S } };
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
  cb_run_free(&s.run);
  cb_matrix_free(&m);
  cb_topo_free(topo);
  free(meta);
  free(path);
  return rc;
}
