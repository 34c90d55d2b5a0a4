/* SPDX-License-Identifier: Apache-2.0 */
/* The packet path's flow table: a flow keeps its backend while that backend exists,
 * whatever happens to its Service's backend set. */
#ifndef SLUICE_BPF_CONNTRACK_H
#define SLUICE_BPF_CONNTRACK_H

#include "lib/maps.h"
#include "lib/parse.h"

/* How stale last_seen may get before a packet refreshes it (and the NAT entry). */
#define CT_REFRESH_NS (1000ull * 1000 * 1000)

static __always_inline void ct_key_of(const struct pkt *p, struct ct_key *k)
{
	k->saddr = p->saddr;
	k->daddr = p->daddr;
	k->sport = p->sport;
	k->dport = p->dport;
	k->proto = p->proto;
	k->family = p->family;
}

static __always_inline struct ct_entry *ct_lookup(const struct ct_key *k)
{
	return bpf_map_lookup_elem(&sluice_ct, k);
}

static __always_inline int ct_create(const struct ct_key *k, const struct ct_entry *e)
{
	return bpf_map_update_elem(&sluice_ct, k, e, BPF_ANY);
}

#endif /* SLUICE_BPF_CONNTRACK_H */
