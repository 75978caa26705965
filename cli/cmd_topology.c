/* `concbench topology`: the machine as hwloc sees it (or a synthetic one)
 * and, for each pin policy, the PU each worker would be bound to
 * (harness/topo.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "parse.h"
#include "topo.h"

static const char topology_help[] =
    "usage: concbench topology [-c N] [--synthetic DESC]\n\n"
    "Prints the machine (PUs, cores, packages, NUMA nodes, SMT) and, for each pin\n"
    "policy (none, compact, scatter, cores), the PU each of N workers is bound to.\n\n"
    "  -c, --concurrency N   workers to place (default: the number of PUs)\n"
    "  --synthetic DESC      an hwloc synthetic topology instead of this machine,\n"
    "                        e.g. \"pack:2 core:4 pu:2\"\n";

int cb_cmd_topology(int argc, char **argv)
{
  static const struct option opts[] = {
    { "concurrency", required_argument, NULL, 'c' },
    { "synthetic", required_argument, NULL, 'S' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *synthetic = NULL;
  uint64_t workers = 0;
  cb_topo_t *topo = NULL;
  int opt, err, rc = CB_EXIT_OK;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":c:h", opts, NULL)) != -1) {
    switch (opt) {
    case 'c':
      if (cb_parse_u64(optarg, 1, CB_MAX_CONCURRENCY, &workers) != 0)
        return cb_usage_error("topology", "bad concurrency '%s' (a whole number 1..%u)",
                              optarg, CB_MAX_CONCURRENCY);
      break;
    case 'S':
      synthetic = optarg;
      break;
    case 'h':
      fputs(topology_help, stdout);
      return CB_EXIT_OK;
    default:
      return cb_getopt_error("topology", opt, argv);
    }
  }
  if (optind < argc)
    return cb_usage_error("topology", "unexpected argument '%s'", argv[optind]);
  err = synthetic != NULL ? cb_topo_load_synthetic(synthetic, &topo) : cb_topo_load(&topo);
  if (err == -EINVAL)
    return cb_usage_error("topology", "bad synthetic topology '%s' (e.g. \"pack:2 core:4 pu:2\")",
                          synthetic);
  if (err == -E2BIG)
    return cb_usage_error("topology", "synthetic topology '%s' has more than %d PUs", synthetic,
                          CB_SYNTHETIC_MAX_PUS);
  if (err != 0)
    return cb_fail("topology", "cannot load the topology: %s", strerror(-err));
  if (workers == 0)
    workers = cb_topo_pus(topo);
  err = cb_topo_print(stdout, topo, (unsigned)workers);
  if (err == -EIO)
    rc = cb_fail("topology", "cannot write to stdout: %s", strerror(errno));
  else if (err != 0)
    rc = cb_fail("topology", "cannot print the placement plans: %s", strerror(-err));
  cb_topo_free(topo);
  return rc;
}
