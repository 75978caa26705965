/* The fork pool's worker side: what a forked worker process does around its
 * body (start-up message, the futex start and end barriers, its start-up
 * use of CPU set apart, _exit), and the two calls its body makes per task:
 * cb__fpool_take and cb__fpool_give. They keep processes.c's per-task cost
 * exactly: in shared mode without a payload a take is two atomic adds and
 * a give stores the result in place; otherwise a message on a pipe, as the
 * dispatch mode and transport say. Workers end with _exit(): they are forks
 * of a process that may hold libuv or stdio state, and must not run its
 * exit handlers. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fpool.h"

/* Take a process-shared lock that a dead worker may have held. 0, or -EPIPE
 * when the stream it guards may have been left half way through a message. */
static int lock_robust(pool_t *p, pthread_mutex_t *m)
{
  int r = pthread_mutex_lock(m);

  if (r == EOWNERDEAD) {
    pthread_mutex_consistent(m);
    if (!p->shm && p->payload > 0) {
      atomic_store(&p->sh->broken, 1);
      pthread_mutex_unlock(m);
      return -EPIPE;
    }
    return 0;
  }
  return -r;
}

/* The lock around a stream: the queue's (between processes), or the
 * worker's own pipe's when several slots of one process share it. */
static pthread_mutex_t *stream_lock(cb__fworker_t *k, pthread_mutex_t *queue_lock)
{
  if (k->p->mode == D_QUEUE)
    return queue_lock;
  return k->slots > 1 ? &k->lock : NULL;
}

/* The next task message: from the worker's own pipe, or from the shared
 * task pipe under its lock. 1, 0 at the end of the tasks, or -errno. The
 * slot names the task before the lock is let go. */
static int next_message(cb__fworker_t *k, unsigned slot, task_msg_t *tm, unsigned char *in)
{
  pool_t *p = k->p;
  wshared_t *me = &cb__fpool_proc(p, k->id)[slot];
  pthread_mutex_t *lock = stream_lock(k, &p->sh->rlock);
  size_t piped = p->shm ? 0 : p->payload;
  int fd = p->mode == D_QUEUE ? p->tq_rd : k->ctl, r, err;

  if (lock == &p->sh->rlock && (err = lock_robust(p, lock)) != 0)
    return err;
  if (lock == &k->lock)
    pthread_mutex_lock(lock);
  r = cb__read_full(fd, tm, sizeof(*tm));
  if (r == 1 && piped > 0)
    r = cb__read_full(fd, in, piped) == 1 ? 1 : -EPROTO;
  if (r == 1 && tm->index != NONE)
    atomic_store(&me->current, tm->index);
  atomic_store(&me->current_buf, tm->buf);
  if (lock != NULL)
    pthread_mutex_unlock(lock);
  return r;
}

static int send_result(cb__fworker_t *k, const msg_t *m, const unsigned char *out)
{
  pool_t *p = k->p;
  pthread_mutex_t *lock = stream_lock(k, &p->sh->wlock);
  int fd = p->mode == D_QUEUE ? p->rq[1] : k->res, err;

  if (lock == &p->sh->wlock && (err = lock_robust(p, lock)) != 0)
    return err;
  if (lock == &k->lock)
    pthread_mutex_lock(lock);
  err = cb__write_full(fd, m, sizeof(*m));
  if (err == 0 && !p->shm && p->payload > 0)
    err = cb__write_full(fd, out, p->payload);
  if (lock != NULL)
    pthread_mutex_unlock(lock);
  return err;
}

int cb__fpool_take(cb__fworker_t *k, unsigned slot, cb__ftask_t *t)
{
  pool_t *p = k->p;
  wshared_t *me = &cb__fpool_proc(p, k->id)[slot];
  task_msg_t tm = { .index = NONE };
  int rc;

  t->index = NONE;
  t->buf = 0;
  t->in = p->payload > 0 && !p->shm ? k->in + (size_t)slot * p->payload : NULL;
  t->out = NULL;
  if (p->mode == D_SHARED) {
    /* Counted before the take, so the coordinator, which reads the counter
     * first and this after, never misses a task that needs an input. */
    atomic_fetch_add(&me->taken, 1);
    t->index = atomic_fetch_add(&p->sh->next, 1);
    if (t->index >= p->x->params->tasks)
      return 0;
    atomic_store_explicit(&me->current, t->index, memory_order_relaxed);
  }
  t->t_taken = cb_now_ns();
  if (p->mode != D_SHARED || p->payload > 0) {
    rc = next_message(k, slot, &tm, (unsigned char *)t->in);
    if (rc != 1)
      return rc;
    if (p->mode != D_SHARED) {
      t->index = tm.index;
      t->t_taken = cb_now_ns();
    }
    t->buf = tm.buf;
    if (p->shm) {
      t->in = cb__fpool_buf_in(p, tm.buf);
      t->out = cb__fpool_buf_out(p, tm.buf);
    }
  }
  return 1;
}

int cb__fpool_give(cb__fworker_t *k, unsigned slot, const cb__ftask_t *t,
                   const unsigned char *own_out)
{
  pool_t *p = k->p;
  wshared_t *me = &cb__fpool_proc(p, k->id)[slot];
  msg_t m = { .type = MSG_RESULT, .worker = k->id, .err = t->err, .buf = t->buf,
              .index = t->index, .checksum = t->checksum, .t_taken = t->t_taken };
  cb_task_result_t *r;
  int rc;

  if (p->mode == D_SHARED && p->payload == 0) {
    r = &p->x->results[t->index];
    r->checksum = t->checksum;
    r->err = t->err;
    me->t_end = cb_now_ns();
    r->lat_ns = me->t_end - t->t_taken;
    __atomic_fetch_add(&r->seen, 1, __ATOMIC_RELEASE); /* seen is a plain uint32_t */
  } else {
    rc = send_result(k, &m, t->out != NULL ? t->out : own_out);
    if (rc != 0)
      return rc;
  }
  atomic_store_explicit(&me->current, NONE, memory_order_release);
  return 0;
}

int cb__fpool_waits(const cb__fworker_t *k)
{
  return k->p->mode != D_SHARED || k->p->payload > 0;
}

atomic_uint_fast64_t *cb__fpool_counter(cb__fworker_t *k)
{
  return &k->p->sh->next;
}

void cb__fpool_mark_end(cb__fworker_t *k, uint64_t t_end)
{
  cb__fpool_proc(k->p, k->id)->t_end = t_end;
}

void cb__fwork_main(pool_t *p, unsigned id, int ctl, int res)
{
  cb__fworker_t k = { .p = p, .x = p->x, .id = id, .slots = cb__fpool_slots(p, id),
                     .ctl = ctl, .res = res };
  msg_t m = { .type = MSG_READY, .worker = id };
  int go, r;

  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); /* never outlive the pool */
  if (p->body->enter(&k) != 0)
    _exit(3);
  if (!p->shm && p->payload > 0 && (k.in = malloc(p->payload * k.slots)) == NULL)
    _exit(3);
  if (k.slots > 1)
    pthread_mutex_init(&k.lock, NULL);
  /* Start-up, not the task phase; a replacement worker (the clock already
   * runs) maps pages as it writes them, as before a crash. */
  if (atomic_load(&p->sh->go) == 0)
    cb_results_prefault(p->x->results, p->x->params->tasks);
  if (cb__write_full(res, &m, sizeof(m)) != 0)
    _exit(4);
  while ((go = atomic_load(&p->sh->go)) == 0)
    cb__futex_wait(&p->sh->go, 0);
  if (go < 0)
    _exit(0);
  cb__ru_sample(RUSAGE_SELF, &cb__fpool_proc(p, id)->ru_start);
  r = p->body->work(&k);
  m.type = MSG_DONE;
  if (r == 0 && cb__write_full(res, &m, sizeof(m)) == 0) {
    while (atomic_load(&p->sh->leave) == 0)
      cb__futex_wait(&p->sh->leave, 0);
  }
  p->body->leave(&k);
  free(k.in);
  _exit(r == 0 ? 0 : 5);
}
