/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every map of sluice's datapath, declared once. Sizes are the defaults from
 * include/sluice/limits.h; the loader may change max_entries before the maps are
 * created. The agent pins them under <bpffs>/maps/ and every program object reuses
 * the pinned ones, so all hooks share one state.
 */
#ifndef SLUICE_BPF_MAPS_H
#define SLUICE_BPF_MAPS_H

#include "lib/common.h"

/* Frontend (VIP:port/proto/scope) -> service entry. Written by the control plane. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct lb_service_key);
	__type(value, struct lb_service);
	__uint(max_entries, SLUICE_MAX_SERVICES);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* RCU-freed: readers never see a reused value */
} sluice_svc SEC(".maps");

/* (frontend id, generation, slot) -> backend id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct lb_slot_key);
	__type(value, __u32);
	__uint(max_entries, SLUICE_MAX_SLOTS);
} sluice_slots SEC(".maps");

/* Backend id -> address:port/proto. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct lb_backend);
	__uint(max_entries, SLUICE_MAX_BACKENDS);
} sluice_backends SEC(".maps");

/* Frontend id -> names for people (sluicectl); never read by the datapath. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct lb_service_meta);
	__uint(max_entries, SLUICE_MAX_SERVICES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} sluice_svc_meta SEC(".maps");

/* (socket cookie, backend) -> frontend, for UDP reply sources and getpeername(). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct sock_rev_nat_key);
	__type(value, struct sock_rev_nat_value);
	__uint(max_entries, SLUICE_MAX_SOCK_REV_NAT);
} sluice_sock_rev SEC(".maps");

/* Maglev lookup tables of external frontends, back to back: backend ids. Each
 * Service entry names its live range; mmap-able so the control plane writes a table
 * with plain stores. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct maglev_pair);
	__uint(max_entries, SLUICE_MAX_MAGLEV_ENTRIES / 2);
	__uint(map_flags, BPF_F_MMAPABLE);
} sluice_maglev SEC(".maps");

/* Flows of the packet path, by their pre-translation tuple (LRU). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ct_key);
	__type(value, struct ct_entry);
	__uint(max_entries, SLUICE_MAX_CT);
} sluice_ct SEC(".maps");

/* Replies of those flows, by the tuple they arrive with, and what to restore (LRU). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct nat_key);
	__type(value, struct nat_entry);
	__uint(max_entries, SLUICE_MAX_NAT);
} sluice_nat SEC(".maps");

/* sessionAffinity ClientIP: (frontend, client) -> backend, last use (LRU). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct affinity_key);
	__type(value, struct affinity_entry);
	__uint(max_entries, SLUICE_MAX_AFFINITY);
} sluice_affinity SEC(".maps");

/* loadBalancerSourceRanges: (frontend, family, prefix) -> 1. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct src_range_key);
	__type(value, __u8);
	__uint(max_entries, SLUICE_MAX_SRC_RANGES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} sluice_srcrange SEC(".maps");

/* Node-wide settings for the packet path, written by the control plane. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct sluice_config);
	__uint(max_entries, 1);
} sluice_config SEC(".maps");

/* Per-frontend packets/bytes/connections, one slot per CPU, indexed by frontend id
 * (ids are below the services map's capacity: the loader sizes both alike). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct svc_stats);
	__uint(max_entries, SLUICE_MAX_SERVICES + 1);
} sluice_svcstats SEC(".maps");

/* Named event counters (include/sluice/counters.h), one slot per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, SLUICE_CTR_MAX);
} sluice_counters SEC(".maps");

#endif /* SLUICE_BPF_MAPS_H */
