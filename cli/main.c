/* concbench's entry point: dispatch to a subcommand (one file each,
 * cli/cmd_*.c), plus --version and --help. Only this layer turns errors
 * into exit codes. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"
#include "cmd.h"

#if CB_HAVE_LIBUV
#include <uv.h>
#endif

typedef struct command_s {
  const char *name;
  int (*fn)(int argc, char **argv);
  const char *summary;
} command_t;

static const command_t commands[] = {
  { "ab", cb_cmd_ab, "A/B run of two builds, interleaved, judged like compare (exit 1 on a regression)" },
  { "compare", cb_cmd_compare, "does NEW.csv regress against BASE.csv? (exit 1 when it does)" },
  { "env", cb_cmd_env, "what on this machine would make numbers unstable, with hints" },
  { "fingerprint", cb_cmd_fingerprint, "the machine-and-build fingerprint that baselines are keyed by" },
  { "list", cb_cmd_list, "workloads and runners, one per line, with descriptions" },
  { "merge", cb_cmd_merge, "trial CSVs of many hosts and runs as one fleet CSV, and its hosts" },
  { "run", cb_cmd_run, "run a matrix of trials and write the trial CSV" },
  { "plot", cb_cmd_plot, "charts of a trial CSV (PNG and SVG) through gnuplot" },
  { "report", cb_cmd_report, "where each model wins, and the folklore's verdicts, as Markdown" },
  { "summary", cb_cmd_summary, "statistics per cell of a trial CSV, with stability flags" },
  { "topology", cb_cmd_topology, "the machine and each pin policy's placement plan" },
};

static void print_version(void)
{
  printf("concbench %s (%s, %s build", CB_VERSION, CB_COMPILER, CB_BUILDTYPE);
#if CB_HAVE_LIBUV
  printf(", libuv %s", uv_version_string());
#endif
#if CB_HAVE_HWLOC
  printf(", hwloc %s", CB_HWLOC_VERSION);
#endif
  printf(")\n");
}

static void print_help(FILE *f)
{
  size_t i;

  fprintf(f, "usage: concbench COMMAND [options]\n\n"
             "Measures when threads, processes or an event loop win, on this machine.\n\n"
             "commands:\n");
  for (i = 0; i < CB_ARRAY_SIZE(commands); i++)
    fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n  concbench COMMAND --help   options of one command\n"
             "  concbench --version\n\n"
             "exit codes: 0 success, 1 a benchmark failed, 2 bad usage or input\n");
}

/* Whatever a command printed must have reached stdout: a full disk or a
 * closed pipe at the end is a failure too (exit 1 with one line), not a
 * silent success. */
static int check_stdout(const char *cmd, int rc)
{
  int bad = ferror(stdout), err = errno;

  if (fflush(stdout) != 0) {
    bad = 1;
    err = errno;
  }
  if (fclose(stdout) != 0 && !bad) {
    bad = 1;
    err = errno;
  }
  if (!bad || rc != CB_EXIT_OK)
    return rc; /* a command that failed has said why */
  cb_message(cmd, "cannot write to stdout: %s", strerror(err != 0 ? err : EIO));
  return CB_EXIT_FAIL;
}

int main(int argc, char **argv)
{
  size_t i;

  /* A write beyond the file size limit fails (EFBIG) and is said like any
   * other failed write, instead of killing us half way. */
  signal(SIGXFSZ, SIG_IGN);
  if (argc < 2) {
    print_help(stderr);
    return CB_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
    print_version();
    return check_stdout(NULL, CB_EXIT_OK);
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    print_help(stdout);
    return check_stdout(NULL, CB_EXIT_OK);
  }
  for (i = 0; i < CB_ARRAY_SIZE(commands); i++) {
    if (strcmp(argv[1], commands[i].name) == 0)
      return check_stdout(commands[i].name, commands[i].fn(argc - 1, argv + 1));
  }
  {
    /* The names from the one table, so that a new command needs one line. */
    char names[256] = "";
    size_t used = 0;

    for (i = 0; i < CB_ARRAY_SIZE(commands) && used < sizeof(names); i++)
      used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
                               commands[i].name);
    return cb_usage_error(NULL, "unknown command '%s' (commands: %s; see concbench --help)",
                          argv[1], names);
  }
}
