/* The CLI contract tests' way of running the binary (test_bad.h), written
 * once so that each test_badinput*.c holds only what it checks. */
#include "test_bad.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

/* `in` with the placeholders replaced: @DIR anywhere, @OUT and @IN as a
 * whole. */
void bad_expand(const char *in, const char *dir, char *out, size_t len)
{
  const char *at = strstr(in, DIR_);

  if (strcmp(in, OUT_) == 0)
    snprintf(out, len, "%s/out.csv", dir);
  else if (strcmp(in, IN_) == 0)
    snprintf(out, len, "%s/in.csv", dir);
  else if (at != NULL)
    snprintf(out, len, "%.*s%s%s", (int)(at - in), in, dir, at + strlen(DIR_));
  else
    snprintf(out, len, "%s", in);
}

/* Run concbench with argv (placeholders replaced) in directory `dir`. */
void bad_run_bench(const char *const *argv, const char *dir, cbt_result_t *r)
{
  const char *args[MAX_ARGS + 1];
  char subst[MAX_ARGS][512];
  cbt_spawn_t o = { .dir = dir };
  size_t i;

  for (i = 0; i < MAX_ARGS && argv[i] != NULL; i++) {
    bad_expand(argv[i], dir, subst[i], sizeof(subst[i]));
    args[i] = subst[i];
  }
  assert_true(i < MAX_ARGS);
  args[i] = NULL;
  cbt_run(&o, args, r);
}
