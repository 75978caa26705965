/* The matrix options that `run` and `ab` share (cli/matrix_opts.c): one
 * option table and one parser, so that an option added for run is one that
 * ab takes too, and says so in its --help. A command joins the table to its
 * own options, hands each option getopt_long returns to cb_mopts_parse
 * first, and calls cb_mopts_finish after the last. */
#ifndef CB_MATRIX_OPTS_H
#define CB_MATRIX_OPTS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "matrix.h"

typedef struct cb_mopts_s {
  cb_matrix_opts_t mx;
  uint64_t reps, warmup;       /* recorded and warm-up trials per cell */
  int have_reps, have_warmup, have_switch;
  double trial_timeout;        /* seconds */
} cb_mopts_t;

#define CB_MOPTS_DEFAULT                                                                      \
  { .mx = { .pin = CB_PIN_COMPACT, .seed = 1, .switch_us = 5000 }, .reps = 5, .warmup = 1,    \
    .trial_timeout = 300 }

/* The short options among them, for getopt_long's optstring. */
#define CB_MOPTS_SHORT "w:r:c:p:t:s:"

/* The matrix's long options and then `own` (both ending with a NULL name)
 * in out, which has room for cap entries; 0, or -E2BIG. */
int cb_mopts_table(const struct option *own, struct option *out, size_t cap);
/* Take option opt (as getopt_long returned it, with arg its optarg): 0,
 * 1 when it is not a matrix option, or the exit code 2 after one line that
 * names the bad value. */
int cb_mopts_parse(const char *cmd, int opt, const char *arg, cb_mopts_t *o);
/* A whole number min..max for option opt: 0, or the exit code 2 after one
 * line that names the bad value and the range. */
int cb_opt_u64(const char *cmd, const char *opt, const char *arg, uint64_t min, uint64_t max,
               uint64_t *out);
/* After the last option: checks that need them all, and a profile's
 * --reps and --warmup where none was given. 0 or the exit code 2. */
int cb_mopts_finish(const char *cmd, cb_mopts_t *o);
/* The options as a --help lists them ("--profile, -w, ..."), wrapped at
 * `width` columns, each line indented by two spaces. */
void cb_mopts_help(FILE *f, int width);

/* A command's whole option parse: the matrix's options into mo and the
 * command's own (`own`, ending with a NULL name, and their short letters
 * `own_short`) to parse(opt, ctx), which returns 0 or the exit code. 0
 * when every argument was an option; -1 after --help (help() printed it);
 * else the exit code of a usage error, already said. */
int cb_mopts_getopt(const char *cmd, int argc, char **argv, const struct option *own,
                    const char *own_short, cb_mopts_t *mo, int (*parse)(int opt, void *ctx),
                    void (*help)(void), void *ctx);

#endif
