/* `concbench run`: expand the matrix (workloads x runners x concurrency) into
 * cells, check that the machine can take every cell before starting any, run
 * warm-up and recorded trials with the cells interleaved (so drift on a noisy
 * machine spreads over all runners), and rewrite the trial CSV atomically
 * after every trial: an interrupted or failing run leaves a valid CSV of what
 * finished. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "record.h"
#include "summary.h"
#include "trial.h"

typedef struct opts_s {
  const char *workloads, *runners, *concurrency, *output, *transports;
  cb_pin_policy_t pin;
  uint64_t tasks, size, payload, reps, warmup, seed;
  int have_tasks, have_size, have_payload, quiet;
  double trial_timeout;
} opts_t;

/* What the command line picked: indices into the registries, the
 * concurrency list, and transports (none: each runner's default). */
typedef struct selection_s {
  size_t *wi, nw, *ri, nr;
  unsigned *conc;
  size_t nc;
  const char *tr[16];
  size_t nt;
} selection_t;

typedef struct plan_s {
  cb_cell_t *cells;
  size_t ncells;
  uint64_t **expected; /* per workload of the registry, shared by its cells */
} matrix_t;

static volatile sig_atomic_t stop_signal;

static const char run_help[] =
    "usage: concbench run [options]\n\n"
    "Runs every cell of workloads x runners x concurrency, `--warmup` unrecorded\n"
    "and `--reps` recorded trials each, cells interleaved, and writes one CSV row\n"
    "per recorded trial (columns: results/SCHEMA.md).\n\n"
    "  -w, --workload LIST      names or globs, comma separated (default: all)\n"
    "  -r, --runner LIST        serial,threads,processes,eventloop (default: all)\n"
    "  -c, --concurrency LIST   e.g. 1,2,8 or 1..64 (powers of two); default 1,2,8\n"
    "  -p, --pin POLICY         none|compact|scatter|cores (default compact)\n"
    "      --transport LIST     how processes move payloads: pipe,shm (default pipe);\n"
    "                           other runners keep their own (inproc)\n"
    "  -t, --tasks N            tasks per trial (default: per workload)\n"
    "  -s, --size N             work per task in the workload's unit (default: per workload)\n"
    "      --payload BYTES      bytes in and out per task (default: per workload)\n"
    "      --reps N             recorded trials per cell (default 5)\n"
    "      --warmup N           unrecorded trials per cell first (default 1)\n"
    "      --seed N             seed of every task's input (default 1)\n"
    "      --trial-timeout S    kill a trial after S seconds (default 300)\n"
    "  -o, --output FILE        trial CSV (default results/concbench-RUNID.csv)\n"
    "  -q, --quiet              no progress line\n"
    "  -h, --help\n\n"
    "exit: 0 every trial ok; 1 some trial not ok; 2 bad usage; 130/143 interrupted\n";

static void on_signal(int sig)
{
  stop_signal = sig;
}

static int parse_num(const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
  int err = cb_parse_u64(arg, min, max, out);

  if (err != 0)
    return cb_usage_error("run", "bad %s '%s' (a whole number %llu..%llu)", opt, arg,
                          (unsigned long long)min, (unsigned long long)max);
  return 0;
}

static int parse_options(int argc, char **argv, opts_t *o)
{
  static const struct option opts[] = {
    { "workload", required_argument, NULL, 'w' },
    { "runner", required_argument, NULL, 'r' },
    { "concurrency", required_argument, NULL, 'c' },
    { "pin", required_argument, NULL, 'p' },
    { "tasks", required_argument, NULL, 't' },
    { "size", required_argument, NULL, 's' },
    { "payload", required_argument, NULL, 'P' },
    { "reps", required_argument, NULL, 'R' },
    { "warmup", required_argument, NULL, 'W' },
    { "seed", required_argument, NULL, 'S' },
    { "trial-timeout", required_argument, NULL, 'T' },
    { "transport", required_argument, NULL, 'X' },
    { "output", required_argument, NULL, 'o' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int opt, rc = 0;

  opterr = 0;
  optind = 1;
  while (rc == 0 && (opt = getopt_long(argc, argv, ":w:r:c:p:t:s:o:qh", opts, NULL)) != -1) {
    switch (opt) {
    case 'w': o->workloads = optarg; break;
    case 'r': o->runners = optarg; break;
    case 'c': o->concurrency = optarg; break;
    case 'o': o->output = optarg; break;
    case 'X': o->transports = optarg; break;
    case 'q': o->quiet = 1; break;
    case 'p':
      if (cb_pin_parse(optarg, &o->pin) != 0)
        rc = cb_usage_error("run", "unknown pin policy '%s' (none, compact, scatter, cores)",
                            optarg);
      break;
    case 't':
      rc = parse_num("--tasks", optarg, 1, 100000000, &o->tasks);
      o->have_tasks = 1;
      break;
    case 's':
      rc = parse_num("--size", optarg, 0, UINT64_C(1) << 40, &o->size);
      o->have_size = 1;
      break;
    case 'P':
      rc = parse_num("--payload", optarg, 0, UINT64_C(1) << 30, &o->payload);
      o->have_payload = 1;
      break;
    case 'R': rc = parse_num("--reps", optarg, 1, 100000, &o->reps); break;
    case 'W': rc = parse_num("--warmup", optarg, 0, 100000, &o->warmup); break;
    case 'S': rc = parse_num("--seed", optarg, 0, UINT64_MAX, &o->seed); break;
    case 'T':
      if (cb_parse_positive_double(optarg, 86400 * 7, &o->trial_timeout) != 0)
        rc = cb_usage_error("run", "bad --trial-timeout '%s' (seconds, > 0)", optarg);
      break;
    case 'h':
      fputs(run_help, stdout);
      return -1;
    default:
      return cb_getopt_error("run", opt, argv);
    }
  }
  if (rc == 0 && optind < argc)
    rc = cb_usage_error("run", "unexpected argument '%s'", argv[optind]);
  return rc;
}

static void join_names(char *buf, size_t len, const char *const *names, size_t n)
{
  size_t i, used = 0;

  buf[0] = '\0';
  for (i = 0; i < n && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
}

/* Pick registry entries by a name list; prints the error itself. */
static int select_list(const char *what, const char *list, const char *const *names, size_t count,
                       size_t **picked, size_t *n)
{
  char bad[256], known[1024];
  int err = cb_select_names(list, names, count, picked, n, bad, sizeof(bad));

  if (err == 0)
    return 0;
  join_names(known, sizeof(known), names, count);
  if (err == -ENOMEM)
    return cb_usage_error("run", "out of memory");
  if (err == -EINVAL)
    return cb_usage_error("run", "empty name in the %s list '%s'", what, list);
  return cb_usage_error("run", "unknown %s '%s' (known: %s)", what, bad, known);
}

static long read_proc_long(const char *path)
{
  long v = 0;
  FILE *f = fopen(path, "re");

  if (f != NULL) {
    if (fscanf(f, "%ld", &v) != 1)
      v = 0;
    fclose(f);
  }
  return v;
}

static unsigned long long ephemeral_ports(void)
{
  unsigned long lo = 0, hi = 0;
  FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

  if (f != NULL) {
    if (fscanf(f, "%lu %lu", &lo, &hi) != 2)
      lo = hi = 0;
    fclose(f);
  }
  return hi >= lo && hi > 0 ? hi - lo + 1 : 0;
}

/* Refuse a cell the machine cannot take, naming the limit and its value:
 * failing half way through a run helps nobody. */
static int check_limits(const cb_cell_t *c, unsigned pus)
{
  unsigned long long workers = c->rn->workers(c->concurrency, pus), fds, ports;
  long threads_max = read_proc_long("/proc/sys/kernel/threads-max");
  long pid_max = read_proc_long("/proc/sys/kernel/pid_max");
  const char *rn = c->rn->name;
  int multi = strcmp(rn, "serial") != 0;
  struct rlimit rl;

  /* Descriptors in the fullest process, plus a margin for the harness: the
   * tasks' own in an in-process runner; a pipe pair per worker in a process
   * pool's coordinator (each worker holds its task's own); one per
   * connection in a server. */
  ports = (unsigned long long)c->concurrency * c->wl->ports_per_task;
  fds = (unsigned long long)c->concurrency * c->wl->fds_per_task;
  if (strcmp(rn, "processes") == 0)
    fds = 2ull * c->concurrency;
  fds = (fds > ports ? fds : ports) + 64;
  if (multi && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
      workers * 2 + 64 > rl.rlim_cur)
    return cb_usage_error("run", "concurrency %u for %s needs about %llu processes/threads but "
                          "RLIMIT_NPROC (ulimit -u) is %llu", c->concurrency, rn,
                          workers * 2 + 64, (unsigned long long)rl.rlim_cur);
  if (multi && threads_max > 0 && (long long)(workers * 2 + 64) > threads_max)
    return cb_usage_error("run", "concurrency %u for %s needs about %llu threads but "
                          "kernel.threads-max is %ld", c->concurrency, rn, workers * 2 + 64,
                          threads_max);
  if (multi && pid_max > 0 && (long long)(workers * 2 + 64) > pid_max)
    return cb_usage_error("run", "concurrency %u for %s needs about %llu process IDs but "
                          "kernel.pid_max is %ld", c->concurrency, rn, workers * 2 + 64, pid_max);
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && fds > rl.rlim_cur)
    return cb_usage_error("run", "concurrency %u for %s with %s needs about %llu file "
                          "descriptors but RLIMIT_NOFILE (ulimit -n) is %llu", c->concurrency, rn,
                          c->wl->name, fds, (unsigned long long)rl.rlim_cur);
  if (ports > 0 && ports + 64 > ephemeral_ports())
    return cb_usage_error("run", "concurrency %u with %s needs %llu ephemeral ports but "
                          "net.ipv4.ip_local_port_range holds %llu", c->concurrency, c->wl->name,
                          ports, ephemeral_ports());
  return 0;
}

static void free_matrix(matrix_t *m)
{
  size_t i;

  if (m->expected != NULL) {
    for (i = 0; i < cb_workloads_count; i++)
      free(m->expected[i]);
  }
  free(m->expected);
  free(m->cells);
  memset(m, 0, sizeof(*m));
}

static size_t workload_index(const cb_workload_t *w)
{
  size_t i;

  for (i = 0; i < cb_workloads_count && cb_workloads[i] != w; i++)
    ;
  return i;
}

/* How many of the selected transports the runner has (its own default when
 * none), and the t-th of them. */
static size_t runner_transports(const cb_runner_t *rn, const char *const *tr, size_t nt)
{
  size_t i, n = 0;

  for (i = 0; i < nt; i++)
    n += cb_runner_has_transport(rn, tr[i]);
  return n > 0 ? n : 1;
}

static const char *runner_transport(const cb_runner_t *rn, const char *const *tr, size_t nt,
                                    size_t t)
{
  size_t i;

  for (i = 0; i < nt; i++) {
    if (cb_runner_has_transport(rn, tr[i]) && t-- == 0)
      return tr[i];
  }
  return rn->transports[0];
}

/* Expand the selections into cells; serial runs once per workload at c = 1,
 * and each runner once per selected transport it has. */
static int build_matrix(const opts_t *o, const selection_t *sel, unsigned pus, matrix_t *m)
{
  const char *const *tr = sel->tr;
  size_t a, b, k, t, nt = sel->nt, nc = sel->nc;
  int rc;

  m->cells = calloc(sel->nw * sel->nr * nc * (nt > 0 ? nt : 1), sizeof(*m->cells));
  m->expected = calloc(cb_workloads_count, sizeof(*m->expected));
  if (m->cells == NULL || m->expected == NULL)
    return cb_usage_error("run", "out of memory");
  for (a = 0; a < sel->nw; a++) {
    for (b = 0; b < sel->nr; b++) {
      const cb_runner_t *rn = cb_runners[sel->ri[b]];
      int serial = strcmp(rn->name, "serial") == 0;
      for (k = 0; k < nc && !(serial && k > 0); k++) {
       for (t = 0; t < runner_transports(rn, tr, nt); t++) {
        cb_cell_t *c = &m->cells[m->ncells++];
        c->wl = cb_workloads[sel->wi[a]];
        c->rn = rn;
        c->transport = runner_transport(rn, tr, nt, t);
        c->pin = o->pin;
        c->concurrency = serial ? 1 : sel->conc[k];
        c->params.tasks = o->have_tasks ? o->tasks : cb_workload_tasks(c->wl, c->concurrency);
        c->params.size = o->have_size ? o->size : c->wl->default_size;
        c->params.payload = o->have_payload ? o->payload : c->wl->default_payload;
        c->params.seed = o->seed;
        rc = check_limits(c, pus);
        if (rc != 0)
          return rc;
       }
      }
    }
  }
  return 0;
}

/* Expected checksums, once per workload (all its cells share parameters but
 * the task count, so one array long enough for the largest serves them all). */
static int compute_expected(matrix_t *m)
{
  uint64_t *most;
  size_t i, w;
  int err = 0;

  most = calloc(cb_workloads_count, sizeof(*most));
  if (most == NULL)
    return -ENOMEM;
  for (i = 0; i < m->ncells; i++) {
    w = workload_index(m->cells[i].wl);
    if (m->cells[i].params.tasks > most[w])
      most[w] = m->cells[i].params.tasks;
  }
  for (i = 0; i < m->ncells && err == 0; i++) {
    w = workload_index(m->cells[i].wl);
    if (m->expected[w] == NULL)
      err = cb_trial_expected(&m->cells[i], most[w], &m->expected[w]);
  }
  free(most);
  return err;
}

static void progress(const opts_t *o, size_t done, size_t total, const cb_cell_t *c, int warm)
{
  if (o->quiet || !isatty(STDERR_FILENO))
    return;
  fprintf(stderr, "\r\033[K[%zu/%zu] %s %s c=%u%s", done + 1, total, c->wl->name, c->rn->name,
          c->concurrency, warm ? " (warm-up)" : "");
  fflush(stderr);
}

static void now_iso(char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  size_t n;

  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* The summary file beside the trial CSV: X.csv -> X.summary.csv. */
static void summary_path(const char *csv, char *buf, size_t len)
{
  size_t n = strlen(csv);

  if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
    n -= 4;
  snprintf(buf, len, "%.*s.summary.csv", (int)n, csv);
}

/* For people: one line per cell from the summary. */
static void print_cells(const cb_cells_t *cells)
{
  const cb_summary_t *tp;
  char flags[96];
  size_t c;

  printf("%-14s %-10s %-9s %6s %5s %14s %21s %6s  %s\n", "workload", "runner", "transport", "c",
         "ok", "tasks/s median", "95% CI", "cv", "flags");
  for (c = 0; c < cells->n; c++) {
    tp = &cells->cell[c].m[CB_M_throughput];
    cb_flags_text(cells->cell[c].flags, flags, sizeof(flags));
    printf("%-14s %-10s %-9s %6s %2zu/%-2zu %14.5g [%9.4g, %9.4g] %5.1f%%  %s\n",
           cb_cell_key(cells, c, "workload"), cb_cell_key(cells, c, "runner"),
           cb_cell_key(cells, c, "transport"), cb_cell_key(cells, c, "concurrency"),
           cells->cell[c].n_ok, cells->cell[c].nrows, tp->median, tp->ci_lo, tp->ci_hi,
           100 * tp->cv, flags);
  }
}

typedef struct session_s {
  const opts_t *o;
  const matrix_t *m;
  const cb_topo_t *topo;
  const cb_meta_t *meta;
  const char *path;
  cb_buf_t csv;
  size_t rows, not_ok;
} session_t;

/* A trial that failed the run: anything but ok, except that a crash is what
 * the fault family measures. */
static int not_ok(const cb_cell_t *c, const cb_trial_t *t)
{
  char fam[32];

  cb_workload_family(c->wl, fam, sizeof(fam));
  if (t->status == CB_ST_CRASHED && strcmp(fam, "fault") == 0)
    return 0;
  return t->status != CB_ST_OK;
}

static int record(session_t *s, size_t cell, unsigned rep, const cb_trial_t *t)
{
  cb_row_t row = { .meta = s->meta, .cell = &s->m->cells[cell], .trial = t, .rep = rep };
  char fam[32];
  int err;

  cb_workload_family(row.cell->wl, fam, sizeof(fam));
  row.family = fam;
  row.transport = row.cell->transport;
  now_iso(row.timestamp, sizeof(row.timestamp));
  cb_record_row(&s->csv, &row);
  if (s->csv.failed)
    return -ENOMEM;
  s->rows++;
  s->not_ok += not_ok(row.cell, t);
  err = cb_write_atomic(s->path, s->csv.data, s->csv.len);
  if (err != 0)
    fprintf(stderr, "\nconcbench run: cannot write '%s': %s\n", s->path, strerror(-err));
  return err;
}

/* Derive the summary from the trials written so far, write it beside the
 * CSV and, at the end of a complete run, show it. */
static int write_summary(session_t *s, int show)
{
  char err[256], path[4200];
  cb_cells_t cells;
  cb_table_t t;
  cb_buf_t b = { 0 };
  int rc;

  summary_path(s->path, path, sizeof(path));
  rc = cb_table_parse(s->csv.data, s->csv.len, &t, err, sizeof(err));
  if (rc == 0) {
    rc = cb_cells_build(&t, &cells, err, sizeof(err));
    if (rc == 0) {
      cb_cells_csv(&cells, &b);
      rc = b.failed ? -ENOMEM : cb_write_atomic(path, b.data, b.len);
      snprintf(err, sizeof(err), "%s", strerror(-rc));
      if (rc == 0 && show)
        print_cells(&cells);
      if (rc == 0 && !s->o->quiet)
        cb_cells_warn(&cells, stderr);
      cb_buf_free(&b);
      cb_cells_free(&cells);
    }
    cb_table_free(&t);
  }
  if (rc != 0)
    fprintf(stderr, "concbench run: cannot write the summary '%s': %s\n", path, err);
  else if (show)
    printf("summary in %s\n", path);
  return rc;
}

/* Warm-up rounds first, then recorded ones; every round visits every cell. */
static int run_trials(session_t *s)
{
  const opts_t *o = s->o;
  size_t total = s->m->ncells * (o->warmup + o->reps), done = 0, i;
  uint64_t round;
  cb_trial_t t;
  int err;

  for (round = 0; round < o->warmup + o->reps; round++) {
    int warm = round < o->warmup;
    for (i = 0; i < s->m->ncells; i++, done++) {
      const cb_cell_t *c = &s->m->cells[i];
      progress(o, done, total, c, warm);
      err = cb_trial_supervised(c, s->topo, s->m->expected[workload_index(c->wl)],
                                o->trial_timeout, (volatile const int *)&stop_signal, &t);
      if (err != 0)
        return err;
      if (not_ok(c, &t) && !o->quiet)
        fprintf(stderr, "\rconcbench: %s %s c=%u: %s: %s\n", c->wl->name, c->rn->name,
                c->concurrency, cb_status_name(t.status), t.msg);
      if (!warm && (err = record(s, i, (unsigned)(round - o->warmup), &t)) != 0)
        return err;
    }
  }
  if (!o->quiet && isatty(STDERR_FILENO))
    fprintf(stderr, "\r\033[K");
  return 0;
}

static int pin_unsupported(const cb_topo_t *topo, cb_pin_policy_t pin)
{
  cb_plan_t plan;
  int err = cb_plan_compute(topo, pin, 1, &plan);

  if (err == 0)
    cb_plan_free(&plan);
  return err == -ENOTSUP;
}

static void default_output(char *buf, size_t len, const cb_meta_t *meta)
{
  mkdir("results", 0755); /* the default directory; an error shows at the write check */
  snprintf(buf, len, "results/concbench-%s.csv", meta->run_id);
}

/* Every transport some runner has, each once. */
static size_t all_transports(const char **names, size_t max)
{
  size_t i, j, k, n = 0;

  for (i = 0; i < cb_runners_count; i++) {
    for (j = 0; cb_runners[i]->transports[j] != NULL; j++) {
      for (k = 0; k < n && strcmp(names[k], cb_runners[i]->transports[j]) != 0; k++)
        ;
      if (k == n && n < max)
        names[n++] = cb_runners[i]->transports[j];
    }
  }
  return n;
}

static int select_all(const opts_t *o, selection_t *sel)
{
  const char *wnames[cb_workloads_count], *rnames[cb_runners_count];
  const char *tnames[CB_ARRAY_SIZE(sel->tr)];
  size_t i, nt = all_transports(tnames, CB_ARRAY_SIZE(tnames)), *ti = NULL;
  char bad[256];
  int err;

  for (i = 0; i < cb_workloads_count; i++)
    wnames[i] = cb_workloads[i]->name;
  for (i = 0; i < cb_runners_count; i++)
    rnames[i] = cb_runners[i]->name;
  if (select_list("workload", o->workloads, wnames, cb_workloads_count, &sel->wi, &sel->nw) != 0 ||
      select_list("runner", o->runners, rnames, cb_runners_count, &sel->ri, &sel->nr) != 0)
    return CB_EXIT_USAGE;
  if (o->transports != NULL) {
    if (select_list("transport", o->transports, tnames, nt, &ti, &sel->nt) != 0)
      return CB_EXIT_USAGE;
    for (i = 0; i < sel->nt; i++)
      sel->tr[i] = tnames[ti[i]];
    free(ti);
  }
  err = cb_parse_concurrency(o->concurrency, &sel->conc, &sel->nc, bad, sizeof(bad));
  if (err == -ERANGE)
    return cb_usage_error("run", "bad concurrency '%s' (1..%u)", bad, CB_MAX_CONCURRENCY);
  if (err != 0)
    return cb_usage_error("run", "bad concurrency '%s' (a list like 1,2,8 or a range like "
                          "1..64, low to high)", bad);
  return 0;
}

int cb_cmd_run(int argc, char **argv)
{
  opts_t o = { .workloads = "*", .runners = "*", .concurrency = "1,2,8", .pin = CB_PIN_COMPACT,
               .reps = 5, .warmup = 1, .seed = 1, .trial_timeout = 300 };
  session_t s = { .o = &o };
  struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
  matrix_t m = { 0 };
  selection_t sel = { 0 };
  cb_topo_t *topo = NULL;
  cb_meta_t meta;
  char path[4096];
  int rc, err;

  rc = parse_options(argc, argv, &o);
  if (rc != 0)
    return rc < 0 ? CB_EXIT_OK : rc;
  rc = select_all(&o, &sel);
  if (rc != 0)
    goto out;
  err = cb_topo_load(&topo);
  if (err != 0) {
    fprintf(stderr, "concbench run: cannot load the topology: %s\n", strerror(-err));
    rc = CB_EXIT_FAIL;
    goto out;
  }
  if (pin_unsupported(topo, o.pin)) {
    rc = cb_usage_error("run", "pin policy '%s' needs hwloc, which this build lacks (use none)",
                        cb_pin_name(o.pin));
    goto out;
  }
  rc = build_matrix(&o, &sel, cb_topo_pus(topo), &m);
  if (rc != 0)
    goto out;
  cb_meta_collect(&meta, topo);
  if (o.output == NULL)
    default_output(path, sizeof(path), &meta);
  else
    snprintf(path, sizeof(path), "%s", o.output);
  err = cb_check_writable(path);
  if (err != 0) {
    rc = cb_usage_error("run", "cannot write output '%s': %s", path, strerror(-err));
    goto out;
  }
  err = compute_expected(&m);
  if (err != 0) {
    fprintf(stderr, "concbench run: out of memory\n");
    rc = CB_EXIT_FAIL;
    goto out;
  }

  s.m = &m;
  s.topo = topo;
  s.meta = &meta;
  s.path = path;
  cb_record_header(&s.csv);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  err = run_trials(&s);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);

  if (s.rows == 0 && err == 0)
    err = cb_write_atomic(path, s.csv.data, s.csv.len);
  if (s.rows > 0 && (err == 0 || err == -EINTR) && write_summary(&s, err == 0) != 0)
    err = err != 0 ? err : -EIO;
  if (err == -EINTR) {
    fprintf(stderr, "\nconcbench run: interrupted; %zu finished trials are in %s\n", s.rows,
            s.rows ? path : "no file");
    rc = 128 + stop_signal;
  } else if (err != 0) {
    rc = CB_EXIT_FAIL;
  } else {
    printf("wrote %zu trials to %s (%zu not ok)\n", s.rows, path, s.not_ok);
    rc = s.not_ok > 0 ? CB_EXIT_FAIL : CB_EXIT_OK;
  }

out:
  cb_buf_free(&s.csv);
  free_matrix(&m);
  if (topo != NULL)
    cb_topo_free(topo);
  free(sel.conc);
  free(sel.ri);
  free(sel.wi);
  return rc;
}
