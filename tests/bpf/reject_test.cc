// A frontend with no backend answers as kube-proxy does: a TCP segment gets a RST
// (RFC 9293 3.10.7.1), a UDP datagram an ICMP / ICMPv6 port unreachable quoting it,
// sent back out of the device it came in on. Every field and checksum of the answer is
// compared with a frame built for it; nothing is recorded.
#include <gtest/gtest.h>

#include "bpf/service_fixture.h"

namespace sluice::bpftest {
namespace {

class RejectTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    ConfigureSnat();
    state().PutService(NodePort({}));  // a frontend with no backend
  }

  // Where the answer goes: back to the client, from the frontend, framed the other way.
  PacketBuilder Answer() const {
    PacketBuilder b;
    b.Eth(t.node_mac, t.client_mac).Ip(t.node, t.client).Ttl(64).IpId(0);
    return b;
  }

  void ExpectAnswered(const RunResult& r, const Frame& want) {
    EXPECT_EQ(r.verdict, BounceVerdict(hook()));
    EXPECT_TRUE(SameFrame(r.out, want));
    EXPECT_TRUE(ChecksumsValid(r.out));
    EXPECT_EQ(state().Counter("reject_no_backend"), 1u) << state().NonZeroCounters();
    EXPECT_EQ(state().Entries(SLUICE_MAP_CT) + state().Entries(SLUICE_MAP_NAT), 0u) << TablesSeen();
  }
};

class TcpRejectTest : public RejectTest {
 protected:
  // RST from the frontend's port to the client's, no options, window 0; IPv4 with DF.
  Frame Rst(uint8_t flags, uint32_t seq, uint32_t ack) const {
    PacketBuilder b = Answer();
    b.DontFragment(!t.v6).Tcp(Topology::kNodePort, Topology::kClientPort).Flags(flags).Seq(seq).Ack(ack).Window(0);
    return b.Build();
  }
};

TEST_P(TcpRejectTest, SynGetsRstAckAcknowledgingTheSyn) {
  ExpectAnswered(RunHook(Request().Build()),  // SYN seq 1000, MSS option
                 Rst(tcp::kRst | tcp::kAck, 0, 1001));
}

// A SYN carrying data (TCP Fast Open) is acknowledged in full: SYN + payload.
TEST_P(TcpRejectTest, SynWithDataIsAcknowledgedInFull) {
  PacketBuilder syn = Request();
  syn.Payload("early data");
  ExpectAnswered(RunHook(syn.Build()), Rst(tcp::kRst | tcp::kAck, 0, 1000 + 1 + 10));
}

// A segment with ACK gets a bare RST whose sequence number is that ACK.
TEST_P(TcpRejectTest, SegmentWithAckGetsRstAtItsAckNumber) {
  ExpectAnswered(RunHook(FollowUp().Build()),  // ACK|PSH seq 1001 ack 5001
                 Rst(tcp::kRst, 5001, 0));
}

// A FIN occupies a sequence number too.
TEST_P(TcpRejectTest, FinWithoutAckIsAcknowledgedWithItsSequenceNumber) {
  PacketBuilder fin = FollowUp();
  fin.Flags(tcp::kFin).Ack(0).Payload("bye");
  ExpectAnswered(RunHook(fin.Build()), Rst(tcp::kRst | tcp::kAck, 0, 1001 + 3 + 1));
}

TEST_P(TcpRejectTest, RstIsNeverAnswered) {
  PacketBuilder rst = FollowUp();
  rst.Flags(tcp::kRst).Payload("");
  const RunResult r = RunHook(rst.Build());
  EXPECT_EQ(r.verdict, Verdict::kDrop) << Decode(r.out).Describe();
  EXPECT_EQ(state().Counter("reject_no_backend"), 0u) << state().NonZeroCounters();
}

// Documented limit (bpf/lib/reject.h): only a plain IP header is answered; with IPv4
// options or IPv6 extension headers the packet is dropped, and counted.
TEST_P(TcpRejectTest, PacketWithOptionsOrExtensionHeadersIsDroppedNotAnswered) {
  PacketBuilder syn = Request();
  if (t.v6)
    syn.DestinationOptions();
  else
    syn.Ipv4Options({1, 1, 1, 1});  // NOPs
  const RunResult r = RunHook(syn.Build());
  EXPECT_EQ(r.verdict, Verdict::kDrop) << Decode(r.out).Describe();
  EXPECT_EQ(state().Counter("drop_reject_failed"), 1u) << state().NonZeroCounters();
}

INSTANTIATE_TEST_SUITE_P(Paths, TcpRejectTest,
                         ::testing::ValuesIn(Paths({Hook::kXdp, Hook::kTcIngress}, {IPPROTO_TCP})),
                         PathName);

class UdpRejectTest : public RejectTest {};

// RFC 792 / RFC 4443 3.1: type 3 code 3 / type 1 code 4, quoting the offending IP
// header and the first 8 bytes of its UDP header.
TEST_P(UdpRejectTest, DatagramGetsPortUnreachableQuotingIt) {
  const Frame request = Request().Build();
  const DecodedFrame d = Decode(request);
  const std::span<const uint8_t> quoted(request.data() + d.l3_off, d.l4_off + 8 - d.l3_off);

  PacketBuilder want = Answer();
  if (t.v6)
    want.Icmp(1, 4).Payload(quoted);
  else
    want.Icmp(3, 3).Payload(quoted);
  ExpectAnswered(RunHook(request), want.Build());
}

// The quote is the header as received, however long the datagram was.
TEST_P(UdpRejectTest, LongDatagramIsQuotedByItsHeaders) {
  PacketBuilder big = Request();
  big.Payload(std::string(1000, 'x'));
  const Frame request = big.Build();
  const DecodedFrame d = Decode(request);
  const std::span<const uint8_t> quoted(request.data() + d.l3_off, d.l4_off + 8 - d.l3_off);

  PacketBuilder want = Answer();
  if (t.v6)
    want.Icmp(1, 4).Payload(quoted);
  else
    want.Icmp(3, 3).Payload(quoted);
  ExpectAnswered(RunHook(request), want.Build());
}

INSTANTIATE_TEST_SUITE_P(Paths, UdpRejectTest,
                         ::testing::ValuesIn(Paths({Hook::kXdp, Hook::kTcIngress}, {IPPROTO_UDP})),
                         PathName);

}  // namespace
}  // namespace sluice::bpftest
