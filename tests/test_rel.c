/* The adversarial-use tests' shared helpers (test_rel.h): written once so
 * that each test_reliability_*.c holds only the classes of failure it tries. */
#include "test_rel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define POLL_MS 20

void rel_run(const cbt_spawn_t *o, const char *const *argv, cbt_result_t *r)
{
  cbt_spawn_t bounded = *o;
  char what[1024];

  bounded.timeout_s = REL_WAIT_S;
  cbt_describe(argv, what, sizeof(what));
  cbt_run(&bounded, argv, r);
  cbt_expect_no_crash(r, what);
}

void rel_expect_exit(const cbt_result_t *r, int code, const char *what)
{
  if (WEXITSTATUS(r->status) != code)
    fail_msg("%s: exit %d, expected %d; stderr: %s", what, WEXITSTATUS(r->status), code, r->err);
}

void rel_expect_lines(const char *err, const char *what)
{
  const char *p = err;

  if (*p == '\0')
    fail_msg("%s: nothing on stderr", what);
  while (*p != '\0') {
    if (strncmp(p, "concbench", 9) != 0)
      fail_msg("%s: a line of stderr does not start with 'concbench': %s", what, err);
    p = strchr(p, '\n');
    if (p == NULL)
      fail_msg("%s: stderr does not end with a newline: %s", what, err);
    p++;
  }
}

int rel_survivors(void)
{
  int n = 0;

  cbt_sleep_ms(50);
  while (waitpid(-1, NULL, WNOHANG) > 0)
    n++;
  return n;
}

int rel_none_alive(void)
{
  long waited;
  pid_t r;

  for (waited = 0; waited <= REL_WAIT_S * 1000L; waited += POLL_MS) {
    while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
      ;
    if (r < 0 && errno == ECHILD)
      return 1;
    cbt_sleep_ms(POLL_MS);
  }
  return 0;
}

void rel_path_in(char *buf, size_t len, const char *dir, const char *name)
{
  snprintf(buf, len, "%s/%s", dir, name);
}

void rel_make_dir(char *buf, size_t len, const char *what)
{
  cbt_make_dir(buf, len, what);
  assert_int_equal(chmod(buf, 0755), 0);
}

/* A quick valid run into dir/name (two cells, five trials each: enough for
 * compare to decide). */
void rel_make_trials(const char *dir, const char *name)
{
  const char *argv[] = { "run", "-w", "noop", "-r", "serial,threads", "-c", "1", "-t", "50",
                         "--reps", "5", "--warmup", "0", "-p", "none", "-q", "-o", name, NULL };
  cbt_spawn_t o = { .dir = dir, .out_fd = -1 };
  cbt_result_t r;

  rel_run(&o, argv, &r);
  rel_expect_exit(&r, 0, "the fixture run");
  cbt_result_free(&r);
}


const char *const rel_writers[][18] = {
  { "run", "-w", "noop", "-r", "serial", "-t", "10", "--reps", "3", "--warmup", "0", "-q", NULL },
  { "summary", "in.csv", "-q", NULL },
  { "report", "in.csv", NULL },
  { "compare", "in.csv", "in.csv", NULL },
  { "compare", "--export", "bmf", "in.csv", NULL },
  { "ab", "--base", "@BIN", "-w", "noop", "-r", "serial", "-t", "10", "--reps", "5",
    "--warmup", "0", "--threshold", "99", "-q", NULL },
};

const size_t rel_writers_n = sizeof(rel_writers) / sizeof(rel_writers[0]);

void rel_writer_argv(size_t i, const char *out, const char **argv)
{
  size_t n;

  for (n = 0; rel_writers[i][n] != NULL; n++)
    argv[n] = strcmp(rel_writers[i][n], "@BIN") == 0 ? getenv("CONCBENCH") : rel_writers[i][n];
  argv[n++] = "-o";
  argv[n++] = out;
  argv[n] = NULL;
}

int rel_start(void)
{
  if (getenv("CONCBENCH") == NULL) {
    fprintf(stderr, "CONCBENCH is not set (meson test sets it)\n");
    return -1;
  }
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    fprintf(stderr, "cannot become a child subreaper: %s\n", strerror(errno));
    return -1;
  }
  return 0;
}
