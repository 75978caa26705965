/* Trials: execute one cell once in the calling process and verify every
 * task (its checksum, its output bytes, the workload's shared state), then
 * fill the trial's measures. Running that in a supervised child process is
 * supervise.c's, the expected checksums expect.c's, the scratch directory
 * scratch.c's (trial_int.h holds what they share). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gil.h"
#include "stats.h"
#include "trial.h"
#include "trial_int.h"

static const char *const status_names[] = {
  [CB_ST_OK] = "ok",
  [CB_ST_CRASHED] = "crashed",
  [CB_ST_TIMEOUT] = "timeout",
  [CB_ST_WRONG] = "wrong",
  [CB_ST_ERROR] = "error",
  [CB_ST_RACY] = "racy",
};

const char *cb_status_name(cb_status_t s)
{
  if ((size_t)s >= CB_ARRAY_SIZE(status_names))
    return "?";
  return status_names[s];
}

void cb__trial_msg(cb_trial_t *t, const char *fmt, ...)
{
  va_list ap;

  if (t->msg[0] != '\0')
    return;
  va_start(ap, fmt);
  vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
  va_end(ap);
}

unsigned cb_trial_stride(const cb_cell_t *cell)
{
  return cell->wl->writes_out && cell->params.payload > 0 ? 2 : 1;
}

/* Compare every task with its expected checksum (and, where its output
 * bytes crossed a process boundary, what arrived with what the task must
 * have produced); fill the verdict and count the tasks that came back right. */
static void verify(const cb_cell_t *cell, const cb_exec_t *x, const uint64_t *expected,
                   cb_trial_t *t, uint64_t *good)
{
  uint64_t i, n = cell->params.tasks, errors = 0, sum, out;
  unsigned stride = cb_trial_stride(cell);
  int check_out = x->checks_out && stride == 2;
  const cb_task_result_t *r;

  *good = 0;
  for (i = 0; i < n; i++) {
    r = &x->results[i];
    /* A calibration trial (no expected values) is timed, never recorded:
     * what came back once without an error counts as right. */
    sum = expected != NULL ? expected[i * stride] : r->checksum;
    out = expected == NULL ? r->out_digest : stride == 2 ? expected[i * stride + 1] : 0;
    if (r->err == -ECHILD && r->seen == 0)
      continue; /* lost with its worker, counted in failed */
    if (r->seen != 1) {
      t->wrong++;
      cb__trial_msg(t, "task %llu came back %u times", (unsigned long long)i, r->seen);
    } else if (r->err != 0) {
      errors++;
      cb__trial_msg(t, "task %llu: %s", (unsigned long long)i, strerror(-r->err));
    } else if (r->checksum != sum) {
      t->wrong++;
      cb__trial_msg(t, "task %llu: checksum %016llx, expected %016llx", (unsigned long long)i,
              (unsigned long long)r->checksum, (unsigned long long)sum);
    } else if (check_out && r->out_digest != out) {
      t->wrong++;
      cb__trial_msg(t, "task %llu: its output bytes arrived changed (digest %016llx, expected "
              "%016llx)", (unsigned long long)i, (unsigned long long)r->out_digest,
              (unsigned long long)out);
    } else {
      ++*good;
    }
  }
  t->failed = x->failed + errors;
  t->verified = t->wrong == 0 && (errors == 0 || cell->wl->fails_on_purpose);
  if (t->wrong > 0) {
    t->status = CB_ST_WRONG;
  } else if (errors > 0 && !cell->wl->fails_on_purpose) {
    t->status = CB_ST_ERROR;
  } else if (x->failed > 0 && !cell->wl->fails_on_purpose) {
    /* Only a workload that fails on purpose (fault.*) kills its workers:
     * for anything else a dead worker was killed from outside, and the
     * trial did not measure the model. */
    t->status = CB_ST_ERROR;
    cb__trial_msg(t, "%llu task%s lost with a worker that died (killed from outside?)",
            (unsigned long long)x->failed, x->failed == 1 ? "" : "s");
  }
}

/* The workload's own check of its shared state, once every task is right. */
static void verify_shared(const cb_cell_t *cell, void *state, cb_trial_t *t)
{
  char why[128] = "";
  uint64_t lost = 0;

  if (cell->wl->verify == NULL || t->status != CB_ST_OK || t->failed > 0)
    return;
  if (cell->wl->verify(&cell->params, state, &lost, why, sizeof(why)) == 0)
    return;
  t->lost = lost;
  t->verified = 0;
  t->status = cell->wl->racy && lost > 0 ? CB_ST_RACY : CB_ST_WRONG;
  cb__trial_msg(t, "%s", why[0] != '\0' ? why : "shared state is wrong after the trial");
}

/* Latency percentiles over the tasks that came back. */
static int latencies(const cb_cell_t *cell, const cb_exec_t *x, cb_trial_t *t)
{
  uint64_t i, k = 0, n = cell->params.tasks, *lat;

  lat = malloc(n * sizeof(*lat));
  if (lat == NULL)
    return -ENOMEM;
  for (i = 0; i < n; i++) {
    if (x->results[i].seen > 0)
      lat[k++] = x->results[i].lat_ns;
  }
  t->lat_p50_us = cb_percentile_u64(lat, k, 0.50) / 1e3;
  t->lat_p99_us = cb_percentile_u64(lat, k, 0.99) / 1e3;
  free(lat);
  return 0;
}

/* Throughput counts the tasks that came back right, and nothing else. */
static void fill_measures(const cb_exec_t *x, uint64_t good, cb_trial_t *t)
{
  t->workers = x->workers;
  t->inflight = x->inflight;
  t->procs = x->nprocs;
  t->per_proc = x->per_proc;
  t->inline_tasks = x->inline_tasks;
  t->wall_s = (double)x->wall_ns / 1e9;
  t->startup_s = (double)x->startup_ns / 1e9;
  t->teardown_s = (double)x->teardown_ns / 1e9;
  t->throughput = x->wall_ns > 0 ? (double)good / t->wall_s : 0;
  t->user_s = (double)x->usage.user_ns / 1e9;
  t->sys_s = (double)x->usage.sys_ns / 1e9;
  t->vcsw = x->usage.vcsw;
  t->ivcsw = x->usage.ivcsw;
  t->maxrss_kb = x->usage.mem_kb;
}

/* The trial proper, with its parameters complete (scratch set). */
static int execute(const cb_cell_t *cell, const cb_topo_t *topo, const uint64_t *expected,
                   cb_trial_t *out)
{
  cb_exec_t x = {
    .wl = cell->wl,
    .params = &cell->params,
    .concurrency = cell->concurrency,
    .transport = cell->transport != NULL ? cell->transport : cell->rn->transports[0],
    .dispatch = cell->dispatch != NULL ? cell->dispatch : cell->rn->dispatches[0],
    .pus = cb_topo_pus(topo),
    .procs = cell->procs > 0 ? cell->procs : cb_topo_pus(topo) > 0 ? cb_topo_pus(topo) : 1,
  };
  size_t payload = (size_t)cell->params.payload;
  unsigned char *in = NULL;
  cb_plan_t plan = { 0 };
  void *state = NULL;
  uint64_t switches, good = 0;
  int err, have_plan = 0, have_state = 0;

  /* Shared for every runner: forked workers write results in place as
   * threads do, and no runner gets memory of another kind. */
  x.results = cb_results_map(cell->params.tasks);
  in = payload > 0 ? malloc(payload) : NULL;
  if (x.results == NULL || (payload > 0 && in == NULL)) {
    err = -ENOMEM;
    cb__trial_msg(out, "no memory for %llu task results and the payload",
            (unsigned long long)cell->params.tasks);
    goto out;
  }
  if (payload > 0)
    cb_payload_fill(&cell->params, in);
  x.in = in;
  err = cb_plan_compute(topo, cell->pin, cell->rn->workers(cell->concurrency, x.pus, x.procs), &plan);
  if (err != 0) {
    cb__trial_msg(out, "placement plan: %s", strerror(-err));
    goto out;
  }
  have_plan = 1;
  x.plan = &plan;
  out->pin_wrap = plan.wrapped;
  if (cell->wl->setup != NULL) {
    err = cell->wl->setup(&cell->params, &state);
    if (err != 0) {
      cb__trial_msg(out, "%s set-up: %s", cell->wl->name, strerror(-err));
      goto out;
    }
  }
  have_state = 1;
  x.state = state;

  err = cb_gil_init(cell->gil, cell->switch_us);
  if (err != 0) {
    cb__trial_msg(out, "GIL mode: %s", strerror(-err));
    goto out;
  }
  cb__usage_begin(&x);
  err = cell->rn->run(&x);
  switches = cb_gil_switches();
  cb_gil_fini();
  if (err != 0) {
    cb__trial_msg(out, "%s", x.msg[0] != '\0' ? x.msg : strerror(-err));
    goto out;
  }
  out->status = CB_ST_OK;
  out->gil_switches = switches;
  verify(cell, &x, expected, out, &good);
  verify_shared(cell, state, out);
  fill_measures(&x, good, out);
  err = latencies(cell, &x, out);

out:
  if (have_state && cell->wl->teardown != NULL)
    cell->wl->teardown(&cell->params, state);
  if (have_plan)
    cb_plan_free(&plan);
  free(in);
  cb_results_unmap(x.results, cell->params.tasks);
  return err;
}

int cb_trial_execute(const cb_cell_t *cell, const cb_topo_t *topo,
                     const uint64_t *expected, cb_trial_t *out)
{
  cb_cell_t own = *cell;
  char *dir;
  int err;

  memset(out, 0, sizeof(*out));
  out->status = CB_ST_ERROR;
  if (cell->params.scratch != NULL)
    return execute(cell, topo, expected, out);
  err = cb__scratch_make(&dir);
  if (err != 0) {
    cb__trial_msg(out, "scratch directory in %s: %s", cb__scratch_base(), strerror(-err));
    free(dir);
    return err;
  }
  own.params.scratch = dir;
  err = execute(&own, topo, expected, out);
  cb__scratch_remove(dir);
  free(dir);
  return err;
}

