/* The one place where errors become words: "concbench CMD: " and a message
 * on one line of stderr. Any control character in the message (a newline or
 * an escape sequence inside a path or a value read from a file) is printed
 * escaped, so a message is always exactly one line and says which bytes were
 * there. In the harness (not in cli/) because charts report through it too;
 * the exit codes are the CLI's (cli/exit.c). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "usage.h"

/* Append s to out (len bytes, NUL-terminated) with control bytes escaped. */
static void escape_into(char *out, size_t len, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  size_t used = strlen(out);
  const unsigned char *p;
  char e[5];

  for (p = (const unsigned char *)s; *p != '\0'; p++) {
    if (*p >= 0x20 && *p != 0x7f) {
      e[0] = (char)*p;
      e[1] = '\0';
    } else if (*p == '\n' || *p == '\t' || *p == '\r') {
      e[0] = '\\';
      e[1] = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
      e[2] = '\0';
    } else {
      e[0] = '\\';
      e[1] = 'x';
      e[2] = hex[*p >> 4];
      e[3] = hex[*p & 15];
      e[4] = '\0';
    }
    if (used + strlen(e) + 1 > len)
      break;
    memcpy(out + used, e, strlen(e) + 1);
    used += strlen(e);
  }
}

void cb_vmessage(const char *cmd, const char *fmt, va_list ap)
{
  /* static: messages are printed by one thread, and a small stack must do */
  static char raw[2048], line[4096];

  vsnprintf(raw, sizeof(raw), fmt, ap);
  snprintf(line, sizeof(line), "concbench%s%s: ", cmd != NULL ? " " : "", cmd != NULL ? cmd : "");
  escape_into(line, sizeof(line) - 1, raw);
  strcat(line, "\n");
  fputs(line, stderr);
  fflush(stderr);
}

void cb_message(const char *cmd, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  cb_vmessage(cmd, fmt, ap);
  va_end(ap);
}
