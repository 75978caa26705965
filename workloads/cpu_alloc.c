/* cpu.alloc: allocation-heavy work. A task builds a linked list of `size`
 * small objects (16 to 256 bytes, sizes drawn from the task's seed), fills and
 * reads them, then frees them in an interleaved order that leaves the heap
 * fragmented for the next task. Threads share one heap and its locks (glibc
 * gives them arenas, up to 8 per core); processes each have their own. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gil.h"
#include "workload.h"

typedef struct node_s {
  struct node_s *next;
  uint32_t len;
  unsigned char data[];
} node_t;

static void free_alternate(node_t *head)
{
  node_t *n, *keep = NULL, *next;
  int odd = 0;

  /* Every other node first, the rest afterwards: holes, not a clean stack. */
  for (n = head; n != NULL; n = next, odd ^= 1) {
    next = n->next;
    if (odd) {
      free(n);
    } else {
      n->next = keep;
      keep = n;
    }
  }
  for (n = keep; n != NULL; n = next) {
    next = n->next;
    free(n);
  }
}

static int alloc_task(const cb_params_t *p, uint64_t index, uint64_t *checksum)
{
  uint64_t seed = cb_task_seed(p->seed, index), i, sum = seed;
  node_t *head = NULL, *n;
  uint32_t len;

  for (i = 0; i < p->size; i++) {
    len = 16 + (uint32_t)(cb_mix64(seed + i) % 241);
    n = malloc(sizeof(*n) + len);
    if (n == NULL) {
      free_alternate(head);
      return -ENOMEM;
    }
    n->len = len;
    memset(n->data, (int)(i & 0xff), len);
    n->next = head;
    head = n;
    if ((i & 63) == 63)
      cb_gil_checkpoint();
  }
  for (n = head; n != NULL; n = n->next)
    sum = cb_mix64(sum + n->len + n->data[n->len - 1]);
  free_alternate(head);
  *checksum = sum;
  return 0;
}

static int alloc_run(const cb_task_t *t, uint64_t *checksum)
{
  return alloc_task(t->p, t->index, checksum);
}

static uint64_t alloc_expect(const cb_task_t *t)
{
  uint64_t sum = 0;

  alloc_task(t->p, t->index, &sum);
  return sum;
}

const cb_workload_t cb_workload_cpu_alloc = {
  .name = "cpu.alloc",
  .description = "build and free a list of small heap objects: malloc-bound",
  .size_unit = "objects",
  .default_size = 10000,
  .max_size = 4000000, /* about 700 MiB per worker */
  .default_tasks = 500,
  .run = alloc_run,
  .expect = alloc_expect,
  .profile = { [CB_PROFILE_QUICK] = CB_SIZING(1000, 300),
               [CB_PROFILE_STANDARD] = CB_SIZING(10000, 100),
               [CB_PROFILE_FULL] = CB_SIZING(10000, 300) },
  .test = CB_SIZING(100, 30),
  .charts = CB_CHART_CPU_BOUND,
};
