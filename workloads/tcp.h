/* The server of the TCP workloads (tcp.c) and what its clients share with
 * it: the trial state that set-up leaves (the server's process and port),
 * the request header, and the server's answer. io.tcp (io_tcp.c) is its
 * client; mix.tcp makes its round trips through io.tcp's struct. */
#ifndef CB_TCP_H
#define CB_TCP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "workload.h"

typedef struct cb__tcp_state_s {
  pid_t server;
  uint16_t port; /* on 127.0.0.1 */
} cb__tcp_state_t;

/* A request's and a reply's header, before the payload. */
typedef struct cb__tcp_hdr_s {
  uint64_t index, len;
} cb__tcp_hdr_t;

/* The server's answer to request `index`: each byte keyed by the index. */
void cb__tcp_transform(unsigned char *dst, const unsigned char *src, size_t n, uint64_t index);

/* Start the server (think time p->size us, requests of p->payload bytes)
 * in its own process: *state is a cb__tcp_state_t. 0 or -errno. */
int cb__tcp_setup(const cb_params_t *p, void **state);
/* Kill and reap it. */
void cb__tcp_teardown(const cb_params_t *p, void *state);

#endif
