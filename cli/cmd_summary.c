/* `concbench summary RESULTS.csv [-o FILE]`: one row per cell with the
 * statistics of its trials and its stability flags, derived from the trial
 * CSV (never measured apart); `run` writes the same beside its trial CSV. */
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
    "(columns: docs/SCHEMA.md). Unstable cells are also listed on stderr.\n\n"
    "  -o, --output FILE   write the summary here (default: stdout)\n"
    "  -q, --quiet         do not list unstable cells\n\n"
    "RESULTS.csv '-' is standard input.\n";

int cb_cmd_summary(int argc, char **argv)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *out = NULL, *input;
  char err[512] = "";
  cb_output_t o;
  cb_table_t t;
  cb_cells_t cells;
  cb_buf_t b = { 0 };
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
  input = argv[optind];
  rc = cb_cmd_output("summary", out, &input, 1, &o);
  if (rc != 0)
    return rc;
  rc = cb_cmd_load("summary", input, &t);
  if (rc != 0)
    goto out;
  if (cb_cells_build(&t, &cells, err, sizeof(err)) != 0) {
    rc = cb_fail("summary", "%s: %s", input, err); /* checked by the load: out of memory */
    goto out_table;
  }
  cb_cells_sort(&cells);
  cb_cells_csv(&cells, &b);
  rc = cb_cmd_emit("summary", &o, out, &b);
  if (rc == 0 && !quiet)
    cb_cells_warn(&cells, stderr);
  cb_buf_free(&b);
  cb_cells_free(&cells);
out_table:
  cb_table_free(&t);
out:
  cb_output_close(&o);
  return rc;
}
