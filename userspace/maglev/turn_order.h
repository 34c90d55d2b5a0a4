// Who claims the next slot while the table is being filled.
//
// The paper's population (§3.4, Pseudocode 1) gives every backend one turn per round,
// in a fixed order, until all M slots are taken: RoundRobinTurns. With equal weights
// each backend ends with ⌊M/N⌋ or ⌈M/N⌉ slots.
//
// Weights are sluice's extension, kept in the paper's spirit: a backend's preference
// list (its permutation) is untouched, only how often it takes a turn changes.
// WeightedTurns decides two things:
//
//  - How many slots each backend ends with (its quota): M·w_i/W rounded by the
//    largest-remainder rule. Every backend first gets ⌊M·w_i/W⌋; the slots left over go
//    one each to the backends with the largest remainders, ties to the earlier backend
//    in key order. So every quota is within one slot of the exact proportional share.
//  - In which order the turns come: backend i's (k+1)-th turn is due at virtual time
//    (2k+1)/(2·w_i) (the Sainte-Laguë divisors), the earliest due turn goes next, ties
//    to the earlier backend in key order, and a backend leaves the rotation when it
//    holds its quota. Heavier backends claim more often from the start, so they reach
//    their preferred slots as early, relative to their weight, as lighter ones do.
//
// With equal weights both rules reduce to the paper's round robin, turn for turn (the
// unit tests check it), so weights of 1 and weights of 7 build the same table.
#pragma once

#include <cassert>
#include <cstdint>
#include <span>
#include <vector>

namespace sluice::maglev {

// The paper's order: 0, 1, ..., n-1, 0, 1, ...
class RoundRobinTurns {
 public:
  explicit RoundRobinTurns(uint32_t backends) : backends_(backends) {}
  uint32_t Next() {
    const uint32_t turn = next_;
    next_ = next_ + 1 == backends_ ? 0 : next_ + 1;
    return turn;
  }

 private:
  uint32_t backends_;
  uint32_t next_ = 0;
};

// Largest-remainder shares of `slots` in proportion to `weights` (which need not be
// positive; a zero weight gets nothing). The result sums to `slots` when some weight
// is positive. Requires slots <= 2^24 so that slots × weight fits 64 bits.
std::vector<uint32_t> ApportionSlots(std::span<const uint32_t> weights, uint32_t slots);

// The weighted order, computed whole when constructed: a bucket sort of the M turns
// by due time (O(M + N), ~0.3 ms at M = 65537) rather than a priority queue step per
// turn (1–5 ms, more than the fill itself).
class WeightedTurns {
 public:
  // The caller asks Next() at most `slots` times.
  WeightedTurns(std::span<const uint32_t> weights, uint32_t slots);

  uint32_t Next() {
    assert(next_ < order_.size() && "more turns asked than slots apportioned");
    return order_[next_++].backend;
  }
  std::span<const uint32_t> quotas() const { return quotas_; }

 private:
  // One turn: backend's (k+1)-th, due at (2k+1)/(2·weight).
  struct Turn {
    uint32_t backend;
    uint32_t k;
  };
  static bool DueBefore(const Turn& a, const Turn& b, std::span<const uint32_t> weights);

  std::vector<uint32_t> quotas_;
  std::vector<Turn> order_;  // all turns, in the order they come
  size_t next_ = 0;
};

}  // namespace sluice::maglev
