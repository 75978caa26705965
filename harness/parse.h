/* Parsers for the command line's values: numbers, concurrency lists and
 * ranges, and name lists with globs. Pure functions over strings (no I/O), so
 * they are unit-tested and fuzzed directly. On failure each one copies the
 * offending token into `bad` so the caller can name it in its message. */
#ifndef CB_CLI_H
#define CB_CLI_H

#include <stddef.h>
#include <stdint.h>

/* The largest concurrency any list may hold: beyond it a value is absurd on
 * any machine, before limits are even checked. */
#define CB_MAX_CONCURRENCY 1000000u
/* The other bounds of a run's values, the same for the command line and for
 * the trial CSVs read back (analysis/validate.c). */
#define CB_MAX_TASKS 100000000u
#define CB_MAX_SIZE (UINT64_C(1) << 40)
#define CB_MAX_PAYLOAD (UINT64_C(1) << 30)
#define CB_MAX_SWITCH_US 10000000u

/* Decimal integer in [min, max]. -EINVAL when not a number, -ERANGE outside. */
int cb_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Decimal number > 0 (e.g. seconds). -EINVAL or -ERANGE. */
int cb_parse_positive_double(const char *s, double max, double *out);

/* "1,2,8", "1..64" (a, 2a, 4a, ... up to b, and b itself), or a mix;
 * sorted ascending without duplicates. -EINVAL (bad token, empty item,
 * backwards range) or -ERANGE (0 or above CB_MAX_CONCURRENCY); -ENOMEM. */
int cb_parse_concurrency(const char *s, unsigned **out, size_t *n, char *bad, size_t badlen);

/* The same syntax for any whole numbers in [min, max] (e.g. payload sizes:
 * "64,65536" or "64..4194304"). */
int cb_parse_u64_list(const char *s, uint64_t min, uint64_t max, uint64_t **out, size_t *n,
                      char *bad, size_t badlen);

/* 1 when the comma-separated `list` (may be NULL) names `name` itself, not
 * by a glob. */
int cb_list_names(const char *list, const char *name);

/* Select from `names` by a comma-separated list of names or globs (fnmatch);
 * an item `!GLOB` excludes what it matches from what the other items chose
 * (from every name when there are only exclusions), wherever it stands.
 * `picked` gets indices into `names` in the order first matched, without
 * duplicates. -ENOENT when an item matches nothing (copied into bad),
 * -EINVAL for an empty item or list (or a lone '!'), -ENODATA when the
 * exclusions leave nothing (the list in bad), -ENOMEM. */
int cb_select_names(const char *list, const char *const *names, size_t count,
                    size_t **picked, size_t *n, char *bad, size_t badlen);

#endif
