/* The one list of runners, made from list.def (one line per runner), and
 * looking runners up by name. */
#include <string.h>

#include "runner.h"

#if CB_HAVE_LIBUV
#define CB_RUNNER_UV(name) CB_RUNNER(name)
#else
#define CB_RUNNER_UV(name)
#endif

#define CB_RUNNER(name) extern const cb_runner_t cb_runner_##name;
#include "list.def"
#undef CB_RUNNER

const cb_runner_t *const cb_runners[] = {
#define CB_RUNNER(name) &cb_runner_##name,
#include "list.def"
#undef CB_RUNNER
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
