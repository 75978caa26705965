/* concbench-bare: bare loops of the primitives that concbench's runners are
 * built from, with nothing of the harness around them, so that a figure of
 * concbench can be set beside what the machine does without it (the README
 * and the issue notes quote both from one session).
 *
 *   concbench-bare pipe-rtt N [CPU]   N round trips of 8 bytes between two
 *                                     processes over a pair of pipes
 *   concbench-bare fork N [CPU]       N x fork + _exit + waitpid
 *   concbench-bare thread N [CPU]     N x pthread_create + pthread_join
 *   concbench-bare hash|fp|matmul|alloc MS [CPU]
 *                                     the machine's steadiness: the cv of 9
 *                                     batches of MS ms of a CPU loop (an
 *                                     integer hash chain, Mandelbrot points,
 *                                     a 32 x 32 matrix product, malloc/free
 *                                     of a list), 12 groups; the median and
 *                                     the largest cv, and the loop's rate
 *
 * With CPU (a number) every process and thread is bound to that one CPU;
 * "any" leaves them to the scheduler. Prints one line: the primitive, N, the
 * median of 5 rounds of the mean time per operation in nanoseconds (what a
 * throughput measures), and for fork and thread the median of the single
 * operations (op_p50_ns, what concbench's lat_p50_us measures; a VM's rare
 * slow fork moves a mean, not a median). Exit 2 with a message on bad
 * arguments. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { ROUNDS = 5, MAX_OPS = 1 << 20 };

/* Single operations' times, the first MAX_OPS of every round together. */
static double *ops;
static size_t nops;

static void record(uint64_t t0, uint64_t t1)
{
  if (ops != NULL && nops < MAX_OPS)
    ops[nops++] = (double)(t1 - t0);
}

static uint64_t now_ns(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bind_cpu(long cpu)
{
  cpu_set_t set;

  if (cpu < 0)
    return 0;
  CPU_ZERO(&set);
  CPU_SET((int)cpu, &set);
  return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : -errno;
}

static int full(int fd, void *buf, size_t len, int writing)
{
  size_t done = 0;
  ssize_t r;

  while (done < len) {
    r = writing ? write(fd, (char *)buf + done, len - done) : read(fd, (char *)buf + done, len - done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    done += (size_t)r;
  }
  return 0;
}

/* One round of n round trips; ns per round trip, or 0 on error. */
static double pipe_rtt(uint64_t n)
{
  int a[2], b[2];
  uint64_t token = 0, i, t0, t1;
  pid_t pid;

  if (pipe(a) != 0 || pipe(b) != 0)
    return 0;
  pid = fork();
  if (pid < 0)
    return 0;
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    close(a[1]); /* else its own copy keeps the end-of-file away */
    close(b[0]);
    while (full(a[0], &token, sizeof(token), 0) == 0) {
      token++;
      if (full(b[1], &token, sizeof(token), 1) != 0)
        break;
    }
    _exit(0);
  }
  t0 = now_ns();
  for (i = 0; i < n; i++) {
    if (full(a[1], &token, sizeof(token), 1) != 0 || full(b[0], &token, sizeof(token), 0) != 0)
      break;
  }
  t1 = now_ns();
  close(a[1]);
  close(b[0]);
  waitpid(pid, NULL, 0);
  close(a[0]);
  close(b[1]);
  return i == n && token == n ? (double)(t1 - t0) / (double)n : 0;
}

static double forks(uint64_t n)
{
  uint64_t i, t0 = now_ns(), a, b = t0;
  pid_t pid;

  for (i = 0; i < n; i++) {
    a = b;
    pid = fork();
    if (pid < 0)
      return 0;
    if (pid == 0)
      _exit(0);
    if (waitpid(pid, NULL, 0) != pid)
      return 0;
    b = now_ns();
    record(a, b);
  }
  return (double)(b - t0) / (double)n;
}

static void *empty(void *arg)
{
  return arg;
}

static double threads(uint64_t n)
{
  uint64_t i, t0 = now_ns(), a, b = t0;
  pthread_t tid;

  for (i = 0; i < n; i++) {
    a = b;
    if (pthread_create(&tid, NULL, empty, NULL) != 0 || pthread_join(tid, NULL) != 0)
      return 0;
    b = now_ns();
    record(a, b);
  }
  return (double)(b - t0) / (double)n;
}

/* ---- steadiness: CPU loops in batches ------------------------------------ */

enum { BATCHES = 9, GROUPS = 12, MM = 32 };

static volatile double dsink;
static volatile uint64_t usink;

static uint64_t mix64(uint64_t x)
{
  x ^= x >> 33;
  x *= UINT64_C(0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= UINT64_C(0xc4ceb9fe1a85ec53);
  return x ^ (x >> 33);
}

static void loop_hash(uint64_t seed)
{
  uint64_t x = seed;
  int i;

  for (i = 0; i < 2000; i++)
    x = mix64(x + (uint64_t)i);
  usink += x;
}

static void loop_fp(uint64_t row)
{
  double ci = -1.25 + 2.5 * (double)(row % 512) / 512, acc = 0;
  int p, it;

  for (p = 0; p < 64; p++) {
    double cr = -2.0 + 2.5 * p / 64.0, zr = 0, zi = 0, zr2 = 0, zi2 = 0;
    for (it = 0; it < 256 && zr2 + zi2 <= 4.0; it++) {
      zi = 2 * zr * zi + ci;
      zr = zr2 - zi2 + cr;
      zr2 = zr * zr;
      zi2 = zi * zi;
    }
    acc += zr2 + zi2 + it;
  }
  dsink += acc;
}

static void loop_matmul(uint64_t seed)
{
  static double a[MM * MM], b[MM * MM], c[MM * MM];
  size_t i, j, k;

  for (i = 0; i < MM * MM; i++) {
    a[i] = (double)(mix64(seed + i) % 17) - 8;
    b[i] = (double)(mix64(seed ^ i) % 13) - 6;
    c[i] = 0;
  }
  for (i = 0; i < MM; i++)
    for (k = 0; k < MM; k++)
      for (j = 0; j < MM; j++)
        c[i * MM + j] += a[i * MM + k] * b[k * MM + j];
  dsink += c[seed % (MM * MM)];
}

typedef struct node_s {
  struct node_s *next;
  unsigned char data[];
} node_t;

static void loop_alloc(uint64_t seed)
{
  node_t *head = NULL, *n;
  int i;

  for (i = 0; i < 1000; i++) {
    size_t len = 16 + mix64(seed + (uint64_t)i) % 241;
    if ((n = malloc(sizeof(*n) + len)) == NULL)
      break;
    memset(n->data, i & 0xff, len);
    n->next = head;
    head = n;
  }
  for (; head != NULL; head = n) {
    n = head->next;
    usink += head->data[0];
    free(head);
  }
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* GROUPS groups of BATCHES batches of ms each: the median and largest cv of
 * a group's rates (sample standard deviation over the mean), and the median
 * rate. */
static void steadiness(const char *name, void (*fn)(uint64_t), double ms, const char *cpu)
{
  double cvs[GROUPS], rates[GROUPS * BATCHES], v[BATCHES];
  uint64_t want = (uint64_t)(ms * 1e6), t0, t, done;
  int g, b;

  fn(0); /* caches, pages and the allocator warm */
  for (g = 0; g < GROUPS; g++) {
    double mean = 0, ss = 0;
    for (b = 0; b < BATCHES; b++) {
      t0 = now_ns();
      done = 0;
      do {
        fn(done++);
        t = now_ns();
      } while (t - t0 < want);
      v[b] = rates[g * BATCHES + b] = (double)done * 1e9 / (double)(t - t0);
      mean += v[b] / BATCHES;
    }
    for (b = 0; b < BATCHES; b++)
      ss += (v[b] - mean) * (v[b] - mean);
    cvs[g] = mean > 0 ? 100 * sqrt(ss / (BATCHES - 1)) / mean : 0;
  }
  qsort(cvs, GROUPS, sizeof(cvs[0]), cmp_double);
  qsort(rates, GROUPS * BATCHES, sizeof(rates[0]), cmp_double);
  printf("%s batch_ms=%g cpu=%s cv_median=%.1f%% cv_max=%.1f%% groups=%d batches=%d rate=%.0f/s\n",
         name, ms, cpu, cvs[GROUPS / 2], cvs[GROUPS - 1], GROUPS, BATCHES,
         rates[GROUPS * BATCHES / 2]);
}

static int usage(const char *why, const char *what)
{
  fprintf(stderr, "concbench-bare: %s '%s'\nusage: concbench-bare pipe-rtt|fork|thread N [CPU|any]\n"
          "       concbench-bare hash|fp|matmul|alloc MS [CPU|any]\n", why, what);
  return 2;
}

int main(int argc, char **argv)
{
  static const struct {
    const char *name;
    void (*fn)(uint64_t);
  } loops[] = { { "hash", loop_hash }, { "fp", loop_fp }, { "matmul", loop_matmul },
                { "alloc", loop_alloc } };
  void (*loop)(uint64_t) = NULL;
  double (*fn)(uint64_t) = NULL, r[ROUNDS], ms = 0;
  size_t l;
  char *end;
  uint64_t n = 0;
  long cpu = -1;
  int i;

  if (argc < 3 || argc > 4)
    return usage("wrong number of arguments", argc > 1 ? argv[1] : "");
  if (strcmp(argv[1], "pipe-rtt") == 0)
    fn = pipe_rtt;
  else if (strcmp(argv[1], "fork") == 0)
    fn = forks;
  else if (strcmp(argv[1], "thread") == 0)
    fn = threads;
  for (l = 0; l < sizeof(loops) / sizeof(loops[0]); l++) {
    if (strcmp(argv[1], loops[l].name) == 0)
      loop = loops[l].fn;
  }
  if (fn == NULL && loop == NULL)
    return usage("unknown primitive", argv[1]);
  errno = 0;
  if (loop != NULL) {
    ms = strtod(argv[2], &end);
    if (*end != '\0' || errno != 0 || !(ms >= 1 && ms <= 10000))
      return usage("bad batch length in ms (1..10000)", argv[2]);
  } else {
    n = strtoull(argv[2], &end, 10);
    if (*end != '\0' || errno != 0 || n == 0 || n > 100000000)
      return usage("bad count (1..100000000)", argv[2]);
  }
  if (argc == 4 && strcmp(argv[3], "any") != 0) {
    cpu = strtol(argv[3], &end, 10);
    if (*end != '\0' || cpu < 0 || cpu >= CPU_SETSIZE)
      return usage("bad CPU", argv[3]);
  }
  if (bind_cpu(cpu) != 0) {
    fprintf(stderr, "concbench-bare: cannot bind to CPU %ld: %s\n", cpu, strerror(errno));
    return 1;
  }
  if (loop != NULL) {
    steadiness(argv[1], loop, ms, argc == 4 ? argv[3] : "any");
    return 0;
  }
  if (fn != pipe_rtt && (ops = malloc(MAX_OPS * sizeof(*ops))) == NULL) {
    fprintf(stderr, "concbench-bare: out of memory\n");
    return 1;
  }
  for (i = 0; i < ROUNDS; i++) {
    r[i] = fn(n);
    if (r[i] == 0) {
      fprintf(stderr, "concbench-bare: %s failed: %s\n", argv[1], strerror(errno));
      return 1;
    }
  }
  qsort(r, ROUNDS, sizeof(r[0]), cmp_double);
  printf("%s n=%llu cpu=%s median_ns=%.0f min_ns=%.0f max_ns=%.0f", argv[1],
         (unsigned long long)n, argc == 4 ? argv[3] : "any", r[ROUNDS / 2], r[0], r[ROUNDS - 1]);
  if (ops != NULL) {
    qsort(ops, nops, sizeof(ops[0]), cmp_double);
    printf(" op_p50_ns=%.0f", ops[nops / 2]);
  }
  printf("\n");
  free(ops);
  return 0;
}
