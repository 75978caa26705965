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

enum { CB_EXIT_OK = 0, CB_EXIT_FAIL = 1, CB_EXIT_USAGE = 2 };

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

/* Files of the reading subcommands (bench/cmd_io.c). Each returns 0 or the
 * exit code after printing one line: cb_cmd_load reads and checks a trial
 * CSV (2 for bad input, header only included); cb_cmd_output opens and
 * checks an output (NULL path: stdout, nothing to open) that must not be
 * one of the n inputs (2); cb_cmd_emit writes the result there, or to
 * stdout, and closes it (1 when that fails). */
int cb_cmd_load(const char *cmd, const char *path, cb_table_t *t);
int cb_cmd_output(const char *cmd, const char *path, const char *const *inputs, size_t n,
                  cb_output_t *o);
int cb_cmd_emit(const char *cmd, cb_output_t *o, const char *path, const cb_buf_t *b);

/* Print "concbench CMD: " and the message on one line of stderr, control
 * characters escaped (bench/usage.c). cb_usage_error returns CB_EXIT_USAGE,
 * cb_fail CB_EXIT_FAIL, cb_message nothing. */
int cb_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cb_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cb_message(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cb_vmessage(const char *cmd, const char *fmt, va_list ap);
/* The message for an unknown option or a missing value, from getopt's state. */
int cb_getopt_error(const char *cmd, int opt, char **argv);

#endif
