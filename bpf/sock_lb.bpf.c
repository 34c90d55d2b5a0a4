/* SPDX-License-Identifier: Apache-2.0 */
/* Entry points of socket load balancing: thin wrappers over lib/sock.h. */
#include "lib/sock.h"

SEC("cgroup/connect4")
int sluice_connect4(struct bpf_sock_addr *ctx)
{
	return sock4_forward(ctx, SLUICE_CTR_SOCK_CONNECT_XLATED);
}

SEC("cgroup/sendmsg4")
int sluice_sendmsg4(struct bpf_sock_addr *ctx)
{
	return sock4_forward(ctx, SLUICE_CTR_SOCK_SENDMSG_XLATED);
}

SEC("cgroup/recvmsg4")
int sluice_recvmsg4(struct bpf_sock_addr *ctx)
{
	sock4_reverse(ctx, SLUICE_CTR_SOCK_RECVMSG_XLATED);
	return SYS_PROCEED;
}

SEC("cgroup/getpeername4")
int sluice_getpeername4(struct bpf_sock_addr *ctx)
{
	sock4_reverse(ctx, SLUICE_CTR_SOCK_PEERNAME_XLATED);
	return SYS_PROCEED;
}

SEC("cgroup/connect6")
int sluice_connect6(struct bpf_sock_addr *ctx)
{
	return sock6_forward(ctx, SLUICE_CTR_SOCK_CONNECT_XLATED);
}

SEC("cgroup/sendmsg6")
int sluice_sendmsg6(struct bpf_sock_addr *ctx)
{
	return sock6_forward(ctx, SLUICE_CTR_SOCK_SENDMSG_XLATED);
}

SEC("cgroup/recvmsg6")
int sluice_recvmsg6(struct bpf_sock_addr *ctx)
{
	sock6_reverse(ctx, SLUICE_CTR_SOCK_RECVMSG_XLATED);
	return SYS_PROCEED;
}

SEC("cgroup/getpeername6")
int sluice_getpeername6(struct bpf_sock_addr *ctx)
{
	sock6_reverse(ctx, SLUICE_CTR_SOCK_PEERNAME_XLATED);
	return SYS_PROCEED;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
