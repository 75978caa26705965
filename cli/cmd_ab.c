/* `concbench ab`: an A/B run of two builds on one machine. The same matrix
 * as `run` (harness/matrix.c) is run by two concbench binaries, BASE and NEW
 * (or BASE built from a git revision, cli/ab_rev.c), and every trial of
 * both sides is one slot of a single seeded shuffled schedule (cb_schedule
 * over 2 x cells), so that whatever disturbs the machine meanwhile falls on
 * both sides alike. The trials are then judged with compare's statistics
 * (analysis/compare.c): a regression is what `compare` calls one.
 *
 * One trial is executed by its own binary as `BIN run` with one repetition,
 * no warm-up and every key of the cell given explicitly, writing a one-row
 * CSV into a private temporary directory: a CLI that every concbench since
 * the trial CSV has, so BASE may be an older revision. The row is checked
 * against the cell asked for, given the side, its run id and repetition, and
 * kept; the output CSV (a `side` column first, then every column either side
 * wrote) is rewritten atomically every few seconds and at the end (a FIFO
 * or a device takes it once, at the end; harness/output.h), under a lock
 * beside it, as run's. A side
 * that refuses a cell (exit 2: an older revision without that workload) has
 * the cell left out, and compare lists it as on one side only. Children run
 * through harness/spawn.h: SIGINT, SIGTERM and the other terminating signals
 * stop the current trial, every child is reaped, the temporary directory
 * (and a base revision's worktree) removed, and the trials that finished
 * are kept; the temporary directory is named after its owner, so that one
 * left by an ab killed with SIGKILL is removed by the next run or ab. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ab_rev.h"
#include "parse.h"
#include "cmd.h"
#include "compare.h"
#include "env.h"
#include "matrix.h"
#include "meta.h"
#include "output.h"
#include "progress.h"
#include "spawn.h"
#include "summary.h"
#include "trial.h"

enum { SIDE_BASE, SIDE_NEW, SIDES };
static const char *const side_names[SIDES] = { "base", "new" };

typedef enum { FMT_TEXT, FMT_MD, FMT_JSON, FMT_CSV } format_t;
static const char *const format_names[] = { "text", "md", "json", "csv" };

typedef struct opts_s {
  cb_matrix_opts_t mx;
  const char *bin[SIDES], *base_rev, *source, *output;
  uint64_t reps, warmup;
  int have_reps, have_warmup, have_switch, quiet, dry_run;
  double trial_timeout;
  cb_compare_opts_t cmp;
  format_t format;
} opts_t;

/* The trials kept: every column that either side's CSV had, in order of
 * first appearance, and each row's values by column (NULL: not written). */
typedef struct row_s {
  int side;
  size_t cell;
  char **v;
  size_t nv;
} row_t;

typedef struct rows_s {
  char **col;
  unsigned *from; /* per column: bit s when side s wrote it */
  size_t ncols;
  row_t *row;
  size_t n;
} rows_t;

typedef struct session_s {
  const opts_t *o;
  const cb_matrix_t *m;
  char tmp[4096];       /* our private directory */
  char trial_csv[4200]; /* where each trial writes */
  char trial_err[4200];
  char run_id[48];
  char bin[SIDES][PATH_MAX];
  unsigned char *refused; /* per side and cell: the side cannot run it */
  unsigned *reps;         /* per side and cell: recorded trials so far */
  size_t not_ok[SIDES];
  rows_t rows;
  uint64_t last_write;
  cb_output_t out, compare_out; /* opened before anything runs (harness/output.h) */
  char *lock_path;              /* beside a regular output: one ab per output */
  int lock_fd;
  cb_progress_t pg;             /* on a terminal, or a line every 10 s in a log */
} session_t;

static const char ab_help[] =
    "usage: concbench ab (--base BIN | --base-rev REV) [--new BIN] [matrix options]\n"
    "                    [-o FILE] [--alpha A] [--threshold PCT] [-f FMT]\n\n"
    "A/B run of two builds on this machine: each side runs the matrix's trials\n"
    "(--warmup and --reps per cell), each trial executed by that side's binary, all\n"
    "trials of both sides in one seeded shuffled order; then the sides are compared\n"
    "cell by cell as `concbench compare BASE NEW` does (ratio of medians with a\n"
    "bootstrap CI, Mann-Whitney, Holm, threshold). Writes one trial CSV with a `side`\n"
    "column (base, new) first, and the comparison beside it (X.compare.csv).\n\n"
    "  --base BIN               the base concbench binary\n"
    "  --base-rev REV           or build revision REV of the git checkout (--source)\n"
    "                           in a worktree and build directory of its own, removed\n"
    "                           afterwards (needs git, meson and ninja)\n"
    "  --source DIR             the git checkout for --base-rev (default: the source\n"
    "                           this binary was built from)\n"
    "  --new BIN                the candidate (default: this binary)\n"
    "  --profile, -w, -r, -c, -p, --transport, --dispatch, -t, -s, --payload, --reps,\n"
    "  --warmup,\n"
    "  --seed, --gil, --switch-interval, --allow-races, --trial-timeout\n"
    "                           the matrix, as for `concbench run` (--reps and\n"
    "                           --warmup count per side)\n"
    "  -o, --output FILE        trial CSV of both sides (default results/ab-RUNID.csv)\n"
    "      --alpha A            family-wise significance level (default 0.05)\n"
    "      --threshold PCT      smallest change that counts, in percent (default 5)\n"
    "  -f, --format FMT         the comparison on stdout: text (default), md, json, csv\n"
    "      --dry-run            print the matrix and the number of trials, run nothing\n"
    "  -q, --quiet              no progress line, no note per failed trial\n"
    "  -h, --help\n\n"
    "exit: 0 no regression; 1 a regression, or a trial of NEW not ok; 2 bad usage,\n"
    "a base that cannot be built or run, too few repetitions to decide; 130/143\n"
    "interrupted (the CSV then holds every trial that finished)\n";

/* ---- options ------------------------------------------------------------ */

static int parse_num(const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
  if (cb_parse_u64(arg, min, max, out) != 0)
    return cb_usage_error("ab", "bad %s '%s' (a whole number %llu..%llu)", opt, arg,
                          (unsigned long long)min, (unsigned long long)max);
  return 0;
}

static int parse_fraction(const char *opt, const char *arg, double max, double scale, double *out)
{
  char *end;
  double v;

  errno = 0;
  v = strtod(arg, &end);
  if (arg[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(v) || v <= 0 || v >= max)
    return cb_usage_error("ab", "bad %s '%s' (a number above 0 and below %g)", opt, arg, max);
  *out = v / scale;
  return 0;
}

static int parse_option(int opt, opts_t *o)
{
  cb_matrix_opts_t *mx = &o->mx;
  size_t i;

  switch (opt) {
  case 'B': o->bin[SIDE_BASE] = optarg; return 0;
  case 'N': o->bin[SIDE_NEW] = optarg; return 0;
  case 'V': o->base_rev = optarg; return 0;
  case 'U': o->source = optarg; return 0;
  case 'w': mx->workloads = optarg; return 0;
  case 'r': mx->runners = optarg; return 0;
  case 'c': mx->concurrency = optarg; return 0;
  case 'X': mx->transports = optarg; return 0;
  case 'K': mx->dispatches = optarg; return 0;
  case 'P': mx->payloads = optarg; return 0;
  case 'o': o->output = optarg; return 0;
  case 'q': o->quiet = 1; return 0;
  case 'D': o->dry_run = 1; return 0;
  case 'A': mx->allow_races = 1; return 0;
  case 'F':
    if ((mx->profile = cb_profile_find(optarg)) == NULL)
      return cb_usage_error("ab", "unknown profile '%s' (quick, standard, full)", optarg);
    return 0;
  case 'p':
    if (cb_pin_parse(optarg, &mx->pin) != 0)
      return cb_usage_error("ab", "unknown pin policy '%s' (none, compact, scatter, cores)",
                            optarg);
    return 0;
  case 't':
    mx->have_tasks = 1;
    return parse_num("--tasks", optarg, 1, 100000000, &mx->tasks);
  case 's': mx->sizes = optarg; return 0;
  case 'R':
    o->have_reps = 1;
    return parse_num("--reps", optarg, 1, 100000, &o->reps);
  case 'W':
    o->have_warmup = 1;
    return parse_num("--warmup", optarg, 0, 100000, &o->warmup);
  case 'S': return parse_num("--seed", optarg, 0, UINT64_MAX, &mx->seed);
  case 'G':
    if (optarg == NULL || strcmp(optarg, "on") == 0)
      mx->gil_modes = 2;
    else if (strcmp(optarg, "off") == 0)
      mx->gil_modes = 1;
    else if (strcmp(optarg, "both") == 0)
      mx->gil_modes = 3;
    else
      return cb_usage_error("ab", "bad --gil '%s' (on, off or both)", optarg);
    return 0;
  case 'I':
    o->have_switch = 1;
    return parse_num("--switch-interval", optarg, 1, 10000000, &mx->switch_us);
  case 'T':
    if (cb_parse_positive_double(optarg, 86400 * 7, &o->trial_timeout) != 0)
      return cb_usage_error("ab", "bad --trial-timeout '%s' (seconds, > 0)", optarg);
    return 0;
  case 'a': return parse_fraction("--alpha", optarg, 1, 1, &o->cmp.alpha);
  case 'H': return parse_fraction("--threshold", optarg, 100, 100, &o->cmp.threshold);
  case 'f':
    for (i = 0; i < CB_ARRAY_SIZE(format_names); i++) {
      if (strcmp(optarg, format_names[i]) == 0) {
        o->format = (format_t)i;
        return 0;
      }
    }
    return cb_usage_error("ab", "bad --format '%s' (text, md, json or csv)", optarg);
  default:
    return CB_EXIT_USAGE;
  }
}

/* A binary we can execute: a path to an executable file, or a name that
 * PATH will find. */
static int check_bin(const char *what, const char *bin)
{
  struct stat st;

  if (strchr(bin, '/') == NULL)
    return 0;
  if (stat(bin, &st) != 0)
    return cb_usage_error("ab", "%s '%s': %s", what, bin, strerror(errno));
  if (!S_ISREG(st.st_mode) || access(bin, X_OK) != 0)
    return cb_usage_error("ab", "%s '%s' is not an executable file", what, bin);
  return 0;
}

/* 0 to run, -1 after --help, else the exit code of a usage error. */
static int parse_options(int argc, char **argv, opts_t *o)
{
  static const struct option opts[] = {
    { "base", required_argument, NULL, 'B' },
    { "base-rev", required_argument, NULL, 'V' },
    { "new", required_argument, NULL, 'N' },
    { "source", required_argument, NULL, 'U' },
    { "profile", required_argument, NULL, 'F' },
    { "workload", required_argument, NULL, 'w' },
    { "runner", required_argument, NULL, 'r' },
    { "concurrency", required_argument, NULL, 'c' },
    { "pin", required_argument, NULL, 'p' },
    { "transport", required_argument, NULL, 'X' },
    { "dispatch", required_argument, NULL, 'K' },
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
    { "output", required_argument, NULL, 'o' },
    { "alpha", required_argument, NULL, 'a' },
    { "threshold", required_argument, NULL, 'H' },
    { "format", required_argument, NULL, 'f' },
    { "dry-run", no_argument, NULL, 'D' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int opt, rc = 0;

  opterr = 0;
  optind = 1;
  while (rc == 0 && (opt = getopt_long(argc, argv, ":w:r:c:p:t:s:o:f:qh", opts, NULL)) != -1) {
    if (opt == 'h') {
      fputs(ab_help, stdout);
      return -1;
    }
    if (opt == '?' || opt == ':')
      return cb_getopt_error("ab", opt, argv);
    rc = parse_option(opt, o);
  }
  if (rc != 0)
    return rc;
  if (optind < argc)
    return cb_usage_error("ab", "unexpected argument '%s'", argv[optind]);
  if ((o->bin[SIDE_BASE] == NULL) == (o->base_rev == NULL))
    return cb_usage_error("ab", "needs one base: --base BIN or --base-rev REV");
  if (o->have_switch && !(o->mx.gil_modes & 2))
    return cb_usage_error("ab", "--switch-interval is the GIL's: it needs --gil");
  if (o->mx.profile != NULL) {
    if (!o->have_reps)
      o->reps = o->mx.profile->reps;
    if (!o->have_warmup)
      o->warmup = o->mx.profile->warmup;
  }
  if (o->bin[SIDE_BASE] != NULL && (rc = check_bin("--base", o->bin[SIDE_BASE])) != 0)
    return rc;
  if (o->bin[SIDE_NEW] != NULL && (rc = check_bin("--new", o->bin[SIDE_NEW])) != 0)
    return rc;
  return 0;
}

/* What the row of a cell must say in compare's key columns. */
static void cell_key(const cb_cell_t *c, char key[CB_CMP_KEYS][64])
{
  snprintf(key[0], 64, "%s", c->wl->name);
  snprintf(key[1], 64, "%s", c->rn->name);
  snprintf(key[2], 64, "%s", c->transport);
  snprintf(key[3], 64, "%s", cb_pin_name(c->pin));
  snprintf(key[4], 64, "%u", c->concurrency);
  snprintf(key[5], 64, "%llu", (unsigned long long)c->params.tasks);
  snprintf(key[6], 64, "%llu", (unsigned long long)c->params.size);
  snprintf(key[7], 64, "%llu", (unsigned long long)c->params.payload);
  snprintf(key[8], 64, "%d", c->gil);
  snprintf(key[9], 64, "%llu", (unsigned long long)c->switch_us);
  snprintf(key[10], 64, "%s", c->dispatch != NULL ? c->dispatch : c->rn->dispatches[0]);
}

/* ---- the rows kept ------------------------------------------------------ */

static long rows_col(rows_t *rs, const char *name, int side)
{
  unsigned *f;
  char **p;
  size_t i;

  for (i = 0; i < rs->ncols; i++) {
    if (strcmp(rs->col[i], name) == 0) {
      rs->from[i] |= 1u << side;
      return (long)i;
    }
  }
  p = realloc(rs->col, (rs->ncols + 1) * sizeof(*p));
  if (p != NULL)
    rs->col = p;
  f = realloc(rs->from, (rs->ncols + 1) * sizeof(*f));
  if (f != NULL)
    rs->from = f;
  if (p == NULL || f == NULL || (rs->col[rs->ncols] = strdup(name)) == NULL)
    return -ENOMEM;
  rs->from[rs->ncols] = 1u << side;
  return (long)rs->ncols++;
}

/* Keep data row 1 of t as a row of `side` and cell, with run_id and rep
 * replaced. */
static int rows_add(rows_t *rs, int side, size_t cell, const cb_table_t *t, const char *run_id,
                    unsigned rep)
{
  char repbuf[32];
  row_t *p, *r;
  size_t c;
  long k;

  p = realloc(rs->row, (rs->n + 1) * sizeof(*p));
  if (p == NULL)
    return -ENOMEM;
  rs->row = p;
  r = &rs->row[rs->n];
  memset(r, 0, sizeof(*r));
  r->side = side;
  r->cell = cell;
  snprintf(repbuf, sizeof(repbuf), "%u", rep);
  for (c = 0; c < t->cols; c++) {
    const char *name = cb_table_get(t, 0, c), *v = cb_table_get(t, 1, c);
    if ((k = rows_col(rs, name, side)) < 0)
      return (int)k;
    if ((size_t)k >= r->nv) {
      char **nv = realloc(r->v, rs->ncols * sizeof(*nv));
      if (nv == NULL)
        return -ENOMEM;
      memset(nv + r->nv, 0, (rs->ncols - r->nv) * sizeof(*nv));
      r->v = nv;
      r->nv = rs->ncols;
    }
    if (strcmp(name, "run_id") == 0)
      v = run_id;
    else if (strcmp(name, "rep") == 0)
      v = repbuf;
    if ((r->v[k] = strdup(v)) == NULL)
      return -ENOMEM;
  }
  rs->n++;
  return 0;
}

/* Whether the rows of `side` lack compare key column k (an older BASE that
 * had no such key, e.g. dispatch). */
static int lacks_key(const rows_t *rs, int side, size_t k)
{
  size_t c;

  for (c = 0; c < rs->ncols; c++) {
    if (strcmp(rs->col[c], cb_compare_key_columns[k]) == 0)
      return !(rs->from[c] & (1u << side));
  }
  return 1;
}

/* The rows of both sides (side < 0: the side column first, then every
 * column, as written), or of one side, to be judged (m given): only the
 * columns it wrote, as if it were a file of its own (a column it lacks must
 * stay missing, not become empty), and then each compare key column it
 * lacks with the value of the cell its trial was asked for. A side lacks a
 * key only when it is older than the key; it ran the cell by its defaults
 * (a key that is not default is passed on the command line, which such a
 * side refuses), so its trials are the cell's. */
static void rows_csv(const rows_t *rs, int side, const cb_matrix_t *m, cb_buf_t *b)
{
  unsigned want = side < 0 ? ~0u : 1u << side;
  char key[CB_CMP_KEYS][64];
  int first = 1, add[CB_CMP_KEYS] = { 0 };
  size_t i, c, k;

  if (side < 0) {
    cb_buf_printf(b, "side");
    first = 0;
  }
  for (c = 0; c < rs->ncols; c++) {
    if (!(rs->from[c] & want))
      continue;
    cb_buf_put(b, ",", first ? 0 : 1);
    cb_buf_csv_str(b, rs->col[c]);
    first = 0;
  }
  for (k = 0; side >= 0 && m != NULL && k < CB_CMP_KEYS; k++) {
    if ((add[k] = lacks_key(rs, side, k)) != 0)
      cb_buf_printf(b, "%s%s", first ? "" : ",", cb_compare_key_columns[k]);
    first = first && !add[k];
  }
  cb_buf_put(b, "\n", 1);
  for (i = 0; i < rs->n; i++) {
    const row_t *r = &rs->row[i];
    if (side >= 0 && r->side != side)
      continue;
    first = 1;
    if (side < 0) {
      cb_buf_printf(b, "%s", side_names[r->side]);
      first = 0;
    }
    for (c = 0; c < rs->ncols; c++) {
      if (!(rs->from[c] & want))
        continue;
      cb_buf_put(b, ",", first ? 0 : 1);
      cb_buf_csv_str(b, c < r->nv && r->v[c] != NULL ? r->v[c] : "");
      first = 0;
    }
    if (side >= 0 && m != NULL)
      cell_key(&m->cells[r->cell], key);
    for (k = 0; side >= 0 && m != NULL && k < CB_CMP_KEYS; k++) {
      if (!add[k])
        continue;
      cb_buf_put(b, ",", first ? 0 : 1);
      cb_buf_csv_str(b, key[k]);
      first = 0;
    }
    cb_buf_put(b, "\n", 1);
  }
}

static void rows_free(rows_t *rs)
{
  size_t i, c;

  for (i = 0; i < rs->n; i++) {
    for (c = 0; c < rs->row[i].nv; c++)
      free(rs->row[i].v[c]);
    free(rs->row[i].v);
  }
  for (c = 0; c < rs->ncols; c++)
    free(rs->col[c]);
  free(rs->row);
  free(rs->col);
  free(rs->from);
  memset(rs, 0, sizeof(*rs));
}

/* The first value of a column among a side's rows, or "". */
static const char *rows_first(const rows_t *rs, int side, const char *name)
{
  size_t i, c;

  for (c = 0; c < rs->ncols && strcmp(rs->col[c], name) != 0; c++)
    ;
  for (i = 0; c < rs->ncols && i < rs->n; i++) {
    if (rs->row[i].side == side && c < rs->row[i].nv && rs->row[i].v[c] != NULL)
      return rs->row[i].v[c];
  }
  return "";
}

/* ---- one trial ------------------------------------------------------------ */

/* `BIN run` for one trial of the cell: every key explicit, one repetition. */
static void trial_argv(const session_t *s, int side, const cb_cell_t *c, char num[8][32],
                       char **argv)
{
  size_t n = 0;

  snprintf(num[0], 32, "%u", c->concurrency);
  snprintf(num[1], 32, "%llu", (unsigned long long)c->params.tasks);
  snprintf(num[2], 32, "%llu", (unsigned long long)c->params.size);
  snprintf(num[3], 32, "%llu", (unsigned long long)c->params.payload);
  snprintf(num[4], 32, "%llu", (unsigned long long)c->params.seed);
  snprintf(num[5], 32, "%g", s->o->trial_timeout);
  snprintf(num[6], 32, "%llu", (unsigned long long)c->switch_us);
  snprintf(num[7], 32, "%s", c->dispatch != NULL ? c->dispatch : c->rn->dispatches[0]);
  argv[n++] = (char *)s->bin[side];
  argv[n++] = (char *)"run";
  argv[n++] = (char *)"-q";
  argv[n++] = (char *)"--reps";
  argv[n++] = (char *)"1";
  argv[n++] = (char *)"--warmup";
  argv[n++] = (char *)"0";
  argv[n++] = (char *)"-w";
  argv[n++] = (char *)c->wl->name;
  argv[n++] = (char *)"-r";
  argv[n++] = (char *)c->rn->name;
  argv[n++] = (char *)"-c";
  argv[n++] = num[0];
  argv[n++] = (char *)"-p";
  argv[n++] = (char *)cb_pin_name(c->pin);
  argv[n++] = (char *)"--transport";
  argv[n++] = (char *)c->transport;
  argv[n++] = (char *)"-t";
  argv[n++] = num[1];
  argv[n++] = (char *)"-s";
  argv[n++] = num[2];
  argv[n++] = (char *)"--payload";
  argv[n++] = num[3];
  argv[n++] = (char *)"--seed";
  argv[n++] = num[4];
  argv[n++] = (char *)"--trial-timeout";
  argv[n++] = num[5];
  if (c->gil) {
    argv[n++] = (char *)"--gil=on";
    argv[n++] = (char *)"--switch-interval";
    argv[n++] = num[6];
  }
  /* Only when not the default: a base from before dispatch modes has no
   * --dispatch, and runs its default. */
  if (!cb_default_dispatch(c->rn->name, num[7])) {
    argv[n++] = (char *)"--dispatch";
    argv[n++] = num[7];
  }
  if (c->wl->racy)
    argv[n++] = (char *)"--allow-races";
  argv[n++] = (char *)"-o";
  argv[n++] = (char *)s->trial_csv;
  argv[n] = NULL;
}

static void cell_text(const cb_cell_t *c, char *buf, size_t len)
{
  snprintf(buf, len, "%s %s%s c=%u", c->wl->name, c->rn->name, c->gil ? "+gil" : "",
           c->concurrency);
}

/* The first line of the child's stderr, for messages. */
static void first_line(const char *path, char *buf, size_t len)
{
  FILE *f = fopen(path, "re");

  buf[0] = '\0';
  if (f != NULL) {
    if (fgets(buf, (int)len, f) == NULL)
      buf[0] = '\0';
    fclose(f);
  }
  buf[strcspn(buf, "\n")] = '\0';
  if (buf[0] == '\0')
    snprintf(buf, len, "(no message)");
}

static void remove_trial_files(const session_t *s)
{
  static const char *const sides[] = { "summary.csv", "meta.json" };
  static char p[4300]; /* static: a small stack must do */
  size_t n = strlen(s->trial_csv) - 4, i;

  unlink(s->trial_csv);
  unlink(s->trial_err);
  for (i = 0; i < CB_ARRAY_SIZE(sides); i++) {
    snprintf(p, sizeof(p), "%.*s.%s", (int)n, s->trial_csv, sides[i]);
    unlink(p);
  }
}

/* The row a trial wrote: one data row, for the cell asked. Returns 0 with
 * *t loaded, or -EINVAL with err saying what is wrong. */
static int load_row(const session_t *s, int side, const cb_cell_t *c, cb_table_t *t, char *err,
                    size_t errlen)
{
  char key[CB_CMP_KEYS][64], what[1024];
  size_t k;
  long col;

  if (cb_table_load(s->trial_csv, t, what, sizeof(what)) != 0) {
    snprintf(err, errlen, "%s wrote no readable trial CSV: %s", side_names[side], what);
    return -EINVAL;
  }
  if (t->rows != 2) {
    snprintf(err, errlen, "%s wrote %zu rows for one trial", side_names[side], t->rows - 1);
    cb_table_free(t);
    return -EINVAL;
  }
  cell_key(c, key);
  for (k = 0; k < CB_CMP_KEYS; k++) {
    col = cb_table_col(t, cb_compare_key_columns[k]);
    if (col >= 0 && strcmp(cb_table_get(t, 1, (size_t)col), key[k]) != 0) {
      snprintf(err, errlen, "%s recorded %s '%s' for a trial asked with '%s': it does not run "
               "the cell asked", side_names[side], cb_compare_key_columns[k],
               cb_table_get(t, 1, (size_t)col), key[k]);
      cb_table_free(t);
      return -EINVAL;
    }
  }
  return 0;
}

/* Run one slot. 0, -EINTR (stop), -EINVAL (err set: a side misbehaves) or
 * -ENOMEM. */
static int run_slot(session_t *s, int side, size_t cell, int warm, char *err, size_t errlen)
{
  const cb_cell_t *c = &s->m->cells[cell];
  cb_spawn_io_t io = { .err = s->trial_err };
  char num[8][32], *argv[48], what[512], msg[512];
  size_t idx = (size_t)side * s->m->ncells + cell;
  cb_table_t t;
  int st = 0, rc, code;

  trial_argv(s, side, c, num, argv);
  /* The run's own limit per trial, and time to start and write. */
  rc = cb_spawn_run(argv, &io, s->o->trial_timeout + 60, &st);
  if (rc == -EINTR)
    goto out;
  cell_text(c, what, sizeof(what));
  if (rc != 0) {
    snprintf(err, errlen, "cannot run %s (%s) for %s: %s", side_names[side], s->bin[side], what,
             rc == -ETIMEDOUT ? "it did not end" : strerror(-rc));
    rc = -EINVAL;
    goto out;
  }
  code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  if (code == 130 || code == 143) {
    /* stopped by someone else: stop too */
    rc = -EINTR;
    goto out;
  }
  if (code == CB_EXIT_USAGE) {
    first_line(s->trial_err, msg, sizeof(msg));
    if (!s->refused[idx]) {
      cb_progress_clear(&s->pg);
      cb_message("ab", "%s cannot run %s, left out: %s", side_names[side], what, msg);
    }
    s->refused[idx] = 1;
    rc = 0;
    goto out;
  }
  if (code != CB_EXIT_OK && code != CB_EXIT_FAIL) {
    first_line(s->trial_err, msg, sizeof(msg));
    snprintf(err, errlen, "%s (%s) ended with %s %d for %s: %s", side_names[side], s->bin[side],
             WIFEXITED(st) ? "exit code" : "signal", WIFEXITED(st) ? code : WTERMSIG(st), what,
             msg);
    rc = -EINVAL;
    goto out;
  }
  rc = load_row(s, side, c, &t, err, errlen);
  if (rc != 0)
    goto out;
  if (code == CB_EXIT_FAIL) {
    long mcol = cb_table_col(&t, "message"), scol = cb_table_col(&t, "status");
    s->not_ok[side] += !warm; /* as in run: warm-ups are not results */
    if (!s->o->quiet) {
      cb_progress_clear(&s->pg);
      cb_message("ab", "%s %s: %s: %s", side_names[side], what,
                 scol >= 0 ? cb_table_get(&t, 1, (size_t)scol) : "not ok",
                 mcol >= 0 ? cb_table_get(&t, 1, (size_t)mcol) : "");
    }
  }
  if (!warm)
    rc = rows_add(&s->rows, side, cell, &t, s->run_id, s->reps[idx]++);
  cb_table_free(&t);
out:
  remove_trial_files(s);
  return rc;
}

/* ---- the run -------------------------------------------------------------- */

/* The output CSV: a regular file is rewritten as trials come in; a stream
 * (a FIFO, a device) takes it once, at the end (`final`). */
static int write_output(session_t *s, int final)
{
  cb_buf_t b = { 0 };
  int err;

  if (!final && s->out.kind != CB_OUT_FILE)
    return 0;
  rows_csv(&s->rows, -1, NULL, &b);
  err = b.failed ? -ENOMEM : cb_output_write(&s->out, b.data, b.len);
  if (err != 0) {
    cb_progress_clear(&s->pg);
    cb_message("ab", "cannot write '%s': %s", s->o->output, strerror(-err));
  }
  cb_buf_free(&b);
  s->last_write = cb_now_ns();
  return err;
}

static int run_schedule(session_t *s, char *err, size_t errlen)
{
  const opts_t *o = s->o;
  size_t total = 0, i;
  cb_slot_t *order;
  char what[320], text[400];
  int rc = 0;

  /* Slot cell k is cell k / 2 of side k % 2: both sides in one order. */
  order = cb_schedule(SIDES * s->m->ncells, o->warmup, o->reps, o->mx.seed, &total);
  if (order == NULL)
    return -ENOMEM;
  for (i = 0; rc == 0 && i < total; i++) {
    int side = (int)(order[i].cell % SIDES);
    size_t cell = order[i].cell / SIDES;
    if (s->refused[(size_t)side * s->m->ncells + cell])
      continue;
    cell_text(&s->m->cells[cell], what, sizeof(what));
    snprintf(text, sizeof(text), "%s %s", side_names[side], what);
    cb_progress_show(&s->pg, i, total, text);
    rc = run_slot(s, side, cell, order[i].rep < 0, err, errlen);
    if (rc == 0 && s->rows.n > 0 && cb_now_ns() - s->last_write > UINT64_C(2000000000))
      rc = write_output(s, 0) == 0 ? 0 : -EIO;
  }
  cb_progress_clear(&s->pg);
  free(order);
  return rc;
}

/* Compare the sides; print the comparison, write it beside the output.
 * Returns the exit code. */
static int judge(session_t *s)
{
  static char label[SIDES][PATH_MAX + 160], err[2048]; /* static: a small stack must do */
  cb_table_t t[SIDES];
  cb_buf_t b = { 0 }, out = { 0 };
  cb_compare_opts_t co = s->o->cmp;
  cb_compare_t cmp = { 0 };
  int side, loaded = 0, rc = CB_EXIT_FAIL, v;
  size_t i, k = 0;

  for (side = 0; side < SIDES; side++, loaded++) {
    cb_buf_free(&b);
    rows_csv(&s->rows, side, s->m, &b);
    if (b.failed || cb_table_parse(b.data, b.len, &t[side], err, sizeof(err)) != 0) {
      if (!b.failed)
        cb_message("ab", "the %s trials do not read back: %s", side_names[side], err);
      goto out;
    }
    if (side == SIDE_BASE && s->o->base_rev != NULL)
      snprintf(label[side], sizeof(label[side]), "--base-rev %s (revision %s)", s->o->base_rev,
               rows_first(&s->rows, side, "git_revision"));
    else
      snprintf(label[side], sizeof(label[side]), "%s (revision %s)", s->bin[side],
               rows_first(&s->rows, side, "git_revision"));
  }
  co.base_label = label[SIDE_BASE];
  co.new_label = label[SIDE_NEW];
  /* Both sides ran here, now: throughput, even if an older BASE writes its
   * machine columns differently (speedups would hide a slowdown of all). */
  co.same_machine = 1;
  v = cb_compare_tables(&t[SIDE_BASE], &t[SIDE_NEW], &co, &cmp, err, sizeof(err));
  if (v != 0) {
    rc = v == -ENOMEM ? CB_EXIT_FAIL : cb_usage_error("ab", "%s", err);
    goto out;
  }
  switch (s->o->format) {
  case FMT_TEXT: cb_compare_text(&cmp, &out); break;
  case FMT_MD: cb_compare_md(&cmp, &out); break;
  case FMT_JSON: cb_compare_json(&cmp, &out); break;
  case FMT_CSV: cb_compare_csv(&cmp, &out); break;
  }
  fwrite(out.data, 1, out.len, stdout);
  fflush(stdout);
  cb_buf_free(&out);
  cb_compare_csv(&cmp, &out);
  if (s->compare_out.path != NULL &&
      (out.failed || cb_output_write(&s->compare_out, out.data, out.len) != 0))
    cb_message("ab", "cannot write '%s'", s->compare_out.path);
  rc = CB_EXIT_OK;
  if (cmp.count[CB_CMP_V_SLOWER] > 0) {
    fprintf(stderr, "concbench ab: regression in %zu cell%s:", cmp.count[CB_CMP_V_SLOWER],
            cmp.count[CB_CMP_V_SLOWER] == 1 ? "" : "s");
    for (i = 0; i < cmp.n; i++) {
      if (cmp.cell[i].regression)
        fprintf(stderr, "%s %s (%.3f)", k++ ? "," : "", cmp.cell[i].name, cmp.cell[i].ratio);
    }
    fputc('\n', stderr);
    rc = CB_EXIT_FAIL;
  }
  if (s->not_ok[SIDE_NEW] > 0) {
    cb_message("ab", "%zu trial%s of new not ok (see the status and message columns of %s)",
               s->not_ok[SIDE_NEW], s->not_ok[SIDE_NEW] == 1 ? "" : "s", s->o->output);
    rc = CB_EXIT_FAIL;
  }
out:
  if (rc == CB_EXIT_FAIL && (b.failed || out.failed))
    cb_message("ab", "out of memory");
  for (side = 0; side < loaded && side < SIDES; side++)
    cb_table_free(&t[side]);
  cb_compare_free(&cmp);
  cb_buf_free(&b);
  cb_buf_free(&out);
  return rc;
}

static int make_tmp(session_t *s)
{
  const char *base = getenv("TMPDIR");

  /* concbench-PID-XXXXXX: removed by a later run or ab if we are killed
   * (cb_scratch_sweep) */
  snprintf(s->tmp, sizeof(s->tmp), "%s/concbench-%ld-XXXXXX",
           base != NULL && base[0] != '\0' ? base : "/tmp", (long)getpid());
  if (mkdtemp(s->tmp) == NULL)
    return -errno;
  snprintf(s->trial_csv, sizeof(s->trial_csv), "%s/trial.csv", s->tmp);
  snprintf(s->trial_err, sizeof(s->trial_err), "%s/trial.err", s->tmp);
  return 0;
}

/* The binaries by absolute path (a relative one would change meaning if a
 * child changed directory), NEW by default this very binary. */
static int resolve_bins(session_t *s, const char *base)
{
  const char *bins[SIDES] = { base, s->o->bin[SIDE_NEW] };
  int side;
  ssize_t n;

  for (side = 0; side < SIDES; side++) {
    if (bins[side] == NULL) {
      n = readlink("/proc/self/exe", s->bin[side], sizeof(s->bin[side]) - 1);
      if (n < 0)
        return -errno;
      s->bin[side][n] = '\0';
    } else if (strchr(bins[side], '/') == NULL || realpath(bins[side], s->bin[side]) == NULL) {
      snprintf(s->bin[side], sizeof(s->bin[side]), "%s", bins[side]);
    }
  }
  return 0;
}

/* Everything between the matrix and the verdict; returns the exit code. */
static int execute(session_t *s)
{
  /* static: a revision's paths are too large for a small stack */
  static cb_ab_rev_t rev;
  static char err[2048], revdir[4200];
  int rc, code = CB_EXIT_OK, sig;
  uint64_t t0;

  memset(&rev, 0, sizeof(rev));
  err[0] = '\0';
  cb_spawn_begin();
  cb_scratch_sweep();
  rc = make_tmp(s);
  if (rc != 0) {
    cb_spawn_end();
    return cb_fail("ab", "cannot make a temporary directory in %s: %s",
                   getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp", strerror(-rc));
  }
  if (s->o->base_rev != NULL) {
    snprintf(revdir, sizeof(revdir), "%s/rev", s->tmp);
    if (mkdir(revdir, 0700) != 0) {
      rc = -errno;
      snprintf(err, sizeof(err), "cannot make '%.1900s': %s", revdir, strerror(errno));
    } else {
      if (!s->o->quiet)
        cb_message("ab", "building %s of %s as the base", s->o->base_rev, s->o->source);
      rc = cb_ab_rev_build(&rev, s->o->source, s->o->base_rev, revdir, err, sizeof(err));
    }
    if (rc == 0)
      rc = resolve_bins(s, rev.bin);
  } else {
    rc = resolve_bins(s, s->o->bin[SIDE_BASE]);
  }
  if (rc != 0 && rc != -EINTR)
    code = cb_usage_error("ab", "%s", err[0] ? err : strerror(-rc));
  t0 = cb_now_ns();
  if (rc == 0)
    rc = run_schedule(s, err, sizeof(err));
  if ((s->rows.n > 0 || s->out.kind != CB_OUT_FILE) && write_output(s, 1) != 0 && rc == 0)
    rc = -EIO;
  if (rev.worktree || rev.dir[0])
    cb_ab_rev_remove(&rev);
  cb_remove_tree(s->tmp);
  sig = cb_spawn_end();
  if (rc == -EINTR || sig != 0) {
    cb_message("ab", "interrupted; %zu finished trials are in %s", s->rows.n,
               s->rows.n ? s->o->output : "no file");
    return 128 + (sig != 0 ? sig : SIGTERM);
  }
  if (code != CB_EXIT_OK)
    return code;
  if (rc == -EINVAL)
    return cb_usage_error("ab", "%s", err);
  if (rc == -EIO)
    return CB_EXIT_FAIL; /* said by write_output */
  if (rc != 0)
    return cb_fail("ab", "%s", rc == -ENOMEM ? "out of memory" : strerror(-rc));
  if (!s->o->quiet)
    cb_message("ab", "%zu trials (%zu base, %zu new not ok) in %.1f s into %s", s->rows.n,
               s->not_ok[SIDE_BASE], s->not_ok[SIDE_NEW], (double)(cb_now_ns() - t0) / 1e9,
               s->o->output);
  if (s->rows.n == 0)
    return cb_fail("ab", "no trial was recorded");
  return judge(s);
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

/* The outputs, opened and checked before anything runs: the CSV and, beside
 * a regular one, the comparison's CSV and the lock that keeps a second ab
 * (or run) off them. 0 or the exit code. */
static int open_outputs(session_t *s)
{
  char why[512], *path;
  long holder = 0;
  int err;

  err = cb_output_open(&s->out, s->o->output, why, sizeof(why));
  if (err != 0)
    return cb_usage_error("ab", "cannot write output '%s': %s", s->o->output, why);
  if (s->out.kind != CB_OUT_FILE)
    return 0;
  path = beside(s->o->output, "compare.csv");
  err = path == NULL ? -ENOMEM : cb_output_open(&s->compare_out, path, why, sizeof(why));
  if (err != 0) {
    err = cb_usage_error("ab", "cannot write '%s': %s", path != NULL ? path : "",
                         path != NULL ? why : "out of memory");
    free(path);
    return err;
  }
  free(path);
  s->lock_path = beside(s->o->output, "lock");
  err = s->lock_path == NULL ? -ENOMEM : cb_lock_take(s->lock_path, &s->lock_fd, &holder);
  if (err == 0)
    return 0;
  if (err == -EWOULDBLOCK)
    cb_message("ab", "output '%s' is being written by another run (PID %ld, lock file %s)",
               s->o->output, holder, s->lock_path);
  else
    cb_message("ab", "cannot lock '%s': %s", s->lock_path != NULL ? s->lock_path : "",
               err == -EINVAL ? "not a regular file" : strerror(-err));
  free(s->lock_path);
  s->lock_path = NULL;
  return CB_EXIT_USAGE;
}

static void close_outputs(session_t *s)
{
  if (s->lock_path != NULL)
    cb_lock_drop(s->lock_path, s->lock_fd);
  free(s->lock_path);
  s->lock_path = NULL;
  cb_output_close(&s->out);
  cb_output_close(&s->compare_out);
}

int cb_cmd_ab(int argc, char **argv)
{
  opts_t o = { .mx = { .pin = CB_PIN_COMPACT, .seed = 1, .gil_modes = 1, .switch_us = 5000 },
               .reps = 5, .warmup = 1, .trial_timeout = 300, .source = CB_SOURCE_ROOT,
               .cmp = CB_COMPARE_OPTS_DEFAULT };
  /* On the heap: the session holds paths, too large for a small stack. */
  session_t *s = calloc(1, sizeof(*s));
  cb_meta_t *meta = calloc(1, sizeof(*meta));
  cb_matrix_t m = { 0 };
  cb_topo_t *topo = NULL;
  char *path = NULL;
  int rc, err;

  if (s == NULL || meta == NULL) {
    free(s);
    free(meta);
    return cb_fail("ab", "out of memory");
  }
  s->o = &o;
  s->lock_fd = -1;
  s->out.fd = s->compare_out.fd = -1;
  rc = parse_options(argc, argv, &o);
  if (rc != 0) {
    rc = rc < 0 ? CB_EXIT_OK : rc;
    goto out;
  }
  err = cb_topo_load(&topo);
  if (err != 0) {
    rc = cb_fail("ab", "cannot load the topology: %s", strerror(-err));
    goto out;
  }
  rc = cb_matrix_build(&o.mx, topo, &m);
  if (rc != 0 || o.dry_run) {
    if (rc == 0) {
      cb_matrix_print(&m, o.reps, o.warmup, stdout);
      printf("x 2 sides = %llu trials\n",
             (unsigned long long)(2 * m.ncells * (o.reps + o.warmup)));
    }
    goto out;
  }
  cb_meta_collect(meta, topo);
  snprintf(s->run_id, sizeof(s->run_id), "%s", meta->run_id);
  /* The environment once, here: the run each trial starts skips it (an
   * older concbench ignores the variable). */
  cb_env_check(cb_env_root(), cb_topo_pus(topo), CB_ENV_SAMPLE_S, &meta->env);
  if (!o.quiet)
    cb_env_warn(&meta->env, "ab", stderr);
  setenv("CONCBENCH_ENV_CHECK", "0", 1);
  cb_progress_init(&s->pg, "ab", o.quiet, CB_PROGRESS_EVERY_S);
  if (o.output == NULL) {
    if (mkdir("results", 0755) != 0 && errno != EEXIST) {
      rc = cb_usage_error("ab", "cannot create the directory 'results' for the default output "
                          "(or give -o FILE): %s", strerror(errno));
      goto out;
    }
    path = malloc(sizeof("results/ab-.csv") + strlen(meta->run_id));
    if (path == NULL) {
      rc = cb_fail("ab", "out of memory");
      goto out;
    }
    sprintf(path, "results/ab-%s.csv", meta->run_id);
    o.output = path;
  }
  rc = open_outputs(s);
  if (rc != 0)
    goto out;
  s->m = &m;
  s->refused = calloc(SIDES * m.ncells, sizeof(*s->refused));
  s->reps = calloc(SIDES * m.ncells, sizeof(*s->reps));
  if (s->refused == NULL || s->reps == NULL) {
    rc = cb_fail("ab", "out of memory");
    goto out;
  }
  rc = execute(s);
out:
  close_outputs(s);
  rows_free(&s->rows);
  free(s->refused);
  free(s->reps);
  cb_matrix_free(&m);
  cb_topo_free(topo);
  free(path);
  free(meta);
  free(s);
  return rc;
}
