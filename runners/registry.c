/* The one list of runners, in the order they appear in `concbench list` and in
 * every chart. Adding a runner is one file in this directory and one line here. */
#include <string.h>

#include "runner.h"

extern const cb_runner_t cb_runner_serial;
extern const cb_runner_t cb_runner_threads;
extern const cb_runner_t cb_runner_processes;
extern const cb_runner_t cb_runner_procs_threads;
#if CB_HAVE_LIBUV
extern const cb_runner_t cb_runner_eventloop;
extern const cb_runner_t cb_runner_loop1;
extern const cb_runner_t cb_runner_procs_loops;
#endif

const cb_runner_t *const cb_runners[] = {
  &cb_runner_serial,
  &cb_runner_threads,
  &cb_runner_processes,
  &cb_runner_procs_threads,
#if CB_HAVE_LIBUV
  &cb_runner_eventloop,
  &cb_runner_loop1,
  &cb_runner_procs_loops,
#endif
};
const size_t cb_runners_count = CB_ARRAY_SIZE(cb_runners);

int cb_runner_has_transport(const cb_runner_t *r, const char *name)
{
  size_t i;

  for (i = 0; r->transports[i] != NULL; i++) {
    if (strcmp(r->transports[i], name) == 0)
      return 1;
  }
  return 0;
}

int cb_runner_has_dispatch(const cb_runner_t *r, const char *name)
{
  size_t i;

  for (i = 0; r->dispatches[i] != NULL; i++) {
    if (strcmp(r->dispatches[i], name) == 0)
      return 1;
  }
  return 0;
}

int cb_runner_default_transport(const char *runner, const char *transport)
{
  const cb_runner_t *r = cb_runner_find(runner);
  size_t i;

  if (transport[0] == '\0' || r != NULL)
    return transport[0] == '\0' || strcmp(r->transports[0], transport) == 0;
  for (i = 0; i < cb_runners_count; i++) {
    if (strcmp(cb_runners[i]->transports[0], transport) == 0)
      return 1;
  }
  return 0;
}

const cb_runner_t *cb_runner_find(const char *name)
{
  size_t i;

  for (i = 0; i < cb_runners_count; i++) {
    if (strcmp(cb_runners[i]->name, name) == 0)
      return cb_runners[i];
  }
  return NULL;
}
