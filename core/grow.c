/* Growing arrays (cb_grow, include/cb.h): every list the harness, the
 * analysis and the runners build element by element grows the same way, by
 * doubling, with the capacity changed only once the memory is there, so
 * that a failed growth leaves the array as it was. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb.h"

int cb_grow(void *arrayp, size_t *cap, size_t n, size_t elem, size_t first)
{
  void *old, *p;
  size_t c;

  if (n < *cap)
    return 0;
  c = *cap > 0 ? *cap : first > 0 ? first : 1;
  while (c <= n) {
    if (c > SIZE_MAX / 2)
      return -ENOMEM;
    c *= 2;
  }
  if (elem == 0 || c > SIZE_MAX / elem)
    return -ENOMEM;
  /* The array pointer is read and written as bytes: it may point to any
   * object type, and all of them are represented alike here. */
  memcpy(&old, arrayp, sizeof(old));
  p = realloc(old, c * elem);
  if (p == NULL)
    return -ENOMEM;
  memcpy(arrayp, &p, sizeof(p));
  *cap = c;
  return 0;
}
