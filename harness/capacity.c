/* Limits of the machine on a cell's concurrency; see capacity.h. The limits are
 * read once per process (they do not change during a run). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "capacity.h"

typedef struct machine_s {
  int read;
  unsigned long long nproc, nofile, threads_max, pid_max, ports;
} machine_t;

static machine_t mach;

static unsigned long long read_ull(const char *path)
{
  unsigned long long v = 0;
  FILE *f = fopen(path, "re");

  if (f != NULL) {
    if (fscanf(f, "%llu", &v) != 1)
      v = 0;
    fclose(f);
  }
  return v;
}

static unsigned long long ephemeral_ports(void)
{
  unsigned long long lo = 0, hi = 0;
  FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

  if (f != NULL) {
    if (fscanf(f, "%llu %llu", &lo, &hi) != 2)
      lo = hi = 0;
    fclose(f);
  }
  return hi >= lo && hi > 0 ? hi - lo + 1 : 0;
}

/* 0 means no limit. */
static unsigned long long rlim(int which)
{
  struct rlimit rl;

  if (getrlimit(which, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
    return 0;
  return (unsigned long long)rl.rlim_cur;
}

static const machine_t *machine(void)
{
  if (!mach.read) {
    mach.nproc = rlim(RLIMIT_NPROC);
    mach.nofile = rlim(RLIMIT_NOFILE);
    mach.threads_max = read_ull("/proc/sys/kernel/threads-max");
    mach.pid_max = read_ull("/proc/sys/kernel/pid_max");
    mach.ports = ephemeral_ports();
    mach.read = 1;
  }
  return &mach;
}

/* What the cell needs at concurrency c, against each limit; the first one
 * exceeded in *why. */
static int fits(const cb_cell_t *cell, unsigned long c, unsigned pus, cb_limit_t *why)
{
  const machine_t *m = machine();
  const cb_runner_t *rn = cell->rn;
  unsigned long long workers = rn->workers((unsigned)c, pus, cell->procs), fds, ports, procs;
  unsigned per = 1;

  /* Each worker brings a partner where the workload asks for one
   * (comm.pingpong); and a margin. */
  procs = rn->procs_per_worker == 0
              ? 0
              : workers * rn->procs_per_worker * (cell->wl->uses_partner ? 2 : 1) + 64;
  /* Descriptors in the fullest process, plus a margin for the harness: the
   * tasks' own when they run in the trial process; the coordinator's per
   * worker when workers are processes of their own (each holds its task's). */
  ports = (unsigned long long)c * cell->wl->ports_per_task;
  if (rn->takes_procs)
    cb_procs_split((unsigned)c, cell->procs, pus, &per);
  /* A process of a hybrid holds the descriptors of its `per` tasks. */
  fds = rn->async_form && cell->wl->async_start != NULL
            ? (rn->forks_workers ? per : (unsigned long long)c) * cell->wl->async_fds_per_task
            : (rn->forks_workers ? per : (unsigned long long)c) * cell->wl->fds_per_task;
  if (rn->forks_workers && workers * rn->fds_per_worker > fds)
    fds = workers * rn->fds_per_worker;
  fds = (fds > ports ? fds : ports) + 64;
  *why = (cb_limit_t){ 0 };
  if (m->nproc > 0 && procs > m->nproc)
    *why = (cb_limit_t){ "RLIMIT_NPROC (ulimit -u)", "processes/threads", procs, m->nproc };
  else if (m->threads_max > 0 && procs > m->threads_max)
    *why = (cb_limit_t){ "kernel.threads-max", "threads", procs, m->threads_max };
  else if (m->pid_max > 0 && procs > m->pid_max)
    *why = (cb_limit_t){ "kernel.pid_max", "process IDs", procs, m->pid_max };
  else if (m->nofile > 0 && fds > m->nofile)
    *why = (cb_limit_t){ "RLIMIT_NOFILE (ulimit -n)", "file descriptors", fds, m->nofile };
  else if (ports > 0 && ports + 64 > m->ports)
    *why = (cb_limit_t){ "net.ipv4.ip_local_port_range", "ephemeral ports", ports, m->ports };
  return why->name != NULL ? -E2BIG : 0;
}

int cb_capacity_check(const cb_cell_t *c, unsigned pus, cb_limit_t *why)
{
  return fits(c, c->concurrency, pus, why);
}

unsigned long cb_capacity_max(const cb_cell_t *c, unsigned pus, unsigned long cap,
                            const char **limit)
{
  unsigned long lo = 1, hi = cap, mid;
  cb_limit_t why;

  *limit = "--";
  if (fits(c, cap, pus, &why) == 0)
    return cap;
  *limit = why.name;
  if (fits(c, 1, pus, &why) != 0)
    return 0;
  /* needs grow with c: the largest c that fits, by bisection */
  while (hi - lo > 1) {
    mid = lo + (hi - lo) / 2;
    if (fits(c, mid, pus, &why) == 0)
      lo = mid;
    else
      hi = mid;
  }
  fits(c, hi, pus, &why);
  *limit = why.name;
  return lo;
}
