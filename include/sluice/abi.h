/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ABI between sluice's BPF programs and its control plane: map keys and values,
 * flags and names. Included by BPF C and by C++, so every layout has one source.
 *
 * Rules for this file: fixed-width types only, explicit padding (keys are hashed
 * byte for byte, so padding must be zeroed by whoever builds a key), network byte
 * order where a field says __be.
 */
#ifndef SLUICE_ABI_H
#define SLUICE_ABI_H

#include <linux/types.h>

#include "sluice/counters.h"
#include "sluice/limits.h"

/* Address families, with the values of AF_INET/AF_INET6 so both sides agree. */
#define SLUICE_AF_INET 2
#define SLUICE_AF_INET6 10

/* An IPv4 address lives in ip4 with the remaining 12 bytes zero. ip6 comes first so
 * that `= {}` (which initializes the first member) zeroes all 16 bytes: keys are
 * hashed byte for byte. */
union sluice_addr {
	__be32 ip6[4];
	__be32 ip4;
	__u8 bytes[16];
};

/* Which traffic a frontend entry answers: sockets on the node (and Pods) look up the
 * internal scope, packets arriving from outside the node the external scope. The two
 * differ when internalTrafficPolicy/externalTrafficPolicy select different backends. */
enum lb_scope {
	LB_SCOPE_INTERNAL = 0,
	LB_SCOPE_EXTERNAL = 1,
};

enum lb_frontend_type {
	LB_FE_CLUSTER_IP = 0,
	LB_FE_NODE_PORT = 1,
	LB_FE_EXTERNAL_IP = 2,
	LB_FE_LOAD_BALANCER = 3,
};

/* services map key: one frontend. */
struct lb_service_key {
	union sluice_addr addr;
	__be16 port;
	__u8 proto;  /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family; /* SLUICE_AF_INET or SLUICE_AF_INET6 */
	__u8 scope;  /* enum lb_scope */
	__u8 pad[3];
};

/* Frontend flags. */
#define LB_SVC_F_AFFINITY (1u << 0)      /* sessionAffinity: ClientIP */
#define LB_SVC_F_LOCAL_ONLY (1u << 1)    /* traffic policy Local: only this node's endpoints */
#define LB_SVC_F_SOURCE_RANGES (1u << 2) /* loadBalancerSourceRanges apply: see sluice_src_ranges */

/* services map value. The slots of a frontend come in two generations; `gen` names
 * the live one. The control plane writes the other generation in full, then flips
 * this entry in one update, then deletes the old generation: a reader sees either the
 * old backend set or the new one, never a mix (make-before-break). */
struct lb_service {
	__u32 id;    /* frontend id: owns its slots and its metadata entry */
	__u16 count; /* backends in generation `gen`; 0 means refuse */
	__u8 gen;    /* 0 or 1 */
	__u8 type;   /* enum lb_frontend_type */
	__u16 flags; /* LB_SVC_F_* */
	__u16 pad;
	__u32 affinity_timeout; /* seconds, with LB_SVC_F_AFFINITY */
	/* External frontends: the live Maglev table is sluice_maglev[maglev_offset ..
	 * maglev_offset + maglev_size); maglev_size 0 means none (socket path only). The
	 * control plane writes a whole new table elsewhere, then flips these with the rest
	 * of the entry. */
	__u32 maglev_offset;
	__u32 maglev_size;
};

/* slots map key: the slot-th backend of frontend svc_id in generation gen. */
struct lb_slot_key {
	__u32 svc_id;
	__u16 slot;
	__u8 gen;
	__u8 pad;
};

/* Backend flags. */
#define LB_BE_F_TERMINATING (1u << 0) /* serving but terminating: used only as fallback */
#define LB_BE_F_LOCAL (1u << 1)       /* runs on this node */

/* backends map value, keyed by a __u32 backend id shared by every frontend that uses
 * the same address:port/proto. */
struct lb_backend {
	union sluice_addr addr;
	__be16 port;
	__u8 proto;
	__u8 family;
	__u8 flags; /* LB_BE_F_* */
	__u8 pad[3];
};

/* Names for people: metadata of a frontend, read only by sluicectl and by the agent
 * when it adopts maps after a restart. The datapath never reads it. */
#define SLUICE_SERVICE_NAME_LEN 128 /* "namespace/name": 63 + 1 + 63, NUL-terminated */
#define SLUICE_PORT_NAME_LEN 16     /* IANA service name: at most 15 characters */

struct lb_service_meta {
	char name[SLUICE_SERVICE_NAME_LEN];
	char port_name[SLUICE_PORT_NAME_LEN];
};

/* Socket reverse NAT: for a socket (by cookie) that was pointed at a backend, the
 * frontend it asked for. recvmsg() rewrites UDP reply sources with it, getpeername()
 * answers with it. */
struct sock_rev_nat_key {
	__u64 cookie;
	union sluice_addr addr; /* backend */
	__be16 port;
	__u8 family;
	__u8 pad[5];
};

struct sock_rev_nat_value {
	union sluice_addr addr; /* frontend */
	__be16 port;
	__u8 family;
	__u8 pad;
	__u32 svc_id;
};

/*
 * The packet path (XDP and tc on the node's devices).
 */

/* A sluice_maglev element: two consecutive table slots (backend ids). BPF array
 * elements are 8-byte aligned, so a __u32 value would waste half the map; as pairs the
 * array is a dense run of __u32 slots, slot i at byte 4*i of its mmap. */
struct maglev_pair {
	__u32 id[2];
};

/* Conntrack: a flow as it arrives from the client, before translation. */
struct ct_key {
	union sluice_addr saddr; /* client */
	union sluice_addr daddr; /* frontend */
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u8 pad[2];
};

#define CT_F_SNAT (1u << 0) /* the source was rewritten to the node's address */

struct ct_entry {
	__u64 created_ns;   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 last_seen_ns;
	__u32 backend_id;
	__u32 svc_id;
	__be16 nat_port; /* with CT_F_SNAT: the node's source port */
	__u8 flags;      /* CT_F_* */
	__u8 pad[5];
};

/* Reverse NAT: a reply as it arrives from the backend (to the client, or to the node's
 * address and port after SNAT), and what to restore. */
struct nat_key {
	union sluice_addr saddr; /* backend */
	union sluice_addr daddr; /* client, or the node's address with SNAT */
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u8 pad[2];
};

struct nat_entry {
	union sluice_addr frontend; /* becomes the reply's source */
	union sluice_addr client;   /* becomes the reply's destination (SNAT) */
	__be16 frontend_port;
	__be16 client_port;
	__u32 svc_id;
	__u64 last_seen_ns;
	__u8 flags; /* CT_F_SNAT when the destination must be restored */
	__u8 pad[7];
};

/* Session affinity (ClientIP): which backend a client got, and when it was last used.
 * The packet path keys by client address; the socket path, which does not know the
 * source address at connect(), by network namespace cookie (family 0, cookie in ip6[0..1]). */
struct affinity_key {
	union sluice_addr client;
	__u32 svc_id;
	__u8 family;
	__u8 pad[3];
};

struct affinity_entry {
	__u64 last_used_ns;
	__u32 backend_id;
	__u32 pad;
};

/* loadBalancerSourceRanges: LPM trie over (frontend id, family, source prefix). */
struct src_range_key {
	__u32 prefixlen; /* 64 + the prefix length: svc_id, family and pad always match */
	__u32 svc_id;
	__u8 family;
	__u8 pad[3];
	__u8 addr[16];
};

/* Node-wide settings the control plane writes for the packet path (one entry). */
struct sluice_config {
	union sluice_addr snat_ip4; /* source address of SNATed IPv4 flows (this node) */
	union sluice_addr snat_ip6;
	__u16 snat_port_min; /* host order, inclusive */
	__u16 snat_port_max;
	__u32 flags;
};

/* Per-frontend traffic counters (per-CPU, indexed by frontend id): what /metrics
 * reports per Service. The control plane zeroes an entry when it gives the id out. */
struct svc_stats {
	__u64 packets;     /* packet path: packets translated; sockets: UDP sendmsg() */
	__u64 bytes;       /* packet path only */
	__u64 connections; /* new flows (packet path), connect()s (sockets) */
};

/* Names of the pinned maps under <bpffs>/maps/ (BPF map names are at most 15 chars). */
#define SLUICE_MAP_SERVICES "sluice_svc"
#define SLUICE_MAP_SLOTS "sluice_slots"
#define SLUICE_MAP_BACKENDS "sluice_backends"
#define SLUICE_MAP_SERVICE_META "sluice_svc_meta"
#define SLUICE_MAP_SOCK_REV_NAT "sluice_sock_rev"
#define SLUICE_MAP_COUNTERS "sluice_counters"
#define SLUICE_MAP_MAGLEV "sluice_maglev"
#define SLUICE_MAP_CT "sluice_ct"
#define SLUICE_MAP_NAT "sluice_nat"
#define SLUICE_MAP_AFFINITY "sluice_affinity"
#define SLUICE_MAP_SRC_RANGES "sluice_srcrange"
#define SLUICE_MAP_CONFIG "sluice_config"
#define SLUICE_MAP_SVC_STATS "sluice_svcstats"

#endif /* SLUICE_ABI_H */
