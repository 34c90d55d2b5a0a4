/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The packet path for traffic from outside the node: NodePort, LoadBalancer IPs and
 * externalIPs (the external scope of the services map). One function per direction,
 * shared by the XDP and tc entry programs through lib/ctx.h:
 *
 *   lb_ingress  (XDP or tc ingress on the node's devices)
 *     reply of a SNATed flow (to the node's address, a SNAT port) -> reverse NAT, forward
 *     new or tracked flow to an external frontend                -> DNAT (+ SNAT), forward
 *     anything else                                               -> pass, untouched
 *   lb_egress   (tc egress on the node's devices and on Pod-facing devices)
 *     reply of a backend to a client, not SNATed                  -> source back to the frontend
 *
 * On Pod-facing devices lb_ingress runs with the internal scope: ClusterIPs for Pods
 * whose sockets were not translated by the cgroup hooks.
 */
#ifndef SLUICE_BPF_NODEPORT_H
#define SLUICE_BPF_NODEPORT_H

#include "sluice/flow_hash.h"

#include "lib/affinity.h"
#include "lib/conntrack.h"
#include "lib/counters.h"
#include "lib/fwd.h"
#include "lib/lb.h"
#include "lib/nat.h"
#include "lib/parse.h"
#include "lib/reject.h"

/* "Not decided yet, keep going" (Katran's FURTHER_PROCESSING) and "translated, send it
 * on": never real verdicts. */
/* The steps that need the most stack (conntrack and NAT entries, FIB parameters,
 * rejects) are separate BPF functions: each gets its own frame instead of all of them
 * piling up in one. */
#define LB_CONTINUE -1
#define LB_FORWARD -2

static __always_inline int lb_pass(enum parse_result why)
{
	switch (why) {
	case PARSE_NOT_IP:
		counter_inc(SLUICE_CTR_PASS_NOT_IP);
		break;
	case PARSE_FRAGMENT:
		counter_inc(SLUICE_CTR_PASS_FRAGMENT);
		break;
	case PARSE_MALFORMED:
		counter_inc(SLUICE_CTR_PASS_MALFORMED);
		break;
	case PARSE_OTHER_L4:
		counter_inc(SLUICE_CTR_PASS_OTHER_L4);
		break;
	case PARSE_OK:
		counter_inc(SLUICE_CTR_PASS_NOT_SERVICE);
		break;
	}
	return CTX_PASS;
}

static __always_inline struct sluice_config *lb_config(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sluice_config, &zero);
}

/* A reply of a SNATed flow: to this node's SNAT address, on a SNAT port. */
static __noinline int lb_reverse_snat(ctx_t *ctx, struct pkt *p, const struct sluice_config *cfg)
{
	__u16 port = bpf_ntohs(p->dport);
	struct nat_key k = {};
	struct nat_entry *e;

	if (port < cfg->snat_port_min || port > cfg->snat_port_max ||
	    !addr_equal(&p->daddr, snat_ip(cfg, p->family)))
		return LB_CONTINUE;
	nat_key_of(p, &k);
	e = nat_lookup(&k);
	if (!e || !(e->flags & CT_F_SNAT))
		return LB_CONTINUE;
	if (nat_reverse(ctx, p, e))
		return CTX_DROP;
	counter_inc(SLUICE_CTR_FWD_REV_NAT);
	return LB_FORWARD;
}

static __always_inline bool lb_source_allowed(const struct lb_service *svc, const struct pkt *p)
{
	struct src_range_key k = {
		.prefixlen = 64 + (p->family == SLUICE_AF_INET ? 32 : 128),
		.svc_id = svc->id,
		.family = p->family,
	};

	__builtin_memcpy(k.addr, p->saddr.bytes, 16);
	return bpf_map_lookup_elem(&sluice_srcrange, &k) != NULL;
}

/* Frontends without a Maglev table (ClusterIPs seen from Pods at tc): the flow hash
 * picks one of the live slots; conntrack then keeps the flow there. */
static __always_inline enum lb_verdict lb_pick_hashed(const struct lb_service *svc, __u32 hash,
						      struct lb_pick *pick)
{
	struct lb_backend *backend;

	if (svc->maglev_size)
		return lb_pick_maglev(svc, hash, pick);
	if (svc->count == 0)
		return LB_NO_BACKEND;
	pick->svc = *svc;
	backend = lb_slot_backend(&pick->svc, hash % svc->count, &pick->backend_id);
	if (!backend)
		return LB_NO_BACKEND;
	pick->backend = *backend;
	return LB_PICKED;
}

/* Chooses the backend of a new flow: the client's affinity if it holds, else the
 * Maglev slot of the flow hash. */
static __noinline enum lb_verdict lb_select(const struct lb_service *svc, const struct pkt *p,
						 __u64 now, struct lb_pick *pick)
{
	if (svc->flags & LB_SVC_F_AFFINITY) {
		struct affinity_key k = { .client = p->saddr, .svc_id = svc->id, .family = p->family };
		struct lb_backend *backend = affinity_lookup(&k, svc, now, &pick->backend_id);

		if (backend) {
			pick->svc = *svc;
			pick->backend = *backend;
			counter_inc(SLUICE_CTR_FWD_AFFINITY);
			affinity_record(&k, pick->backend_id, now);
			return LB_PICKED;
		}
		if (lb_pick_hashed(svc, sluice_flow_hash(p->saddr.ip6, p->daddr.ip6, p->sport, p->dport,
							 p->proto),
				   pick) != LB_PICKED)
			return LB_NO_BACKEND;
		affinity_record(&k, pick->backend_id, now);
		return LB_PICKED;
	}
	return lb_pick_hashed(svc, sluice_flow_hash(p->saddr.ip6, p->daddr.ip6, p->sport, p->dport, p->proto),
			      pick);
}

/* Records a new flow and the entry its replies will be matched with. The caller fills
 * ct->created_ns and CT_F_SNAT in ct->flags; the SNAT port is chosen here. */
static __noinline int lb_track(const struct pkt *p, const struct lb_pick *pick,
			       const struct sluice_config *cfg, struct ct_entry *ct)
{
	const bool snat = ct->flags & CT_F_SNAT;
	const __u64 now = ct->created_ns;
	struct ct_key ck = {};
	struct nat_key nk = {
		.saddr = pick->backend.addr,
		.sport = pick->backend.port,
		.proto = p->proto,
		.family = p->family,
	};
	struct nat_entry ne = {
		.frontend = p->daddr,
		.client = p->saddr,
		.frontend_port = p->dport,
		.client_port = p->sport,
		.svc_id = pick->svc.id,
		.last_seen_ns = now,
	};

	ct->last_seen_ns = now;
	ct->backend_id = pick->backend_id;
	ct->svc_id = pick->svc.id;
	if (snat) {
		nk.daddr = *snat_ip(cfg, p->family);
		ne.flags = CT_F_SNAT;
		if (snat_claim_port(&nk, &ne, cfg)) {
			counter_inc(SLUICE_CTR_DROP_SNAT_EXHAUSTED);
			return -1;
		}
		ct->nat_port = nk.dport;
	} else {
		nk.daddr = p->saddr;
		nk.dport = p->sport;
		if (bpf_map_update_elem(&sluice_nat, &nk, &ne, BPF_ANY)) {
			counter_inc(SLUICE_CTR_DROP_CT_UPDATE);
			return -1;
		}
	}
	ct_key_of(p, &ck);
	if (ct_create(&ck, ct)) {
		counter_inc(SLUICE_CTR_DROP_CT_UPDATE);
		return -1;
	}
	return 0;
}

/* Keeps a long-lived flow's reply entry alive next to its conntrack entry (both are
 * LRU): refreshed at most once a second. */
static __noinline void lb_refresh(const struct pkt *p, struct ct_entry *ct,
				  const struct lb_backend *backend, const struct sluice_config *cfg,
				  __u64 now)
{
	struct nat_key nk = {
		.saddr = backend->addr,
		.sport = backend->port,
		.proto = p->proto,
		.family = p->family,
	};
	struct nat_entry ne = {
		.frontend = p->daddr,
		.client = p->saddr,
		.frontend_port = p->dport,
		.client_port = p->sport,
		.svc_id = ct->svc_id,
		.last_seen_ns = now,
		.flags = ct->flags & CT_F_SNAT,
	};

	if (now - ct->last_seen_ns < CT_REFRESH_NS)
		return;
	ct->last_seen_ns = now;
	if (ct->flags & CT_F_SNAT) {
		if (!cfg)
			return;
		nk.daddr = *snat_ip(cfg, p->family);
		nk.dport = ct->nat_port;
	} else {
		nk.daddr = p->saddr;
		nk.dport = p->sport;
	}
	bpf_map_update_elem(&sluice_nat, &nk, &ne, BPF_ANY);
}

/* `scope`: LB_SCOPE_EXTERNAL on the node's devices (traffic from outside),
 * LB_SCOPE_INTERNAL on Pod-facing devices (ClusterIP for Pods whose sockets the cgroup
 * hooks did not translate: no SNAT there, replies are restored at the Pod's egress). */
static __always_inline int lb_ingress(ctx_t *ctx, __u8 scope)
{
	struct lb_service_key key = { .scope = scope };
	struct sluice_config *cfg;
	struct lb_service *svc;
	struct lb_pick pick = {};
	struct ct_key ck = {};
	struct ct_entry *ct, fresh = {};
	struct pkt p = {};
	enum parse_result parsed;
	bool snat;
	__u64 now;
	int ret;

#ifdef SLUICE_CTX_SKB
	ret = ctx_take_handoff(ctx);
	if (ret >= 0)
		return ret;
#endif
	ctx_pull(ctx);
	parsed = parse_packet(ctx, &p);
	if (parsed != PARSE_OK)
		return lb_pass(parsed);
	cfg = lb_config();
	if (cfg && scope == LB_SCOPE_EXTERNAL) {
		ret = lb_reverse_snat(ctx, &p, cfg);
		if (ret == LB_FORWARD)
			return fwd_packet(ctx, &p);
		if (ret != LB_CONTINUE)
			return ret;
	}

	key.addr = p.daddr;
	key.port = p.dport;
	key.proto = p.proto;
	key.family = p.family;
	svc = lb_lookup_service(&key);
	if (!svc)
		return lb_pass(PARSE_OK);
	if ((svc->flags & LB_SVC_F_SOURCE_RANGES) && !lb_source_allowed(svc, &p)) {
		counter_inc(SLUICE_CTR_DROP_SOURCE_RANGE);
		return CTX_DROP;
	}

	now = bpf_ktime_get_ns();
	ct_key_of(&p, &ck);
	ct = ct_lookup(&ck);
	if (ct) {
		struct lb_backend *backend = lb_lookup_backend(ct->backend_id);

		if (backend) {
			counter_inc(SLUICE_CTR_FWD_CT_HIT);
			lb_refresh(&p, ct, backend, cfg, now);
			pick.backend = *backend;
			snat = ct->flags & CT_F_SNAT;
			if (snat && !cfg)
				return CTX_DROP;
			goto translate;
		}
		counter_inc(SLUICE_CTR_FWD_CT_BACKEND_GONE); /* chosen again below */
	}

	if (lb_select(svc, &p, now, &pick) != LB_PICKED) {
		if (svc->flags & LB_SVC_F_LOCAL_ONLY) {
			/* Other nodes may have endpoints: a load balancer's health check
			 * (healthCheckNodePort) steers traffic away from this one. */
			counter_inc(SLUICE_CTR_DROP_NO_LOCAL_BACKEND);
			return CTX_DROP;
		}
		return reject_no_backend(ctx, &p);
	}
	if (pick.backend.family != p.family)
		return CTX_DROP;
	snat = scope == LB_SCOPE_EXTERNAL && !(pick.backend.flags & LB_BE_F_LOCAL) &&
	       !(svc->flags & LB_SVC_F_LOCAL_ONLY);
	if (snat && (!cfg || addr_is_zero(snat_ip(cfg, p.family))))
		snat = false; /* no address to SNAT to: DNAT only, replies must come back here */
	fresh.created_ns = now;
	fresh.flags = snat ? CT_F_SNAT : 0;
	if (lb_track(&p, &pick, cfg, &fresh))
		return CTX_DROP;
	counter_inc(SLUICE_CTR_FWD_NEW_FLOW);
	ct = &fresh;

translate:
	if (nat_rewrite_addr(ctx, &p, true, &pick.backend.addr) ||
	    nat_rewrite_port(ctx, &p, true, pick.backend.port))
		return CTX_DROP;
	counter_inc(SLUICE_CTR_FWD_DNAT);
	if (snat) {
		if (!cfg || nat_rewrite_addr(ctx, &p, false, snat_ip(cfg, p.family)) ||
		    nat_rewrite_port(ctx, &p, false, ct->nat_port))
			return CTX_DROP;
		counter_inc(SLUICE_CTR_FWD_SNAT);
	}
	svc_stats_add(svc->id, ctx_len(ctx), ct == &fresh);
	return fwd_packet(ctx, &p);
}

/* Replies of local backends leave through the device the client is behind: their
 * source goes back to the frontend the client asked for. */
static __always_inline int lb_egress(ctx_t *ctx)
{
	struct nat_key k = {};
	struct nat_entry *e;
	struct pkt p = {};

	ctx_pull(ctx);
	if (parse_packet(ctx, &p) != PARSE_OK)
		return CTX_PASS;
	nat_key_of(&p, &k);
	e = nat_lookup(&k);
	if (!e || (e->flags & CT_F_SNAT))
		return CTX_PASS;
	if (nat_reverse(ctx, &p, e))
		return CTX_DROP;
	counter_inc(SLUICE_CTR_FWD_REV_NAT);
	return CTX_PASS;
}

#endif /* SLUICE_BPF_NODEPORT_H */
