/* The fork pool's channels: what the coordinator writes to its workers (a
 * task, or in shared mode an input for the task a worker takes next, with
 * its payload by the transport) and what it does with a result that comes
 * back. Writes never block the coordinator: a channel stops at a full pipe
 * and epoll calls it again when the pipe drains. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fpool.h"

/* Give a channel its credits and (under "shm") its buffers first..first+n-1. */
void cb__fchan_reset(pool_t *p, chan_t *ch, unsigned *stack, unsigned first, unsigned n)
{
  unsigned i;

  ch->credits = n;
  ch->sent = 0;
  ch->busy = 0;
  ch->off = 0;
  ch->bufs = stack;
  ch->nbufs = p->shm ? n : 0; /* n is 2c at most under "shm" */
  for (i = 0; i < ch->nbufs; i++)
    stack[i] = first + i;
}

/* The task the next message on a channel carries; 0 when none is left. In
 * shared mode a message is an input for whichever task the worker takes
 * next: one for each task it took, and two per slot ahead while tasks
 * remain. */
static int next_task(pool_t *p, const chan_t *ch, task_msg_t *tm)
{
  wshared_t *ws;
  uint64_t taken = 0;
  unsigned s;
  int left;

  if (p->mode == D_SHARED) {
    tm->index = NONE;
    left = atomic_load(&p->sh->next) < p->x->params->tasks;
    ws = cb__fpool_proc(p, (unsigned)ch->id);
    for (s = 0; s < p->slots; s++)
      taken += atomic_load(&ws[s].taken);
    return ch->sent < taken + (left ? 2 * cb__fpool_slots(p, (unsigned)ch->id) : 0);
  }
  if (p->next >= p->x->params->tasks)
    return 0;
  tm->index = p->next++;
  return 1;
}

/* Write what the channel may write now; stop at a full pipe (epoll calls
 * again when it drains). 1 when it has nothing left to send, else 0; -errno. */
static int chan_flush(pool_t *p, chan_t *ch)
{
  size_t len = sizeof(task_msg_t) + (p->shm ? 0 : p->payload), part;
  const void *src;
  ssize_t r;

  while (ch->fd >= 0) {
    if (!ch->busy) {
      if (ch->credits == 0 || (p->shm && ch->nbufs == 0))
        return 0;
      if (!next_task(p, ch, &ch->head))
        return 1;
      ch->sent++;
      ch->credits--;
      ch->head.buf = p->shm ? ch->bufs[--ch->nbufs] : 0;
      if (p->shm && p->payload > 0)
        memcpy(cb__fpool_buf_in(p, ch->head.buf), p->x->in, p->payload);
      ch->busy = 1;
      ch->off = 0;
    }
    if (ch->off < sizeof(task_msg_t)) {
      src = (const char *)&ch->head + ch->off;
      part = sizeof(task_msg_t) - ch->off;
    } else {
      src = p->x->in + (ch->off - sizeof(task_msg_t));
      part = len - ch->off;
    }
    r = write(ch->fd, src, part);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0 && errno == EAGAIN)
      return 0;
    if (r < 0)
      return errno == EPIPE ? 0 : -errno; /* EPIPE: it died; its end-of-file is on the way */
    ch->off += (size_t)r;
    if (ch->off == len)
      ch->busy = 0;
  }
  return 1;
}

/* Feed a channel; when no task is left for it, tell its reader so. */
int cb__fchan_feed(pool_t *p, chan_t *ch)
{
  int r = chan_flush(p, ch);

  if (r == 1 && p->mode != D_SHARED && ch->fd >= 0) {
    epoll_ctl(p->ep, EPOLL_CTL_DEL, ch->fd, NULL);
    cb__close_fd(&ch->fd);
  }
  return r < 0 ? r : 0;
}

static chan_t *chan_of(pool_t *p, unsigned id)
{
  return p->mode == D_QUEUE ? &p->tq_out : &p->w[id].out;
}

int cb__fchan_on_result(pool_t *p, int fd, const msg_t *m)
{
  cb_task_result_t *r;
  const unsigned char *out = NULL;
  chan_t *ch;
  uint64_t now;

  if (m->index >= p->x->params->tasks || m->worker >= p->n) {
    cb__msg(p->x, "worker %u sent a result for task %llu of %llu", m->worker,
            (unsigned long long)m->index, (unsigned long long)p->x->params->tasks);
    return -EPROTO;
  }
  if (!p->shm && p->payload > 0) {
    if (cb__read_full(fd, p->recv, p->payload) != 1)
      return -EPIPE; /* it died half way through its answer */
    out = p->recv;
  } else if (p->shm && p->payload > 0) {
    out = cb__fpool_buf_out(p, m->buf);
  }
  r = &p->x->results[m->index];
  if (out != NULL && p->writes_out)
    r->out_digest = cb_out_digest(p->x->params, m->index, out);
  now = cb_now_ns();
  r->checksum = m->checksum;
  r->err = m->err;
  r->lat_ns = now - m->t_taken;
  r->seen++;
  p->t_last = now;
  ch = chan_of(p, m->worker);
  ch->credits++;
  if (p->shm)
    ch->bufs[ch->nbufs++] = m->buf;
  return cb__fchan_feed(p, ch);
}

/* Every result there is on the shared result pipe. */
int cb__fchan_read_results(pool_t *p)
{
  int queued = 0, err = 0;
  msg_t m;

  do {
    /* Messages are written whole (smaller than PIPE_BUF): a part is never there. */
    if (ioctl(p->rq[0], FIONREAD, &queued) != 0 || queued < (int)sizeof(m))
      return 0;
    if (cb__read_full(p->rq[0], &m, sizeof(m)) != 1 || m.type != MSG_RESULT) {
      cb__msg(p->x, "the result pipe lost its framing");
      return -EPROTO;
    }
    err = cb__fchan_on_result(p, p->rq[0], &m);
  } while (err == 0);
  return err;
}
