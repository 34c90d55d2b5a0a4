#include "table_quality.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "bench_backends.h"
#include "maglev/maglev.h"
#include "maglev/table_stats.h"

namespace sluice::maglev::bench {
namespace {

struct Comparison {
  double moved;
  double survivors_kept;
};

// `stayed`: the values of the backends present in both sets.
Comparison Compare(const std::vector<uint32_t>& before, const std::vector<uint32_t>& after,
                   const std::unordered_set<uint32_t>& stayed) {
  uint32_t moved = 0, survivor_slots = 0, kept = 0;
  for (size_t slot = 0; slot < before.size(); ++slot) {
    moved += before[slot] != after[slot];
    if (stayed.contains(before[slot])) {
      ++survivor_slots;
      kept += before[slot] == after[slot];
    }
  }
  return {double(moved) / before.size(), survivor_slots > 0 ? double(kept) / survivor_slots : 1.0};
}

std::unordered_set<uint32_t> Values(const std::vector<Backend>& backends) {
  std::unordered_set<uint32_t> values;
  for (const Backend& backend : backends) values.insert(backend.value);
  return values;
}

}  // namespace

Balance MeasureBalance(uint32_t backends, uint32_t table_size) {
  const auto counts = CountSlots(BuildTable(MakeBackends(backends), table_size));
  uint32_t max = 0, min = table_size;
  for (const auto& [value, slots] : counts) {
    max = std::max(max, slots);
    min = std::min(min, slots);
  }
  if (counts.size() < backends) min = 0;  // some backend holds no slot
  const double avg = double(table_size) / backends;
  return {max / avg, min / avg};
}

Disruption MeasureRemoval(uint32_t backends, uint32_t k, uint32_t table_size, uint32_t trials) {
  const std::vector<Backend> all = MakeBackends(backends);
  const std::vector<uint32_t> before = BuildTable(all, table_size);
  Disruption d{.changed = k, .trials = trials, .minimum = double(k) / backends};
  for (uint32_t trial = 0; trial < trials; ++trial) {
    const std::vector<Backend> rest = WithoutRandom(all, k, trial);
    const Comparison c = Compare(before, BuildTable(rest, table_size), Values(rest));
    d.moved += c.moved / trials;
    d.moved_worst = std::max(d.moved_worst, c.moved);
    d.survivors_kept += c.survivors_kept / trials;
  }
  return d;
}

Disruption MeasureAddition(uint32_t backends, uint32_t k, uint32_t table_size) {
  const std::vector<Backend> old_set = MakeBackends(backends);
  const std::vector<Backend> new_set = MakeBackends(backends + k);
  const Comparison c =
      Compare(BuildTable(old_set, table_size), BuildTable(new_set, table_size), Values(old_set));
  return {.changed = k,
          .trials = 1,
          .moved = c.moved,
          .moved_worst = c.moved,
          .minimum = double(k) / (backends + k),
          .survivors_kept = c.survivors_kept};
}

}  // namespace sluice::maglev::bench
