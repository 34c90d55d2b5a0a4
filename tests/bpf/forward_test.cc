// Forwarding after translation. When bpf_fib_lookup() answers, the packet leaves at
// once, as a router sends it: TTL / hop limit decremented (IPv4 header checksum
// updated), MACs of the next hop, out of the device the FIB names (XDP_REDIRECT, or
// TC_ACT_REDIRECT at tc). The test's private namespace routes 198.18.30.0/24 and
// 198.18.0.0/24 (fd00:30::/64, fd00:18::/64) over a veth device with permanent
// neighbours, so the FIB has an answer there and nowhere else.
#include <gtest/gtest.h>
#include <net/if.h>

#include "bpf/service_fixture.h"

namespace sluice::bpftest {
namespace {

const char kDevice[] = "sluice-fwd0";

class ForwardTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    if (if_nametoindex(kDevice) == 0) {  // once per suite: the namespace outlives a test
      const Topology v4(false), v6(true);
      netns().AddRoutedDevice(kDevice, device_mac_,
                              {"198.18.30.1/24", "198.18.0.1/24", "fd00:30::1/64", "fd00:18::1/64"},
                              {{v4.routed_backend, next_hop_mac_},
                               {v4.client, client_hop_mac_},
                               {v6.routed_backend, next_hop_mac_},
                               {v6.client, client_hop_mac_}});
    }
    ConfigureSnat();
    state().PutBackend(Backend(1, t.routed_backend));
    state().PutService(NodePort({1}));
  }

  const MacAddr device_mac_ = MacAddr::Parse("02:00:00:00:30:01");
  const MacAddr next_hop_mac_ = MacAddr::Parse("02:00:00:00:30:07");
  const MacAddr client_hop_mac_ = MacAddr::Parse("02:00:00:00:18:10");
};

TEST_P(ForwardTest, RoutedPacketLeavesWithTtlDecrementedAndNextHopMacs) {
  const PacketBuilder request = Request();
  const RunResult r = RunHook(request.Build());

  ASSERT_EQ(r.verdict, Verdict::kRedirect) << TablesSeen();
  const uint16_t snat_port = Decode(r.out).sport;
  PacketBuilder want = request;
  want.Eth(device_mac_, next_hop_mac_).Ttl(63);
  EXPECT_TRUE(SameFrame(r.out, Rewritten(want, t.node, snat_port, t.routed_backend,
                                         Topology::kBackendPort)));
  EXPECT_TRUE(ChecksumsValid(r.out));
  EXPECT_EQ(state().Counter("fwd_redirect"), 1u) << state().NonZeroCounters();
  EXPECT_EQ(state().Counter("fwd_pass_to_stack"), 0u);
}

// The reply comes back the same way: restored, then routed to the client.
TEST_P(ForwardTest, RestoredReplyIsRoutedToTheClient) {
  const uint16_t snat_port = Decode(RunHook(Request().Build()).out).sport;

  const PacketBuilder reply = Reply(t.routed_backend, Topology::kBackendPort, t.node, snat_port);
  const RunResult r = RunHook(reply.Build());

  ASSERT_EQ(r.verdict, Verdict::kRedirect) << TablesSeen();
  PacketBuilder want = reply;
  want.Eth(device_mac_, client_hop_mac_).Ttl(63);
  EXPECT_TRUE(SameFrame(r.out, Rewritten(want, t.node, Topology::kNodePort, t.client,
                                         Topology::kClientPort)));
  EXPECT_TRUE(ChecksumsValid(r.out));
}

// A packet that would expire here is the kernel's: it sends the ICMP time exceeded.
TEST_P(ForwardTest, PacketWithTtlOneGoesToTheStackTranslatedButNotDecremented) {
  PacketBuilder request = Request();
  request.Ttl(1);
  const RunResult r = RunHook(request.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass) << TablesSeen();
  const uint16_t snat_port = Decode(r.out).sport;
  EXPECT_TRUE(SameFrame(r.out, Rewritten(request, t.node, snat_port, t.routed_backend,
                                         Topology::kBackendPort)));
  EXPECT_EQ(state().Counter("fwd_pass_to_stack"), 1u) << state().NonZeroCounters();
}

INSTANTIATE_TEST_SUITE_P(Paths, ForwardTest, ::testing::ValuesIn(Paths()), PathName);

}  // namespace
}  // namespace sluice::bpftest
