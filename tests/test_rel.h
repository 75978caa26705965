/* What the adversarial-use tests (test_reliability_*.c) share: concbench run
 * bounded in time, checks on its exit and its stderr, the descendants that
 * outlived it, and fixture directories and runs (tests/test_rel.c). */
#ifndef CB_TESTS_TEST_REL_H
#define CB_TESTS_TEST_REL_H

#include "common.h"

#define REL_WAIT_S 100 /* for any one command; a hang is a failure, not a test timeout */

/* Run concbench, bounded by REL_WAIT_S; it must end by itself (no signal)
 * and start (exit below 126). */
void rel_run(const cbt_spawn_t *o, const char *const *argv, cbt_result_t *r);
void rel_expect_exit(const cbt_result_t *r, int code, const char *what);
/* Every line of stderr starts with "concbench", and there is at least one. */
void rel_expect_lines(const char *err, const char *what);
/* Descendants that outlived their command (they come to us, the
 * subreaper); 0 is the only right answer. */
int rel_survivors(void);
/* After a kill from outside, descendants die with their parent (they come
 * to us to be reaped): 1 when, reaped, none is left within the deadline. */
int rel_none_alive(void);
void rel_path_in(char *buf, size_t len, const char *dir, const char *name);
/* Readable by the user nobody, for the runs that drop to it. */
void rel_make_dir(char *buf, size_t len, const char *what);
/* A quick valid run into dir/name (two cells, five trials each: enough for
 * compare to decide). */
void rel_make_trials(const char *dir, const char *name);
/* Every command that writes an output, without its "-o FILE"; @BIN is the
 * binary itself (ab's base). */
extern const char *const rel_writers[][18];
extern const size_t rel_writers_n;
/* argv of rel_writers[i] with "-o out" after it. */
void rel_writer_argv(size_t i, const char *out, const char **argv);
/* Before the tests: CONCBENCH is set and this process is a child
 * subreaper, so a process that outlives its command comes back here; else
 * a line on stderr and -1. */
int rel_start(void);

#endif
