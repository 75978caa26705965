/* `concbench fingerprint`: the machine-and-build fingerprint
 * (harness/fingerprint.h) of this machine or of a trial CSV, and whether two
 * of them are equal. Scripts use it to decide whether a committed baseline
 * may be compared with new results as absolute numbers
 * (scripts/ci-benchmark): exit 0 equal, 1 different, like cmp(1). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cb.h"
#include "cmd.h"
#include "fingerprint.h"
#include "validate.h"
#include "meta.h"

static const char fingerprint_help[] =
    "usage: concbench fingerprint [-v] [RESULTS.csv]\n"
    "       concbench fingerprint --check BASE.csv [NEW.csv]\n\n"
    "Prints the fingerprint id of this machine and build (or of the trials in\n"
    "RESULTS.csv): what results must share to be compared as absolute numbers:\n"
    "CPU model, PUs, cores, caches, kernel, compiler and build type. Baselines in\n"
    "results/baseline/ are named by it.\n\n"
    "  -v, --verbose   also each field, one per line (FIELD: value)\n"
    "  --check         exit 0 when BASE.csv has the fingerprint of NEW.csv (default:\n"
    "                  of this machine and build), else print what differs and exit 1\n\n"
    "exit: 0 printed, or equal; 1 different; 2 bad usage or input\n";

/* The one fingerprint of a trial CSV; a usage error when it has none or
 * several. */
static int of_file(const char *path, cb_fp_t *fp)
{
  char err[1024];
  cb_table_t t;
  int several = 0, rc;

  rc = cb_trials_load(path, &t, err, sizeof(err));
  if (rc != 0)
    return rc == -ENOMEM ? cb_fail("fingerprint", "%s", err) : cb_usage_error("fingerprint", "%s", err);
  rc = cb_fp_of_table(&t, fp, &several, err, sizeof(err));
  cb_table_free(&t);
  if (rc != 0)
    return cb_usage_error("fingerprint", "%s: %s", path, err);
  if (several)
    return cb_usage_error("fingerprint", "%s holds results of several machines or builds", path);
  if (fp->known == 0)
    return cb_usage_error("fingerprint", "%s has none of the columns %s, %s, ... (is it a "
                          "trial CSV?)", path, cb_fp_columns[0], cb_fp_columns[4]);
  return 0;
}

static int of_here(cb_fp_t *fp)
{
  static cb_meta_t meta; /* static: a small stack must do */
  cb_topo_t *topo = NULL;
  int err = cb_topo_load(&topo);

  if (err != 0)
    return cb_fail("fingerprint", "cannot load the topology: %s", strerror(-err));
  cb_meta_collect(&meta, topo);
  cb_fp_of_meta(&meta, fp);
  cb_topo_free(topo);
  return 0;
}

static void print(const cb_fp_t *fp, int verbose)
{
  char id[160];
  size_t i;

  cb_fp_id(fp, id, sizeof(id));
  printf("%s\n", id);
  for (i = 0; verbose && i < CB_FP_FIELDS; i++)
    printf("%s: %s\n", cb_fp_columns[i], fp->known & (1u << i) ? fp->v[i] : "(unknown)");
}

int cb_cmd_fingerprint(int argc, char **argv)
{
  static const struct option opts[] = {
    { "verbose", no_argument, NULL, 'v' },
    { "check", no_argument, NULL, 'C' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int opt, verbose = 0, check = 0, rc, nargs;
  /* static: fingerprints are large, and a small stack must do */
  static char why[2048];
  static cb_fp_t a, b;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":vh", opts, NULL)) != -1) {
    switch (opt) {
    case 'v': verbose = 1; break;
    case 'C': check = 1; break;
    case 'h':
      fputs(fingerprint_help, stdout);
      return CB_EXIT_OK;
    default:
      return cb_getopt_error("fingerprint", opt, argv);
    }
  }
  nargs = argc - optind;
  if (check && (nargs < 1 || nargs > 2))
    return cb_usage_error("fingerprint", "--check takes BASE.csv and optionally NEW.csv");
  if (!check && nargs > 1)
    return cb_usage_error("fingerprint", "takes one RESULTS.csv at most, got '%s' too",
                          argv[optind + 1]);
  if (!check) {
    rc = nargs == 1 ? of_file(argv[optind], &a) : of_here(&a);
    if (rc == 0)
      print(&a, verbose);
    return rc;
  }
  rc = of_file(argv[optind], &a);
  if (rc == 0)
    rc = nargs == 2 ? of_file(argv[optind + 1], &b) : of_here(&b);
  if (rc != 0)
    return rc;
  if (cb_fp_diff(&a, &b, CB_FP_FIELDS, 1, "BASE", nargs == 2 ? "NEW" : "this machine", why,
                 sizeof(why)) > 0) {
    printf("%s\n", why);
    return CB_EXIT_FAIL;
  }
  print(&a, verbose);
  return CB_EXIT_OK;
}
