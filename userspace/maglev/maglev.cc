#include "maglev/maglev.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "maglev/permutation.h"
#include "maglev/populate.h"
#include "maglev/table_size.h"
#include "maglev/turn_order.h"

namespace sluice::maglev {
namespace {

void CheckTableSize(uint32_t table_size) {
  if (table_size > kMaxTableSize || !IsPrime(table_size)) {
    throw std::invalid_argument("Maglev table size " + std::to_string(table_size) +
                                " is not a prime no larger than " + std::to_string(kMaxTableSize));
  }
}

// The backends that take part (positive weight), in key order. Duplicate keys are
// refused whatever their weight: two backends with one identity would share a
// permutation and which one the caller meant is anyone's guess.
std::vector<const Backend*> SortedParticipants(std::span<const Backend> backends) {
  std::vector<const Backend*> sorted;
  sorted.reserve(backends.size());
  for (const Backend& backend : backends) sorted.push_back(&backend);
  std::sort(sorted.begin(), sorted.end(),
            [](const Backend* a, const Backend* b) { return a->key < b->key; });
  const auto duplicate =
      std::adjacent_find(sorted.begin(), sorted.end(),
                         [](const Backend* a, const Backend* b) { return a->key == b->key; });
  if (duplicate != sorted.end()) {
    throw std::invalid_argument("Maglev backend key \"" + (*duplicate)->key +
                                "\" appears more than once");
  }
  std::erase_if(sorted, [](const Backend* backend) { return backend->weight == 0; });
  return sorted;
}

bool AllWeightsEqual(std::span<const Backend* const> participants) {
  return std::all_of(participants.begin(), participants.end(),
                     [&](const Backend* b) { return b->weight == participants.front()->weight; });
}

}  // namespace

std::vector<uint32_t> BuildTable(std::span<const Backend> backends, uint32_t table_size) {
  CheckTableSize(table_size);
  const std::vector<const Backend*> participants = SortedParticipants(backends);
  if (participants.empty()) return {};

  std::vector<Cursor> cursors;
  cursors.reserve(participants.size());
  for (const Backend* backend : participants) {
    cursors.push_back(
        MakeCursor(MakePermutation(backend->key, table_size), backend->value, table_size));
  }

  std::vector<uint32_t> table(table_size);
  if (AllWeightsEqual(participants)) {
    // The paper's case, and the common one (EndpointSlices carry no weights): a plain
    // round robin, no schedule to keep.
    RoundRobinTurns turns(static_cast<uint32_t>(participants.size()));
    Populate(std::span(cursors), turns, std::span(table));
  } else {
    std::vector<uint32_t> weights;
    weights.reserve(participants.size());
    for (const Backend* backend : participants) weights.push_back(backend->weight);
    WeightedTurns turns(weights, table_size);
    Populate(std::span(cursors), turns, std::span(table));
  }
  return table;
}

}  // namespace sluice::maglev
