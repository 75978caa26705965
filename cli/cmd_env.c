/* `concbench env`: the environment check of a run (harness/env.h) alone, one
 * line per item with a hint for each warning, as pyperf's `system show`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "cmd.h"
#include "env.h"
#include "topo.h"

static const char env_help[] =
    "usage: concbench env [--root DIR] [--sample-ms MS]\n\n"
    "What on this machine would make a run's numbers unstable, checked as `concbench\n"
    "run` checks it before its first trial: the load average (a warning at half the\n"
    "PUs or more), the process using the most CPU (a warning at half a CPU or more),\n"
    "meanwhile the machine's own noise (the cv of 9 batches of a bare floating-point\n"
    "loop: a warning above 3%; unknown under a --root other than /), the CPU\n"
    "frequency governor (a warning unless performance), turbo/boost (a warning when\n"
    "on), concbench's own build (a warning when not optimised or with a sanitizer),\n"
    "swap in use, and a cgroup v2 CPU limit (cpu.max) below the PUs.\n"
    "Each warning comes with a hint. What cannot be read is unknown, not a warning.\n\n"
    "  --root DIR        read /proc and /sys under DIR (default $CONCBENCH_SYSROOT, else /)\n"
    "  --sample-ms MS    how long to watch the processes' CPU time and time the bare loop\n"
    "                    (default 200; 0: neither)\n"
    "  -h, --help\n\n"
    "exit: 0 (warnings included); 2 bad usage\n";

int cb_cmd_env(int argc, char **argv)
{
  static const struct option opts[] = {
    { "root", required_argument, NULL, 'R' },
    { "sample-ms", required_argument, NULL, 'S' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *root = cb_env_root();
  uint64_t ms = (uint64_t)(CB_ENV_SAMPLE_S * 1000);
  cb_topo_t *topo = NULL;
  cb_env_t e;
  int opt, err;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (opt) {
    case 'R': root = optarg; break;
    case 'S':
      if (cb_parse_u64(optarg, 0, 60000, &ms) != 0)
        return cb_usage_error("env", "bad --sample-ms '%s' (a whole number 0..60000)", optarg);
      break;
    case 'h':
      fputs(env_help, stdout);
      return CB_EXIT_OK;
    default:
      return cb_getopt_error("env", opt, argv);
    }
  }
  if (optind < argc)
    return cb_usage_error("env", "unexpected argument '%s'", argv[optind]);
  err = cb_topo_load(&topo);
  if (err != 0)
    return cb_fail("env", "cannot load the topology: %s", strerror(-err));
  cb_env_check(root, cb_topo_pus(topo), (double)ms / 1000, &e);
  cb_topo_free(topo);
  cb_env_print(&e, stdout);
  return CB_EXIT_OK;
}
