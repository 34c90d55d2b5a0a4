// The fill of the Maglev paper (§3.4, Pseudocode 1): backends take turns; whoever has
// the turn walks its permutation from where it stopped last time to the first free
// slot and takes it; until all M slots are taken.
//
// The turns come from RoundRobinTurns (the paper's order) or WeightedTurns
// (turn_order.h); the walk is the same for both.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "maglev/permutation.h"
#include "maglev/turn_order.h"

namespace sluice::maglev {

// Steps a walk examines at once in the middle of the fill (populate.cc).
inline constexpr uint32_t kGroupSteps = 4;

// A backend's place in its permutation: the paper's next[i], kept as the slot it
// points at so that a step is an add-and-wrap rather than a multiply and a modulo.
struct Cursor {
  uint32_t slot = 0;
  uint32_t value = 0;         // what the backend's slots hold
  uint32_t inverse_skip = 0;  // skip⁻¹ mod M, computed when first needed (0: not yet)
  // stride[k] = k·skip mod M for k = 0 … kGroupSteps: stride[1] is the skip; the rest
  // let a group of steps be computed side by side instead of one after another.
  std::array<uint32_t, kGroupSteps + 1> stride{};
  uint32_t skip() const { return stride[1]; }
};

Cursor MakeCursor(const Permutation& permutation, uint32_t value, uint32_t table_size);

// Fills `table` (all of it) with the cursors' values, one turn at a time.
template <typename Turns>
void Populate(std::span<Cursor> cursors, Turns& turns, std::span<uint32_t> table);

extern template void Populate(std::span<Cursor>, RoundRobinTurns&, std::span<uint32_t>);
extern template void Populate(std::span<Cursor>, WeightedTurns&, std::span<uint32_t>);

}  // namespace sluice::maglev
