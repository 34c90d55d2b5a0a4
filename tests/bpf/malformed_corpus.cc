#include "bpf/malformed_corpus.h"

#include <netinet/in.h>

#include <random>

#include "bpf/packet_parser.h"

namespace sluice::bpftest {
namespace {

// No 0x75 0x80 (30080) anywhere, so a misplaced L4 header never reads as the NodePort.
constexpr std::string_view kData = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

std::string Family(const Topology& t) { return t.v6 ? "IPv6" : "IPv4"; }

PacketBuilder ToNodePort(const Topology& t) {
  PacketBuilder b;
  b.Eth(t.client_mac, t.node_mac).Ip(t.client, t.node);
  return b;
}

PacketBuilder TcpSyn(const Topology& t) {
  PacketBuilder b = ToNodePort(t);
  b.Tcp(Topology::kClientPort, Topology::kNodePort)
      .Flags(tcp::kSyn)
      .Seq(1000)
      .TcpOptions({2, 4, 0x05, 0xb4, 1, 3, 3, 7})  // MSS 1460, NOP, window scale 7
      .Payload(kData);
  return b;
}

PacketBuilder Udp(const Topology& t) {
  PacketBuilder b = ToNodePort(t);
  b.Udp(Topology::kClientPort, Topology::kNodePort).Payload(kData);
  return b;
}

// The same packet with IPv4 options / an IPv6 destination options header.
PacketBuilder WithOptions(const Topology& t, PacketBuilder b) {
  if (t.v6)
    b.DestinationOptions(16);
  else
    b.Ipv4Options({0x94, 4, 0, 0, 1, 1, 1, 0});  // Router Alert, NOPs, EOL
  return b;
}

}  // namespace

std::vector<CorpusFrame> ServicePackets(const Topology& t) {
  const std::string f = Family(t);
  return {
      {f + " TCP SYN", TcpSyn(t).Build()},
      {f + " UDP", Udp(t).Build()},
      {f + (t.v6 ? " TCP SYN after destination options" : " TCP SYN with IP options"),
       WithOptions(t, TcpSyn(t)).Build()},
      {f + (t.v6 ? " UDP after destination options" : " UDP with IP options"),
       WithOptions(t, Udp(t)).Build()},
  };
}

std::vector<CorpusFrame> TruncatedFrames(const Topology& t) {
  // BPF_PROG_TEST_RUN refuses frames shorter than an Ethernet header (EINVAL), so
  // lengths 0..13 never reach a program: malformed_test.cc checks that refusal.
  std::vector<CorpusFrame> out;
  for (const CorpusFrame& base : ServicePackets(t))
    for (size_t len = 14; len < base.frame.size(); ++len)
      out.push_back({base.name + " truncated to " + std::to_string(len) + " bytes",
                     Frame(base.frame.begin(), base.frame.begin() + static_cast<long>(len))});
  return out;
}

std::vector<CorpusFrame> Ipv4HeaderLengthFrames(const Topology& t) {
  std::vector<CorpusFrame> out;
  if (t.v6) return out;
  for (uint8_t ihl = 0; ihl < 16; ++ihl) {
    if (ihl == 5) continue;  // the truth: a valid packet
    for (auto [name, b] : {std::pair{"TCP SYN", TcpSyn(t)}, std::pair{"UDP", Udp(t)}})
      out.push_back({std::string("IPv4 ") + name + " with ihl " + std::to_string(ihl) +
                         " over a 20-byte header",
                     b.Ipv4IhlField(ihl).Build()});
  }
  return out;
}

std::vector<CorpusFrame> IpLengthFrames(const Topology& t) {
  std::vector<CorpusFrame> out;
  for (auto [name, b] : {std::pair{"TCP SYN", TcpSyn(t)}, std::pair{"UDP", Udp(t)}}) {
    const DecodedFrame d = Decode(b.Build());
    const size_t ip_header = d.l4_off - d.l3_off;           // IPv4 header / IPv6 header
    const size_t l4_header = d.payload_off - d.l4_off;       // TCP with options / UDP
    const size_t base = t.v6 ? 40 : 0;  // IPv6's field excludes its fixed header
    // Every value that cannot hold the headers, or claims more than the frame has.
    // (A value between the two is Ethernet padding, which is fine: nodeport_test.cc.)
    std::vector<size_t> lengths = {0, 1, ip_header - 1, ip_header, ip_header + 1,
                                   ip_header + l4_header - 1, d.l3_len + 1, d.l3_len + 100,
                                   0xffff + base};
    if (name == std::string("UDP"))  // the UDP length then exceeds the IP payload
      lengths.push_back(d.l3_len - 1);
    for (size_t len : lengths) {
      if (len < base) continue;
      const uint16_t field = static_cast<uint16_t>(len - base);
      out.push_back({Family(t) + " " + name + " with " + (t.v6 ? "payload" : "total") +
                         " length " + std::to_string(field) + " in a " +
                         std::to_string(d.l3_len) + "-byte packet",
                     PacketBuilder(b).IpLengthField(field).Build()});
    }
  }
  return out;
}

std::vector<CorpusFrame> FragmentFrames(const Topology& t) {
  std::vector<CorpusFrame> out;
  const std::string f = Family(t);
  struct Frag {
    uint16_t offset;
    bool more;
  };
  for (auto [name, b] : {std::pair{"TCP SYN", TcpSyn(t)}, std::pair{"UDP", Udp(t)}}) {
    for (Frag fr : {Frag{0, true}, Frag{8, true}, Frag{1480, true}, Frag{1480, false}, Frag{0, false}}) {
      if (!t.v6 && fr.offset == 0 && !fr.more) continue;  // not a fragment in IPv4
      PacketBuilder p = b;
      if (t.v6)
        p.Ipv6Fragment(fr.offset, fr.more, 0x5eed);
      else
        p.Ipv4Fragment(fr.offset, fr.more);
      out.push_back({f + " " + name + " fragment at offset " + std::to_string(fr.offset) +
                         (fr.more ? " with more to come" : ", the last"),
                     p.Build()});
    }
  }
  if (t.v6) {
    out.push_back({"IPv6 first fragment after hop-by-hop options",
                   PacketBuilder(TcpSyn(t)).HopByHop().Ipv6Fragment(0, true).Build()});
  } else {
    out.push_back({"IPv4 first fragment with DF set as well (contradictory)",
                   PacketBuilder(TcpSyn(t)).DontFragment().Ipv4Fragment(0, true).Build()});
  }
  return out;
}

std::vector<CorpusFrame> ExtensionHeaderFrames(const Topology& t) {
  std::vector<CorpusFrame> out;
  if (!t.v6) return out;
  const IpAddr elsewhere = IpAddr::V6("fd00:77::1");
  // In transit: the node is a waypoint of a routing header, the packet's final
  // destination is elsewhere and its L4 checksum is computed for that address.
  out.push_back({"IPv6 TCP SYN with a routing header, segments left 1",
                 PacketBuilder(TcpSyn(t)).Routing(2, 1, {elsewhere}).Build()});
  out.push_back({"IPv6 UDP with a routing header, segments left 2",
                 PacketBuilder(Udp(t)).Routing(0, 2, {elsewhere, IpAddr::V6("fd00:77::2")}).Build()});
  // Longer chains than the parser follows (6): 7 and 9 destination options headers.
  for (int n : {7, 9}) {
    PacketBuilder b = ToNodePort(t);
    for (int i = 0; i < n; ++i) b.DestinationOptions(8);
    b.Tcp(Topology::kClientPort, Topology::kNodePort).Flags(tcp::kSyn);
    out.push_back({"IPv6 TCP SYN after " + std::to_string(n) + " destination options headers",
                   b.Build()});
  }
  // Chains so long that the L4 header, or its checksum, lies beyond the first 256
  // bytes the datapath can rewrite (shorter ones are translated: nodeport_test.cc).
  for (size_t len : {192, 200, 208, 256, 1024})
    out.push_back({"IPv6 TCP SYN after a " + std::to_string(len) + "-byte destination options header",
                   PacketBuilder(TcpSyn(t)).DestinationOptions(len).Build()});
  for (size_t len : {200, 208, 256, 1024})
    out.push_back({"IPv6 UDP after a " + std::to_string(len) + "-byte destination options header",
                   PacketBuilder(Udp(t)).DestinationOptions(len).Build()});
  // Chains that end in something other than TCP/UDP.
  out.push_back({"IPv6 hop-by-hop then no next header",
                 ToNodePort(t).HopByHop().OtherL4(IPPROTO_NONE).Payload(kData).Build()});
  out.push_back({"IPv6 hop-by-hop, routing (0 left), then ICMPv6",
                 ToNodePort(t).HopByHop().Routing(0, 0, {t.node}).Icmp(128, 0).Build()});
  out.push_back({"IPv6 AH then fragment then TCP",
                 PacketBuilder(TcpSyn(t)).AuthHeader().Ipv6Fragment(0, true).Build()});
  // Header lengths that run past the packet.
  out.push_back({"IPv6 hop-by-hop whose length runs past the payload",
                 PacketBuilder(TcpSyn(t)).RawExtHeader(IPPROTO_HOPOPTS, {255, 1, 4, 0, 0, 0, 0}).Build()});
  out.push_back({"IPv6 AH whose length runs past the payload",
                 PacketBuilder(Udp(t)).RawExtHeader(IPPROTO_AH, {200, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1}).Build()});
  out.push_back({"IPv6 routing header cut short",
                 PacketBuilder(Udp(t)).RawExtHeader(IPPROTO_ROUTING, {6, 0, 0}).Build()});
  return out;
}

std::vector<CorpusFrame> L4LengthFrames(const Topology& t) {
  std::vector<CorpusFrame> out;
  const std::string f = Family(t);
  const size_t udp_len = 8 + kData.size();
  for (size_t len : {size_t{0}, size_t{1}, size_t{7}, udp_len + 1, udp_len + 100, size_t{0xffff}})
    out.push_back({f + " UDP length " + std::to_string(len) + " with " + std::to_string(udp_len) +
                       " bytes of UDP",
                   PacketBuilder(Udp(t)).UdpLengthField(static_cast<uint16_t>(len)).Build()});
  for (uint8_t doff = 0; doff < 5; ++doff)
    out.push_back({f + " TCP data offset " + std::to_string(doff),
                   PacketBuilder(TcpSyn(t)).TcpDataOffsetField(doff).Build()});
  // A data offset beyond the segment: a bare SYN with 28 bytes of TCP claims 32..60.
  for (uint8_t doff : {8, 12, 15}) {
    PacketBuilder b = TcpSyn(t);
    b.Payload("").TcpDataOffsetField(doff);
    out.push_back({f + " TCP data offset " + std::to_string(doff) + " in a 28-byte segment", b.Build()});
  }
  return out;
}

std::vector<CorpusFrame> LinkLayerFrames(const Topology& t) {
  std::vector<CorpusFrame> out;
  const std::string f = Family(t);
  out.push_back({f + " TCP SYN in an 802.1Q tag", PacketBuilder(TcpSyn(t)).Vlan(100).Build()});
  out.push_back({f + " UDP in 802.1ad + 802.1Q tags",
                 PacketBuilder(Udp(t)).Vlan(200, ethertype::kQinQ).Vlan(100).Build()});
  out.push_back({f + " UDP in a priority tag (VLAN 0)", PacketBuilder(Udp(t)).Vlan(0).Build()});
  // The right bytes under the wrong ethertype, and the wrong IP version under the right one.
  out.push_back({f + " TCP SYN under ethertype " + (t.v6 ? "IPv4" : "IPv6"),
                 PacketBuilder(TcpSyn(t)).EtherType(t.v6 ? ethertype::kIpv4 : ethertype::kIpv6).Build()});
  for (uint16_t type : {uint16_t{0x0000}, uint16_t{0x0806}, uint16_t{0x8847}, uint16_t{0x88cc},
                        uint16_t{0x88b5}, uint16_t{0xffff}}) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%04x", type);
    out.push_back({f + " UDP under ethertype " + hex, PacketBuilder(Udp(t)).EtherType(type).Build()});
  }
  return out;
}

std::vector<CorpusFrame> RandomFrames(uint32_t seed, int count) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255), length(14, 200), kind(0, 2);
  std::vector<CorpusFrame> out;
  for (int i = 0; i < count; ++i) {
    Frame f(static_cast<size_t>(length(rng)));
    for (uint8_t& b : f) b = static_cast<uint8_t>(byte(rng));
    // Two in three carry an IP ethertype (and version), so the random bytes reach the
    // IP and L4 parsers instead of stopping at the Ethernet header.
    const int k = kind(rng);
    if (k < 2 && f.size() > 14) {
      f[12] = k == 0 ? 0x08 : 0x86;
      f[13] = k == 0 ? 0x00 : 0xdd;
      f[14] = static_cast<uint8_t>((k == 0 ? 0x40 : 0x60) | (f[14] & 0x0f));
    }
    out.push_back({"random frame #" + std::to_string(i) + " (seed " + std::to_string(seed) + ", " +
                       std::to_string(f.size()) + " bytes)",
                   std::move(f)});
  }
  return out;
}

std::vector<CorpusFrame> MalformedCorpus() {
  std::vector<CorpusFrame> all;
  for (bool v6 : {false, true}) {
    const Topology t(v6);
    for (auto group : {TruncatedFrames, Ipv4HeaderLengthFrames, IpLengthFrames, FragmentFrames,
                       ExtensionHeaderFrames, L4LengthFrames, LinkLayerFrames}) {
      auto frames = group(t);
      all.insert(all.end(), frames.begin(), frames.end());
    }
  }
  auto random = RandomFrames(0x5111ce, 400);
  all.insert(all.end(), random.begin(), random.end());
  return all;
}

}  // namespace sluice::bpftest
