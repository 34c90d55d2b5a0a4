/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Socket load balancing at the cgroup socket-address hooks: connect()/sendmsg() to a
 * frontend are pointed at a backend once, and recvmsg()/getpeername() show the
 * frontend again. No per-packet work, no conntrack.
 */
#ifndef SLUICE_BPF_SOCK_H
#define SLUICE_BPF_SOCK_H

#include "lib/affinity.h"
#include "lib/lb.h"

static __always_inline bool sock_proto_is_lb(__u32 protocol)
{
	return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP;
}

/* An IPv6 address of the form ::ffff:a.b.c.d, as dual-stack sockets write IPv4. */
static __always_inline bool addr6_is_v4_mapped(const __u32 ip6[4])
{
	return ip6[0] == 0 && ip6[1] == 0 && ip6[2] == bpf_htonl(0x0000ffff);
}

/* Remembers which frontend a socket asked for, keyed by the backend it got. */
static __always_inline void sock_rev_nat_record(__u64 cookie, const union sluice_addr *backend,
						__be16 backend_port, __u8 family,
						const struct lb_service_key *frontend, __u32 svc_id)
{
	struct sock_rev_nat_key key = {
		.cookie = cookie,
		.addr = *backend,
		.port = backend_port,
		.family = family,
	};
	struct sock_rev_nat_value value = {
		.addr = frontend->addr,
		.port = frontend->port,
		.family = family,
		.svc_id = svc_id,
	};

	if (bpf_map_update_elem(&sluice_sock_rev, &key, &value, BPF_ANY))
		counter_inc(SLUICE_CTR_SOCK_REV_NAT_UPDATE_FAIL);
}

static __always_inline struct sock_rev_nat_value *
sock_rev_nat_lookup(__u64 cookie, const union sluice_addr *peer, __be16 peer_port, __u8 family)
{
	struct sock_rev_nat_key key = {
		.cookie = cookie,
		.addr = *peer,
		.port = peer_port,
		.family = family,
	};

	return bpf_map_lookup_elem(&sluice_sock_rev, &key);
}

/* A backend for a connecting socket: random among the live slots, unless the Service
 * has sessionAffinity ClientIP. Sockets do not know their source address at connect(),
 * so a client is its network namespace (a Pod, or the host), as Cilium does. */
static __always_inline enum lb_verdict sock_select(struct bpf_sock_addr *ctx,
						   const struct lb_service_key *key,
						   struct lb_pick *pick)
{
	struct affinity_key ak = {};
	struct lb_backend *backend;
	__u64 cookie, now;
	__u32 id;
	enum lb_verdict verdict = lb_pick_random(key, pick);

	if (verdict != LB_PICKED || !(pick->svc.flags & LB_SVC_F_AFFINITY))
		return verdict;
	cookie = bpf_get_netns_cookie(ctx);
	ak.svc_id = pick->svc.id;
	__builtin_memcpy(ak.client.ip6, &cookie, sizeof(cookie));
	now = bpf_ktime_get_ns();
	backend = affinity_lookup(&ak, &pick->svc, now, &id);
	if (backend && backend->family == key->family) {
		pick->backend = *backend;
		pick->backend_id = id;
		counter_inc(SLUICE_CTR_SOCK_AFFINITY_HIT);
	}
	affinity_record(&ak, pick->backend_id, now);
	return LB_PICKED;
}

/* Refusal as a Service without endpoints answers: connect()/sendmsg() fail with
 * ECONNREFUSED rather than the EPERM a plain reject would give. */
static __always_inline int sock_refuse(void)
{
	counter_inc(SLUICE_CTR_SOCK_NO_BACKEND);
	bpf_set_retval(-ECONNREFUSED);
	return SYS_REJECT;
}

/* connect4/sendmsg4: destination frontend -> backend. */
static __always_inline int sock4_forward(struct bpf_sock_addr *ctx, enum sluice_counter done)
{
	struct lb_service_key key = {
		.family = SLUICE_AF_INET,
		.scope = LB_SCOPE_INTERNAL,
	};
	struct lb_pick pick;

	if (!sock_proto_is_lb(ctx->protocol))
		return SYS_PROCEED;
	key.addr.ip4 = ctx->user_ip4;
	key.port = (__be16)ctx->user_port;
	key.proto = (__u8)ctx->protocol;

	switch (sock_select(ctx, &key, &pick)) {
	case LB_NOT_FRONTEND:
		return SYS_PROCEED;
	case LB_NO_BACKEND:
		return sock_refuse();
	case LB_PICKED:
		break;
	}
	if (pick.backend.family != SLUICE_AF_INET)
		return sock_refuse(); /* the control plane never mixes families; be safe */

	sock_rev_nat_record(bpf_get_socket_cookie(ctx), &pick.backend.addr, pick.backend.port,
			    SLUICE_AF_INET, &key, pick.svc.id);
	ctx->user_ip4 = pick.backend.addr.ip4;
	ctx->user_port = pick.backend.port;
	counter_inc(done);
	svc_stats_add(pick.svc.id, 0, done == SLUICE_CTR_SOCK_CONNECT_XLATED);
	return SYS_PROCEED;
}

/* recvmsg4/getpeername4: backend source -> the frontend the socket asked for. */
static __always_inline void sock4_reverse(struct bpf_sock_addr *ctx, enum sluice_counter done)
{
	union sluice_addr peer = {};
	struct sock_rev_nat_value *frontend;

	peer.ip4 = ctx->user_ip4;
	frontend = sock_rev_nat_lookup(bpf_get_socket_cookie(ctx), &peer, (__be16)ctx->user_port,
				       SLUICE_AF_INET);
	if (!frontend)
		return;
	ctx->user_ip4 = frontend->addr.ip4;
	ctx->user_port = frontend->port;
	counter_inc(done);
}

static __always_inline void sock6_read_addr(const struct bpf_sock_addr *ctx, union sluice_addr *addr)
{
	addr->ip6[0] = ctx->user_ip6[0];
	addr->ip6[1] = ctx->user_ip6[1];
	addr->ip6[2] = ctx->user_ip6[2];
	addr->ip6[3] = ctx->user_ip6[3];
}

static __always_inline void sock6_write_addr(struct bpf_sock_addr *ctx, const union sluice_addr *addr)
{
	ctx->user_ip6[0] = addr->ip6[0];
	ctx->user_ip6[1] = addr->ip6[1];
	ctx->user_ip6[2] = addr->ip6[2];
	ctx->user_ip6[3] = addr->ip6[3];
}

/* connect6/sendmsg6: destination frontend -> backend. A v4-mapped destination on a
 * dual-stack socket is looked up as the IPv4 frontend and gets a v4-mapped backend. */
static __always_inline int sock6_forward(struct bpf_sock_addr *ctx, enum sluice_counter done)
{
	struct lb_service_key key = { .scope = LB_SCOPE_INTERNAL };
	union sluice_addr requested = {};
	union sluice_addr target = {};
	struct lb_pick pick;
	bool mapped;

	if (!sock_proto_is_lb(ctx->protocol))
		return SYS_PROCEED;
	sock6_read_addr(ctx, &requested);
	mapped = addr6_is_v4_mapped(requested.ip6);
	if (mapped) {
		key.family = SLUICE_AF_INET;
		key.addr.ip4 = requested.ip6[3];
	} else {
		key.family = SLUICE_AF_INET6;
		key.addr = requested;
	}
	key.port = (__be16)ctx->user_port;
	key.proto = (__u8)ctx->protocol;

	switch (sock_select(ctx, &key, &pick)) {
	case LB_NOT_FRONTEND:
		return SYS_PROCEED;
	case LB_NO_BACKEND:
		return sock_refuse();
	case LB_PICKED:
		break;
	}
	if (pick.backend.family != key.family)
		return sock_refuse();

	if (mapped) {
		target.ip6[2] = bpf_htonl(0x0000ffff);
		target.ip6[3] = pick.backend.addr.ip4;
	} else {
		target = pick.backend.addr;
	}
	/* Keyed as the socket will see its peer: the 16-byte form in both cases. */
	key.addr = requested;
	sock_rev_nat_record(bpf_get_socket_cookie(ctx), &target, pick.backend.port,
			    SLUICE_AF_INET6, &key, pick.svc.id);
	sock6_write_addr(ctx, &target);
	ctx->user_port = pick.backend.port;
	counter_inc(done);
	svc_stats_add(pick.svc.id, 0, done == SLUICE_CTR_SOCK_CONNECT_XLATED);
	return SYS_PROCEED;
}

/* recvmsg6/getpeername6: backend source -> frontend. */
static __always_inline void sock6_reverse(struct bpf_sock_addr *ctx, enum sluice_counter done)
{
	union sluice_addr peer = {};
	struct sock_rev_nat_value *frontend;

	sock6_read_addr(ctx, &peer);
	frontend = sock_rev_nat_lookup(bpf_get_socket_cookie(ctx), &peer, (__be16)ctx->user_port,
				       SLUICE_AF_INET6);
	if (!frontend)
		return;
	sock6_write_addr(ctx, &frontend->addr);
	ctx->user_port = frontend->port;
	counter_inc(done);
}

#endif /* SLUICE_BPF_SOCK_H */
