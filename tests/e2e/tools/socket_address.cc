#include "socket_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace sluice::e2e {
namespace {

std::optional<uint16_t> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

std::optional<SocketAddress> FromHostAndPort(std::string_view host, uint16_t port) {
  const std::string host_text(host);
  sockaddr_in v4{};
  if (inet_pton(AF_INET, host_text.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    return SocketAddress(reinterpret_cast<const sockaddr*>(&v4), sizeof(v4));
  }
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET6, host_text.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    return SocketAddress(reinterpret_cast<const sockaddr*>(&v6), sizeof(v6));
  }
  return std::nullopt;
}

}  // namespace

SocketAddress::SocketAddress(const sockaddr* addr, socklen_t length) {
  length_ = std::min<socklen_t>(length, sizeof(storage_));
  std::memcpy(&storage_, addr, length_);
}

std::optional<SocketAddress> SocketAddress::Parse(std::string_view text) {
  if (text.starts_with('[')) {
    const size_t close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    auto port = ParsePort(text.substr(close + 2));
    if (!port) return std::nullopt;
    auto address = FromHostAndPort(text.substr(1, close - 1), *port);
    if (address && address->family() != AF_INET6) return std::nullopt;
    return address;
  }
  const size_t colon = text.rfind(':');
  // More than one colon without brackets is an IPv6 address with no port.
  if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
  auto port = ParsePort(text.substr(colon + 1));
  if (!port) return std::nullopt;
  auto address = FromHostAndPort(text.substr(0, colon), *port);
  if (address && address->family() != AF_INET) return std::nullopt;
  return address;
}

std::optional<SocketAddress> SocketAddress::ParseHostOrEndpoint(std::string_view text) {
  if (auto endpoint = Parse(text)) return endpoint;
  return FromHostAndPort(text, 0);
}

uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

std::string SocketAddress::HostString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, text,
              sizeof(text));
  } else if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, text,
              sizeof(text));
  } else {
    return "?";
  }
  return text;
}

std::string SocketAddress::ToString() const {
  if (family() == AF_INET6) return "[" + HostString() + "]:" + std::to_string(port());
  return HostString() + ":" + std::to_string(port());
}

std::string LocalAddressOf(int fd) {
  SocketAddress address;
  address.ResetForReceive();
  if (getsockname(fd, address.get(), address.mutable_length()) != 0) return "";
  return address.ToString();
}

std::string PeerAddressOf(int fd) {
  SocketAddress address;
  address.ResetForReceive();
  if (getpeername(fd, address.get(), address.mutable_length()) != 0) return "";
  return address.ToString();
}

std::string ErrnoName(int error) {
  if (const char* name = strerrorname_np(error)) return name;
  return "E" + std::to_string(error);
}

}  // namespace sluice::e2e
