/* Notes and errors in words, one line each on stderr: "concbench CMD: " and
 * a message, control characters escaped (harness/usage.c). Below the CLI
 * because charts report through it too; only the CLI turns errors into exit
 * codes (cli/cmd.h). */
#ifndef CB_USAGE_H
#define CB_USAGE_H

#include <stdarg.h>

void cb_message(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cb_vmessage(const char *cmd, const char *fmt, va_list ap);

#endif
