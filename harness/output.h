/* Where a command's results go, decided per kind of file before anything
 * runs, so that no output is found unusable after the work is done:
 *
 * - a regular file, or a path that does not exist yet: rewritten atomically
 *   (a temporary file beside it, fsync, rename), as often as the command
 *   likes; a reader never sees half a file. A symbolic link is followed: the
 *   file it names is replaced, not the link;
 * - a FIFO that has a reader, a character device (/dev/null, a terminal,
 *   /dev/stdout when it is a pipe), a regular file that has no name of its
 *   own to be replaced by (an unlinked file behind /dev/stdout): opened now,
 *   without blocking, and written once, at the end;
 * - "-", the standard output: a stream, written once, at the end;
 * - anything else is refused up front: a directory, a socket, a block
 *   device, a FIFO that nobody reads (opening it would block for ever).
 *
 * Every output also knows its identity (device and inode, or its directory's
 * and its name when it does not exist yet), so a command can refuse an
 * output that is one of its inputs or another of its outputs. */
#ifndef CB_OUTPUT_H
#define CB_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How often a command that rewrites a regular file as it goes (run's and
 * ab's trial CSVs) rewrites it at most; each rewrite fsyncs the whole file
 * again, which after every one of a thousand short trials cost a second and
 * put disk writes beside the trials that follow. */
#define CB_OUTPUT_REWRITE_NS UINT64_C(2000000000)

typedef enum cb_out_kind_e {
  CB_OUT_FILE,   /* replaced atomically, any number of times */
  CB_OUT_STREAM, /* open since cb_output_open, written once */
} cb_out_kind_t;

typedef struct cb_output_s {
  char *path;         /* as given, for messages */
  char *target;       /* CB_OUT_FILE: the file replaced, links resolved */
  int fd;             /* CB_OUT_STREAM: the open descriptor; else -1 */
  cb_out_kind_t kind;
  int written;        /* a stream has had its one write */
  dev_t dev;          /* identity: the file's, or (name set) its directory's */
  ino_t ino;
  char *name;         /* NULL when the file exists */
} cb_output_t;

/* Decide how `path` will be written and check that it can be, creating
 * nothing (a stream is opened). 0, or -errno with `why` saying what is
 * wrong in words ("is a directory", "a FIFO that nobody reads", the
 * directory that is missing or not writable). */
int cb_output_open(cb_output_t *o, const char *path, char *why, size_t whylen);
/* Write the whole content: a file is replaced atomically (with the
 * terminating signals held off, so nothing half written is left behind); a
 * stream takes one write only (-EALREADY after). 0 or -errno. */
int cb_output_write(cb_output_t *o, const void *data, size_t len);
/* Close a stream (its close error, if any, is returned) and free. */
int cb_output_close(cb_output_t *o);

/* 1 when the two outputs are the same file. */
int cb_output_same(const cb_output_t *a, const cb_output_t *b);
/* 1 when the output is the file at `input` (an existing path). */
int cb_output_is(const cb_output_t *o, const char *input);

/* Remove the files in `dir` whose names start with `prefix` and go on with
 * ".tmp-PID" of a process that no longer runs: what a writer killed with
 * SIGKILL left (atomic writes and charts name their temporaries so), when
 * they are regular files of this user. Returns how many. An output that is
 * opened sweeps its own. */
size_t cb_sweep_temporaries(const char *dir, const char *prefix);

/* An exclusive lock (flock) on the file at `path`, created if missing, with
 * the holder's PID written in it. 0 with *fd; -EWOULDBLOCK when another
 * process holds it, with *holder its PID (0 when it is not known yet);
 * -errno. */
int cb_lock_take(const char *path, int *fd, long *holder);
/* Remove the lock file, then let go of the lock. */
void cb_lock_drop(const char *path, int fd);

#endif
