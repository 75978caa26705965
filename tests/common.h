/* Helpers shared by the cmocka tests (tests/common_files.c, common_spawn.c,
 * common_trial.c and common_csv.c, linked into every test as a static
 * library): reading and writing whole files and temporary directories;
 * running concbench (or another program) as a child with its stdout, stderr
 * and exit status captured; checks on what it printed; and, for the tests
 * that run trials directly, the failing-case description `cbt_where` with the
 * CBT_CHECK macros that print it, a cell with its description, a trial with
 * the expected checksums the harness computes; and for the analysis tests,
 * trial CSVs written to a file or built in memory and parsed into cells.
 *
 * Every helper fails the current test (cmocka's fail_msg or assert) on
 * anything it cannot do, so a test never goes on with half a fixture. Names
 * take the prefix cbt_ (concbench test), apart from the library's cb_. */
#ifndef CB_TESTS_COMMON_H
#define CB_TESTS_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <cmocka.h>
#include <jansson.h>

#include "csv.h"
#include "findings.h"
#include "runner.h"
#include "topo.h"
#include "trial.h"
#include "workload.h"

#define CBT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- files and directories ---------------------------------------------- */

/* The whole file (from offset 0), NUL-terminated, malloc'd; its length into
 * *len unless len is NULL. */
char *cbt_slurp_fd(int fd, size_t *len);
char *cbt_slurp_file(FILE *f, size_t *len);
/* Fails the test when the file cannot be read. */
char *cbt_slurp_path(const char *path, size_t *len);
/* NULL when the file cannot be opened. */
char *cbt_try_slurp_path(const char *path, size_t *len);
/* At most len - 1 bytes of the file (from offset 0) into buf, NUL-terminated. */
void cbt_read_fd(int fd, char *buf, size_t len);
void cbt_read_path(const char *path, char *buf, size_t len);

void cbt_write_file(const char *path, const char *text);
int cbt_exists(const char *path); /* lstat: a dangling link exists */
/* Entries of a directory other than . and .. */
size_t cbt_count_entries(const char *dir);
/* The names in a directory, sorted, space separated. */
void cbt_listing(const char *dir, char *buf, size_t len);

/* A fresh directory $TMPDIR/cb-test-WHAT-XXXXXX (TMPDIR unset or empty:
 * /tmp) into buf. */
void cbt_make_dir(char *buf, size_t len, const char *what);

/* A fresh directory (cbt_make_dir) with a subdirectory tmp/ that commands
 * run there take as TMPDIR, so their leftover temporary files can be seen. */
typedef struct cbt_dir_s {
  char path[512];
  char tmp[600];
} cbt_dir_t;

void cbt_dir_make(cbt_dir_t *d, const char *what);
/* d->path/name into buf. */
void cbt_dir_file(const cbt_dir_t *d, const char *name, char *buf, size_t len);
/* cmocka per-test setup and teardown: *state is a fresh empty directory
 * (a char *, cbt_make_dir "case"), removed with all in it afterwards. */
int cbt_dir_setup(void **state);
int cbt_dir_teardown(void **state);
/* The directory and everything below it (links are removed, not followed). */
void cbt_remove_tree(const char *dir);

/* ---- running a program ---------------------------------------------------- */

/* How to run a child; zero-initialised: concbench, in our directory, with
 * our environment, stdin from /dev/null, waited for without bound. */
typedef struct cbt_spawn_s {
  const char *prog;       /* absolute path (NULL: $CONCBENCH) */
  const char *dir;        /* working directory (NULL: ours) */
  const char *tmpdir;     /* TMPDIR (NULL: ours) */
  const char *const *env; /* NULL-terminated: "NAME=value" sets, "NAME" unsets */
  const char *in;         /* stdin from this file (NULL: /dev/null) */
  rlim_t stack;           /* RLIMIT_STACK in bytes (0: ours) */
  rlim_t nofile;          /* RLIMIT_NOFILE (0: ours) */
  int nobody;             /* run as user and group 65534 (when we are root) */
  int out_fd;             /* stdout into this fd (0: a temporary file, read back) */
  double timeout_s;       /* kill it and fail after this long (0: no bound) */
} cbt_spawn_t;

typedef struct cbt_result_s {
  int status;    /* from waitpid */
  int code;      /* exit code, or 128 + signal */
  char *out, *err;
  size_t outlen, errlen;
} cbt_result_t;

/* $CONCBENCH, which must be an absolute path. */
const char *cbt_concbench(void);
/* The program (o->prog or concbench) with argv (after the program name,
 * NULL-terminated), its stdout and stderr into the fds given. */
pid_t cbt_start(const cbt_spawn_t *o, const char *const *argv, int out, int err);
/* Wait for pid (EINTR retried); with timeout_s > 0, kill it and fail the
 * test when it has not ended by then. Its wait status. */
int cbt_wait(pid_t pid, double timeout_s, const char *what);
/* The same without failing: 0 with its wait status in *status, or -1 when
 * it had not ended within timeout_s (it is killed and reaped), so that the
 * caller can clean up before it fails. */
int cbt_try_wait(pid_t pid, double timeout_s, int *status);
/* An unlinked temporary file (in /tmp) for a child's stdout or stderr. */
int cbt_temp_fd(void);
/* Wait for pid as cbt_wait does, then its stdout and stderr (two
 * cbt_temp_fd files, which are closed) into r. */
void cbt_finish(pid_t pid, int out, int err, double timeout_s, const char *what,
                cbt_result_t *r);
/* Run to the end and capture everything (o may be NULL). */
void cbt_run(const cbt_spawn_t *o, const char *const *argv, cbt_result_t *r);
/* The same with the arguments as a NULL-terminated list. */
void cbt_runl(const cbt_spawn_t *o, cbt_result_t *r, ...);
/* The arguments `pre` (NULL-terminated; NULL: none) and then those of ap up
 * to a NULL: for a test's own variadic wrapper such as "concbench compare". */
void cbt_vrunl(const cbt_spawn_t *o, cbt_result_t *r, const char *const *pre, va_list ap);
/* Run in d (cbt_dir_make), with TMPDIR d->tmp. */
cbt_spawn_t cbt_in_dir(const cbt_dir_t *d);
/* concbench with the arguments up to a NULL, so run in d. */
void cbt_run_in(const cbt_dir_t *d, cbt_result_t *r, ...);
void cbt_result_free(cbt_result_t *r);
/* cbt_run into an r that holds (or, zeroed, does not yet hold) a result:
 * the old one is freed first. */
void cbt_rerun(const cbt_spawn_t *o, const char *const *argv, cbt_result_t *r);

/* "concbench 'arg' 'arg'...", for messages. */
void cbt_describe(const char *const *argv, char *buf, size_t len);
/* Ended by itself with a code below 126 (no crash, it could start). */
void cbt_expect_no_crash(const cbt_result_t *r, const char *what);
/* The exit code; failing with stdout and stderr when it differs. */
void cbt_expect_code(const cbt_result_t *r, int code);
/* The same, naming what ran, and saying so when a signal ended it. */
void cbt_expect_exit(const cbt_result_t *r, int code, const char *what);
void cbt_expect_in(const char *text, const char *needle, const char *what);
void cbt_expect_not_in(const char *text, const char *needle, const char *what);
/* The line of text that holds needle (into buf), or fail. */
void cbt_line_of(const char *text, const char *needle, char *buf, size_t len);
/* text is one JSON value that jansson reads strictly (no NaN, no trailing
 * text, valid UTF-8, no duplicate keys); the parsed value (json_decref it). */
json_t *cbt_parse_json(const char *text);
/* The same, and the value starts with `open` ('{' or '['). */
void cbt_expect_json(const char *text, char open);
/* Lines of text that start with prefix. */
size_t cbt_count_lines_with(const char *text, const char *prefix);

/* ---- processes ------------------------------------------------------------ */

void cbt_sleep_ms(long ms);
/* 1 when this process has no child (not even a zombie). */
int cbt_no_children(void);
/* len bytes of zeroed memory shared with the processes this one forks
 * (MAP_SHARED), for what trial processes and process workers report back;
 * fails the test when it cannot be mapped. munmap gives it back. */
void *cbt_map_shared(size_t len);
/* Valgrind runs one thread at a time (the valgrind test setup sets
 * CB_UNDER_VALGRIND): checks that need two threads at once cannot hold. */
int cbt_under_valgrind(void);

/* ---- trials ---------------------------------------------------------------- */

/* The case being checked, printed by the CBT_CHECK macros when they fail. */
extern char cbt_where[256];

#define CBT_CHECK(cond)                                                       \
  do {                                                                        \
    int ok_ = !!(cond);                                                       \
    if (!ok_)                                                                 \
      print_error("[%s]\n", cbt_where);                                       \
    _assert_true((LargestIntegralType)ok_, #cond, __FILE__, __LINE__);        \
  } while (0)

#define CBT_CHECK_EQ(a, b)                                                    \
  do {                                                                        \
    unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
    if (a_ != b_)                                                             \
      print_error("[%s] %s = %llu, not %s = %llu\n", cbt_where, #a, a_, #b, b_); \
    _assert_int_equal(a_, b_, __FILE__, __LINE__);                            \
  } while (0)

#define CBT_CHECK_HAS(msg, part)                                              \
  do {                                                                        \
    if (strstr((msg), (part)) == NULL)                                        \
      print_error("[%s] msg \"%s\" lacks \"%s\"\n", cbt_where, (msg), (part)); \
    _assert_true(strstr((msg), (part)) != NULL, #msg " has " #part, __FILE__, __LINE__); \
  } while (0)

/* The registry's workload, or fail. */
const cb_workload_t *cbt_find_wl(const char *name);
/* A cell of wl under rn at concurrency c, unpinned, with the params given;
 * described in cbt_where. Set more members, then cbt_describe_cell again. */
cb_cell_t cbt_cell(const cb_workload_t *wl, const cb_runner_t *rn, unsigned c, uint64_t tasks,
                   uint64_t size, uint64_t seed);
void cbt_describe_cell(const cb_cell_t *cell);
/* A runner with one of its dispatch modes and transports. */
typedef struct cbt_variant_s {
  const cb_runner_t *rn;
  const char *dispatch, *transport;
} cbt_variant_t;

/* Every runner of the registry with each of its dispatch modes and
 * transports, at most max of them into v; how many. */
size_t cbt_variants(cbt_variant_t *v, size_t max);
/* The workers a runner starts for concurrency c on `pus` processing units. */
unsigned cbt_expected_workers(const cb_runner_t *rn, unsigned c, unsigned pus);
/* One trial with the expected checksums the harness computes: supervised in
 * a child (supervise = 1, stop as cb_trial_supervised takes it) or executed
 * in this process. What cb_trial_supervised / cb_trial_execute returned. */
int cbt_trial(const cb_cell_t *cell, const cb_topo_t *topo, int supervise, double timeout_s,
              volatile const int *stop, cb_trial_t *t);

/* ---- analysis ------------------------------------------------------------- */

/* The topology a test group loads once (cbt_topo_setup as cmocka's group
 * setup, cbt_topo_teardown as its teardown). */
extern cb_topo_t *cbt_topo;
int cbt_topo_setup(void **state);
int cbt_topo_teardown(void **state);

/* got is want to 1e-12 (relative above 1, absolute below), or fail naming
 * what. */
void cbt_expect_near(double got, double want, const char *what);

/* A trial CSV (text, len bytes) parsed into a table and its cells, or fail
 * with the parser's message. */
void cbt_cells_parse(const char *text, size_t len, cb_table_t *t, cb_cells_t *cells);

/* A CSV a test writes in memory (a header, then rows by cb_buf_printf), and
 * once written, the table and cells it parses into. */
typedef struct cbt_csv_s {
  cb_buf_t csv;
  cb_table_t table;
  cb_cells_t cells;
} cbt_csv_t;

/* An empty x, its text started with header. */
void cbt_csv_start(cbt_csv_t *x, const char *header);
/* Its text into table and cells (cbt_cells_parse). */
void cbt_csv_parse(cbt_csv_t *x);
void cbt_csv_free(cbt_csv_t *x);

/* A trial CSV of this concbench's schema (the header cb_record_columns,
 * less the last `drop` columns: a file of an older schema version) with
 * `rows` trials of noop under serial, status ok. `set` (NULL or a
 * NULL-terminated list of column, value, column, value...) gives columns
 * their value in every row, `first` (the same) in the first row over set;
 * every other column is "1". */
void cbt_write_trials(const char *path, int rows, size_t drop, const char *const *set,
                      const char *const *first);
/* The first finding whose claim starts with prefix, or fail. */
const cb_finding_t *cbt_finding(const cb_finding_t *all, size_t n, const char *prefix);

#endif
