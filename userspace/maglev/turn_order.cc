#include "maglev/turn_order.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace sluice::maglev {

std::vector<uint32_t> ApportionSlots(std::span<const uint32_t> weights, uint32_t slots) {
  std::vector<uint32_t> shares(weights.size(), 0);
  const uint64_t total = std::accumulate(weights.begin(), weights.end(), uint64_t{0});
  if (total == 0) return shares;

  // slots·w_i/total = shares[i] + remainder[i]/total; every remainder has the same
  // denominator, so comparing the numerators compares the fractions exactly.
  std::vector<uint64_t> remainder(weights.size());
  uint64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const uint64_t scaled = uint64_t{slots} * weights[i];
    shares[i] = static_cast<uint32_t>(scaled / total);
    remainder[i] = scaled % total;
    given += shares[i];
  }
  std::vector<uint32_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return remainder[a] > remainder[b]; });
  // Fewer left over than there are backends with a positive weight: each remainder
  // is below one whole slot.
  for (uint64_t k = 0; given + k < slots; ++k) ++shares[order[k]];
  return shares;
}

// Turns ordered by due time, ties to the earlier backend: compares the fractions by
// cross-multiplying, (2k+1) < 2^25 and w < 2^32 so the products fit 64 bits.
bool WeightedTurns::DueBefore(const Turn& a, const Turn& b, std::span<const uint32_t> weights) {
  const uint64_t due_a = (2 * uint64_t{a.k} + 1) * weights[b.backend];
  const uint64_t due_b = (2 * uint64_t{b.k} + 1) * weights[a.backend];
  return due_a != due_b ? due_a < due_b : a.backend < b.backend;
}

WeightedTurns::WeightedTurns(std::span<const uint32_t> weights, uint32_t slots)
    : quotas_(ApportionSlots(weights, slots)) {
  // Sort all turns by due time with a bucket sort: turn (i, k) goes to bucket
  // ⌊(2k+1)·scale / (2·w_i)⌋, which never decreases as the due time grows, so only
  // turns sharing a bucket need comparing. `scale` is the largest that keeps every
  // last turn's bucket within [0, buckets]: a few turns a bucket, and few buckets to
  // keep (memory a build touches costs page faults as well as time).
  constexpr uint32_t kTurnsPerBucket = 8;
  uint64_t buckets = slots / kTurnsPerBucket + 1;
  uint64_t scale = UINT64_MAX;
  for (size_t i = 0; i < quotas_.size(); ++i) {
    if (quotas_[i] == 0) continue;
    scale = std::min(scale, 2 * buckets * weights[i] / (2 * uint64_t{quotas_[i]} - 1));
  }
  if (scale == UINT64_MAX) return;  // no turns at all
  if (scale == 0) {
    // Some backend has more turns than `buckets` times its weight: take the smallest
    // scale, whose buckets ⌊(2k+1)/(2·w_i)⌋ ≤ k stay below `slots`.
    scale = 1;
    buckets = slots;
  }

  // Each backend's buckets, stepped without a division per turn: bucket and
  // remainder of (2k+1)·scale / (2·w_i), advanced by 2·scale at each k.
  const auto for_each_turn = [&](auto visit) {
    for (uint32_t i = 0; i < quotas_.size(); ++i) {
      if (quotas_[i] == 0) continue;
      const uint64_t divisor = 2 * uint64_t{weights[i]};
      const uint64_t step_quotient = 2 * scale / divisor, step_remainder = 2 * scale % divisor;
      uint64_t bucket = scale / divisor, remainder = scale % divisor;
      for (uint32_t k = 0; k < quotas_[i]; ++k) {
        visit(static_cast<uint32_t>(bucket), Turn{i, k});
        remainder += step_remainder;  // branch-free: the carry is a coin toss
        const uint64_t carry = remainder >= divisor;
        remainder -= divisor & (0 - carry);
        bucket += step_quotient + carry;
      }
    }
  };
  // A counting sort. bucket_edge[b] first counts bucket b's turns, then becomes the
  // start of its range of order_, and, once the range is filled, its end; bucket b
  // is then order_[bucket_edge[b-1] .. bucket_edge[b]).
  std::vector<uint32_t> bucket_edge(buckets + 1, 0);
  for_each_turn([&](uint32_t bucket, Turn) { ++bucket_edge[bucket]; });
  uint32_t turns = 0;
  for (uint32_t& edge : bucket_edge) turns += std::exchange(edge, turns);
  order_.resize(turns);
  for_each_turn([&](uint32_t bucket, Turn turn) { order_[bucket_edge[bucket]++] = turn; });

  // Within a bucket the turns are by backend then k, which is already the due order
  // for turns that fall due together; an insertion sort fixes the few others.
  uint32_t first = 0;
  for (const uint32_t last : bucket_edge) {
    for (uint32_t i = first + 1; i < last; ++i) {
      const Turn turn = order_[i];
      uint32_t j = i;
      for (; j > first && DueBefore(turn, order_[j - 1], weights); --j) order_[j] = order_[j - 1];
      order_[j] = turn;
    }
    first = last;
  }
}

}  // namespace sluice::maglev
