/* `concbench plot RESULTS.csv [-o DIR]` and `concbench plot --compare
 * BASE.csv NEW.csv [-o DIR]`: charts (PNG and SVG) through gnuplot. This
 * file reads the command line and the inputs and prepares the output
 * directory; bench/plot.c builds the charts. Everything that can be wrong
 * with the input is found before anything is written: a bad file exits 2
 * naming it (and the line), a missing gnuplot exits 1, and neither creates
 * a directory. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb.h"
#include "cli.h"
#include "cmd.h"
#include "compare.h"
#include "plot.h"
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
    "concbench compare computes it. results/SCHEMA.md, \"Charts\", has the details.\n\n"
    "RESULTS.csv may be a directory: its newest concbench-*.csv is plotted.\n\n"
    "  -o, --output DIR   where the charts go (default: RESULTS-charts beside\n"
    "                     RESULTS.csv; created if missing, its parent must exist)\n"
    "  --compare          compare two trial CSVs (BASE first)\n"
    "  --at-c N           hosts-winners at concurrency N only (rows: workloads)\n"
    "  -q, --quiet        no line per chart\n\n"
    "environment: CONCBENCH_GNUPLOT (gnuplot program, default: gnuplot in PATH),\n"
    "CONCBENCH_PLOTS (the directory of the *.gp scripts; default: the source tree's\n"
    "plots/, else share/concbench/plots beside the installed binary)\n\n"
    "exit: 0 charts drawn (some may be skipped); 1 gnuplot missing or failed;\n"
    "2 bad usage or bad input\n";

/* Load a trial CSV and its cells; on failure print the message (naming
 * the file and the line) and return the exit code. */
static int load(const char *path, cb_table_t *t, cb_cells_t *cells)
{
  char err[512], what[448];
  struct stat st;
  int rc;

  if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
    return cb_usage_error("plot", "%s: line 1: empty file (no header, no trials)", path);
  rc = cb_table_load(path, t, err, sizeof(err));
  if (rc == -ENOMEM) {
    fprintf(stderr, "concbench plot: %s\n", err);
    return CB_EXIT_FAIL;
  }
  if (rc != 0)
    return cb_usage_error("plot", "%s", err);
  rc = cb_cells_build(t, cells, what, sizeof(what));
  if (rc != 0) {
    cb_table_free(t);
    if (rc == -ENOMEM) {
      fprintf(stderr, "concbench plot: %s: out of memory\n", path);
      return CB_EXIT_FAIL;
    }
    return cb_usage_error("plot", "%s: %s", path, what);
  }
  if (cells->n == 0) {
    cb_cells_free(cells);
    cb_table_free(t);
    return cb_usage_error("plot", "%s: line 2: no trials after the header", path);
  }
  return CB_EXIT_OK;
}

/* "x/RESULTS.csv" -> "x/RESULTS-charts" */
static void default_outdir(const char *input, char *buf, size_t len)
{
  size_t n = strlen(input);

  if (n > 4 && strcmp(input + n - 4, ".csv") == 0)
    n -= 4;
  snprintf(buf, len, "%.*s-charts", (int)n, input);
}

static int has_control(const char *s)
{
  for (; *s != '\0'; s++) {
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return 1;
  }
  return 0;
}

/* Create DIR (one level) and DIR/data. 0 or -errno with the path. */
static int make_dirs(const char *dir, char *bad, size_t len)
{
  char data[PATH_MAX];
  struct stat st;

  snprintf(bad, len, "%s", dir);
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return -errno;
  if (stat(dir, &st) != 0)
    return -errno;
  if (!S_ISDIR(st.st_mode))
    return -ENOTDIR;
  if (access(dir, W_OK | X_OK) != 0)
    return -errno;
  if (snprintf(data, sizeof(data), "%s/data", dir) >= (int)sizeof(data))
    return -ENAMETOOLONG;
  snprintf(bad, len, "%s", data);
  if (mkdir(data, 0777) != 0 && errno != EEXIST)
    return -errno;
  if (stat(data, &st) != 0)
    return -errno;
  return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
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
  char latest[PATH_MAX], outdir[PATH_MAX], scripts[PATH_MAX], gnuplot[PATH_MAX];
  char err[1024] = "", bad[PATH_MAX];
  const char *input, *out = NULL;
  cb_plot_t p = { 0 };
  cb_table_t t;
  cb_cells_t cells;
  cb_compare_t cmp;
  struct stat st;
  uint64_t at_c = 0;
  int opt, compare = 0, quiet = 0, rc;

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
  input = argv[argc - 1];
  if (!compare && stat(input, &st) == 0 && S_ISDIR(st.st_mode)) {
    rc = cb_plot_latest(input, latest, sizeof(latest));
    if (rc != 0)
      return cb_usage_error("plot", "no trial CSV (concbench-*.csv) in directory '%s'%s%s",
                            input, rc == -ENOENT ? "" : ": ", rc == -ENOENT ? "" : strerror(-rc));
    input = latest;
  }
  if (out == NULL)
    default_outdir(input, outdir, sizeof(outdir));
  else
    snprintf(outdir, sizeof(outdir), "%s", out);
  /* gnuplot reads the directory's name inside a quoted string: quotes are
   * escaped, but a line break cannot be. */
  if (has_control(outdir))
    return cb_usage_error("plot", "output directory '%s' has a control character in its name",
                          outdir);

  if (compare) {
    cb_compare_opts_t o = CB_COMPARE_OPTS_DEFAULT;
    o.base_label = argv[optind];
    o.new_label = argv[optind + 1];
    rc = cb_compare_files(argv[optind], argv[optind + 1], &o, &cmp, err, sizeof(err));
    if (rc == -ENOMEM) {
      fprintf(stderr, "concbench plot: %s\n", err);
      return CB_EXIT_FAIL;
    }
    if (rc != 0)
      return cb_usage_error("plot", "%s", err);
  } else {
    rc = load(input, &t, &cells);
    if (rc != CB_EXIT_OK)
      return rc;
  }

  rc = CB_EXIT_FAIL;
  if (cb_plot_find_gnuplot(gnuplot, sizeof(gnuplot)) != 0) {
    const char *env = getenv("CONCBENCH_GNUPLOT");
    if (env != NULL && env[0] != '\0')
      fprintf(stderr, "concbench plot: gnuplot '%s' (CONCBENCH_GNUPLOT) is not an executable "
                      "program\n", env);
    else
      fprintf(stderr, "concbench plot: gnuplot not found in PATH: install it (Debian: apt-get "
                      "install gnuplot-nox) or set CONCBENCH_GNUPLOT\n");
    goto out;
  }
  if (cb_plot_find_scripts(scripts, sizeof(scripts)) != 0) {
    fprintf(stderr, "concbench plot: cannot find the gnuplot scripts (common.gp): not in "
                    "$CONCBENCH_PLOTS, %s/plots, nor share/concbench/plots beside the binary\n",
            CB_SOURCE_ROOT);
    goto out;
  }
  rc = make_dirs(outdir, bad, sizeof(bad));
  if (rc != 0) {
    rc = cb_usage_error("plot", "cannot create output directory '%s': %s", bad, strerror(-rc));
    goto out;
  }
  p.outdir = outdir;
  p.scripts = scripts;
  p.gnuplot = gnuplot;
  p.quiet = quiet;
  p.at_c = (unsigned long)at_c;
  rc = compare ? cb_plot_compare(&p, &cmp, err, sizeof(err))
               : cb_plot_charts(&p, &cells, err, sizeof(err));
  if (!quiet || rc != 0)
    fprintf(stderr, "concbench plot: %zu chart%s (PNG and SVG) in %s, %zu skipped, %zu failed\n",
            p.made, p.made == 1 ? "" : "s", outdir, p.skipped, p.failed);
  rc = rc == 0 ? CB_EXIT_OK : CB_EXIT_FAIL;
out:
  if (compare) {
    cb_compare_free(&cmp);
  } else {
    cb_cells_free(&cells);
    cb_table_free(&t);
  }
  return rc;
}
