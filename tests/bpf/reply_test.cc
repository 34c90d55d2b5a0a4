// Replies find their way back to the client as if the frontend had answered: a SNATed
// flow's reply arrives at the node's address and SNAT port and is restored at ingress
// (XDP or tc) to frontend -> client; a local backend's reply leaves through tc egress
// with its source put back to the frontend.
#include <gtest/gtest.h>

#include "bpf/service_fixture.h"

namespace sluice::bpftest {
namespace {

class ReplyTest : public ServiceTest {};

TEST_P(ReplyTest, SnatReplyIsRestoredToFrontendAndClient) {
  ConfigureSnat();
  state().PutBackend(Backend(1, t.remote_backend));
  state().PutService(NodePort({1}));
  const uint16_t snat_port = Decode(RunHook(Request().Build()).out).sport;
  ASSERT_GE(snat_port, kSnatMin) << TablesSeen();

  const PacketBuilder reply = Reply(t.remote_backend, Topology::kBackendPort, t.node, snat_port);
  const RunResult r = RunHook(reply.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass) << TablesSeen();
  EXPECT_TRUE(SameFrame(r.out, Rewritten(reply, t.node, Topology::kNodePort, t.client,
                                         Topology::kClientPort)));
  EXPECT_TRUE(ChecksumsValid(r.out));
  EXPECT_EQ(state().Counter("fwd_reverse_nat"), 1u) << state().NonZeroCounters();
  EXPECT_EQ(state().Counter("fwd_pass_to_stack"), 2u);  // the request, then the reply
}

// Conntrack and reply entries live in separate LRU maps: a packet of a long-lived flow
// (last seen over a second ago) puts back a reply entry the LRU evicted.
TEST_P(ReplyTest, LongLivedFlowRestoresAnEvictedReplyEntry) {
  ConfigureSnat();
  state().PutBackend(Backend(1, t.remote_backend));
  state().PutService(NodePort({1}));
  const uint16_t snat_port = Decode(RunHook(Request().Build()).out).sport;
  ct_entry ct = *state().ConntrackOf(RequestFlow());
  ct.last_seen_ns -= 2'000'000'000;  // two seconds ago
  state().PutConntrack(RequestFlow(), ct);
  state().Clear(SLUICE_MAP_NAT);

  ASSERT_EQ(RunHook(FollowUp().Build()).verdict, Verdict::kPass);
  const PacketBuilder reply = Reply(t.remote_backend, Topology::kBackendPort, t.node, snat_port);
  const RunResult r = RunHook(reply.Build());

  EXPECT_TRUE(SameFrame(r.out, Rewritten(reply, t.node, Topology::kNodePort, t.client,
                                         Topology::kClientPort)));
  EXPECT_EQ(state().Counter("fwd_reverse_nat"), 1u) << state().NonZeroCounters();
}

// Only the reply of the flow: another port in the SNAT range, or another source,
// finds no entry and is not the service's business.
TEST_P(ReplyTest, OtherTrafficToTheSnatAddressPassesUntouched) {
  ConfigureSnat();
  state().PutBackend(Backend(1, t.remote_backend));
  state().PutService(NodePort({1}));
  const uint16_t snat_port = Decode(RunHook(Request().Build()).out).sport;
  const uint16_t other_port = snat_port == kSnatMax ? kSnatMin : snat_port + 1;

  for (const Frame& f : {Reply(t.remote_backend, Topology::kBackendPort, t.node, other_port).Build(),
                         Reply(t.remote_backend2, Topology::kBackendPort, t.node, snat_port).Build(),
                         Reply(t.remote_backend, Topology::kBackendPort + 1, t.node, snat_port).Build()}) {
    const RunResult r = RunHook(f);
    EXPECT_EQ(r.verdict, Verdict::kPass);
    EXPECT_TRUE(SameFrame(r.out, f));
  }
  EXPECT_EQ(state().Counter("fwd_reverse_nat"), 0u) << state().NonZeroCounters();
  EXPECT_EQ(state().Counter("pass_not_service"), 3u);
}

TEST_P(ReplyTest, LocalBackendReplyLeavesFromTheFrontendAtTcEgress) {
  state().PutBackend(Backend(1, t.local_backend, LB_BE_F_LOCAL));
  state().PutService(NodePort({1}));
  ASSERT_EQ(RunHook(Request().Build()).verdict, Verdict::kPass);

  PacketBuilder reply = Reply(t.local_backend, Topology::kBackendPort, t.client, Topology::kClientPort);
  reply.Eth(t.node_mac, t.client_mac);  // leaving the node
  const RunResult r = Run(Hook::kTcEgress, reply.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass) << TablesSeen();
  EXPECT_TRUE(SameFrame(r.out, Rewritten(reply, t.node, Topology::kNodePort, t.client,
                                         Topology::kClientPort)));
  EXPECT_TRUE(ChecksumsValid(r.out));
  EXPECT_EQ(state().Counter("fwd_reverse_nat"), 1u) << state().NonZeroCounters();
}

// A SNATed flow's packets leave through egress too (request side, after the stack
// routed them): egress restores nothing for them.
TEST_P(ReplyTest, TcEgressLeavesSnatFlowsAndOtherTrafficAlone) {
  ConfigureSnat();
  state().PutBackend(Backend(1, t.remote_backend));
  state().PutService(NodePort({1}));
  const RunResult request = RunHook(Request().Build());
  ASSERT_EQ(request.verdict, Verdict::kPass);

  PacketBuilder unrelated = Reply(t.local_backend, Topology::kBackendPort, t.client, Topology::kClientPort);
  unrelated.Eth(t.node_mac, t.client_mac);
  for (const Frame& f : {request.out, unrelated.Build()}) {
    const RunResult r = Run(Hook::kTcEgress, f);
    EXPECT_EQ(r.verdict, Verdict::kPass);
    EXPECT_TRUE(SameFrame(r.out, f));
  }
  EXPECT_EQ(state().Counter("fwd_reverse_nat"), 0u) << state().NonZeroCounters();
}

INSTANTIATE_TEST_SUITE_P(Paths, ReplyTest, ::testing::ValuesIn(Paths()), PathName);

}  // namespace
}  // namespace sluice::bpftest
