/* SPDX-License-Identifier: Apache-2.0 */
/* XDP entry point of the packet path (lib/nodeport.h) on the node's devices. */
#define SLUICE_CTX_XDP
#include "lib/nodeport.h"

SEC("xdp")
int sluice_xdp_ingress(struct xdp_md *ctx)
{
	return lb_ingress(ctx, LB_SCOPE_EXTERNAL);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
