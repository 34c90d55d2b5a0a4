// externalTrafficPolicy: Local (LB_SVC_F_LOCAL_ONLY): the client's address reaches the
// backend (no SNAT, even with an address to SNAT to), and with no endpoint on this
// node the packet is dropped, not answered: a load balancer's health check steers
// clients to nodes that have one.
#include <gtest/gtest.h>

#include "bpf/service_fixture.h"

namespace sluice::bpftest {
namespace {

class TrafficPolicyTest : public ServiceTest {};

TEST_P(TrafficPolicyTest, LocalPolicyKeepsTheClientAddress) {
  ConfigureSnat();
  state().PutBackend(Backend(1, t.local_backend, LB_BE_F_LOCAL));
  state().PutService(NodePort({1}, LB_SVC_F_LOCAL_ONLY));

  const PacketBuilder request = Request();
  const RunResult r = RunHook(request.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass) << TablesSeen();
  EXPECT_TRUE(SameFrame(r.out, Rewritten(request, t.client, Topology::kClientPort, t.local_backend,
                                         Topology::kBackendPort)));
  EXPECT_TRUE(ChecksumsValid(r.out));
  EXPECT_EQ(state().Counter("fwd_snat"), 0u) << state().NonZeroCounters();
}

TEST_P(TrafficPolicyTest, LocalPolicyWithoutLocalBackendDropsAndRecordsNothing) {
  ConfigureSnat();
  state().PutService(NodePort({}, LB_SVC_F_LOCAL_ONLY));

  const RunResult r = RunHook(Request().Build());

  EXPECT_EQ(r.verdict, Verdict::kDrop) << Decode(r.out).Describe();
  EXPECT_EQ(state().Counter("drop_no_local_backend"), 1u) << state().NonZeroCounters();
  EXPECT_EQ(state().Counter("reject_no_backend"), 0u);
  EXPECT_EQ(state().Entries(SLUICE_MAP_CT) + state().Entries(SLUICE_MAP_NAT), 0u) << TablesSeen();
}

// Cluster policy (the default) with a remote backend SNATs: the contrast to the above.
TEST_P(TrafficPolicyTest, ClusterPolicySnatsToReachARemoteBackend) {
  ConfigureSnat();
  state().PutBackend(Backend(1, t.remote_backend));
  state().PutService(NodePort({1}));

  const RunResult r = RunHook(Request().Build());

  EXPECT_EQ(Decode(r.out).src, t.node) << Decode(r.out).Describe();
  EXPECT_EQ(state().Counter("fwd_snat"), 1u) << state().NonZeroCounters();
}

INSTANTIATE_TEST_SUITE_P(Paths, TrafficPolicyTest, ::testing::ValuesIn(Paths()), PathName);

}  // namespace
}  // namespace sluice::bpftest
