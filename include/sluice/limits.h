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

#endif /* SLUICE_LIMITS_H */
