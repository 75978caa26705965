/* The export tests' reading of a Google Benchmark JSON back with jansson
 * (test_gbj.h), written once so that each test_export*.c holds only what it
 * checks. */
#include "test_gbj.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

static void str_field(const json_t *o, const char *key, char *buf, size_t len)
{
  const char *v = json_string_value(json_object_get(o, key));

  if (v == NULL)
    fail_msg("entry without a string \"%s\"", key);
  snprintf(buf, len, "%s", v);
}

/* A number; integers must be JSON integers (as Google Benchmark writes
 * them), reals may be either. */
static double num_field(const json_t *o, const char *key, int integer)
{
  const json_t *v = json_object_get(o, key);

  if (integer ? !json_is_integer(v) : !json_is_number(v))
    fail_msg("entry without %s \"%s\"", integer ? "an integer" : "a number", key);
  return json_number_value(v);
}

/* The benchmark entries of a document, in order; returns how many. */
size_t gbj_read_entries(const char *json, entry_t *e, size_t max)
{
  json_t *root = cbt_parse_json(json), *benches = json_object_get(root, "benchmarks"), *o;
  size_t n = 0, i;

  assert_true(json_is_array(benches));
  json_array_foreach(benches, i, o) {
    assert_true(n < max);
    str_field(o, "name", e[n].name, sizeof(e[n].name));
    str_field(o, "run_name", e[n].run_name, sizeof(e[n].run_name));
    str_field(o, "run_type", e[n].run_type, sizeof(e[n].run_type));
    str_field(o, "time_unit", e[n].time_unit, sizeof(e[n].time_unit));
    e[n].family = num_field(o, "family_index", 1);
    e[n].instance = num_field(o, "per_family_instance_index", 1);
    e[n].repetitions = num_field(o, "repetitions", 1);
    e[n].index = num_field(o, "repetition_index", 1);
    e[n].threads = num_field(o, "threads", 1);
    e[n].iterations = num_field(o, "iterations", 1);
    e[n].real_time = num_field(o, "real_time", 0);
    e[n].cpu_time = num_field(o, "cpu_time", 0);
    e[n].items_per_second = num_field(o, "items_per_second", 0);
    n++;
  }
  json_decref(root);
  return n;
}
