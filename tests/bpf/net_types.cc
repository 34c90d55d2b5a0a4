#include "bpf/net_types.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace sluice::bpftest {

IpAddr IpAddr::V4(std::string_view text) {
  IpAddr a;
  if (inet_pton(AF_INET, std::string(text).c_str(), a.bytes_.data()) != 1)
    throw std::invalid_argument("not an IPv4 address: " + std::string(text));
  return a;
}

IpAddr IpAddr::V6(std::string_view text) {
  IpAddr a;
  a.v4_ = false;
  if (inet_pton(AF_INET6, std::string(text).c_str(), a.bytes_.data()) != 1)
    throw std::invalid_argument("not an IPv6 address: " + std::string(text));
  return a;
}

IpAddr IpAddr::FromBytes(std::span<const uint8_t> bytes) {
  if (bytes.size() != 4 && bytes.size() != 16)
    throw std::invalid_argument("an address is 4 or 16 bytes, not " + std::to_string(bytes.size()));
  IpAddr a;
  a.v4_ = bytes.size() == 4;
  std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
  return a;
}

std::string IpAddr::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof(buf));
  return buf;
}

MacAddr MacAddr::Parse(std::string_view text) {
  MacAddr m;
  unsigned v[6];
  if (std::sscanf(std::string(text).c_str(), "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3],
                  &v[4], &v[5]) != 6)
    throw std::invalid_argument("not a MAC address: " + std::string(text));
  for (int i = 0; i < 6; ++i) m.bytes[i] = static_cast<uint8_t>(v[i]);
  return m;
}

std::string MacAddr::ToString() const {
  char buf[18];
  std::snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
                bytes[3], bytes[4], bytes[5]);
  return buf;
}

}  // namespace sluice::bpftest
