/* `concbench list`: the workload and runner registries, one tab-separated
 * line each, for people and for scripts (the completion and the tests read
 * it). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "runner.h"
#include "workload.h"

static void print_runner(const cb_runner_t *r)
{
  size_t i;

  printf("runner\t%s\t", r->name);
  for (i = 0; r->transports[i] != NULL; i++)
    printf("%s%s", i ? "," : "", r->transports[i]);
  printf("\t");
  for (i = 0; r->dispatches[i] != NULL; i++)
    printf("%s%s", i ? "," : "", r->dispatches[i]);
  printf("\t%s\n", r->description);
}

int cb_cmd_list(int argc, char **argv)
{
  char fam[32];
  size_t i;

  if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    printf("usage: concbench list\n\n"
           "One line per workload (\"workload NAME FAMILY SIZE-UNIT DEFAULT-SIZE "
           "DEFAULT-TASKS DESCRIPTION\")\nand per runner (\"runner NAME TRANSPORTS "
           "DISPATCH-MODES DESCRIPTION\"), fields separated by tabs;\nthe first transport "
           "and dispatch mode of a runner are its defaults.\n");
    return CB_EXIT_OK;
  }
  if (argc > 1)
    return cb_usage_error("list", "unexpected argument '%s' (list takes none)", argv[1]);
  for (i = 0; i < cb_workloads_count; i++) {
    const cb_workload_t *w = cb_workloads[i];
    cb_workload_family(w, fam, sizeof(fam));
    printf("workload\t%s\t%s\t%s\t%llu\t%llu\t%s\n", w->name, fam, w->size_unit,
           (unsigned long long)w->default_size, (unsigned long long)w->default_tasks,
           w->description);
  }
  for (i = 0; i < cb_runners_count; i++)
    print_runner(cb_runners[i]);
  return CB_EXIT_OK;
}
