/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow hash that picks a Maglev slot, shared by the BPF programs and sluicectl
 * (which answers "which backend gets this flow" from the maps). It must be the same
 * on every node, so it is a fixed function of the 5-tuple with a fixed seed: never
 * skb->hash, whose seed is random per boot.
 *
 * MurmurHash3's 32-bit mixing steps over the tuple's words as they sit in memory
 * (network byte order), i.e. the same bytes on every little-endian node.
 */
#ifndef SLUICE_FLOW_HASH_H
#define SLUICE_FLOW_HASH_H

#include <linux/types.h>

#define SLUICE_FLOW_HASH_SEED 0x5a17c3e1u

static inline __u32 sluice_rotl32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static inline __u32 sluice_hash_word(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51u;
	k = sluice_rotl32(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	h = sluice_rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

static inline __u32 sluice_hash_finish(__u32 h, __u32 words)
{
	h ^= words * 4;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* saddr/daddr: 4 words (IPv4 in word 0, the rest zero); ports in network order. */
static inline __u32 sluice_flow_hash(const __u32 *saddr, const __u32 *daddr, __u16 sport,
				     __u16 dport, __u8 proto)
{
	__u32 h = SLUICE_FLOW_HASH_SEED;

	h = sluice_hash_word(h, saddr[0]);
	h = sluice_hash_word(h, saddr[1]);
	h = sluice_hash_word(h, saddr[2]);
	h = sluice_hash_word(h, saddr[3]);
	h = sluice_hash_word(h, daddr[0]);
	h = sluice_hash_word(h, daddr[1]);
	h = sluice_hash_word(h, daddr[2]);
	h = sluice_hash_word(h, daddr[3]);
	h = sluice_hash_word(h, ((__u32)sport << 16) | dport);
	h = sluice_hash_word(h, proto);
	return sluice_hash_finish(h, 10);
}

#endif /* SLUICE_FLOW_HASH_H */
