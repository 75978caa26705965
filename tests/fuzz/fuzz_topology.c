/* libFuzzer target: the pin policy parser and hwloc synthetic topology
 * descriptions (`concbench topology --synthetic`), with placement plans
 * computed on whatever loads: every PU a plan names must exist in the
 * topology, and printing must work. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  cb_pin_policy_t pol;
  cb_topo_t *t = NULL;
  cb_plan_t plan;
  unsigned w, p;
  FILE *null;

  if (s == NULL)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  if (cb_pin_parse(s, &pol) == 0 && strcmp(s, cb_pin_name(pol)) != 0)
    abort();
  /* Keep descriptions small: a huge synthetic machine is slow, not wrong. */
  if (size < 64 && cb_topo_load_synthetic(s, &t) == 0) {
    if (cb_topo_pus(t) <= 4096) {
      for (p = 0; p < CB_PIN__COUNT; p++) {
        for (w = 1; w <= 9; w += 4) {
          if (cb_plan_compute(t, (cb_pin_policy_t)p, w, &plan) != 0)
            continue;
          cb_plan_free(&plan);
        }
      }
      null = fopen("/dev/null", "w");
      if (null != NULL) {
        cb_topo_print(null, t, 5);
        fclose(null);
      }
    }
    cb_topo_free(t);
  }
  free(s);
  return 0;
}
