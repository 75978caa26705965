/* Where errors become exit codes (cli/cmd.h): a usage error or bad input is
 * 2, any other failure 1, each after one line of words (cb_vmessage,
 * harness/usage.c). The layers below return 0 or -errno and, where the
 * user needs words, a message in a buffer; only these turn them into an
 * exit code. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "cmd.h"

int cb_usage_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  cb_vmessage(cmd, fmt, ap);
  va_end(ap);
  return CB_EXIT_USAGE;
}

int cb_fail(const char *cmd, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  cb_vmessage(cmd, fmt, ap);
  va_end(ap);
  return CB_EXIT_FAIL;
}

int cb_refused(const char *cmd, int err, const char *why)
{
  if (err == -ENOMEM)
    return cb_fail(cmd, "%s", why[0] != '\0' ? why : "out of memory");
  return cb_usage_error(cmd, "%s", why);
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
