/* The one place where bad usage becomes words: "concbench CMD: " and a line
 * that names the bad value, on stderr, and exit code 2. In the library (not
 * in main.c) because the matrix and the subcommands report through it. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cb_usage_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;

  fprintf(stderr, "concbench %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return CB_EXIT_USAGE;
}

int cb_getopt_error(const char *cmd, int opt, char **argv)
{
  const char *arg = argv[optind - 1];

  if (opt == ':')
    return cb_usage_error(cmd, "option '%s' needs a value (see concbench %s --help)", arg, cmd);
  /* A long option is named as written: getopt's optopt would give its short
   * letter even when only the "=value" was wrong. */
  if (strncmp(arg, "--", 2) == 0 || optopt == 0)
    return cb_usage_error(cmd, "unknown option or unexpected value '%s' (see concbench %s --help)",
                          arg, cmd);
  return cb_usage_error(cmd, "unknown option '-%c' (see concbench %s --help)", optopt, cmd);
}
