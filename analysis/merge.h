/* Merging the trial CSVs of many hosts and runs into one fleet CSV
 * (`concbench merge`), and the one row per host that goes beside it.
 *
 * Trial CSVs of one schema concatenate as they are; what merging adds is
 * checking and naming. Every input must be a concbench trial CSV of this
 * concbench's schema (the exact column list of harness/record.h), and no run
 * may come twice (a run_id in two files). Every row's `host` becomes the
 * host identity NAME@FINGERPRINT: NAME is the host's inventory name (the
 * directory its CSV was fetched into, RESULTS/NAME/X.csv) or, for a file
 * named on the command line, the host name its rows carry; FINGERPRINT is
 * the machine-and-build fingerprint id of the row (harness/fingerprint.h). So
 * two inventory hosts that are one machine stay two hosts, one host keeps
 * its identity from one merge to the next (a row that already carries
 * NAME@ITS-FINGERPRINT keeps its NAME), and a host whose kernel or compiler
 * changed becomes another one. The hosts file takes the rest of each host's
 * description from the run's X.meta.json (docs/SCHEMA.md, "concbench
 * merge"). */
#ifndef CB_MERGE_H
#define CB_MERGE_H

#include <stddef.h>

#include "csv.h"

typedef struct cb_merge_in_s {
  char *path;
  char *name;  /* the inventory name, or NULL: the rows' own host */
} cb_merge_in_t;

typedef struct cb_merge_s {
  cb_merge_in_t *in;
  size_t nin, cap;
  /* after cb_merge_run */
  size_t rows, runs, hosts;
} cb_merge_t;

/* Add an argument: a trial CSV, or a directory whose subdirectories NAME/
 * hold trial CSVs of host NAME (and whose own CSVs are named by their
 * rows). In a directory, *.summary.csv, *.hosts.csv, a CSV with a
 * X.hosts.csv beside it (an earlier merge) and the file `skip` (the
 * output) are left out. 0; -EINVAL with err naming the argument (missing,
 * neither a file nor a directory, a directory without any CSV); -ENOMEM. */
int cb_merge_add(cb_merge_t *m, const char *arg, const char *skip, char *err, size_t errlen);

/* Read, check and merge every input into `csv` (the fleet CSV) and `hosts`
 * (one row per host identity). 0; -EINVAL with err a line naming the file
 * and what is wrong (not a concbench trial CSV, another schema version, a
 * run twice, a bad X.meta.json); -ENOMEM. */
int cb_merge_run(cb_merge_t *m, cb_buf_t *csv, cb_buf_t *hosts, char *err, size_t errlen);
void cb_merge_free(cb_merge_t *m);

/* "out/fleet.csv" -> "out/fleet.hosts.csv" (".hosts.csv" appended when the
 * name does not end in .csv). */
void cb_merge_hosts_path(const char *csv, char *buf, size_t len);

/* The identity of a host: NAME@FINGERPRINT-ID. */
void cb_host_identity(const char *name, const char *fp_id, char *buf, size_t len);
/* The NAME of an identity (all of it when it has no '@'). */
void cb_host_name(const char *identity, char *buf, size_t len);

/* Merge's own (merge_in.c, merge.c): X.csv -> X<ext>; X -> X<ext>. */
void cb__merge_beside(const char *csv, const char *ext, char *buf, size_t len);

#endif
