/* What an adversarial user tries with outputs (docs/RELIABILITY.md,
 * "Adversarial use"), one test per class of failure:
 *
 * - outputs of every kind (FIFO with and without a reader, socket,
 *   directory, device, /dev/stdout into a pipe) for every command, and an
 *   output that is an input through links;
 * - two runs on one output.
 *
 * Each test runs the binary (path in $CONCBENCH) with fork+execv, never a
 * shell; the test makes itself a child subreaper (tests/test_rel.c), so a
 * process that outlives the command it belongs to comes back here and is
 * counted. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "stats.h"
#include "summary.h"
#include "table.h"
#include "common.h"
#include "test_rel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 40
#define POLL_MS 20

/* ---- 4. outputs of every kind --------------------------------------------- */

static void make_socket(const char *path)
{
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);

  assert_true(fd >= 0);
  assert_true(strlen(path) < sizeof(a.sun_path));
  memcpy(a.sun_path, path, strlen(path) + 1);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
  close(fd);
}

/* Refused up front, whatever the command: a FIFO nobody reads (opening it
 * would block for ever), a socket, a directory. */
static void test_outputs_refused(void **state)
{
  static const struct {
    const char *name, *needle;
  } kinds[] = {
    { "fifo", "a FIFO that nobody reads" },
    { "sock", "a socket" },
    { "dir", "a directory" },
  };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], path[320], what[1024];
  const char *argv[20];
  size_t i, k;
  cbt_result_t r;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "kinds");
  rel_make_trials(dir, "in.csv");
  o.dir = dir;
  rel_path_in(path, sizeof(path), dir, "fifo");
  assert_int_equal(mkfifo(path, 0644), 0);
  rel_path_in(path, sizeof(path), dir, "sock");
  make_socket(path);
  rel_path_in(path, sizeof(path), dir, "dir");
  assert_int_equal(mkdir(path, 0755), 0);
  for (i = 0; i < rel_writers_n; i++) {
    for (k = 0; k < ARRAY_SIZE(kinds); k++) {
      rel_writer_argv(i, kinds[k].name, argv);
      cbt_describe(argv, what, sizeof(what));
      rel_run(&o, argv, &r);
      rel_expect_exit(&r, 2, what);
      cbt_expect_in(r.err, kinds[k].needle, what);
      rel_expect_lines(r.err, what);
      cbt_result_free(&r);
    }
  }
  /* Beside run's CSV: a FIFO nobody reads as its metadata, a directory as
   * its summary; refused before any trial (no CSV). */
  for (k = 0; k < 2; k++) {
    const char *csv = k == 0 ? "a.csv" : "b.csv";
    rel_path_in(path, sizeof(path), dir, k == 0 ? "a.meta.json" : "b.summary.csv");
    if (k == 0)
      assert_int_equal(mkfifo(path, 0644), 0);
    else
      assert_int_equal(mkdir(path, 0755), 0);
    rel_writer_argv(0, csv, argv);
    cbt_describe(argv, what, sizeof(what));
    rel_run(&o, argv, &r);
    rel_expect_exit(&r, 2, what);
    cbt_expect_in(r.err, k == 0 ? "a FIFO that nobody reads" : "a directory", what);
    rel_path_in(path, sizeof(path), dir, csv);
    if (cbt_exists(path))
      fail_msg("%s: wrote its CSV though an output beside it was refused", what);
    cbt_result_free(&r);
  }
  assert_int_equal(rel_survivors(), 0);
  cbt_remove_tree(dir);
}

/* A reader of a FIFO, in a child: everything it reads goes to a file. It
 * has the FIFO open when this returns (a writer opening it then finds a
 * reader), and ends at end-of-file once something came. */
static pid_t fifo_reader(const char *fifo, const char *into)
{
  int ready[2];
  char byte = 1;
  pid_t pid;

  assert_int_equal(pipe(ready), 0);
  fflush(NULL);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char buf[4096];
    int in = open(fifo, O_RDONLY | O_NONBLOCK), out = open(into, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    long waited = 0;
    int got = 0;
    ssize_t n;
    if (in < 0 || out < 0 || write(ready[1], &byte, 1) != 1)
      _exit(1);
    for (;;) {
      n = read(in, buf, sizeof(buf));
      if (n > 0) {
        got = 1;
        if (write(out, buf, (size_t)n) != n)
          _exit(1);
        continue;
      }
      if (n == 0 && got)
        _exit(0);
      if (n < 0 && errno != EAGAIN)
        _exit(1);
      if ((waited += 10) > REL_WAIT_S * 1000L)
        _exit(1);
      cbt_sleep_ms(10); /* no writer yet, or nothing written yet */
    }
  }
  close(ready[1]);
  assert_int_equal(read(ready[0], &byte, 1), 1);
  close(ready[0]);
  return pid;
}

/* A FIFO with a reader takes the result once, complete: for run, one header
 * and every trial, not the CSV again after every trial. The same through
 * /dev/stdout into a pipe, and /dev/null takes everything and nothing
 * appears beside it. */
static void test_outputs_streamed_once(void **state)
{
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], fifo[320], got[320], what[1024];
  const char *argv[20];
  cbt_result_t r;
  size_t i;
  pid_t reader;
  int st, pfd[2];
  char *text;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "stream");
  rel_make_trials(dir, "in.csv");
  o.dir = dir;
  rel_path_in(fifo, sizeof(fifo), dir, "fifo");
  rel_path_in(got, sizeof(got), dir, "got");
  assert_int_equal(mkfifo(fifo, 0644), 0);
  for (i = 0; i < rel_writers_n; i++) {
    reader = fifo_reader(fifo, got);
    rel_writer_argv(i, "fifo", argv);
    cbt_describe(argv, what, sizeof(what));
    rel_run(&o, argv, &r);
    /* ab's exit code is its verdict on two equal builds (1 by chance): not
     * the subject here */
    if (!(strcmp(argv[0], "ab") == 0 && WEXITSTATUS(r.status) == 1))
      rel_expect_exit(&r, 0, what);
    st = cbt_wait(reader, REL_WAIT_S, "the FIFO's reader");
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    text = cbt_slurp_path(got, NULL);
    if (i == 0) {
      /* one header, three trials: four lines */
      assert_int_equal(cbt_count_lines_with(text, "run_id,"), 1);
      assert_int_equal(cbt_count_lines_with(text, ""), 4);
    } else if (strcmp(argv[0], "ab") == 0) {
      /* one header, five trials of each side */
      assert_int_equal(cbt_count_lines_with(text, "side,"), 1);
      assert_int_equal(cbt_count_lines_with(text, ""), 11);
    } else if (text[0] == '\0') {
      fail_msg("%s: nothing came through the FIFO", what);
    }
    free(text);
    cbt_result_free(&r);
  }
  /* /dev/stdout into a pipe, for run: one header, three rows, and the
   * run's own words on stderr, not in the CSV. */
  assert_int_equal(pipe(pfd), 0);
  o.out_fd = pfd[1];
  rel_writer_argv(0, "/dev/stdout", argv);
  rel_run(&o, argv, &r);
  close(pfd[1]);
  o.out_fd = -1;
  rel_expect_exit(&r, 0, "run -o /dev/stdout into a pipe");
  {
    char buf[65536];
    ssize_t n, len = 0;
    while ((n = read(pfd[0], buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
      len += n;
    buf[len] = '\0';
    close(pfd[0]);
    assert_int_equal(cbt_count_lines_with(buf, "run_id,"), 1);
    if (strstr(buf, "wrote ") != NULL)
      fail_msg("the run's words went into its CSV on stdout: %s", buf);
  }
  cbt_expect_in(r.err, "wrote 3 trials to /dev/stdout", "run's stderr");
  cbt_result_free(&r);
  /* /dev/stdout onto an unlinked file (this test's capture): written in
   * place, since there is no name to replace it by; renaming over the path
   * would have replaced the /dev/stdout link itself. */
  {
    static const char *const sum[] = { "summary", "in.csv", "-q", "-o", "/dev/stdout", NULL };
    struct stat st;
    rel_run(&o, sum, &r);
    rel_expect_exit(&r, 0, "summary -o /dev/stdout onto an unlinked file");
    assert_int_equal(cbt_count_lines_with(r.out, "host,workload,"), 1);
    assert_int_equal(lstat("/dev/stdout", &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    cbt_result_free(&r);
  }
  /* /dev/null: fine, and nothing beside it. */
  rel_writer_argv(0, "/dev/null", argv);
  rel_run(&o, argv, &r);
  rel_expect_exit(&r, 0, "run -o /dev/null");
  assert_false(cbt_exists("/dev/null.summary.csv"));
  assert_false(cbt_exists("/dev/null.meta.json"));
  assert_false(cbt_exists("/dev/null.lock"));
  cbt_result_free(&r);
  assert_int_equal(rel_survivors(), 0);
  cbt_remove_tree(dir);
}

/* An output reached through a link to an input is that input. */
static void test_output_is_input_through_links(void **state)
{
  static const char *const argv1[] = { "summary", "in.csv", "-o", "link.csv", NULL };
  static const char *const argv2[] = { "report", "in.csv", "-o", "hard.csv", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], path[320], other[320];
  char *before, *after;
  cbt_result_t r;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "links");
  rel_make_trials(dir, "in.csv");
  o.dir = dir;
  rel_path_in(path, sizeof(path), dir, "in.csv");
  before = cbt_slurp_path(path, NULL);
  rel_path_in(other, sizeof(other), dir, "link.csv");
  assert_int_equal(symlink("in.csv", other), 0);
  rel_path_in(other, sizeof(other), dir, "hard.csv");
  assert_int_equal(link(path, other), 0);
  rel_run(&o, argv1, &r);
  rel_expect_exit(&r, 2, "summary -o a symlink to its input");
  cbt_expect_in(r.err, "is the input", "summary");
  cbt_result_free(&r);
  rel_run(&o, argv2, &r);
  rel_expect_exit(&r, 2, "report -o a hard link to its input");
  cbt_result_free(&r);
  after = cbt_slurp_path(path, NULL);
  assert_string_equal(after, before);
  free(before);
  free(after);
  cbt_remove_tree(dir);
}

/* ---- 5. two runs on one output -------------------------------------------- */

static void test_second_run_refused(void **state)
{
  static const char *const slow[] = { "run", "-w", "io.sleep", "-s", "200000", "-t", "5",
                                      "-r", "serial", "--reps", "50", "--warmup", "0", "-q",
                                      "-o", "out.csv", NULL };
  static const char *const quick[] = { "run", "-w", "noop", "-r", "serial", "-t", "10",
                                       "--reps", "1", "--warmup", "0", "-q", "-o", "out.csv",
                                       NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], lock[320], pid_text[32], *text;
  int null = open("/dev/null", O_WRONLY | O_CLOEXEC), st;
  long waited;
  cbt_result_t r;
  pid_t first;

  (void)state;
  rel_make_dir(dir, sizeof(dir), "lock");
  o.dir = dir;
  rel_path_in(lock, sizeof(lock), dir, "out.lock");
  first = cbt_start(&o, slow, null, null);
  /* until the first run holds the lock and has written its PID in it */
  snprintf(pid_text, sizeof(pid_text), "%ld\n", (long)first);
  for (waited = 0;; waited += POLL_MS) {
    text = cbt_exists(lock) ? cbt_slurp_path(lock, NULL) : NULL;
    if (text != NULL && strcmp(text, pid_text) == 0)
      break;
    free(text);
    if (waited > REL_WAIT_S * 1000L) {
      kill(first, SIGKILL);
      fail_msg("the first run never held its lock");
    }
    cbt_sleep_ms(POLL_MS);
  }
  free(text);
  rel_run(&o, quick, &r);
  rel_expect_exit(&r, 2, "a second run on the same output");
  snprintf(pid_text, sizeof(pid_text), "PID %ld", (long)first);
  cbt_expect_in(r.err, pid_text, "the second run's message");
  rel_expect_lines(r.err, "the second run");
  cbt_result_free(&r);
  /* The first one goes on, then stops cleanly and lets go. */
  assert_int_equal(kill(first, SIGTERM), 0);
  st = cbt_wait(first, REL_WAIT_S, "the first run");
  assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM);
  assert_false(cbt_exists(lock));
  rel_run(&o, quick, &r);
  rel_expect_exit(&r, 0, "a run after the first ended");
  cbt_result_free(&r);
  close(null);
  assert_int_equal(rel_survivors(), 0);
  cbt_remove_tree(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_outputs_refused),
    cmocka_unit_test(test_outputs_streamed_once),
    cmocka_unit_test(test_output_is_input_through_links),
    cmocka_unit_test(test_second_run_refused),
  };

  if (rel_start() != 0)
    return 1;
  return cmocka_run_group_tests(tests, NULL, NULL);
}
