// An IPv4 or IPv6 address as the control plane handles it: parsed once from the
// API's strings, compared and hashed as bytes, converted to the datapath's
// union sluice_addr at the edge.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/abi.h"

namespace sluice {

enum class IpFamily : uint8_t { kV4 = SLUICE_AF_INET, kV6 = SLUICE_AF_INET6 };

class IpAddress {
 public:
  IpAddress() = default;

  // Accepts the canonical text forms only ("10.0.0.1", "fd00::1"); anything else,
  // including surrounding spaces and zone ids, is nullopt.
  static std::optional<IpAddress> Parse(std::string_view text);
  static IpAddress FromV4(uint32_t host_order);
  static IpAddress FromDatapath(const sluice_addr& addr, uint8_t family);

  IpFamily family() const { return family_; }
  bool is_v4() const { return family_ == IpFamily::kV4; }
  bool is_unspecified() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  sluice_addr ToDatapath() const;
  std::string ToString() const;
  // "1.2.3.4:80" or "[fd00::1]:80".
  std::string WithPort(uint16_t port) const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  IpFamily family_ = IpFamily::kV4;
  std::array<uint8_t, 16> bytes_{};  // IPv4 in the first 4 bytes, the rest zero
};

std::string_view FamilyName(IpFamily family);  // "IPv4" / "IPv6"

// A CIDR block such as loadBalancerSourceRanges entries.
struct IpPrefix {
  IpAddress address;
  uint8_t length = 0;

  static std::optional<IpPrefix> Parse(std::string_view text);
  bool Contains(const IpAddress& ip) const;
  std::string ToString() const;
  auto operator<=>(const IpPrefix&) const = default;
};

}  // namespace sluice

template <>
struct std::hash<sluice::IpAddress> {
  size_t operator()(const sluice::IpAddress& ip) const noexcept;
};
