// Conntrack and backend choice: a new flow goes where the Maglev table names for its
// flow hash (the hash sluicectl shares), and stays there while its backend exists,
// whatever the table says later; when its backend is gone it is balanced again.
#include <gtest/gtest.h>

#include <set>

#include "bpf/service_fixture.h"

namespace sluice::bpftest {
namespace {

class ConntrackTest : public ServiceTest {
 protected:
  // Backends 1 and 2 on other nodes (DNAT only: no SNAT address configured, so the
  // output's destination names the backend directly).
  void SetUpTwoBackends() {
    state().PutBackend(Backend(1, t.remote_backend));
    state().PutBackend(Backend(2, t.remote_backend2));
  }
  IpAddr BackendSeen(const RunResult& r) { return Decode(r.out).dst; }
};

TEST_P(ConntrackTest, NewFlowsGoWhereTheFlowHashPointsInTheMaglevTable) {
  SetUpTwoBackends();
  state().PutBackend(Backend(3, t.local_backend, LB_BE_F_LOCAL));
  const ServiceSpec svc = NodePort({1, 2, 3});
  state().PutService(svc);
  const IpAddr by_id[] = {IpAddr(), t.remote_backend, t.remote_backend2, t.local_backend};

  constexpr int kFlows = 24;
  int agreed = 0;
  std::set<std::string> seen;
  for (int i = 0; i < kFlows; ++i) {
    const uint16_t sport = static_cast<uint16_t>(41000 + 7 * i);
    const IpAddr got = BackendSeen(RunHook(Request(sport).Build()));
    const IpAddr want = by_id[MaglevChoice(svc, RequestFlow(sport))];
    EXPECT_EQ(got, want) << "flow from port " << sport;
    agreed += got == want;
    seen.insert(got.ToString());
  }
  EXPECT_EQ(agreed, kFlows) << agreed << " of " << kFlows
                            << " flows went to the backend sluice_flow_hash names";
  EXPECT_EQ(seen.size(), 3u) << kFlows << " flows reached " << seen.size() << " distinct backends";
  EXPECT_EQ(state().Entries(SLUICE_MAP_CT), size_t{kFlows}) << TablesSeen();
}

TEST_P(ConntrackTest, FlowStaysOnItsBackendWhenTheMaglevTableChanges) {
  SetUpTwoBackends();
  ServiceSpec svc = NodePort({1});
  state().PutService(svc);
  ASSERT_EQ(BackendSeen(RunHook(Request().Build())), t.remote_backend) << TablesSeen();

  // The control plane now sends everything to backend 2; backend 1 still exists.
  svc.backends = {2};
  state().PutService(svc);
  const RunResult same_flow = RunHook(FollowUp().Build());
  const RunResult new_flow = RunHook(Request(Topology::kClientPort + 1).Build());

  EXPECT_EQ(BackendSeen(same_flow), t.remote_backend)
      << "the tracked flow moved: " << Decode(same_flow.out).Describe();
  EXPECT_EQ(BackendSeen(new_flow), t.remote_backend2) << Decode(new_flow.out).Describe();
  EXPECT_EQ(state().Counter("fwd_conntrack_hit"), 1u) << state().NonZeroCounters();
  EXPECT_EQ(state().Counter("fwd_new_flow"), 2u);
}

TEST_P(ConntrackTest, FlowWhoseBackendWasDeletedIsBalancedAgain) {
  SetUpTwoBackends();
  ServiceSpec svc = NodePort({1});
  state().PutService(svc);
  ASSERT_EQ(BackendSeen(RunHook(Request().Build())), t.remote_backend) << TablesSeen();

  // Backend 1 goes away: its entry is deleted, the table names backend 2 only.
  svc.backends = {2};
  state().PutService(svc);
  state().DeleteBackend(1);
  const PacketBuilder next = FollowUp();
  const RunResult r = RunHook(next.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_TRUE(SameFrame(r.out, Rewritten(next, t.client, Topology::kClientPort, t.remote_backend2,
                                         Topology::kBackendPort)));
  EXPECT_EQ(state().Counter("fwd_conntrack_backend_gone"), 1u) << state().NonZeroCounters();
  const auto ct = state().ConntrackOf(RequestFlow());
  ASSERT_TRUE(ct) << TablesSeen();
  EXPECT_EQ(ct->backend_id, 2u) << "conntrack still names the deleted backend";
}

INSTANTIATE_TEST_SUITE_P(Paths, ConntrackTest, ::testing::ValuesIn(Paths()), PathName);

}  // namespace
}  // namespace sluice::bpftest
