/* `concbench compare BASE.csv NEW.csv`: does NEW regress against BASE? The
 * statistics and the formats live in compare.c; this file is the command
 * line: options, reading the two files, choosing the output, and the exit
 * code (0 no regression, 1 a regression, 2 bad usage or input). With
 * --export it writes one of the dashboard formats of NEW instead of the
 * comparison (which still decides the exit code); given NEW alone, it only
 * exports. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb.h"
#include "cmd.h"
#include "compare.h"
#include "export.h"
#include "fingerprint.h"
#include "meta.h"

static const char compare_help[] =
    "usage: concbench compare BASE.csv NEW.csv [options]\n"
    "       concbench compare --export FORMAT NEW.csv [-o FILE]\n\n"
    "Matches the cells of two trial CSVs by workload, runner, transport, pin,\n"
    "concurrency, tasks, size and payload (not host) and, for each and for each\n"
    "metric (--metric; throughput by default), gives the ratio of medians NEW/BASE\n"
    "with a 95% bootstrap confidence interval, a Mann-Whitney U p-value adjusted by\n"
    "Holm over the comparisons made, and a verdict: faster, slower, unchanged or\n"
    "noisy. A cell is a regression (verdict slower) when its adjusted p-value is\n"
    "below --alpha and the whole interval is below 1 - threshold (above 1 +\n"
    "threshold for a metric where lower is better: times, latencies, memory).\n"
    "When the files come from different machines (their CPU model,\n"
    "PUs, cores, caches or kernel differ; host names do not count), speedups over\n"
    "the serial cell of each side are compared instead of throughput. Cells on one\n"
    "side only are listed and never fail. Rules: docs/SCHEMA.md.\n\n"
    "  --alpha A             family-wise significance level, 0 < A < 1 (default 0.05)\n"
    "  --threshold PCT       smallest change that counts, in percent (default 5)\n"
    "  --speedup             compare speedups over serial even on one host\n"
    "  --metric LIST         metrics to judge, comma-separated (default throughput):\n"
    "                        throughput, wall_s, lat_p50_us, lat_p99_us, user_s,\n"
    "                        sys_s, maxrss_kb; a regression in any fails\n"
    "  -f, --format FMT      text (default), md, json or csv (one row per cell)\n"
    "  --export FMT          instead of the comparison, NEW for dashboards: gbench\n"
    "                        (Google Benchmark JSON), custom-bigger\n"
    "                        (github-action-benchmark), bmf (Bencher Metric Format);\n"
    "                        the comparison, if BASE is given, still sets the exit code\n"
    "  -o, --output FILE     write here instead of stdout\n"
    "Either CSV may be '-', standard input. JSON has non-finite numbers as null and\n"
    "text that is not UTF-8 with U+FFFD; the gbench context comes from X.meta.json\n"
    "beside X.csv when it is of the same run. Text, md and json end with the\n"
    "geometric mean of the ratios over the cells compared, with its bootstrap CI.\n\n"
    "exit: 0 no regression, 1 a regression, 2 bad usage or input (a missing file or\n"
    "column, a malformed line, too few repetitions to decide)\n";

typedef enum { FMT_TEXT, FMT_MD, FMT_JSON, FMT_CSV } format_t;
typedef enum { EXP_NONE, EXP_GBENCH, EXP_CUSTOM_BIGGER, EXP_BMF } export_t;

static const char *const format_names[] = { "text", "md", "json", "csv" };
static const char *const export_names[] = { "", "gbench", "custom-bigger", "bmf" };

static int pick(const char *s, const char *const *names, size_t n, int first)
{
  size_t i;

  for (i = (size_t)first; i < n; i++) {
    if (strcmp(s, names[i]) == 0)
      return (int)i;
  }
  return -1;
}

/* A plain decimal number in [lo, hi) (hi excluded when open_hi), with an
 * optional trailing '%' when percent is set. */
static int parse_number(const char *s, double lo, double hi, int open_lo, int percent, double *v)
{
  char buf[64], *end;
  size_t len = strlen(s);

  if (len == 0 || len >= sizeof(buf))
    return -EINVAL;
  memcpy(buf, s, len + 1);
  if (percent && buf[len - 1] == '%')
    buf[--len] = '\0';
  if (len == 0 || !(isdigit((unsigned char)buf[0]) || buf[0] == '.') || strpbrk(buf, "xXpP"))
    return -EINVAL;
  *v = strtod(buf, &end);
  if (*end != '\0' || !isfinite(*v))
    return -EINVAL;
  if (*v < lo || (open_lo && *v == lo) || *v >= hi)
    return -ERANGE;
  return 0;
}

/* The run's metadata for the Google Benchmark context, from X.meta.json
 * beside X.csv (what `concbench run` writes), malloc'd in *meta; NULL when
 * there is none (stdin, a CSV without one), or when it is of another run
 * than the CSV's first row (said on stderr), and then the context comes
 * from the CSV. 0, or the exit code after a message (a bad sidecar: 2). */
static int run_meta(const char *csv, const cb_table_t *t, cb_meta_t **meta)
{
  long col = cb_table_col(t, "run_id");
  const char *id = col >= 0 && t->rows > 1 ? cb_table_get(t, 1, (size_t)col) : "";
  size_t len = strlen(csv) + sizeof(".meta.json");
  char *path = malloc(len), err[512];
  struct stat st;
  int rc = 0;

  *meta = NULL;
  if (path == NULL)
    return cb_fail("compare", "out of memory");
  if (strcmp(csv, "-") == 0 || cb_meta_path(csv, path, len) != 0 || stat(path, &st) != 0)
    goto out;
  if ((*meta = malloc(sizeof(**meta))) == NULL) {
    rc = cb_fail("compare", "out of memory");
    goto out;
  }
  if (cb_meta_read(path, *meta, err, sizeof(err)) != 0) {
    rc = cb_usage_error("compare", "%s", err);
  } else if (strcmp((*meta)->run_id, id) != 0) {
    cb_message("compare", "warning: %s is of run '%s', %s starts with run '%s': the context "
               "comes from the CSV", path, (*meta)->run_id, csv, id);
  } else {
    goto out;
  }
  free(*meta);
  *meta = NULL;
out:
  free(path);
  return rc;
}

static int do_export(export_t e, const cb_table_t *t, const cb_meta_t *meta, cb_buf_t *b,
                     char *err, size_t errlen)
{
  switch (e) {
  case EXP_GBENCH: return cb_export_gbench(t, meta, b, err, errlen);
  case EXP_CUSTOM_BIGGER: return cb_export_custom_bigger(t, b, err, errlen);
  case EXP_BMF: return cb_export_bmf(t, b, err, errlen);
  default: return -EINVAL;
  }
}

/* One line on stderr when the two files do not share one fingerprint
 * (harness/fingerprint.h): another machine (then speedups are compared, not
 * throughput), another build of the same machine, or a file of several. */
static void warn_fingerprints(const cb_table_t *tb, const cb_table_t *tn, const cb_compare_t *c)
{
  char why[1024], ida[160], idb[160], err[64];
  int several_b = 0, several_n = 0;
  const char *how = c->speedup ? "speedups over serial were compared, not throughput"
                               : "the machine is the same, throughput was compared";
  cb_fp_t *fp = calloc(2, sizeof(*fp)); /* kilobytes each: not on a small stack */

  if (fp == NULL || cb_fp_of_table(tb, &fp[0], &several_b, err, sizeof(err)) != 0 ||
      cb_fp_of_table(tn, &fp[1], &several_n, err, sizeof(err)) != 0)
    goto out;
  if (several_b || several_n) {
    fprintf(stderr, "concbench compare: warning: %s holds results of several fingerprints "
            "(machines or builds): %s\n", several_b ? c->base_label : c->new_label, how);
    goto out;
  }
  if (cb_fp_diff(&fp[0], &fp[1], CB_FP_FIELDS, 0, "BASE", "NEW", why, sizeof(why)) == 0)
    goto out;
  cb_fp_id(&fp[0], ida, sizeof(ida));
  cb_fp_id(&fp[1], idb, sizeof(idb));
  fprintf(stderr, "concbench compare: warning: BASE and NEW come from different fingerprints "
          "(%s vs %s: %s): %s\n", ida, idb, why, how);
out:
  free(fp);
}

/* One line on stderr naming every regression. */
static void list_regressions(const cb_compare_t *c)
{
  size_t i, k = 0;

  fprintf(stderr, "concbench compare: regression in %zu cell%s:", c->count[CB_CMP_V_SLOWER],
          c->count[CB_CMP_V_SLOWER] == 1 ? "" : "s");
  for (i = 0; i < c->n; i++) {
    const cb_cmp_cell_t *x = &c->cell[i];
    if (!x->regression)
      continue;
    fprintf(stderr, "%s %s", k++ ? "," : "", x->name);
    if (c->nmetrics > 1)
      fprintf(stderr, " %s", c->metric[x->metric].name);
    fprintf(stderr, " (%.3f)", x->ratio);
  }
  fputc('\n', stderr);
}

int cb_cmd_compare(int argc, char **argv)
{
  static const struct option opts[] = {
    { "alpha", required_argument, NULL, 'a' },
    { "threshold", required_argument, NULL, 't' },
    { "speedup", no_argument, NULL, 'S' },
    { "metric", required_argument, NULL, 'm' },
    { "format", required_argument, NULL, 'f' },
    { "export", required_argument, NULL, 'e' },
    { "output", required_argument, NULL, 'o' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cb_compare_opts_t o = CB_COMPARE_OPTS_DEFAULT;
  cb_table_t tb = { 0 }, tn = { 0 };
  cb_compare_t cmp = { 0 };
  cb_buf_t b = { 0 };
  cb_output_t output = { .fd = -1 };
  const char *out = NULL, *base = NULL, *new_ = NULL;
  cb_meta_t *meta = NULL;
  format_t fmt = FMT_TEXT;
  export_t exp = EXP_NONE;
  char err[1024] = "";
  int opt, rc, v, have_base = 0, have_new = 0, compared = 0;

  opterr = 0;
  optind = 1;
  while ((opt = getopt_long(argc, argv, ":f:o:h", opts, NULL)) != -1) {
    switch (opt) {
    case 'a':
      if (parse_number(optarg, 0, 1, 1, 0, &o.alpha) != 0)
        return cb_usage_error("compare", "bad --alpha '%s' (a number between 0 and 1)", optarg);
      break;
    case 't':
      if (parse_number(optarg, 0, 100, 0, 1, &o.threshold) != 0)
        return cb_usage_error("compare", "bad --threshold '%s' (percent, 0 to below 100)",
                              optarg);
      o.threshold /= 100;
      break;
    case 'S': o.speedup = 1; break;
    case 'm':
      if (cb_compare_metrics_parse(optarg, &o, err, sizeof(err)) != 0)
        return cb_usage_error("compare", "bad --metric '%s' (a list of %s, each once)", err,
                              cb_compare_metric_names());
      break;
    case 'f':
      if ((v = pick(optarg, format_names, CB_ARRAY_SIZE(format_names), 0)) < 0)
        return cb_usage_error("compare", "bad --format '%s' (text, md, json or csv)", optarg);
      fmt = (format_t)v;
      break;
    case 'e':
      if ((v = pick(optarg, export_names, CB_ARRAY_SIZE(export_names), 1)) < 0)
        return cb_usage_error("compare", "bad --export '%s' (gbench, custom-bigger or bmf)",
                              optarg);
      exp = (export_t)v;
      break;
    case 'o': out = optarg; break;
    case 'h':
      fputs(compare_help, stdout);
      return CB_EXIT_OK;
    default:
      return cb_getopt_error("compare", opt, argv);
    }
  }
  if (argc - optind == 2) {
    base = argv[optind];
    new_ = argv[optind + 1];
  } else if (argc - optind == 1 && exp != EXP_NONE) {
    new_ = argv[optind];
  } else if (argc - optind > 2) {
    return cb_usage_error("compare", "takes BASE.csv and NEW.csv, got '%s' too",
                          argv[optind + 2]);
  } else {
    return cb_usage_error("compare", "needs BASE.csv and NEW.csv (see --help)");
  }
  if (base != NULL && strcmp(base, "-") == 0 && strcmp(new_, "-") == 0)
    return cb_usage_error("compare", "BASE and NEW cannot both be '-' (stdin)");
  {
    const char *inputs[] = { base, new_ };
    rc = cb_cmd_output("compare", out, inputs, CB_ARRAY_SIZE(inputs), &output);
    if (rc != 0)
      return rc;
  }
  if (base != NULL) {
    rc = cb_cmd_load("compare", base, &tb);
    if (rc != 0)
      goto done;
    have_base = 1;
  }
  rc = cb_cmd_load("compare", new_, &tn);
  if (rc != 0)
    goto done;
  have_new = 1;
  rc = CB_EXIT_USAGE;
  if (base != NULL) {
    o.base_label = base;
    o.new_label = new_;
    v = cb_compare_tables(&tb, &tn, &o, &cmp, err, sizeof(err));
    if (v == -ENOMEM) {
      rc = cb_fail("compare", "%s", err);
      goto done;
    }
    if (v != 0)
      goto usage;
    compared = 1;
    warn_fingerprints(&tb, &tn, &cmp);
  }
  if (exp == EXP_GBENCH && (rc = run_meta(new_, &tn, &meta)) != 0)
    goto done;
  rc = CB_EXIT_USAGE;
  if (exp != EXP_NONE) {
    char what[768];
    v = do_export(exp, &tn, meta, &b, what, sizeof(what));
    if (v == -ENOMEM) {
      rc = cb_fail("compare", "out of memory");
      goto done;
    }
    if (v != 0) {
      snprintf(err, sizeof(err), "%s: %s", new_, what);
      goto usage;
    }
  } else {
    switch (fmt) {
    case FMT_TEXT: cb_compare_text(&cmp, &b); break;
    case FMT_MD: cb_compare_md(&cmp, &b); break;
    case FMT_JSON: cb_compare_json(&cmp, &b); break;
    case FMT_CSV: cb_compare_csv(&cmp, &b); break;
    }
  }
  rc = cb_cmd_emit("compare", &output, out, &b);
  if (rc == CB_EXIT_OK && compared && exp != EXP_NONE) {
    cb_buf_t counts = { 0 };
    size_t j;
    for (j = 0; j < cmp.nmetrics; j++) {
      /* one line per metric: its counts; its geometric mean */
      cb_compare_t one = cmp;
      one.metric[0] = cmp.metric[j];
      one.nmetrics = 1;
      counts.len = 0;
      if (cmp.nmetrics > 1)
        cb_buf_printf(&counts, "%s: ", cmp.metric[j].name);
      cb_compare_counts(&one, &counts);
      if (!counts.failed && counts.len > 0 && counts.data[counts.len - 1] == '\n')
        counts.data[counts.len - 1] = ';';
      cb_buf_put(&counts, " ", 1);
      cb_compare_overall(&one, &counts);
      if (!counts.failed && counts.len > 0 && counts.data[counts.len - 1] == '\n')
        counts.data[--counts.len] = '\0';
      if (!counts.failed)
        cb_message("compare", "%s", counts.data);
    }
    cb_buf_free(&counts);
  }
  if (rc == CB_EXIT_OK && compared) {
    if (cmp.compared == 0 && cmp.n > 0)
      cb_message("compare", "no cell could be compared (see the list of cells not compared)");
    if (cmp.count[CB_CMP_V_SLOWER] > 0) {
      list_regressions(&cmp);
      rc = CB_EXIT_FAIL;
    }
  }
  goto done;
usage:
  rc = cb_usage_error("compare", "%s", err);
done:
  cb_output_close(&output);
  cb_buf_free(&b);
  cb_compare_free(&cmp);
  free(meta);
  if (have_base)
    cb_table_free(&tb);
  if (have_new)
    cb_table_free(&tn);
  return rc;
}
