/* libFuzzer target: the command line's list and range parsers (concurrency,
 * payload sizes, names with globs). The input is split at its first NUL:
 * the part before is parsed as a number list, the whole as a name list. A
 * parsed list must be sorted, without duplicates and within its bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static const char *const names[] = { "noop", "cpu.hash", "cpu.fp", "io.sleep", "io.tcp",
                                     "comm.payload", "life.idle", "fault.crash" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1), bad[64];
  uint64_t *v = NULL, x;
  unsigned *u = NULL;
  size_t n = 0, i, *picked = NULL;

  if (s == NULL)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  if (cb_parse_u64_list(s, 0, UINT64_C(1) << 30, &v, &n, bad, sizeof(bad)) == 0) {
    for (i = 0; i < n; i++) {
      if (v[i] > (UINT64_C(1) << 30) || (i > 0 && v[i] <= v[i - 1]))
        abort();
    }
    free(v);
  }
  if (cb_parse_concurrency(s, &u, &n, bad, sizeof(bad)) == 0) {
    for (i = 0; i < n; i++) {
      if (u[i] == 0 || u[i] > CB_MAX_CONCURRENCY || (i > 0 && u[i] <= u[i - 1]))
        abort();
    }
    free(u);
  }
  if (cb_select_names(s, names, sizeof(names) / sizeof(names[0]), &picked, &n, bad,
                      sizeof(bad)) == 0) {
    for (i = 0; i < n; i++) {
      if (picked[i] >= sizeof(names) / sizeof(names[0]))
        abort();
    }
    free(picked);
  }
  cb_parse_u64(s, 1, 1000, &x);
  free(s);
  return 0;
}
