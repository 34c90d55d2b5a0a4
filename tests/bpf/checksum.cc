#include "bpf/checksum.h"

namespace sluice::bpftest {

uint32_t ChecksumAdd(uint32_t sum, std::span<const uint8_t> bytes) {
  uint64_t s = sum;
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) s += (uint32_t{bytes[i]} << 8) | bytes[i + 1];
  if (i < bytes.size()) s += uint32_t{bytes[i]} << 8;
  while (s >> 32) s = (s & 0xffffffff) + (s >> 32);
  return static_cast<uint32_t>(s);
}

uint16_t ChecksumFinish(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

uint32_t PseudoHeaderSum(const IpAddr& src, const IpAddr& dst, uint8_t proto, uint32_t l4_length) {
  uint32_t sum = ChecksumAdd(0, src.bytes());
  sum = ChecksumAdd(sum, dst.bytes());
  // IPv4: zero, protocol, 16-bit length; IPv6: 32-bit length, three zeros, next header.
  // Both sum to the same 16-bit words as long as the length fits in 16 bits.
  const uint8_t tail[] = {static_cast<uint8_t>(l4_length >> 24), static_cast<uint8_t>(l4_length >> 16),
                          static_cast<uint8_t>(l4_length >> 8), static_cast<uint8_t>(l4_length), 0,
                          0, 0, proto};
  return ChecksumAdd(sum, tail);
}

}  // namespace sluice::bpftest
