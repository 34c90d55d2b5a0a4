// The Internet checksum (RFC 1071) computed in full over bytes, never incrementally:
// the reference the datapath's incremental updates (RFC 1624) are checked against.
#pragma once

#include <cstdint>
#include <span>

#include "bpf/net_types.h"

namespace sluice::bpftest {

// One's complement sum of `bytes` as big-endian 16-bit words (an odd last byte is
// padded with zero), added to `sum` and not yet folded.
uint32_t ChecksumAdd(uint32_t sum, std::span<const uint8_t> bytes);

// Folds a running sum to 16 bits and complements it: the value a header carries, in
// host order.
uint16_t ChecksumFinish(uint32_t sum);

// The sum of the pseudo header of an L4 segment (RFC 793/768 for IPv4, RFC 8200 8.1
// for IPv6) with `l4_length` bytes of protocol `proto`.
uint32_t PseudoHeaderSum(const IpAddr& src, const IpAddr& dst, uint8_t proto, uint32_t l4_length);

}  // namespace sluice::bpftest
