#include "bpf/packet_builder.h"

#include <netinet/in.h>

#include <stdexcept>
#include <string>

#include "bpf/checksum.h"

namespace sluice::bpftest {
namespace {

void Put8(Frame& f, uint8_t v) { f.push_back(v); }
void Put16(Frame& f, uint16_t v) {
  f.push_back(static_cast<uint8_t>(v >> 8));
  f.push_back(static_cast<uint8_t>(v));
}
void Put32(Frame& f, uint32_t v) {
  Put16(f, static_cast<uint16_t>(v >> 16));
  Put16(f, static_cast<uint16_t>(v));
}
void PutBytes(Frame& f, std::span<const uint8_t> b) { f.insert(f.end(), b.begin(), b.end()); }
void Set16(Frame& f, size_t off, uint16_t v) {
  f[off] = static_cast<uint8_t>(v >> 8);
  f[off + 1] = static_cast<uint8_t>(v);
}

void PadToMultiple(std::vector<uint8_t>& v, size_t multiple) {
  while (v.size() % multiple) v.push_back(0);  // EOL / Pad1 / zero
}

// The body of a hop-by-hop or destination options header of `length` bytes: its
// length byte, then one PadN option (or Pad1) filling the rest (RFC 8200 4.2).
std::vector<uint8_t> PaddedOptionsHeader(size_t length) {
  if (length < 8 || length % 8 || length > 2048)
    throw std::invalid_argument("options header length must be a multiple of 8 in [8, 2048]");
  std::vector<uint8_t> body = {static_cast<uint8_t>(length / 8 - 1)};
  const size_t fill = length - 2;
  body.push_back(1);  // PadN
  body.push_back(static_cast<uint8_t>(fill - 2));
  body.resize(length - 1, 0);
  return body;
}

constexpr uint8_t kProtoIcmp = IPPROTO_ICMP;
constexpr uint8_t kProtoIcmpv6 = IPPROTO_ICMPV6;

}  // namespace

PacketBuilder::PacketBuilder()
    : eth_src_(MacAddr::Parse("02:00:00:00:00:01")), eth_dst_(MacAddr::Parse("02:00:00:00:00:02")) {}

PacketBuilder& PacketBuilder::Eth(const MacAddr& src, const MacAddr& dst) {
  eth_src_ = src;
  eth_dst_ = dst;
  return *this;
}
PacketBuilder& PacketBuilder::Vlan(uint16_t vid, uint16_t tpid) {
  vlans_.emplace_back(tpid, vid);
  return *this;
}
PacketBuilder& PacketBuilder::EtherType(uint16_t type) {
  ethertype_ = type;
  return *this;
}
PacketBuilder& PacketBuilder::PadTo(size_t frame_len) {
  pad_to_ = frame_len;
  return *this;
}

PacketBuilder& PacketBuilder::Ipv4(const IpAddr& src, const IpAddr& dst) {
  if (!src.is_v4() || !dst.is_v4()) throw std::invalid_argument("Ipv4() needs IPv4 addresses");
  l3_ = L3::kIpv4;
  ip_src_ = src;
  ip_dst_ = dst;
  return *this;
}
PacketBuilder& PacketBuilder::Ipv6(const IpAddr& src, const IpAddr& dst) {
  if (src.is_v4() || dst.is_v4()) throw std::invalid_argument("Ipv6() needs IPv6 addresses");
  l3_ = L3::kIpv6;
  ip_src_ = src;
  ip_dst_ = dst;
  return *this;
}
PacketBuilder& PacketBuilder::Ip(const IpAddr& src, const IpAddr& dst) {
  return src.is_v4() ? Ipv4(src, dst) : Ipv6(src, dst);
}
PacketBuilder& PacketBuilder::Ttl(uint8_t ttl) {
  ttl_ = ttl;
  return *this;
}
PacketBuilder& PacketBuilder::Tos(uint8_t tos) {
  tos_ = tos;
  return *this;
}
PacketBuilder& PacketBuilder::IpId(uint16_t id) {
  ip_id_ = id;
  return *this;
}
PacketBuilder& PacketBuilder::DontFragment(bool df) {
  df_ = df;
  return *this;
}
PacketBuilder& PacketBuilder::Ipv4Options(std::vector<uint8_t> options) {
  PadToMultiple(options, 4);
  if (options.size() > 40) throw std::invalid_argument("IPv4 options exceed 40 bytes");
  ipv4_options_ = std::move(options);
  return *this;
}
PacketBuilder& PacketBuilder::Ipv4Fragment(uint16_t offset_bytes, bool more_fragments) {
  if (offset_bytes % 8) throw std::invalid_argument("fragment offsets are multiples of 8");
  frag_offset_ = offset_bytes;
  mf_ = more_fragments;
  return *this;
}
PacketBuilder& PacketBuilder::FlowLabel(uint32_t label) {
  flow_label_ = label & 0xfffff;
  return *this;
}
PacketBuilder& PacketBuilder::HopByHop(size_t length) {
  ext_.push_back({IPPROTO_HOPOPTS, PaddedOptionsHeader(length)});
  return *this;
}
PacketBuilder& PacketBuilder::DestinationOptions(size_t length) {
  ext_.push_back({IPPROTO_DSTOPTS, PaddedOptionsHeader(length)});
  return *this;
}
PacketBuilder& PacketBuilder::Routing(uint8_t type, uint8_t segments_left,
                                      std::vector<IpAddr> addresses) {
  std::vector<uint8_t> body = {static_cast<uint8_t>(2 * addresses.size()), type, segments_left, 0,
                               0, 0, 0};
  for (const IpAddr& a : addresses) body.insert(body.end(), a.bytes().begin(), a.bytes().end());
  if (segments_left > 0 && !addresses.empty()) routing_final_dst_ = addresses.back();
  ext_.push_back({IPPROTO_ROUTING, std::move(body)});
  return *this;
}
PacketBuilder& PacketBuilder::Ipv6Fragment(uint16_t offset_bytes, bool more_fragments,
                                           uint32_t id) {
  if (offset_bytes % 8) throw std::invalid_argument("fragment offsets are multiples of 8");
  const uint16_t field = static_cast<uint16_t>(offset_bytes | (more_fragments ? 1 : 0));
  ext_.push_back({IPPROTO_FRAGMENT,
                  {0, static_cast<uint8_t>(field >> 8), static_cast<uint8_t>(field),
                   static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16),
                   static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)}});
  return *this;
}
PacketBuilder& PacketBuilder::AuthHeader(size_t icv_length) {
  const size_t total = 12 + icv_length;
  if (total % 8) throw std::invalid_argument("an IPv6 AH is a multiple of 8 bytes");
  std::vector<uint8_t> body = {static_cast<uint8_t>(total / 4 - 2), 0, 0};
  const uint8_t spi_and_seq[] = {0, 0, 0x10, 0x01, 0, 0, 0, 1};
  body.insert(body.end(), std::begin(spi_and_seq), std::end(spi_and_seq));
  body.resize(total - 1, 0xab);  // the ICV
  ext_.push_back({IPPROTO_AH, std::move(body)});
  return *this;
}
PacketBuilder& PacketBuilder::RawExtHeader(uint8_t type, std::vector<uint8_t> after_next_header) {
  ext_.push_back({type, std::move(after_next_header)});
  return *this;
}

PacketBuilder& PacketBuilder::Tcp(uint16_t sport, uint16_t dport) {
  l4_ = L4::kTcp;
  sport_ = sport;
  dport_ = dport;
  return *this;
}
PacketBuilder& PacketBuilder::Flags(uint8_t flags) {
  tcp_flags_ = flags;
  return *this;
}
PacketBuilder& PacketBuilder::Seq(uint32_t seq) {
  seq_ = seq;
  return *this;
}
PacketBuilder& PacketBuilder::Ack(uint32_t ack) {
  ack_ = ack;
  return *this;
}
PacketBuilder& PacketBuilder::Window(uint16_t window) {
  window_ = window;
  return *this;
}
PacketBuilder& PacketBuilder::TcpOptions(std::vector<uint8_t> options) {
  PadToMultiple(options, 4);
  if (options.size() > 40) throw std::invalid_argument("TCP options exceed 40 bytes");
  tcp_options_ = std::move(options);
  return *this;
}
PacketBuilder& PacketBuilder::Udp(uint16_t sport, uint16_t dport) {
  l4_ = L4::kUdp;
  sport_ = sport;
  dport_ = dport;
  return *this;
}
PacketBuilder& PacketBuilder::Transport(uint8_t proto, uint16_t sport, uint16_t dport) {
  if (proto == IPPROTO_TCP) return Tcp(sport, dport);
  if (proto == IPPROTO_UDP) return Udp(sport, dport);
  throw std::invalid_argument("Transport() takes TCP or UDP, not " + std::to_string(proto));
}
PacketBuilder& PacketBuilder::Ports(uint16_t sport, uint16_t dport) {
  if (l4_ != L4::kTcp && l4_ != L4::kUdp) throw std::logic_error("Ports() before Tcp()/Udp()");
  sport_ = sport;
  dport_ = dport;
  return *this;
}
PacketBuilder& PacketBuilder::Icmp(uint8_t type, uint8_t code, uint32_t rest) {
  l4_ = L4::kIcmp;
  icmp_type_ = type;
  icmp_code_ = code;
  icmp_rest_ = rest;
  return *this;
}
PacketBuilder& PacketBuilder::OtherL4(uint8_t protocol) {
  l4_ = L4::kOther;
  other_proto_ = protocol;
  return *this;
}
PacketBuilder& PacketBuilder::Payload(std::span<const uint8_t> bytes) {
  payload_.assign(bytes.begin(), bytes.end());
  return *this;
}
PacketBuilder& PacketBuilder::Payload(std::string_view text) {
  payload_.assign(text.begin(), text.end());
  return *this;
}

PacketBuilder& PacketBuilder::Ipv4IhlField(uint8_t ihl) {
  ihl_field_ = ihl & 0xf;
  return *this;
}
PacketBuilder& PacketBuilder::IpLengthField(uint16_t length) {
  ip_length_field_ = length;
  return *this;
}
PacketBuilder& PacketBuilder::UdpLengthField(uint16_t length) {
  udp_length_field_ = length;
  return *this;
}
PacketBuilder& PacketBuilder::TcpDataOffsetField(uint8_t doff) {
  doff_field_ = doff & 0xf;
  return *this;
}
PacketBuilder& PacketBuilder::L4ChecksumField(uint16_t checksum) {
  l4_checksum_field_ = checksum;
  return *this;
}

uint8_t PacketBuilder::L4Protocol() const {
  switch (l4_) {
    case L4::kTcp:
      return IPPROTO_TCP;
    case L4::kUdp:
      return IPPROTO_UDP;
    case L4::kIcmp:
      return l3_ == L3::kIpv6 ? kProtoIcmpv6 : kProtoIcmp;
    case L4::kOther:
      return other_proto_;
    case L4::kNone:
      break;
  }
  return IPPROTO_NONE;  // 59: nothing follows
}

IpAddr PacketBuilder::PseudoHeaderDestination() const {
  return routing_final_dst_ ? *routing_final_dst_ : ip_dst_;
}

// The L4 header and payload with its checksum.
Frame PacketBuilder::L4Bytes() const {
  Frame f;
  size_t csum_off = 0;
  bool pseudo = true;
  switch (l4_) {
    case L4::kTcp: {
      const size_t hlen = 20 + tcp_options_.size();
      Put16(f, sport_);
      Put16(f, dport_);
      Put32(f, seq_);
      Put32(f, ack_);
      Put8(f, static_cast<uint8_t>(doff_field_.value_or(hlen / 4) << 4));
      Put8(f, tcp_flags_);
      Put16(f, window_);
      csum_off = f.size();
      Put16(f, 0);
      Put16(f, 0);  // urgent pointer
      PutBytes(f, tcp_options_);
      break;
    }
    case L4::kUdp:
      Put16(f, sport_);
      Put16(f, dport_);
      Put16(f, udp_length_field_.value_or(static_cast<uint16_t>(8 + payload_.size())));
      csum_off = f.size();
      Put16(f, 0);
      break;
    case L4::kIcmp:
      Put8(f, icmp_type_);
      Put8(f, icmp_code_);
      csum_off = f.size();
      Put16(f, 0);
      Put32(f, icmp_rest_);
      pseudo = l3_ == L3::kIpv6;  // ICMPv6 covers a pseudo header, ICMP does not
      break;
    case L4::kOther:
    case L4::kNone:
      PutBytes(f, payload_);
      return f;
  }
  PutBytes(f, payload_);
  uint32_t sum = 0;
  if (pseudo && l3_ != L3::kNone)
    sum = PseudoHeaderSum(ip_src_, PseudoHeaderDestination(), L4Protocol(),
                          static_cast<uint32_t>(f.size()));
  uint16_t csum = ChecksumFinish(ChecksumAdd(sum, f));
  if (l4_ == L4::kUdp && csum == 0) csum = 0xffff;  // zero means "none" (RFC 768)
  Set16(f, csum_off, l4_checksum_field_.value_or(csum));
  return f;
}

void PacketBuilder::AppendL3(Frame& f, size_t l4_size, uint8_t l4_proto) const {
  if (l3_ == L3::kIpv4) {
    const size_t start = f.size();
    const size_t hlen = 20 + ipv4_options_.size();
    Put8(f, static_cast<uint8_t>(0x40 | ihl_field_.value_or(static_cast<uint8_t>(hlen / 4))));
    Put8(f, tos_);
    Put16(f, ip_length_field_.value_or(static_cast<uint16_t>(hlen + l4_size)));
    Put16(f, ip_id_);
    Put16(f, static_cast<uint16_t>((df_ ? 0x4000 : 0) | (mf_ ? 0x2000 : 0) | (frag_offset_ / 8)));
    Put8(f, ttl_);
    Put8(f, l4_proto);
    Put16(f, 0);
    PutBytes(f, ip_src_.bytes());
    PutBytes(f, ip_dst_.bytes());
    PutBytes(f, ipv4_options_);
    Set16(f, start + 10,
          ChecksumFinish(ChecksumAdd(0, std::span(f).subspan(start, hlen))));
    return;
  }
  size_t ext_size = 0;
  for (const ExtHeader& e : ext_) ext_size += 1 + e.after_next_header.size();
  Put32(f, (6u << 28) | (uint32_t{tos_} << 20) | flow_label_);
  Put16(f, ip_length_field_.value_or(static_cast<uint16_t>(ext_size + l4_size)));
  Put8(f, ext_.empty() ? l4_proto : ext_.front().type);
  Put8(f, ttl_);
  PutBytes(f, ip_src_.bytes());
  PutBytes(f, ip_dst_.bytes());
  for (size_t i = 0; i < ext_.size(); ++i) {
    Put8(f, i + 1 < ext_.size() ? ext_[i + 1].type : l4_proto);
    PutBytes(f, ext_[i].after_next_header);
  }
}

Frame PacketBuilder::Build() const {
  Frame f;
  PutBytes(f, eth_dst_.bytes);
  PutBytes(f, eth_src_.bytes);
  for (const auto& [tpid, vid] : vlans_) {
    Put16(f, tpid);
    Put16(f, vid & 0x0fff);
  }
  if (l3_ == L3::kNone && !ethertype_)
    throw std::invalid_argument("a frame without IP needs EtherType()");
  const uint16_t type = l3_ == L3::kIpv4 ? ethertype::kIpv4 : ethertype::kIpv6;
  Put16(f, ethertype_.value_or(type));
  if (l3_ == L3::kNone) {
    PutBytes(f, payload_);
  } else {
    const Frame l4 = L4Bytes();
    AppendL3(f, l4.size(), L4Protocol());
    PutBytes(f, l4);
  }
  if (f.size() < pad_to_) f.resize(pad_to_, 0);
  return f;
}

}  // namespace sluice::bpftest
