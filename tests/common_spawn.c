/* The test helpers that run a program (tests/common.h): concbench or another
 * binary as a child with its limits, environment and working directory, its
 * stdout, stderr and exit status captured, and the checks on what it printed.
 * Written once so that a test holds what it checks, not another copy of how
 * to fork. */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 64
#define POLL_MS 20

/* ---- running a program ---------------------------------------------------- */

const char *cbt_concbench(void)
{
  const char *bin = getenv("CONCBENCH");

  if (bin == NULL || bin[0] != '/')
    fail_msg("CONCBENCH must hold the binary's absolute path (got '%s')", bin ? bin : "");
  return bin;
}

/* In the child: everything o asks for, or exit 126. */
static void child_setup(const cbt_spawn_t *o, int out, int err)
{
  const char *in = o->in != NULL ? o->in : "/dev/null";
  int fd = open(in, O_RDONLY);
  struct rlimit rl;
  size_t i;

  if (fd < 0 || dup2(fd, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
    _exit(126);
  if (o->dir != NULL && chdir(o->dir) != 0)
    _exit(126);
  if (o->tmpdir != NULL && setenv("TMPDIR", o->tmpdir, 1) != 0)
    _exit(126);
  for (i = 0; o->env != NULL && o->env[i] != NULL; i++) {
    if (strchr(o->env[i], '=') != NULL ? putenv((char *)o->env[i]) != 0
                                       : unsetenv(o->env[i]) != 0)
      _exit(126);
  }
  if (o->stack != 0) {
    rl.rlim_cur = rl.rlim_max = o->stack;
    if (setrlimit(RLIMIT_STACK, &rl) != 0)
      _exit(126);
  }
  if (o->nofile != 0) {
    rl.rlim_cur = rl.rlim_max = o->nofile;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
      _exit(126);
  }
  if (o->nobody && (setgid(65534) != 0 || setuid(65534) != 0))
    _exit(126);
}

pid_t cbt_start(const cbt_spawn_t *o, const char *const *argv, int out, int err)
{
  static const cbt_spawn_t none;
  const char *args[MAX_ARGS + 2];
  size_t i;
  pid_t pid;

  if (o == NULL)
    o = &none;
  args[0] = o->prog != NULL ? o->prog : cbt_concbench();
  for (i = 0; argv[i] != NULL; i++) {
    assert_true(i < MAX_ARGS);
    args[i + 1] = argv[i];
  }
  args[i + 1] = NULL;
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    child_setup(o, out, err);
    execv(args[0], (char *const *)args);
    _exit(127);
  }
  return pid;
}

int cbt_try_wait(pid_t pid, double timeout_s, int *status)
{
  long waited;
  pid_t r;

  if (timeout_s <= 0) {
    while (waitpid(pid, status, 0) < 0)
      assert_int_equal(errno, EINTR);
    return 0;
  }
  for (waited = 0; waited <= (long)(timeout_s * 1000); waited += POLL_MS) {
    r = waitpid(pid, status, WNOHANG);
    if (r == pid)
      return 0;
    assert_true(r == 0 || errno == EINTR);
    cbt_sleep_ms(POLL_MS);
  }
  kill(pid, SIGKILL);
  waitpid(pid, status, 0);
  return -1;
}

int cbt_wait(pid_t pid, double timeout_s, const char *what)
{
  int status;

  if (cbt_try_wait(pid, timeout_s, &status) != 0)
    fail_msg("%s did not end within %.0f s", what, timeout_s);
  return status;
}

/* An unlinked temporary file for one of the child's outputs: in /tmp, as
 * tmpfile(3) makes them, whatever TMPDIR a test gives the child. */
int cbt_temp_fd(void)
{
  char path[] = "/tmp/cb-test-out-XXXXXX";
  int fd;

  fd = mkostemp(path, O_CLOEXEC);
  if (fd < 0)
    fail_msg("mkostemp %s: %s", path, strerror(errno));
  unlink(path);
  return fd;
}

/* The status into r, and stdout (unless out < 0) and stderr. */
static void collect(int status, int out, int err, cbt_result_t *r)
{
  r->status = status;
  r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (out < 0) {
    r->out = strdup("");
    assert_non_null(r->out);
    r->outlen = 0;
  } else {
    r->out = cbt_slurp_fd(out, &r->outlen);
    close(out);
  }
  r->err = cbt_slurp_fd(err, &r->errlen);
  close(err);
}

void cbt_finish(pid_t pid, int out, int err, double timeout_s, const char *what,
                cbt_result_t *r)
{
  collect(cbt_wait(pid, timeout_s, what), out, err, r);
}

void cbt_run(const cbt_spawn_t *o, const char *const *argv, cbt_result_t *r)
{
  static const cbt_spawn_t none;
  char what[1024];
  int out, err = cbt_temp_fd();
  pid_t pid;

  if (o == NULL)
    o = &none;
  out = o->out_fd > 0 ? o->out_fd : cbt_temp_fd();
  cbt_describe(argv, what, sizeof(what));
  pid = cbt_start(o, argv, out, err);
  collect(cbt_wait(pid, o->timeout_s, what), o->out_fd > 0 ? -1 : out, err, r);
}

void cbt_vrunl(const cbt_spawn_t *o, cbt_result_t *r, const char *const *pre, va_list ap)
{
  const char *argv[MAX_ARGS + 1];
  size_t n = 0;

  while (pre != NULL && pre[n] != NULL) {
    assert_true(n < MAX_ARGS);
    argv[n] = pre[n];
    n++;
  }
  while ((argv[n] = va_arg(ap, const char *)) != NULL) {
    assert_true(n < MAX_ARGS);
    n++;
  }
  cbt_run(o, argv, r);
}

void cbt_runl(const cbt_spawn_t *o, cbt_result_t *r, ...)
{
  va_list ap;

  va_start(ap, r);
  cbt_vrunl(o, r, NULL, ap);
  va_end(ap);
}

cbt_spawn_t cbt_in_dir(const cbt_dir_t *d)
{
  return (cbt_spawn_t){ .dir = d->path, .tmpdir = d->tmp };
}

void cbt_run_in(const cbt_dir_t *d, cbt_result_t *r, ...)
{
  cbt_spawn_t o = cbt_in_dir(d);
  va_list ap;

  va_start(ap, r);
  cbt_vrunl(&o, r, NULL, ap);
  va_end(ap);
}

void cbt_result_free(cbt_result_t *r)
{
  free(r->out);
  free(r->err);
  memset(r, 0, sizeof(*r));
}

void cbt_rerun(const cbt_spawn_t *o, const char *const *argv, cbt_result_t *r)
{
  cbt_result_free(r);
  cbt_run(o, argv, r);
}

void cbt_describe(const char *const *argv, char *buf, size_t len)
{
  size_t i, used = (size_t)snprintf(buf, len, "concbench");

  for (i = 0; argv[i] != NULL && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, " '%s'", argv[i]);
}

void cbt_expect_no_crash(const cbt_result_t *r, const char *what)
{
  if (WIFSIGNALED(r->status))
    fail_msg("%s: killed by signal %d; stderr: %s", what, WTERMSIG(r->status), r->err);
  assert_true(WIFEXITED(r->status));
  if (WEXITSTATUS(r->status) >= 126)
    fail_msg("%s: exit code %d (crash, or could not start); stderr: %s", what,
             WEXITSTATUS(r->status), r->err);
}

void cbt_expect_code(const cbt_result_t *r, int code)
{
  if (r->code != code)
    fail_msg("exit code %d, expected %d\nstdout:\n%s\nstderr:\n%s", r->code, code, r->out, r->err);
}

void cbt_expect_exit(const cbt_result_t *r, int code, const char *what)
{
  if (WIFSIGNALED(r->status))
    fail_msg("%s: killed by signal %d; stderr: %s", what, WTERMSIG(r->status), r->err);
  if (r->code != code)
    fail_msg("%s: exit %d, expected %d; stderr: %s", what, r->code, code, r->err);
}

void cbt_expect_in(const char *text, const char *needle, const char *what)
{
  if (text == NULL)
    fail_msg("%s is empty, expected '%s'", what, needle);
  if (strstr(text, needle) == NULL)
    fail_msg("%s does not contain '%s':\n%s", what, needle, text);
}

void cbt_expect_not_in(const char *text, const char *needle, const char *what)
{
  if (text != NULL && strstr(text, needle) != NULL)
    fail_msg("%s contains '%s':\n%s", what, needle, text);
}

void cbt_line_of(const char *text, const char *needle, char *buf, size_t len)
{
  const char *p = strstr(text, needle), *s, *e;

  if (p == NULL)
    fail_msg("no line holds '%s':\n%s", needle, text);
  for (s = p; s > text && s[-1] != '\n'; s--)
    ;
  e = strchr(p, '\n');
  if (e == NULL)
    e = p + strlen(p);
  snprintf(buf, len, "%.*s", (int)(e - s), s);
}

json_t *cbt_parse_json(const char *text)
{
  json_error_t je;
  json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);

  if (root == NULL)
    fail_msg("invalid JSON at line %d column %d: %s\n%s", je.line, je.column, je.text, text);
  return root;
}

void cbt_expect_json(const char *text, char open)
{
  const char *p = text;

  json_decref(cbt_parse_json(text));
  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
    p++;
  if (*p != open)
    fail_msg("JSON does not start with '%c':\n%s", open, text);
}

size_t cbt_count_lines_with(const char *text, const char *prefix)
{
  size_t n = 0, len = strlen(prefix);
  const char *p = text;

  while (p != NULL && *p != '\0') {
    n += strncmp(p, prefix, len) == 0;
    p = strchr(p, '\n');
    if (p != NULL)
      p++;
  }
  return n;
}
