/* `concbench merge DIR|FILE... -o fleet.csv`: the trial CSVs of many hosts
 * and runs as one fleet CSV, every row's host its identity, and one row per
 * host in fleet.hosts.csv beside it (analysis/merge.h). Everything is read and
 * checked before anything is written; both files are written atomically. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "csv.h"
#include "merge.h"

static const char merge_help[] =
    "usage: concbench merge DIR|FILE... -o FLEET.csv\n\n"
    "Concatenates the trial CSVs of many hosts and runs into FLEET.csv, a trial CSV\n"
    "that report, plot and summary read, and writes FLEET.hosts.csv beside it: one\n"
    "row per host, from the runs' X.meta.json files.\n\n"
    "A DIR holds one subdirectory per host, named by its inventory name (as\n"
    "deploy/ansible/fleet.yml fetches them: RESULTS/NAME/concbench-*.csv); CSVs in\n"
    "DIR itself, and FILEs, are named by the host their rows carry. Every row's host\n"
    "becomes the host identity NAME@FINGERPRINT (concbench fingerprint), so two\n"
    "names for one machine stay two hosts, and a host whose machine or build changed\n"
    "becomes another.\n\n"
    "Refused, with exit 2 and a line naming the file: a CSV that is not a concbench\n"
    "trial CSV, one of another schema version (not exactly the columns this\n"
    "concbench writes), a run that is in two files (its run_id), a bad X.meta.json.\n\n"
    "  -o, --output FILE   the fleet CSV (required); FILE.hosts.csv goes beside it;\n"
    "                      - is stdout, without the hosts file\n"
    "  -q, --quiet         no summary line on stderr\n\n"
    "exit: 0 merged; 1 out of memory or a write failed; 2 bad usage or input\n";

static int to_stdout(const char *out)
{
  return strcmp(out, "-") == 0;
}

/* The hosts file, then the CSV; with -o - (stdout: nothing beside it) the
 * CSV alone. */
static int write_both(const char *out, const char *hosts, const cb_buf_t *csv,
                      const cb_buf_t *h)
{
  int rc = to_stdout(out) ? 0 : cb_write_atomic(hosts, h->data, h->len);

  if (rc != 0) {
    fprintf(stderr, "concbench merge: cannot write '%s': %s\n", hosts, strerror(-rc));
    return rc;
  }
  rc = cb_write_atomic(out, csv->data, csv->len);
  if (rc != 0)
    fprintf(stderr, "concbench merge: cannot write '%s': %s\n", out, strerror(-rc));
  return rc;
}

/* Room for a message naming a path, and for the hosts file's path. */
#define ERRLEN 4200

int cb_cmd_merge(int argc, char **argv)
{
  static const struct option opts[] = {
    { "output", required_argument, NULL, 'o' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *out = NULL;
  char *err = NULL, *hosts = NULL; /* ERRLEN each, on the heap: small stacks */
  cb_merge_t m = { 0 };
  cb_buf_t csv = { 0 }, h = { 0 };
  int opt, quiet = 0, rc, i;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
    switch (opt) {
    case 'o': out = optarg; break;
    case 'q': quiet = 1; break;
    case 'h':
      fputs(merge_help, stdout);
      return CB_EXIT_OK;
    default:
      return cb_getopt_error("merge", opt, argv);
    }
  }
  if (out == NULL || out[0] == '\0')
    return cb_usage_error("merge", out == NULL ? "needs -o FLEET.csv (see --help)"
                                               : "empty output ''");
  if (optind >= argc)
    return cb_usage_error("merge", "needs a directory or trial CSVs to merge (see --help)");
  if ((rc = cb_check_writable(out)) != 0)
    return cb_usage_error("merge", "cannot write output '%s': %s", out, strerror(-rc));
  err = malloc(ERRLEN);
  hosts = malloc(ERRLEN);
  if (err == NULL || hosts == NULL)
    goto nomem;
  cb_merge_hosts_path(out, hosts, ERRLEN);

  rc = CB_EXIT_USAGE;
  for (i = optind; i < argc; i++) {
    if (strcmp(argv[i], "-") == 0) {
      rc = cb_usage_error("merge", "input '-': merge reads files and directories, with the "
                          "X.meta.json beside each CSV, not stdin");
      goto done;
    }
  }
  for (i = optind; i < argc; i++) {
    int v = cb_merge_add(&m, argv[i], out, err, ERRLEN);
    if (v == -ENOMEM)
      goto nomem;
    if (v != 0)
      goto usage;
  }
  switch (cb_merge_run(&m, &csv, &h, err, ERRLEN)) {
  case 0: break;
  case -ENOMEM: goto nomem;
  default: goto usage;
  }
  rc = write_both(out, hosts, &csv, &h) == 0 ? CB_EXIT_OK : CB_EXIT_FAIL;
  if (rc == CB_EXIT_OK && !quiet)
    fprintf(stderr, "concbench merge: %zu trials of %zu run%s on %zu host%s from %zu file%s "
            "into %s; hosts: %s\n", m.rows, m.runs, m.runs == 1 ? "" : "s", m.hosts,
            m.hosts == 1 ? "" : "s", m.nin, m.nin == 1 ? "" : "s",
            to_stdout(out) ? "stdout" : out,
            to_stdout(out) ? "not written (stdout has no place beside it for "
                             "FLEET.hosts.csv)" : hosts);
  goto done;
nomem:
  fprintf(stderr, "concbench merge: out of memory\n");
  rc = CB_EXIT_FAIL;
  goto done;
usage:
  rc = cb_usage_error("merge", "%s", err);
done:
  cb_buf_free(&csv);
  cb_buf_free(&h);
  cb_merge_free(&m);
  free(hosts);
  free(err);
  return rc;
}
