/* What the CLI contract tests (test_badinput.c, test_badinput_valid.c) share:
 * argv placeholders for a fresh directory (@DIR), a file in it (@OUT) and a
 * row's input (@IN), and concbench ($CONCBENCH) run with fork+execv, never
 * through a shell, with them replaced (tests/test_bad.c). */
#ifndef CB_TESTS_TEST_BAD_H
#define CB_TESTS_TEST_BAD_H

#include "cb_config.h"
#include "record.h"
#include "runner.h"
#include "workload.h"
#include "common.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MAX_ARGS 32

/* Placeholders in a row's argv: the fresh directory, a file in it, and the
 * row's input file (its fixture) in it. */
#define DIR_ "@DIR"
#define OUT_ "@OUT"
#define IN_ "@IN"

/* `in` with the placeholders replaced: @DIR anywhere, @OUT and @IN as a
 * whole. */
void bad_expand(const char *in, const char *dir, char *out, size_t len);

/* Run concbench with argv (placeholders replaced) in directory `dir`. */
void bad_run_bench(const char *const *argv, const char *dir, cbt_result_t *r);

#endif
