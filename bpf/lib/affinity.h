/* SPDX-License-Identifier: Apache-2.0 */
/* sessionAffinity: ClientIP — a client keeps its backend for timeoutSeconds after
 * its last new connection, as long as that backend exists. */
#ifndef SLUICE_BPF_AFFINITY_H
#define SLUICE_BPF_AFFINITY_H

#include "lib/lb.h"

#define NSEC_PER_SEC 1000000000ull

/* The backend a client's affinity names, if it is still valid. */
static __always_inline struct lb_backend *affinity_lookup(const struct affinity_key *k,
							  const struct lb_service *svc, __u64 now,
							  __u32 *backend_id)
{
	struct affinity_entry *e = bpf_map_lookup_elem(&sluice_affinity, k);
	struct lb_backend *backend;

	if (!e)
		return NULL;
	if (now - e->last_used_ns > (__u64)svc->affinity_timeout * NSEC_PER_SEC)
		return NULL;
	backend = lb_lookup_backend(e->backend_id);
	if (!backend || (backend->flags & LB_BE_F_TERMINATING))
		return NULL;
	*backend_id = e->backend_id;
	return backend;
}

static __always_inline void affinity_record(const struct affinity_key *k, __u32 backend_id, __u64 now)
{
	struct affinity_entry e = {
		.last_used_ns = now,
		.backend_id = backend_id,
	};

	bpf_map_update_elem(&sluice_affinity, k, &e, BPF_ANY);
}

#endif /* SLUICE_BPF_AFFINITY_H */
