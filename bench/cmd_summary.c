/* `concbench summary RESULTS.csv [-o FILE]`: one row per cell with the
 * statistics of its trials and its stability flags, derived from the trial
 * CSV (never measured apart). Also used by `run`, which writes the summary
 * next to its trial CSV. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "summary.h"

static const char summary_help[] =
    "usage: concbench summary RESULTS.csv [-o FILE]\n\n"
    "One row per cell (host, workload, runner, transport, pin, concurrency, tasks,\n"
    "size, payload): n, median, mean, stddev, MAD, cv, min, max and the 95%\n"
    "confidence interval of the median of throughput, wall time, latency, CPU\n"
    "time and memory over the cell's ok trials, with stability flags and hints\n"
    "(columns: results/SCHEMA.md). Unstable cells are also listed on stderr.\n\n"
    "  -o, --output FILE   write the summary here (default: stdout)\n"
    "  -q, --quiet         do not list unstable cells\n";

int cb_summary_write(const char *csv_path, const char *out_path, int quiet, char *err,
                     size_t errlen)
{
  cb_table_t t;
  cb_cells_t cells;
  cb_buf_t b = { 0 };
  char what[256];
  int rc;

  rc = cb_table_load(csv_path, &t, err, errlen);
  if (rc != 0)
    return rc;
  rc = cb_cells_build(&t, &cells, what, sizeof(what));
  if (rc != 0) {
    snprintf(err, errlen, "%s: %s", csv_path, what);
    goto out_table;
  }
  cb_cells_sort(&cells);
  cb_cells_csv(&cells, &b);
  if (b.failed) {
    rc = -ENOMEM;
    snprintf(err, errlen, "out of memory");
  } else if (out_path != NULL) {
    rc = cb_write_atomic(out_path, b.data, b.len);
    if (rc != 0)
      snprintf(err, errlen, "cannot write '%s': %s", out_path, strerror(-rc));
  } else if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
    rc = -EIO;
    snprintf(err, errlen, "cannot write the summary to stdout");
  }
  if (rc == 0 && !quiet)
    cb_cells_warn(&cells, stderr);
  cb_buf_free(&b);
  cb_cells_free(&cells);
out_table:
  cb_table_free(&t);
  return rc;
}

int cb_cmd_summary(int argc, char **argv)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *out = NULL;
  char err[512] = "";
  int opt, quiet = 0, rc;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
    switch (opt) {
    case 'o': out = optarg; break;
    case 'q': quiet = 1; break;
    case 'h':
      fputs(summary_help, stdout);
      return CB_EXIT_OK;
    default:
      return cb_getopt_error("summary", opt, argv);
    }
  }
  if (optind != argc - 1)
    return cb_usage_error("summary", optind >= argc ? "needs one trial CSV (see --help)"
                                                    : "takes one trial CSV, got '%s' too",
                          argv[optind + (optind < argc)]);
  if (out != NULL && (rc = cb_check_writable(out)) != 0)
    return cb_usage_error("summary", "cannot write output '%s': %s", out, strerror(-rc));
  rc = cb_summary_write(argv[optind], out, quiet, err, sizeof(err));
  if (rc == -ENOMEM || rc == -EIO)
    fprintf(stderr, "concbench summary: %s\n", err);
  else if (rc != 0)
    return cb_usage_error("summary", "%s", err);
  return rc == 0 ? CB_EXIT_OK : CB_EXIT_FAIL;
}
