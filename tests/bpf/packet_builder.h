// Builds test frames layer by layer with every length and checksum computed from the
// bytes (RFC 1071 in full), so tests never carry hex blobs or hand-computed offsets:
//
//   Frame f = PacketBuilder()
//                 .Eth(kClientMac, kNodeMac)
//                 .Ipv4(client, frontend)
//                 .Tcp(40000, 30080).Flags(tcp::kSyn).Seq(1000)
//                 .Build();
//
// Setters after Ipv4()/Ipv6() and after Tcp()/Udp()/Icmp() refine that layer. The
// `...Field` setters write a deliberately inconsistent value over the computed one
// (for malformed corpora); checksums are computed over what is actually there.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "bpf/net_types.h"

namespace sluice::bpftest {

using Frame = std::vector<uint8_t>;

namespace tcp {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
}  // namespace tcp

namespace ethertype {
inline constexpr uint16_t kIpv4 = 0x0800;
inline constexpr uint16_t kArp = 0x0806;
inline constexpr uint16_t kVlan = 0x8100;
inline constexpr uint16_t kQinQ = 0x88a8;
inline constexpr uint16_t kIpv6 = 0x86dd;
}  // namespace ethertype

class PacketBuilder {
 public:
  PacketBuilder();

  // --- Ethernet ---
  PacketBuilder& Eth(const MacAddr& src, const MacAddr& dst);
  // An 802.1Q (or 802.1ad with tpid 0x88a8) tag; the first call is the outermost.
  PacketBuilder& Vlan(uint16_t vid, uint16_t tpid = ethertype::kVlan);
  // The type after the tags; defaults to that of the IP layer (non-IP frames set it).
  PacketBuilder& EtherType(uint16_t type);
  // Ethernet padding: zeros after the IP packet up to a frame of `frame_len` bytes.
  PacketBuilder& PadTo(size_t frame_len);

  // --- IP, either family ---
  PacketBuilder& Ipv4(const IpAddr& src, const IpAddr& dst);
  PacketBuilder& Ipv6(const IpAddr& src, const IpAddr& dst);
  // Ipv4() or Ipv6() by the addresses' family.
  PacketBuilder& Ip(const IpAddr& src, const IpAddr& dst);
  PacketBuilder& Ttl(uint8_t ttl);  // IPv6: hop limit
  PacketBuilder& Tos(uint8_t tos);  // IPv6: traffic class
  // IPv4 only.
  PacketBuilder& IpId(uint16_t id);
  PacketBuilder& DontFragment(bool df = true);
  PacketBuilder& Ipv4Options(std::vector<uint8_t> options);  // padded to 4 bytes with EOL
  PacketBuilder& Ipv4Fragment(uint16_t offset_bytes, bool more_fragments);
  // IPv6 only: extension headers, in the order of the calls.
  PacketBuilder& FlowLabel(uint32_t label);
  PacketBuilder& HopByHop(size_t length = 8);            // PadN-filled, a multiple of 8
  PacketBuilder& DestinationOptions(size_t length = 8);  // idem
  // Routing header of the type 0/2 layout: addresses in order, the last one being the
  // final destination while segments_left > 0 (it then is the pseudo header's).
  PacketBuilder& Routing(uint8_t type, uint8_t segments_left, std::vector<IpAddr> addresses);
  PacketBuilder& Ipv6Fragment(uint16_t offset_bytes, bool more_fragments, uint32_t id = 1);
  PacketBuilder& AuthHeader(size_t icv_length = 12);  // RFC 4302
  // Any header: `type`, then `after_next_header` verbatim (no length is computed).
  PacketBuilder& RawExtHeader(uint8_t type, std::vector<uint8_t> after_next_header);

  // --- L4 ---
  PacketBuilder& Tcp(uint16_t sport, uint16_t dport);
  PacketBuilder& Flags(uint8_t flags);
  PacketBuilder& Seq(uint32_t seq);
  PacketBuilder& Ack(uint32_t ack);
  PacketBuilder& Window(uint16_t window);
  PacketBuilder& TcpOptions(std::vector<uint8_t> options);  // padded to 4 bytes with EOL
  PacketBuilder& Udp(uint16_t sport, uint16_t dport);
  // Tcp() or Udp() by protocol number (IPPROTO_TCP / IPPROTO_UDP).
  PacketBuilder& Transport(uint8_t proto, uint16_t sport, uint16_t dport);
  // New ports for the TCP or UDP header already chosen, keeping everything else.
  PacketBuilder& Ports(uint16_t sport, uint16_t dport);
  // ICMP for IPv4, ICMPv6 for IPv6; `rest` is the second word of the header.
  PacketBuilder& Icmp(uint8_t type, uint8_t code, uint32_t rest = 0);
  // Any other protocol number: no L4 header, the payload follows the IP header(s).
  PacketBuilder& OtherL4(uint8_t protocol);
  PacketBuilder& Payload(std::span<const uint8_t> bytes);
  PacketBuilder& Payload(std::string_view text);

  // --- deliberate inconsistencies ---
  PacketBuilder& Ipv4IhlField(uint8_t ihl);
  PacketBuilder& IpLengthField(uint16_t length);  // IPv4 total length, IPv6 payload length
  PacketBuilder& UdpLengthField(uint16_t length);
  PacketBuilder& TcpDataOffsetField(uint8_t doff);
  PacketBuilder& L4ChecksumField(uint16_t checksum);  // e.g. 0: a UDP datagram without one

  Frame Build() const;

 private:
  enum class L3 { kNone, kIpv4, kIpv6 };
  enum class L4 { kNone, kTcp, kUdp, kIcmp, kOther };
  struct ExtHeader {
    uint8_t type;
    std::vector<uint8_t> after_next_header;
  };

  void AppendL3(Frame& f, size_t l4_size, uint8_t l4_proto) const;
  Frame L4Bytes() const;
  uint8_t L4Protocol() const;
  IpAddr PseudoHeaderDestination() const;

  MacAddr eth_src_, eth_dst_;
  std::vector<std::pair<uint16_t, uint16_t>> vlans_;  // (tpid, vid)
  std::optional<uint16_t> ethertype_;
  size_t pad_to_ = 0;

  L3 l3_ = L3::kNone;
  IpAddr ip_src_, ip_dst_;
  uint8_t ttl_ = 64;
  uint8_t tos_ = 0;
  uint16_t ip_id_ = 0x1234;
  bool df_ = false;
  bool mf_ = false;
  uint16_t frag_offset_ = 0;
  std::vector<uint8_t> ipv4_options_;
  uint32_t flow_label_ = 0;
  std::vector<ExtHeader> ext_;
  std::optional<IpAddr> routing_final_dst_;

  L4 l4_ = L4::kNone;
  uint8_t other_proto_ = 0;
  uint16_t sport_ = 0, dport_ = 0;
  uint8_t tcp_flags_ = 0;
  uint32_t seq_ = 0, ack_ = 0;
  uint16_t window_ = 65535;
  std::vector<uint8_t> tcp_options_;
  uint8_t icmp_type_ = 0, icmp_code_ = 0;
  uint32_t icmp_rest_ = 0;
  std::vector<uint8_t> payload_;

  std::optional<uint8_t> ihl_field_;
  std::optional<uint16_t> ip_length_field_;
  std::optional<uint16_t> udp_length_field_;
  std::optional<uint8_t> doff_field_;
  std::optional<uint16_t> l4_checksum_field_;
};

}  // namespace sluice::bpftest
