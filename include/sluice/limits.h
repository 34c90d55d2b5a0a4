/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Default sizes of sluice's BPF maps. Each is a named limit that the loader can
 * override before the maps are created (sluice-agent --lb-map-max and friends);
 * the BPF objects are built with these values as their defaults.
 */
#ifndef SLUICE_LIMITS_H
#define SLUICE_LIMITS_H

/* Frontends (VIP:port/proto/scope entries) in the services map. */
#define SLUICE_MAX_SERVICES 65536
/* Distinct backends (address:port/proto) across all services. */
#define SLUICE_MAX_BACKENDS 262144
/* Backend slots across all services, both generations of each. */
#define SLUICE_MAX_SLOTS 524288
/* Backends a single frontend may have: bounds the slot index. */
#define SLUICE_MAX_BACKENDS_PER_SERVICE 4096
/* Socket reverse-NAT entries (UDP replies, getpeername); LRU. */
#define SLUICE_MAX_SOCK_REV_NAT 262144

/* Slots of all Maglev tables together (backend ids, 4 bytes each): per-Service tables
 * sized to their backends, each with room for the next version while it is written.
 * The map holds them in pairs (struct maglev_pair): max_entries is half this. */
#define SLUICE_MAX_MAGLEV_ENTRIES (1u << 22)
/* Flows tracked by the packet path (LRU), and their reverse NAT entries. */
#define SLUICE_MAX_CT 262144
#define SLUICE_MAX_NAT 262144
/* Session-affinity entries (LRU). */
#define SLUICE_MAX_AFFINITY 65536
/* loadBalancerSourceRanges prefixes across all frontends. */
#define SLUICE_MAX_SRC_RANGES 16384
/* The default port range for SNAT (above Linux's default ephemeral range). */
#define SLUICE_SNAT_PORT_MIN 61000
#define SLUICE_SNAT_PORT_MAX 65535

#endif /* SLUICE_LIMITS_H */
