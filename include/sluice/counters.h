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
	  "could not record the reverse translation of a socket")                           \
	X(SOCK_AFFINITY_HIT, "sock_affinity_hit",                                           \
	  "connect() kept the backend of the client's session affinity")                    \
	X(PASS_NOT_IP, "pass_not_ip", "packet path: not IPv4/IPv6 (ARP, VLAN...), passed")     \
	X(PASS_FRAGMENT, "pass_fragment", "packet path: IP fragment, passed untouched")        \
	X(PASS_MALFORMED, "pass_malformed",                                                 \
	  "packet path: headers truncated or inconsistent, passed for the kernel to judge")  \
	X(PASS_NOT_SERVICE, "pass_not_service",                                             \
	  "packet path: TCP/UDP not addressed to a frontend, passed untouched")             \
	X(PASS_OTHER_L4, "pass_other_l4", "packet path: neither TCP nor UDP, passed")          \
	X(FWD_NEW_FLOW, "fwd_new_flow", "packet path: new flow, backend chosen by Maglev")    \
	X(FWD_AFFINITY, "fwd_affinity", "packet path: new flow, backend from session affinity") \
	X(FWD_CT_HIT, "fwd_conntrack_hit", "packet path: packet of a tracked flow")            \
	X(FWD_CT_BACKEND_GONE, "fwd_conntrack_backend_gone",                                \
	  "packet path: a tracked flow's backend is gone, flow moved")                      \
	X(FWD_DNAT, "fwd_dnat", "packet path: destination rewritten to a backend")            \
	X(FWD_SNAT, "fwd_snat",                                                             \
	  "packet path: source rewritten to the node (backend on another node)")             \
	X(FWD_REV_NAT, "fwd_reverse_nat", "packet path: reply rewritten back to the frontend")\
	X(FWD_REDIRECT, "fwd_redirect",                                                     \
	  "packet path: sent out directly after a FIB lookup (XDP_TX/redirect)")            \
	X(FWD_PASS_STACK, "fwd_pass_to_stack",                                              \
	  "packet path: translated, handed to the kernel to route")                         \
	X(FWD_NEIGH, "fwd_neighbour_resolution",                                            \
	  "packet path: next hop's MAC unknown, sent through the kernel's neighbour code")  \
	X(DROP_NO_BACKEND, "reject_no_backend",                                             \
	  "packet path: frontend with no usable backend, answered with RST/ICMP")           \
	X(DROP_NO_LOCAL_BACKEND, "drop_no_local_backend",                                   \
	  "packet path: externalTrafficPolicy Local and no endpoint on this node")          \
	X(DROP_SOURCE_RANGE, "drop_source_range",                                           \
	  "packet path: source outside loadBalancerSourceRanges")                           \
	X(DROP_SNAT_EXHAUSTED, "drop_snat_ports_exhausted",                                 \
	  "packet path: no free SNAT port for a new flow")                                  \
	X(DROP_CT_UPDATE, "drop_conntrack_update_failed",                                   \
	  "packet path: could not record a new flow")                                       \
	X(DROP_REJECT_FAILED, "drop_reject_failed",                                         \
	  "packet path: could not build the RST/ICMP answer, dropped instead")

enum sluice_counter {
#define SLUICE_COUNTER_ENUM(name, str, help) SLUICE_CTR_##name,
	SLUICE_COUNTERS(SLUICE_COUNTER_ENUM)
#undef SLUICE_COUNTER_ENUM
	SLUICE_CTR_MAX
};

#endif /* SLUICE_COUNTERS_H */
