#include "bpf/packet_parser.h"

#include <netinet/in.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "bpf/checksum.h"

namespace sluice::bpftest {
namespace {

constexpr size_t kEthHlen = 14;
constexpr int kMaxExtHeaders = 16;

uint16_t Get16(std::span<const uint8_t> b, size_t off) {
  return static_cast<uint16_t>((b[off] << 8) | b[off + 1]);
}
uint32_t Get32(std::span<const uint8_t> b, size_t off) {
  return (uint32_t{Get16(b, off)} << 16) | Get16(b, off + 2);
}

IpAddr AddrAt(std::span<const uint8_t> b, size_t off, bool v4) {
  return IpAddr::FromBytes(b.subspan(off, v4 ? 4 : 16));
}

void DecodeL4(std::span<const uint8_t> f, DecodedFrame& d) {
  const size_t avail = f.size() - d.l4_off;
  auto need = [&](size_t n, const char* what) {
    if (avail >= n && d.l4_len >= n) return true;
    d.stopped = std::string(what) + " header truncated";
    return false;
  };
  switch (d.l4_proto) {
    case IPPROTO_TCP:
      if (!need(20, "TCP")) return;
      d.sport = Get16(f, d.l4_off);
      d.dport = Get16(f, d.l4_off + 2);
      d.seq = Get32(f, d.l4_off + 4);
      d.ack = Get32(f, d.l4_off + 8);
      d.tcp_hlen = static_cast<uint8_t>((f[d.l4_off + 12] >> 4) * 4);
      d.tcp_flags = f[d.l4_off + 13];
      d.window = Get16(f, d.l4_off + 14);
      d.l4_checksum = Get16(f, d.l4_off + 16);
      if (d.tcp_hlen < 20 || d.tcp_hlen > d.l4_len || d.tcp_hlen > avail) {
        d.stopped = "TCP data offset " + std::to_string(d.tcp_hlen) + " inconsistent";
        return;
      }
      d.payload_off = d.l4_off + d.tcp_hlen;
      d.payload_len = d.l4_len - d.tcp_hlen;
      break;
    case IPPROTO_UDP:
      if (!need(8, "UDP")) return;
      d.sport = Get16(f, d.l4_off);
      d.dport = Get16(f, d.l4_off + 2);
      d.udp_len = Get16(f, d.l4_off + 4);
      d.l4_checksum = Get16(f, d.l4_off + 6);
      if (d.udp_len < 8 || d.udp_len > d.l4_len) {
        d.stopped = "UDP length " + std::to_string(d.udp_len) + " inconsistent";
        return;
      }
      d.payload_off = d.l4_off + 8;
      d.payload_len = d.udp_len - 8u;
      break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
      if (!need(8, "ICMP")) return;
      d.icmp_type = f[d.l4_off];
      d.icmp_code = f[d.l4_off + 1];
      d.l4_checksum = Get16(f, d.l4_off + 2);
      d.icmp_rest = Get32(f, d.l4_off + 4);
      d.payload_off = d.l4_off + 8;
      d.payload_len = d.l4_len - 8;
      break;
    default:
      d.payload_off = d.l4_off;
      d.payload_len = d.l4_len;
      return;
  }
  d.l4_complete = true;
}

void DecodeIpv4(std::span<const uint8_t> f, DecodedFrame& d) {
  const size_t off = d.l3_off;
  if (f.size() < off + 20) {
    d.stopped = "IPv4 header truncated";
    return;
  }
  const size_t hlen = (f[off] & 0xf) * 4u;
  d.l3 = DecodedFrame::L3::kIpv4;
  d.tos = f[off + 1];
  d.l3_len = Get16(f, off + 2);
  d.ip_id = Get16(f, off + 4);
  const uint16_t frag = Get16(f, off + 6);
  d.dont_fragment = frag & 0x4000;
  d.is_fragment = frag & 0x3fff;
  d.ttl = f[off + 8];
  d.l4_proto = f[off + 9];
  d.src = AddrAt(f, off + 12, true);
  d.dst = AddrAt(f, off + 16, true);
  d.pseudo_dst = d.dst;
  if ((f[off] >> 4) != 4 || hlen < 20 || hlen > d.l3_len || off + d.l3_len > f.size()) {
    d.stopped = "IPv4 version/header length/total length inconsistent";
    return;
  }
  d.l4_off = off + hlen;
  d.l4_len = d.l3_len - hlen;
  if (d.is_fragment) {
    d.stopped = "IPv4 fragment";
    return;
  }
  DecodeL4(f, d);
}

void DecodeIpv6(std::span<const uint8_t> f, DecodedFrame& d) {
  size_t off = d.l3_off;
  if (f.size() < off + 40) {
    d.stopped = "IPv6 header truncated";
    return;
  }
  d.l3 = DecodedFrame::L3::kIpv6;
  d.tos = static_cast<uint8_t>(Get16(f, off) >> 4);
  d.l3_len = 40u + Get16(f, off + 4);
  d.ttl = f[off + 7];
  d.src = AddrAt(f, off + 8, false);
  d.dst = AddrAt(f, off + 24, false);
  d.pseudo_dst = d.dst;
  if ((f[off] >> 4) != 6 || off + d.l3_len > f.size()) {
    d.stopped = "IPv6 version/payload length inconsistent";
    return;
  }
  const size_t end = off + d.l3_len;
  uint8_t next = f[off + 6];
  off += 40;
  for (int i = 0; i < kMaxExtHeaders; ++i) {
    size_t len;
    if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS &&
        next != IPPROTO_FRAGMENT && next != IPPROTO_AH)
      break;
    if (off + 2 > end) {
      d.stopped = "IPv6 extension header truncated";
      return;
    }
    d.ext_headers.push_back(next);
    if (next == IPPROTO_FRAGMENT) {
      len = 8;
      d.is_fragment = true;
    } else if (next == IPPROTO_AH) {
      len = (f[off + 1] + 2u) * 4;
    } else {
      len = (f[off + 1] + 1u) * 8;
    }
    if (off + len > end) {
      d.stopped = "IPv6 extension header truncated";
      return;
    }
    // RFC 8200 8.1: with segments left, the pseudo header names the last address.
    if (next == IPPROTO_ROUTING && f[off + 3] > 0 && len >= 24)
      d.pseudo_dst = AddrAt(f, off + len - 16, false);
    next = f[off];
    off += len;
  }
  d.l4_proto = next;
  d.l4_off = off;
  d.l4_len = end - off;
  if (d.is_fragment) {
    d.stopped = "IPv6 fragment";
    return;
  }
  DecodeL4(f, d);
}

std::string FlagText(uint8_t flags) {
  std::string s;
  const char names[] = "FSRPAUEC";
  for (int i = 0; i < 8; ++i)
    if (flags & (1 << i)) s += names[i];
  return s.empty() ? "none" : s;
}

}  // namespace

DecodedFrame Decode(std::span<const uint8_t> f) {
  DecodedFrame d;
  if (f.size() < kEthHlen) {
    d.stopped = "shorter than an Ethernet header";
    return d;
  }
  std::copy_n(f.begin(), 6, d.eth_dst.bytes.begin());
  std::copy_n(f.begin() + 6, 6, d.eth_src.bytes.begin());
  size_t off = 12;
  d.ethertype = Get16(f, off);
  while (d.ethertype == 0x8100 || d.ethertype == 0x88a8) {
    if (f.size() < off + 6) {
      d.stopped = "VLAN tag truncated";
      return d;
    }
    d.vlan_ids.push_back(Get16(f, off + 2) & 0x0fff);
    off += 4;
    d.ethertype = Get16(f, off);
  }
  d.l3_off = off + 2;
  if (d.ethertype == 0x0800)
    DecodeIpv4(f, d);
  else if (d.ethertype == 0x86dd)
    DecodeIpv6(f, d);
  else
    d.stopped = "not IP";
  return d;
}

std::string DecodedFrame::Describe() const {
  std::ostringstream o;
  o << eth_src.ToString() << " > " << eth_dst.ToString();
  for (uint16_t vid : vlan_ids) o << " vlan " << vid;
  char type[16];
  std::snprintf(type, sizeof(type), "0x%04x", ethertype);
  if (l3 == L3::kNone) {
    o << " ethertype " << type;
  } else {
    o << (l3 == L3::kIpv4 ? " IPv4 " : " IPv6 ") << src.ToString();
    if (l4_complete && (l4_proto == IPPROTO_TCP || l4_proto == IPPROTO_UDP)) o << ":" << sport;
    o << " > " << dst.ToString();
    if (l4_complete && (l4_proto == IPPROTO_TCP || l4_proto == IPPROTO_UDP)) o << ":" << dport;
    o << " ttl " << int(ttl) << " len " << l3_len;
    if (l3 == L3::kIpv4) o << " id " << ip_id << (dont_fragment ? " DF" : "");
    for (uint8_t e : ext_headers) o << " ext " << int(e);
    if (l4_proto == IPPROTO_TCP && l4_complete)
      o << " TCP [" << FlagText(tcp_flags) << "] seq " << seq << " ack " << ack << " win "
        << window;
    else if (l4_proto == IPPROTO_UDP && l4_complete)
      o << " UDP len " << udp_len;
    else if ((l4_proto == IPPROTO_ICMP || l4_proto == IPPROTO_ICMPV6) && l4_complete)
      o << (l4_proto == IPPROTO_ICMP ? " ICMP" : " ICMPv6") << " type " << int(icmp_type)
        << " code " << int(icmp_code);
    else
      o << " proto " << int(l4_proto);
    if (l4_complete) o << " payload " << payload_len << "B";
  }
  if (!stopped.empty()) o << " (" << stopped << ")";
  return o.str();
}

std::string DecodedFrame::RegionOf(size_t off) const {
  auto at = [](const char* what, size_t rel) { return std::string(what) + " +" + std::to_string(rel); };
  if (off < 12) return at("Ethernet addresses", off);
  if (l3 == L3::kNone || off < l3_off) return at("Ethernet type/tags", off - 12);
  const char* l3_name = l3 == L3::kIpv4 ? "IPv4 header" : "IPv6 header/extensions";
  if (l4_off == 0 || off < l4_off) return at(l3_name, off - l3_off);
  if (l4_complete && off < payload_off) {
    const char* name = l4_proto == IPPROTO_TCP   ? "TCP header"
                       : l4_proto == IPPROTO_UDP ? "UDP header"
                                                 : "ICMP header";
    return at(name, off - l4_off);
  }
  if (off < l3_off + l3_len) return at("L4 payload", off - (l4_complete ? payload_off : l4_off));
  return at("after the IP packet (padding)", off - (l3_off + l3_len));
}

std::vector<std::string> ChecksumProblems(std::span<const uint8_t> f) {
  std::vector<std::string> problems;
  const DecodedFrame d = Decode(f);
  if (d.l3 == DecodedFrame::L3::kNone) {
    problems.push_back("no IP packet to check: " + d.stopped);
    return problems;
  }
  if (d.l3 == DecodedFrame::L3::kIpv4 && f.size() >= d.l3_off + 20) {
    const size_t hlen = (f[d.l3_off] & 0xf) * 4u;
    if (hlen >= 20 && d.l3_off + hlen <= f.size() &&
        ChecksumFinish(ChecksumAdd(0, f.subspan(d.l3_off, hlen))) != 0)
      problems.push_back("IPv4 header checksum wrong");
  }
  if (d.is_fragment) return problems;
  if (!d.l4_complete) {
    problems.push_back("cannot check the L4 checksum: " + d.stopped);
    return problems;
  }
  const auto segment = f.subspan(d.l4_off, d.l4_proto == IPPROTO_UDP ? d.udp_len : d.l4_len);
  uint32_t sum = 0;
  const char* name = "TCP";
  switch (d.l4_proto) {
    case IPPROTO_UDP:
      name = "UDP";
      if (d.l4_checksum == 0) {
        if (d.l3 == DecodedFrame::L3::kIpv6) problems.push_back("UDP over IPv6 without checksum");
        return problems;
      }
      [[fallthrough]];
    case IPPROTO_TCP:
    case IPPROTO_ICMPV6:
      if (d.l4_proto == IPPROTO_ICMPV6) name = "ICMPv6";
      sum = PseudoHeaderSum(d.src, d.pseudo_dst, d.l4_proto, static_cast<uint32_t>(segment.size()));
      break;
    case IPPROTO_ICMP:
      name = "ICMP";
      break;
    default:
      return problems;  // no checksum we know of
  }
  if (ChecksumFinish(ChecksumAdd(sum, segment)) != 0) {
    char got[8];
    std::snprintf(got, sizeof(got), "0x%04x", d.l4_checksum);
    problems.push_back(std::string(name) + " checksum " + got + " wrong");
  }
  return problems;
}

}  // namespace sluice::bpftest
