/* What an adversarial user tries (docs/RELIABILITY.md, "Adversarial
 * use"), one test per class of failure, each on the binary (path in
 * $CONCBENCH) started with fork+execv, never a shell:
 *
 * - a small stack (RLIMIT_STACK 28 KiB) for every command;
 * - expected checksums that would take hours: killed at the trial timeout;
 * - outputs of every kind (FIFO with and without a reader, socket,
 *   directory, device, /dev/stdout into a pipe) for every command;
 * - two runs on one output; a run killed with SIGKILL, whose scratch
 *   directory the next run removes, as the next writer removes temporary
 *   files of writers killed half way;
 * - plot interrupted while gnuplot runs, and a gnuplot that writes
 *   incomplete charts (a full disk), and too few file descriptors;
 * - stdout that cannot be written, a directory that cannot be written;
 * - a large generated CSV (300000 trials in one cell: a quadratic statistic
 *   could not finish within the test's timeout; no time is measured);
 * - Markdown injection through host names and --charts;
 * - workers killed from outside.
 *
 * The test makes itself a child subreaper, so a process that outlives the
 * command it belongs to comes back here and is counted. */
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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS 40
#define POLL_MS 20
#define WAIT_S 100 /* for any one command; a hang is a failure, not a test timeout */

/* ---- running concbench ---------------------------------------------------- */

/* Run concbench, bounded by WAIT_S; it must end by itself (no signal) and
 * start (exit below 126). */
static void run(const cbt_spawn_t *o, const char *const *argv, cbt_result_t *r)
{
  cbt_spawn_t bounded = *o;
  char what[1024];

  bounded.timeout_s = WAIT_S;
  cbt_describe(argv, what, sizeof(what));
  cbt_run(&bounded, argv, r);
  cbt_expect_no_crash(r, what);
}

static void expect_exit(const cbt_result_t *r, int code, const char *what)
{
  if (WEXITSTATUS(r->status) != code)
    fail_msg("%s: exit %d, expected %d; stderr: %s", what, WEXITSTATUS(r->status), code, r->err);
}

/* Every line of stderr starts with "concbench", and there is at least one. */
static void expect_lines(const char *err, const char *what)
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

/* Descendants that outlived their command (they come to us, the
 * subreaper); 0 is the only right answer. */
static int survivors(void)
{
  int n = 0;

  cbt_sleep_ms(50);
  while (waitpid(-1, NULL, WNOHANG) > 0)
    n++;
  return n;
}

/* After a kill from outside, descendants die with their parent (they come
 * to us to be reaped): 1 when, reaped, none is left within the deadline. */
static int none_alive(void)
{
  long waited;
  pid_t r;

  for (waited = 0; waited <= WAIT_S * 1000L; waited += POLL_MS) {
    while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
      ;
    if (r < 0 && errno == ECHILD)
      return 1;
    cbt_sleep_ms(POLL_MS);
  }
  return 0;
}

/* ---- files ---------------------------------------------------------------- */

static void path_in(char *buf, size_t len, const char *dir, const char *name)
{
  snprintf(buf, len, "%s/%s", dir, name);
}

/* Readable by the user nobody, for the runs that drop to it. */
static void make_dir(char *buf, size_t len, const char *what)
{
  cbt_make_dir(buf, len, what);
  assert_int_equal(chmod(buf, 0755), 0);
}

/* A quick valid run into dir/name (two cells, five trials each: enough for
 * compare to decide). */
static void make_trials(const char *dir, const char *name)
{
  const char *argv[] = { "run", "-w", "noop", "-r", "serial,threads", "-c", "1", "-t", "50",
                         "--reps", "5", "--warmup", "0", "-p", "none", "-q", "-o", name, NULL };
  cbt_spawn_t o = { .dir = dir, .out_fd = -1 };
  cbt_result_t r;

  run(&o, argv, &r);
  expect_exit(&r, 0, "the fixture run");
  cbt_result_free(&r);
}

/* ---- 1. small stack; work on a trial's behalf under its timeout ----------- */

static void test_small_stack(void **state)
{
  static const char *const cmds[][16] = {
    { "list", NULL },
    { "topology", NULL },
    { "--version", NULL },
    { "run", "-w", "noop,cpu.hash,io.file", "-r", "serial,threads,processes", "-c", "1,2",
      "-t", "20", "-s", "10", NULL },
    { "summary", "in.csv", "-q", NULL },
    { "report", "in.csv", NULL },
    { "compare", "in.csv", "in.csv", NULL },
    { "compare", "--export", "gbench", "in.csv", NULL },
    { "fingerprint", NULL },
    { "fingerprint", "--check", "in.csv", "in.csv", NULL },
    /* a binary against itself: --threshold 99, so that noise in trials of
     * 20 empty tasks can never read as a regression (exit 1) */
    { "ab", "--base", "@BIN", "-w", "noop", "-r", "serial,threads", "-t", "20", "--reps", "5",
      "--threshold", "99", NULL },
  };
  cbt_spawn_t o = { .stack = 28 * 1024, .out_fd = -1 };
  char dir[256], what[1024];
  const char *argv[20];
  size_t i, k, n;
  cbt_result_t r;
  int rep;

  (void)state;
  make_dir(dir, sizeof(dir), "stack");
  make_trials(dir, "in.csv");
  o.dir = dir;
  /* The stack's start moves with address randomisation: several tries. */
  for (rep = 0; rep < 4; rep++) {
    for (i = 0; i < ARRAY_SIZE(cmds); i++) {
      for (n = 0; cmds[i][n] != NULL; n++)
        argv[n] = strcmp(cmds[i][n], "@BIN") == 0 ? getenv("CONCBENCH") : cmds[i][n];
      if (strcmp(argv[0], "run") == 0) {
        const char *more[] = { "--reps", "1", "--warmup", "0", "-q", "-o", "run.csv" };
        for (k = 0; k < ARRAY_SIZE(more); k++)
          argv[n++] = more[k];
      }
      if (strcmp(argv[0], "ab") == 0) {
        const char *more[] = { "--warmup", "0", "-q", "-o", "ab.csv" };
        for (k = 0; k < ARRAY_SIZE(more); k++)
          argv[n++] = more[k];
      }
      argv[n] = NULL;
      cbt_describe(argv, what, sizeof(what));
      run(&o, argv, &r);
      expect_exit(&r, 0, what);
      cbt_result_free(&r);
    }
  }
  assert_int_equal(survivors(), 0);
  cbt_remove_tree(dir);
}

/* Expected checksums that would take hours (cpu.hash at its largest size)
 * are computed by a supervised child and killed at the trial timeout: the
 * trial is recorded as a timeout that says so. */
static void test_expected_checksums_time_out(void **state)
{
  static const char *const argv[] = { "run", "-w", "cpu.hash", "-s", "10000000000", "-r",
                                       "serial", "-t", "100", "--reps", "2", "--warmup", "0",
                                       "--trial-timeout", "1", "-o", "out.csv", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], path[320], err[256];
  cb_table_t t;
  cbt_result_t r;
  size_t row;

  (void)state;
  make_dir(dir, sizeof(dir), "expect");
  o.dir = dir;
  run(&o, argv, &r);
  expect_exit(&r, 1, "run with hour-long expected checksums");
  cbt_expect_in(r.err, "computing the expected checksums: killed after 1 s", "stderr");
  path_in(path, sizeof(path), dir, "out.csv");
  if (cb_table_load(path, &t, err, sizeof(err)) != 0)
    fail_msg("%s", err);
  assert_int_equal(t.rows, 3);
  for (row = 1; row < t.rows; row++) {
    assert_string_equal(cb_table_get(&t, row, (size_t)cb_table_col(&t, "status")), "timeout");
    cbt_expect_in(cb_table_get(&t, row, (size_t)cb_table_col(&t, "message")),
              "computing the expected checksums", "the row's message");
  }
  cb_table_free(&t);
  cbt_result_free(&r);
  assert_int_equal(survivors(), 0);
  cbt_remove_tree(dir);
}

/* ---- 4. outputs of every kind --------------------------------------------- */

/* Every command that writes an output, without its "-o FILE"; @BIN is the
 * binary itself (ab's base). */
static const char *const writers[][18] = {
  { "run", "-w", "noop", "-r", "serial", "-t", "10", "--reps", "3", "--warmup", "0", "-q", NULL },
  { "summary", "in.csv", "-q", NULL },
  { "report", "in.csv", NULL },
  { "compare", "in.csv", "in.csv", NULL },
  { "compare", "--export", "bmf", "in.csv", NULL },
  { "ab", "--base", "@BIN", "-w", "noop", "-r", "serial", "-t", "10", "--reps", "5",
    "--warmup", "0", "--threshold", "99", "-q", NULL },
};

/* argv of writers[i] with "-o out" after it. */
static void writer_argv(size_t i, const char *out, const char **argv)
{
  size_t n;

  for (n = 0; writers[i][n] != NULL; n++)
    argv[n] = strcmp(writers[i][n], "@BIN") == 0 ? getenv("CONCBENCH") : writers[i][n];
  argv[n++] = "-o";
  argv[n++] = out;
  argv[n] = NULL;
}

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
  make_dir(dir, sizeof(dir), "kinds");
  make_trials(dir, "in.csv");
  o.dir = dir;
  path_in(path, sizeof(path), dir, "fifo");
  assert_int_equal(mkfifo(path, 0644), 0);
  path_in(path, sizeof(path), dir, "sock");
  make_socket(path);
  path_in(path, sizeof(path), dir, "dir");
  assert_int_equal(mkdir(path, 0755), 0);
  for (i = 0; i < ARRAY_SIZE(writers); i++) {
    for (k = 0; k < ARRAY_SIZE(kinds); k++) {
      writer_argv(i, kinds[k].name, argv);
      cbt_describe(argv, what, sizeof(what));
      run(&o, argv, &r);
      expect_exit(&r, 2, what);
      cbt_expect_in(r.err, kinds[k].needle, what);
      expect_lines(r.err, what);
      cbt_result_free(&r);
    }
  }
  /* Beside run's CSV: a FIFO nobody reads as its metadata, a directory as
   * its summary; refused before any trial (no CSV). */
  for (k = 0; k < 2; k++) {
    const char *csv = k == 0 ? "a.csv" : "b.csv";
    path_in(path, sizeof(path), dir, k == 0 ? "a.meta.json" : "b.summary.csv");
    if (k == 0)
      assert_int_equal(mkfifo(path, 0644), 0);
    else
      assert_int_equal(mkdir(path, 0755), 0);
    writer_argv(0, csv, argv);
    cbt_describe(argv, what, sizeof(what));
    run(&o, argv, &r);
    expect_exit(&r, 2, what);
    cbt_expect_in(r.err, k == 0 ? "a FIFO that nobody reads" : "a directory", what);
    path_in(path, sizeof(path), dir, csv);
    if (cbt_exists(path))
      fail_msg("%s: wrote its CSV though an output beside it was refused", what);
    cbt_result_free(&r);
  }
  assert_int_equal(survivors(), 0);
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
      if ((waited += 10) > WAIT_S * 1000L)
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
  make_dir(dir, sizeof(dir), "stream");
  make_trials(dir, "in.csv");
  o.dir = dir;
  path_in(fifo, sizeof(fifo), dir, "fifo");
  path_in(got, sizeof(got), dir, "got");
  assert_int_equal(mkfifo(fifo, 0644), 0);
  for (i = 0; i < ARRAY_SIZE(writers); i++) {
    reader = fifo_reader(fifo, got);
    writer_argv(i, "fifo", argv);
    cbt_describe(argv, what, sizeof(what));
    run(&o, argv, &r);
    /* ab's exit code is its verdict on two equal builds (1 by chance): not
     * the subject here */
    if (!(strcmp(argv[0], "ab") == 0 && WEXITSTATUS(r.status) == 1))
      expect_exit(&r, 0, what);
    st = cbt_wait(reader, WAIT_S, "the FIFO's reader");
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
  writer_argv(0, "/dev/stdout", argv);
  run(&o, argv, &r);
  close(pfd[1]);
  o.out_fd = -1;
  expect_exit(&r, 0, "run -o /dev/stdout into a pipe");
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
    run(&o, sum, &r);
    expect_exit(&r, 0, "summary -o /dev/stdout onto an unlinked file");
    assert_int_equal(cbt_count_lines_with(r.out, "host,workload,"), 1);
    assert_int_equal(lstat("/dev/stdout", &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    cbt_result_free(&r);
  }
  /* /dev/null: fine, and nothing beside it. */
  writer_argv(0, "/dev/null", argv);
  run(&o, argv, &r);
  expect_exit(&r, 0, "run -o /dev/null");
  assert_false(cbt_exists("/dev/null.summary.csv"));
  assert_false(cbt_exists("/dev/null.meta.json"));
  assert_false(cbt_exists("/dev/null.lock"));
  cbt_result_free(&r);
  assert_int_equal(survivors(), 0);
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
  make_dir(dir, sizeof(dir), "links");
  make_trials(dir, "in.csv");
  o.dir = dir;
  path_in(path, sizeof(path), dir, "in.csv");
  before = cbt_slurp_path(path, NULL);
  path_in(other, sizeof(other), dir, "link.csv");
  assert_int_equal(symlink("in.csv", other), 0);
  path_in(other, sizeof(other), dir, "hard.csv");
  assert_int_equal(link(path, other), 0);
  run(&o, argv1, &r);
  expect_exit(&r, 2, "summary -o a symlink to its input");
  cbt_expect_in(r.err, "is the input", "summary");
  cbt_result_free(&r);
  run(&o, argv2, &r);
  expect_exit(&r, 2, "report -o a hard link to its input");
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
  make_dir(dir, sizeof(dir), "lock");
  o.dir = dir;
  path_in(lock, sizeof(lock), dir, "out.lock");
  first = cbt_start(&o, slow, null, null);
  /* until the first run holds the lock and has written its PID in it */
  snprintf(pid_text, sizeof(pid_text), "%ld\n", (long)first);
  for (waited = 0;; waited += POLL_MS) {
    text = cbt_exists(lock) ? cbt_slurp_path(lock, NULL) : NULL;
    if (text != NULL && strcmp(text, pid_text) == 0)
      break;
    free(text);
    if (waited > WAIT_S * 1000L) {
      kill(first, SIGKILL);
      fail_msg("the first run never held its lock");
    }
    cbt_sleep_ms(POLL_MS);
  }
  free(text);
  run(&o, quick, &r);
  expect_exit(&r, 2, "a second run on the same output");
  snprintf(pid_text, sizeof(pid_text), "PID %ld", (long)first);
  cbt_expect_in(r.err, pid_text, "the second run's message");
  expect_lines(r.err, "the second run");
  cbt_result_free(&r);
  /* The first one goes on, then stops cleanly and lets go. */
  assert_int_equal(kill(first, SIGTERM), 0);
  st = cbt_wait(first, WAIT_S, "the first run");
  assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM);
  assert_false(cbt_exists(lock));
  run(&o, quick, &r);
  expect_exit(&r, 0, "a run after the first ended");
  cbt_result_free(&r);
  close(null);
  assert_int_equal(survivors(), 0);
  cbt_remove_tree(dir);
}

/* ---- 6. kills and signals ------------------------------------------------- */

/* A scratch directory of this run's own, in `tmp`, or "" when none yet. */
static void scratch_of(const char *tmp, pid_t pid, char *buf, size_t len)
{
  char prefix[64];
  struct dirent *e;
  DIR *d = opendir(tmp);

  buf[0] = '\0';
  snprintf(prefix, sizeof(prefix), "concbench-%ld-", (long)pid);
  while (d != NULL && (e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
      snprintf(buf, len, "%s/%s", tmp, e->d_name);
  }
  if (d != NULL)
    closedir(d);
}

/* SIGKILL leaves the trial's scratch directory; the next run removes it,
 * and leaves alone one whose owner lives and one that is not a concbench
 * scratch directory. */
static void test_killed_run_scratch_is_swept(void **state)
{
  static const char *const slow[] = { "run", "-w", "io.sleep", "-s", "1000000", "-t", "100",
                                      "-r", "serial", "--reps", "1", "--warmup", "0", "-q",
                                      "-o", "out.csv", NULL };
  static const char *const quick[] = { "run", "-w", "noop", "-r", "serial", "-t", "10",
                                       "--reps", "1", "--warmup", "0", "-q", "-o", "q.csv",
                                       NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], tmp[256], left[512], seen[512], alive[320], other[320];
  int null = open("/dev/null", O_WRONLY | O_CLOEXEC), st;
  long waited;
  cbt_result_t r;
  pid_t pid;

  (void)state;
  make_dir(dir, sizeof(dir), "sweep");
  make_dir(tmp, sizeof(tmp), "sweep-tmp");
  o.dir = dir;
  o.tmpdir = tmp;
  /* One of a live owner (us), one not of ours by name. */
  snprintf(alive, sizeof(alive), "%s/concbench-%ld-abcdef", tmp, (long)getpid());
  assert_int_equal(mkdir(alive, 0700), 0);
  snprintf(other, sizeof(other), "%s/concbench-notapid", tmp);
  assert_int_equal(mkdir(other, 0700), 0);
  pid = cbt_start(&o, slow, null, null);
  /* Seen twice: the trial's, not the one run makes and removes at start to
   * check TMPDIR. */
  for (waited = 0, seen[0] = '\0';; waited += POLL_MS) {
    scratch_of(tmp, pid, left, sizeof(left));
    if (left[0] != '\0' && strcmp(left, seen) == 0)
      break;
    snprintf(seen, sizeof(seen), "%s", left);
    if (waited > WAIT_S * 1000L) {
      kill(pid, SIGKILL);
      fail_msg("no scratch directory of the run appeared in %s", tmp);
    }
    cbt_sleep_ms(POLL_MS);
  }
  assert_int_equal(kill(pid, SIGKILL), 0);
  st = cbt_wait(pid, WAIT_S, "the killed run");
  assert_true(WIFSIGNALED(st));
  assert_true(none_alive()); /* its trial died with it */
  if (!cbt_exists(left))
    fail_msg("SIGKILL left no scratch directory: nothing to test");
  run(&o, quick, &r);
  expect_exit(&r, 0, "the next run");
  cbt_result_free(&r);
  if (cbt_exists(left))
    fail_msg("the next run did not remove %s", left);
  assert_true(cbt_exists(alive));
  assert_true(cbt_exists(other));
  close(null);
  cbt_remove_tree(tmp);
  cbt_remove_tree(dir);
}

/* The PID of a process that has ended. */
static pid_t dead_pid(void)
{
  pid_t pid = fork();

  assert_true(pid >= 0);
  if (pid == 0)
    _exit(0);
  assert_int_equal(waitpid(pid, NULL, 0), pid);
  return pid;
}

/* Temporary files of writers killed with SIGKILL (an atomic write, a chart
 * being drawn) are removed by the next command that writes there; those of
 * a live writer, and files that only look alike, stay. */
static void test_stale_temporaries_swept(void **state)
{
  static const char *const summary[] = { "summary", "in.csv", "-q", "-o", "out.csv", NULL };
  static const char *const plot[] = { "plot", "in.csv", "-o", "charts", "-q", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], path[512];
  long dead = (long)dead_pid(), live = (long)getpid();
  struct {
    const char *fmt;
    long pid;
    int stays;
  } files[] = {
    { "%s/out.csv.tmp-%ld-a1b2c3", 0, 0 },
    { "%s/out.csv.tmp-%ld-d4e5f6", 1, 1 },
    { "%s/out.csv.tmp-x%ld", 0, 1 },
    { "%s/charts/.scaling-noop.tmp-%ld.png", 0, 0 },
    { "%s/charts/data/scaling-noop.dat.tmp-%ld-g7h8i9", 0, 0 },
    { "%s/charts/.winners.tmp-%ld.svg", 1, 1 },
  };
  cbt_result_t r;
  size_t i;

  (void)state;
  make_dir(dir, sizeof(dir), "temps");
  make_trials(dir, "in.csv");
  o.dir = dir;
  snprintf(path, sizeof(path), "%s/charts", dir);
  assert_int_equal(mkdir(path, 0755), 0);
  snprintf(path, sizeof(path), "%s/charts/data", dir);
  assert_int_equal(mkdir(path, 0755), 0);
  for (i = 0; i < ARRAY_SIZE(files); i++) {
    snprintf(path, sizeof(path), files[i].fmt, dir, files[i].pid ? live : dead);
    cbt_write_file(path, "half");
  }
  run(&o, summary, &r);
  expect_exit(&r, 0, "summary");
  cbt_result_free(&r);
  run(&o, plot, &r);
  expect_exit(&r, 0, "plot");
  cbt_result_free(&r);
  for (i = 0; i < ARRAY_SIZE(files); i++) {
    snprintf(path, sizeof(path), files[i].fmt, dir, files[i].pid ? live : dead);
    if (cbt_exists(path) != files[i].stays)
      fail_msg("%s: %s", path, files[i].stays ? "removed, though not stale" : "left behind");
  }
  cbt_remove_tree(dir);
}

/* A gnuplot that waits for ever: plot, asked to stop, kills and reaps it. */
static const char sleeping_gnuplot[] = "#!/bin/sh\nexec sleep 600\n";
/* A gnuplot that "succeeds" but writes incomplete charts, as on a full
 * disk: an empty PNG, an SVG without its end. */
static const char truncating_gnuplot[] =
    "#!/bin/sh\n"
    "out=$(printf '%s' \"$2\" | sed -n \"s/.*out='\\([^']*\\)'.*/\\1/p\")\n"
    ": > \"$out.png\"\n"
    "printf '<svg' > \"$out.svg\"\n"
    "exit 0\n";

static void write_script(const char *path, const char *text)
{
  cbt_write_file(path, text);
  assert_int_equal(chmod(path, 0755), 0);
}

/* Nothing in dir whose name has ".tmp" in it. */
static void no_temporary(const char *dir)
{
  struct dirent *e;
  DIR *d = opendir(dir);

  assert_non_null(d);
  while ((e = readdir(d)) != NULL) {
    if (strstr(e->d_name, ".tmp") != NULL)
      fail_msg("temporary file '%s' left in %s", e->d_name, dir);
  }
  closedir(d);
}

static void test_plot_stopped_and_full_disk(void **state)
{
  static const char *const plot[] = { "plot", "in.csv", "-o", "charts", "-q", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], gp[320], charts[320], chart[400], errp[320], *text, gp_env[360];
  const char *env[] = { gp_env, NULL };
  int errfd, st, sigs[] = { SIGTERM, SIGHUP, SIGINT };
  size_t i;
  long waited;
  cbt_result_t r;
  pid_t pid, child;

  (void)state;
  make_dir(dir, sizeof(dir), "plot");
  make_trials(dir, "in.csv");
  o.dir = dir;
  path_in(gp, sizeof(gp), dir, "sleeping-gnuplot");
  write_script(gp, sleeping_gnuplot);
  path_in(charts, sizeof(charts), dir, "charts");
  path_in(errp, sizeof(errp), dir, "plot.err");
  snprintf(gp_env, sizeof(gp_env), "CONCBENCH_GNUPLOT=%s", gp);
  o.env = env;
  for (i = 0; i < ARRAY_SIZE(sigs); i++) {
    errfd = open(errp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(errfd >= 0);
    pid = cbt_start(&o, plot, errfd, errfd);
    /* until plot has started its gnuplot */
    for (waited = 0;; waited += POLL_MS) {
      char path[64], line[256];
      FILE *f;
      snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", (long)pid, (long)pid);
      f = fopen(path, "re");
      child = f != NULL && fgets(line, sizeof(line), f) != NULL ? atoi(line) : 0;
      if (f != NULL)
        fclose(f);
      if (child > 0)
        break;
      if (waited > WAIT_S * 1000L) {
        kill(pid, SIGKILL);
        fail_msg("plot never started gnuplot");
      }
      cbt_sleep_ms(POLL_MS);
    }
    assert_int_equal(kill(pid, sigs[i]), 0);
    st = cbt_wait(pid, WAIT_S, "plot after a signal");
    text = cbt_slurp_fd(errfd, NULL);
    close(errfd);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 128 + sigs[i])
      fail_msg("plot: status %#x after signal %d, expected exit %d: %s", st, sigs[i],
               128 + sigs[i], text);
    cbt_expect_in(text, "interrupted", "plot's stderr");
    free(text);
    assert_int_equal(survivors(), 0); /* gnuplot did not outlive it */
    assert_true(kill(child, 0) != 0);
    no_temporary(charts);
  }

  /* Charts drawn, then a "full disk": they stay as they were, no empty or
   * partial chart is left, and plot says so and exits 1. */
  o.env = NULL;
  run(&o, plot, &r);
  expect_exit(&r, 0, "plot");
  cbt_result_free(&r);
  path_in(chart, sizeof(chart), charts, "scaling-noop.png");
  text = cbt_slurp_path(chart, NULL);
  assert_true(strlen(text) >= 4 && memcmp(text + 1, "PNG", 3) == 0);
  free(text);
  path_in(gp, sizeof(gp), dir, "truncating-gnuplot");
  write_script(gp, truncating_gnuplot);
  snprintf(gp_env, sizeof(gp_env), "CONCBENCH_GNUPLOT=%s", gp);
  o.env = env;
  run(&o, plot, &r);
  expect_exit(&r, 1, "plot on a full disk");
  cbt_expect_in(r.err, "incomplete png", "plot's stderr");
  expect_lines(r.err, "plot on a full disk");
  cbt_result_free(&r);
  text = cbt_slurp_path(chart, NULL);
  assert_true(strlen(text) >= 4 && memcmp(text + 1, "PNG", 3) == 0);
  free(text);
  no_temporary(charts);

  /* Too few file descriptors to start gnuplot (ulimit -n 5): the message
   * names the real cause, never "its message is above" with none above. */
  o.env = NULL;
  o.nofile = 5;
  run(&o, plot, &r);
  o.nofile = 0;
  expect_exit(&r, 1, "plot with 5 file descriptors");
  cbt_expect_in(r.err, strerror(EMFILE), "plot's stderr");
  if (strstr(r.err, "above") != NULL)
    fail_msg("plot points at a message above: %s", r.err);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

/* ---- 8. stdout and directories that cannot be written --------------------- */

static void test_unwritable_stdout(void **state)
{
  static const char *const cmds[][6] = {
    { "list", NULL },
    { "topology", NULL },
    { "--version", NULL },
    { "summary", "in.csv", "-q", NULL },
    { "report", "in.csv", NULL },
    { "compare", "in.csv", "in.csv", NULL },
    { "run", "-w", "noop", "-r", "serial", NULL },
  };
  cbt_spawn_t o = { .out_fd = open("/dev/full", O_WRONLY | O_CLOEXEC) };
  char dir[256], what[1024];
  const char *argv[20];
  cbt_result_t r;
  size_t i, n;

  (void)state;
  assert_true(o.out_fd >= 0);
  make_dir(dir, sizeof(dir), "stdout");
  make_trials(dir, "in.csv");
  o.dir = dir;
  for (i = 0; i < ARRAY_SIZE(cmds); i++) {
    for (n = 0; cmds[i][n] != NULL; n++)
      argv[n] = cmds[i][n];
    if (strcmp(argv[0], "run") == 0) {
      static const char *const more[] = { "-t", "10", "--reps", "1", "--warmup", "0", "-q",
                                           "-o", "r.csv" };
      for (size_t k = 0; k < ARRAY_SIZE(more); k++)
        argv[n++] = more[k];
    }
    argv[n] = NULL;
    cbt_describe(argv, what, sizeof(what));
    run(&o, argv, &r);
    expect_exit(&r, 1, what);
    cbt_expect_in(r.err, "cannot write to stdout: No space left on device", what);
    expect_lines(r.err, what);
    cbt_result_free(&r);
  }
  close(o.out_fd);
  /* The same exit code in every command for an output that takes nothing. */
  o.out_fd = -1;
  for (i = 0; i < ARRAY_SIZE(writers); i++) {
    writer_argv(i, "/dev/full", argv);
    cbt_describe(argv, what, sizeof(what));
    run(&o, argv, &r);
    expect_exit(&r, 1, what);
    cbt_expect_in(r.err, "cannot write '/dev/full': No space left on device", what);
    expect_lines(r.err, what);
    cbt_result_free(&r);
  }
  cbt_remove_tree(dir);
}

/* A working directory nobody may write in: the real cause (EACCES), not
 * the ENOENT of the directory that could not be made. */
static void test_unwritable_directory(void **state)
{
  static const char *const argv[] = { "run", "-w", "noop", "-r", "serial", "-t", "10",
                                      "--reps", "1", "--warmup", "0", "-q", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256];
  cbt_result_t r;

  (void)state;
  make_dir(dir, sizeof(dir), "rodir");
  assert_int_equal(chmod(dir, 0555), 0);
  o.dir = dir;
  o.nobody = geteuid() == 0; /* root writes anywhere: be somebody else */
  run(&o, argv, &r);
  expect_exit(&r, 2, "run in a read-only directory");
  cbt_expect_in(r.err, "'results'", "run's message");
  cbt_expect_in(r.err, strerror(EACCES), "run's message");
  expect_lines(r.err, "run in a read-only directory");
  cbt_result_free(&r);
  assert_int_equal(chmod(dir, 0755), 0);
  cbt_remove_tree(dir);
}

/* ---- 9. a large CSV --------------------------------------------------------- */

#define BIG_ROWS 300000u

/* BIG_ROWS trials of one cell (throughput 1000 + i % 1000 in a scrambled
 * order) and 20 of another: a per-row quadratic statistic (the old median
 * CI: 7 s for 20000 rows here) could not finish inside this test's timeout. */
static void write_big(const char *path)
{
  FILE *f = fopen(path, "wb");
  unsigned i;

  assert_non_null(f);
  fputs("host,workload,runner,transport,pin,concurrency,tasks,size,payload,wall_s,throughput,"
        "lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,failed,status\n", f);
  for (i = 0; i < BIG_ROWS + 20; i++) {
    unsigned v = (i * 7919u) % 1000u;
    fprintf(f, "h,noop,%s,inproc,none,1,100,0,0,0.1,%u,1,2,0.01,0,100,0,ok\n",
            i < BIG_ROWS ? "threads" : "serial", 1000 + v);
  }
  assert_int_equal(fclose(f), 0);
}

static void test_big_csv(void **state)
{
  static const char *const summary[] = { "summary", "big.csv", "-q", "-o", "s.csv", NULL };
  static const char *const report[] = { "report", "big.csv", "-o", "r.md", NULL };
  static const char *const compare[] = { "compare", "big.csv", "big.csv", "-f", "csv", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], path[320], err[256];
  size_t lo, hi, n = BIG_ROWS;
  double level;
  cb_table_t t;
  cbt_result_t r;
  long c;

  (void)state;
  make_dir(dir, sizeof(dir), "big");
  path_in(path, sizeof(path), dir, "big.csv");
  write_big(path);
  o.dir = dir;
  run(&o, summary, &r);
  expect_exit(&r, 0, "summary of 300020 trials");
  cbt_result_free(&r);
  path_in(path, sizeof(path), dir, "s.csv");
  if (cb_table_load(path, &t, err, sizeof(err)) != 0)
    fail_msg("%s", err);
  assert_int_equal(t.rows, 3);
  c = cb_table_col(&t, "runner");
  assert_true(c >= 0);
  assert_string_equal(cb_table_get(&t, 1, (size_t)c), "serial");
  assert_string_equal(cb_table_get(&t, 2, (size_t)cb_table_col(&t, "n")), "300000");
  /* 300 of each value 1000..1999: the median is 1499.5 */
  assert_string_equal(cb_table_get(&t, 2, (size_t)cb_table_col(&t, "throughput_median")), "1499.5");
  cb_table_free(&t);
  /* The interval's ranks: binomial(n, 1/2) quantiles, n/2 -+ 1.96 sqrt(n)/2. */
  cb_median_ci_ranks(n, 0.95, &lo, &hi, &level);
  assert_true(lo >= 149460 && lo <= 149465);
  assert_int_equal(hi, n - 1 - lo);
  assert_true(level >= 0.95 && level < 0.9505);

  run(&o, report, &r);
  expect_exit(&r, 0, "report of 300020 trials");
  cbt_result_free(&r);
  run(&o, compare, &r);
  expect_exit(&r, 0, "compare of 300020 trials with themselves");
  if (cbt_count_lines_with(r.out, "noop") != 2 || strstr(r.out, ",unchanged,") == NULL)
    fail_msg("compare: %s", r.out);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

/* ---- 10. Markdown injection ------------------------------------------------ */

/* Cells of a table row: '|' not escaped by a backslash, minus one. */
static int table_cells(const char *line, size_t len)
{
  int n = 0;
  size_t i;

  for (i = 0; i < len; i++)
    n += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
  return n - 1;
}

static void test_markdown_injection(void **state)
{
  static const char csv[] =
      "host,cpu_model,kernel,workload,runner,transport,pin,concurrency,tasks,size,payload,"
      "wall_s,throughput,lat_p50_us,lat_p99_us,user_s,sys_s,maxrss_kb,status\n"
      "a|b,\"x`y*z_[l](http://e)<b>\",k|1,noop,threads,inproc,none,1,10,0,0,0.1,100,1,2,0,0,1,ok\n"
      "a|b,\"x`y*z_[l](http://e)<b>\",k|1,noop,threads,inproc,none,1,10,0,0,0.1,101,1,2,0,0,1,ok\n";
  const char *argv[] = { "report", "in.csv", "--charts", "my charts)](evil\n# x", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], path[320];
  const char *p, *end;
  int header = -1;
  cbt_result_t r;

  (void)state;
  make_dir(dir, sizeof(dir), "md");
  path_in(path, sizeof(path), dir, "in.csv");
  cbt_write_file(path, csv);
  o.dir = dir;
  run(&o, argv, &r);
  expect_exit(&r, 0, "report of hostile values");
  /* Every row of a table has as many cells as its header. */
  for (p = r.out; *p != '\0'; p = *end ? end + 1 : end) {
    end = strchr(p, '\n');
    if (end == NULL)
      end = p + strlen(p);
    if (*p != '|') {
      header = -1;
      continue;
    }
    if (header < 0)
      header = table_cells(p, (size_t)(end - p));
    else if (table_cells(p, (size_t)(end - p)) != header)
      fail_msg("a table row with %d cells under a header of %d: %.*s", table_cells(p, (size_t)(end - p)),
               header, (int)(end - p), p);
  }
  cbt_expect_in(r.out, "| host | a\\|b |", "the machine table");
  cbt_expect_in(r.out, "x\\`y\\*z\\_\\[l\\](http://e)\\<b\\>", "the CPU model");
  /* The link's destination: no space, bracket, parenthesis or line break. */
  cbt_expect_in(r.out, "(my%20charts%29%5D%28evil%0A%23%20x/winners.svg)", "the winners link");
  if (strstr(r.out, "\n# x") != NULL)
    fail_msg("--charts made a heading: %s", r.out);
  cbt_result_free(&r);
  cbt_remove_tree(dir);
}

/* ---- 11. workers killed from outside -------------------------------------- */

/* The children of pid, from /proc, into pids (at most max). */
static size_t children_of(pid_t pid, pid_t *pids, size_t max)
{
  char path[64], buf[4096], *p, *end;
  size_t n = 0;
  FILE *f;

  snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children", (long)pid, (long)pid);
  f = fopen(path, "re");
  if (f == NULL)
    return 0;
  if (fgets(buf, sizeof(buf), f) != NULL) {
    for (p = buf; n < max; p = end) {
      long v = strtol(p, &end, 10);
      if (end == p)
        break;
      pids[n++] = (pid_t)v;
    }
  }
  fclose(f);
  return n;
}

/* 1 when process pid sleeps in nanosleep: an io.sleep worker in a task,
 * past its start-up (a kill then loses a task, not a worker being born). */
static int in_task(pid_t pid)
{
  char path[64], wchan[64] = "";
  FILE *f;

  snprintf(path, sizeof(path), "/proc/%ld/wchan", (long)pid);
  f = fopen(path, "re");
  if (f != NULL) {
    if (fgets(wchan, sizeof(wchan), f) == NULL)
      wchan[0] = '\0';
    fclose(f);
  }
  return strstr(wchan, "nanosleep") != NULL;
}

static void test_killed_workers(void **state)
{
  static const char *const slow[] = { "run", "-w", "io.sleep", "-s", "100000", "-t", "400",
                                      "-r", "processes", "-c", "4", "-p", "none", "--reps", "1",
                                      "--warmup", "0", "-o", "out.csv", NULL };
  static const char *const crash[] = { "run", "-w", "fault.crash", "-r", "processes", "-c",
                                       "2", "-t", "40", "-s", "10", "--reps", "2", "--warmup",
                                       "0", "-q", "-o", "crash.csv", NULL };
  static const char *const summary[] = { "summary", "out.csv", "-q", NULL };
  static const char *const summary_crash[] = { "summary", "crash.csv", "-q", NULL };
  static const char *const report[] = { "report", "out.csv", NULL };
  cbt_spawn_t o = { .out_fd = -1 };
  char dir[256], errp[320], *text;
  pid_t pid, trial[4], workers[16];
  size_t ntrial, nworkers;
  int errfd, st;
  long waited;
  cbt_result_t r;

  (void)state;
  make_dir(dir, sizeof(dir), "killed");
  o.dir = dir;
  path_in(errp, sizeof(errp), dir, "run.err");
  errfd = open(errp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true(errfd >= 0);
  pid = cbt_start(&o, slow, errfd, errfd);
  /* until the trial process has its four workers, two of them in a task */
  for (waited = 0;; waited += POLL_MS) {
    ntrial = children_of(pid, trial, ARRAY_SIZE(trial));
    nworkers = ntrial == 1 ? children_of(trial[0], workers, ARRAY_SIZE(workers)) : 0;
    if (nworkers >= 4 && in_task(workers[0]) && in_task(workers[1]))
      break;
    if (waited > WAIT_S * 1000L) {
      kill(pid, SIGKILL);
      fail_msg("no trial with four workers in their tasks");
    }
    cbt_sleep_ms(POLL_MS);
  }
  assert_int_equal(kill(workers[0], SIGKILL), 0);
  assert_int_equal(kill(workers[1], SIGKILL), 0);
  st = cbt_wait(pid, WAIT_S, "the run whose workers were killed");
  text = cbt_slurp_fd(errfd, NULL);
  close(errfd);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 1)
    fail_msg("run: status %#x, expected exit 1 (a trial not ok): %s", st, text);
  cbt_expect_in(text, "lost with a worker that died", "run's stderr");
  free(text);
  run(&o, summary, &r);
  expect_exit(&r, 0, "summary");
  cbt_expect_in(r.out, "lost-tasks", "the summary's flags");
  cbt_expect_in(r.out, ",2\n", "the summary's failed_tasks");
  cbt_result_free(&r);
  run(&o, report, &r);
  expect_exit(&r, 0, "report");
  cbt_expect_in(r.out, "| io.sleep | processes | 4 | 0 of 1 | 2 |", "the report's failures");
  cbt_result_free(&r);

  /* fault.crash's workers die on purpose: its trials stay results. */
  run(&o, crash, &r);
  expect_exit(&r, 0, "fault.crash under processes");
  cbt_result_free(&r);
  run(&o, summary_crash, &r);
  expect_exit(&r, 0, "summary of fault.crash");
  if (strstr(r.out, "lost-tasks") != NULL || strstr(r.out, "failures") != NULL)
    fail_msg("fault.crash's planned failures are flagged: %s", r.out);
  cbt_result_free(&r);
  assert_int_equal(survivors(), 0);
  cbt_remove_tree(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_small_stack),
    cmocka_unit_test(test_expected_checksums_time_out),
    cmocka_unit_test(test_outputs_refused),
    cmocka_unit_test(test_outputs_streamed_once),
    cmocka_unit_test(test_output_is_input_through_links),
    cmocka_unit_test(test_second_run_refused),
    cmocka_unit_test(test_killed_run_scratch_is_swept),
    cmocka_unit_test(test_stale_temporaries_swept),
    cmocka_unit_test(test_plot_stopped_and_full_disk),
    cmocka_unit_test(test_unwritable_stdout),
    cmocka_unit_test(test_unwritable_directory),
    cmocka_unit_test(test_big_csv),
    cmocka_unit_test(test_markdown_injection),
    cmocka_unit_test(test_killed_workers),
  };

  if (getenv("CONCBENCH") == NULL) {
    fprintf(stderr, "CONCBENCH is not set (meson test sets it)\n");
    return 1;
  }
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    fprintf(stderr, "cannot become a child subreaper: %s\n", strerror(errno));
    return 1;
  }
  return cmocka_run_group_tests(tests, NULL, NULL);
}
