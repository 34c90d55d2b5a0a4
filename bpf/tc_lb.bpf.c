/* SPDX-License-Identifier: Apache-2.0 */
/* tc entry points of the packet path (lib/nodeport.h): ingress where XDP is not
 * available, egress always (replies of local backends), and Pod-facing ingress. */
#define SLUICE_CTX_SKB
#include "lib/nodeport.h"

SEC("tc")
int sluice_tc_ingress(struct __sk_buff *ctx)
{
	return lb_ingress(ctx, LB_SCOPE_EXTERNAL);
}

/* On devices facing local Pods: ClusterIP for sockets the cgroup hooks did not see. */
SEC("tc")
int sluice_tc_pod_ingress(struct __sk_buff *ctx)
{
	return lb_ingress(ctx, LB_SCOPE_INTERNAL);
}

SEC("tc")
int sluice_tc_egress(struct __sk_buff *ctx)
{
	return lb_egress(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
