// A backend's preference list over the table's slots (Maglev paper, §3.4):
//
//   offset = h1(name) mod M,  skip = h2(name) mod (M - 1) + 1,
//   permutation[j] = (offset + j * skip) mod M
//
// With M prime every skip in [1, M-1] is coprime with M, so the sequence visits each
// slot exactly once: a backend that keeps walking its list always finds a free slot.
// The list depends on the backend's key alone, never on the other backends, which is
// what keeps most slots in place when the backend set changes.
//
// The list is never materialized (that would be N × M entries): a PermutationCursor
// holds the next position and steps by `skip` with an add-and-wrap instead of a
// multiplication and a modulo per step.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::maglev {

struct Permutation {
  uint32_t offset = 0;  // permutation[0]
  uint32_t skip = 1;    // in [1, M-1]
};

// h1 = KeyHash(key, kOffsetSeed), h2 = KeyHash(key, kSkipSeed); table_size >= 2.
Permutation MakePermutation(std::string_view key, uint32_t table_size);

// (slot + skip) mod M for slot < M and skip < M, without a division. Both are below
// 2^31 here (table sizes are capped well below that), so the sum cannot wrap.
inline uint32_t NextSlot(uint32_t slot, uint32_t skip, uint32_t table_size) {
  const uint32_t next = slot + skip;
  return next >= table_size ? next - table_size : next;
}

// skip⁻¹ mod M (M prime, 0 < skip < M), by the extended Euclidean algorithm. With it a
// backend can tell how far along its walk a slot lies without walking there.
uint32_t InverseSkip(uint32_t skip, uint32_t table_size);

// How many steps of `skip` lead from slot `from` to slot `to`: the j in [0, M) with
// to = from + j·skip (mod M), i.e. (to - from)·skip⁻¹ mod M. Needs M < 2^32 so that
// the product fits 64 bits.
inline uint32_t StepsBetween(uint32_t from, uint32_t to, uint32_t inverse_skip,
                             uint32_t table_size) {
  const uint32_t distance = to >= from ? to - from : to + table_size - from;
  return static_cast<uint32_t>(uint64_t{distance} * inverse_skip % table_size);
}

}  // namespace sluice::maglev
