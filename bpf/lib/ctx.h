/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One packet library for XDP and tc: the entry object defines SLUICE_CTX_XDP or
 * SLUICE_CTX_SKB before including anything, and the library talks to the packet only
 * through these functions. Writes and checksum updates go by offset, so the same code
 * is right for an xdp_md (plain stores, checksums always complete) and for an
 * sk_buff (helpers that know about CHECKSUM_PARTIAL and keep skb->csum right).
 */
#ifndef SLUICE_BPF_CTX_H
#define SLUICE_BPF_CTX_H

#include "lib/common.h"
#include "lib/csum.h"

#if defined(SLUICE_CTX_XDP) == defined(SLUICE_CTX_SKB)
#error "define exactly one of SLUICE_CTX_XDP and SLUICE_CTX_SKB"
#endif

/* Bounds every variable offset the verifier has to reason about (a mask below). */
#define CTX_MAX_OFFSET 255

/* XDP -> tc metadata for packets whose next hop still needs resolving. */
#define CTX_HANDOFF_MAGIC 0x51c3e7a1u
struct ctx_handoff {
	__u32 magic;
	__u32 ifindex;
};

/* --- the context type and where its bytes are ---------------------------------- */
#ifdef SLUICE_CTX_XDP
typedef struct xdp_md ctx_t;
#define CTX_PASS XDP_PASS
#define CTX_DROP XDP_DROP

static __always_inline void *ctx_data(const ctx_t *ctx) { return (void *)(long)ctx->data; }
static __always_inline void *ctx_data_end(const ctx_t *ctx) { return (void *)(long)ctx->data_end; }
static __always_inline __u32 ctx_ifindex(const ctx_t *ctx) { return ctx->ingress_ifindex; }
static __always_inline __u32 ctx_len(const ctx_t *ctx) { return ctx->data_end - ctx->data; }
/* XDP sees the whole frame linearly: nothing to pull. */
static __always_inline void ctx_pull(ctx_t *ctx) { (void)ctx; }
#else
#include <linux/pkt_cls.h>

typedef struct __sk_buff ctx_t;
#define CTX_PASS TC_ACT_OK
#define CTX_DROP TC_ACT_SHOT

static __always_inline void *ctx_data(const ctx_t *ctx) { return (void *)(long)ctx->data; }
static __always_inline void *ctx_data_end(const ctx_t *ctx) { return (void *)(long)ctx->data_end; }
static __always_inline __u32 ctx_ifindex(const ctx_t *ctx) { return ctx->ifindex; }
static __always_inline __u32 ctx_len(const ctx_t *ctx) { return ctx->len; }
/* Makes the headers readable with direct access (an skb's linear head may be short). */
static __always_inline void ctx_pull(ctx_t *ctx)
{
	__u32 want = ctx->len < 128 ? ctx->len : 128;

	if (ctx_data(ctx) + want > ctx_data_end(ctx))
		bpf_skb_pull_data(ctx, want);
}
#endif

/* A pointer to `len` bytes at `off`, or NULL when the packet is shorter. The mask is
 * an asm statement so the compiler cannot drop it: whichever copy of `off` it ends
 * up using, the verifier sees it bounded by CTX_MAX_OFFSET. */
static __always_inline void *ctx_ptr(const ctx_t *ctx, __u32 off, __u32 len)
{
	void *data = ctx_data(ctx);
	void *end = ctx_data_end(ctx);
	__u64 o = off;

	if (o > CTX_MAX_OFFSET)
		return NULL;
	asm volatile("%0 &= 0xff" : "+r"(o));
	if (data + o + len > end)
		return NULL;
	return data + o;
}

/* --- writing ---------------------------------------------------------------------- */
#ifdef SLUICE_CTX_XDP
static __always_inline int ctx_store(ctx_t *ctx, __u32 off, const void *from, __u32 len)
{
	/* len is a compile-time constant at every call site (2, 4, 6 or 16). */
	void *to = ctx_ptr(ctx, off, len);

	if (!to)
		return -1;
	__builtin_memcpy(to, from, len);
	return 0;
}

static __always_inline int ctx_l3_csum_replace(ctx_t *ctx, __u32 off, __be32 from, __be32 to)
{
	__sum16 *sum = ctx_ptr(ctx, off, 2);

	if (!sum)
		return -1;
	csum_replace4(sum, from, to);
	return 0;
}

/* An L4 checksum: `pseudo` says the changed field is part of the pseudo header (an
 * address), `udp` that a zero checksum means "none" and must stay zero. */
static __always_inline int ctx_l4_csum_replace(ctx_t *ctx, __u32 off, __be32 from, __be32 to,
					       bool pseudo, bool udp, bool two_bytes)
{
	__sum16 *sum = ctx_ptr(ctx, off, 2);

	(void)pseudo; /* XDP packets carry complete checksums: everything counts */
	if (!sum)
		return -1;
	if (udp && *sum == 0)
		return 0;
	if (two_bytes)
		csum_replace2(sum, (__be16)from, (__be16)to);
	else
		csum_replace4(sum, from, to);
	if (udp && *sum == 0)
		*sum = 0xffff; /* a computed zero is sent as all ones (RFC 768) */
	return 0;
}

static __always_inline int ctx_redirect(ctx_t *ctx, __u32 ifindex)
{
	if (ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect(ifindex, 0);
}

/* Grows (delta < 0) the front of the packet. */
static __always_inline int ctx_adjust_head(ctx_t *ctx, int delta)
{
	return bpf_xdp_adjust_head(ctx, delta);
}

static __always_inline int ctx_set_length(ctx_t *ctx, __u32 len)
{
	__u32 have = ctx->data_end - ctx->data;

	return bpf_xdp_adjust_tail(ctx, (int)len - (int)have);
}

/* Sends the packet back out of the device it arrived on. */
static __always_inline int ctx_bounce(ctx_t *ctx)
{
	(void)ctx;
	return XDP_TX;
}

/* XDP cannot resolve a neighbour: the packet goes up to tc ingress with a note in its
 * metadata naming the egress device, and tc sends it with bpf_redirect_neigh. */
static __always_inline int ctx_redirect_neigh(ctx_t *ctx, __u32 ifindex)
{
	struct ctx_handoff *note;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*note)))
		return XDP_PASS;
	note = (void *)(long)ctx->data_meta;
	if ((void *)(note + 1) > (void *)(long)ctx->data)
		return XDP_PASS;
	note->magic = CTX_HANDOFF_MAGIC;
	note->ifindex = ifindex;
	return XDP_PASS;
}
#else
static __always_inline int ctx_store(ctx_t *ctx, __u32 off, const void *from, __u32 len)
{
	return bpf_skb_store_bytes(ctx, off, from, len, 0);
}

static __always_inline int ctx_l3_csum_replace(ctx_t *ctx, __u32 off, __be32 from, __be32 to)
{
	return bpf_l3_csum_replace(ctx, off, from, to, 4);
}

static __always_inline int ctx_l4_csum_replace(ctx_t *ctx, __u32 off, __be32 from, __be32 to,
					       bool pseudo, bool udp, bool two_bytes)
{
	__u64 flags = two_bytes ? 2 : 4;

	if (pseudo)
		flags |= BPF_F_PSEUDO_HDR;
	if (udp)
		flags |= BPF_F_MARK_MANGLED_0;
	return bpf_l4_csum_replace(ctx, off, from, to, flags);
}

static __always_inline int ctx_redirect(ctx_t *ctx, __u32 ifindex)
{
	(void)ctx;
	return bpf_redirect(ifindex, 0);
}

static __always_inline int ctx_adjust_head(ctx_t *ctx, int delta)
{
	/* Room right after the MAC header, which is where XDP's grown head puts it too
	 * once the caller writes the Ethernet header at offset 0. */
	if (bpf_skb_adjust_room(ctx, -delta, BPF_ADJ_ROOM_MAC, 0))
		return -1;
	return bpf_skb_pull_data(ctx, ctx->len < 128 ? ctx->len : 128);
}

static __always_inline int ctx_set_length(ctx_t *ctx, __u32 len)
{
	if (bpf_skb_change_tail(ctx, len, 0))
		return -1;
	return bpf_skb_pull_data(ctx, len);
}

static __always_inline int ctx_bounce(ctx_t *ctx)
{
	return bpf_redirect(ctx->ifindex, 0);
}

static __always_inline int ctx_redirect_neigh(ctx_t *ctx, __u32 ifindex)
{
	(void)ctx;
	return bpf_redirect_neigh(ifindex, NULL, 0, 0);
}

/* A packet XDP translated but could not send (see the XDP ctx_redirect_neigh): sent on
 * to the device it named, or -1 when the packet carries no such note. */
static __always_inline int ctx_take_handoff(ctx_t *ctx)
{
	struct ctx_handoff *note = (void *)(long)ctx->data_meta;

	if ((void *)(note + 1) > (void *)(long)ctx->data || note->magic != CTX_HANDOFF_MAGIC)
		return -1;
	return bpf_redirect_neigh(note->ifindex, NULL, 0, 0);
}
#endif

#endif /* SLUICE_BPF_CTX_H */
