#include "base/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace sluice {

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string buf(text);
  IpAddress ip;
  if (inet_pton(AF_INET, buf.c_str(), ip.bytes_.data()) == 1) {
    ip.family_ = IpFamily::kV4;
    return ip;
  }
  if (inet_pton(AF_INET6, buf.c_str(), ip.bytes_.data()) == 1) {
    ip.family_ = IpFamily::kV6;
    return ip;
  }
  return std::nullopt;
}

IpAddress IpAddress::FromV4(uint32_t host_order) {
  IpAddress ip;
  ip.family_ = IpFamily::kV4;
  uint32_t be = htonl(host_order);
  std::memcpy(ip.bytes_.data(), &be, 4);
  return ip;
}

IpAddress IpAddress::FromDatapath(const sluice_addr& addr, uint8_t family) {
  IpAddress ip;
  ip.family_ = family == SLUICE_AF_INET6 ? IpFamily::kV6 : IpFamily::kV4;
  std::memcpy(ip.bytes_.data(), addr.bytes, ip.is_v4() ? 4 : 16);
  return ip;
}

bool IpAddress::is_unspecified() const {
  for (uint8_t b : bytes_)
    if (b != 0) return false;
  return true;
}

sluice_addr IpAddress::ToDatapath() const {
  sluice_addr addr{};
  std::memcpy(addr.bytes, bytes_.data(), is_v4() ? 4 : 16);
  return addr;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof(buf));
  return buf;
}

std::string IpAddress::WithPort(uint16_t port) const {
  std::string host = ToString();
  if (!is_v4()) host = "[" + host + "]";
  return host + ":" + std::to_string(port);
}

std::string_view FamilyName(IpFamily family) {
  return family == IpFamily::kV4 ? "IPv4" : "IPv6";
}

std::optional<IpPrefix> IpPrefix::Parse(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = IpAddress::Parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  std::string_view len_text = text.substr(slash + 1);
  unsigned length = 0;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), length);
  if (ec != std::errc() || end != len_text.data() + len_text.size() || len_text.empty())
    return std::nullopt;
  if (length > (address->is_v4() ? 32u : 128u)) return std::nullopt;
  return IpPrefix{*address, static_cast<uint8_t>(length)};
}

bool IpPrefix::Contains(const IpAddress& ip) const {
  if (ip.family() != address.family()) return false;
  const auto& a = address.bytes();
  const auto& b = ip.bytes();
  unsigned full = length / 8, rest = length % 8;
  if (std::memcmp(a.data(), b.data(), full) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

std::string IpPrefix::ToString() const {
  return address.ToString() + "/" + std::to_string(length);
}

}  // namespace sluice

size_t std::hash<sluice::IpAddress>::operator()(const sluice::IpAddress& ip) const noexcept {
  // FNV-1a over family and bytes: addresses are short and this is not on a hot path
  // an attacker controls.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint8_t b) { h = (h ^ b) * 1099511628211ull; };
  mix(static_cast<uint8_t>(ip.family()));
  for (uint8_t b : ip.bytes()) mix(b);
  return static_cast<size_t>(h);
}
