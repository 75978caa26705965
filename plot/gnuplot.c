/* The gnuplot launcher: where gnuplot and the chart scripts are (and the
 * newest trial CSV of a directory, for `concbench plot DIR`), and running
 * gnuplot once. gnuplot is started with fork/exec and an argument vector,
 * never through a shell; it reads stdin from /dev/null, dies with concbench
 * (PR_SET_PDEATHSIG) and is killed and reaped when a stop is requested. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cb.h"
#include "gnuplot.h"
#include "signals.h"

/* ---- finding things --------------------------------------------------- */

static int is_file(const char *path)
{
  struct stat st;

  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *cb__path_printf(const char *fmt, ...)
{
  va_list ap;
  char *p;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || (p = malloc((size_t)n + 1)) == NULL)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

static int scripts_in(const char *dir, char *buf, size_t len)
{
  char *probe = cb__path_printf("%s/common.gp", dir);
  int ok = probe != NULL && is_file(probe);

  free(probe);
  if (!ok)
    return -ENOENT;
  snprintf(buf, len, "%s", dir);
  return 0;
}

/* The installed scripts first (CB_PLOTS_FROM_BIN: DATADIR/concbench/plots
 * seen from BINDIR, so that a binary installed under any prefix or DESTDIR
 * finds its own), then the source tree this binary was built from. */
int cb_plot_find_scripts(char *buf, size_t len)
{
  const char *env = getenv("CONCBENCH_PLOTS");
  char *exe, *dir, *slash;
  int rc = -ENOENT;

  if (env != NULL && env[0] != '\0')
    return scripts_in(env, buf, len);
  exe = realpath("/proc/self/exe", NULL);
  slash = exe != NULL ? strrchr(exe, '/') : NULL;
  if (slash != NULL && CB_PLOTS_FROM_BIN[0] != '\0') {
    *slash = '\0';
    dir = cb__path_printf("%s/%s", exe, CB_PLOTS_FROM_BIN);
    rc = dir != NULL ? scripts_in(dir, buf, len) : -ENOMEM;
    free(dir);
  }
  free(exe);
  if (rc != 0)
    rc = scripts_in(CB_SOURCE_ROOT "/plot", buf, len);
  return rc;
}

int cb_plot_find_gnuplot(char *buf, size_t len)
{
  const char *name = getenv("CONCBENCH_GNUPLOT");
  const char *path = getenv("PATH"), *p, *end;
  char *cand;
  int found;

  if (name == NULL || name[0] == '\0')
    name = "gnuplot";
  if (strchr(name, '/') != NULL) {
    if (access(name, X_OK) != 0 || !is_file(name))
      return -ENOENT;
    snprintf(buf, len, "%s", name);
    return 0;
  }
  if (path == NULL)
    path = "/usr/local/bin:/usr/bin:/bin";
  for (p = path; ; p = end + 1) {
    end = strchr(p, ':');
    if (end == NULL)
      end = p + strlen(p);
    cand = end > p ? cb__path_printf("%.*s/%s", (int)(end - p), p, name) : NULL;
    found = cand != NULL && strlen(cand) < len && access(cand, X_OK) == 0 && is_file(cand);
    if (found)
      snprintf(buf, len, "%s", cand);
    free(cand);
    if (found)
      return 0;
    if (*end == '\0')
      return -ENOENT;
  }
}

static int ends_with(const char *s, const char *suffix)
{
  size_t a = strlen(s), b = strlen(suffix);

  return a >= b && strcmp(s + a - b, suffix) == 0;
}

int cb_plot_latest(const char *dir, char *buf, size_t len)
{
  char *best = NULL, *path;
  struct timespec best_t = { 0, 0 };
  struct dirent *e;
  struct stat st;
  DIR *d = opendir(dir);
  int rc = 0;

  if (d == NULL)
    return -errno;
  while ((e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, "concbench-", 10) != 0 || !ends_with(e->d_name, ".csv") ||
        ends_with(e->d_name, ".summary.csv"))
      continue;
    path = cb__path_printf("%s/%s", dir, e->d_name);
    if (path == NULL || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
      free(path);
      continue;
    }
    free(path);
    if (best == NULL || st.st_mtim.tv_sec > best_t.tv_sec ||
        (st.st_mtim.tv_sec == best_t.tv_sec &&
         (st.st_mtim.tv_nsec > best_t.tv_nsec ||
          (st.st_mtim.tv_nsec == best_t.tv_nsec && strcmp(e->d_name, best) > 0)))) {
      best_t = st.st_mtim;
      free(best);
      if ((best = strdup(e->d_name)) == NULL) {
        rc = -ENOMEM;
        break;
      }
    }
  }
  closedir(d);
  if (rc == 0 && best == NULL)
    rc = -ENOENT;
  if (rc == 0)
    snprintf(buf, len, "%s/%s", dir, best);
  free(best);
  return rc;
}

/* ---- running gnuplot -------------------------------------------------- */

/* What gnuplot said last: the last non-empty line it wrote, kept while
 * reading its output so that a failure can quote it in one line. */
typedef struct said_s {
  char line[200];
  size_t len;
  char last[200];
} said_t;

static void said_add(said_t *s, const char *buf, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++) {
    if (buf[i] == '\n' || buf[i] == '\r') {
      if (s->len > 0) {
        memcpy(s->last, s->line, s->len);
        s->last[s->len] = '\0';
      }
      s->len = 0;
    } else if (s->len + 1 < sizeof(s->line)) {
      s->line[s->len++] = buf[i];
    }
  }
}

int cb__plot_stopped(const cb_plot_t *p)
{
  return p->stop != NULL && *p->stop;
}

/* The child: gnuplot with stdin from /dev/null and its output into `out`;
 * a failure before exec is written to `fail` as (step, errno). */
static void gnuplot_child(const cb_plot_t *p, char *const *argv, int out, int fail, pid_t parent)
{
  int why[2] = { 0, 0 }, fd;

  /* gnuplot goes with us: if we are killed (SIGKILL), so is it. */
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != parent)
    _exit(127);
  cb_sig_default();
  fd = open("/dev/null", O_RDONLY);
  if (fd < 0)
    why[0] = 1;
  else if (dup2(fd, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
    why[0] = 2;
  else
    execv(p->gnuplot, argv);
  if (why[0] == 0)
    why[0] = 3;
  why[1] = errno;
  if (write(fail, why, sizeof(why)) < 0)
    _exit(127);
  _exit(127);
}

/* Read gnuplot's output to its end; on a stop request kill it. */
static void drain(const cb_plot_t *p, int fd, pid_t pid, said_t *said)
{
  char buf[256];
  ssize_t n;
  int killed = 0;

  for (;;) {
    if (cb__plot_stopped(p) && !killed) {
      kill(pid, SIGKILL);
      killed = 1;
    }
    n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    said_add(said, buf, (size_t)n);
  }
  said_add(said, "\n", 1);
}

int cb__gnuplot_run(const cb_plot_t *p, const char *vars, const char *script, char *err,
                    size_t errlen)
{
  static const char *const steps[] = { "", "open /dev/null", "redirect its output", "exec" };
  char *common = cb__path_printf("%s/common.gp", p->scripts);
  char *path = cb__path_printf("%s/%s", p->scripts, script);
  char *argv[] = { (char *)p->gnuplot, (char *)"-e", (char *)vars, common, path, NULL };
  int fail[2] = { -1, -1 }, out[2] = { -1, -1 }, status = 0, why[2] = { 0, 0 }, rc = 0;
  said_t *said = calloc(1, sizeof(*said));
  pid_t pid, parent = getpid();
  ssize_t n = 0;

  if (common == NULL || path == NULL || said == NULL) {
    snprintf(err, errlen, "out of memory");
    rc = -ENOMEM;
    goto out;
  }
  if (pipe2(fail, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    rc = -errno;
    snprintf(err, errlen, "cannot start gnuplot: pipe: %s", strerror(-rc));
    goto out;
  }
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    rc = -errno;
    snprintf(err, errlen, "cannot start gnuplot: fork: %s", strerror(-rc));
    goto out;
  }
  if (pid == 0)
    gnuplot_child(p, argv, out[1], fail[1], parent);
  close(fail[1]);
  close(out[1]);
  fail[1] = out[1] = -1;
  drain(p, out[0], pid, said);
  do
    n = read(fail[0], why, sizeof(why));
  while (n < 0 && errno == EINTR);
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      rc = -errno;
      snprintf(err, errlen, "waiting for gnuplot: %s", strerror(-rc));
      goto out;
    }
    if (cb__plot_stopped(p))
      kill(pid, SIGKILL);
  }
  if (cb__plot_stopped(p)) {
    snprintf(err, errlen, "interrupted");
    rc = -EINTR;
  } else if (n == (ssize_t)sizeof(why)) {
    snprintf(err, errlen, "cannot start %s: %s: %s", p->gnuplot,
             steps[why[0] > 0 && why[0] < 4 ? why[0] : 3], strerror(why[1]));
    rc = -why[1];
  } else if (WIFSIGNALED(status)) {
    snprintf(err, errlen, "gnuplot (%s) was killed by signal %d", script, WTERMSIG(status));
    rc = -EIO;
  } else if (WEXITSTATUS(status) != 0) {
    snprintf(err, errlen, "gnuplot failed on %s (exit %d): %s", script, WEXITSTATUS(status),
             said->last[0] != '\0' ? said->last : "it said nothing");
    rc = -EIO;
  }
out:
  if (fail[0] >= 0)
    close(fail[0]);
  if (fail[1] >= 0)
    close(fail[1]);
  if (out[0] >= 0)
    close(out[0]);
  if (out[1] >= 0)
    close(out[1]);
  free(said);
  free(common);
  free(path);
  return rc;
}
