/* The matrix options of `run` and `ab`; see matrix_opts.h. Each option is
 * one row of the table below and one case of cb_mopts_parse; ab's --help
 * lists the table itself, and tests/test_docs.c checks run's --help
 * against it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "gil.h"
#include "matrix_opts.h"
#include "parse.h"

/* In the order ab's --help lists them. */
static const struct option mopts[] = {
  { "profile", required_argument, NULL, 'F' },
  { "workload", required_argument, NULL, 'w' },
  { "runner", required_argument, NULL, 'r' },
  { "concurrency", required_argument, NULL, 'c' },
  { "pin", required_argument, NULL, 'p' },
  { "transport", required_argument, NULL, 'X' },
  { "dispatch", required_argument, NULL, 'K' },
  { "procs", required_argument, NULL, 'Y' },
  { "tasks", required_argument, NULL, 't' },
  { "size", required_argument, NULL, 's' },
  { "payload", required_argument, NULL, 'P' },
  { "reps", required_argument, NULL, 'R' },
  { "warmup", required_argument, NULL, 'W' },
  { "seed", required_argument, NULL, 'S' },
  { "gil", optional_argument, NULL, 'G' },
  { "switch-interval", required_argument, NULL, 'I' },
  { "allow-races", no_argument, NULL, 'A' },
  { "trial-timeout", required_argument, NULL, 'T' },
};

int cb_mopts_table(const struct option *own, struct option *out, size_t cap)
{
  size_t n = 0, i;

  for (i = 0; i < CB_ARRAY_SIZE(mopts) && n < cap; i++)
    out[n++] = mopts[i];
  for (i = 0; own[i].name != NULL && n < cap; i++)
    out[n++] = own[i];
  if (n >= cap)
    return -E2BIG;
  memset(&out[n], 0, sizeof(out[n]));
  return 0;
}

int cb_opt_u64(const char *cmd, const char *opt, const char *arg, uint64_t min, uint64_t max,
               uint64_t *out)
{
  if (cb_parse_u64(arg, min, max, out) != 0)
    return cb_usage_error(cmd, "bad %s '%s' (a whole number %llu..%llu)", opt, arg,
                          (unsigned long long)min, (unsigned long long)max);
  return 0;
}

/* --gil, --gil=on|off|both. */
static int parse_gil(const char *cmd, const char *arg, cb_matrix_opts_t *mx)
{
  if (!CB_GIL_CHECKPOINTS)
    return cb_usage_error(cmd, "--gil needs the GIL checkpoints, which this build compiled "
                          "out (-Dgil_checkpoints=false)");
  if (arg == NULL || strcmp(arg, "on") == 0)
    mx->gil_modes = 2;
  else if (strcmp(arg, "off") == 0)
    mx->gil_modes = 1;
  else if (strcmp(arg, "both") == 0)
    mx->gil_modes = 3;
  else
    return cb_usage_error(cmd, "bad --gil '%s' (on, off or both)", arg);
  return 0;
}

int cb_mopts_parse(const char *cmd, int opt, const char *arg, cb_mopts_t *o)
{
  cb_matrix_opts_t *mx = &o->mx;

  switch (opt) {
  case 'w': mx->workloads = arg; return 0;
  case 'r': mx->runners = arg; return 0;
  case 'c': mx->concurrency = arg; return 0;
  case 'X': mx->transports = arg; return 0;
  case 'K': mx->dispatches = arg; return 0;
  case 'Y': mx->procs = arg; return 0;
  case 'P': mx->payloads = arg; return 0;
  case 's': mx->sizes = arg; return 0;
  case 'A': mx->allow_races = 1; return 0;
  case 'F':
    if ((mx->profile = cb_profile_find(arg)) == NULL)
      return cb_usage_error(cmd, "unknown profile '%s' (quick, standard, full)", arg);
    return 0;
  case 'p':
    if (cb_pin_parse(arg, &mx->pin) != 0)
      return cb_usage_error(cmd, "unknown pin policy '%s' (none, compact, scatter, cores)", arg);
    return 0;
  case 't':
    mx->have_tasks = 1;
    return cb_opt_u64(cmd, "--tasks", arg, 1, CB_MAX_TASKS, &mx->tasks);
  case 'R':
    o->have_reps = 1;
    return cb_opt_u64(cmd, "--reps", arg, 1, 100000, &o->reps);
  case 'W':
    o->have_warmup = 1;
    return cb_opt_u64(cmd, "--warmup", arg, 0, 100000, &o->warmup);
  case 'S': return cb_opt_u64(cmd, "--seed", arg, 0, UINT64_MAX, &mx->seed);
  case 'G': return parse_gil(cmd, arg, mx);
  case 'I':
    o->have_switch = 1;
    return cb_opt_u64(cmd, "--switch-interval", arg, 1, CB_MAX_SWITCH_US, &mx->switch_us);
  case 'T':
    if (cb_parse_positive_double(arg, 86400 * 7, &o->trial_timeout) != 0)
      return cb_usage_error(cmd, "bad --trial-timeout '%s' (seconds, > 0)", arg);
    return 0;
  default:
    return 1;
  }
}

int cb_mopts_finish(const char *cmd, cb_mopts_t *o)
{
  if (o->have_switch && !(o->mx.gil_modes & 2))
    return cb_usage_error(cmd, "--switch-interval is the GIL's: it needs --gil");
  if (o->mx.profile != NULL) {
    if (!o->have_reps)
      o->reps = o->mx.profile->reps;
    if (!o->have_warmup)
      o->warmup = o->mx.profile->warmup;
  }
  return 0;
}

void cb_mopts_help(FILE *f, int width)
{
  char name[40];
  int col = 0, len;
  size_t i;

  for (i = 0; i < CB_ARRAY_SIZE(mopts); i++) {
    if (strchr(CB_MOPTS_SHORT, mopts[i].val) != NULL)
      snprintf(name, sizeof(name), "-%c", mopts[i].val);
    else
      snprintf(name, sizeof(name), "--%s", mopts[i].name);
    len = (int)strlen(name) + (i + 1 < CB_ARRAY_SIZE(mopts));
    if (col > 0 && col + 1 + len > width) {
      fputs("\n", f);
      col = 0;
    }
    col += fprintf(f, "%s%s%s", col == 0 ? "  " : " ", name,
                   i + 1 < CB_ARRAY_SIZE(mopts) ? "," : "");
  }
  fputs("\n", f);
}

int cb_mopts_getopt(const char *cmd, int argc, char **argv, const struct option *own,
                    const char *own_short, cb_mopts_t *mo, int (*parse)(int opt, void *ctx),
                    void (*help)(void), void *ctx)
{
  struct option opts[64];
  char shorts[64];
  int opt, rc = 0;

  if (cb_mopts_table(own, opts, CB_ARRAY_SIZE(opts)) != 0)
    return cb_fail(cmd, "too many options for the option table");
  snprintf(shorts, sizeof(shorts), ":%s%s", CB_MOPTS_SHORT, own_short);
  opterr = 0;
  optind = 1;
  while (rc == 0 && (opt = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
    if (opt == 'h') {
      help();
      return -1;
    }
    if (opt == '?' || opt == ':')
      return cb_getopt_error(cmd, opt, argv);
    rc = cb_mopts_parse(cmd, opt, optarg, mo);
    if (rc == 1)
      rc = parse(opt, ctx);
  }
  if (rc == 0 && optind < argc)
    rc = cb_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
  return rc;
}
