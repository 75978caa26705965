/* io.tcp's trial state: the server that set-up started and the port its
 * clients connect to. Public to the tests, which put a server of their own
 * (one that corrupts replies) between the clients and the real one and
 * point the clients at it; the workload itself is io_tcp.c, and mix.tcp
 * (mix_tcp.c) makes its round trips through io.tcp's struct. */
#ifndef CB_IO_TCP_H
#define CB_IO_TCP_H

#include <stdint.h>
#include <sys/types.h>

#include "workload.h"

typedef struct cb__tcp_state_s {
  pid_t server;
  uint16_t port; /* on 127.0.0.1 */
} cb__tcp_state_t;

extern const cb_workload_t cb_workload_io_tcp;

#endif
