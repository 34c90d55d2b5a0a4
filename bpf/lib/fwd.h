/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sending a translated packet on its way. With a FIB lookup the packet leaves at once
 * (XDP_TX, or a redirect to the egress device) with its TTL decremented as a router
 * would; when the kernel must help (no neighbour entry yet, a local destination,
 * forwarding off) it is handed to the stack, translated, and routed there.
 */
#ifndef SLUICE_BPF_FWD_H
#define SLUICE_BPF_FWD_H

#include <linux/if_ether.h>

#include "lib/counters.h"
#include "lib/nat.h"
#include "lib/parse.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

static __always_inline int fwd_decrement_ttl(ctx_t *ctx, const struct pkt *p)
{
	if (p->family == SLUICE_AF_INET) {
		/* TTL and protocol share a 16-bit word of the header checksum. */
		__u8 *ttl = ctx_ptr(ctx, p->l3_off + 8, 2);
		__be16 before, after;

		if (!ttl)
			return -1;
		before = *(__be16 *)ttl;
		ttl[0]--;
		after = *(__be16 *)ttl;
		return ctx_l3_csum_replace(ctx, p->l3_off + IPV4_CSUM_OFF, before, after);
	}
	{
		__u8 *hop = ctx_ptr(ctx, p->l3_off + 7, 1);

		if (!hop)
			return -1;
		hop[0]--;
	}
	return 0;
}

static __noinline int fwd_packet(ctx_t *ctx, const struct pkt *p)
{
	struct bpf_fib_lookup fib = {};
	long rc;

	fib.family = p->family == SLUICE_AF_INET ? AF_INET : AF_INET6;
	fib.l4_protocol = p->proto;
	fib.sport = p->sport;
	fib.dport = p->dport;
	fib.tot_len = p->l3_len;
	fib.ifindex = ctx_ifindex(ctx);
	if (p->family == SLUICE_AF_INET) {
		fib.ipv4_src = p->saddr.ip4;
		fib.ipv4_dst = p->daddr.ip4;
	} else {
		__builtin_memcpy(fib.ipv6_src, p->saddr.ip6, 16);
		__builtin_memcpy(fib.ipv6_dst, p->daddr.ip6, 16);
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (p->ttl <= 1)
		goto stack; /* the kernel answers with ICMP time exceeded */
	if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		if (fwd_decrement_ttl(ctx, p))
			goto stack;
		if (ctx_store(ctx, 0, fib.dmac, 6) || ctx_store(ctx, 6, fib.smac, 6))
			return CTX_DROP; /* the headers were just read: cannot happen */
		counter_inc(SLUICE_CTR_FWD_REDIRECT);
		return ctx_redirect(ctx, fib.ifindex);
	}
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		/* Routed, but the next hop's MAC is not known yet. The stack cannot take
		 * over: after SNAT the source is this node's own address, which IP input
		 * drops as a martian. The kernel's neighbour code resolves it instead
		 * (bpf_redirect_neigh at tc; XDP hands the packet to tc for that). */
		if (fwd_decrement_ttl(ctx, p))
			goto stack;
		counter_inc(SLUICE_CTR_FWD_NEIGH);
		return ctx_redirect_neigh(ctx, fib.ifindex);
	}
stack:
	counter_inc(SLUICE_CTR_FWD_PASS_STACK);
	return CTX_PASS;
}

#endif /* SLUICE_BPF_FWD_H */
