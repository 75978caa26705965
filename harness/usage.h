/* Errors and notes in words, one line each on stderr: "concbench CMD: " and
 * a message, control characters escaped (harness/usage.c), and the exit
 * codes of the CLI: 0 success, 1 a benchmark failed or an output could not
 * be written, 2 bad usage or bad input. Below the CLI because charts and the
 * matrix report through it too. */
#ifndef CB_USAGE_H
#define CB_USAGE_H

#include <stdarg.h>

enum { CB_EXIT_OK = 0, CB_EXIT_FAIL = 1, CB_EXIT_USAGE = 2 };

/* cb_usage_error returns CB_EXIT_USAGE, cb_fail CB_EXIT_FAIL, cb_message
 * nothing. */
int cb_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cb_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cb_message(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cb_vmessage(const char *cmd, const char *fmt, va_list ap);
/* The message for an unknown option or a missing value, from getopt's state. */
int cb_getopt_error(const char *cmd, int opt, char **argv);

#endif
