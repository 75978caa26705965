/* The subcommands of the concbench CLI. Each returns the process exit code:
 * 0 success, 1 a benchmark failed, 2 bad usage or bad input (after printing
 * one line that names the bad value), 130/143 when interrupted. */
#ifndef CB_CMD_H
#define CB_CMD_H

#include <stddef.h>

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

/* Derive the summary of a trial CSV into out_path (NULL: stdout); unless
 * quiet, list unstable cells on stderr. 0, or -errno with err set. */
int cb_summary_write(const char *csv_path, const char *out_path, int quiet, char *err,
                     size_t errlen);

/* Print "concbench CMD: " and the message to stderr; returns CB_EXIT_USAGE. */
int cb_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The message for an unknown option or a missing value, from getopt's state. */
int cb_getopt_error(const char *cmd, int opt, char **argv);

#endif
