/* SPDX-License-Identifier: Apache-2.0 */
/* Internet checksum arithmetic (RFC 1071, incremental updates per RFC 1624). */
#ifndef SLUICE_BPF_CSUM_H
#define SLUICE_BPF_CSUM_H

#include <linux/types.h>

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* HC' = ~(~HC + ~m + m') over 16-bit words (RFC 1624, eqn. 3). */
static __always_inline void csum_replace4(__sum16 *sum, __be32 from, __be32 to)
{
	__u32 s = (__u16)~*sum;

	s += (__u16)~(from & 0xffff) + (__u16)~(from >> 16);
	s += (to & 0xffff) + (to >> 16);
	*sum = csum_fold(s);
}

static __always_inline void csum_replace2(__sum16 *sum, __be16 from, __be16 to)
{
	__u32 s = (__u16)~*sum;

	s += (__u16)~from;
	s += to;
	*sum = csum_fold(s);
}

/* The one's complement sum of `words` 16-bit words, unfolded. */
static __always_inline __u32 csum_words(const __u16 *p, int words)
{
	__u32 s = 0;

	for (int i = 0; i < words; i++)
		s += p[i];
	return s;
}

#endif /* SLUICE_BPF_CSUM_H */
