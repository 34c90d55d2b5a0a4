/* SPDX-License-Identifier: Apache-2.0 */
/* Service lookup and backend selection, shared by every hook. */
#ifndef SLUICE_BPF_LB_H
#define SLUICE_BPF_LB_H

#include "lib/counters.h"
#include "lib/maps.h"

/* Outcome of looking a destination up as a frontend. */
enum lb_verdict {
	LB_NOT_FRONTEND = 0, /* not service traffic: leave it alone */
	LB_PICKED,           /* a backend was chosen */
	LB_NO_BACKEND,       /* a frontend with no usable backend: refuse */
};

struct lb_pick {
	struct lb_service svc;
	struct lb_backend backend;
	__u32 backend_id;
};

static __always_inline struct lb_service *lb_lookup_service(const struct lb_service_key *key)
{
	return bpf_map_lookup_elem(&sluice_svc, key);
}

/* Reads the backend in `slot` of the live generation of `svc`. NULL when the control
 * plane is between flipping the service entry and deleting the old generation. */
static __always_inline struct lb_backend *lb_slot_backend(const struct lb_service *svc,
							   __u32 slot, __u32 *backend_id)
{
	struct lb_slot_key key = {
		.svc_id = svc->id,
		.slot = (__u16)slot,
		.gen = svc->gen,
	};
	__u32 *id = bpf_map_lookup_elem(&sluice_slots, &key);

	if (!id)
		return NULL;
	*backend_id = *id;
	return bpf_map_lookup_elem(&sluice_backends, id);
}

/* Picks a backend uniformly at random among the frontend's live slots. A reader that
 * raced with a rewrite and found a slot gone reads the service entry once more: the
 * new generation is complete before the entry that names it is written. */
static __always_inline enum lb_verdict lb_pick_random(const struct lb_service_key *key,
						      struct lb_pick *pick)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		struct lb_service *svc = lb_lookup_service(key);
		struct lb_backend *backend;

		if (!svc)
			return LB_NOT_FRONTEND;
		if (svc->count == 0)
			return LB_NO_BACKEND;
		pick->svc = *svc;
		backend = lb_slot_backend(&pick->svc, bpf_get_prandom_u32() % pick->svc.count,
					  &pick->backend_id);
		if (backend) {
			pick->backend = *backend;
			return LB_PICKED;
		}
		counter_inc(SLUICE_CTR_SOCK_BACKEND_MISSING);
	}
	return LB_NO_BACKEND;
}

/* The backend in Maglev slot `hash % maglev_size` of an external frontend's table. */
static __always_inline enum lb_verdict lb_pick_maglev(const struct lb_service *svc, __u32 hash,
						      struct lb_pick *pick)
{
	__u32 slot, pair_index, id;
	struct maglev_pair *pair;
	struct lb_backend *backend;

	if (svc->count == 0 || svc->maglev_size == 0)
		return LB_NO_BACKEND;
	slot = svc->maglev_offset + hash % svc->maglev_size;
	pair_index = slot >> 1;
	pair = bpf_map_lookup_elem(&sluice_maglev, &pair_index);
	if (!pair)
		return LB_NO_BACKEND;
	id = pair->id[slot & 1];
	if (id == 0)
		return LB_NO_BACKEND;
	backend = bpf_map_lookup_elem(&sluice_backends, &id);
	if (!backend)
		return LB_NO_BACKEND;
	pick->svc = *svc;
	pick->backend = *backend;
	pick->backend_id = id;
	return LB_PICKED;
}

static __always_inline struct lb_backend *lb_lookup_backend(__u32 id)
{
	return bpf_map_lookup_elem(&sluice_backends, &id);
}

#endif /* SLUICE_BPF_LB_H */
