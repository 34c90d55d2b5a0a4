// Addresses as the BPF tests spell them: an IP address that knows its family (the
// datapath keys IPv4 in the first 4 of 16 bytes) and a MAC address.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

namespace sluice::bpftest {

class IpAddr {
 public:
  // Throw std::invalid_argument on text that is not an address of that family.
  static IpAddr V4(std::string_view text);
  static IpAddr V6(std::string_view text);
  // From 4 (IPv4) or 16 (IPv6) bytes in network order.
  static IpAddr FromBytes(std::span<const uint8_t> bytes);

  bool is_v4() const { return v4_; }
  // 4 bytes for IPv4, 16 for IPv6, network order.
  std::span<const uint8_t> bytes() const { return {bytes_.data(), v4_ ? 4u : 16u}; }
  // The 16-byte form the datapath's union sluice_addr holds (IPv4 first, then zeros).
  const std::array<uint8_t, 16>& padded() const { return bytes_; }
  std::string ToString() const;

  friend bool operator==(const IpAddr&, const IpAddr&) = default;

 private:
  bool v4_ = true;
  std::array<uint8_t, 16> bytes_{};
};

struct MacAddr {
  std::array<uint8_t, 6> bytes{};

  static MacAddr Parse(std::string_view text);  // "02:00:00:00:00:01"
  std::string ToString() const;
  friend bool operator==(const MacAddr&, const MacAddr&) = default;
};

inline std::ostream& operator<<(std::ostream& o, const IpAddr& a) { return o << a.ToString(); }
inline std::ostream& operator<<(std::ostream& o, const MacAddr& m) { return o << m.ToString(); }

}  // namespace sluice::bpftest
