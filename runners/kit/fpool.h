/* The fork pool's insides, shared by its three files and by nobody else:
 * fpool.c (the coordinator: forking, serving events, deaths, the run),
 * fchan.c (what the coordinator writes to and reads from the workers) and
 * fwork.c (the worker process's side). Runners see kit.h only. */
#ifndef CB_FPOOL_H
#define CB_FPOOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "kit.h"

enum { D_SHARED, D_QUEUE, D_ROUNDTRIP };
enum { MSG_READY = 1, MSG_RESULT, MSG_DONE };
enum { W_GONE, W_STARTING, W_RUNNING, W_DONE };

#define NONE UINT64_MAX

/* Coordinator to worker: a task (or, in shared mode, an input for whichever
 * task the worker takes next), followed by the payload under "pipe". */
typedef struct task_msg_s {
  uint64_t index;
  uint32_t buf; /* "shm": the buffer holding its input */
  uint32_t pad;
} task_msg_t;

/* Worker to coordinator, followed by the output bytes under "pipe". Both
 * messages are smaller than PIPE_BUF, so each write is atomic. */
typedef struct msg_s {
  uint32_t type, worker;
  int32_t err;
  uint32_t buf;
  uint64_t index, checksum, t_taken;
} msg_t;

/* Per slot (a task a worker process may hold at once), in the shared
 * mapping; a cache line each, written by the slot's own taker only. Process
 * id's slots are w[id * slots + s]; ru_start is kept in its first slot. */
typedef struct wshared_s {
  _Alignas(64) _Atomic uint64_t current; /* the task it runs, or NONE */
  _Atomic uint64_t taken;                /* shared mode: tasks it tried to take */
  _Atomic uint32_t current_buf;
  uint64_t t_end;    /* when it stored its last result (shared mode) */
  cb__ru_t ru_start; /* the process's own use at the release: start-up, not task work */
} wshared_t;

typedef struct shared_s {
  _Alignas(64) atomic_uint_fast64_t next; /* shared mode: the next task */
  _Alignas(64) atomic_int go;             /* start barrier: 0 wait, 1 go, -1 abandon */
  atomic_int leave;                       /* end barrier: 1 once memory is sampled */
  atomic_int broken;                      /* queue: a worker died inside a message */
  pthread_mutex_t rlock, wlock;           /* queue: task pipe readers, result pipe writers */
  wshared_t w[];
} shared_t;

/* What the coordinator still has to write on one pipe. A message starts
 * only when a credit (a task the receiver may hold) and, under "shm", a
 * buffer are free; a result gives both back. */
typedef struct chan_s {
  int fd;
  int id;                /* the worker it feeds, -1 for the queue */
  uint64_t sent;         /* messages started since the reset */
  unsigned credits;
  unsigned *bufs, nbufs; /* free buffers (a stack) */
  int busy;              /* a message is part written */
  task_msg_t head;
  size_t off;
} chan_t;

typedef struct proc_s {
  pid_t pid;
  int res;     /* worker to coordinator (read end) */
  int state;
  int initial; /* forked before the release */
  chan_t out;  /* coordinator to worker: its pipe's write end (-1 once closed)
                  and, in shared and roundtrip modes, what goes on it */
} proc_t;

struct cb__fpool_s {
  cb_exec_t *x;
  const cb__fbody_t *body;
  proc_t *w;
  unsigned n;          /* worker processes */
  unsigned slots;      /* tasks each may hold at once (the stride of its slot entries) */
  unsigned last;       /* tasks the last process holds (a hybrid's remainder; <= slots) */
  int mode, shm, writes_out;
  size_t payload;
  shared_t *sh;
  size_t sh_len;
  unsigned char *bufs; /* "shm": 2 * payload bytes per buffer, input then output */
  unsigned nbufs;
  unsigned *buf_ids;   /* storage behind the channels' free stacks */
  int ep;
  int tq_rd, rq[2];    /* queue mode: the task pipe's read end, the result pipe */
  chan_t tq_out;       /* queue mode: the task pipe's write end */
  uint64_t next;       /* queue and roundtrip: the next task to hand out */
  uint64_t t_last;
  unsigned live, done;
  unsigned char *recv; /* "pipe": output bytes land here */
  int started;         /* the workers were released */
};
typedef struct cb__fpool_s pool_t;


/* A share of the shared mapping, and the slot entries of process `id`. */
static inline wshared_t *cb__fpool_proc(pool_t *p, unsigned id)
{
  return &p->sh->w[(size_t)id * p->slots];
}

/* Slots process `id` uses. */
static inline unsigned cb__fpool_slots(const pool_t *p, unsigned id)
{
  return id + 1 == p->n ? p->last : p->slots;
}

static inline unsigned char *cb__fpool_buf_in(pool_t *p, uint32_t buf)
{
  return p->bufs + (size_t)buf * 2 * p->payload;
}

static inline unsigned char *cb__fpool_buf_out(pool_t *p, uint32_t buf)
{
  return cb__fpool_buf_in(p, buf) + p->payload;
}

/* fchan.c */
void cb__fchan_reset(pool_t *p, chan_t *ch, unsigned *stack, unsigned first, unsigned n);
int cb__fchan_feed(pool_t *p, chan_t *ch);
int cb__fchan_on_result(pool_t *p, int fd, const msg_t *m);
int cb__fchan_read_results(pool_t *p);
/* fwork.c: the body of a worker process; never returns. */
void cb__fwork_main(pool_t *p, unsigned id, int ctl, int res) __attribute__((noreturn));

#endif
