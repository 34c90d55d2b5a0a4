#include "maglev/populate.h"

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

namespace sluice::maglev {
namespace {

// A fill takes about M·ln M steps of walking in all (§3.4's next[i] never moves back),
// but their cost is not spread evenly. Three phases, each kept because it measured
// faster than the plain walk on B6's shapes (M = 65537, N = 10 … 1000), and each
// finding the very slot the plain walk would (tests/unit/maglev/paper_reference_test):
//
//  - Until kGroupWalkFromPercent of the slots are taken, a backend's next slot is usually
//    free: the plain walk, one step at a time.
//  - Then a walk takes a few steps, and whether each lands on a taken slot is a coin
//    toss the branch predictor loses: kGroupSteps steps are examined at once with no
//    branch on each, and one branch asks whether any was free.
//  - When kLookWhenFreeAtMost slots are left, a walk would take ~M/F steps for F
//    free slots (a third of all steps fall in the last 128 turns); instead the
//    backend looks at the F free slots and picks the one fewest steps along its walk.
constexpr uint32_t kGroupWalkFromPercent = 30;
constexpr uint32_t kLookWhenFreeAtMost = 128;

// Occupancy of the table being filled, one bit a slot: 8 KB at M = 65537, within L1,
// and apart from the table because the values may be anything the caller chose.
class SlotBitmap {
 public:
  explicit SlotBitmap(uint32_t slots) : words_((slots + 63) / 64, 0) {}
  bool IsTaken(uint32_t slot) const { return (words_[slot >> 6] >> (slot & 63)) & 1; }
  void Take(uint32_t slot) { words_[slot >> 6] |= uint64_t{1} << (slot & 63); }

 private:
  std::vector<uint64_t> words_;
};

// The paper's inner loop. A backend never looks again at a slot it found taken
// (next[i] only moves forward).
uint32_t WalkToFreeSlot(const Cursor& cursor, const SlotBitmap& taken, uint32_t table_size) {
  uint32_t slot = cursor.slot;
  while (taken.IsTaken(slot)) slot = NextSlot(slot, cursor.skip(), table_size);
  return slot;
}

// The same answer as WalkToFreeSlot, kGroupSteps steps at a time.
uint32_t GroupWalkToFreeSlot(const Cursor& cursor, const SlotBitmap& taken, uint32_t table_size) {
  uint32_t first = cursor.slot;
  for (;;) {
    std::array<uint32_t, kGroupSteps> steps;
    uint32_t free_mask = 0;
    // Unrolled, steps[] lives in registers (-O2 keeps the loop; measured 10% of a build).
#pragma GCC unroll 8
    for (uint32_t k = 0; k < kGroupSteps; ++k) {
      steps[k] = NextSlot(first, cursor.stride[k], table_size);
      free_mask |= uint32_t{!taken.IsTaken(steps[k])} << k;
    }
    if (free_mask != 0) return steps[std::countr_zero(free_mask)];
    first = NextSlot(first, cursor.stride[kGroupSteps], table_size);
  }
}

// The same answer as WalkToFreeSlot, found from the other side: of the free slots,
// the one the fewest steps along the backend's walk. Returns its index in `free`.
size_t NearestFreeSlot(Cursor& cursor, std::span<const uint32_t> free, uint32_t table_size) {
  if (cursor.inverse_skip == 0) cursor.inverse_skip = InverseSkip(cursor.skip(), table_size);
  size_t nearest = 0;
  uint32_t fewest_steps = table_size;
  for (size_t i = 0; i < free.size(); ++i) {
    const uint32_t steps = StepsBetween(cursor.slot, free[i], cursor.inverse_skip, table_size);
    if (steps < fewest_steps) {
      fewest_steps = steps;
      nearest = i;
    }
  }
  return nearest;
}

}  // namespace

Cursor MakeCursor(const Permutation& permutation, uint32_t value, uint32_t table_size) {
  Cursor cursor{.slot = permutation.offset, .value = value};
  for (uint32_t k = 1; k <= kGroupSteps; ++k) {
    cursor.stride[k] = NextSlot(cursor.stride[k - 1], permutation.skip, table_size);
  }
  return cursor;
}

template <typename Turns>
void Populate(std::span<Cursor> cursors, Turns& turns, std::span<uint32_t> table) {
  const auto table_size = static_cast<uint32_t>(table.size());
  SlotBitmap taken(table_size);
  uint32_t filled = 0;
  // Gives turns until `filled` reaches `limit`; `find` names the free slot the
  // backend with the turn takes, as the paper's walk would.
  const auto fill_until = [&](uint32_t limit, auto find) {
    for (; filled < limit; ++filled) {
      Cursor& cursor = cursors[turns.Next()];
      const uint32_t slot = find(cursor);
      taken.Take(slot);
      table[slot] = cursor.value;
      cursor.slot = NextSlot(slot, cursor.skip(), table_size);  // next[i]++
    }
  };

  const uint32_t walk_until = table_size - std::min(table_size, kLookWhenFreeAtMost);
  const uint32_t group_walk_from = std::min(
      walk_until, static_cast<uint32_t>(uint64_t{table_size} * kGroupWalkFromPercent / 100));
  fill_until(group_walk_from,
             [&](const Cursor& cursor) { return WalkToFreeSlot(cursor, taken, table_size); });
  fill_until(walk_until,
             [&](const Cursor& cursor) { return GroupWalkToFreeSlot(cursor, taken, table_size); });

  std::vector<uint32_t> free;
  free.reserve(table_size - filled);
  for (uint32_t slot = 0; slot < table_size; ++slot) {
    if (!taken.IsTaken(slot)) free.push_back(slot);
  }
  fill_until(table_size, [&](Cursor& cursor) {
    const size_t nearest = NearestFreeSlot(cursor, free, table_size);
    const uint32_t slot = free[nearest];
    free[nearest] = free.back();  // the order does not matter: all are looked at
    free.pop_back();
    return slot;
  });
}

template void Populate(std::span<Cursor>, RoundRobinTurns&, std::span<uint32_t>);
template void Populate(std::span<Cursor>, WeightedTurns&, std::span<uint32_t>);

}  // namespace sluice::maglev
