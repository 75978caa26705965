/* What every reading subcommand (summary, report, compare, plot) does with
 * its files, in one way: a trial CSV is loaded and checked (analysis/validate.h)
 * or refused with exit 2 naming the file and the line; the output is opened
 * and checked before any work (harness/output.h) and refused with exit 2 when
 * it cannot be written or is one of the inputs; the result is written once,
 * and a failure to write it (a full disk, a reader gone) is exit 1. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "validate.h"

int cb_cmd_load(const char *cmd, const char *path, cb_table_t *t)
{
  char err[1024];
  int rc = cb_trials_load(path, t, err, sizeof(err));

  if (rc == 0)
    return 0;
  if (rc == -ENOMEM)
    return cb_fail(cmd, "%s", err);
  return cb_usage_error(cmd, "%s", err);
}

int cb_cmd_output(const char *cmd, const char *path, const char *const *inputs, size_t n,
                  cb_output_t *o)
{
  char why[512];
  size_t i;
  int err;

  memset(o, 0, sizeof(*o));
  o->fd = -1;
  if (path == NULL)
    return 0;
  err = cb_output_open(o, path, why, sizeof(why));
  if (err != 0)
    return cb_usage_error(cmd, "cannot write output '%s': %s", path, why);
  for (i = 0; i < n; i++) {
    if (inputs[i] != NULL && cb_output_is(o, inputs[i])) {
      cb_output_close(o);
      return cb_usage_error(cmd, "output '%s' is the input '%s': writing it would destroy what "
                            "it is made from", path, inputs[i]);
    }
  }
  return 0;
}

int cb_cmd_emit(const char *cmd, cb_output_t *o, const char *path, const cb_buf_t *b)
{
  int err = 0;

  if (b->failed)
    return cb_fail(cmd, "out of memory");
  if (path != NULL) {
    err = cb_output_write(o, b->data, b->len);
    if (err != 0)
      return cb_fail(cmd, "cannot write '%s': %s", path, strerror(-err));
    err = cb_output_close(o);
    if (err != 0)
      return cb_fail(cmd, "cannot write '%s': %s", path, strerror(-err));
    return 0;
  }
  if (fwrite(b->data, 1, b->len, stdout) != b->len || fflush(stdout) != 0)
    return cb_fail(cmd, "cannot write to stdout: %s", strerror(errno));
  return 0;
}
