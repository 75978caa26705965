/* test_docs: the documentation against the behaviour it describes, so that a
 * change cannot make a doc false without a failing test. One small run
 * (noop, serial) gives a trial CSV, its summary and its metadata; then
 *   - docs/SCHEMA.md's trial-column table is the writer's columns, in order;
 *   - every summary column, meta.json key and compare CSV column is named in
 *     its SCHEMA.md section;
 *   - every relative link in the project's Markdown resolves to a file;
 *   - the README's table of verdicts is docs/report.md's;
 *   - every file in workloads/ is a workload of the registry (one file and
 *     one line in list.def, as the README says);
 *   - every long option a command's parser accepts is in its --help.
 * Paths come from the source tree (CB_SOURCE_ROOT), the binary from
 * $CONCBENCH. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "cb_config.h"
#include "record.h"
#include "workload.h"

static char dir[] = "/tmp/cb-test-docs-XXXXXX";
static const char *bin;

/* The whole file, NUL-terminated (NULL if unreadable). */
static char *slurp(const char *path)
{
  FILE *f = fopen(path, "rb");
  char *s = NULL;
  long n;

  if (f == NULL)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
      (s = malloc((size_t)n + 1)) != NULL) {
    if (fread(s, 1, (size_t)n, f) != (size_t)n) {
      free(s);
      s = NULL;
    } else {
      s[n] = '\0';
    }
  }
  fclose(f);
  return s;
}

static char *source_file(const char *rel)
{
  char path[8192];
  char *s;

  snprintf(path, sizeof(path), "%s/%s", CB_SOURCE_ROOT, rel);
  s = slurp(path);
  if (s == NULL)
    fail_msg("cannot read %s", path);
  return s;
}

/* From the line `heading` to the next heading of its level or above, in a
 * new string. */
static char *section(const char *md, const char *heading)
{
  const char *at = strstr(md, heading), *end;
  int sub = strncmp(heading, "## ", 3) == 0;
  char *s;

  if (at == NULL)
    fail_msg("no section '%s' in docs/SCHEMA.md", heading);
  end = strstr(at + strlen(heading), "\n# ");
  if (sub) {
    const char *e2 = strstr(at + strlen(heading), "\n## ");
    if (e2 != NULL && (end == NULL || e2 < end))
      end = e2;
  }
  if (end == NULL)
    end = at + strlen(at);
  s = strndup(at, (size_t)(end - at));
  assert_non_null(s);
  return s;
}

/* NAME (LEN bytes) in backticks somewhere in `text`: a code span of its
 * own, or one item of a code span that lists names ("`a, b,\n c`"). */
static int named(const char *text, const char *name, size_t len)
{
  const char *p = text, *end, *item;

  while ((p = strchr(p, '`')) != NULL && (end = strchr(p + 1, '`')) != NULL) {
    for (item = p + 1; item < end;) {
      size_t n = strcspn(item, ",`");
      if (n == len && strncmp(item, name, len) == 0)
        return 1;
      item += n;
      while (item < end && (*item == ',' || *item == ' ' || *item == '\n'))
        item++;
    }
    p = end + 1;
  }
  return 0;
}

/* Run `concbench ARGS` (a shell word list of fixed, safe words) with
 * stdout to OUT (or /dev/null); its exit code. */
static int concbench(const char *out, const char *args)
{
  char cmd[16384];
  int st;

  snprintf(cmd, sizeof(cmd), "'%s' %s >'%s' 2>>'%s/stderr'", bin, args,
           out != NULL ? out : "/dev/null", dir);
  st = system(cmd);
  return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The first line of a file, fields split in place at commas. */
static size_t header(const char *path, char **buf, char ***cols)
{
  char *s = slurp(path), *p;
  size_t n = 0;

  if (s == NULL)
    fail_msg("cannot read %s", path);
  p = strchr(s, '\n');
  if (p != NULL)
    *p = '\0';
  *cols = calloc(strlen(s) + 2, sizeof(char *));
  assert_non_null(*cols);
  for (p = s; p != NULL; p = strchr(p, ',') != NULL ? strchr(p, ',') + 1 : NULL) {
    (*cols)[n++] = p;
  }
  for (p = s; (p = strchr(p, ',')) != NULL; p++)
    *p = '\0';
  *buf = s;
  return n;
}

static void each_named(const char *path, const char *schema_heading)
{
  char *schema = source_file("docs/SCHEMA.md"), *sec = section(schema, schema_heading);
  char *buf, **cols;
  size_t n = header(path, &buf, &cols), i;

  for (i = 0; i < n; i++)
    if (!named(sec, cols[i], strlen(cols[i])))
      fail_msg("column '%s' of %s is not named in SCHEMA.md's '%s'", cols[i], path,
               schema_heading);
  free(cols);
  free(buf);
  free(sec);
  free(schema);
}

/* ---- fixtures ------------------------------------------------------------ */

static int setup(void **state)
{
  char args[1024];

  (void)state;
  bin = getenv("CONCBENCH");
  if (bin == NULL || bin[0] != '/') {
    fprintf(stderr, "CONCBENCH must hold the binary's absolute path\n");
    return -1;
  }
  if (mkdtemp(dir) == NULL)
    return -1;
  /* Four trials a side: the fewest compare can judge one cell with. */
  snprintf(args, sizeof(args), "run -w noop -r serial -c 1 -t 20 --reps 4 --warmup 0 -q "
           "-o '%s/x.csv'", dir);
  return concbench(NULL, args) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
  char cmd[256];

  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* ---- columns and keys ------------------------------------------------------ */

/* The trial-column table lists the writer's columns, each once, in the
 * order of the header the run wrote. */
static void test_trial_columns(void **state)
{
  char *schema = source_file("docs/SCHEMA.md"), *sec = section(schema, "# The trial CSV");
  char *line = sec, *buf, **cols, path[4200];
  size_t k = 0, n, i;

  (void)state;
  while ((line = strstr(line, "\n| `")) != NULL) {
    char *cell_end = strstr(line + 3, " |"), *p = line + 3;
    assert_non_null(cell_end);
    /* "`a`, `b`": each name in the first cell, in order */
    while ((p = strchr(p, '`')) != NULL && p < cell_end) {
      char *q = strchr(p + 1, '`');
      assert_non_null(q);
      if (k >= cb_record_columns_count || strncmp(p + 1, cb_record_columns[k], (size_t)(q - p - 1)) != 0 ||
          cb_record_columns[k][q - p - 1] != '\0')
        fail_msg("SCHEMA.md's trial column %zu is '%.*s', the CSV's is '%s'", k + 1,
                 (int)(q - p - 1), p + 1, k < cb_record_columns_count ? cb_record_columns[k] : "(none)");
      k++;
      p = q + 1;
    }
    line = cell_end;
  }
  assert_int_equal(k, cb_record_columns_count);
  snprintf(path, sizeof(path), "%s/x.csv", dir);
  n = header(path, &buf, &cols);
  assert_int_equal(n, cb_record_columns_count);
  for (i = 0; i < n; i++)
    assert_string_equal(cols[i], cb_record_columns[i]);
  free(cols);
  free(buf);
  free(sec);
  free(schema);
}

/* Summary columns: a key or context column by name, or METRIC_STAT with
 * the metric and the statistic each named. */
static void test_summary_columns(void **state)
{
  char *schema = source_file("docs/SCHEMA.md"), *sec = section(schema, "# The summary CSV");
  char *buf, **cols, path[4200];
  size_t n, i, j;

  (void)state;
  snprintf(path, sizeof(path), "%s/x.summary.csv", dir);
  n = header(path, &buf, &cols);
  assert_true(n > 20);
  for (i = 0; i < n; i++) {
    const char *c = cols[i];
    int ok = named(sec, c, strlen(c));
    for (j = 1; !ok && c[j] != '\0'; j++)
      ok = c[j] == '_' && named(sec, c, j) && named(sec, c + j + 1, strlen(c + j + 1));
    if (!ok)
      fail_msg("summary column '%s' is not named in SCHEMA.md's summary section", c);
  }
  free(cols);
  free(buf);
  free(sec);
  free(schema);
}

/* Every key of the metadata sidecar, and of its fingerprint's fields. */
static void test_meta_keys(void **state)
{
  char *schema = source_file("docs/SCHEMA.md");
  char *sec = section(schema, "# The metadata sidecar"), *fp, path[4200];
  json_error_t jerr;
  json_t *meta, *v, *f;
  const char *key;
  size_t nkeys = 0;

  (void)state;
  snprintf(path, sizeof(path), "%s/x.meta.json", dir);
  meta = json_load_file(path, 0, &jerr);
  if (meta == NULL)
    fail_msg("%s is not JSON: %s (line %d)", path, jerr.text, jerr.line);
  json_object_foreach(meta, key, v) {
    nkeys++;
    if (!named(sec, key, strlen(key)))
      fail_msg("meta.json key '%s' is not named in SCHEMA.md's sidecar section", key);
  }
  assert_true(nkeys > 10);
  f = json_object_get(meta, "fingerprint_fields");
  assert_true(json_is_object(f));
  fp = section(schema, "# Fingerprints");
  json_object_foreach(f, key, v) {
    if (!named(fp, key, strlen(key)) && !named(sec, key, strlen(key)))
      fail_msg("fingerprint field '%s' is not named in SCHEMA.md", key);
  }
  free(fp);
  json_decref(meta);
  free(sec);
  free(schema);
}

static void keys_named(json_t *obj, const char *sec, const char *what)
{
  const char *key;
  json_t *v;

  json_object_foreach(obj, key, v) {
    if (!named(sec, key, strlen(key)))
      fail_msg("%s key '%s' is not named in SCHEMA.md's compare output formats", what, key);
  }
}

/* compare's CSV and JSON, of a file against itself: every column and key
 * named where SCHEMA.md describes the formats. */
static void test_compare_columns(void **state)
{
  char args[4200], out[4200];
  char *schema = source_file("docs/SCHEMA.md"), *sec;
  json_error_t jerr;
  json_t *j;

  (void)state;
  snprintf(out, sizeof(out), "%s/cmp.csv", dir);
  snprintf(args, sizeof(args), "compare -f csv '%s/x.csv' '%s/x.csv'", dir, dir);
  assert_int_equal(concbench(out, args), 0);
  each_named(out, "## Output formats");
  snprintf(out, sizeof(out), "%s/cmp.json", dir);
  snprintf(args, sizeof(args), "compare -f json '%s/x.csv' '%s/x.csv'", dir, dir);
  assert_int_equal(concbench(out, args), 0);
  j = json_load_file(out, 0, &jerr);
  if (j == NULL)
    fail_msg("compare -f json is not JSON: %s (line %d)", jerr.text, jerr.line);
  sec = section(schema, "## Output formats");
  keys_named(j, sec, "compare -f json");
  keys_named(json_object_get(j, "base"), sec, "compare -f json base");
  assert_true(json_array_size(json_object_get(j, "cells")) == 1);
  keys_named(json_array_get(json_object_get(j, "cells"), 0), sec, "compare -f json cell");
  json_decref(j);
  free(sec);
  free(schema);
}

/* ---- links ------------------------------------------------------------------- */

/* Every ](target) of a Markdown file that is not a URL or an anchor names
 * a file or directory that exists, relative to the file. */
static size_t check_links(const char *rel)
{
  char *md = source_file(rel), *p = md, target[4096], path[8192];
  char base[4096];
  const char *slash = strrchr(rel, '/');
  size_t n = 0;
  struct stat st;

  snprintf(base, sizeof(base), "%s/%.*s", CB_SOURCE_ROOT, slash ? (int)(slash - rel) : 0, rel);
  while ((p = strstr(p, "](")) != NULL) {
    char *end = strchr(p + 2, ')');
    size_t len;

    p += 2;
    if (end == NULL)
      break;
    len = strcspn(p, ")# \"");
    if (len == 0 || len >= sizeof(target) || strncmp(p, "http://", 7) == 0 ||
        strncmp(p, "https://", 8) == 0 || strncmp(p, "mailto:", 7) == 0)
      continue;
    snprintf(target, sizeof(target), "%.*s", (int)len, p);
    /* a percent-encoded space or parenthesis in a link */
    if (strstr(target, "%") != NULL)
      continue;
    snprintf(path, sizeof(path), "%s/%s", base, target);
    if (stat(path, &st) != 0)
      fail_msg("%s links to '%s', which does not exist", rel, target);
    n++;
  }
  free(md);
  return n;
}

static void test_links_resolve(void **state)
{
  static const char *const dirs[] = { ".", "results", "results/baseline", "docs", "docs/ci",
                                      "deploy/ansible" };
  size_t i, files = 0, links = 0;

  (void)state;
  for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
    char path[4096];
    DIR *d;
    struct dirent *e;

    snprintf(path, sizeof(path), "%s/%s", CB_SOURCE_ROOT, dirs[i]);
    d = opendir(path);
    if (d == NULL)
      continue;
    while ((e = readdir(d)) != NULL) {
      size_t len = strlen(e->d_name);
      char rel[4096];
      /* run outputs (concbench-STAMP.md) are not documentation */
      if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0 ||
          strncmp(e->d_name, "concbench-", 10) == 0)
        continue;
      snprintf(rel, sizeof(rel), "%s/%s", dirs[i], e->d_name);
      links += check_links(rel);
      files++;
    }
    closedir(d);
  }
  print_message("  %zu relative links in %zu Markdown files\n", links, files);
  assert_true(files >= 5);
  assert_true(links >= 10);
}

/* ---- the README's verdicts are the report's ------------------------------- */

/* The lines between the verdict markers of a file (a new string). */
static char *verdicts(const char *rel)
{
  char *md = source_file(rel), *a = strstr(md, "<!-- verdicts:start -->"), *b, *out;

  if (a == NULL || (b = strstr(a, "<!-- verdicts:end -->")) == NULL)
    fail_msg("%s has no <!-- verdicts:start --> ... <!-- verdicts:end --> block", rel);
  out = strndup(a, (size_t)(b - a));
  assert_non_null(out);
  free(md);
  return out;
}

/* One source: the README's table of verdicts is docs/report.md's (which
 * scripts/docs writes from one run), its chart links one directory up. */
static void test_readme_verdicts_are_the_reports(void **state)
{
  char *readme = verdicts("README.md"), *report = verdicts("docs/report.md");
  char *want = malloc(2 * strlen(report) + 1), *w = want;
  const char *p;

  (void)state;
  assert_non_null(want);
  for (p = report; *p != '\0';) {
    if (strncmp(p, "](charts/", 9) == 0) {
      w += sprintf(w, "](docs/charts/");
      p += 9;
    } else {
      *w++ = *p++;
    }
  }
  *w = '\0';
  assert_true(strstr(readme, "| ") != NULL); /* a table, not an empty block */
  if (strcmp(readme, want) != 0)
    fail_msg("README.md's verdicts differ from docs/report.md's: run scripts/docs, never edit "
             "them by hand");
  free(want);
  free(report);
  free(readme);
}

/* ---- one file and one line ------------------------------------------------- */

/* What the README promises for adding a workload: every workloads/X.c but
 * the registry, a family's helpers (FAMILY.c: what the FAMILY.* share,
 * sync.c, mix.c) and a helper that some workloads share with its header
 * beside it (X.c and X.h: tcp.c) is a workload of the registry (its name
 * with '.' as '_'), so no file is left out of the build's list. */
static int family_file(const char *file, size_t len)
{
  char fam[64];
  size_t i;

  for (i = 0; i < cb_workloads_count; i++) {
    if (cb_workload_family(cb_workloads[i], fam, sizeof(fam)) == len - 2 &&
        strncmp(fam, file, len - 2) == 0 && strchr(cb_workloads[i]->name, '.') != NULL)
      return 1;
  }
  return 0;
}

/* X.c with X.h beside it, X no workload's file name. */
static int shared_helper(const char *file, size_t len)
{
  char path[4096];
  size_t i, k;

  for (i = 0; i < cb_workloads_count; i++) {
    const char *n = cb_workloads[i]->name;
    for (k = 0; n[k] != '\0' && k < len - 2 && (n[k] == '.' ? '_' : n[k]) == file[k]; k++)
      ;
    if (n[k] == '\0' && k == len - 2)
      return 0;
  }
  snprintf(path, sizeof(path), "%s/workloads/%.*s.h", CB_SOURCE_ROOT, (int)(len - 2), file);
  return access(path, F_OK) == 0;
}

static void test_workload_files_are_registered(void **state)
{
  char path[4096];
  DIR *d;
  struct dirent *e;
  size_t files = 0, i;

  (void)state;
  snprintf(path, sizeof(path), "%s/workloads", CB_SOURCE_ROOT);
  d = opendir(path);
  assert_non_null(d);
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    int found = 0;
    if (len < 3 || strcmp(e->d_name + len - 2, ".c") != 0 || strcmp(e->d_name, "registry.c") == 0 ||
        family_file(e->d_name, len) || shared_helper(e->d_name, len))
      continue;
    files++;
    for (i = 0; i < cb_workloads_count && !found; i++) {
      const char *n = cb_workloads[i]->name;
      size_t k;
      for (k = 0; n[k] != '\0' && k < len - 2 && (n[k] == '.' ? '_' : n[k]) == e->d_name[k]; k++)
        ;
      found = n[k] == '\0' && k == len - 2;
    }
    if (!found)
      fail_msg("workloads/%s is no workload of the registry (a line in workloads/list.def)",
               e->d_name);
  }
  closedir(d);
  assert_int_equal(files, cb_workloads_count);
}

/* ---- --help ------------------------------------------------------------------ */

/* Each command's source files, whose option tables are its parser's (run
 * and ab share the matrix's, cli/matrix_opts.c). */
static const struct {
  const char *cmd, *file;
} parsers[] = {
  { "run", "cli/cmd_run.c" },         { "run", "cli/matrix_opts.c" },
  { "summary", "cli/cmd_summary.c" },
  { "compare", "cli/cmd_compare.c" }, { "report", "cli/cmd_report.c" },
  { "plot", "cli/cmd_plot.c" },       { "ab", "cli/cmd_ab.c" },
  { "ab", "cli/matrix_opts.c" },
  { "merge", "cli/cmd_merge.c" },     { "fingerprint", "cli/cmd_fingerprint.c" },
  { "topology", "cli/cmd_topology.c" },
};

/* "-x" listed as an option in a help text: followed by a comma or a space. */
static int short_listed(const char *help, const char *opt)
{
  const char *p = help;

  if (opt[0] == '\0')
    return 0;
  while ((p = strstr(p, opt)) != NULL) {
    if ((p == help || p[-1] == ' ') && (p[2] == ',' || p[2] == ' '))
      return 1;
    p++;
  }
  return 0;
}

static void test_help_lists_options(void **state)
{
  size_t i, total = 0;

  (void)state;
  for (i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
    char *src = source_file(parsers[i].file), *p = src, out[4200], args[64], *help;
    size_t n = 0;

    snprintf(out, sizeof(out), "%s/help.txt", dir);
    snprintf(args, sizeof(args), "%s --help", parsers[i].cmd);
    assert_int_equal(concbench(out, args), 0);
    help = slurp(out);
    assert_non_null(help);
    /* { "name", no_argument|required_argument|optional_argument, ... } */
    while ((p = strstr(p, "{ \"")) != NULL) {
      char *q = strchr(p + 3, '"'), opt[128];
      p += 3;
      if (q == NULL || (strncmp(q, "\", no_argument", 13) != 0 &&
                        strncmp(q, "\", required_argument", 19) != 0 &&
                        strncmp(q, "\", optional_argument", 19) != 0))
        continue;
      char shortopt[8] = "";
      const char *val = strstr(q, "NULL, '");
      snprintf(opt, sizeof(opt), "--%.*s", (int)(q - p), p);
      if (strcmp(opt, "--help") == 0)
        continue;
      /* its short form, where it has one ("-w" then a comma or a space) */
      if (val != NULL && val < strchr(q, '}') && val[8] == '\'')
        snprintf(shortopt, sizeof(shortopt), "-%c", val[7]);
      n++;
      if (strstr(help, opt) == NULL && !short_listed(help, shortopt))
        fail_msg("concbench %s accepts %s, which its --help does not mention", parsers[i].cmd,
                 opt);
    }
    if (n == 0 && strcmp(parsers[i].cmd, "topology") != 0)
      fail_msg("no option table found in %s", parsers[i].file);
    total += n;
    free(help);
    free(src);
  }
  print_message("  %zu options, each in its command's --help\n", total);
  assert_true(total > 40);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_trial_columns),
    cmocka_unit_test(test_summary_columns),
    cmocka_unit_test(test_meta_keys),
    cmocka_unit_test(test_compare_columns),
    cmocka_unit_test(test_links_resolve),
    cmocka_unit_test(test_readme_verdicts_are_the_reports),
    cmocka_unit_test(test_workload_files_are_registered),
    cmocka_unit_test(test_help_lists_options),
  };

  return cmocka_run_group_tests(tests, setup, teardown);
}
