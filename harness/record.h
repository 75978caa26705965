/* The trial CSV: machine metadata and the one list of columns (an X-macro, so
 * the header and every row come from the same table). docs/SCHEMA.md
 * documents each column; the names are a contract that other people's
 * scripts read: add freely, rename or remove only with a written reason. */
#ifndef CB_RECORD_H
#define CB_RECORD_H

#include "cb_version.h"
#include "csv.h"
#include "meta.h"
#include "topo.h"
#include "trial.h"


/* Everything one CSV row holds. */
typedef struct cb_row_s {
  const cb_meta_t *meta;
  const cb_cell_t *cell;
  const cb_trial_t *trial;
  const char *family;
  const char *transport;
  const char *dispatch;
  char timestamp[32];
  unsigned rep;
  double load1;          /* the 1-minute load average when the trial ended */
} cb_row_t;

/* The row's procs (per = 0) or per_proc (per = 1): the trial's, or, for a
 * trial that ended before its runner said (crashed, timed out), the cell's
 * split where the runner takes --procs (so that the row stays in its cell),
 * else 0. */
static inline unsigned cb_row_procs(const cb_row_t *r, int per)
{
  unsigned t = 0, n;

  if ((per ? r->trial->per_proc : r->trial->procs) > 0 || r->cell->procs == 0)
    return per ? r->trial->per_proc : r->trial->procs;
  n = cb_procs_split(r->cell->concurrency, r->cell->procs, 1, &t);
  return per ? t : n;
}

/* X(name, kind, expression over `r`); kinds: STR, U64, DBL. */
#define CB_COLUMNS(X)                                     \
  X(run_id, STR, r->meta->run_id)                         \
  X(timestamp, STR, r->timestamp)                         \
  X(host, STR, r->meta->host)                             \
  X(cpu_model, STR, r->meta->cpu_model)                   \
  X(pus, U64, r->meta->pus)                               \
  X(cores, U64, r->meta->cores)                           \
  X(caches, STR, r->meta->caches_text)                    \
  X(kernel, STR, r->meta->kernel)                         \
  X(compiler, STR, CB_COMPILER)                           \
  X(concbench_version, STR, CB_VERSION)                   \
  X(git_revision, STR, CB_GIT_REVISION)                   \
  X(build_type, STR, CB_BUILDTYPE)                        \
  X(workload, STR, r->cell->wl->name)                     \
  X(family, STR, r->family)                               \
  X(runner, STR, r->cell->rn->name)                       \
  X(transport, STR, r->transport)                         \
  X(pin, STR, cb_pin_name(r->cell->pin))                  \
  X(concurrency, U64, r->cell->concurrency)               \
  X(workers, U64, r->trial->workers)                      \
  X(tasks, U64, r->cell->params.tasks)                    \
  X(size, U64, r->cell->params.size)                      \
  X(payload, U64, r->cell->params.payload)                \
  X(rep, U64, r->rep)                                     \
  X(wall_s, DBL, r->trial->wall_s)                        \
  X(throughput, DBL, r->trial->throughput)                \
  X(lat_p50_us, DBL, r->trial->lat_p50_us)                \
  X(lat_p99_us, DBL, r->trial->lat_p99_us)                \
  X(user_s, DBL, r->trial->user_s)                        \
  X(sys_s, DBL, r->trial->sys_s)                          \
  X(vcsw, U64, r->trial->vcsw)                            \
  X(ivcsw, U64, r->trial->ivcsw)                          \
  X(maxrss_kb, U64, r->trial->maxrss_kb)                  \
  X(failed, U64, r->trial->failed)                        \
  X(verified, U64, r->trial->verified)                    \
  X(status, STR, cb_status_name(r->trial->status))        \
  X(startup_s, DBL, r->trial->startup_s)                  \
  X(teardown_s, DBL, r->trial->teardown_s)                \
  X(pin_wrap, U64, r->trial->pin_wrap)                    \
  X(seed, U64, r->cell->params.seed)                      \
  X(message, STR, r->trial->msg)                          \
  X(gil, U64, r->cell->gil)                               \
  X(switch_interval_us, U64, r->cell->switch_us)          \
  X(lost_updates, U64, r->trial->lost)                    \
  X(gil_switches, U64, r->trial->gil_switches)            \
  X(dispatch, STR, r->dispatch)                           \
  X(inflight, U64, r->trial->inflight)                    \
  X(inline, U64, r->trial->inline_tasks)                  \
  X(max_concurrency, U64, r->cell->max_concurrency)       \
  X(limit, STR, r->cell->limit != NULL ? r->cell->limit : "") \
  X(mem_total_kb, U64, r->meta->mem_total_kb)                 \
  X(load_avg, DBL, r->load1 >= 0 ? r->load1 : 0)              \
  X(env, STR, r->meta->env_text)                              \
  X(procs, U64, cb_row_procs(r, 0))                           \
  X(per_proc, U64, cb_row_procs(r, 1))

/* The column names in file order: the schema of the trial CSV. A file with
 * another list (older or newer concbench) is of another schema version. */
extern const char *const cb_record_columns[];
extern const size_t cb_record_columns_count;

void cb_record_header(cb_buf_t *b);
void cb_record_row(cb_buf_t *b, const cb_row_t *r);

#endif
