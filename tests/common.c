/* The helpers every cmocka test shares (tests/common.h): whole files,
 * temporary directories, concbench run as a child with what it printed
 * captured, and cells and trials run directly. Written once here so that a
 * test file holds what it checks, not another copy of how to fork. */
#include "common.h"
#include "record.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 64
#define POLL_MS 20

char cbt_where[256];

/* ---- files and directories ---------------------------------------------- */

char *cbt_slurp_fd(int fd, size_t *len)
{
  off_t n = lseek(fd, 0, SEEK_END);
  char *buf;

  assert_true(n >= 0);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(pread(fd, buf, (size_t)n, 0), n);
  buf[n] = '\0';
  if (len != NULL)
    *len = (size_t)n;
  return buf;
}

char *cbt_slurp_file(FILE *f, size_t *len)
{
  assert_int_equal(fflush(f), 0);
  return cbt_slurp_fd(fileno(f), len);
}

char *cbt_try_slurp_path(const char *path, size_t *len)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  char *text;

  if (fd < 0)
    return NULL;
  text = cbt_slurp_fd(fd, len);
  close(fd);
  return text;
}

char *cbt_slurp_path(const char *path, size_t *len)
{
  char *text = cbt_try_slurp_path(path, len);

  if (text == NULL)
    fail_msg("cannot read %s: %s", path, strerror(errno));
  return text;
}

void cbt_read_fd(int fd, char *buf, size_t len)
{
  size_t got = 0;
  ssize_t r;

  while (got + 1 < len && (r = pread(fd, buf + got, len - 1 - got, (off_t)got)) > 0)
    got += (size_t)r;
  buf[got] = '\0';
}

void cbt_read_path(const char *path, char *buf, size_t len)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    fail_msg("cannot read %s: %s", path, strerror(errno));
  cbt_read_fd(fd, buf, len);
  close(fd);
}

void cbt_write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "wb");

  if (f == NULL)
    fail_msg("cannot write %s: %s", path, strerror(errno));
  assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
  assert_int_equal(fclose(f), 0);
}

int cbt_exists(const char *path)
{
  struct stat st;

  return lstat(path, &st) == 0;
}

size_t cbt_count_entries(const char *dir)
{
  struct dirent *e;
  size_t n = 0;
  DIR *d = opendir(dir);

  if (d == NULL)
    fail_msg("cannot open directory %s: %s", dir, strerror(errno));
  while ((e = readdir(d)) != NULL)
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

void cbt_listing(const char *dir, char *buf, size_t len)
{
  struct dirent **e = NULL;
  size_t used = 0;
  int n, i;

  n = scandir(dir, &e, NULL, alphasort);
  assert_true(n >= 0);
  buf[0] = '\0';
  for (i = 0; i < n; i++) {
    if (strcmp(e[i]->d_name, ".") != 0 && strcmp(e[i]->d_name, "..") != 0 && used < len)
      used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", e[i]->d_name);
    free(e[i]);
  }
  free(e);
}

void cbt_make_dir(char *buf, size_t len, const char *what)
{
  const char *base = getenv("TMPDIR");

  snprintf(buf, len, "%s/cb-test-%s-XXXXXX", base != NULL && base[0] != '\0' ? base : "/tmp",
           what);
  if (mkdtemp(buf) == NULL)
    fail_msg("mkdtemp %s: %s", buf, strerror(errno));
}

void cbt_dir_make(cbt_dir_t *d, const char *what)
{
  cbt_make_dir(d->path, sizeof(d->path), what);
  snprintf(d->tmp, sizeof(d->tmp), "%s/tmp", d->path);
  if (mkdir(d->tmp, 0700) != 0)
    fail_msg("mkdir %s: %s", d->tmp, strerror(errno));
}

int cbt_dir_setup(void **state)
{
  char *dir = malloc(512);

  if (dir == NULL)
    return -1;
  cbt_make_dir(dir, 512, "case");
  *state = dir;
  return 0;
}

int cbt_dir_teardown(void **state)
{
  cbt_remove_tree(*state);
  free(*state);
  return 0;
}

void cbt_dir_file(const cbt_dir_t *d, const char *name, char *buf, size_t len)
{
  snprintf(buf, len, "%s/%s", d->path, name);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
  (void)st;
  (void)f;
  if (type == FTW_DP)
    rmdir(path);
  else
    unlink(path);
  return 0;
}

void cbt_remove_tree(const char *dir)
{
  nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

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

/* ---- processes ------------------------------------------------------------ */

void cbt_sleep_ms(long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

int cbt_no_children(void)
{
  errno = 0;
  return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

void *cbt_map_shared(size_t len)
{
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

  if (p == MAP_FAILED)
    fail_msg("mmap %zu shared bytes: %s", len, strerror(errno));
  return p;
}

int cbt_under_valgrind(void)
{
  return getenv("CB_UNDER_VALGRIND") != NULL;
}

/* ---- trials ---------------------------------------------------------------- */

const cb_workload_t *cbt_find_wl(const char *name)
{
  const cb_workload_t *wl = cb_workload_find(name);

  if (wl == NULL)
    fail_msg("workload %s is not in the registry", name);
  return wl;
}

cb_cell_t cbt_cell(const cb_workload_t *wl, const cb_runner_t *rn, unsigned c, uint64_t tasks,
                   uint64_t size, uint64_t seed)
{
  cb_cell_t cell = {
    .wl = wl,
    .rn = rn,
    .pin = CB_PIN_NONE,
    .concurrency = c,
    .params = { .tasks = tasks, .size = size, .seed = seed },
  };

  cbt_describe_cell(&cell);
  return cell;
}

void cbt_describe_cell(const cb_cell_t *cell)
{
  size_t used;

  used = (size_t)snprintf(cbt_where, sizeof(cbt_where), "%s under %s", cell->wl->name,
                          cell->rn != NULL ? cell->rn->name : "(a runner not in this build)");
  if (cell->dispatch != NULL && used < sizeof(cbt_where))
    used += (size_t)snprintf(cbt_where + used, sizeof(cbt_where) - used, "/%s/%s",
                             cell->dispatch, cell->transport != NULL ? cell->transport : "-");
  if (cell->gil && used < sizeof(cbt_where))
    used += (size_t)snprintf(cbt_where + used, sizeof(cbt_where) - used, "+gil");
  if (used < sizeof(cbt_where))
    used += (size_t)snprintf(cbt_where + used, sizeof(cbt_where) - used, ", c=%u",
                             cell->concurrency);
  if (cell->pin != CB_PIN_NONE && used < sizeof(cbt_where))
    used += (size_t)snprintf(cbt_where + used, sizeof(cbt_where) - used, ", pin=%s",
                             cb_pin_name(cell->pin));
  if (used < sizeof(cbt_where))
    used += (size_t)snprintf(cbt_where + used, sizeof(cbt_where) - used,
                             ", tasks=%llu, size=%llu", (unsigned long long)cell->params.tasks,
                             (unsigned long long)cell->params.size);
  if (cell->params.payload != 0 && used < sizeof(cbt_where))
    snprintf(cbt_where + used, sizeof(cbt_where) - used, ", payload=%llu",
             (unsigned long long)cell->params.payload);
}

size_t cbt_variants(cbt_variant_t *v, size_t max)
{
  size_t i, d, t, n = 0;

  for (i = 0; i < cb_runners_count; i++)
    for (d = 0; cb_runners[i]->dispatches[d] != NULL; d++)
      for (t = 0; cb_runners[i]->transports[t] != NULL; t++)
        if (n < max)
          v[n++] = (cbt_variant_t){ cb_runners[i], cb_runners[i]->dispatches[d],
                                    cb_runners[i]->transports[t] };
  return n;
}

unsigned cbt_expected_workers(const cb_runner_t *rn, unsigned c, unsigned pus)
{
  if (strcmp(rn->name, "serial") == 0)
    return 1;
  if (strcmp(rn->name, "eventloop") == 0)
    return c < pus ? c : pus;
  if (strcmp(rn->name, "loop1") == 0)
    return 1;
  if (strcmp(rn->name, "procs-loops") == 0) /* one loop per process, P = PUs */
    return c < pus ? c : pus > 0 ? (c + (c + pus - 1) / pus - 1) / ((c + pus - 1) / pus) : 1;
  return c; /* threads, processes, procs-threads (every thread of every process) */
}

int cbt_trial(const cb_cell_t *cell, const cb_topo_t *topo, int supervise, double timeout_s,
              volatile const int *stop, cb_trial_t *t)
{
  uint64_t *expected = NULL;
  int rc;

  CBT_CHECK_EQ(cb_trial_expected(cell, cell->params.tasks, &expected), 0);
  if (supervise)
    rc = cb_trial_supervised(cell, topo, expected, timeout_s, stop, t);
  else
    rc = cb_trial_execute(cell, topo, expected, t);
  free(expected);
  return rc;
}

/* ---- analysis ---------------------------------------------------------------- */

cb_topo_t *cbt_topo;

int cbt_topo_setup(void **state)
{
  (void)state;
  return cb_topo_load(&cbt_topo) == 0 ? 0 : -1;
}

int cbt_topo_teardown(void **state)
{
  (void)state;
  cb_topo_free(cbt_topo);
  cbt_topo = NULL;
  return 0;
}

void cbt_expect_near(double got, double want, const char *what)
{
  if (!(fabs(got - want) <= 1e-12 * (fabs(want) > 1 ? fabs(want) : 1)))
    fail_msg("%s = %.17g, expected %.17g", what, got, want);
}

void cbt_cells_parse(const char *text, size_t len, cb_table_t *t, cb_cells_t *cells)
{
  char err[256];

  if (cb_table_parse(text, len, t, err, sizeof(err)) != 0)
    fail_msg("cb_table_parse: %s", err);
  if (cb_cells_build(t, cells, err, sizeof(err)) != 0)
    fail_msg("cb_cells_build: %s", err);
}

const cb_finding_t *cbt_finding(const cb_finding_t *all, size_t n, const char *prefix)
{
  size_t i;

  for (i = 0; i < n; i++) {
    if (strncmp(all[i].claim, prefix, strlen(prefix)) == 0)
      return &all[i];
  }
  fail_msg("no finding starts with '%s'", prefix);
  return NULL;
}

void cbt_csv_start(cbt_csv_t *x, const char *header)
{
  memset(x, 0, sizeof(*x));
  cb_buf_printf(&x->csv, "%s", header);
}

void cbt_csv_parse(cbt_csv_t *x)
{
  cbt_cells_parse(x->csv.data, x->csv.len, &x->table, &x->cells);
}

void cbt_csv_free(cbt_csv_t *x)
{
  cb_cells_free(&x->cells);
  cb_table_free(&x->table);
  cb_buf_free(&x->csv);
}

/* The value of col in list (column, value, ...), or NULL. */
static const char *value_in(const char *const *list, const char *col)
{
  size_t i;

  for (i = 0; list != NULL && list[i] != NULL && list[i + 1] != NULL; i += 2) {
    if (strcmp(list[i], col) == 0)
      return list[i + 1];
  }
  return NULL;
}

void cbt_write_trials(const char *path, int rows, size_t drop, const char *const *set,
                      const char *const *first)
{
  static const char *const plain[] = { "status", "ok", "workload", "noop", "runner", "serial",
                                       NULL };
  size_t ncols = cb_record_columns_count - drop, c;
  FILE *f = fopen(path, "w");
  int r;

  if (f == NULL)
    fail_msg("cannot write %s: %s", path, strerror(errno));
  for (c = 0; c < ncols; c++)
    fprintf(f, "%s%s", c ? "," : "", cb_record_columns[c]);
  fputc('\n', f);
  for (r = 0; r < rows; r++) {
    for (c = 0; c < ncols; c++) {
      const char *col = cb_record_columns[c], *v = r == 0 ? value_in(first, col) : NULL;
      if (v == NULL)
        v = value_in(set, col);
      if (v == NULL)
        v = value_in(plain, col);
      fprintf(f, "%s%s", c ? "," : "", v != NULL ? v : "1");
    }
    fputc('\n', f);
  }
  assert_int_equal(fclose(f), 0);
}
