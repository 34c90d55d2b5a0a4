/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rewriting addresses and ports with their checksums, the reverse-NAT table for
 * replies, and SNAT port allocation. Rewrites keep `struct pkt` in step with the
 * packet, so later steps (the FIB lookup) see the translated tuple.
 */
#ifndef SLUICE_BPF_NAT_H
#define SLUICE_BPF_NAT_H

#include "lib/counters.h"
#include "lib/maps.h"
#include "lib/parse.h"

#define IPV4_CSUM_OFF 10
#define IPV4_SADDR_OFF 12
#define IPV4_DADDR_OFF 16
#define IPV6_SADDR_OFF 8
#define IPV6_DADDR_OFF 24

/* Rewrites the source (dst=false) or destination address. */
static __always_inline int nat_rewrite_addr(ctx_t *ctx, struct pkt *p, bool dst,
					    const union sluice_addr *to)
{
	union sluice_addr *from = dst ? &p->daddr : &p->saddr;
	__u32 csum_off = pkt_l4_csum_off(p);
	bool udp = p->proto == IPPROTO_UDP;

	if (p->family == SLUICE_AF_INET) {
		__u32 off = p->l3_off + (dst ? IPV4_DADDR_OFF : IPV4_SADDR_OFF);

		if (ctx_l4_csum_replace(ctx, csum_off, from->ip4, to->ip4, true, udp, false) ||
		    ctx_l3_csum_replace(ctx, p->l3_off + IPV4_CSUM_OFF, from->ip4, to->ip4) ||
		    ctx_store(ctx, off, &to->ip4, 4))
			return -1;
	} else {
		__u32 off = p->l3_off + (dst ? IPV6_DADDR_OFF : IPV6_SADDR_OFF);

		for (int i = 0; i < 4; i++)
			if (ctx_l4_csum_replace(ctx, csum_off, from->ip6[i], to->ip6[i], true, udp, false))
				return -1;
		if (ctx_store(ctx, off, to->ip6, 16))
			return -1;
	}
	*from = *to;
	return 0;
}

/* Rewrites the source (dst=false) or destination port. */
static __always_inline int nat_rewrite_port(ctx_t *ctx, struct pkt *p, bool dst, __be16 to)
{
	__be16 *from = dst ? &p->dport : &p->sport;

	if (*from == to)
		return 0;
	if (ctx_l4_csum_replace(ctx, pkt_l4_csum_off(p), *from, to, false, p->proto == IPPROTO_UDP, true) ||
	    ctx_store(ctx, p->l4_off + (dst ? 2 : 0), &to, 2))
		return -1;
	*from = to;
	return 0;
}

/* The key a reply of this packet's flow arrives with. */
static __always_inline void nat_key_of(const struct pkt *p, struct nat_key *k)
{
	k->saddr = p->saddr;
	k->daddr = p->daddr;
	k->sport = p->sport;
	k->dport = p->dport;
	k->proto = p->proto;
	k->family = p->family;
}

static __always_inline struct nat_entry *nat_lookup(const struct nat_key *k)
{
	return bpf_map_lookup_elem(&sluice_nat, k);
}

/* Puts the reply's source back to the frontend (and, after SNAT, its destination
 * back to the client). */
static __always_inline int nat_reverse(ctx_t *ctx, struct pkt *p, const struct nat_entry *e)
{
	if (nat_rewrite_addr(ctx, p, false, &e->frontend) || nat_rewrite_port(ctx, p, false, e->frontend_port))
		return -1;
	if (e->flags & CT_F_SNAT) {
		if (nat_rewrite_addr(ctx, p, true, &e->client) || nat_rewrite_port(ctx, p, true, e->client_port))
			return -1;
	}
	return 0;
}

#define SNAT_PORT_ATTEMPTS 16

/* Claims a free source port on the node for a reply key whose dport is still open:
 * tries random ports of the configured range, claiming one with BPF_NOEXIST. */
static __always_inline int snat_claim_port(struct nat_key *k, const struct nat_entry *e,
					   const struct sluice_config *cfg)
{
	__u32 span = (__u32)cfg->snat_port_max - cfg->snat_port_min + 1;

	if (cfg->snat_port_min == 0 || cfg->snat_port_max < cfg->snat_port_min)
		return -1;
	for (int i = 0; i < SNAT_PORT_ATTEMPTS; i++) {
		__u16 port = cfg->snat_port_min + bpf_get_prandom_u32() % span;

		k->dport = bpf_htons(port);
		if (bpf_map_update_elem(&sluice_nat, k, e, BPF_NOEXIST) == 0)
			return 0;
	}
	return -1;
}

static __always_inline const union sluice_addr *snat_ip(const struct sluice_config *cfg, __u8 family)
{
	return family == SLUICE_AF_INET ? &cfg->snat_ip4 : &cfg->snat_ip6;
}

static __always_inline bool addr_is_zero(const union sluice_addr *a)
{
	return (a->ip6[0] | a->ip6[1] | a->ip6[2] | a->ip6[3]) == 0;
}

static __always_inline bool addr_equal(const union sluice_addr *a, const union sluice_addr *b)
{
	return ((a->ip6[0] ^ b->ip6[0]) | (a->ip6[1] ^ b->ip6[1]) | (a->ip6[2] ^ b->ip6[2]) |
		(a->ip6[3] ^ b->ip6[3])) == 0;
}

#endif /* SLUICE_BPF_NAT_H */
