/* SPDX-License-Identifier: Apache-2.0 */
/* Bumping the named per-CPU counters of include/sluice/counters.h. */
#ifndef SLUICE_BPF_COUNTERS_H
#define SLUICE_BPF_COUNTERS_H

#include "lib/maps.h"

static __always_inline void counter_inc(enum sluice_counter which)
{
	__u32 key = which;
	__u64 *value = bpf_map_lookup_elem(&sluice_counters, &key);

	if (value)
		*value += 1; /* per-CPU slot: no other writer */
}

/* Traffic of one frontend (per-CPU slot: no other writer). */
static __always_inline void svc_stats_add(__u32 svc_id, __u32 bytes, bool new_flow)
{
	struct svc_stats *s = bpf_map_lookup_elem(&sluice_svcstats, &svc_id);

	if (!s)
		return;
	s->packets += 1;
	s->bytes += bytes;
	if (new_flow)
		s->connections += 1;
}

#endif /* SLUICE_BPF_COUNTERS_H */
