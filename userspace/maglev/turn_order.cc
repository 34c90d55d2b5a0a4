#include "maglev/turn_order.h"

#include <algorithm>
#include <cassert>
#include <numeric>

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

WeightedTurns::WeightedTurns(std::span<const uint32_t> weights, uint32_t slots)
    : quotas_(ApportionSlots(weights, slots)) {
  for (uint32_t i = 0; i < quotas_.size(); ++i) {
    if (quotas_[i] == 0) continue;
    heap_.push_back({.twice_taken_plus_one = 1, .weight = weights[i], .backend = i});
  }
  for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
}

bool WeightedTurns::DueBefore(const Pending& a, const Pending& b) {
  // (2·taken_a + 1)/w_a < (2·taken_b + 1)/w_b, cross-multiplied: below 2^25 × 2^32.
  const uint64_t due_a = a.twice_taken_plus_one * b.weight;
  const uint64_t due_b = b.twice_taken_plus_one * a.weight;
  return due_a != due_b ? due_a < due_b : a.backend < b.backend;
}

void WeightedTurns::SiftDown(size_t at) {
  const Pending moving = heap_[at];
  for (;;) {
    size_t child = 2 * at + 1;
    if (child >= heap_.size()) break;
    if (child + 1 < heap_.size() && DueBefore(heap_[child + 1], heap_[child])) ++child;
    if (!DueBefore(heap_[child], moving)) break;
    heap_[at] = heap_[child];
    at = child;
  }
  heap_[at] = moving;
}

uint32_t WeightedTurns::Next() {
  assert(!heap_.empty() && "more turns asked than slots apportioned");
  Pending& first = heap_.front();
  const uint32_t turn = first.backend;
  const uint64_t taken = (first.twice_taken_plus_one + 1) / 2;  // counting this one
  if (taken < quotas_[turn]) {
    first.twice_taken_plus_one += 2;  // due later now: it can only sink
  } else {
    first = heap_.back();
    heap_.pop_back();
  }
  if (!heap_.empty()) SiftDown(0);
  return turn;
}

}  // namespace sluice::maglev
