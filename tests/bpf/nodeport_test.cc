// NodePort from outside the node, IPv4/IPv6 × TCP/UDP, at XDP and at tc ingress: a
// backend on this node gets the client's packet with only the destination rewritten;
// a backend on another node gets it from the node's address and a SNAT port as well.
// Without routes in the test's namespace the FIB cannot answer, so the translated
// packet goes to the kernel (PASS, fwd_pass_to_stack); forward_test.cc covers the FIB.
#include <gtest/gtest.h>

#include "bpf/service_fixture.h"

namespace sluice::bpftest {
namespace {

class NodePortTest : public ServiceTest {};

TEST_P(NodePortTest, LocalBackendGetsTheClientsPacketWithOnlyTheDestinationRewritten) {
  ConfigureSnat();  // an address to SNAT to exists, and must not be used
  state().PutBackend(Backend(1, t.local_backend, LB_BE_F_LOCAL));
  state().PutService(NodePort({1}));

  const PacketBuilder request = Request();
  const RunResult r = RunHook(request.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass) << TablesSeen();
  EXPECT_TRUE(SameFrame(r.out, Rewritten(request, t.client, Topology::kClientPort, t.local_backend,
                                         Topology::kBackendPort)));
  EXPECT_TRUE(ChecksumsValid(r.out));
  EXPECT_EQ(state().Counter("fwd_new_flow"), 1u) << state().NonZeroCounters();
  EXPECT_EQ(state().Counter("fwd_dnat"), 1u);
  EXPECT_EQ(state().Counter("fwd_snat"), 0u);
  EXPECT_EQ(state().Counter("fwd_pass_to_stack"), 1u);

  const auto ct = state().ConntrackOf(RequestFlow());
  ASSERT_TRUE(ct) << "no conntrack entry for the flow; " << TablesSeen();
  EXPECT_EQ(ct->backend_id, 1u);
  EXPECT_EQ(ct->svc_id, kSvcId);
  EXPECT_EQ(ct->flags & CT_F_SNAT, 0);

  // The reply entry is keyed as the backend's reply arrives: backend -> client.
  const auto nat = state().Nat();
  ASSERT_EQ(nat.size(), 1u) << TablesSeen();
  const auto& [key, entry] = nat[0];
  EXPECT_EQ(FromSluiceAddr(key.saddr, key.family), t.local_backend);
  EXPECT_EQ(FromSluiceAddr(key.daddr, key.family), t.client);
  EXPECT_EQ(ntohs(key.sport), Topology::kBackendPort);
  EXPECT_EQ(ntohs(key.dport), Topology::kClientPort);
  EXPECT_EQ(FromSluiceAddr(entry.frontend, key.family), t.node);
  EXPECT_EQ(ntohs(entry.frontend_port), Topology::kNodePort);
  EXPECT_EQ(entry.flags & CT_F_SNAT, 0);
}

TEST_P(NodePortTest, RemoteBackendGetsThePacketFromTheNodeOnASnatPort) {
  ConfigureSnat();
  state().PutBackend(Backend(1, t.remote_backend));
  state().PutService(NodePort({1}));

  const PacketBuilder request = Request();
  const RunResult r = RunHook(request.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass) << TablesSeen();
  const DecodedFrame out = Decode(r.out);
  const uint16_t port = out.sport;
  EXPECT_GE(port, kSnatMin) << out.Describe();
  EXPECT_LE(port, kSnatMax) << out.Describe();
  EXPECT_TRUE(SameFrame(r.out, Rewritten(request, t.node, port, t.remote_backend,
                                         Topology::kBackendPort)));
  EXPECT_TRUE(ChecksumsValid(r.out));
  EXPECT_EQ(state().Counter("fwd_dnat"), 1u) << state().NonZeroCounters();
  EXPECT_EQ(state().Counter("fwd_snat"), 1u);
  EXPECT_EQ(state().Counter("fwd_pass_to_stack"), 1u);

  const auto ct = state().ConntrackOf(RequestFlow());
  ASSERT_TRUE(ct) << TablesSeen();
  EXPECT_EQ(ct->flags & CT_F_SNAT, CT_F_SNAT);
  EXPECT_EQ(ntohs(ct->nat_port), port);

  const auto nat = state().Nat();
  ASSERT_EQ(nat.size(), 1u) << TablesSeen();
  const auto& [key, entry] = nat[0];
  EXPECT_EQ(FromSluiceAddr(key.saddr, key.family), t.remote_backend);
  EXPECT_EQ(FromSluiceAddr(key.daddr, key.family), t.node);
  EXPECT_EQ(ntohs(key.dport), port);
  EXPECT_EQ(entry.flags & CT_F_SNAT, CT_F_SNAT);
  EXPECT_EQ(FromSluiceAddr(entry.client, key.family), t.client);
  EXPECT_EQ(ntohs(entry.client_port), Topology::kClientPort);
}

// Every packet of a flow leaves with the same translation: the second one is a
// conntrack hit and reuses the first one's SNAT port.
TEST_P(NodePortTest, LaterPacketsOfAFlowKeepItsSnatPort) {
  ConfigureSnat();
  state().PutBackend(Backend(1, t.remote_backend));
  state().PutService(NodePort({1}));

  const uint16_t port = Decode(RunHook(Request().Build()).out).sport;
  const PacketBuilder second = FollowUp();
  const RunResult r = RunHook(second.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_TRUE(SameFrame(r.out, Rewritten(second, t.node, port, t.remote_backend,
                                         Topology::kBackendPort)));
  EXPECT_EQ(state().Counter("fwd_conntrack_hit"), 1u) << state().NonZeroCounters();
  EXPECT_EQ(state().Entries(SLUICE_MAP_NAT), 1u) << TablesSeen();
}

// A SNAT port is unique per (backend, node address): with one port in the range, a
// second client's flow to the same backend finds none free and is dropped, counted,
// leaving nothing behind.
TEST_P(NodePortTest, NewFlowIsDroppedWhenNoSnatPortIsFree) {
  state().PutConfig(Topology(false).node, Topology(true).node, kSnatMin, kSnatMin);
  state().PutBackend(Backend(1, t.remote_backend));
  state().PutService(NodePort({1}));
  ASSERT_EQ(Decode(RunHook(Request().Build()).out).sport, kSnatMin) << TablesSeen();

  PacketBuilder second = Request();
  second.Ip(t.other_client, t.node);
  const RunResult r = RunHook(second.Build());

  EXPECT_EQ(r.verdict, Verdict::kDrop) << Decode(r.out).Describe();
  EXPECT_EQ(state().Counter("drop_snat_ports_exhausted"), 1u) << state().NonZeroCounters();
  EXPECT_EQ(state().Entries(SLUICE_MAP_CT), 1u) << TablesSeen();
  EXPECT_EQ(state().Entries(SLUICE_MAP_NAT), 1u) << TablesSeen();
}

// Without a SNAT address configured there is nothing to SNAT to: DNAT only.
TEST_P(NodePortTest, RemoteBackendWithoutSnatAddressGetsDnatOnly) {
  state().PutBackend(Backend(1, t.remote_backend));
  state().PutService(NodePort({1}));

  const PacketBuilder request = Request();
  const RunResult r = RunHook(request.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_TRUE(SameFrame(r.out, Rewritten(request, t.client, Topology::kClientPort,
                                         t.remote_backend, Topology::kBackendPort)));
  EXPECT_EQ(state().Counter("fwd_snat"), 0u) << state().NonZeroCounters();
}

// Ethernet pads short frames to 60 bytes: the padding is not part of the IP packet,
// is not checksummed, and stays as it was.
TEST_P(NodePortTest, EthernetPaddingIsKeptAndLeftOutOfChecksums) {
  state().PutBackend(Backend(1, t.local_backend, LB_BE_F_LOCAL));
  state().PutService(NodePort({1}));

  PacketBuilder request = Request();
  request.Payload("").PadTo(request.Build().size() + 6);
  const RunResult r = RunHook(request.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_TRUE(SameFrame(r.out, Rewritten(request, t.client, Topology::kClientPort, t.local_backend,
                                         Topology::kBackendPort)));
  EXPECT_TRUE(ChecksumsValid(r.out));
}

// IPv4 options and IPv6 extension headers a host accepts do not stop translation.
TEST_P(NodePortTest, IpOptionsAndExtensionHeadersAreTranslatedAndKept) {
  state().PutBackend(Backend(1, t.local_backend, LB_BE_F_LOCAL));
  state().PutService(NodePort({1}));

  PacketBuilder request = Request();
  if (t.v6)  // a routing header with no segments left: the node is the destination
    request.HopByHop(8).Routing(0, 0, {t.client}).DestinationOptions(16);
  else
    request.Ipv4Options({0x94, 0x04, 0x00, 0x00});  // Router Alert (RFC 2113)
  const RunResult r = RunHook(request.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass) << TablesSeen();
  EXPECT_TRUE(SameFrame(r.out, Rewritten(request, t.client, Topology::kClientPort, t.local_backend,
                                         Topology::kBackendPort)));
  EXPECT_TRUE(ChecksumsValid(r.out));
}

// The longest headers that still leave the L4 checksum within the 256 bytes the
// datapath rewrites: 40 bytes of IPv4 options, 176 bytes of IPv6 destination options
// (longer chains pass untouched: malformed_corpus.cc).
TEST_P(NodePortTest, LongestHeadersWithinReachAreTranslated) {
  state().PutBackend(Backend(1, t.local_backend, LB_BE_F_LOCAL));
  state().PutService(NodePort({1}));

  PacketBuilder request = Request();
  if (t.v6)
    request.DestinationOptions(176);
  else
    request.Ipv4Options(std::vector<uint8_t>(40, 1));  // NOPs
  const RunResult r = RunHook(request.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass) << TablesSeen();
  EXPECT_TRUE(SameFrame(r.out, Rewritten(request, t.client, Topology::kClientPort, t.local_backend,
                                         Topology::kBackendPort)));
  EXPECT_TRUE(ChecksumsValid(r.out));
}

INSTANTIATE_TEST_SUITE_P(Paths, NodePortTest, ::testing::ValuesIn(Paths()), PathName);

class UdpWithoutChecksumTest : public ServiceTest {};

// A UDP datagram without a checksum (only IPv4 allows it) keeps having none.
TEST_P(UdpWithoutChecksumTest, StaysWithout) {
  state().PutBackend(Backend(1, t.local_backend, LB_BE_F_LOCAL));
  state().PutService(NodePort({1}));

  PacketBuilder request = Request();
  request.L4ChecksumField(0);
  const RunResult r = RunHook(request.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_TRUE(SameFrame(r.out, Rewritten(request, t.client, Topology::kClientPort, t.local_backend,
                                         Topology::kBackendPort)));
}

class UdpChecksumTest : public ServiceTest {};

// RFC 768: a computed UDP checksum of zero is sent as all ones, zero meaning "none".
// The payload is chosen so that the translated datagram's checksum is exactly that.
TEST_P(UdpChecksumTest, ChecksumThatBecomesZeroIsSentAsAllOnes) {
  state().PutBackend(Backend(1, t.local_backend, LB_BE_F_LOCAL));
  state().PutService(NodePort({1}));

  // With two zero bytes at the end of the payload the translated checksum is c; with c
  // itself there, the sum becomes 0xffff and the checksum 0.
  const uint8_t zeros[] = {'p', 'i', 'n', 'g', 0, 0};
  PacketBuilder request = Request();
  request.Payload(zeros);
  const Frame probe = Rewritten(request, t.client, Topology::kClientPort, t.local_backend,
                                Topology::kBackendPort);
  const uint16_t c = Decode(probe).l4_checksum;
  const uint8_t tuned[] = {'p', 'i', 'n', 'g', uint8_t(c >> 8), uint8_t(c & 0xff)};
  request.Payload(tuned);
  const Frame want = Rewritten(request, t.client, Topology::kClientPort, t.local_backend,
                               Topology::kBackendPort);
  ASSERT_EQ(Decode(want).l4_checksum, 0xffff) << "the payload did not produce a zero checksum";

  const RunResult r = RunHook(request.Build());

  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_TRUE(SameFrame(r.out, want));
  EXPECT_TRUE(ChecksumsValid(r.out));
}

INSTANTIATE_TEST_SUITE_P(Udp, UdpChecksumTest,
                         ::testing::ValuesIn(Paths({Hook::kXdp, Hook::kTcIngress}, {IPPROTO_UDP})),
                         PathName);

INSTANTIATE_TEST_SUITE_P(Ipv4Udp, UdpWithoutChecksumTest,
                         ::testing::ValuesIn(Paths({Hook::kXdp, Hook::kTcIngress}, {IPPROTO_UDP}, {false})),
                         PathName);

}  // namespace
}  // namespace sluice::bpftest
