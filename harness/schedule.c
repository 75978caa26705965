/* The order of a run's trials (cb_schedule, matrix.h): every recorded
 * trial of every cell shuffled (Fisher-Yates, splitmix64 from the seed), so
 * the order is reproducible from the seed alone, and each cell's warm-ups
 * just before its first recorded trial. run and ab (two sides as 2 x cells)
 * both run their trials in this order. */
#include <stdlib.h>

#include "matrix.h"

/* Shuffle s[0..n) from *state (Fisher-Yates). */
static void shuffle(cb_slot_t *s, size_t n, uint64_t *state)
{
  size_t i, j;
  cb_slot_t tmp;

  for (i = n; i > 1; i--) {
    *state += UINT64_C(0x9e3779b97f4a7c15);
    j = (size_t)(cb_mix64(*state) % i);
    tmp = s[i - 1];
    s[i - 1] = s[j];
    s[j] = tmp;
  }
}

cb_slot_t *cb_schedule(size_t ncells, uint64_t warmup, uint64_t reps, uint64_t seed, size_t *n)
{
  size_t total = ncells * (size_t)(warmup + reps), nrec = ncells * (size_t)reps, i, k = 0;
  uint64_t state = seed, r;
  cb_slot_t *rec = malloc((nrec > 0 ? nrec : 1) * sizeof(*rec));
  cb_slot_t *s = malloc((total > 0 ? total : 1) * sizeof(*s));
  unsigned char *begun = calloc(ncells > 0 ? ncells : 1, 1);

  if (rec == NULL || s == NULL || begun == NULL) {
    free(s);
    s = NULL;
    goto out;
  }
  if (reps == 0) {
    for (r = 0; r < warmup; r++)
      for (i = 0; i < ncells; i++, k++)
        s[k] = (cb_slot_t){ .cell = i, .rep = -1 };
    shuffle(s, total, &state);
    goto done;
  }
  for (r = 0; r < reps; r++)
    for (i = 0; i < ncells; i++, k++)
      rec[k] = (cb_slot_t){ .cell = i, .rep = (long)r };
  shuffle(rec, nrec, &state);
  for (i = 0, k = 0; i < nrec; i++) {
    if (!begun[rec[i].cell]) {
      begun[rec[i].cell] = 1;
      for (r = 0; r < warmup; r++)
        s[k++] = (cb_slot_t){ .cell = rec[i].cell, .rep = -1 };
    }
    s[k++] = rec[i];
  }
done:
  *n = total;
out:
  free(begun);
  free(rec);
  return s;
}
