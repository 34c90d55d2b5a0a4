/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one list of datapath counters. SLUICE_COUNTERS is an X-macro: it yields the
 * enum used as the index of the per-CPU counters map (BPF and C++ alike) and the
 * printable names `sluicectl stats` shows, so the two can never drift apart.
 */
#ifndef SLUICE_COUNTERS_H
#define SLUICE_COUNTERS_H

/* X(enum suffix, printable name, what it counts) */
#define SLUICE_COUNTERS(X)                                                                 \
	X(SOCK_CONNECT_XLATED, "sock_connect_translated",                                   \
	  "connect() to a frontend pointed at a backend")                                   \
	X(SOCK_SENDMSG_XLATED, "sock_sendmsg_translated",                                   \
	  "unconnected UDP sendmsg() to a frontend pointed at a backend")                   \
	X(SOCK_RECVMSG_XLATED, "sock_recvmsg_rev_translated",                               \
	  "UDP reply source rewritten from backend to frontend")                            \
	X(SOCK_PEERNAME_XLATED, "sock_getpeername_rev_translated",                          \
	  "getpeername() answered with the frontend instead of the backend")                \
	X(SOCK_NO_BACKEND, "sock_refused_no_backend",                                       \
	  "connect()/sendmsg() to a frontend with no usable backend, refused")              \
	X(SOCK_BACKEND_MISSING, "sock_backend_lookup_miss",                                 \
	  "slot or backend entry missing while a service was being rewritten")              \
	X(SOCK_REV_NAT_UPDATE_FAIL, "sock_rev_nat_update_failed",                           \
	  "could not record the reverse translation of a socket")

enum sluice_counter {
#define SLUICE_COUNTER_ENUM(name, str, help) SLUICE_CTR_##name,
	SLUICE_COUNTERS(SLUICE_COUNTER_ENUM)
#undef SLUICE_COUNTER_ENUM
	SLUICE_CTR_MAX
};

#endif /* SLUICE_COUNTERS_H */
