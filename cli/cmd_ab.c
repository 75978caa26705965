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

#include "ab.h"
#include "ab_rev.h"
#include "parse.h"
#include "cmd.h"
#include "compare.h"
#include "env.h"
#include "meta.h"
#include "output.h"
#include "progress.h"
#include "spawn.h"
#include "summary.h"
#include "trial.h"

const char *const cb__ab_sides[SIDES] = { "base", "new" };
static const char *const cb__ab_formats[] = { "text", "md", "json", "csv" };

/* Its --help: the head, the matrix options (cli/matrix_opts.c), the tail. */
static const char ab_help[] =
    "usage: concbench ab (--base BIN | --base-rev REV) [--new BIN] [matrix options]\n"
    "                    [-o FILE] [--alpha A] [--threshold PCT] [--metric LIST]\n"
    "                    [-f FMT]\n\n"
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
    "  --new BIN                the candidate (default: this binary)\n";
static const char ab_help_tail[] =
    "                           the matrix, as for `concbench run` (--reps and\n"
    "                           --warmup count per side)\n"
    "  -o, --output FILE        trial CSV of both sides (default results/ab-RUNID.csv)\n"
    "      --alpha A            family-wise significance level (default 0.05)\n"
    "      --threshold PCT      smallest change that counts, in percent (default 5)\n"
    "      --metric LIST        metrics to judge, comma-separated, as compare's\n"
    "                           (default throughput; also wall_s, lat_p50_us,\n"
    "                           lat_p99_us, user_s, sys_s, maxrss_kb)\n"
    "  -f, --format FMT         the comparison on stdout: text (default), md, json, csv\n"
    "      --dry-run            print the matrix and the number of trials, run nothing\n"
    "  -q, --quiet              no progress line, no note per failed trial\n"
    "  -h, --help\n\n"
    "exit: 0 no regression; 1 a regression, or a trial of NEW not ok; 2 bad usage,\n"
    "a base that cannot be built or run, too few repetitions to decide; 130/143\n"
    "interrupted (the CSV then holds every trial that finished)\n";

/* ---- options ------------------------------------------------------------ */

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

/* An option of ab's own (o: the cb_ab_opts_t). */
static int parse_option(int opt, void *ctx)
{
  cb_ab_opts_t *o = ctx;
  size_t i;

  switch (opt) {
  case 'B': o->bin[SIDE_BASE] = optarg; return 0;
  case 'N': o->bin[SIDE_NEW] = optarg; return 0;
  case 'V': o->base_rev = optarg; return 0;
  case 'U': o->source = optarg; return 0;
  case 'o': o->output = optarg; return 0;
  case 'q': o->quiet = 1; return 0;
  case 'D': o->dry_run = 1; return 0;
  case 'a': return parse_fraction("--alpha", optarg, 1, 1, &o->cmp.alpha);
  case 'H': return parse_fraction("--threshold", optarg, 100, 100, &o->cmp.threshold);
  case 'M': {
    char bad[256];
    if (cb_compare_metrics_parse(optarg, &o->cmp, bad, sizeof(bad)) != 0)
      return cb_usage_error("ab", "bad --metric '%s' (a list of %s, each once)", bad,
                            cb_compare_metric_names());
    return 0;
  }
  case 'f':
    for (i = 0; i < CB_ARRAY_SIZE(cb__ab_formats); i++) {
      if (strcmp(optarg, cb__ab_formats[i]) == 0) {
        o->format = (cb_ab_format_t)i;
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

static void print_help(void)
{
  fputs(ab_help, stdout);
  cb_mopts_help(stdout, 80);
  fputs(ab_help_tail, stdout);
}

/* 0 to run, -1 after --help, else the exit code of a usage error. */
static int parse_options(int argc, char **argv, cb_ab_opts_t *o)
{
  static const struct option own[] = {
    { "base", required_argument, NULL, 'B' },
    { "base-rev", required_argument, NULL, 'V' },
    { "new", required_argument, NULL, 'N' },
    { "source", required_argument, NULL, 'U' },
    { "output", required_argument, NULL, 'o' },
    { "alpha", required_argument, NULL, 'a' },
    { "threshold", required_argument, NULL, 'H' },
    { "metric", required_argument, NULL, 'M' },
    { "format", required_argument, NULL, 'f' },
    { "dry-run", no_argument, NULL, 'D' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int rc = cb_mopts_getopt("ab", argc, argv, own, "o:f:qh", &o->mo, parse_option, print_help, o);

  if (rc != 0)
    return rc;
  if ((o->bin[SIDE_BASE] == NULL) == (o->base_rev == NULL))
    return cb_usage_error("ab", "needs one base: --base BIN or --base-rev REV");
  if ((rc = cb_mopts_finish("ab", &o->mo)) != 0)
    return rc;
  if (o->bin[SIDE_BASE] != NULL && (rc = check_bin("--base", o->bin[SIDE_BASE])) != 0)
    return rc;
  if (o->bin[SIDE_NEW] != NULL && (rc = check_bin("--new", o->bin[SIDE_NEW])) != 0)
    return rc;
  return 0;
}

/* Compare the sides; print the comparison, write it beside the output.
 * Returns the exit code. */
static int judge(cb_ab_session_t *s)
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
    cb__ab_rows_csv(&s->rows, side, s->m, &b);
    if (b.failed || cb_table_parse(b.data, b.len, &t[side], err, sizeof(err)) != 0) {
      if (!b.failed)
        cb_message("ab", "the %s trials do not read back: %s", cb__ab_sides[side], err);
      goto out;
    }
    if (side == SIDE_BASE && s->o->base_rev != NULL)
      snprintf(label[side], sizeof(label[side]), "--base-rev %s (revision %s)", s->o->base_rev,
               cb__ab_rows_first(&s->rows, side, "git_revision"));
    else
      snprintf(label[side], sizeof(label[side]), "%s (revision %s)", s->bin[side],
               cb__ab_rows_first(&s->rows, side, "git_revision"));
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
        fprintf(stderr, "%s %s%s%s (%.3f)", k++ ? "," : "", cmp.cell[i].name,
                cmp.nmetrics > 1 ? " " : "",
                cmp.nmetrics > 1 ? cmp.metric[cmp.cell[i].metric].name : "", cmp.cell[i].ratio);
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

static int make_tmp(cb_ab_session_t *s)
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
static int resolve_bins(cb_ab_session_t *s, const char *base)
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
static int execute(cb_ab_session_t *s)
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
    rc = cb__ab_run_schedule(s, err, sizeof(err));
  if ((s->rows.n > 0 || s->out.kind != CB_OUT_FILE) && cb__ab_write_output(s, 1) != 0 && rc == 0)
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
    return CB_EXIT_FAIL; /* said by cb__ab_write_output */
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
static int open_outputs(cb_ab_session_t *s)
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

static void close_outputs(cb_ab_session_t *s)
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
  cb_ab_opts_t o = { .mo = CB_MOPTS_DEFAULT, .source = CB_SOURCE_ROOT,
               .cmp = CB_COMPARE_OPTS_DEFAULT };
  /* On the heap: the session holds paths, too large for a small stack. */
  cb_ab_session_t *s = calloc(1, sizeof(*s));
  cb_meta_t *meta = calloc(1, sizeof(*meta));
  cb_matrix_t m = { 0 };
  cb_topo_t *topo = NULL;
  static char why[2048]; /* static: a small stack must do */
  char *path = NULL;
  int rc, err;

  if (s == NULL || meta == NULL) {
    free(s);
    free(meta);
    return cb_fail("ab", "out of memory");
  }
  /* Without --gil, no cells with the GIL, even where a profile has them
   * (as ab has always done; run takes the profile's). */
  o.mo.mx.gil_modes = 1;
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
  err = cb_matrix_build(&o.mo.mx, topo, &m, why, sizeof(why));
  if (err != 0) {
    rc = cb_refused("ab", err, why);
    goto out;
  }
  if (o.dry_run) {
    cb_matrix_print(&m, o.mo.reps, o.mo.warmup, stdout);
    printf("x 2 sides = %llu trials\n",
           (unsigned long long)(2 * m.ncells * (o.mo.reps + o.mo.warmup)));
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
  cb__ab_rows_free(&s->rows);
  free(s->refused);
  free(s->reps);
  cb_matrix_free(&m);
  cb_topo_free(topo);
  free(path);
  free(meta);
  free(s);
  return rc;
}

