/* io.tcp's trial state (tcp.h: the server that set-up started and the port
 * its clients connect to). Public to the tests, which put a server of their
 * own (one that corrupts replies) between the clients and the real one and
 * point the clients at it; the workload itself is io_tcp.c, its server
 * tcp.c, and mix.tcp (mix_tcp.c) makes its round trips through io.tcp's
 * struct. */
#ifndef CB_IO_TCP_H
#define CB_IO_TCP_H

#include "tcp.h"
#include "workload.h"

extern const cb_workload_t cb_workload_io_tcp;

#endif
