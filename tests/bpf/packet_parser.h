// Decodes frames the BPF programs return, independently of the datapath's own parser,
// and checks their checksums in full (never incrementally): the IPv4 header checksum
// and the TCP, UDP, ICMP and ICMPv6 checksums over the lengths the headers declare.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bpf/net_types.h"

namespace sluice::bpftest {

struct DecodedFrame {
  enum class L3 { kNone, kIpv4, kIpv6 };

  MacAddr eth_dst, eth_src;
  std::vector<uint16_t> vlan_ids;
  uint16_t ethertype = 0;  // after any VLAN tags

  L3 l3 = L3::kNone;
  size_t l3_off = 0;
  size_t l3_len = 0;  // IPv4 total length / 40 + IPv6 payload length
  IpAddr src, dst;
  IpAddr pseudo_dst;  // the final destination (IPv6 routing header) for L4 checksums
  uint8_t ttl = 0;    // or hop limit
  uint8_t tos = 0;    // or traffic class
  uint16_t ip_id = 0;
  bool dont_fragment = false;
  bool is_fragment = false;  // IPv4 MF/offset or an IPv6 fragment header
  std::vector<uint8_t> ext_headers;  // IPv6 extension header types, in order

  uint8_t l4_proto = 0;
  size_t l4_off = 0;
  size_t l4_len = 0;  // from the L4 header to the end of the IP packet
  bool l4_complete = false;  // the whole L4 header is present (and not a fragment)
  uint16_t sport = 0, dport = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t tcp_flags = 0;
  uint8_t tcp_hlen = 0;
  uint16_t window = 0;
  uint16_t udp_len = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  uint32_t icmp_rest = 0;
  uint16_t l4_checksum = 0;
  size_t payload_off = 0;
  size_t payload_len = 0;

  // Why decoding stopped early ("" when every layer was read).
  std::string stopped;

  // One line a person can read: addresses, ports, flags, TTL, lengths.
  std::string Describe() const;
  // Which field byte `off` of the frame belongs to ("IPv4 header +12", "TCP payload +3").
  std::string RegionOf(size_t off) const;
};

DecodedFrame Decode(std::span<const uint8_t> frame);

// What is wrong with the frame's checksums; empty when every one is right. Fragments
// have no L4 checksum to check; a frame that does not decode is a problem.
std::vector<std::string> ChecksumProblems(std::span<const uint8_t> frame);

}  // namespace sluice::bpftest
