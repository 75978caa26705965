/* The subcommands of the concbench CLI. Each returns the process exit code:
 * 0 success, 1 a benchmark failed or an output could not be written, 2 bad
 * usage or bad input (after printing one line that names the bad value;
 * an output that cannot be opened is found before any work and is bad
 * usage too), 128+N when interrupted by signal N. */
#ifndef CB_CMD_H
#define CB_CMD_H

#include <stdarg.h>
#include <stddef.h>

#include "csv.h"
#include "output.h"
#include "table.h"
#include "usage.h"

enum { CB_EXIT_OK = 0, CB_EXIT_FAIL = 1, CB_EXIT_USAGE = 2 };

/* One line of words (cb_message), then the exit code: cb_usage_error 2,
 * cb_fail 1; cb_refused says a lower layer's refusal `why` and returns 1
 * when err is -ENOMEM, else 2 (cli/exit.c). */
int cb_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cb_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cb_refused(const char *cmd, int err, const char *why);
/* The message for an unknown option or a missing value, from getopt's state. */
int cb_getopt_error(const char *cmd, int opt, char **argv);

int cb_cmd_run(int argc, char **argv);
int cb_cmd_list(int argc, char **argv);
int cb_cmd_topology(int argc, char **argv);
int cb_cmd_summary(int argc, char **argv);
int cb_cmd_compare(int argc, char **argv);
int cb_cmd_report(int argc, char **argv);
int cb_cmd_plot(int argc, char **argv);
int cb_cmd_ab(int argc, char **argv);
int cb_cmd_fingerprint(int argc, char **argv);
int cb_cmd_merge(int argc, char **argv);
int cb_cmd_env(int argc, char **argv);

/* Files of the reading subcommands (cli/cmd_io.c). Each returns 0 or the
 * exit code after printing one line: cb_cmd_load reads and checks a trial
 * CSV (2 for bad input, header only included); cb_cmd_output opens and
 * checks an output (NULL path: stdout, nothing to open) that must not be
 * one of the n inputs (2); cb_cmd_emit writes the result there, or to
 * stdout, and closes it (1 when that fails). */
int cb_cmd_load(const char *cmd, const char *path, cb_table_t *t);
int cb_cmd_output(const char *cmd, const char *path, const char *const *inputs, size_t n,
                  cb_output_t *o);
int cb_cmd_emit(const char *cmd, cb_output_t *o, const char *path, const cb_buf_t *b);

#endif
