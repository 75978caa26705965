/* `concbench plot RESULTS.csv [-o DIR]` and `concbench plot --compare
 * BASE.csv NEW.csv [-o DIR]`: charts (PNG and SVG) through gnuplot. This
 * file reads the command line and the inputs and prepares the output
 * directory; plot/ builds the charts. Everything that can be wrong
 * with the input is found before anything is written: a bad file exits 2
 * naming it (and the line), so does an input that drawing would overwrite,
 * a missing gnuplot exits 1, and none of them creates a directory. A
 * terminating signal (SIGTERM, SIGHUP, ...) kills and reaps gnuplot, leaves
 * no temporary chart, and exits 128 + the signal. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libgen.h>

#include "cb.h"
#include "parse.h"
#include "cmd.h"
#include "compare.h"
#include "output.h"
#include "plot.h"
#include "signals.h"
#include "summary.h"

static const char plot_help[] =
    "usage: concbench plot RESULTS.csv [-o DIR]\n"
    "       concbench plot --compare BASE.csv NEW.csv [-o DIR]\n\n"
    "Draws the charts of a trial CSV with gnuplot, each as DIR/NAME.png and\n"
    "DIR/NAME.svg, with the data each one shows in DIR/data/NAME.dat:\n"
    "  scaling-W, speedup-W, latency-W, efficiency-W   per workload W\n"
    "  memory (life.idle), payload (comm.payload), winners\n"
    "and, for a CSV of several hosts (concbench merge):\n"
    "  hosts-winners      the winning model on each host (columns) per workload x c\n"
    "  hosts-scaling-W    a panel per host: throughput as a fraction of that host's best\n"
    "A chart without data is skipped with a line on stderr. With --compare, one\n"
    "chart `compare`: NEW/BASE per cell with its confidence interval, as\n"
    "concbench compare computes it. docs/SCHEMA.md, \"Charts\", has the details.\n\n"
    "RESULTS.csv may be a directory: its newest concbench-*.csv is plotted; '-' is\n"
    "standard input (then -o DIR is needed).\n\n"
    "  -o, --output DIR   where the charts go (default: RESULTS-charts beside\n"
    "                     RESULTS.csv; created if missing, its parent must exist)\n"
    "  --compare          compare two trial CSVs (BASE first)\n"
    "  --at-c N           hosts-winners at concurrency N only (rows: workloads)\n"
    "  -q, --quiet        no line per chart\n\n"
    "environment: CONCBENCH_GNUPLOT (gnuplot program, default: gnuplot in PATH),\n"
    "CONCBENCH_PLOTS (the directory of the *.gp scripts; default: the installed\n"
    "ones, DATADIR/concbench/plots beside the binary's BINDIR, else the source\n"
    "tree's plot/)\n\n"
    "exit: 0 charts drawn (some may be skipped); 1 gnuplot missing or failed;\n"
    "2 bad usage or bad input\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
  stop_signal = sig;
}

/* Load a trial CSV and its cells; on failure print the message (naming
 * the file and the line) and return the exit code. */
static int load(const char *path, cb_table_t *t, cb_cells_t *cells)
{
  char err[512];
  int rc;

  rc = cb_cmd_load("plot", path, t);
  if (rc != 0)
    return rc;
  rc = cb_cells_build(t, cells, err, sizeof(err));
  if (rc != 0) {
    cb_table_free(t);
    return cb_fail("plot", "%s: %s", path, err); /* checked by the load: out of memory */
  }
  return CB_EXIT_OK;
}

/* "x/RESULTS.csv" -> "x/RESULTS-charts", malloc'd */
static char *default_outdir(const char *input)
{
  size_t n = strlen(input);
  char *p;

  if (n > 4 && strcmp(input + n - 4, ".csv") == 0)
    n -= 4;
  p = malloc(n + sizeof("-charts"));
  if (p != NULL)
    snprintf(p, n + sizeof("-charts"), "%.*s-charts", (int)n, input);
  return p;
}

static int has_control(const char *s)
{
  for (; *s != '\0'; s++) {
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return 1;
  }
  return 0;
}

static int same_dir(const char *a, const struct stat *b)
{
  struct stat st;

  return stat(a, &st) == 0 && st.st_dev == b->st_dev && st.st_ino == b->st_ino;
}

static int ends_with(const char *s, const char *suffix)
{
  size_t a = strlen(s), b = strlen(suffix);

  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* An input that sits where plot writes (DIR or DIR/data) under a name it
 * could write (*.png, *.svg, *.dat) is refused before anything is drawn. */
static int input_in_outdir(const char *input, const char *outdir)
{
  char *copy = strdup(input), *data = malloc(strlen(outdir) + sizeof("/data"));
  struct stat dir;
  int hit = 0;

  if (copy != NULL && data != NULL &&
      (ends_with(input, ".png") || ends_with(input, ".svg") || ends_with(input, ".dat")) &&
      stat(dirname(copy), &dir) == 0) {
    memcpy(data, outdir, strlen(outdir));
    memcpy(data + strlen(outdir), "/data", sizeof("/data"));
    hit = same_dir(outdir, &dir) || same_dir(data, &dir);
  }
  free(copy);
  free(data);
  return hit;
}

/* Create DIR (one level) and DIR/data. 0 or -errno; *bad names the one. */
static int make_dirs(const char *dir, const char **bad, char **data)
{
  struct stat st;

  *bad = dir;
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return -errno;
  if (stat(dir, &st) != 0)
    return -errno;
  if (!S_ISDIR(st.st_mode))
    return -ENOTDIR;
  if (access(dir, W_OK | X_OK) != 0)
    return -errno;
  *data = malloc(strlen(dir) + sizeof("/data"));
  if (*data == NULL)
    return -ENOMEM;
  snprintf(*data, strlen(dir) + sizeof("/data"), "%s/data", dir);
  *bad = *data;
  if (mkdir(*data, 0777) != 0 && errno != EEXIST)
    return -errno;
  if (stat(*data, &st) != 0)
    return -errno;
  return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* The paths plot needs, on the heap (a small stack must do). */
typedef struct paths_s {
  char latest[PATH_MAX], scripts[PATH_MAX], gnuplot[PATH_MAX], err[1024];
  char *outdir, *data;
  unsigned long at_c; /* --at-c: the hosts' winners map at this c only (0: every c) */
} paths_t;

/* Draw; the exit code. */
static int draw(paths_t *ps, const char *const *inputs, size_t ninputs, int compare, int quiet,
                cb_cells_t *cells, cb_compare_t *cmp)
{
  cb_plot_t p = { 0 };
  const char *bad;
  int rc;

  if (cb_plot_find_gnuplot(ps->gnuplot, sizeof(ps->gnuplot)) != 0) {
    const char *env = getenv("CONCBENCH_GNUPLOT");
    if (env != NULL && env[0] != '\0')
      return cb_fail("plot", "gnuplot '%s' (CONCBENCH_GNUPLOT) is not an executable program", env);
    return cb_fail("plot", "gnuplot not found in PATH: install it (Debian: apt-get install "
                   "gnuplot-nox) or set CONCBENCH_GNUPLOT");
  }
  if (cb_plot_find_scripts(ps->scripts, sizeof(ps->scripts)) != 0)
    return cb_fail("plot", "cannot find the gnuplot scripts (common.gp): not in "
                   "$CONCBENCH_PLOTS, %s beside the binary, nor %s/plots",
                   CB_PLOTS_FROM_BIN[0] != '\0' ? CB_PLOTS_FROM_BIN : "DATADIR/concbench/plots",
                   CB_SOURCE_ROOT);
  rc = make_dirs(ps->outdir, &bad, &ps->data);
  if (rc != 0)
    return cb_usage_error("plot", "cannot create output directory '%s': %s", bad, strerror(-rc));
  /* Charts and data files of a plot killed half way (SIGKILL). */
  cb_sweep_temporaries(ps->outdir, ".");
  cb_sweep_temporaries(ps->data, "");
  p.outdir = ps->outdir;
  p.scripts = ps->scripts;
  p.gnuplot = ps->gnuplot;
  p.quiet = quiet;
  p.inputs = inputs;
  p.ninputs = ninputs;
  p.at_c = ps->at_c;
  p.stop = (volatile const int *)&stop_signal;
  rc = compare ? cb_plot_compare(&p, cmp, ps->err, sizeof(ps->err))
               : cb_plot_charts(&p, cells, ps->err, sizeof(ps->err));
  if (rc == -EINTR) {
    cb_message("plot", "interrupted by signal %d (%s): gnuplot stopped; %zu chart%s drawn in %s",
               (int)stop_signal, strsignal((int)stop_signal), p.made, p.made == 1 ? "" : "s",
               ps->outdir);
    return 128 + (int)stop_signal;
  }
  if (!quiet || rc != 0)
    cb_message("plot", "%zu chart%s (PNG and SVG) in %s, %zu skipped, %zu failed", p.made,
               p.made == 1 ? "" : "s", ps->outdir, p.skipped, p.failed);
  return rc == 0 ? CB_EXIT_OK : CB_EXIT_FAIL;
}

int cb_cmd_plot(int argc, char **argv)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' },
    { "compare", no_argument, NULL, 'C' },
    { "at-c", required_argument, NULL, 'A' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *input, *out = NULL, *inputs[2];
  paths_t *ps = NULL;
  cb_table_t t;
  cb_cells_t cells;
  cb_compare_t cmp;
  struct stat st;
  uint64_t at_c = 0;
  int opt, compare = 0, quiet = 0, rc, loaded = 0;
  size_t i;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
    switch (opt) {
    case 'o': out = optarg; break;
    case 'C': compare = 1; break;
    case 'q': quiet = 1; break;
    case 'A':
      if (cb_parse_u64(optarg, 1, CB_MAX_CONCURRENCY, &at_c) != 0)
        return cb_usage_error("plot", "bad --at-c '%s' (a concurrency 1..%u)", optarg,
                              CB_MAX_CONCURRENCY);
      break;
    case 'h':
      fputs(plot_help, stdout);
      return CB_EXIT_OK;
    default:
      return cb_getopt_error("plot", opt, argv);
    }
  }
  if (argc - optind != 1 + compare) {
    if (argc - optind > 1 + compare)
      return cb_usage_error("plot", "unexpected argument '%s' (see --help)",
                            argv[optind + 1 + compare]);
    return cb_usage_error("plot", compare ? "--compare needs BASE.csv and NEW.csv (see --help)"
                                          : "needs one trial CSV (see --help)");
  }
  if (out != NULL && out[0] == '\0')
    return cb_usage_error("plot", "empty output directory ''");
  if (out != NULL && strcmp(out, "-") == 0)
    return cb_usage_error("plot", "output '-': charts are files in a directory, they cannot go "
                          "to stdout (give -o DIR)");
  if (out == NULL && strcmp(argv[argc - 1], "-") == 0)
    return cb_usage_error("plot", "input '-' (stdin) has no name to put the charts beside: "
                          "give -o DIR");
  if (compare && strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0)
    return cb_usage_error("plot", "BASE and NEW cannot both be '-' (stdin)");
  ps = calloc(1, sizeof(*ps));
  if (ps == NULL)
    return cb_fail("plot", "out of memory");
  stop_signal = 0;
  cb_sig_catch(on_signal);
  input = argv[argc - 1];
  if (!compare && stat(input, &st) == 0 && S_ISDIR(st.st_mode)) {
    rc = cb_plot_latest(input, ps->latest, sizeof(ps->latest));
    if (rc != 0) {
      rc = cb_usage_error("plot", "no trial CSV (concbench-*.csv) in directory '%s'%s%s", input,
                          rc == -ENOENT ? "" : ": ", rc == -ENOENT ? "" : strerror(-rc));
      goto out;
    }
    input = ps->latest;
  }
  ps->outdir = out != NULL ? strdup(out) : default_outdir(input);
  if (ps->outdir == NULL) {
    rc = cb_fail("plot", "out of memory");
    goto out;
  }
  /* gnuplot reads the directory's name inside a quoted string: quotes are
   * escaped, but a line break cannot be. */
  if (has_control(ps->outdir)) {
    rc = cb_usage_error("plot", "output directory '%s' has a control character in its name",
                        ps->outdir);
    goto out;
  }
  inputs[0] = compare ? argv[optind] : input;
  inputs[1] = compare ? argv[optind + 1] : NULL;
  for (i = 0; i < (size_t)(1 + compare); i++) {
    if (input_in_outdir(inputs[i], ps->outdir)) {
      rc = cb_usage_error("plot", "input '%s' is in the output directory '%s' under a chart's "
                          "name: drawing would overwrite it", inputs[i], ps->outdir);
      goto out;
    }
  }

  if (compare) {
    cb_compare_opts_t o = CB_COMPARE_OPTS_DEFAULT;
    o.base_label = argv[optind];
    o.new_label = argv[optind + 1];
    rc = cb_compare_files(argv[optind], argv[optind + 1], &o, &cmp, ps->err, sizeof(ps->err));
    if (rc == -ENOMEM)
      rc = cb_fail("plot", "%s", ps->err);
    else if (rc != 0)
      rc = cb_usage_error("plot", "%s", ps->err);
  } else {
    rc = load(input, &t, &cells);
  }
  if (rc != 0)
    goto out;
  loaded = 1;
  ps->at_c = (unsigned long)at_c;
  rc = draw(ps, inputs, (size_t)(1 + compare), compare, quiet, &cells, &cmp);

out:
  if (loaded && compare) {
    cb_compare_free(&cmp);
  } else if (loaded) {
    cb_cells_free(&cells);
    cb_table_free(&t);
  }
  cb_sig_restore();
  if (ps != NULL) {
    free(ps->outdir);
    free(ps->data);
  }
  free(ps);
  return rc;
}
