/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Answering for a frontend that has no usable backend, as kube-proxy and Cilium do: a
 * TCP RST, or an ICMP/ICMPv6 port unreachable for UDP, built in place from the
 * offending packet and sent back out of the device it came in on. Only packets with a
 * plain IP header (no IPv4 options, no IPv6 extension headers) are answered; anything
 * else is dropped, and counted. Checksums are computed in full: the packet path sees
 * packets as they come off the wire.
 */
#ifndef SLUICE_BPF_REJECT_H
#define SLUICE_BPF_REJECT_H

#include "lib/counters.h"
#include "lib/parse.h"

/* RFC 792 and RFC 4443 numbers, defined here: linux/icmp.h drags in libc headers. */
#define ICMP_DEST_UNREACH 3
#define ICMP_PORT_UNREACH 3
#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_PORT_UNREACH 4

/* The common 8-byte header of an ICMP or ICMPv6 error. */
struct icmp_error_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 unused;
};

#define ETH_ALEN_ 6
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define ICMP_HLEN 8
#define QUOTED_L4 8 /* bytes of the offending L4 header an ICMP error carries */

struct reject_eth {
	__u8 dst[ETH_ALEN_];
	__u8 src[ETH_ALEN_];
	__be16 proto;
};

static __always_inline void reject_swap_eth(struct reject_eth *eth)
{
	__u8 tmp[ETH_ALEN_];

	__builtin_memcpy(tmp, eth->dst, ETH_ALEN_);
	__builtin_memcpy(eth->dst, eth->src, ETH_ALEN_);
	__builtin_memcpy(eth->src, tmp, ETH_ALEN_);
}

/* The TCP RST that answers `p` (RFC 9293, 3.10.7.1: seq from the segment's ACK if it
 * had one, else seq 0 with ACK of everything it occupied). */
static __always_inline void reject_fill_tcp(struct tcphdr *th, const struct pkt *p)
{
	__u32 payload = p->l4_len - p->l4_hlen;
	__be16 sport = th->source;

	th->source = th->dest;
	th->dest = sport;
	if (p->tcp_flags & TCP_FLAG_ACK) {
		th->seq = bpf_htonl(p->tcp_ack);
		th->ack_seq = 0;
		((__u8 *)th)[13] = TCP_FLAG_RST;
	} else {
		__u32 len = payload + !!(p->tcp_flags & TCP_FLAG_SYN) + !!(p->tcp_flags & TCP_FLAG_FIN);

		th->seq = 0;
		th->ack_seq = bpf_htonl(p->tcp_seq + len);
		((__u8 *)th)[13] = TCP_FLAG_RST | TCP_FLAG_ACK;
	}
	((__u8 *)th)[12] = 5 << 4; /* data offset 5, no options */
	th->window = 0;
	th->urg_ptr = 0;
	th->check = 0;
}

static __always_inline int reject_tcp4(ctx_t *ctx, const struct pkt *p)
{
	const __u32 len = ETH_HLEN_ + IP4_HLEN + TCP_HLEN;
	struct reject_eth *eth;
	struct iphdr *ip;
	struct tcphdr *th;
	__be32 addr;
	__u32 sum;

	if (p->l4_off != ETH_HLEN_ + IP4_HLEN || ctx_set_length(ctx, len))
		return -1;
	eth = ctx_ptr(ctx, 0, len);
	if (!eth)
		return -1;
	ip = (void *)(eth + 1);
	th = (void *)(ip + 1);
	reject_swap_eth(eth);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	ip->tot_len = bpf_htons(IP4_HLEN + TCP_HLEN);
	ip->id = 0;
	ip->frag_off = bpf_htons(0x4000); /* DF */
	ip->ttl = 64;
	ip->check = 0;
	ip->check = csum_fold(csum_words((__u16 *)ip, IP4_HLEN / 2));
	reject_fill_tcp(th, p);
	sum = csum_words((__u16 *)&ip->saddr, 4) + bpf_htons(IPPROTO_TCP) + bpf_htons(TCP_HLEN) +
	      csum_words((__u16 *)th, TCP_HLEN / 2);
	th->check = csum_fold(sum);
	return 0;
}

static __always_inline int reject_tcp6(ctx_t *ctx, const struct pkt *p)
{
	const __u32 len = ETH_HLEN_ + IP6_HLEN + TCP_HLEN;
	struct reject_eth *eth;
	struct ipv6hdr *ip6;
	struct tcphdr *th;
	struct in6_addr addr;
	__u32 sum;

	if (p->l4_off != ETH_HLEN_ + IP6_HLEN || ctx_set_length(ctx, len))
		return -1;
	eth = ctx_ptr(ctx, 0, len);
	if (!eth)
		return -1;
	ip6 = (void *)(eth + 1);
	th = (void *)(ip6 + 1);
	reject_swap_eth(eth);
	addr = ip6->saddr;
	ip6->saddr = ip6->daddr;
	ip6->daddr = addr;
	ip6->payload_len = bpf_htons(TCP_HLEN);
	ip6->hop_limit = 64;
	reject_fill_tcp(th, p);
	sum = csum_words((__u16 *)&ip6->saddr, 16) + bpf_htons(TCP_HLEN) + bpf_htons(IPPROTO_TCP) +
	      csum_words((__u16 *)th, TCP_HLEN / 2);
	th->check = csum_fold(sum);
	return 0;
}

/* ICMP destination unreachable / port unreachable (RFC 792) quoting the offending
 * IPv4 header and the first 8 bytes of its UDP header. */
static __always_inline int reject_udp4(ctx_t *ctx, const struct pkt *p)
{
	const __u32 quoted = IP4_HLEN + QUOTED_L4;
	const __u32 grow = IP4_HLEN + ICMP_HLEN;
	const __u32 len = ETH_HLEN_ + grow + quoted;
	struct reject_eth old, *eth;
	struct iphdr *ip;
	struct icmp_error_hdr *icmp;
	struct reject_eth *first;

	if (p->l4_off != ETH_HLEN_ + IP4_HLEN)
		return -1;
	first = ctx_ptr(ctx, 0, sizeof(*first));
	if (!first)
		return -1;
	old = *first;
	if (ctx_set_length(ctx, ETH_HLEN_ + quoted) || ctx_adjust_head(ctx, -(int)grow))
		return -1;
	eth = ctx_ptr(ctx, 0, len);
	if (!eth)
		return -1;
	__builtin_memcpy(eth->dst, old.src, ETH_ALEN_);
	__builtin_memcpy(eth->src, old.dst, ETH_ALEN_);
	eth->proto = bpf_htons(ETH_P_IP);
	ip = (void *)(eth + 1);
	icmp = (void *)(ip + 1);
	((__u8 *)ip)[0] = 0x45;
	ip->tos = 0;
	ip->tot_len = bpf_htons(grow + quoted);
	ip->id = 0;
	ip->frag_off = 0;
	ip->ttl = 64;
	ip->protocol = IPPROTO_ICMP;
	ip->saddr = p->daddr.ip4; /* the frontend answers */
	ip->daddr = p->saddr.ip4;
	ip->check = 0;
	ip->check = csum_fold(csum_words((__u16 *)ip, IP4_HLEN / 2));
	icmp->type = ICMP_DEST_UNREACH;
	icmp->code = ICMP_PORT_UNREACH;
	icmp->unused = 0;
	icmp->checksum = 0;
	icmp->checksum = csum_fold(csum_words((__u16 *)icmp, (ICMP_HLEN + IP4_HLEN + QUOTED_L4) / 2));
	return 0;
}

/* ICMPv6 destination unreachable / port unreachable (RFC 4443, 3.1). */
static __always_inline int reject_udp6(ctx_t *ctx, const struct pkt *p)
{
	const __u32 quoted = IP6_HLEN + QUOTED_L4;
	const __u32 grow = IP6_HLEN + ICMP_HLEN;
	const __u32 len = ETH_HLEN_ + grow + quoted;
	struct reject_eth old, *eth;
	struct ipv6hdr *ip6;
	struct icmp_error_hdr *icmp6;
	struct reject_eth *first;
	__u32 sum;

	if (p->l4_off != ETH_HLEN_ + IP6_HLEN)
		return -1;
	first = ctx_ptr(ctx, 0, sizeof(*first));
	if (!first)
		return -1;
	old = *first;
	if (ctx_set_length(ctx, ETH_HLEN_ + quoted) || ctx_adjust_head(ctx, -(int)grow))
		return -1;
	eth = ctx_ptr(ctx, 0, len);
	if (!eth)
		return -1;
	__builtin_memcpy(eth->dst, old.src, ETH_ALEN_);
	__builtin_memcpy(eth->src, old.dst, ETH_ALEN_);
	eth->proto = bpf_htons(ETH_P_IPV6);
	ip6 = (void *)(eth + 1);
	icmp6 = (void *)(ip6 + 1);
	((__u8 *)ip6)[0] = 0x60;
	((__u8 *)ip6)[1] = 0;
	((__u8 *)ip6)[2] = 0;
	((__u8 *)ip6)[3] = 0;
	ip6->payload_len = bpf_htons(ICMP_HLEN + quoted);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = 64;
	__builtin_memcpy(&ip6->saddr, p->daddr.ip6, 16);
	__builtin_memcpy(&ip6->daddr, p->saddr.ip6, 16);
	icmp6->type = ICMPV6_DEST_UNREACH;
	icmp6->code = ICMPV6_PORT_UNREACH;
	icmp6->unused = 0;
	icmp6->checksum = 0;
	sum = csum_words((__u16 *)&ip6->saddr, 16) + bpf_htons(ICMP_HLEN + quoted) +
	      bpf_htons(IPPROTO_ICMPV6) + csum_words((__u16 *)icmp6, (ICMP_HLEN + IP6_HLEN + QUOTED_L4) / 2);
	icmp6->checksum = csum_fold(sum);
	return 0;
}

/* Answers `p` in place and returns the verdict that sends the answer, or drops. */
static __noinline int reject_no_backend(ctx_t *ctx, const struct pkt *p)
{
	int err;

	if (p->proto == IPPROTO_TCP && (p->tcp_flags & TCP_FLAG_RST))
		return CTX_DROP; /* never answer a reset */
	if (p->proto == IPPROTO_TCP)
		err = p->family == SLUICE_AF_INET ? reject_tcp4(ctx, p) : reject_tcp6(ctx, p);
	else
		err = p->family == SLUICE_AF_INET ? reject_udp4(ctx, p) : reject_udp6(ctx, p);
	if (err) {
		counter_inc(SLUICE_CTR_DROP_REJECT_FAILED);
		return CTX_DROP;
	}
	counter_inc(SLUICE_CTR_DROP_NO_BACKEND);
	return ctx_bounce(ctx);
}

#endif /* SLUICE_BPF_REJECT_H */
