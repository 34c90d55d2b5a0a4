// B6's quality figures: how evenly a table spreads over its backends, and how many
// slots move when backends go or come, against the fewest that must move.
#pragma once

#include <cstdint>

namespace sluice::maglev::bench {

struct Balance {
  double max_over_avg = 0;  // most slots any backend holds / (M / N)
  double min_over_avg = 0;
};

struct Disruption {
  uint32_t changed = 0;       // backends removed (or added)
  uint32_t trials = 0;        // random choices of which backends, averaged
  double moved = 0;           // fraction of all slots whose backend changed, mean
  double moved_worst = 0;     // ... the worst trial
  double minimum = 0;         // the fraction that had to change: k/N, or k/(N+k) added
  double survivors_kept = 0;  // of the slots unchanged backends held, the fraction kept
  double ratio() const { return minimum > 0 ? moved / minimum : 0; }
};

Balance MeasureBalance(uint32_t backends, uint32_t table_size);

// Removes `k` of `backends` (a different random choice in each trial).
Disruption MeasureRemoval(uint32_t backends, uint32_t k, uint32_t table_size, uint32_t trials);

// Adds `k` new backends to `backends`.
Disruption MeasureAddition(uint32_t backends, uint32_t k, uint32_t table_size);

}  // namespace sluice::maglev::bench
