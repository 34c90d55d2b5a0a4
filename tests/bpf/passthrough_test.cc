// Traffic that is not for a frontend passes byte for byte, counted under the reason it
// was passed, and leaves nothing behind: a node is not a dedicated load balancer.
#include <gtest/gtest.h>

#include "bpf/service_fixture.h"

namespace sluice::bpftest {
namespace {

class PassthroughTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    ConfigureSnat();
    // NodePort 30080 for TCP and UDP, and a ClusterIP (internal scope) on the node's
    // address at 30090: all with a backend, so a wrong match would translate.
    for (uint8_t p : {IPPROTO_TCP, IPPROTO_UDP}) {
      state().PutBackend(BackendSpec{p, t.remote_backend, Topology::kBackendPort, p, 0});
      ServiceSpec svc = NodePort({p});
      svc.id = p;
      svc.proto = p;
      svc.maglev_offset = 32u * p;
      state().PutService(svc);
    }
    ServiceSpec internal = NodePort({IPPROTO_TCP});
    internal.id = 99;
    internal.port = kClusterIpPort;
    internal.scope = LB_SCOPE_INTERNAL;
    internal.type = LB_FE_CLUSTER_IP;
    internal.maglev_offset = 512;
    state().PutService(internal);
  }

  static constexpr uint16_t kClusterIpPort = 30090;

  PacketBuilder From(const IpAddr& src, const IpAddr& dst) const {
    PacketBuilder b;
    b.Eth(t.client_mac, t.node_mac).Ip(src, dst);
    return b;
  }

  struct Case {
    std::string what;
    Frame frame;
    const char* counter;  // the reason it is counted under
  };

  std::vector<Case> Cases() const {
    const uint16_t np = Topology::kNodePort, cp = Topology::kClientPort;
    std::vector<Case> c;
    c.push_back({"TCP to an address sluice does not know",
                 From(t.client, t.unrelated).Tcp(cp, np).Flags(tcp::kSyn).Build(), "pass_not_service"});
    c.push_back({"TCP to the node on another port",
                 From(t.client, t.node).Tcp(cp, np + 1).Flags(tcp::kSyn).Build(), "pass_not_service"});
    c.push_back({"UDP to the node on another port",
                 From(t.client, t.node).Udp(cp, np + 1).Payload("x").Build(), "pass_not_service"});
    c.push_back({"TCP to an internal-scope (ClusterIP) frontend",
                 From(t.client, t.node).Tcp(cp, kClusterIpPort).Flags(tcp::kSyn).Build(),
                 "pass_not_service"});
    c.push_back({"TCP from the NodePort to the client (the other direction)",
                 From(t.node, t.client).Tcp(np, cp).Flags(tcp::kSyn | tcp::kAck).Build(),
                 "pass_not_service"});
    c.push_back({"ICMP echo request to the node",
                 From(t.client, t.node).Icmp(t.v6 ? 128 : 8, 0, 0x00010001).Payload("ping").Build(),
                 "pass_other_l4"});
    c.push_back({"SCTP to the node's NodePort",
                 From(t.client, t.node).OtherL4(132).Payload(std::string(16, 's')).Build(),
                 "pass_other_l4"});
    c.push_back({"ARP who-has",
                 PacketBuilder().Eth(t.client_mac, MacAddr::Parse("ff:ff:ff:ff:ff:ff"))
                     .EtherType(ethertype::kArp).Payload(std::string(28, '\0')).Build(),
                 "pass_not_ip"});
    PacketBuilder with_options = From(t.client, t.unrelated);
    if (t.v6)
      with_options.HopByHop().Udp(cp, np).Payload("x");
    else
      with_options.Ipv4Options({0x94, 4, 0, 0}).Udp(cp, np).Payload("x");
    c.push_back({"UDP with options / extension headers elsewhere", with_options.Build(),
                 "pass_not_service"});
    return c;
  }
};

TEST_P(PassthroughTest, NonServiceTrafficPassesByteForByte) {
  int untouched = 0;
  const auto cases = Cases();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const uint64_t before = state().Counter(c.counter);
    const RunResult r = RunHook(c.frame);
    EXPECT_EQ(r.verdict, Verdict::kPass);
    EXPECT_TRUE(SameFrame(r.out, c.frame));
    EXPECT_EQ(state().Counter(c.counter), before + 1) << state().NonZeroCounters();
    untouched += r.verdict == Verdict::kPass && r.out == c.frame;
  }
  EXPECT_EQ(untouched, static_cast<int>(cases.size()))
      << untouched << " of " << cases.size() << " frames passed untouched";
  EXPECT_EQ(state().Entries(SLUICE_MAP_CT) + state().Entries(SLUICE_MAP_NAT), 0u) << TablesSeen();
}

// tc egress sees everything the node sends: all of the above passes there too.
TEST_P(PassthroughTest, TcEgressPassesTheSameFramesByteForByte) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.what);
    const RunResult r = Run(Hook::kTcEgress, c.frame);
    EXPECT_EQ(r.verdict, Verdict::kPass);
    EXPECT_TRUE(SameFrame(r.out, c.frame));
  }
  EXPECT_EQ(state().Counter("fwd_reverse_nat"), 0u) << state().NonZeroCounters();
}

INSTANTIATE_TEST_SUITE_P(Paths, PassthroughTest,
                         ::testing::ValuesIn(Paths({Hook::kXdp, Hook::kTcIngress}, {IPPROTO_TCP})),
                         [](const auto& info) {
                           return ToString(info.param.hook) + (info.param.v6 ? "_v6" : "_v4");
                         });

}  // namespace
}  // namespace sluice::bpftest
