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
#define LB_SVC_F_AFFINITY (1u << 0)    /* sessionAffinity: ClientIP */
#define LB_SVC_F_LOCAL_ONLY (1u << 1)  /* traffic policy Local: only this node's endpoints */

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
	__u32 maglev_offset;    /* reserved for the Maglev table of the packet path */
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

/* Names of the pinned maps under <bpffs>/maps/ (BPF map names are at most 15 chars). */
#define SLUICE_MAP_SERVICES "sluice_svc"
#define SLUICE_MAP_SLOTS "sluice_slots"
#define SLUICE_MAP_BACKENDS "sluice_backends"
#define SLUICE_MAP_SERVICE_META "sluice_svc_meta"
#define SLUICE_MAP_SOCK_REV_NAT "sluice_sock_rev"
#define SLUICE_MAP_COUNTERS "sluice_counters"

#endif /* SLUICE_ABI_H */
