/* `concbench report RESULTS.csv [-o FILE.md]`: where each model wins on this
 * machine and what that says about the folklore, as Markdown; for a CSV of
 * several hosts (concbench merge), the same per host and across them. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "cmd.h"
#include "fleet.h"
#include "report.h"

static const char report_help[] =
    "usage: concbench report RESULTS.csv [-o FILE.md] [--charts DIR] [--at-c N]\n\n"
    "Markdown: the machine; each folklore claim with its verdict on this machine\n"
    "(holds, does not hold, depends, not shown, not measured) and the numbers it\n"
    "rests on, Mann-Whitney p-values adjusted by Holm within each claim; for every\n"
    "workload and setting the winning model (its best variant; serial is the\n"
    "reference, never a winner), its margin over the runner-up and the p-value.\n\n"
    "A CSV of several hosts (concbench merge) gets the fleet report: the hosts; each\n"
    "claim's verdict on each host judged apart, and across hosts their common\n"
    "verdict or \"depends on the machine\" naming which host says what; the winners\n"
    "map with one column per host; each host's findings.\n\n"
    "  -o, --output FILE   write the report here (default: stdout)\n"
    "  --charts DIR        where the report's chart links point (default: charts,\n"
    "                      as written by concbench plot -o charts)\n"
    "  --at-c N            several hosts: the winners map at concurrency N only\n"
    "                      (rows: workloads; default: every workload x concurrency)\n\n"
    "RESULTS.csv '-' is standard input.\n";

int cb_cmd_report(int argc, char **argv)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' },
    { "charts", required_argument, NULL, 'C' },
    { "at-c", required_argument, NULL, 'A' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *out = NULL, *charts = "charts", *input;
  cb_output_t o;
  char err[512];
  cb_table_t t;
  cb_cells_t cells;
  cb_buf_t b = { 0 };
  cb_fleet_t fl;
  uint64_t at_c = 0;
  size_t nhosts;
  int opt, rc;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
    switch (opt) {
    case 'o': out = optarg; break;
    case 'C': charts = optarg; break;
    case 'A':
      if (cb_parse_u64(optarg, 1, CB_MAX_CONCURRENCY, &at_c) != 0)
        return cb_usage_error("report", "bad --at-c '%s' (a concurrency 1..%u)", optarg,
                              CB_MAX_CONCURRENCY);
      break;
    case 'h':
      fputs(report_help, stdout);
      return CB_EXIT_OK;
    default:
      return cb_getopt_error("report", opt, argv);
    }
  }
  if (optind != argc - 1)
    return cb_usage_error("report", optind >= argc ? "needs one trial CSV (see --help)"
                                                   : "takes one trial CSV, got '%s' too",
                          argv[optind + (optind < argc)]);
  input = argv[optind];
  rc = cb_cmd_output("report", out, &input, 1, &o);
  if (rc != 0)
    return rc;
  rc = cb_cmd_load("report", input, &t);
  if (rc != 0)
    goto out;
  if (cb_cells_build(&t, &cells, err, sizeof(err)) != 0) {
    rc = cb_fail("report", "%s: %s", input, err); /* checked by the load: out of memory */
    cb_table_free(&t);
    goto out;
  }
  cb_cells_sort(&cells);
  nhosts = 0;
  if (cb_fleet_hosts(&cells, &fl) != 0) {
    b.failed = 1; /* out of memory: cb_cmd_emit says so */
  } else {
    nhosts = fl.n;
    cb_fleet_free(&fl);
  }
  if (at_c > 0 && nhosts < 2 && !b.failed) {
    rc = cb_usage_error("report", "--at-c %llu: %s holds one host; the winners map per host "
                        "needs several (concbench merge)", (unsigned long long)at_c, input);
    goto done;
  }
  if (!b.failed && (at_c > 0 ? cb_report_fleet_md(&cells, charts, (unsigned long)at_c, &b)
                             : cb_report_md(&cells, charts, &b)) != 0)
    b.failed = 1;
  rc = cb_cmd_emit("report", &o, out, &b);
done:
  cb_buf_free(&b);
  cb_cells_free(&cells);
  cb_table_free(&t);
out:
  cb_output_close(&o);
  return rc;
}
