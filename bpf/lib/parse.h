/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a packet's headers for the packet path. Anything that is not a complete,
 * consistent Ethernet + IPv4/IPv6 + TCP/UDP packet gets a reason instead of a tuple,
 * and the caller passes it on untouched: a node is not a dedicated load balancer, so
 * IP options, fragments, extension headers and protocols sluice does not balance are
 * the kernel's business.
 */
#ifndef SLUICE_BPF_PARSE_H
#define SLUICE_BPF_PARSE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "lib/ctx.h"

#ifndef IP_MF
#define IP_MF 0x2000
#endif
#ifndef IP_OFFSET
#define IP_OFFSET 0x1fff
#endif
#define ETH_HLEN_ 14
#define IPV6_MAX_EXT_HEADERS 6

enum parse_result {
	PARSE_OK = 0,
	PARSE_NOT_IP,    /* ARP, VLAN-tagged, anything but plain IPv4/IPv6 */
	PARSE_FRAGMENT,  /* an IP fragment: no (reliable) ports */
	PARSE_MALFORMED, /* truncated or inconsistent headers */
	PARSE_OTHER_L4,  /* ICMP, SCTP, ... */
};

/* What the packet path needs of a packet, with the offsets to rewrite it. */
struct pkt {
	union sluice_addr saddr;
	union sluice_addr daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u8 tcp_flags; /* the 13th byte of the TCP header */
	__u8 ttl;       /* or hop limit */
	__u16 l3_off;
	__u16 l4_off;
	__u16 l3_len;   /* IPv4 total length / IPv6 40 + payload length */
	__u16 l4_len;   /* bytes from the L4 header to the end of the IP packet */
	__u32 tcp_seq;  /* host order */
	__u32 tcp_ack;
	__u16 l4_hlen;  /* TCP header length with options, 8 for UDP */
};

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

static __always_inline __u16 pkt_l4_csum_off(const struct pkt *p)
{
	return p->l4_off + (p->proto == IPPROTO_TCP ? 16 : 6);
}

static __always_inline enum parse_result parse_l4(ctx_t *ctx, struct pkt *p)
{
	/* Rewrites reach the packet through ctx_ptr(), which stops at CTX_MAX_OFFSET: an
	 * L4 checksum beyond it could be read but never updated, and the packet would be
	 * dropped after its flow was recorded. Leave such (deep IPv6 chain) packets to
	 * the kernel. */
	if ((p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) &&
	    pkt_l4_csum_off(p) > CTX_MAX_OFFSET)
		return PARSE_MALFORMED;
	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = ctx_ptr(ctx, p->l4_off, sizeof(*th));

		if (!th)
			return PARSE_MALFORMED;
		if (th->doff < 5 || (__u32)th->doff * 4 > p->l4_len)
			return PARSE_MALFORMED;
		p->sport = th->source;
		p->dport = th->dest;
		p->tcp_flags = ((__u8 *)th)[13];
		p->tcp_seq = bpf_ntohl(th->seq);
		p->tcp_ack = bpf_ntohl(th->ack_seq);
		p->l4_hlen = (__u16)th->doff * 4;
		return PARSE_OK;
	}
	if (p->proto == IPPROTO_UDP) {
		struct udphdr *uh = ctx_ptr(ctx, p->l4_off, sizeof(*uh));
		__u16 len;

		if (!uh)
			return PARSE_MALFORMED;
		len = bpf_ntohs(uh->len);
		if (len < sizeof(*uh) || len > p->l4_len)
			return PARSE_MALFORMED;
		p->sport = uh->source;
		p->dport = uh->dest;
		p->l4_hlen = sizeof(*uh);
		return PARSE_OK;
	}
	return PARSE_OTHER_L4;
}

static __always_inline enum parse_result parse_ipv4(ctx_t *ctx, struct pkt *p, __u32 wire_len)
{
	struct iphdr *ip = ctx_ptr(ctx, ETH_HLEN_, sizeof(*ip));
	__u32 hlen, tot;

	if (!ip)
		return PARSE_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return PARSE_MALFORMED;
	hlen = (__u32)ip->ihl * 4;
	tot = bpf_ntohs(ip->tot_len);
	if (tot < hlen || tot > wire_len - ETH_HLEN_)
		return PARSE_MALFORMED;
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return PARSE_FRAGMENT;
	p->family = SLUICE_AF_INET;
	p->proto = ip->protocol;
	p->ttl = ip->ttl;
	p->saddr.ip4 = ip->saddr;
	p->daddr.ip4 = ip->daddr;
	p->l3_off = ETH_HLEN_;
	p->l3_len = (__u16)tot;
	p->l4_off = (__u16)(ETH_HLEN_ + hlen);
	p->l4_len = (__u16)(tot - hlen);
	return parse_l4(ctx, p);
}

static __always_inline enum parse_result parse_ipv6(ctx_t *ctx, struct pkt *p, __u32 wire_len)
{
	struct ipv6hdr *ip6 = ctx_ptr(ctx, ETH_HLEN_, sizeof(*ip6));
	__u32 off = ETH_HLEN_ + sizeof(struct ipv6hdr);
	__u32 payload;
	__u8 next;

	if (!ip6)
		return PARSE_MALFORMED;
	if (ip6->version != 6)
		return PARSE_MALFORMED;
	payload = bpf_ntohs(ip6->payload_len);
	/* 0 is a jumbogram (RFC 2675): not something to translate. */
	if (payload == 0 || payload > wire_len - ETH_HLEN_ - sizeof(struct ipv6hdr))
		return PARSE_MALFORMED;
	next = ip6->nexthdr;
	__builtin_memcpy(p->saddr.ip6, &ip6->saddr, 16);
	__builtin_memcpy(p->daddr.ip6, &ip6->daddr, 16);
	p->ttl = ip6->hop_limit;

	for (int i = 0; i < IPV6_MAX_EXT_HEADERS; i++) {
		__u8 *ext;

		switch (next) {
		case IPPROTO_TCP:
		case IPPROTO_UDP:
			goto l4;
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			ext = ctx_ptr(ctx, off, 4); /* each is at least 8 bytes long */
			if (!ext)
				return PARSE_MALFORMED;
			/* A routing header with segments left makes this node a waypoint:
			 * the packet is for its last address, which is also the one in the
			 * L4 checksum's pseudo header (RFC 8200 4.4, 8.1). Not ours. */
			if (next == IPPROTO_ROUTING && ext[3] != 0)
				return PARSE_OTHER_L4;
			next = ext[0];
			off += ((__u32)ext[1] + 1) * 8;
			break;
		case IPPROTO_AH:
			ext = ctx_ptr(ctx, off, 2);
			if (!ext)
				return PARSE_MALFORMED;
			next = ext[0];
			off += ((__u32)ext[1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT:
			return PARSE_FRAGMENT;
		default:
			return PARSE_OTHER_L4;
		}
		if (off > CTX_MAX_OFFSET)
			return PARSE_MALFORMED;
	}
	return PARSE_OTHER_L4; /* a longer chain than we follow: not ours */
l4:
	if (off - ETH_HLEN_ - sizeof(struct ipv6hdr) > payload)
		return PARSE_MALFORMED;
	p->family = SLUICE_AF_INET6;
	p->proto = next;
	p->l3_off = ETH_HLEN_;
	p->l3_len = (__u16)(payload + sizeof(struct ipv6hdr));
	p->l4_off = (__u16)off;
	p->l4_len = (__u16)(payload - (off - ETH_HLEN_ - sizeof(struct ipv6hdr)));
	return parse_l4(ctx, p);
}

static __always_inline enum parse_result parse_packet(ctx_t *ctx, struct pkt *p)
{
	struct ethhdr *eth = ctx_ptr(ctx, 0, sizeof(*eth));
	__u32 wire_len = ctx_len(ctx);

	if (!eth)
		return PARSE_MALFORMED;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(ctx, p, wire_len);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(ctx, p, wire_len);
	return PARSE_NOT_IP;
}

#endif /* SLUICE_BPF_PARSE_H */
