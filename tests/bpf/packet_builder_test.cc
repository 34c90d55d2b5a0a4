// The packet builder and checker against known answers, and against each other: what
// the builder makes the checker accepts, and a flipped bit anywhere makes it refuse.
#include "bpf/packet_builder.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include "bpf/checksum.h"
#include "bpf/frame_matchers.h"
#include "bpf/packet_parser.h"

namespace sluice::bpftest {
namespace {

const IpAddr kSrc4 = IpAddr::V4("198.18.0.10");
const IpAddr kDst4 = IpAddr::V4("198.18.1.1");
const IpAddr kSrc6 = IpAddr::V6("fd00:18::10");
const IpAddr kDst6 = IpAddr::V6("fd00:1::1");

// RFC 1071 section 3's worked example: the words 0001 f203 f4f5 f6f7 sum to ddf2.
TEST(ChecksumTest, MatchesRfc1071Example) {
  const uint8_t words[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(ChecksumFinish(ChecksumAdd(0, words)), 0xffff - 0xddf2);
}

// A header whose checksum is widely published (Wikipedia, "Internet checksum"):
// 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7.
TEST(PacketBuilderTest, Ipv4HeaderChecksumMatchesAPublishedHeader) {
  const Frame f = PacketBuilder()
                      .Ipv4(IpAddr::V4("192.168.0.1"), IpAddr::V4("192.168.0.199"))
                      .IpId(0)
                      .DontFragment()
                      .OtherL4(IPPROTO_UDP)
                      .Payload(std::vector<uint8_t>(0x73 - 20, 0))
                      .Ttl(0x40)
                      .Build();
  const DecodedFrame d = Decode(f);
  ASSERT_EQ(d.l3_len, 0x73u) << d.Describe();
  EXPECT_EQ(f[d.l3_off + 10], 0xb8);
  EXPECT_EQ(f[d.l3_off + 11], 0x61);
}

struct Variant {
  const char* name;
  PacketBuilder builder;
};

std::vector<Variant> Variants() {
  std::vector<Variant> v;
  for (bool v6 : {false, true}) {
    const IpAddr& s = v6 ? kSrc6 : kSrc4;
    const IpAddr& d = v6 ? kDst6 : kDst4;
    const std::string fam = v6 ? "v6" : "v4";
    PacketBuilder tcp, udp, icmp, odd;
    tcp.Ip(s, d).Tcp(40000, 80).Flags(tcp::kSyn | tcp::kAck).Seq(7).Ack(9).TcpOptions({2, 4, 5, 0xb4}).Payload("hello");
    udp.Ip(s, d).Udp(5353, 53).Payload("odd");
    icmp.Ip(s, d).Icmp(v6 ? 128 : 8, 0, 0x00010002).Payload("echo");
    if (v6)
      odd.Ip(s, d).HopByHop().Routing(0, 1, {IpAddr::V6("fd00:2::2")}).DestinationOptions(24).Udp(1, 2).Payload("x");
    else
      odd.Ip(s, d).Ipv4Options({1, 1, 1, 0}).Vlan(10).Udp(1, 2).Payload("x");
    v.push_back({v6 ? "tcp6" : "tcp4", tcp});
    v.push_back({v6 ? "udp6" : "udp4", udp});
    v.push_back({v6 ? "icmp6" : "icmp4", icmp});
    v.push_back({v6 ? "ext6" : "opt4", odd});
  }
  return v;
}

TEST(PacketBuilderTest, EveryBuiltFrameHasValidChecksums) {
  for (const Variant& v : Variants()) {
    const Frame f = v.builder.Build();
    EXPECT_TRUE(ChecksumsValid(f)) << v.name;
    EXPECT_EQ(Decode(f).stopped, "") << v.name << ": " << Decode(f).Describe();
  }
}

// The checker catches corruption of any byte a checksum covers: the whole IPv4
// header, the IPv6 addresses (pseudo header) and every L4 byte. IPv6's fixed fields
// and extension headers are covered by no checksum at all.
TEST(PacketBuilderTest, CheckerCatchesAnyCorruptedCoveredByte) {
  for (const Variant& v : Variants()) {
    const Frame f = v.builder.Build();
    const DecodedFrame d = Decode(f);
    std::vector<std::pair<size_t, size_t>> covered = {{d.l4_off, d.l3_off + d.l3_len}};
    if (d.src.is_v4()) {
      covered.push_back({d.l3_off, d.l4_off});
    } else {
      covered.push_back({d.l3_off + 8, d.l3_off + 24});  // source
      if (d.pseudo_dst == d.dst) covered.push_back({d.l3_off + 24, d.l3_off + 40});
    }
    for (const auto& [from, to] : covered) {
      for (size_t i = from; i < to; ++i) {
        Frame bad = f;
        bad[i] ^= 0x01;
        const DecodedFrame bd = Decode(bad);
        if (!bd.l4_complete || bd.l4_proto != d.l4_proto) continue;  // refused for that anyway
        EXPECT_FALSE(ChecksumsValid(bad)) << v.name << ": flipping byte " << i << " ("
                                          << d.RegionOf(i) << ") went unnoticed";
      }
    }
  }
}

TEST(PacketParserTest, DecodesWhatTheBuilderWrote) {
  const Frame f = PacketBuilder()
                      .Vlan(42)
                      .Ipv6(kSrc6, kDst6)
                      .Ttl(17)
                      .HopByHop()
                      .Tcp(1234, 30080)
                      .Flags(tcp::kFin | tcp::kAck)
                      .Seq(0xdeadbeef)
                      .Ack(0x01020304)
                      .Window(512)
                      .Payload("abc")
                      .Build();
  const DecodedFrame d = Decode(f);
  EXPECT_EQ(d.stopped, "");
  ASSERT_EQ(d.vlan_ids, std::vector<uint16_t>{42});
  EXPECT_EQ(d.src, kSrc6);
  EXPECT_EQ(d.dst, kDst6);
  EXPECT_EQ(d.ttl, 17);
  EXPECT_EQ(d.ext_headers, std::vector<uint8_t>{IPPROTO_HOPOPTS});
  EXPECT_EQ(d.sport, 1234);
  EXPECT_EQ(d.dport, 30080);
  EXPECT_EQ(d.seq, 0xdeadbeefu);
  EXPECT_EQ(d.ack, 0x01020304u);
  EXPECT_EQ(d.tcp_flags, tcp::kFin | tcp::kAck);
  EXPECT_EQ(d.window, 512);
  EXPECT_EQ(d.payload_len, 3u);
  EXPECT_EQ(d.l3_len, 40u + 8 + 20 + 3);
}

// RFC 8200 8.1: with a routing header the pseudo header carries the final
// destination, so rewriting only the IPv6 destination leaves the checksum right.
TEST(PacketBuilderTest, RoutingHeaderPutsTheFinalDestinationInThePseudoHeader) {
  const IpAddr final_dst = IpAddr::V6("fd00:2::2");
  const Frame routed =
      PacketBuilder().Ipv6(kSrc6, kDst6).Routing(0, 1, {final_dst}).Udp(1, 2).Payload("x").Build();
  const Frame direct = PacketBuilder().Ipv6(kSrc6, final_dst).Udp(1, 2).Payload("x").Build();
  const DecodedFrame r = Decode(routed), d = Decode(direct);
  EXPECT_EQ(r.pseudo_dst, final_dst);
  EXPECT_EQ(r.l4_checksum, d.l4_checksum);
  EXPECT_TRUE(ChecksumsValid(routed));
}

TEST(PacketBuilderTest, FragmentsAreMarkedAndCarryTheirOffsets) {
  const Frame v4 = PacketBuilder().Ipv4(kSrc4, kDst4).Ipv4Fragment(1480, true).Udp(1, 2).Build();
  const Frame v6 = PacketBuilder().Ipv6(kSrc6, kDst6).Ipv6Fragment(8, false).Udp(1, 2).Build();
  const DecodedFrame d4 = Decode(v4), d6 = Decode(v6);
  EXPECT_TRUE(d4.is_fragment);
  EXPECT_EQ(v4[d4.l3_off + 6], 0x20 | (1480 / 8) >> 8);  // MF and the offset's high bits
  EXPECT_EQ(v4[d4.l3_off + 7], (1480 / 8) & 0xff);
  EXPECT_TRUE(d6.is_fragment);
  EXPECT_EQ(d6.ext_headers, std::vector<uint8_t>{IPPROTO_FRAGMENT});
}

TEST(FrameMatchersTest, SameFrameNamesTheFirstDifferingField) {
  const PacketBuilder b = PacketBuilder().Ipv4(kSrc4, kDst4).Tcp(1, 2);
  Frame other = PacketBuilder(b).Ports(1, 3).Build();
  const auto result = SameFrame(other, b.Build());
  ASSERT_FALSE(result);
  EXPECT_NE(std::string(result.message()).find("TCP header +3"), std::string::npos)
      << result.message();
}

}  // namespace
}  // namespace sluice::bpftest
